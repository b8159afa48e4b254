// Rounding of f32 values to a Format: one named decision per mode, one core that applies it.
import { ROUND_RNE, ROUND_RNA, ROUND_RZ, ROUND_RU, ROUND_RD, ROUND_RO, ROUND_SR } from "../generated/formats";
import { Format, F32_INF, F32_QNAN, F32_SIGN, pow2Bits, pow2Bits64 } from "./format";
import { Rng } from "./prng";

export { ROUND_RNE, ROUND_RNA, ROUND_RZ, ROUND_RU, ROUND_RD, ROUND_RO, ROUND_SR };

// Each decision answers: given the kept part's last bit (`odd`) and the discarded part `dropped` out of
// `one` (= 2^shift), does the magnitude go up by one unit in the last place? They are generic over the
// width of the bits (u32 for f32 values here, u64 for the f64 sums of mac/), so every width takes the
// same rule.

// @ts-ignore: decorator
@inline function upNearestEven<T>(dropped: T, half: T, odd: bool): bool {
  return dropped > half || (dropped == half && odd);
}
// @ts-ignore: decorator
@inline function upNearestAway<T>(dropped: T, half: T): bool {
  return dropped >= half;
}
// @ts-ignore: decorator
@inline function upTowardPositive<T>(dropped: T, negative: bool): bool {
  return dropped != 0 && !negative;
}
// @ts-ignore: decorator
@inline function upTowardNegative<T>(dropped: T, negative: bool): bool {
  return dropped != 0 && negative;
}
// @ts-ignore: decorator
@inline function upToOdd<T>(dropped: T, odd: bool): bool {
  return dropped != 0 && !odd;
}
/**
 * Stochastic rounding with r random bits (DESIGN.md): keep the top r bits of the discarded fraction, add r
 * fresh random bits there, carry out means up. With r >= shift this is exact probability dropped/2^shift;
 * using the draw's top min(r, shift) bits is the same decision as padding the fraction with zeros.
 * Worked in 64 bits, so `shift` may exceed 32 (values far under one ulp) whatever the caller's width.
 */
// @ts-ignore: decorator
@inline export function upStochastic(dropped: u64, shift: i32, srBits: i32, draw: u32): bool {
  const r = srBits < shift ? srBits : shift;
  const kept: u64 = shift - r < 64 ? dropped >> <u64>(shift - r) : 0;
  return ((kept + <u64>(draw >>> <u32>(32 - r))) >> <u64>r) != 0;
}

/** The named decision of `mode` (rz: never up). */
// @ts-ignore: decorator
@inline export function roundsUp<T>(mode: i32, dropped: T, half: T, odd: bool, negative: bool, shift: i32, srBits: i32, draw: u32): bool {
  switch (mode) {
    case ROUND_RNE: return upNearestEven<T>(dropped, half, odd);
    case ROUND_RNA: return upNearestAway<T>(dropped, half);
    case ROUND_RU: return upTowardPositive<T>(dropped, negative);
    case ROUND_RD: return upTowardNegative<T>(dropped, negative);
    case ROUND_RO: return upToOdd<T>(dropped, odd);
    case ROUND_SR: return upStochastic(<u64>dropped, shift, srBits, draw);
    default: return false;
  }
}

/** True when a result rounded past the largest finite value becomes inf / NaN rather than ±max. */
// @ts-ignore: decorator
@inline export function overflowsToInfinity(mode: i32, negative: bool): bool {
  if (mode == ROUND_RZ || mode == ROUND_RO) return false;
  if (mode == ROUND_RU) return !negative;
  if (mode == ROUND_RD) return negative;
  return true;
}

/** Maximum SR bits: one 32-bit draw per rounding. */
export const SR_BITS_MAX: i32 = 32;

/**
 * Rounds the finite magnitude with bits `a` to the format: T = u32 reads f32 bits, T = u64 the f64 bits of
 * the GEMM's products and sums (mac/rounding.ts), by one rule. `srBits` is 1..32, `draw` is this
 * rounding's random word (ignored unless mode is sr). Returns magnitude bits of the same width, overflow
 * not yet applied; the result is a value of the format (or the step past its largest), exact in f32.
 */
