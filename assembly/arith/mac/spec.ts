// What a GEMM is asked to do: the MAC spec (how products and sums are rounded, docs/gemm.md) and the
// checks the public entry points run once, so the kernels can trust their arguments.
import {
  ROUND_RNE, ROUND_SR, KIND_FLOAT, SPECIALS_IEEE, WORD_KIND_SHIFT, WORD_SPECIALS_SHIFT, WORD_E_SHIFT, WORD_M_SHIFT,
} from "../../generated/formats";
import { Format, makeFormat } from "../format";

/** How the products and sums of a GEMM are rounded (docs/gemm.md). */
@final @unmanaged
export class MacSpec {
  /** Products are rounded to this format; null means fp32 with rne. */
  mul: Format | null = null;
  mulMode: i32 = ROUND_RNE;
  /** The running sum is rounded to this format after every add; null means fp32 with rne. */
  acc: Format | null = null;
  accMode: i32 = ROUND_RNE;
  /** One rounding per step: acc = round_acc(acc + x*w) with the product exact. */
  fma: bool = false;
  /** f32 accumulation, then one rounding of each result to acc. */
  fast: bool = false;
  /** Random bits per stochastic rounding, 1..32. */
  srBits: i32 = 32;
  /** Key of this job's random stream (prng.ts drawAt). */
  srKey: u32 = 0;
}

/** A spec with the defaults above (the constructor runs the field initializers, unmanaged or not). */
export function macSpecNew(): MacSpec {
  return new MacSpec();
}

/** The format word of IEEE binary32 (what a null mul or acc means). */
export const FP32_WORD: u32 = (<u32>KIND_FLOAT << WORD_KIND_SHIFT) | (<u32>SPECIALS_IEEE << WORD_SPECIALS_SHIFT) |
  (<u32>8 << WORD_E_SHIFT) | (<u32>23 << WORD_M_SHIFT);
const fp32Format: Format = makeFormat(FP32_WORD)!;

/** The product format of a spec, fp32 for null. */
// @ts-ignore: decorator
@inline export function mulFormat(spec: MacSpec): Format {
  return spec.mul == null ? fp32Format : spec.mul!;
}
/** The product rounding of a spec, rne for a null format. */
// @ts-ignore: decorator
@inline export function mulRounding(spec: MacSpec): i32 {
  return spec.mul == null ? ROUND_RNE : spec.mulMode;
}
/** The sum format of a spec, fp32 for null. */
// @ts-ignore: decorator
@inline export function accFormat(spec: MacSpec): Format {
  return spec.acc == null ? fp32Format : spec.acc!;
}
/** The sum rounding of a spec, rne for a null format. */
// @ts-ignore: decorator
@inline export function accRounding(spec: MacSpec): i32 {
  return spec.acc == null ? ROUND_RNE : spec.accMode;
}

/** True when rounding to `f` with `mode` leaves every non-NaN f32 value as it is (fp32 itself, rne). */
export function isIdentityOnF32(f: Format, mode: i32): bool {
  return f.word == FP32_WORD && mode == ROUND_RNE;
}

/**
 * Most outputs m * n of a job that uses stochastic rounding: each output's stream is seeded from its
 * position i*n + j as a u32 (prng.ts laneSeed), so past 2^32 outputs two would share one. K is free: a
 * lane's xorshift64 walks 2^64 - 1 states.
 */
export const MAC_SR_MAX_OUTPUTS: i64 = 0x1_0000_0000; // 2^32

/** Why a spec or a job was refused (0 = valid). */
export const GEMM_OK: i32 = 0;
export const GEMM_BAD_FORMAT: i32 = 1;
export const GEMM_BAD_ROUNDING: i32 = 2;
export const GEMM_BAD_SR_BITS: i32 = 3;
export const GEMM_BAD_SHAPE: i32 = 4;
export const GEMM_BAD_STRIDE: i32 = 5;
export const GEMM_TOO_LARGE: i32 = 6;

/** True when the spec draws random bits. */
export function macSpecUsesSr(spec: MacSpec): bool {
  if (spec.fast) return spec.acc != null && spec.accMode == ROUND_SR;
  return (spec.acc != null && spec.accMode == ROUND_SR) || (!spec.fma && spec.mul != null && spec.mulMode == ROUND_SR);
}

/** Checks a spec: formats are float or fixed (not block formats), modes and srBits in range. */
export function macSpecCheck(spec: MacSpec): i32 {
  const mul = spec.mul, acc = spec.acc;
  if (mul != null && mul.isBlock) return GEMM_BAD_FORMAT;
  if (acc != null && acc.isBlock) return GEMM_BAD_FORMAT;
  if (spec.mulMode < ROUND_RNE || spec.mulMode > ROUND_SR || spec.accMode < ROUND_RNE || spec.accMode > ROUND_SR) return GEMM_BAD_ROUNDING;
  if (spec.srBits < 1 || spec.srBits > 32) return GEMM_BAD_SR_BITS;
  return GEMM_OK;
}

/** Checks a job's shape and strides against the spec (the public API calls this once, gemm trusts it). */
export function gemmCheck(m: i32, n: i32, k: i32, ldx: i32, transX: bool, ldw: i32, transW: bool, ldz: i32, spec: MacSpec): i32 {
  const status = macSpecCheck(spec);
  if (status != GEMM_OK) return status;
  if (m < 0 || n < 0 || k < 0) return GEMM_BAD_SHAPE;
  const xCols = transX ? m : k, wCols = transW ? k : n;
  if (ldx < xCols || ldw < wCols || ldz < n) return GEMM_BAD_STRIDE;
  if (macSpecUsesSr(spec)) {
    if (<i64>m * <i64>n > MAC_SR_MAX_OUTPUTS) return GEMM_TOO_LARGE;
  }
  return GEMM_OK;
}
