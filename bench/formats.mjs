// Quantization throughput in the device module: 10^6 f32 values per pass (4 MB in, 4 MB out: memory) and
// 2^14 (64 KB each way: the first cache levels), e4m3 / bf16 / fp16 with rne and sr, against a plain f32
// copy loop in the same module, scalar and SIMD builds, in one run; best pass in CPU time (user + system),
// which other processes' load changes less than wall time.
// Usage: npm run bench -- formats   (or: node bench/run.mjs formats)
import { cpus, loadavg } from "node:os";
import { loadDevice } from "../dist/host/device/module.js";
import { parseFormat, parseRounding } from "../dist/host/formats/parse.js";
import { ROUNDING_CASES, bestRate, quantizeInputs } from "./lib/quantize.mjs";

const SIZES = [1_000_000, 16_384];
const MIN_SECONDS = 0.3;

function makeInput(device, N) {
  const src = device.alloc(N * 4);
  const dst = device.alloc(N * 4);
  device.f32(src, N).set(quantizeInputs(N));
  return { src, dst };
}

const rate = (fn, N) => bestRate(fn, N, MIN_SECONDS);

const rows = [];
const checksums = {};
for (const N of SIZES) {
  for (const simd of [false, true]) {
    const device = loadDevice({ simd });
    const x = device.exports;
    const { src, dst } = makeInput(device, N);
    const build = simd ? "simd" : "scalar";
    const copy = rate(() => x.copy_array(src, dst, N), N);
    rows.push({ N, build, kernel: "f32 copy (baseline)", mvps: copy / 1e6, ratio: 1 });
    for (const [name, mode] of ROUNDING_CASES) {
      const fmt = x.fmt_new(parseFormat(name).word);
      const rng = x.rng_new(1, 0);
      const code = parseRounding(mode);
      const r = rate(() => x.round_array(fmt, code, 0, rng, src, dst, N), N);
      // Same seed, fresh stream: both builds must produce the same bits.
      const check = x.rng_new(7, 0);
      x.round_array(fmt, code, 0, check, src, dst, N);
      let h = 0;
      for (const v of device.u32(dst, N)) h = (Math.imul(h, 31) + v) | 0;
      const key = `${N} ${name} ${mode}`;
      if (key in checksums && checksums[key] !== h) throw new Error(`${key}: scalar and SIMD builds differ`);
      checksums[key] = h;
      rows.push({ N, build, kernel: `${name} ${mode}`, mvps: r / 1e6, ratio: r / copy });
    }
  }
}
console.log(`quantize f32 values, best pass in CPU time, node ${process.version}`);
console.log(`${cpus().length} x ${cpus()[0]?.model ?? "unknown CPU"}, load average ${loadavg().map((l) => l.toFixed(2)).join(" ")} at the end`);
console.log("values     build   kernel                 M values/s   vs copy");
for (const row of rows) {
  console.log(`${row.N.toLocaleString("en").padEnd(10)} ${row.build.padEnd(7)} ${row.kernel.padEnd(22)} ${row.mvps.toFixed(0).padStart(10)}   ${row.ratio.toFixed(2).padStart(7)}`);
}
console.log("scalar and SIMD builds gave identical bits for every case");
