// The accelerator as hardware (docs/hardware.md): simulation speed of the verilated RTL next to the
// wasm engine's on one GEMM; synthesis of the two SR random sources, of one MAC lane per format
// configuration (fixed formats and modes, activity measured in a Verilator run of that configuration),
// and of the whole accelerator with a 1 x 1 array (controller + one lane) and with the board's array
// (hierarchy kept: the lane mapped once), for the iCE40 UP5K and the OSU 0.18 um cells. Writes every
// result to out/bench-hw.json.
// Usage: npm run bench -- hw   (or: node bench/run.mjs hw; takes tens of minutes on two cores)
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as R from "../dist/host/generated/regmap.js";
import { AcceleratorModel } from "../dist/board/accel/model.js";
import { boardAccelerator } from "../dist/hw/generate.js";
import { verilate } from "../dist/hw/verilate.js";
import { RtlSim } from "../dist/hw/rtl-sim.js";
import { unitSources } from "../dist/hw/units.js";
import { prepareWrapped, synthAsic, synthIce40, UP5K } from "../dist/hw/synth.js";
import { measureActivity } from "../dist/hw/activity.js";
import { parseFormat, parseRounding } from "../dist/host/formats/parse.js";

const BOARD = "sim-rtl";
const { id, config } = boardAccelerator(BOARD);
const work = join("build", "hw", "bench");
const results = { board: BOARD, simulation: null, sr: {}, lanes: [], accel1x1: null, accel: null };
const fmt = (v, d = 2) => (v === null || v === undefined ? "n/a" : Number(v).toFixed(d));
const timed = (label, f) => {
  const t = Date.now();
  const r = f();
  console.error(`  ${label}: ${((Date.now() - t) / 1000).toFixed(0)} s`);
  return r;
};

// ---- simulation speed: one 32 x 32 x 64 GEMM, e4m3-valued operands, fp16 products, fp16 SR sums.
{
  const M = 32, N = 32, K = 64, bytes = 1 << 16;
  const memory = new ArrayBuffer(bytes);
  const f = new Float32Array(memory);
  let s = 0x2545f491;
  for (let i = 0; i < 2 * 4096; i++) {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
    const u = s >>> 0;
    f[i] = (u & 1 ? -1 : 1) * (8 + ((u >>> 1) & 7)) * 2 ** (((u >>> 4) & 7) - 10);
  }
  const regs = {
    X_ADDR: 0, W_ADDR: 16384, Z_ADDR: 32768, M, N, K, LDX: K, LDW: N, LDZ: N, OP: 0,
    MUL_FMT: parseFormat("fp16").word, ACC_FMT: parseFormat("fp16").word, ROUND: (parseRounding("rne") | (parseRounding("sr") << 4)),
    MAC: 0, SR_BITS: 0, SR_KEY: 77, X_FMT: parseFormat("e4m3").word, W_FMT: parseFormat("e4m3").word,
  };
  const offset = (name) => R.REGISTERS.find((r) => r.name === name).offset;
  const wasm = new AcceleratorModel({ ...config, engine: "wasm" }, () => memory);
  const program = (target) => { for (const [k, v] of Object.entries(regs)) target.write32(offset(k), v >>> 0); target.write32(offset("CTRL"), 1); };
  program(wasm); // first job instantiates the engine
  let t = process.hrtime.bigint();
  const runs = 200;
  for (let i = 0; i < runs; i++) program(wasm);
  const wasmSeconds = Number(process.hrtime.bigint() - t) / 1e9 / runs;
  wasm.write32(offset("CTRL"), 2); // CLEAR: the counters of one job
  program(wasm);
  const expected = new Uint32Array(memory, 32768, M * N).slice();
  const { binary } = verilate(config, id);
  const sim = new RtlSim(binary);
  sim.setMemorySize(bytes);
  new Uint32Array(memory, 32768, M * N).fill(0);
  sim.load(0, new Uint32Array(memory));
  t = process.hrtime.bigint();
  program(sim);
  const cycles = sim.run();
  const rtlSeconds = Number(process.hrtime.bigint() - t) / 1e9;
  const got = sim.dump(32768, M * N);
  sim.close();
  const equal = got.every((w, i) => w === expected[i]);
  const macs = M * N * K;
  results.simulation = { job: `${M}x${N}x${K} fp16 products, fp16 sr sums`, macs, rtlCycles: cycles, modelCycles: wasm.read32(R.ACCEL_CYCLES_LO_OFFSET), rtlMacPerS: macs / rtlSeconds, rtlCyclesPerS: cycles / rtlSeconds, wasmMacPerS: macs / wasmSeconds, equal };
  const r = results.simulation;
  console.log(`simulation of one ${r.job} GEMM (${macs} MACs), Z equal on both: ${equal}`);
  console.log(`  verilated RTL  ${fmt(r.rtlMacPerS / 1e6, 3)} M MAC/s (${fmt(r.rtlCyclesPerS / 1e3, 0)} k cycles/s; ${cycles} RTL cycles, the cycle model says ${r.modelCycles}: x${fmt(cycles / r.modelCycles)})`);
  console.log(`  wasm engine    ${fmt(r.wasmMacPerS / 1e6, 1)} M MAC/s: ${fmt(r.wasmMacPerS / r.rtlMacPerS, 0)} times the RTL's`);
}

