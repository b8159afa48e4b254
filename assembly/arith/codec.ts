// Packed codes: a rounded value's bit pattern in its format, and back.
import { SPECIALS_IEEE, SPECIALS_FN } from "../generated/formats";
import { Format, F32_INF, F32_QNAN, F32_SIGN, pow2 } from "./format";

/**
 * Code of a value already rounded to `f` (a float or fixed format). NaN becomes the format's canonical NaN
 * (IEEE: quiet bit set; OCP E4M3: S.1111.111); formats without NaN store it as the largest magnitude
 * with its sign, and fixed point stores it as 0.
 */
export function encodeRounded(v: f32, f: Format): u32 {
  const u = reinterpret<u32>(v);
  const a = u & ~F32_SIGN;
  if (f.isFixed) {
    if (a > F32_INF) return 0;
    const k = <i32>(v * pow2(-f.subUlpExp));
    return <u32>k & ((<u32>1 << <u32>f.bits) - 1);
  }
  const m = <u32>f.m;
  const signBit = (u >>> 31) << <u32>(f.bits - 1);
  const allOnesExponent = (<u32>1 << <u32>f.e) - 1;
  if (a >= F32_INF) {
    if (f.specials == SPECIALS_IEEE) {
      return signBit | (allOnesExponent << m) | (a > F32_INF ? <u32>1 << (m - 1) : 0);
    }
    if (f.specials == SPECIALS_FN && a > F32_INF) return signBit | (allOnesExponent << m) | ((<u32>1 << m) - 1);
    return signBit | encodeMagnitude(f.maxBits, f);
  }
  return signBit | encodeMagnitude(a, f);
}

// @ts-ignore: decorator
@inline function encodeMagnitude(a: u32, f: Format): u32 {
  if (a >= f.minNormalBits) return (a >>> <u32>(23 - f.m)) - (<u32>(127 - f.bias) << <u32>f.m);
  // Below 2^emin the code is the value in units of the subnormal ulp; integer shifts stay exact even
  // where 2^-subUlpExp would overflow f32 (e8 formats).
  const biased = <i32>(a >>> 23);
  const significand = biased == 0 ? a : (a & 0x7f_ffff) | 0x80_0000;
  const shift = f.subUlpExp - (biased > 1 ? biased : 1) + 150;
  return shift >= 32 ? 0 : significand >>> <u32>shift;
}

/** Value of a code of `f` (float or fixed). */
export function decodeCode(code: u32, f: Format): f32 {
  if (f.isFixed) {
    const unused = <u32>(32 - f.bits);
    const k = <i32>(code << unused) >> unused; // sign-extend the word
    return <f32>k * pow2(f.subUlpExp);
  }
  const m = <u32>f.m;
  const negative = ((code >>> <u32>(f.bits - 1)) & 1) != 0;
  const sign: u32 = negative ? F32_SIGN : 0;
  const magnitude = code & ((<u32>1 << <u32>(f.bits - 1)) - 1);
  const exponentField = magnitude >>> m;
  const mantissa = magnitude & ((<u32>1 << m) - 1);
  const allOnesExponent = (<u32>1 << <u32>f.e) - 1;
  if (exponentField == allOnesExponent) {
    if (f.specials == SPECIALS_IEEE) return reinterpret<f32>(sign | (mantissa == 0 ? F32_INF : F32_QNAN));
    if (f.specials == SPECIALS_FN && mantissa == (<u32>1 << m) - 1) return reinterpret<f32>(sign | F32_QNAN);
  }
  if (exponentField == 0) {
    const value = <f32>mantissa * pow2(f.emin - f.m);
    return negative ? -value : value;
  }
  const bits = (<u32>(<i32>exponentField - f.bias + 127) << 23) | (mantissa << (23 - m));
  return reinterpret<f32>(sign | bits);
}

/** Fills f.table with the value of every code, for formats of <= 8 bits. */
export function buildDecodeTable(f: Format): void {
  if (f.bits > 8 || f.table != 0) return;
  const count = <u32>1 << <u32>f.bits;
  const table = heap.alloc(<usize>count << 2);
  for (let code: u32 = 0; code < count; code++) store<f32>(table + (<usize>code << 2), decodeCode(code, f));
  f.table = table;
}
