// The generated RTL against the device's own arithmetic: the verilated accelerator of board/sim-rtl.json
// (every format, rounding mode and MAC mode) runs seeded random jobs through its register interface, and
// every word of memory and every register must equal what the accelerator model leaves with its wasm
// engine, the device module's `gemm` (docs/gemm.md), bit for bit. Register behaviour (reset values, every
// error code with its ERROR_INFO, BUSY, CLEAR, counters) against the model; the RTL's cycles against its
// dataflow and the model's cycle model; a whole continual-learning run on the RTL board equal to `sim`.
// The verilated model is built once (build/hw/, keyed by the hash of its sources).
import { beforeAll, describe, expect, it } from "vitest";
import * as R from "../../host/generated/regmap";
import { AcceleratorConfig, AcceleratorModel, acceleratorConfigFrom } from "../../board/accel/model";
import { rtlCycles } from "../../board/accel/cost";
import { boardAccelerator } from "../../hw/generate";
import { verilate } from "../../hw/verilate";
import { RtlSim } from "../../hw/rtl-sim";
import { rtlTotals } from "../../hw/rtl-engine";
import { Job, MODES, randomJob, rng } from "../helpers/accel-jobs";
import { parseFormat } from "../../host/formats/parse";
import type { ClRunOptions } from "../../host/cl/run";
import { defaultOptimizer } from "../../host/train/config";
import { learning, runOn } from "../helpers/cl-run";

const BUILD_TIMEOUT = 600_000;
const MEMORY_BYTES = 1 << 16;
const NO_EXACT_COMPARE = new Set([R.ACCEL_CYCLES_LO_OFFSET, R.ACCEL_CYCLES_HI_OFFSET, R.ACCEL_ENERGY_FJ_LO_OFFSET, R.ACCEL_ENERGY_FJ_HI_OFFSET]);
const READABLE = R.REGISTERS.filter((r) => r.access !== "wo");
const hex = (v: number) => `0x${(v >>> 0).toString(16)}`;

let config: AcceleratorConfig;
let binary: string;

beforeAll(() => {
  const board = boardAccelerator("sim-rtl");
  config = board.config;
  binary = verilate(config, board.id).binary;
}, BUILD_TIMEOUT);

/**
 * The model as the tests compare it: the device's gemm as engine, DONE at once, and the cycle model every
 * other board uses (overlapped), so the test can say how far that model is from the circuit.
 */
function model(memory: ArrayBuffer, busyPolls = 0): AcceleratorModel {
  return new AcceleratorModel({ ...config, engine: "wasm", busyPolls, cycleModel: "overlapped" }, () => memory);
}

function program(target: { write32(o: number, v: number): void }, regs: Record<string, number>): void {
  for (const [name, value] of Object.entries(regs)) target.write32(R.REGISTERS.find((r) => r.name === name)!.offset, value >>> 0);
}

describe("the RTL against the device's gemm", () => {
  it("equals the model with the wasm engine on every word and register, over 300 random jobs", () => {
    const sim = new RtlSim(binary);
    const r = rng(0x0a7c_11e5);
    const space = { productFormats: config.productFormats, accumulatorFormats: config.accumulatorFormats, modes: MODES, memoryBytes: MEMORY_BYTES, inPlace: 0 };
    sim.setMemorySize(MEMORY_BYTES);
    const memory = new ArrayBuffer(MEMORY_BYTES);
    const reference = model(memory);
    const seen = new Set<string>();
    let ran = 0, modelCycles = 0, hardwareCycles = 0;
    try {
      for (let index = 0; index < 300; index++) {
        let job: Job;
        do job = randomJob(r, space); while (job.regs.M * job.regs.N * job.regs.K > 6000);
        new Uint32Array(memory).set(job.image);
        sim.load(0, job.image);
        const clear = 1 << R.ACCEL_CTRL_CLEAR_SHIFT, start = 1 << R.ACCEL_CTRL_START_SHIFT;
        for (const target of [reference, sim]) {
          target.write32(R.ACCEL_CTRL_OFFSET, clear);
          program(target, job.regs);
          target.write32(R.ACCEL_CTRL_OFFSET, start);
        }
        sim.run(10_000_000);
        const where = `job ${index} ${JSON.stringify(job.regs)}`;
        for (const reg of READABLE) {
          if (NO_EXACT_COMPARE.has(reg.offset)) continue;
          expect(hex(sim.read32(reg.offset)), `${reg.name}, ${where}`).toBe(hex(reference.read32(reg.offset)));
        }
        const got = sim.dump(0, MEMORY_BYTES / 4);
        const want = new Uint32Array(memory);
        const first = want.findIndex((w, i) => w !== got[i]);
        expect(first === -1 ? "equal" : `word ${first}: rtl ${hex(got[first])}, wasm gemm ${hex(want[first])}`, where).toBe("equal");
        if (reference.read32(R.ACCEL_STATUS_OFFSET) === 1 << R.ACCEL_STATUS_DONE_SHIFT) {
          ran++;
          const cycles = sim.read32(R.ACCEL_CYCLES_LO_OFFSET);
          // The circuit counts its own cycles; the model's "rtl" cycle model must predict them exactly.
          const r = job.regs;
          expect(cycles, where).toBe(rtlCycles(config, { m: r.M, n: r.N, k: r.K, accumulate: (r.OP & 1) === 1, fast: (r.MAC & 2) === 2 }));
          hardwareCycles += cycles;
          modelCycles += reference.read32(R.ACCEL_CYCLES_LO_OFFSET);
          const mac = job.regs.MAC === 1 ? "fma" : job.regs.MAC === 2 ? "fast" : "exact";
          seen.add(`${mac} ${(job.regs.ROUND >>> 4) & 15}`);
        }
      }
    } finally {
      sim.close();
    }
    expect(ran).toBeGreaterThan(250);
    // Every MAC mode met every rounding mode of the sum.
    expect(seen.size).toBe(3 * MODES.length);
    console.log(`RTL cycles / overlapped cycle model over ${ran} jobs: ${(hardwareCycles / modelCycles).toFixed(2)}`);
  }, 300_000);
});