// @ts-ignore: decorator
@inline export function roundMagnitude<T>(a: T, negative: bool, f: Format, mode: i32, srBits: i32, draw: u32): T {
  const fraction: i32 = sizeof<T>() == 8 ? 52 : 23;
  const bias: i32 = sizeof<T>() == 8 ? 1023 : 127;
  const biased = <i32>(a >>> <T>fraction);
  const exponent = (biased > 1 ? biased : 1) - bias;
  // Compare true exponents: the container's subnormals share exponent 1 - bias yet lie below it.
  // A format whose normals reach below 2^-126 (an MX element under a block scale under 2^-112) puts
  // f32 subnormals in its normal range: their ulp follows their true exponent, floor(log2 a).
  const trueExponent = biased != 0 ? exponent : <i32>(sizeof<T>() * 8) - 1 - <i32>clz<T>(a) - (bias - 1 + fraction);
  const ulpExp = trueExponent < f.emin ? f.subUlpExp : trueExponent - f.m;
  const shift = ulpExp - exponent + fraction;
  if (shift <= 0) return a;
  if (shift <= fraction) {
    // The discarded bits all lie in the fraction field, so integer rounding carries into the exponent
    // field exactly as the value carries into the next binade.
    const one: T = <T>1 << <T>shift;
    const dropped = a & (one - 1);
    const kept = a - dropped;
    // Parity of the kept code. At shift == fraction the kept bit is the implicit one, absent from the
    // bits: a subnormal result then holds exactly one ulp (odd), and an m = 0 normal result is odd when
    // its exponent code is.
    const odd = shift < fraction || biased == 0
      ? (kept & one) != 0
      : exponent < f.emin || ((exponent + f.bias) & 1) != 0;
    const up = roundsUp<T>(mode, dropped, one >>> 1, odd, negative, shift, srBits, draw);
    return up ? kept + one : kept;
  }
  return roundBelowOneUlp<T>(a, biased, negative, ulpExp, shift, mode, srBits, draw);
}

/**
 * |x| is below one unit of the result's last place (shift > fraction bits): the result is 0 or 2^ulpExp.
 * Kept out of line because it is rare and needs 64-bit arithmetic for the stochastic case.
 */
function roundBelowOneUlp<T>(a: T, biased: i32, negative: bool, ulpExp: i32, shift: i32, mode: i32, srBits: i32, draw: u32): T {
  const fraction: i32 = sizeof<T>() == 8 ? 52 : 23;
  const fractionMask: T = (<T>1 << <T>fraction) - 1;
  const significand: u64 = biased == 0 ? <u64>a : <u64>((a & fractionMask) | (fractionMask + 1));
  const half: u64 = shift - 1 < 64 ? <u64>1 << <u64>(shift - 1) : 0xffff_ffff_ffff_ffff;
  // The kept part is 0, even: under rne the exact half goes to 0; ro rounds any nonzero rest up.
  const up = roundsUp<u64>(mode, significand, half, false, negative, shift, srBits, draw);
  if (!up) return 0;
  return sizeof<T>() == 8 ? <T>pow2Bits64(ulpExp) : <T>pow2Bits(ulpExp);
}

/** Rounds one f32 value to the format with the given mode (the scalar reference every kernel matches). */
export function roundValue(x: f32, f: Format, mode: i32, srBits: i32, draw: u32): f32 {
  const u = reinterpret<u32>(x);
  const sign = u & F32_SIGN;
  const a = u ^ sign;
  const negative = sign != 0;
  if (a >= F32_INF) {
    if (a > F32_INF) return reinterpret<f32>(sign | F32_QNAN);
    return reinterpret<f32>(sign | (negative ? f.negOverflowBits : f.overflowBits));
  }
  let r = roundMagnitude<u32>(a, negative, f, mode, srBits, draw);
  const limit = negative ? f.negMaxBits : f.maxBits;
  if (r > limit) {
    r = overflowsToInfinity(mode, negative) ? (negative ? f.negOverflowBits : f.overflowBits) : limit;
  }
  return reinterpret<f32>(sign | r);
}

/** Rounds one value, taking a draw from `rng` when the mode is sr (one draw per rounding, always). */
// @ts-ignore: decorator
@inline
export function quantize(x: f32, f: Format, mode: i32, srBits: i32, rng: Rng | null): f32 {
  const draw: u32 = mode == ROUND_SR ? rng!.next() : 0;
  return roundValue(x, f, mode, srBits, draw);
}
