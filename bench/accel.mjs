// The accelerator model on one 256 x 256 x 256 GEMM: modelled throughput (GMAC/s) and efficiency (GFLOPS/W,
// one MAC = 2 FLOP) of the default accelerator (4 x 4 array, 100 MHz, board/accel/model.ts), per format, and
// how fast the simulation itself runs (simulated MACs per host second of its engine, the device module's
// own gemm in wasm), next to RedMulE's published figures.
// Usage: npm run bench -- accel   (or: node bench/run.mjs accel)
import { AcceleratorModel, DEFAULT_ACCELERATOR } from "../dist/board/accel/model.js";
import { parseFormat, parseRounding } from "../dist/host/formats/parse.js";

const SIZE = 256;
const RUNS = 3;
const BASE = 0x40000000;
const REG = { X_ADDR: 0x10, W_ADDR: 0x14, Z_ADDR: 0x18, M: 0x1c, N: 0x20, K: 0x24, LDX: 0x28, LDW: 0x2c, LDZ: 0x30, OP: 0x34, MUL_FMT: 0x38, ACC_FMT: 0x3c, ROUND: 0x40, MAC: 0x44, SR_BITS: 0x48, SR_KEY: 0x4c, X_FMT: 0x50, W_FMT: 0x54, CTRL: 0x60, STATUS: 0x64 };

const cases = [
  { label: "e4m3 x e4m3 -> fp16, rne", mul: "e4m3", acc: "fp16", operands: "e4m3", mulMode: "rne", accMode: "rne" },
  { label: "e4m3 x e4m3 -> fp16, sr sums", mul: "e4m3", acc: "fp16", operands: "e4m3", mulMode: "rne", accMode: "sr" },
  { label: "fp16 x fp16 -> fp16, rne", mul: "fp16", acc: "fp16", operands: "fp16", mulMode: "rne", accMode: "rne" },
  { label: "fp32 x fp32 -> fp32, rne", mul: "fp32", acc: "fp32", operands: "fp32", mulMode: "rne", accMode: "rne" },
];

// Operands: a fixed pattern of e4m3 values (exact in every format here), the same for every case.
const n = SIZE * SIZE;
const memory = new ArrayBuffer(3 * n * 4 + 64);
const x = new Float32Array(memory, 0, n);
const w = new Float32Array(memory, n * 4, n);
let s = 0x2545f491;
for (let i = 0; i < n; i++) {
  s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
  const u = s >>> 0;
  x[i] = (u & 1 ? -1 : 1) * (8 + ((u >>> 1) & 7)) * 2 ** (((u >>> 4) & 7) - 10);
  w[i] = (u & 2 ? -1 : 1) * (8 + ((u >>> 8) & 7)) * 2 ** (((u >>> 12) & 7) - 10);
}

const config = DEFAULT_ACCELERATOR;
const rows = [];
const ENGINES = ["wasm"];
for (const c of cases) {
  const job = {
    X_ADDR: 0, W_ADDR: n * 4, Z_ADDR: 2 * n * 4, M: SIZE, N: SIZE, K: SIZE, LDX: SIZE, LDW: SIZE, LDZ: SIZE,
    MUL_FMT: parseFormat(c.mul).word, ACC_FMT: parseFormat(c.acc).word, ROUND: parseRounding(c.mulMode) | (parseRounding(c.accMode) << 4),
    SR_KEY: 12345, X_FMT: parseFormat(c.operands).word, W_FMT: parseFormat(c.operands).word,
  };
  const simMacs = {};
  const results = {};
  let cost;
  for (const engine of ENGINES) {
    const model = new AcceleratorModel({ ...config, engine }, () => memory);
    const write = (name, value) => model.write32(BASE + REG[name], value);
    for (const [name, value] of Object.entries(job)) write(name, value);
    // The simulation's speed: best of RUNS starts of the same job (the host is shared and noisy; the
    // first wasm start also makes the engine's instance).
    let seconds = Infinity;
    for (let run = 0; run < RUNS; run++) {
      const t0 = process.hrtime.bigint();
      write("CTRL", 1);
      seconds = Math.min(seconds, Number(process.hrtime.bigint() - t0) / 1e9);
    }
    const status = model.read32(BASE + REG.STATUS);
    if (status !== 2) throw new Error(`${c.label}, ${engine} engine: status 0x${status.toString(16)}`);
    cost = model.lastJob;
    simMacs[engine] = cost.macs / seconds;
    results[engine] = new Uint32Array(memory, 2 * n * 4, n).slice();
  }
  const modelledSeconds = cost.cycles / config.clockHz;
  const joules = cost.energyPj.total * 1e-12;
  rows.push({
    label: c.label,
    cycles: cost.cycles,
    bound: cost.memoryCycles > cost.computeCycles ? "memory" : "compute",
    utilisation: cost.utilisation,
    gmacs: cost.macs / modelledSeconds / 1e9,
    gflopsPerW: (2 * cost.macs) / joules / 1e9,
    computeShare: (cost.energyPj.multiply + cost.energyPj.add + cost.energyPj.sr) / cost.energyPj.total,
    uj: joules * 1e6,
    simMacs,
  });
}

console.log(`accelerator model, ${SIZE}x${SIZE}x${SIZE} GEMM, ${config.rows}x${config.cols} array at ${config.clockHz / 1e6} MHz, ` +
  `${config.bandwidthBytesPerCycle} B/cycle, ${config.energy.memoryPjPer64Bits} pJ per 64-bit memory access, node ${process.version}`);
console.log(`modelled figures per job; sim M MAC/s: simulated MACs per host second, best of ${RUNS} runs of the wasm engine`);
console.log("case                             cycles   bound    util  GMAC/s  GFLOPS/W  energy uJ  compute share  sim M MAC/s");
for (const r of rows) {
  console.log(
    `${r.label.padEnd(30)} ${String(r.cycles).padStart(8)}   ${r.bound.padEnd(7)} ${r.utilisation.toFixed(2).padStart(5)} ${r.gmacs.toFixed(2).padStart(7)} ` +
    `${r.gflopsPerW.toFixed(0).padStart(9)} ${r.uj.toFixed(1).padStart(10)} ${(100 * r.computeShare).toFixed(1).padStart(13)}% ` +
    `${(r.simMacs.wasm / 1e6).toFixed(1).padStart(13)}`,
  );
}
console.log("for scale (published): RedMulE, 22 nm: 32 FMA units at 666 MHz, 31.6 MAC/cycle (21 GMAC/s), 688 GFLOPS/W FP16 (DATE 2022);");
console.log("                                      755 GFLOPS/W FP16 and 920 GFLOPS/W FP8 on GEMM at 470 MHz, 0.65 V (FGCS 2023).");
