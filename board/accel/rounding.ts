// The accelerator model's own rounding of exact values to a float format, written from docs/formats.md
// (not from assembly/arith): the model must agree with the CPU path bit for bit, and two implementations
// written apart are what make that agreement mean something.
//
// A value arrives as hi + lo, an exact sum of two f64 (lo = 0 for a product of two f32, which is exact in
// f64; lo is the TwoSum error term for a sum). Only the sign of lo matters: |lo| is below half an f64 ulp
// of hi, far below any format's rounding position, so it only breaks ties and marks inexactness.
import {
  WORD_KIND_SHIFT, WORD_KIND_MASK, WORD_SPECIALS_SHIFT, WORD_SPECIALS_MASK, WORD_NO_SUBNORMALS_SHIFT,
  WORD_SATURATE_SHIFT, WORD_E_SHIFT, WORD_E_MASK, WORD_M_SHIFT, WORD_M_MASK, KIND_FLOAT, SPECIALS_IEEE,
  SPECIALS_FN, SPECIALS_NONE, ROUND_RNE, ROUND_RNA, ROUND_RZ, ROUND_RU, ROUND_RD, ROUND_RO, ROUND_SR,
} from "../../host/generated/formats.js";

/** A float(e, m) format as the model needs it. */
export interface FloatFormat {
  word: number;
  e: number;
  m: number;
  specials: number;
  subnormals: boolean;
  saturate: boolean;
  bias: number;
  emin: number;
  emax: number;
  /** Exponent of the spacing below 2^emin: the subnormal ulp, or 2^emin itself when subnormals are off. */
  subUlpExp: number;
  /** Largest finite magnitude. */
  max: number;
  /** What a magnitude rounded past max becomes when the mode overflows to infinity: Infinity, NaN or max. */
  overflow: number;
  /** Bits of one code: 1 + e + m. */
  bits: number;
}

const F32_QNAN = 0x7fc00000;
const F32_SIGN = 0x80000000;

/** Why a word is not a float format the model rounds to, or null when it is. */
export function floatWordProblem(word: number): string | null {
  const kind = (word >>> WORD_KIND_SHIFT) & WORD_KIND_MASK;
  const specials = (word >>> WORD_SPECIALS_SHIFT) & WORD_SPECIALS_MASK;
  const e = (word >>> WORD_E_SHIFT) & WORD_E_MASK;
  const m = (word >>> WORD_M_SHIFT) & WORD_M_MASK;
  if (kind !== KIND_FLOAT) return `kind ${kind} (only float, kind ${KIND_FLOAT})`;
  if (e < 1 || e > 8) return `e = ${e} (1..8)`;
  if (m > 23) return `m = ${m} (0..23)`;
  if (word >>> 24 !== 0) return "bits 24..31 set (reserved)";
  if (specials === SPECIALS_IEEE && (e < 2 || m < 1)) return `ieee specials with e = ${e}, m = ${m} (need e >= 2, m >= 1)`;
  if (specials === SPECIALS_FN && (m < 1 || e > 7)) return `fn specials with e = ${e}, m = ${m} (need m >= 1, e <= 7)`;
  if (specials === SPECIALS_NONE && e > 7) return `no specials with e = ${e} (need e <= 7)`;
  if (specials > SPECIALS_NONE) return `specials ${specials} (0..${SPECIALS_NONE})`;
  return null;
}

/** The format of a float word; throws naming the problem for any other word. */
export function floatFormat(word: number): FloatFormat {
  const problem = floatWordProblem(word >>> 0);
  if (problem) throw new Error(`format word 0x${(word >>> 0).toString(16)}: expected a float format word, received ${problem}`);
  const specials = (word >>> WORD_SPECIALS_SHIFT) & WORD_SPECIALS_MASK;
  const e = (word >>> WORD_E_SHIFT) & WORD_E_MASK;
  const m = (word >>> WORD_M_SHIFT) & WORD_M_MASK;
  const subnormals = ((word >>> WORD_NO_SUBNORMALS_SHIFT) & 1) === 0;
  // docs/formats.md: formats with neither inf nor NaN always saturate.
  const saturate = ((word >>> WORD_SATURATE_SHIFT) & 1) === 1 || specials === SPECIALS_NONE;
  const bias = 2 ** (e - 1) - 1;
  const emin = 1 - bias;
  // ieee reserves the top exponent code; fn and none use it for numbers (fn loses S.1..1.1..1 to NaN).
  const emax = specials === SPECIALS_IEEE ? 2 ** e - 2 - bias : 2 ** e - 1 - bias;
  const topMantissa = 2 ** m - 1 - (specials === SPECIALS_FN ? 1 : 0);
  const max = (1 + topMantissa / 2 ** m) * 2 ** emax;
  const overflow = saturate ? max : specials === SPECIALS_IEEE ? Infinity : NaN;
  return { word: word >>> 0, e, m, specials, subnormals, saturate, bias, emin, emax, subUlpExp: subnormals ? emin - m : emin, max, overflow, bits: 1 + e + m };
}

