// What a job costs on the modelled hardware: bytes moved by its dataflow, cycles, and energy by part.
//
// Dataflow: the rows x cols MAC array computes one tile of Z (up to rows x cols outputs) at a time,
// streaming K steps; each step reads one element of X per tile row and one of W per tile column and
// every MAC unit does one multiply-accumulate. So a job reads X once per column of tiles, W once per row
// of tiles, Z once when accumulating, and writes Z once. Each element costs the bytes the array moves for
// it: an operand packed in its storage width (OP.PACK_X, OP.PACK_W, OP.PACK_Z) 1, 2 or 4 bytes by X_FMT /
// W_FMT / ACC_FMT, an f32 container 4.
import { EnergyParams, addPj, multiplyPj, srPj, memoryPj } from "./energy.js";
import { FloatFormat } from "./format.js";

export interface ArrayShape {
  rows: number;
  cols: number;
  /** Operand bytes the memory port delivers per cycle. */
  bandwidthBytesPerCycle: number;
  /** Cycles to start a job (register decode, address generation, pipeline fill). */
  setupCycles: number;
  /**
   * "overlapped" (default): the dataflow above with the operand port overlapped with compute, setup +
   * max(compute, memory). "rtl": the cycles of the generated circuit (docs/hardware.md), which fetches
   * one word a cycle before each step; then setupCycles and the bandwidth do not enter.
   */
  cycleModel?: CycleModel;
}

export const CYCLE_MODELS = ["overlapped", "rtl"] as const;
export type CycleModel = (typeof CYCLE_MODELS)[number];

/**
 * Cycles of a job on the generated circuit (hw/rtl/edgecl_accel.sv): four 33-cycle products for the bounds
 * check and the output positions (ROWS·N) and one to decide; per tile 3 cycles of control, the Z load when
 * accumulating (one word per lane and one of latency), K steps of ROWS + COLS fetches, one of latency and
 * one MAC, the final rounding in fast mode, and the write-back of every lane.
 */
export function rtlCycles(shape: ArrayShape, job: { m: number; n: number; k: number; accumulate: boolean; fast: boolean }): number {
  const lanes = shape.rows * shape.cols;
  const tiles = Math.ceil(job.m / shape.rows) * Math.ceil(job.n / shape.cols);
  const perTile = 3 + (job.accumulate ? lanes + 1 : 0) + job.k * (shape.rows + shape.cols + 2) + (job.fast ? 1 : 0) + lanes;
  return 4 * 33 + 1 + tiles * perTile;
}

export interface CostJob {
  m: number;
  n: number;
  k: number;
  accumulate: boolean;
  mul: FloatFormat;
  mulMode: number;
  acc: FloatFormat;
  accMode: number;
  fma: boolean;
  fast: boolean;
  srBits: number;
  xFormat: FloatFormat;
  wFormat: FloatFormat;
  /** X (W, Z) holds codes of xFormat (wFormat, acc) in their storage width; false: f32 containers. */
  packX: boolean;
  packW: boolean;
  packZ: boolean;
}

export interface JobCost {
  macs: number;
  bytesRead: number;
  bytesWritten: number;
  computeCycles: number;
  memoryCycles: number;
  cycles: number;
  /** MACs over the array's capacity in those cycles (0..1). */
  utilisation: number;
  /** Stochastic roundings, each taking one draw. */
  srDraws: number;
  energyPj: { multiply: number; add: number; sr: number; memory: number; total: number };
}

const ROUND_SR = 6;
const FP32_P = 24;
const FP32_BITS = 32;
/** Bytes of an f32 container: an element of an operand that is not packed. */
export const CONTAINER_BYTES = 4;

/** Bytes one stored code of the format takes (docs/formats.md, Storage). */
export function storageBytes(f: FloatFormat): number {
  return f.bits <= 8 ? 1 : f.bits <= 16 ? 2 : 4;
}

/** Bytes the array reads for one element of an operand: its storage width when packed, else a container's. */
export function elementBytes(format: FloatFormat, packed: boolean): number {
  return packed ? storageBytes(format) : CONTAINER_BYTES;
}

export function jobCost(shape: ArrayShape, energy: EnergyParams, job: CostJob): JobCost {
  const { m, n, k } = job;
  const macs = m * n * k;
  const tileRows = Math.ceil(m / shape.rows);
  const tileCols = Math.ceil(n / shape.cols);
  const zBytes = elementBytes(job.acc, job.packZ);
  const bytesRead = m * k * tileCols * elementBytes(job.xFormat, job.packX) + k * n * tileRows * elementBytes(job.wFormat, job.packW) + (job.accumulate ? m * n * zBytes : 0);
  const bytesWritten = m * n * zBytes;
  const computeCycles = tileRows * tileCols * k;
  const memoryCycles = Math.ceil((bytesRead + bytesWritten) / shape.bandwidthBytesPerCycle);
  const cycles = shape.cycleModel === "rtl" ? rtlCycles(shape, job) : shape.setupCycles + Math.max(computeCycles, memoryCycles);

  // Which units each MAC uses, by mode: a multiplier of the product's width and an adder of the sum's.
  let multiply: number, add: number, srDraws: number;
  if (job.fast) {
    multiply = macs * multiplyPj(energy, FP32_P);
    add = macs * addPj(energy, FP32_BITS);
    srDraws = job.accMode === ROUND_SR ? m * n : 0;
  } else if (job.fma) {
    multiply = macs * multiplyPj(energy, job.acc.m + 1);
    add = macs * addPj(energy, job.acc.bits);
    srDraws = job.accMode === ROUND_SR ? macs : 0;
  } else {
    multiply = macs * multiplyPj(energy, job.mul.m + 1);
    add = macs * addPj(energy, job.acc.bits);
    srDraws = (job.accMode === ROUND_SR ? macs : 0) + (job.mulMode === ROUND_SR ? macs : 0);
  }
  if (energy.circuit) {
    // A synthesized lane: its per-MAC energy holds the multiplier, the adder, both roundings and the SR draws.
    multiply = macs * energy.circuit.macPj;
    add = 0;
  }
  const sr = energy.circuit ? 0 : srDraws * srPj(energy, job.srBits);
  const memory = memoryPj(energy, bytesRead) + memoryPj(energy, bytesWritten);
  return {
    macs,
    bytesRead,
    bytesWritten,
    computeCycles,
    memoryCycles,
    cycles,
    utilisation: macs / (shape.rows * shape.cols * cycles),
    srDraws,
    energyPj: { multiply, add, sr, memory, total: multiply + add + sr + memory },
  };
}
