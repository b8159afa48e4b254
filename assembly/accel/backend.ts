// One GEMM entry for the layers: the accelerator when the board has one and it supports the job, the CPU
// kernel (arith/mac.ts) otherwise. Both give the same bits (docs/accelerator.md), so the choice changes
// only time and energy; which path ran, and why, is counted for the telemetry.
import {
  ACCEL_CAPS_FORMATS_OFFSET, ACCEL_CAPS_FORMATS_PRODUCT_SHIFT, ACCEL_CAPS_FORMATS_PRODUCT_MASK,
  ACCEL_CAPS_FORMATS_ACCUMULATOR_SHIFT, ACCEL_CAPS_FORMATS_ACCUMULATOR_MASK, ACCEL_CAPS_MODES_OFFSET,
  ACCEL_CAPS_MODES_ROUNDING_SHIFT, ACCEL_CAPS_MODES_ROUNDING_MASK, ACCEL_CAPS_MODES_FMA_SHIFT,
  ACCEL_CAPS_MODES_FAST_SHIFT, ACCEL_FORMAT_WORDS, ACCEL_CAPS_ARRAY_OFFSET, ACCEL_CAPS_ARRAY_ROWS_SHIFT,
  ACCEL_CAPS_ARRAY_ROWS_MASK, ACCEL_CAPS_ARRAY_COLS_SHIFT, ACCEL_CAPS_ARRAY_COLS_MASK,
} from "../generated/regmap";
import { WORD_SATURATE_SHIFT, WORD_NO_SUBNORMALS_SHIFT } from "../generated/formats";
import { MacSpec, gemm, macSpecUsesSr } from "../arith/mac";
import {
  accelPresent, accelRead, accelGemm, ACCEL_OK, ACCEL_TIMEOUT, specMulWord, specMulMode, specAccWord, specAccMode,
} from "./driver";

/** Which path ran a GEMM, and why (indexes of the path counters). */
export const PATH_ACCELERATOR: i32 = 0;
/** No accelerator on this board. */
export const PATH_CPU_NO_ACCELERATOR: i32 = 1;
/** The product or accumulator format is not among CAPS_FORMATS. */
export const PATH_CPU_FORMAT: i32 = 2;
/** A rounding mode is not among CAPS_MODES.ROUNDING. */
export const PATH_CPU_ROUNDING: i32 = 3;
/** fma or fast is asked for and the accelerator lacks it. */
export const PATH_CPU_MODE: i32 = 4;
/** M, N or K is 0: nothing for the array to do (the CPU path writes the zeros or leaves Z). */
export const PATH_CPU_EMPTY: i32 = 5;
/** The accelerator refused the job (its error code is in backendLastError) or timed out. */
export const PATH_CPU_REFUSED: i32 = 6;
export const PATH_COUNT: i32 = 7;

/** The CPU kernel a job on the CPU path runs (arith/mac.ts gemm): its cost per MAC differs (docs/energy.md). */
export const KERNEL_EXACT: i32 = 0;
/** Per-MAC rounding with at least one stochastic rounding per MAC. */
export const KERNEL_EXACT_SR: i32 = 1;
/** f32 accumulation, one rounding of each result. */
export const KERNEL_FAST: i32 = 2;
export const KERNEL_COUNT: i32 = 3;

const jobsByPath = new StaticArray<f64>(PATH_COUNT);
const macsByPath = new StaticArray<f64>(PATH_COUNT);
// Globals, not an array: the counters take no linear memory, so memory figures stay as they were.
let cpuMacsExact: f64 = 0;
let cpuMacsExactSr: f64 = 0;
let cpuMacsFast: f64 = 0;
let lastError: i32 = 0;

/** Jobs and MACs that took each path since the last reset. */
export function backendJobs(path: i32): f64 {
  return path >= 0 && path < PATH_COUNT ? unchecked(jobsByPath[path]) : 0;
}
export function backendMacs(path: i32): f64 {
  return path >= 0 && path < PATH_COUNT ? unchecked(macsByPath[path]) : 0;
}
/** MACs the CPU path ran in each KERNEL_* since the last reset: boards charge the CPU's energy by them. */
export function backendCpuMacs(kernel: i32): f64 {
  return kernel == KERNEL_EXACT ? cpuMacsExact : kernel == KERNEL_EXACT_SR ? cpuMacsExactSr : kernel == KERNEL_FAST ? cpuMacsFast : 0;
}
/** The accelerator's last refusal (its error code, or ACCEL_TIMEOUT); 0 when none since the reset. */
export function backendLastError(): i32 {
  return lastError;
}
export function backendReset(): void {
  for (let i = 0; i < PATH_COUNT; i++) {
    unchecked(jobsByPath[i] = 0);
    unchecked(macsByPath[i] = 0);
  }
  cpuMacsExact = cpuMacsExactSr = cpuMacsFast = 0;
  lastError = 0;
}

