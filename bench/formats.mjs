// Quantization throughput in the device module: 10^6 f32 values per pass, e4m3 / bf16 / fp16 with rne
// and sr, against a plain f32 copy loop in the same module, scalar and SIMD builds, in one run.
// Usage: npm run bench -- formats   (or: node bench/run.mjs formats)
import { loadDevice } from "../dist/host/device/module.js";
import { parseFormat, parseRounding } from "../dist/host/formats/parse.js";

const N = 1_000_000;
const PASSES = 30;

function makeInput(device) {
  const src = device.alloc(N * 4);
  const dst = device.alloc(N * 4);
  const values = device.f32(src, N);
  // Fixed, seed-free pattern spanning many binades, both signs, with subnormal-range values for e4m3.
  let s = 0x12345678;
  for (let i = 0; i < N; i++) {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
    const mantissa = ((s >>> 0) / 2 ** 32) * 2 - 1;
    values[i] = mantissa * 2 ** (((s >>> 8) & 31) - 16);
  }
  return { src, dst };
}

/** Best of PASSES timings, in values per second. */
function rate(fn) {
  fn();
  let best = Infinity;
  for (let p = 0; p < PASSES; p++) {
    const t0 = process.hrtime.bigint();
    fn();
    const dt = Number(process.hrtime.bigint() - t0) / 1e9;
    if (dt < best) best = dt;
  }
  return N / best;
}

const cases = [
  ["e4m3", "rne"], ["e4m3", "sr"], ["bf16", "rne"], ["bf16", "sr"], ["fp16", "rne"], ["fp16", "sr"],
];
const rows = [];
const checksums = {};
for (const simd of [false, true]) {
  const device = loadDevice({ simd });
  const x = device.exports;
  const { src, dst } = makeInput(device);
  const copy = rate(() => x.copy_array(src, dst, N));
  rows.push({ build: simd ? "simd" : "scalar", kernel: "f32 copy (baseline)", mvps: copy / 1e6, ratio: 1 });
  for (const [name, mode] of cases) {
    const fmt = x.fmt_new(parseFormat(name).word);
    const rng = x.rng_new(1, 0);
    const code = parseRounding(mode);
    const r = rate(() => x.round_array(fmt, code, 0, rng, src, dst, N));
    // Same seed, fresh stream: both builds must produce the same bits.
    const check = x.rng_new(7, 0);
    x.round_array(fmt, code, 0, check, src, dst, N);
    let h = 0;
    for (const v of device.u32(dst, N)) h = (Math.imul(h, 31) + v) | 0;
    const key = `${name} ${mode}`;
    if (key in checksums && checksums[key] !== h) throw new Error(`${key}: scalar and SIMD builds differ`);
    checksums[key] = h;
    rows.push({ build: simd ? "simd" : "scalar", kernel: `${name} ${mode}`, mvps: r / 1e6, ratio: r / copy });
  }
}
console.log(`quantize ${N.toLocaleString("en")} f32 values, best of ${PASSES} passes, node ${process.version}`);
console.log("build   kernel                 M values/s   vs copy");
for (const row of rows) {
  console.log(`${row.build.padEnd(7)} ${row.kernel.padEnd(22)} ${row.mvps.toFixed(0).padStart(10)}   ${row.ratio.toFixed(2).padStart(7)}`);
}
console.log("scalar and SIMD builds gave identical bits for every case");