const f64 = new Float64Array(1);
const f64Words = new Uint32Array(f64.buffer);
const f32 = new Float32Array(1);
const f32Word = new Uint32Array(f32.buffer);

/** f32 bits of a number that is exactly an f32 value (or NaN / inf). */
export function f32BitsOf(value: number): number {
  f32[0] = value;
  return f32Word[0];
}

/** The number an f32 bit pattern holds. */
export function f32Value(bits: number): number {
  f32Word[0] = bits >>> 0;
  return f32[0];
}

const TWO32 = 2 ** 32;

// 2^k for -1100 <= k <= 1100, so the hot path indexes instead of calling Math.pow.
const POW2_BIAS = 1100;
const POW2 = new Float64Array(2 * POW2_BIAS + 1).map((_, i) => 2 ** (i - POW2_BIAS));

/** A result past max: infinity (what the format has for it) or max, by the IEEE 754 rule of each mode. */
function overflowsToInfinity(mode: number, negative: boolean): boolean {
  if (mode === ROUND_RZ || mode === ROUND_RO) return false;
  if (mode === ROUND_RU) return !negative;
  if (mode === ROUND_RD) return negative;
  return true; // rne, rna, sr
}

/**
 * Rounds the exact value hi + lo to the format and returns the f32 bits of the result. `srBits` is 1..32;
 * `draw` is this rounding's 32-bit random word (used only by sr). NaN results are the quiet NaN with the
 * value's sign.
 */
export function roundExact(hi: number, lo: number, f: FloatFormat, mode: number, srBits: number, draw: number): number {
  const value = roundValue(hi, lo, f, mode, srBits, draw);
  if (value !== value) return Number.isNaN(hi) || hi > 0 ? F32_QNAN : (F32_SIGN | F32_QNAN) >>> 0;
  return f32BitsOf(value);
}

/**
 * roundExact's result as a number (every result is an f32 value, ±0, ±inf or NaN): what the GEMM's
 * inner loop carries from one MAC to the next without converting to bits and back.
 */
export function roundValue(hi: number, lo: number, f: FloatFormat, mode: number, srBits: number, draw: number): number {
  // The two common cases on their own, small enough for the GEMM loop to inline (roundGeneral gives the
  // same results, more slowly): a value in the normal range that is exact (no residual), rounded to
  // nearest even or stochastically.
  if (lo === 0 && hi === hi && hi !== 0) {
    const negative = hi < 0;
    const a = negative ? -hi : hi;
    f64[0] = a;
    const exponent = ((f64Words[1] >>> 20) & 0x7ff) - 1023;
    if (exponent >= f.emin && exponent <= 1023) {
      if (mode === ROUND_RNE && f.m > 0) {
        // Adding and taking back 1.5 · 2^52 ulps makes f64 addition itself round a to a multiple of the
        // ulp, ties to the even multiple (a < 2^52 ulps for every m <= 23). m = 0 takes the general path
        // for its parity rule (the exponent code's last bit).
        const c = 1.5 * POW2[POW2_BIAS + 52 + exponent - f.m];
        const magnitude = a + c - c;
        if (magnitude > f.max) return negative ? -f.overflow : f.overflow;
        return negative ? -magnitude : magnitude;
      }
      if (mode === ROUND_SR) {
        // The top r bits of the fraction and of the draw (floors of power-of-two scalings: exact); a carry
        // out of r bits rounds up.
        const scaled = a * POW2[POW2_BIAS + f.m - exponent];
        const kept = Math.floor(scaled);
        const fr = Math.floor((scaled - kept) * POW2[POW2_BIAS + srBits]);
        const dr = Math.floor((draw >>> 0) * POW2[POW2_BIAS + srBits - 32]);
        const magnitude = (fr + dr >= POW2[POW2_BIAS + srBits] ? kept + 1 : kept) * POW2[POW2_BIAS + exponent - f.m];
        if (magnitude > f.max) return negative ? -f.overflow : f.overflow;
        return negative ? -magnitude : magnitude;
      }
    }
  }
  return roundGeneral(hi, lo, f, mode, srBits, draw);
}

