// Number formats held in an f32 container, described once by a u32 "format word" (spec/formats.json).
import {
  WORD_KIND_SHIFT, WORD_KIND_MASK, WORD_SPECIALS_SHIFT, WORD_SPECIALS_MASK, WORD_NO_SUBNORMALS_SHIFT,
  WORD_SATURATE_SHIFT, WORD_E_SHIFT, WORD_E_MASK, WORD_M_SHIFT, WORD_M_MASK,
  KIND_FLOAT, KIND_FIXED, KIND_MXFLOAT, KIND_MXINT, SPECIALS_IEEE, SPECIALS_FN, SPECIALS_NONE,
  LIMIT_E_MIN, LIMIT_E_MAX, LIMIT_M_MIN, LIMIT_M_MAX, LIMIT_FIXED_WL_MIN, LIMIT_FIXED_WL_MAX,
  LIMIT_FIXED_FL_MIN, LIMIT_FIXED_FL_MAX, MX_BLOCK_SIZE,
} from "../generated/formats";

/** f32 bit patterns used throughout. */
export const F32_INF: u32 = 0x7f80_0000;
export const F32_QNAN: u32 = 0x7fc0_0000;
export const F32_SIGN: u32 = 0x8000_0000;

/** Why a format word was refused (0 = valid). */
export const FORMAT_OK: i32 = 0;
export const FORMAT_BAD_KIND: i32 = 1;
export const FORMAT_BAD_E: i32 = 2;
export const FORMAT_BAD_M: i32 = 3;
export const FORMAT_BAD_SPECIALS: i32 = 4;
export const FORMAT_BAD_WL: i32 = 5;
export const FORMAT_BAD_FL: i32 = 6;

/** f32 bits of 2^k for -149 <= k <= 127 (f32 subnormals included). */
export function pow2Bits(k: i32): u32 {
  return k >= -126 ? <u32>(k + 127) << 23 : <u32>1 << <u32>(k + 149);
}

/** f64 bits of 2^k, -1022 <= k <= 1023. */
// @ts-ignore: decorator
@inline export function pow2Bits64(k: i32): u64 {
  return <u64>(k + 1023) << 52;
}

// @ts-ignore: decorator
@inline export function pow2(k: i32): f32 {
  return reinterpret<f32>(pow2Bits(k));
}

/** Checks a format word without building it. */
export function validateWord(word: u32): i32 {
  const kind = <i32>(word >>> WORD_KIND_SHIFT) & WORD_KIND_MASK;
  const specials = <i32>(word >>> WORD_SPECIALS_SHIFT) & WORD_SPECIALS_MASK;
  const e = <i32>(word >>> WORD_E_SHIFT) & WORD_E_MASK;
  const m = <i32>(word >>> WORD_M_SHIFT) & WORD_M_MASK;
  if (kind == KIND_FIXED || kind == KIND_MXINT) {
    if (e < LIMIT_FIXED_WL_MIN || e > LIMIT_FIXED_WL_MAX) return FORMAT_BAD_WL;
    if (m < LIMIT_FIXED_FL_MIN || m > LIMIT_FIXED_FL_MAX) return FORMAT_BAD_FL;
    return FORMAT_OK;
  }
  if (kind != KIND_FLOAT && kind != KIND_MXFLOAT) return FORMAT_BAD_KIND;
  if (e < LIMIT_E_MIN || e > LIMIT_E_MAX) return FORMAT_BAD_E;
  if (m < LIMIT_M_MIN || m > LIMIT_M_MAX) return FORMAT_BAD_M;
  if (specials == SPECIALS_IEEE) {
    // inf needs a reserved exponent above at least one normal binade; NaN needs a nonzero mantissa.
    if (e < 2 || m < 1) return FORMAT_BAD_SPECIALS;
  } else if (specials == SPECIALS_FN) {
    // The f32 container must hold the top binade, which fn formats use for finite values.
    if (m < 1 || e > 7) return FORMAT_BAD_SPECIALS;
  } else if (specials == SPECIALS_NONE) {
    if (e > 7) return FORMAT_BAD_SPECIALS;
  } else return FORMAT_BAD_SPECIALS;
  return FORMAT_OK;
}

/**
 * A resolved format. Fixed point is expressed in the same terms as floats: a fixed<wl>.<fl> value is a
 * float whose every value lies in the subnormal range (m = wl - 1, emin = wl - 1 - fl), so one rounding
 * core serves both.
 */
@final @unmanaged
export class Format {
  word: u32 = 0;
  kind: i32 = 0;
  specials: i32 = 0;
  subnormals: bool = true;
  saturate: bool = false;
  /** Exponent bits (float) or word length (fixed). */
  e: i32 = 0;
  /** Mantissa bits (float) or fraction length (fixed). */
  m: i32 = 0;
  bias: i32 = 0;
  /** Unbiased exponent of the smallest normal value. */
  emin: i32 = 0;
  /** Unbiased exponent of the largest finite value. */
  emax: i32 = 0;
  /** Exponent of the spacing below 2^emin (the subnormal ulp, or 2^emin when subnormals are off). */
  subUlpExp: i32 = 0;
  /** f32 magnitude bits of the largest positive / negative finite values. */
  maxBits: u32 = 0;
  negMaxBits: u32 = 0;
  /** What a result rounded past the largest value becomes (inf, NaN or max), magnitude bits. */
  overflowBits: u32 = 0;
  negOverflowBits: u32 = 0;
  /** f32 bits of 2^emin. */
  minNormalBits: u32 = 0;
  /** 2^(subUlpExp + 23): adding then subtracting it rounds a sub-2^emin magnitude to nearest even. */
  subMagic: f32 = 0;
  /** Code width in bits, and bytes per stored code (1, 2 or 4). */
  bits: i32 = 0;
  bytes: i32 = 0;
  /** For formats of <= 8 bits: 256 decoded values, indexed by code. */
  table: usize = 0;
  /** MX: the element format (saturating), the element's emax, and bytes per 32-value block. */
  element: Format | null = null;
  elementEmax: i32 = 0;
  blockBytes: i32 = 0;