// ---- the SR random sources, standalone; asic activity 0.5 (random inputs every cycle: every net toggles half the time).
for (const unit of ["sr-counter", "sr-xorshift", "sr-xorshift64"]) {
  const dir = join(work, unit);
  const src = unitSources(unit, config, dir);
  const ice40 = timed(`${unit} ice40`, () => synthIce40(join(dir, "ice40"), prepareWrapped(join(dir, "ice40"), src.files, src.top), src.includeDir));
  const asic = timed(`${unit} asic`, () => synthAsic(join(dir, "asic"), src.files, src.includeDir, src.top, { activity: 0.5, source: "random inputs each cycle: 0.5 on every net" }));
  results.sr[unit] = { ice40, asic };
}
{
  const c = results.sr["sr-counter"], x = results.sr["sr-xorshift"], x64 = results.sr["sr-xorshift64"];
  console.log("\nSR random sources (one draw per cycle; OSU 0.18 um at 1.8 V, activity 0.5; iCE40 UP5K)");
  console.log("  source                        area um2   Fmax MHz   pJ/draw   LUTs  DSPs  iCE40 Fmax");
  const line = (name, u, pj) => console.log(`  ${name.padEnd(28)} ${fmt(u.asic.areaUm2, 0).padStart(9)} ${fmt(u.asic.fmaxMHz, 0).padStart(10)} ${fmt(pj, 1).padStart(9)} ${String(u.ice40.luts).padStart(6)} ${String(u.ice40.dsps).padStart(5)} ${fmt(u.ice40.fmaxMHz, 1).padStart(10)}`);
  line("counter hash fmix32 (today)", c, c.asic.energyPerCyclePj);
  line("xorshift32 step (per lane)", x, x.asic.energyPerCyclePj);
  line("xorshift64 step (per lane)", x64, x64.asic.energyPerCyclePj);
  for (const k of [16, 64, 784]) {
    // Two draws per MAC; one seed per dot product of K MACs: one hash for a 32-bit state, two for 64 bits.
    const perDraw = x64.asic.energyPerCyclePj + (2 * c.asic.energyPerCyclePj) / (2 * k);
    console.log(`  seeded xorshift64, K = ${String(k).padEnd(4)} ${"".padStart(7)} ${"".padStart(10)} ${fmt(perDraw, 1).padStart(9)}   (${fmt(c.asic.energyPerCyclePj / perDraw, 1)}x less than the counter hash)`);
  }
}

