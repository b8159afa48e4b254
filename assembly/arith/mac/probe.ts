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
  r.msb = RANGE_NONE_MSB;
  r.lsb = RANGE_NONE_LSB;
  r.width = 0;
  r.nonFinite = false;
  if (ASC_FEATURE_SIMD) {
    if (colStride == 1) {
      probeRowsSimd(r, base, rows, cols, rowStride);
      return;
    }
  }
  for (let a = 0; a < rows; a++) scanValues(r, at(base, a, rowStride, 0, colStride), 0, cols, colStride);
}

/**
 * probe for contiguous rows (SIMD build): four values a vector, each lane keeping its own extremes; a
 * vector with an f32 subnormal, an inf or a NaN sends the rest of its row to scanValues.
 */
function probeRowsSimd(r: Range, base: usize, rows: i32, cols: i32, rowStride: i32): void {
  if (!ASC_FEATURE_SIMD) return;
  const vAbs = i32x4.splat(~F32_SIGN), vZero = i32x4.splat(0);
  const vMinNormal = i32x4.splat(0x80_0000), vInf = i32x4.splat(0x7f80_0000);
  const vNoneMsb = i32x4.splat(RANGE_NONE_MSB), vNoneLsb = i32x4.splat(RANGE_NONE_LSB);
  let vMsb = vNoneMsb, vLsb = vNoneLsb, vWidth = vZero;
  for (let a = 0; a < rows; a++) {
    const row = at(base, a, rowStride, 0, 1);
    let b = 0;
    for (; b + 4 <= cols; b += 4) {
      const u = v128.and(v128.load(row + (<usize>b << 2)), vAbs);
      const zero = i32x4.eq(u, vZero);
      // Signed compares (u is below 2^31): one instruction each, where unsigned ones are several.
      if (!i32x4.all_true(v128.or(zero, v128.andnot(i32x4.lt_s(u, vInf), i32x4.lt_s(u, vMinNormal))))) break;
      // A normal value's high bit is biased - 127. Its significand's last set bit, isolated (s & -s) and
      // converted to an f32 (exactly: a power of two), has exponent field 127 + ctz: low = biased - 277 + field.
      const biased = i32x4.shr_u(u, 23);
      const significand = v128.or(v128.and(u, i32x4.splat(0x7f_ffff)), vMinNormal);
      const lowest = f32x4.convert_i32x4_s(v128.and(significand, i32x4.neg(significand))); // at most 2^23
      const high = i32x4.sub(biased, i32x4.splat(127));
      const low = i32x4.add(i32x4.sub(biased, i32x4.splat(277)), i32x4.shr_u(lowest, 23));
      vMsb = i32x4.max_s(vMsb, v128.bitselect(vNoneMsb, high, zero));
      vLsb = i32x4.min_s(vLsb, v128.bitselect(vNoneLsb, low, zero));
      vWidth = i32x4.max_s(vWidth, v128.andnot(i32x4.add(i32x4.sub(high, low), i32x4.splat(1)), zero));
    }
    scanValues(r, row, b, cols, 1);
  }
  r.msb = max(r.msb, laneMax(vMsb));
  r.lsb = min(r.lsb, -laneMax(i32x4.neg(vLsb)));
  r.width = max(r.width, laneMax(vWidth));
}

/** The largest of four i32 lanes. */
// @ts-ignore: decorator
@inline function laneMax(v: v128): i32 {
  return max(max(i32x4.extract_lane(v, 0), i32x4.extract_lane(v, 1)), max(i32x4.extract_lane(v, 2), i32x4.extract_lane(v, 3)));
}

/** Values from .. to-1 of a row at `row` (element stride `stride`) into r. */
// @ts-ignore: decorator
@inline function scanValues(r: Range, row: usize, from: i32, to: i32, stride: i32): void {
  let msb = r.msb, lsb = r.lsb, width = r.width;
  let nonFinite = r.nonFinite;
  for (let b = from; b < to; b++) {
    const u = load<u32>(row + ((<usize>b * <usize>stride) << 2)) & ~F32_SIGN;
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
  r.msb = msb;
  r.lsb = lsb;
  r.width = width;
  r.nonFinite = nonFinite;
}