describe("the RTL's registers against the model", () => {
  const word = (name: string) => parseFormat(name).word;
  /** A valid job the error cases below spoil one register at a time. */
  const good: Record<string, number> = {
    X_ADDR: 0, W_ADDR: 256, Z_ADDR: 512, M: 3, N: 5, K: 4, LDX: 4, LDW: 5, LDZ: 5, OP: 1,
    MUL_FMT: word("e4m3"), ACC_FMT: word("fp16"), ROUND: 0x66, MAC: 0, SR_BITS: 7, SR_KEY: 99, X_FMT: word("e4m3"), W_FMT: word("fp16"),
  };
  const cases: Array<[string, Record<string, number>]> = [
    ["reserved OP bit", { OP: 8 }],
    ["FMA and FAST together", { MAC: 3 }],
    ["M = 0", { M: 0 }], ["N = 0", { N: 0 }], ["K = 0", { K: 0 }],
    ["MUL_FMT outside the table (e3m2)", { MUL_FMT: word("e3m2") }],
    ["ACC_FMT e4m3 (not an accumulator format)", { ACC_FMT: word("e4m3") }],
    ["X_FMT not a float word", { X_FMT: 0xffffffff }],
    ["W_FMT with e = 9", { W_FMT: 0x00030900 }],
    ["rounding code 7", { ROUND: 0x67 }],
    ["ROUND reserved bits", { ROUND: 0x166 }],
    ["SR_BITS = 33", { SR_BITS: 33 }],
    ["LDX < K", { LDX: 3 }], ["LDW < N", { LDW: 4 }], ["LDZ < N", { LDZ: 4 }],
    ["X_ADDR misaligned", { X_ADDR: 2 }], ["Z_ADDR misaligned", { Z_ADDR: 513 }],
    ["X past the memory", { X_ADDR: MEMORY_BYTES - 8 }], ["W past the memory", { W_ADDR: MEMORY_BYTES - 4 }], ["Z past the memory", { Z_ADDR: MEMORY_BYTES - 16 }],
    ["fused: MUL_FMT unused", { MAC: 1, MUL_FMT: 0xffffffff, ROUND: 0x6f }],
  ];

  it("reset values, every error code with its ERROR_INFO, and counters that add up across jobs until CLEAR", () => {
    const sim = new RtlSim(binary);
    const memory = new ArrayBuffer(MEMORY_BYTES);
    const reference = model(memory);
    sim.setMemorySize(MEMORY_BYTES);
    const compare = (where: string) => {
      for (const reg of READABLE) {
        if (NO_EXACT_COMPARE.has(reg.offset)) continue;
        expect(hex(sim.read32(reg.offset)), `${reg.name} ${where}`).toBe(hex(reference.read32(reg.offset)));
      }
    };
    try {
      compare("after reset");
      const codes = new Set<number>();
      for (const [name, change] of cases) {
        for (const target of [reference, sim]) {
          program(target, { ...good, ...change });
          target.write32(R.ACCEL_CTRL_OFFSET, 1 << R.ACCEL_CTRL_START_SHIFT);
        }
        sim.run(1_000_000);
        compare(`after "${name}"`);
        codes.add((reference.read32(R.ACCEL_STATUS_OFFSET) >>> R.ACCEL_STATUS_ERROR_SHIFT) & 0xff);
      }
      // Every code but BUSY (below) and NONE came up; counters hold only the jobs that ran.
      expect([...codes].sort((a, b) => a - b)).toEqual(R.ACCEL_ERRORS.map((e) => e.code).filter((c) => c !== R.ACCEL_ERR_BUSY));
      expect(sim.read32(R.ACCEL_JOBS_OFFSET)).toBe(1); // the fused job with an unused, invalid MUL_FMT
      for (const target of [reference, sim]) target.write32(R.ACCEL_CTRL_OFFSET, 1 << R.ACCEL_CTRL_CLEAR_SHIFT);
      compare("after CLEAR");
      expect(sim.read32(R.ACCEL_JOBS_OFFSET)).toBe(0);
    } finally {
      sim.close();
    }
  }, 120_000);

  it("a write or START while BUSY is refused with BUSY and the register's offset; the job completes", () => {
    const sim = new RtlSim(binary);
    const memory = new ArrayBuffer(MEMORY_BYTES);
    const reference = model(memory, 3);
    sim.setMemorySize(MEMORY_BYTES);
    try {
      for (const target of [reference, sim]) {
        program(target, good);
        target.write32(R.ACCEL_CTRL_OFFSET, 1 << R.ACCEL_CTRL_START_SHIFT);
        target.write32(R.ACCEL_M_OFFSET, 7);
      }
      const busy = (1 << R.ACCEL_STATUS_BUSY_SHIFT) | (R.ACCEL_ERR_BUSY << R.ACCEL_STATUS_ERROR_SHIFT);
      expect(hex(sim.read32(R.ACCEL_STATUS_OFFSET))).toBe(hex(busy));
      expect(hex(reference.read32(R.ACCEL_STATUS_OFFSET))).toBe(hex(busy));
      for (const target of [reference, sim]) target.write32(R.ACCEL_CTRL_OFFSET, 1 << R.ACCEL_CTRL_START_SHIFT);
      expect(sim.read32(R.ACCEL_ERROR_INFO_OFFSET)).toBe(R.ACCEL_CTRL_OFFSET);
      sim.run(1_000_000);
      while (reference.read32(R.ACCEL_STATUS_OFFSET) & 1);
      for (const offset of [R.ACCEL_STATUS_OFFSET, R.ACCEL_ERROR_INFO_OFFSET, R.ACCEL_M_OFFSET, R.ACCEL_JOBS_OFFSET, R.ACCEL_MACS_LO_OFFSET]) {
        expect(hex(sim.read32(offset)), hex(offset)).toBe(hex(reference.read32(offset)));
      }
      expect(sim.read32(R.ACCEL_M_OFFSET)).toBe(good.M);
    } finally {
      sim.close();
    }
  }, 120_000);
});

