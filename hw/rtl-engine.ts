// The accelerator model's "rtl" engine: each validated job runs on the verilated RTL of the board's own
// configuration, driven through its register interface like a driver would (clear, configure, start,
// wait, check), with X, W and Z copied into the harness's memory and Z copied back. The model keeps its
// registers, validation, counters, cycles and energy; the RTL computes Z and counts its own cycles.
import * as R from "../host/generated/regmap.js";
import type { AcceleratorConfig } from "../board/accel/model.js";
import { GemmEngine, GemmJob, WasmGemmEngine, registerEngine } from "../board/accel/engine.js";
import { RtlSim } from "./rtl-sim.js";
import { verilate } from "./verilate.js";

/** Jobs and RTL cycles of every rtl engine in this process (tests and benchmarks read them). */
export const rtlTotals = { jobs: 0, cycles: 0 };

const span = (rows: number, stride: number, row: number) => (rows - 1) * stride + row;

export class RtlGemmEngine implements GemmEngine {
  readonly name = "rtl";
  private readonly sim: RtlSim;
  private memoryBytes = -1;
  /** Jobs whose Z overlaps X or W: they run on the wasm engine, output by output (the array's order differs). */
  fallbacks = 0;
  private wasm: WasmGemmEngine | null = null;
  /** Cycles the RTL took for the jobs it ran, START to done. */
  rtlCycles = 0;
  jobs = 0;

  constructor(config: AcceleratorConfig) {
    const { binary } = verilate(config, "engine");
    this.sim = new RtlSim(binary);
    // A board process ends without telling its engines; the harness must not outlive it.
    process.once("exit", () => this.sim.close());
  }

  run(memory: ArrayBuffer, job: GemmJob & { xFormat?: { word: number }; wFormat?: { word: number } }): void {
    const { m, n, k, ldx, ldw, ldz, transX, transW } = job;
    const xWords = span(transX ? k : m, ldx, transX ? m : k);
    const wWords = span(transW ? n : k, ldw, transW ? k : n);
    const zWords = span(m, ldz, n);
    const overlaps = (start: number, words: number) => start < job.z + 4 * zWords && job.z < start + 4 * words;
    if (overlaps(job.x, xWords) || overlaps(job.w, wWords)) {
      this.fallbacks++;
      (this.wasm ??= new WasmGemmEngine()).run(memory, job);
      return;
    }
    const sim = this.sim;
    if (memory.byteLength !== this.memoryBytes) {
      sim.setMemorySize(memory.byteLength);
      this.memoryBytes = memory.byteLength;
    }
    sim.load(job.x, new Uint32Array(memory, job.x, xWords));
    sim.load(job.w, new Uint32Array(memory, job.w, wWords));
    sim.load(job.z, new Uint32Array(memory, job.z, zWords));
    const regs: [number, number][] = [
      [R.ACCEL_X_ADDR_OFFSET, job.x], [R.ACCEL_W_ADDR_OFFSET, job.w], [R.ACCEL_Z_ADDR_OFFSET, job.z],
      [R.ACCEL_M_OFFSET, m], [R.ACCEL_N_OFFSET, n], [R.ACCEL_K_OFFSET, k],
      [R.ACCEL_LDX_OFFSET, ldx], [R.ACCEL_LDW_OFFSET, ldw], [R.ACCEL_LDZ_OFFSET, ldz],
      [R.ACCEL_OP_OFFSET, (job.accumulate ? 1 << R.ACCEL_OP_ACCUMULATE_SHIFT : 0) | (transX ? 1 << R.ACCEL_OP_TRANS_X_SHIFT : 0) | (transW ? 1 << R.ACCEL_OP_TRANS_W_SHIFT : 0)],
      [R.ACCEL_MUL_FMT_OFFSET, job.mul.word], [R.ACCEL_ACC_FMT_OFFSET, job.acc.word],
      [R.ACCEL_ROUND_OFFSET, (job.mulMode << R.ACCEL_ROUND_MUL_SHIFT) | (job.accMode << R.ACCEL_ROUND_ACC_SHIFT)],
      [R.ACCEL_MAC_OFFSET, (job.fma ? 1 << R.ACCEL_MAC_FMA_SHIFT : 0) | (job.fast ? 1 << R.ACCEL_MAC_FAST_SHIFT : 0)],
      [R.ACCEL_SR_BITS_OFFSET, job.srBits], [R.ACCEL_SR_KEY_OFFSET, job.srKey],
      [R.ACCEL_X_FMT_OFFSET, job.xFormat?.word ?? R.ACCEL_FMT_FP32_WORD], [R.ACCEL_W_FMT_OFFSET, job.wFormat?.word ?? R.ACCEL_FMT_FP32_WORD],
    ];
    sim.write32(R.ACCEL_CTRL_OFFSET, 1 << R.ACCEL_CTRL_CLEAR_SHIFT);
    for (const [offset, value] of regs) sim.write32(offset, value);
    sim.write32(R.ACCEL_CTRL_OFFSET, 1 << R.ACCEL_CTRL_START_SHIFT);
    sim.run();
    const status = sim.read32(R.ACCEL_STATUS_OFFSET);
    const error = (status >>> R.ACCEL_STATUS_ERROR_SHIFT) & R.ACCEL_STATUS_ERROR_MASK;
    if (error !== 0) {
      throw new Error(`RTL refused a job the model accepted: error ${error} at register 0x${sim.read32(R.ACCEL_ERROR_INFO_OFFSET).toString(16)} (${JSON.stringify({ m, n, k, ldx, ldw, ldz })})`);
    }
    const cycles = sim.read32(R.ACCEL_CYCLES_LO_OFFSET) + 2 ** 32 * sim.read32(R.ACCEL_CYCLES_HI_OFFSET);
    this.rtlCycles += cycles;
    this.jobs++;
    rtlTotals.jobs++;
    rtlTotals.cycles += cycles;
    new Uint32Array(memory, job.z, zWords).set(sim.dump(job.z, zWords));
  }

  close(): void {
    this.sim.close();
  }
}

registerEngine("rtl", (config) => new RtlGemmEngine(config));