  get isFloat(): bool { return this.kind == KIND_FLOAT; }
  get isFixed(): bool { return this.kind == KIND_FIXED; }
  get isBlock(): bool { return this.kind == KIND_MXFLOAT || this.kind == KIND_MXINT; }
}

/** Builds the format for a valid word (see validateWord), or null. */
export function makeFormat(word: u32): Format | null {
  if (validateWord(word) != FORMAT_OK) return null;
  const f = new Format();
  f.word = word;
  f.kind = <i32>(word >>> WORD_KIND_SHIFT) & WORD_KIND_MASK;
  f.specials = <i32>(word >>> WORD_SPECIALS_SHIFT) & WORD_SPECIALS_MASK;
  f.subnormals = ((word >>> WORD_NO_SUBNORMALS_SHIFT) & 1) == 0;
  f.saturate = ((word >>> WORD_SATURATE_SHIFT) & 1) != 0;
  f.e = <i32>(word >>> WORD_E_SHIFT) & WORD_E_MASK;
  f.m = <i32>(word >>> WORD_M_SHIFT) & WORD_M_MASK;
  if (f.kind == KIND_FLOAT) initFloat(f);
  else if (f.kind == KIND_FIXED) initFixed(f);
  else initBlock(f);
  return f;
}

function initFloat(f: Format): void {
  const e = f.e, m = f.m;
  f.bias = (1 << (e - 1)) - 1;
  f.emin = 1 - f.bias;
  let maxMantissa = (1 << m) - 1;
  if (f.specials == SPECIALS_IEEE) {
    f.emax = (1 << e) - 2 - f.bias;
  } else if (f.specials == SPECIALS_FN) {
    f.emax = (1 << e) - 1 - f.bias;
    maxMantissa -= 1; // S.1..1.1..1 is NaN
  } else {
    f.emax = (1 << e) - 1 - f.bias;
    f.saturate = true; // nothing else to overflow to
  }
  f.subUlpExp = f.subnormals ? f.emin - m : f.emin;
  f.maxBits = (<u32>(f.emax + 127) << 23) | (<u32>maxMantissa << (23 - m));
  f.negMaxBits = f.maxBits;
  if (f.saturate) f.overflowBits = f.maxBits;
  else f.overflowBits = f.specials == SPECIALS_IEEE ? F32_INF : F32_QNAN;
  f.negOverflowBits = f.overflowBits;
  f.minNormalBits = pow2Bits(f.emin);
  f.subMagic = pow2(f.subUlpExp + 23);
  f.bits = 1 + e + m;
  f.bytes = f.bits <= 8 ? 1 : f.bits <= 16 ? 2 : 4;
}

function initFixed(f: Format): void {
  const wl = f.e, fl = f.m;
  // Reuse the float core: all values lie below 2^emin, spaced 2^-fl.
  f.m = wl - 1;
  f.emin = wl - 1 - fl;
  f.emax = f.emin;
  f.bias = 0;
  f.subnormals = true;
  f.saturate = true;
  f.specials = SPECIALS_NONE;
  f.subUlpExp = -fl;
  f.maxBits = reinterpret<u32>(<f32>((1 << (wl - 1)) - 1) * pow2(-fl));
  f.negMaxBits = pow2Bits(wl - 1 - fl);
  f.overflowBits = f.maxBits;
  f.negOverflowBits = f.negMaxBits;
  f.minNormalBits = f.negMaxBits;
  f.subMagic = pow2(f.subUlpExp + 23);
  f.bits = wl;
  f.bytes = wl <= 8 ? 1 : wl <= 16 ? 2 : 4;
  f.e = wl;
}

function initBlock(f: Format): void {
  const elementWord = f.kind == KIND_MXINT
    ? (<u32>KIND_FIXED << WORD_KIND_SHIFT) | (<u32>f.e << WORD_E_SHIFT) | (<u32>f.m << WORD_M_SHIFT)
    : (<u32>KIND_FLOAT << WORD_KIND_SHIFT) | (<u32>f.specials << WORD_SPECIALS_SHIFT) |
      (<u32>1 << WORD_SATURATE_SHIFT) | (<u32>f.e << WORD_E_SHIFT) | (<u32>f.m << WORD_M_SHIFT);
  const el = makeFormat(elementWord)!;
  f.element = el;
  // The largest power of two an element can hold (OCP MX v1.0, 6.3): 2^emax, or 2^(wl-2-fl) for integers.
  f.elementEmax = f.kind == KIND_MXINT ? el.e - 2 + el.subUlpExp : el.emax;
  f.bits = el.bits;
  f.bytes = 1;
  f.blockBytes = 1 + (el.bits <= 4 ? MX_BLOCK_SIZE / 2 : MX_BLOCK_SIZE);
  f.saturate = true;
}
