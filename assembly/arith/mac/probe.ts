// What a job's operands allow. One pass over X, W (and Z when accumulating) finds the widest significand
// and the highest and lowest bits in use; with the formats they decide two facts that make the hot loops
// cheaper without changing a bit (docs/gemm.md, "How the kernels stay exact"):
//  - every product is a value of `mul`: rounding it is the identity, so it is skipped;
//  - every sum s + term is exact in f64: the sum is rounded straight from f64, with no round-to-odd step.
import { F32_SIGN } from "../format";
import { at } from "./job";

@final @unmanaged
export class Range {
  /** Largest floor(log2 |v|) over the finite nonzero values (RANGE_NONE_MSB when there are none). */
  msb: i32 = 0;
  /** Smallest exponent of a last set bit. */
  lsb: i32 = 0;
  /** Widest significand, leading to trailing one. */
  width: i32 = 0;
  nonFinite: bool = false;
}

export const RANGE_NONE_MSB: i32 = -10000;
const RANGE_NONE_LSB: i32 = 10000;

function newRange(): Range {
  return new Range();
}
export const rangeX = newRange();
export const rangeW = newRange();
export const rangeZ = newRange();

/** Scans rows x cols values at base (element strides) into r. */
export function probe(r: Range, base: usize, rows: i32, cols: i32, rowStride: i32, colStride: i32): void {
  let msb = RANGE_NONE_MSB, lsb = RANGE_NONE_LSB, width = 0;
  let nonFinite = false;
  for (let a = 0; a < rows; a++) {
    for (let b = 0; b < cols; b++) {
      const u = load<u32>(at(base, a, rowStride, b, colStride)) & ~F32_SIGN;
      if (u == 0) continue;
      if (u >= 0x7f80_0000) {
        nonFinite = true;
        continue;
      }
      const biased = <i32>(u >>> 23);
      const significand = biased != 0 ? (u & 0x7f_ffff) | 0x80_0000 : u;
      const unit = (biased != 0 ? biased : 1) - 150;
      const low = unit + <i32>ctz(significand);
      const high = unit + 31 - <i32>clz(significand);
      if (high > msb) msb = high;
      if (low < lsb) lsb = low;
      if (high - low + 1 > width) width = high - low + 1;
    }
  }
  r.msb = msb;
  r.lsb = lsb;
  r.width = width;
  r.nonFinite = nonFinite;
}