describe("the cycle model of the circuit", () => {
  it("a manifest selects it by name; another name is refused, naming the key and the allowed names", () => {
    const board = boardAccelerator("sim-rtl");
    expect(board.config.cycleModel).toBe("rtl");
    expect(() => acceleratorConfigFrom({ present: true, cycleModel: "exact" }, undefined, "board/x.json"))
      .toThrow('board/x.json: accelerator.cycleModel: expected one of "overlapped", "rtl", received "exact"');
  });
});

describe("a continual-learning run with the RTL as the accelerator", () => {
  // Small enough for the verilated array (a few hundred thousand MACs per second): split-mnist in the
  // task scenario, 2 experiences, an MLP 784-4-2x2, fp8-mixed (products rounded to fp16, sums
  // stochastically rounded to fp16).
  const options: ClRunOptions = {
    benchmark: "split-mnist", scenario: "task", strategy: "naive", precision: "fp8-mixed", seed: 7, model: "mlp:4",
    iterations: 2, batch: 8, optimizer: defaultOptimizer("adam"), experiences: 2, trainSamples: 16, testSamples: 8,
  };

  it("gives the accuracy matrix, losses and learner checkpoint of sim, with every GEMM job on the RTL", async () => {
    const before = rtlTotals.jobs;
    const [rtl, sim] = [await runOn("sim-rtl", options), await runOn("sim", options)];
    expect(rtl.report.status.complete).toBe(true);
    expect(learning(rtl.report)).toEqual(learning(sim.report));
    expect(rtl.checkpointCrc).toBe(sim.checkpointCrc);
    expect(rtl.report.accelerator!.jobs).toBeGreaterThan(20);
    expect(rtl.report.accelerator!.cpuFallbacks).toBe(0);
    // The report names where its energy figures came from: this board keeps Horowitz's table.
    expect(rtl.report.energy!.source).toMatch(/^Horowitz, ISSCC 2014/);
    // Every job of the report's phases (and those of the untrained evaluation, which no phase counts)
    // ran on the verilated circuit.
    expect(rtlTotals.jobs - before).toBeGreaterThanOrEqual(rtl.report.accelerator!.jobs);
  }, 300_000);
});
