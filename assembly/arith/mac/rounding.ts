// Roundings of the GEMM's f64 values. A product of two f32 values is exact in f64 (24 + 24 significand
// bits, exponents -298..256), so rounding it from f64 bits is one correct rounding of the exact product;
// the rule is roundMagnitude (../rounding.ts), read on the 52-bit fraction instead of the 23-bit one.
//
// One rounding of an exact sum a + b of two f64 values (an f32 running sum and a product or rounded
// product): TwoSum gives hi + lo = a + b exactly. When lo != 0 the value is replaced by its round-to-odd at
// 53 bits, which every deterministic mode rounds exactly like the exact sum (formats have at most 24 bits:
// Boldo & Melquiond, "Emulation of FMA and correctly rounded sums: proved algorithms using rounding to
// odd", IEEE TC 2008), and which keeps every bit of the discarded fraction above its last bit, enough
// for a stochastic rounding whose r bits stop above it. Otherwise the r bits are read from hi and lo.
import { ROUND_RD, ROUND_SR } from "../../generated/formats";
import { Format, F32_QNAN, F32_SIGN, pow2Bits64 } from "../format";
import { roundMagnitude, overflowsToInfinity } from "../rounding";

export const F64_SIGN: u64 = 0x8000_0000_0000_0000;
export const F64_INF: u64 = 0x7ff0_0000_0000_0000;

/** f64 bits of the f32 value with bits `b` (exact). */
// @ts-ignore: decorator
@inline export function widenBits(b: u32): u64 {
  return reinterpret<u64>(<f64>reinterpret<f32>(b));
}

/** Applies the format's overflow rule to rounded magnitude bits `r` and returns the f32 result. */
// @ts-ignore: decorator
@inline function finish64(r: u64, negative: bool, f: Format, mode: i32): f32 {
  const sign: u32 = negative ? F32_SIGN : 0;
  const limitBits = negative ? f.negMaxBits : f.maxBits;
  if (r > widenBits(limitBits)) {
    const over = overflowsToInfinity(mode, negative) ? (negative ? f.negOverflowBits : f.overflowBits) : limitBits;
    return reinterpret<f32>(sign | over);
  }
  return reinterpret<f32>(sign | reinterpret<u32>(<f32>reinterpret<f64>(r)));
}

/** Rounds the finite f64 magnitude `a` (out of line: the reference kernel calls it per MAC). */
function roundMagnitude64(a: u64, negative: bool, f: Format, mode: i32, srBits: i32, draw: u32): u64 {
  return roundMagnitude<u64>(a, negative, f, mode, srBits, draw);
}

/** One correct rounding of an f64 value to a float or fixed format. NaN gives the canonical quiet NaN. */
export function roundDouble(x: f64, f: Format, mode: i32, srBits: i32, draw: u32): f32 {
  const u = reinterpret<u64>(x);
  const negative = (u >>> 63) != 0;
  const a = u & ~F64_SIGN;
  if (a >= F64_INF) {
    if (a > F64_INF) return reinterpret<f32>(F32_QNAN);
    return reinterpret<f32>((negative ? F32_SIGN : 0) | (negative ? f.negOverflowBits : f.overflowBits));
  }
  return finish64(roundMagnitude64(a, negative, f, mode, srBits, draw), negative, f, mode);
}

/** An exact zero sum: +0, or -0 when both are -0 or the mode is rd (IEEE 754, 6.3). */
// @ts-ignore: decorator
@inline function zeroSum(a: f64, b: f64, mode: i32): f32 {
  const bothPositiveZero = (reinterpret<u64>(a) | reinterpret<u64>(b)) == 0;
  const bothNegativeZero = (reinterpret<u64>(a) & reinterpret<u64>(b)) == F64_SIGN;
  return bothNegativeZero || (mode == ROUND_RD && !bothPositiveZero) ? -0.0 : 0.0;
}

/** Round-to-odd bits of hi + lo at 53 bits (lo != 0, |lo| <= ulp(hi) / 2): truncate, then set the last bit. */
// @ts-ignore: decorator
@inline function oddBits(hi: u64, lo: f64): u64 {
  const opposite = (reinterpret<u64>(lo) ^ hi) >>> 63;
  return (hi - opposite) | 1;
}

/** One correct rounding of a + b (a, b finite or not; their exact sum). */
export function roundSum(a: f64, b: f64, f: Format, mode: i32, srBits: i32, draw: u32): f32 {
  const hi = a + b;
  if (hi - hi != 0) return roundDouble(hi, f, mode, srBits, draw); // inf or NaN
  const bb = hi - a;
  const lo = (a - (hi - bb)) + (b - bb);
  if (lo == 0) {
    if (hi == 0) return zeroSum(a, b, mode);
    return roundDouble(hi, f, mode, srBits, draw);
  }
  const hu = reinterpret<u64>(hi);
  const negative = (hu >>> 63) != 0;
  const odd = oddBits(hu, lo) & ~F64_SIGN;
  if (mode != ROUND_SR) return finish64(roundMagnitude64(odd, negative, f, mode, srBits, draw), negative, f, mode);
  const exponent = <i32>(odd >>> 52) - 1023;
  const ulpExp = exponent < f.emin ? f.subUlpExp : exponent - f.m;
  const shift = ulpExp - exponent + 52;
  if (srBits < shift) return finish64(roundMagnitude64(odd, negative, f, mode, srBits, draw), negative, f, mode);
  return finish64(stochasticPair(odd, hu & ~F64_SIGN, lo, negative, exponent, shift, srBits, draw), negative, f, mode);
}

/**
 * Stochastic rounding of |hi + lo| when its r bits reach below the 53-bit odd value `odd` (29 <= shift <=
 * srBits <= 32, only for formats of 21 bits and more). With fine = ulp(odd), D the discarded bits of odd
 * and d = |hi + lo| - odd (|d| < fine), the top r bits of the exact fraction are
 * floor((D + d / fine) * 2^k), k = r - shift, = (D + c) * 2^k + floor(lo' * 2^k / fine), where
 * c = (|hi| - odd) / fine is 0 or ±1 and lo' is lo signed toward |hi|.
 */
function stochasticPair(odd: u64, hiMagnitude: u64, lo: f64, negative: bool, exponent: i32, shift: i32, srBits: i32, draw: u32): u64 {
  const one: u64 = <u64>1 << <u64>shift;
  const dropped = odd & (one - 1);
  const kept = odd - dropped;
  const k = srBits - shift;
  const c: i64 = hiMagnitude == odd ? 0 : hiMagnitude > odd ? 1 : -1;
  const loToward = negative ? -lo : lo;
  // Exact: a power-of-two scaling of lo (|lo| >= 2^-400, the scale at most 2^204).
  const below = <i64>Math.floor(loToward * reinterpret<f64>(pow2Bits64(k - exponent + 52)));
  const top = <u64>(((<i64>dropped + c) << <i64>k) + below);
  const up = ((top + <u64>(draw >>> <u32>(32 - srBits))) >> <u64>srBits) != 0;
  return up ? kept + one : kept;
}
