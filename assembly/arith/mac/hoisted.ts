// The constants of rounding to one format, computed once per job (per role: products and sums) so the
// hot loops only add, mask and compare. The f64 set serves the kernels that round f64 values
// (kernels-f64.ts, kernels-f64x2.ts), the f32 set the f32x4 kernel (kernels-f32x4.ts).
import { Format, pow2Bits64 } from "../format";
import { widenBits } from "./rounding";

/** How a kernel treats products and sums. */
export const KIND_GENERAL: i32 = 0; // the reference kernel
export const KIND_EXACT: i32 = 1; // products: the exact product is already a value of mul
export const KIND_RNE: i32 = 2;
export const KIND_SR: i32 = 3;

/** The hoisted constants of rounding an f64 magnitude to a float format with rne or sr. */
@final @unmanaged
export class Hoisted {
  format: Format | null = null;
  shift: u64 = 0;
  low: u64 = 0;
  minNormal: u64 = 0;
  max: u64 = 0;
  overflow: u64 = 0;
  srDrop: u64 = 0;
  srDrawShift: u32 = 0;
  srR: u64 = 0;
  /** rne by the FPU: exponent field plus expK is 1.5 * 2^(e + 52 - m); below 2^emin, magicSub. */
  expK: u64 = 0;
  magicSub: u64 = 0;
  /** Smallest magnitude whose rne result passes the largest value, and what it then gives. */
  overflowFrom: f64 = 0;
  overflowValue: f64 = 0;
}

export const hoistedMul = new Hoisted();
export const hoistedAcc = new Hoisted();

export function hoist(h: Hoisted, f: Format, srBits: i32): void {
  const shift = 52 - f.m;
  const r = srBits < shift ? srBits : shift;
  h.format = f;
  h.shift = <u64>shift;
  h.low = (<u64>1 << <u64>shift) - 1;
  h.minNormal = pow2Bits64(f.emin);
  h.max = widenBits(f.maxBits);
  h.overflow = widenBits(f.overflowBits);
  h.srDrop = <u64>(shift - r);
  h.srDrawShift = <u32>(32 - r);
  h.srR = <u64>r;
  h.expK = (<u64>(52 - f.m) << 52) | (<u64>1 << 51);
  h.magicSub = pow2Bits64(f.subUlpExp + 52) | (<u64>1 << 51);
  // Past max + half an ulp everything overflows; the tie itself overflows when max's last bit is odd.
  const maxOdd = ((f.maxBits >>> <u32>(23 - f.m)) & 1) != 0;
  const tie = <f64>reinterpret<f32>(f.maxBits) + reinterpret<f64>(pow2Bits64(f.emax - f.m - 1));
  h.overflowFrom = maxOdd ? tie : reinterpret<f64>(reinterpret<u64>(tie) + 1);
  h.overflowValue = <f64>reinterpret<f32>(f.overflowBits);
}

/** Hoisted constants of rne to a float format (m >= 1) from f32 bits. */
@final @unmanaged
export class Hoisted32 {
  one: u32 = 0; // the kept part's last bit
  half: u32 = 0;
  keep: u32 = 0;
  minNormalLess: u32 = 0; // thresholds minus one, for signed "greater than"
  magic: f32 = 0;
  overflowFromLess: u32 = 0;
  overflow: u32 = 0;
  /** Magic rounding: exponent field plus expK is 1.5 * 2^(e + 23 - m); magicSub the same at the subnormal ulp. */
  expK: u32 = 0;
  magicSub: u32 = 0;
  /** Smallest magnitude whose rne result passes the largest value. */
  overflowFrom: f32 = 0;
}

export const hoisted32Mul = new Hoisted32();
export const hoisted32Acc = new Hoisted32();

export function hoist32(h: Hoisted32, f: Format): void {
  const one: u32 = <u32>1 << <u32>(23 - f.m);
  // Past max + half an ulp everything overflows; the tie itself overflows when max's last bit is odd.
  const overflowFrom = f.maxBits + (one >>> 1) + ((f.maxBits & one) != 0 ? 0 : 1);
  h.one = one;
  h.half = one >>> 1;
  h.keep = ~(one - 1);
  h.minNormalLess = f.minNormalBits - 1;
  h.magic = f.subMagic;
  h.overflowFromLess = overflowFrom - 1;
  h.overflow = f.overflowBits;
  h.expK = (<u32>(23 - f.m) << 23) | 0x40_0000;
  h.magicSub = (<u32>(f.subUlpExp + 23 + 127) << 23) | 0x40_0000;
  h.overflowFrom = reinterpret<f32>(overflowFrom);
}
