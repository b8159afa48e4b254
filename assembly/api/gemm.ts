// Exports of the GEMM (assembly/arith/mac.ts) for the host: tests, benchmarks and the accelerator's
// golden-model checks. Pointers are byte offsets in linear memory; formats are fmt_new pointers (0 = null:
// fp32 with rne); booleans are i32 (0 = false). Every entry checks its arguments once and returns a
// negative status on bad input instead of trapping.
import { Format, firstLaneDrawsOf } from "../arith";
import {
  MacSpec, macSpecNew, macSpecCheck, gemm as gemmRun, gemmCheck, gemmF32Plain, macStep, GEMM_OK,
} from "../arith/mac";

/** Status of mac_spec_check / gemm: 0 ok, else minus the GEMM_* reason of arith/mac.ts. */
function status(reason: i32): i32 {
  return reason == GEMM_OK ? 0 : -reason;
}

function fill(spec: MacSpec, mulFmt: usize, mulMode: i32, accFmt: usize, accMode: i32, fma: i32, fast: i32, srBits: i32, srKey: u32): void {
  spec.mul = changetype<Format | null>(mulFmt);
  spec.mulMode = mulMode;
  spec.acc = changetype<Format | null>(accFmt);
  spec.accMode = accMode;
  spec.fma = fma != 0;
  spec.fast = fast != 0;
  spec.srBits = srBits;
  spec.srKey = srKey;
}

const probe = macSpecNew();

/** Why mac_spec_new would refuse these arguments: 0, or -1 format, -2 rounding, -3 srBits. */
export function mac_spec_check(mulFmt: usize, mulMode: i32, accFmt: usize, accMode: i32, fma: i32, fast: i32, srBits: i32, srKey: u32): i32 {
  fill(probe, mulFmt, mulMode, accFmt, accMode, fma, fast, srBits, srKey);
  return status(macSpecCheck(probe));
}

/** A MAC spec (docs/gemm.md), or 0 when mac_spec_check refuses the arguments. */
export function mac_spec_new(mulFmt: usize, mulMode: i32, accFmt: usize, accMode: i32, fma: i32, fast: i32, srBits: i32, srKey: u32): usize {
  if (mac_spec_check(mulFmt, mulMode, accFmt, accMode, fma, fast, srBits, srKey) != 0) return 0;
  const spec = macSpecNew();
  fill(spec, mulFmt, mulMode, accFmt, accMode, fma, fast, srBits, srKey);
  return changetype<usize>(spec);
}

/**
 * Z (= or +=) X * W under the spec (assembly/arith/mac.ts gemm). Returns 0, or -1 format, -2 rounding,
 * -3 srBits, -4 shape (a negative size), -5 stride (a row stride shorter than its row), -6 too large
 * (m * n * k > 2^31 - 1 with stochastic rounding), -7 no spec.
 */
export function gemm(m: i32, n: i32, k: i32, x: usize, ldx: i32, transX: i32, w: usize, ldw: i32, transW: i32,
                     z: usize, ldz: i32, accumulate: i32, spec: usize): i32 {
  if (spec == 0) return -7;
  const s = changetype<MacSpec>(spec);
  const reason = gemmCheck(m, n, k, ldx, transX != 0, ldw, transW != 0, ldz, s);
  if (reason != GEMM_OK) return status(reason);
  gemmRun(m, n, k, x, ldx, transX != 0, w, ldw, transW != 0, z, ldz, accumulate != 0, s);
  return 0;
}

/** One exact-mode MAC step s' = round_acc(s + round_mul(x * w)) (or fused) with explicit random words, for tests of the sr rule. */
export function mac_step(spec: usize, s: f32, x: f32, w: f32, mulDraw: u32, accDraw: u32): f32 {
  return macStep(changetype<MacSpec>(spec), s, x, w, mulDraw, accDraw);
}

/**
 * The first draws of the lane streams of outputs first .. first+n-1 under key (u32 at dst): what fast mode
 * rounds each output with, for tests of the stream. Returns -4 (STATUS_BAD_LENGTH) when n < 0.
 */
export function gemm_first_lane_draws(key: u32, first: u32, dst: usize, n: i32): i32 {
  if (n < 0) return -4;
  firstLaneDrawsOf(key, first, dst, n);
  return 0;
}

/** The benchmarks' baseline: a plain f32 loop, Z = X * W, all row-major and dense. */
export function gemm_f32_plain(m: i32, n: i32, k: i32, x: usize, w: usize, z: usize): void {
  gemmF32Plain(m, n, k, x, w, z);
}
