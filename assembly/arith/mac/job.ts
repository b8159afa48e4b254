// The job every kernel reads: shape, operands and strides, set once by the entry point (gemm.ts), and
// the addressing and result-storing rules they share. X(i, kk) and W(kk, j) are reached through element
// strides, so one loop serves every transpose.
import { F32_QNAN } from "../format";

// @ts-ignore: decorator
@inline export function at(base: usize, row: i32, rowStride: i32, col: i32, colStride: i32): usize {
  return base + ((<usize>row * <usize>rowStride + <usize>col * <usize>colStride) << 2);
}

/** A job: shape, operands and strides (in elements) of X(i, kk), W(kk, j) and Z(i, j). */
@final @unmanaged
export class Job {
  m: i32 = 0;
  n: i32 = 0;
  k: i32 = 0;
  x: usize = 0;
  xRow: i32 = 0; // stride between i
  xK: i32 = 0; // stride between kk
  w: usize = 0;
  wK: i32 = 0; // stride between kk
  wCol: i32 = 0; // stride between j
  z: usize = 0;
  ldz: i32 = 0;
  accumulate: bool = false;
}

export const job = new Job();

/**
 * The panel: 16 KB, allocated when the module starts (SIMD build), below anything the device code
 * allocates later and frees between commands. The f32 kernels take its first PANEL_FLOATS values for
 * slabs of a transposed W (kernels-f32x4.ts, kernels-f32-plain.ts, and gemm.ts's column panels for the
 * f64x2 kernel); the f64x2 kernel widens blocks of W, stored either way, into all of it.
 */
export const PANEL_FLOATS: i32 = 2048;
export const PANEL_BYTES: i32 = 16384;
export const panel: usize = ASC_FEATURE_SIMD ? heap.alloc(<usize>PANEL_BYTES) : 0;

/**
 * True when row i of X holds only ±0. Without accumulate and with finite W, every step of such a row is a
 * zero step (its terms are ±0, and +0 + ±0 is +0), so its outputs are +0 whatever the draws: the kernels
 * that skip zero steps store them without running the row's lane streams.
 */
export function zeroRow(i: i32): bool {
  let p = at(job.x, i, job.xRow, 0, 1);
  const step = <usize>job.xK << 2;
  for (let kk = 0; kk < job.k; kk++) {
    if ((load<u32>(p) << 1) != 0) return false;
    p += step;
  }
  return true;
}

/** NaN results are stored as the one quiet NaN 0x7FC00000, whatever sign or payload the arithmetic gave. */
// @ts-ignore: decorator
@inline export function canonical(s: f32): f32 {
  return s != s ? reinterpret<f32>(F32_QNAN) : s;
}

/** Four results at once (SIMD build), NaN lanes canonical. */
// @ts-ignore: decorator
@inline export function storeCanonical(p: usize, v: v128): void {
  v128.store(p, v128.bitselect(i32x4.splat(F32_QNAN), v, f32x4.ne(v, v)));
}
