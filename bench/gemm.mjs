// GEMM throughput in the device module: 256 x 256 x 256, the plain f32 loop, fast mode and the exact
// (per-MAC) mode for e4m3 x e4m3 -> fp16 with rne and sr and for bf16, in the scalar and the SIMD build of
// the same run; M MAC/s and the ratio to the plain loop of the same build. Both builds must give the
// same bits for every case (checked here on every run).
// Usage: npm run bench -- gemm   (or: node bench/run.mjs gemm after a build)
import { cpus, loadavg } from "node:os";
import { loadDevice } from "../dist/host/device/module.js";
import { parseFormat, parseRounding } from "../dist/host/formats/parse.js";

const M = 256, N = 256, K = 256;
const MACS = M * N * K;
const MIN_PASSES = 5;
const MIN_SECONDS = 2;

/** Operand values: seeded (xorshift32), roughly normal (sum of 4 uniforms), rounded to `format` by the module. */
function fill(device, ptr, count, format, seed, scale) {
  const values = device.f32(ptr, count);
  let s = seed >>> 0;
  const uniform = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 2 ** 32; };
  for (let i = 0; i < count; i++) values[i] = (uniform() + uniform() + uniform() + uniform() - 2) * Math.sqrt(3) * scale;
  const x = device.exports;
  const status = x.round_array(x.fmt_new(parseFormat(format).word), parseRounding("rne"), 0, 0, ptr, ptr, count);
  if (status !== 0) throw new Error(`round_array returned ${status}`);
}

/** Operand values spread over every finite code of an 8-bit format (seeded): products can overflow fp16. */
function fillCodes(device, ptr, count, format, seed) {
  const x = device.exports;
  const fmt = x.fmt_new(parseFormat(format).word);
  const values = device.f32(ptr, count);
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    let v = NaN;
    while (!Number.isFinite(v)) { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; v = x.decode_one(fmt, s & 0xff); }
    values[i] = v;
  }
}

/**
 * Best pass time in CPU seconds (user + system: other processes' load changes it less than wall time): at
 * least MIN_PASSES passes and MIN_SECONDS in all, after one warm-up pass.
 */
function best(fn) {
  fn();
  let bestTime = Infinity, total = 0, passes = 0;
  while (passes < MIN_PASSES || total < MIN_SECONDS) {
    const t0 = process.cpuUsage();
    fn();
    const t = process.cpuUsage(t0);
    const dt = (t.user + t.system) / 1e6;
    bestTime = Math.min(bestTime, dt);
    total += dt;
    passes++;
  }
  return bestTime;
}

function checksum(u32) {
  let h = 0;
  for (const v of u32) h = (Math.imul(h, 31) + v) | 0;
  return h >>> 0;
}

// Operands are roughly normal (X: sd 1, W: sd 0.5) and rounded to the operand format, as a layer's
// activations and weights are; one row repeats a case with e4m3 operands over all codes, where products
// overflow fp16 and every product must be rounded. name, operands, [mul, mulMode], [acc, accMode], fma, fast
const CASES = [
  { name: "fast (f32 sums, one fp16 rne rounding)", operands: "e4m3", acc: ["fp16", "rne"], fast: true },
  { name: "exact e4m3 x e4m3 -> fp16 rne", operands: "e4m3", mul: ["fp16", "rne"], acc: ["fp16", "rne"] },
  { name: "exact e4m3 x e4m3 -> fp16 rne fma", operands: "e4m3", acc: ["fp16", "rne"], fma: true },
  { name: "  same, e4m3 operands over all codes", operands: "e4m3-codes", mul: ["fp16", "rne"], acc: ["fp16", "rne"] },
  { name: "exact e4m3 x e4m3 -> fp16 sr", operands: "e4m3", mul: ["fp16", "sr"], acc: ["fp16", "sr"] },
  { name: "exact e4m3 x e4m3 -> fp16 sr fma", operands: "e4m3", acc: ["fp16", "sr"], fma: true },
  { name: "exact bf16 x bf16 -> bf16 rne", operands: "bf16", mul: ["bf16", "rne"], acc: ["bf16", "rne"] },
  { name: "exact bf16 x bf16 -> bf16 sr", operands: "bf16", mul: ["bf16", "sr"], acc: ["bf16", "sr"] },
  { name: "exact bf16 x bf16 -> fp32 rne", operands: "bf16", mul: ["bf16", "rne"], acc: ["fp32", "rne"] },
  // Backward-data GEMMs (dX = dY.W^T) read W transposed.
  { name: "exact e4m3 x e4m3 -> fp16 rne, W^T", operands: "e4m3", mul: ["fp16", "rne"], acc: ["fp16", "rne"], transW: true },
  { name: "exact e4m3 x e4m3 -> fp16 sr, W^T", operands: "e4m3", mul: ["fp16", "sr"], acc: ["fp16", "sr"], transW: true },
  { name: "exact bf16 x bf16 -> bf16 sr, W^T", operands: "bf16", mul: ["bf16", "sr"], acc: ["bf16", "sr"], transW: true },
];