// ---- one MAC lane per format configuration, formats and modes fixed, activity from a Verilator run.
const LANES = [
  { label: "e4m3 operands, fp16 products, fp16 sr sums", fixed: "fp16:rne,fp16:sr" },
  { label: "fp16 products, fp32 sums (rne)", fixed: "fp16:rne,fp32:rne" },
  { label: "bf16 products, fp32 sums (rne)", fixed: "bf16:rne,fp32:rne" },
  { label: "fp32 (rne)", fixed: "fp32:rne,fp32:rne" },
];
const fixedOf = (text) => {
  const [mul, acc] = text.split(",").map((p) => p.split(":"));
  return { mulWord: parseFormat(mul[0]).word, mulMode: parseRounding(mul[1]), accWord: parseFormat(acc[0]).word, accMode: parseRounding(acc[1]), fma: false };
};
const srArea = 2 * results.sr["sr-counter"].asic.areaUm2;
for (const lane of LANES) {
  const fixed = fixedOf(lane.fixed);
  const dir = join(work, `lane-${lane.fixed.replace(/[^\w]+/g, "_")}`);
  const src = unitSources("lane", config, dir, fixed);
  const activity = timed(`${lane.fixed} activity`, () => measureActivity(config, id, fixed));
  const asic = timed(`${lane.fixed} asic`, () => synthAsic(join(dir, "asic"), src.files, src.includeDir, src.top, activity));
  // One lane on the iCE40 is enough to say whether any array fits the UP5K.
  const ice40 = lane === LANES[0] ? timed(`${lane.fixed} ice40`, () => synthIce40(join(dir, "ice40"), prepareWrapped(join(dir, "ice40"), src.files, src.top), src.includeDir)) : null;
  results.lanes.push({ ...lane, activity, asic, ice40, srAreaShare: srArea / asic.areaUm2 });
  // The same result as `edgecl hw synth --unit lane --fixed ... --target asic --activity vcd` writes: a
  // board manifest's energy.synthesis can name it (docs/hardware.md).
  writeFileSync(join(dir, "synth.json"), JSON.stringify({ board: id, unit: "lane", top: src.top, fixed: lane.fixed, rows: 1, cols: 1, target: "asic", asic }, null, 2) + "\n");
}
console.log("\nOne MAC lane per configuration (f32 operands; OSU 0.18 um, 1.8 V, clock = Fmax, activity from a Verilator run)");
console.log("  configuration                                area mm2  Fmax MHz  pJ/MAC  activity  SR area  LUTs   DSPs  fits UP5K");
for (const l of results.lanes) {
  console.log(`  ${l.label.padEnd(44)} ${fmt(l.asic.areaUm2 / 1e6, 3).padStart(8)} ${fmt(l.asic.fmaxMHz, 1).padStart(9)} ${fmt(l.asic.energyPerCyclePj, 1).padStart(7)} ${fmt(l.activity.activity, 3).padStart(9)} ${(fmt(100 * l.srAreaShare, 0) + "%").padStart(8)} ${String(l.ice40?.luts ?? "-").padStart(6)} ${String(l.ice40?.dsps ?? "-").padStart(5)}  ${l.ice40 ? (l.ice40.fits ? "yes" : "no") : "-"}`);
}

// ---- the whole accelerator: a 1 x 1 array (the controller and register block plus one lane) and the
// board's own array, each with its lane and seed modules synthesized once and instanced (docs/hardware.md).
for (const [label, rows, cols] of [["accel1x1", 1, 1], ["accel", config.rows, config.cols]]) {
  const array = { ...config, rows, cols };
  const dir = join(work, `accel-${rows}x${cols}`);
  const src = unitSources("accel", array, dir);
  const ice40 = timed(`accel ${rows}x${cols} ice40`, () => synthIce40(join(dir, "ice40"), prepareWrapped(join(dir, "ice40"), src.files, src.top), src.includeDir, src.keep));
  const asic = timed(`accel ${rows}x${cols} asic`, () => synthAsic(join(dir, "asic"), src.files, src.includeDir, src.top, { activity: 0.1, source: "default 0.1" }, undefined, src.keep));
  results[label] = { rows, cols, ice40, asic };
  const fit = ice40.arrayThatFits;
  console.log(`\nWhole accelerator, ${rows} x ${cols} array, every format and mode of ${BOARD} at run time:`);
  console.log(`  iCE40 UP5K: ${ice40.luts} LUTs (of ${UP5K.luts}), ${ice40.dsps} DSPs (of ${UP5K.dsps}), ${ice40.flipFlops} flip-flops, BRAM ${ice40.brams}; fits: ${ice40.fits ? "yes, Fmax " + fmt(ice40.fmaxMHz, 1) + " MHz" : "no"}`);
  if (fit) console.log(`  the array size that fits: ${fit.lanes ? `${fit.rows} x ${fit.cols}` : "none"} (a lane ${fit.perLane.luts} LUTs, ${fit.perLane.dsps} DSPs; the rest ${fit.rest.luts} LUTs, ${fit.rest.dsps} DSPs)`);
  console.log(`  OSU 0.18 um: ${fmt(asic.areaUm2 / 1e6, 3)} mm2, critical path ${fmt(asic.criticalPathNs)} ns (${fmt(asic.fmaxMHz, 1)} MHz), ${fmt(asic.energyPerCyclePj, 0)} pJ per cycle at activity 0.1`);
  for (const m of asic.hierarchy ?? []) console.log(`    ${String(m.instances).padStart(3)} x ${m.module.padEnd(16)} ${fmt(m.areaUm2 / 1e6, 4)} mm2 each`);
}

mkdirSync("out", { recursive: true });
writeFileSync(join("out", "bench-hw.json"), JSON.stringify(results, null, 2) + "\n");
console.log("\nresults: out/bench-hw.json");