/** roundValue for every case, following docs/formats.md step by step. */
function roundGeneral(hi: number, lo: number, f: FloatFormat, mode: number, srBits: number, draw: number): number {
  if (hi !== hi) return NaN;
  if (hi === 0) return hi; // either zero, its sign kept
  const negative = hi < 0;
  const a = negative ? -hi : hi;
  if (a === Infinity) return negative ? -f.overflow : f.overflow;
  // +1: the exact value lies a hair above a (in magnitude), -1: a hair below, 0: it is a.
  const residual = lo === 0 ? 0 : (lo < 0) === negative ? 1 : -1;

  // The binade of the exact value: a power of two minus a hair lies in the binade below.
  f64[0] = a;
  const top = f64Words[1];
  let exponent = ((top >>> 20) & 0x7ff) - 1023;
  if (residual < 0 && (top & 0xfffff) === 0 && f64Words[0] === 0) exponent -= 1;
  const ulpExp = exponent < f.emin ? f.subUlpExp : exponent - f.m;

  // a / ulp as integer part and fraction: both exact (power-of-two scaling, then floor).
  const scaled = a * POW2[POW2_BIAS - ulpExp];
  let kept = Math.floor(scaled);
  let fraction = scaled - kept;
  // The fraction as 0.32 fixed point, truncated (what an r-bit SR adder sees), and where it lies from 1/2.
  let fixed = Math.floor(fraction * TWO32);
  let halfway = fraction > 0.5 ? 1 : fraction < 0.5 ? -1 : residual;
  const inexact = fraction !== 0 || residual !== 0;
  if (residual < 0 && fraction === 0) {
    // The exact value is a hair below an integer number of ulps: one ulp less, with a fraction of 1 - tiny.
    kept -= 1;
    fraction = 1;
    fixed = TWO32 - 1;
    halfway = 1;
  } else if (residual < 0 && fraction * TWO32 === fixed) {
    fixed -= 1;
  } else if (residual > 0 && fraction === 0) {
    halfway = -1;
  }

  let up = false;
  switch (mode) {
    case ROUND_RNE:
      up = halfway > 0 || (halfway === 0 && isOdd(kept, exponent, f));
      break;
    case ROUND_RNA: up = halfway >= 0; break;
    case ROUND_RZ: up = false; break;
    case ROUND_RU: up = inexact && !negative; break;
    case ROUND_RD: up = inexact && negative; break;
    case ROUND_RO: up = inexact && !isOdd(kept, exponent, f); break;
    case ROUND_SR: {
      // docs/formats.md: keep the top r bits of the fraction and of the draw; a carry out of 0.32 means up.
      const unit = POW2[POW2_BIAS + 32 - srBits];
      const fr = Math.floor(fixed / unit);
      const dr = Math.floor((draw >>> 0) / unit);
      up = fr + dr >= POW2[POW2_BIAS + srBits];
      break;
    }
    default:
      throw new Error(`rounding code ${mode}: expected 0..6`);
  }
  const magnitude = (up ? kept + 1 : kept) * POW2[POW2_BIAS + ulpExp];
  if (magnitude > f.max) {
    const to = overflowsToInfinity(mode, negative) ? f.overflow : f.max;
    return negative ? -to : to;
  }
  return negative ? -magnitude : magnitude;
}

/** Parity of the kept code: its last mantissa bit, or for m = 0 normals the exponent code's last bit. */
function isOdd(kept: number, exponent: number, f: FloatFormat): boolean {
  if (kept === 0) return false;
  return exponent >= f.emin && f.m === 0 ? ((exponent + f.bias) & 1) === 1 : (kept & 1) === 1;
}

/** Rounds an f32 value (given by its bits) to the format: the single-value case of roundExact. */
export function roundF32(bits: number, f: FloatFormat, mode: number, srBits: number, draw: number): number {
  const value = f32Value(bits);
  if (Number.isNaN(value)) return ((bits & F32_SIGN) | F32_QNAN) >>> 0;
  return roundExact(value, 0, f, mode, srBits, draw);
}