/** MAC units of the accelerator's array (rows x columns from CAPS_ARRAY), 0 without one: for its utilisation. */
export function backendMacUnits(): u32 {
  if (!accelPresent()) return 0;
  const array = accelRead(ACCEL_CAPS_ARRAY_OFFSET);
  return ((array >>> ACCEL_CAPS_ARRAY_ROWS_SHIFT) & ACCEL_CAPS_ARRAY_ROWS_MASK) * ((array >>> ACCEL_CAPS_ARRAY_COLS_SHIFT) & ACCEL_CAPS_ARRAY_COLS_MASK);
}

/** The options a format word may carry that every accelerator format accepts (saturate, no subnormals). */
const OPTION_BITS: u32 = (<u32>1 << <u32>WORD_SATURATE_SHIFT) | (<u32>1 << <u32>WORD_NO_SUBNORMALS_SHIFT);

/** True when `word` matches a format whose bit is set in `mask`. */
function formatSupported(word: u32, mask: u32): bool {
  for (let bit = 0; bit < ACCEL_FORMAT_WORDS.length; bit++) {
    if (((mask >>> <u32>bit) & 1) != 0 && ((unchecked(ACCEL_FORMAT_WORDS[bit]) ^ word) & ~OPTION_BITS) == 0) return true;
  }
  return false;
}

/** Why the CPU must run this job, or PATH_ACCELERATOR when the accelerator can. */
function choosePath(m: i32, n: i32, k: i32, spec: MacSpec): i32 {
  if (!accelPresent()) return PATH_CPU_NO_ACCELERATOR;
  if (m <= 0 || n <= 0 || k <= 0) return PATH_CPU_EMPTY;
  const modes = accelRead(ACCEL_CAPS_MODES_OFFSET);
  if (spec.fast && ((modes >>> ACCEL_CAPS_MODES_FAST_SHIFT) & 1) == 0) return PATH_CPU_MODE;
  if (!spec.fast && spec.fma && ((modes >>> ACCEL_CAPS_MODES_FMA_SHIFT) & 1) == 0) return PATH_CPU_MODE;
  // Products are rounded only in exact, unfused mode: only then must the accelerator support MUL_FMT.
  const usesMul = !spec.fast && !spec.fma;
  const formats = accelRead(ACCEL_CAPS_FORMATS_OFFSET);
  const products = (formats >>> ACCEL_CAPS_FORMATS_PRODUCT_SHIFT) & ACCEL_CAPS_FORMATS_PRODUCT_MASK;
  const sums = (formats >>> ACCEL_CAPS_FORMATS_ACCUMULATOR_SHIFT) & ACCEL_CAPS_FORMATS_ACCUMULATOR_MASK;
  if (!formatSupported(specAccWord(spec), sums)) return PATH_CPU_FORMAT;
  if (usesMul && !formatSupported(specMulWord(spec), products)) return PATH_CPU_FORMAT;
  const roundings = (modes >>> ACCEL_CAPS_MODES_ROUNDING_SHIFT) & ACCEL_CAPS_MODES_ROUNDING_MASK;
  if (((roundings >>> specAccMode(spec)) & 1) == 0) return PATH_CPU_ROUNDING;
  if (usesMul && ((roundings >>> specMulMode(spec)) & 1) == 0) return PATH_CPU_ROUNDING;
  return PATH_ACCELERATOR;
}

/**
 * Z (= or +=) X·W with the arguments of arith/mac.ts gemm (which must pass gemmCheck), on whichever
 * path can run it. Returns the path taken (PATH_*).
 */
export function gemmOnBackend(m: i32, n: i32, k: i32, x: usize, ldx: i32, transX: bool, w: usize, ldw: i32, transW: bool,
                              z: usize, ldz: i32, accumulate: bool, spec: MacSpec): i32 {
  let path = choosePath(m, n, k, spec);
  if (path == PATH_ACCELERATOR) {
    const status = accelGemm(m, n, k, x, ldx, transX, w, ldw, transW, z, ldz, accumulate, spec);
    if (status != ACCEL_OK) {
      // A refused job wrote nothing, and a timed-out one was cleared: the CPU path starts from the same Z.
      lastError = status == ACCEL_TIMEOUT ? ACCEL_TIMEOUT : status;
      path = PATH_CPU_REFUSED;
    }
  }
  const macs = <f64>m * <f64>n * <f64>k;
  if (path != PATH_ACCELERATOR) {
    gemm(m, n, k, x, ldx, transX, w, ldw, transW, z, ldz, accumulate, spec);
    if (spec.fast) cpuMacsFast += macs;
    else if (macSpecUsesSr(spec)) cpuMacsExactSr += macs;
    else cpuMacsExact += macs;
  }
  unchecked(jobsByPath[path] += 1);
  unchecked(macsByPath[path] += macs);
  return path;
}
