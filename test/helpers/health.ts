// What numeric health (docs/precision.md "Numeric health") must count for given values, derived from a
// format's definition through the independent oracle (reference.ts), never from the device's kernels.
import { bitsF32, f32Bits } from "./bits.js";
import type { RefFormat } from "./reference.js";

export const minSubnormal = (ref: RefFormat): number => bitsF32(ref.decode(1));
export const maxFinite = (ref: RefFormat): number => bitsF32(ref.maxBits);
export const roundNearest = (ref: RefFormat, x: number): number => bitsF32(ref.round(f32Bits(x), "rne"));

/** Share of the format's range up to maxAbs, in binades from its smallest subnormal to its largest value, within 0..1. */
export function rangeShare(ref: RefFormat, maxAbs: number): number {
  return rangeShareOf(minSubnormal(ref), maxFinite(ref), maxAbs);
}

/** The same from the smallest positive and largest finite values themselves (fp32: 2^-149 and (2 - 2^-23) 2^127, IEEE 754). */
export function rangeShareOf(minPositive: number, max: number, maxAbs: number): number {
  if (maxAbs === 0) return 0;
  const low = Math.log2(minPositive), high = Math.log2(max);
  return Math.min(1, Math.max(0, (Math.log2(maxAbs) - low) / (high - low)));
}

export interface Expected { values: number; overflows: number; underflows: number; maxAbs: number; rangeUsed: number }

/** What health must say of values x rounded to nearest-even in `ref`. */
export function expected(ref: RefFormat, xs: readonly number[]): Expected {
  const finite = xs.filter(Number.isFinite);
  const maxAbs = Math.max(0, ...finite.map(Math.abs));
  return {
    values: xs.length,
    overflows: finite.filter((x) => Math.abs(x) > maxFinite(ref)).length,
    underflows: xs.filter((x) => x !== 0 && Math.abs(x) <= maxFinite(ref) && roundNearest(ref, x) === 0).length,
    maxAbs,
    rangeUsed: rangeShare(ref, maxAbs),
  };
}
