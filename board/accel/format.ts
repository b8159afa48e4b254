// The float formats the accelerator's format registers hold, decoded as its validation and cost model
// need them. The model does no arithmetic of its own: its jobs run the device's gemm (engine.ts).
import {
  WORD_KIND_SHIFT, WORD_KIND_MASK, WORD_SPECIALS_SHIFT, WORD_SPECIALS_MASK, WORD_NO_SUBNORMALS_SHIFT,
  WORD_SATURATE_SHIFT, WORD_E_SHIFT, WORD_E_MASK, WORD_M_SHIFT, WORD_M_MASK, KIND_FLOAT, SPECIALS_IEEE,
  SPECIALS_FN, SPECIALS_NONE,
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