const rows = [];
const sums = new Map();
for (const simd of [false, true]) {
  const device = loadDevice({ simd });
  const x = device.exports;
  const build = simd ? "simd" : "scalar";
  const xs = device.alloc(M * K * 4), ws = device.alloc(K * N * 4), zs = device.alloc(M * N * 4);
  const format = (name) => x.fmt_new(parseFormat(name).word);
  let loaded = "";
  const load = (operands) => {
    if (loaded === operands) return;
    if (operands.endsWith("-codes")) {
      fillCodes(device, xs, M * K, operands.slice(0, -6), 0x1234);
      fillCodes(device, ws, K * N, operands.slice(0, -6), 0x5678);
    } else {
      fill(device, xs, M * K, operands, 0x1234, 1);
      fill(device, ws, K * N, operands, 0x5678, 0.5);
    }
    loaded = operands;
  };
  load("e4m3");
  const plain = best(() => x.gemm_f32_plain(M, N, K, xs, ws, zs));
  rows.push({ build, name: "plain f32 loop (baseline)", mmacs: MACS / plain / 1e6, ratio: 1 });
  for (const c of CASES) {
    load(c.operands);
    const spec = x.mac_spec_new(
      c.mul ? format(c.mul[0]) : 0, c.mul ? parseRounding(c.mul[1]) : 0,
      format(c.acc[0]), parseRounding(c.acc[1]), c.fma ? 1 : 0, c.fast ? 1 : 0, 32, 0x2468ace,
    );
    if (spec === 0) throw new Error(`mac_spec_new refused ${c.name}`);
    const run = () => {
      // Transposed, W is stored n x k: its row stride is K.
      const status = x.gemm(M, N, K, xs, K, 0, ws, c.transW ? K : N, c.transW ? 1 : 0, zs, N, 0, spec);
      if (status !== 0) throw new Error(`gemm returned ${status} for ${c.name}`);
    };
    const t = best(run);
    run();
    const h = checksum(device.u32(zs, M * N));
    if (sums.has(c.name) && sums.get(c.name) !== h) throw new Error(`${c.name}: the scalar and SIMD builds gave different bits`);
    sums.set(c.name, h);
    rows.push({ build, name: c.name, mmacs: MACS / t / 1e6, ratio: plain / t });
  }
}

console.log(`GEMM ${M}x${N}x${K} (${MACS.toLocaleString("en")} MACs), best pass of >= ${MIN_PASSES} and >= ${MIN_SECONDS} CPU s, node ${process.version}`);
console.log(`${cpus().length} x ${cpus()[0]?.model ?? "unknown CPU"}, load average ${loadavg().map((l) => l.toFixed(2)).join(" ")} at the end`);
console.log("build   kernel                                    M MAC/s   vs plain");
for (const r of rows) {
  console.log(`${r.build.padEnd(7)} ${r.name.padEnd(40)} ${r.mmacs.toFixed(0).padStart(9)}   ${r.ratio.toFixed(2).padStart(8)}`);
}
console.log("scalar and SIMD builds gave identical bits for every case");
