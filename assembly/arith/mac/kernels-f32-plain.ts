// The plain f32 GEMM (SIMD build): every step is one f32 multiply and one f32 add in increasing k, the
// definition of fp32 products and sums with rne (docs/gemm.md), so fp32 training's GEMMs (exact or fast
// mode) need no emulation at all. Register blocks of 4 rows x 8 columns (eight f32x4 sums) load each W
// vector once for four rows and each X value once for eight columns; every output still has its own
// chain in k order, nothing is reassociated. A transposed W is copied into the panel in slabs of 8
// columns and up to PLAIN_K rows; the running sums wait in Z between slabs, losslessly (f32 values).
import { at, job, canonical, storeCanonical, panel, PANEL_FLOATS } from "./job";

/** Rows of a transposed W per slab of 8 columns: the panel holds 8 x PLAIN_K values. */
const PLAIN_K: i32 = PANEL_FLOATS / 8;

/** Copies W(k0..kEnd-1, j..j+7) into the panel, 8 values a row. */
function packSlab(j: i32, k0: i32, kEnd: i32): void {
  const w = job.w, wK = job.wK, wCol = job.wCol;
  const c = <usize>wCol << 2;
  let dst = panel;
  for (let kk = k0; kk < kEnd; kk++) {
    const src = at(w, kk, wK, j, wCol);
    store<f32>(dst, load<f32>(src));
    store<f32>(dst, load<f32>(src + c), 4);
    store<f32>(dst, load<f32>(src + 2 * c), 8);
    store<f32>(dst, load<f32>(src + 3 * c), 12);
    store<f32>(dst, load<f32>(src + 4 * c), 16);
    store<f32>(dst, load<f32>(src + 5 * c), 20);
    store<f32>(dst, load<f32>(src + 6 * c), 24);
    store<f32>(dst, load<f32>(src + 7 * c), 28);
    dst += 32;
  }
}

/**
 * Z(i..i+rows-1, j..j+4*vecs-1) over kk in [k0, kEnd), rows 4 or 1, vecs 2 or 1; W rows from wFirst,
 * wRowStep bytes apart. Sums start from Z when `resume`, from +0 otherwise; NaN is made canonical when
 * `last`.
 */
// @ts-ignore: decorator
@inline function tile(rows: i32, vecs: i32, i: i32, j: i32, k0: i32, kEnd: i32, wFirst: usize, wRowStep: usize, resume: bool, last: bool): void {
  const z = job.z, ldz = job.ldz;
  const z0 = at(z, i, ldz, j, 1);
  const z1 = z0 + (<usize>ldz << 2), z2 = z1 + (<usize>ldz << 2), z3 = z2 + (<usize>ldz << 2);
  let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s10 = f32x4.splat(0), s11 = f32x4.splat(0);
  let s20 = f32x4.splat(0), s21 = f32x4.splat(0), s30 = f32x4.splat(0), s31 = f32x4.splat(0);
  if (resume) {
    s00 = v128.load(z0);
    if (vecs > 1) s01 = v128.load(z0, 16);
    if (rows > 1) {
      s10 = v128.load(z1); s20 = v128.load(z2); s30 = v128.load(z3);
      if (vecs > 1) { s11 = v128.load(z1, 16); s21 = v128.load(z2, 16); s31 = v128.load(z3, 16); }
    }
  }
  const xRow = <usize>job.xRow << 2, xStep = <usize>job.xK << 2;
  let xp = at(job.x, i, job.xRow, k0, job.xK);
  let wp = wFirst;
  for (let kk = k0; kk < kEnd; kk++) {
    const w0 = v128.load(wp);
    const w1 = vecs > 1 ? v128.load(wp, 16) : w0;
    const x0 = f32x4.splat(load<f32>(xp));
    s00 = f32x4.add(s00, f32x4.mul(x0, w0));
    if (vecs > 1) s01 = f32x4.add(s01, f32x4.mul(x0, w1));
    if (rows > 1) {
      const x1 = f32x4.splat(load<f32>(xp + xRow));
      s10 = f32x4.add(s10, f32x4.mul(x1, w0));
      if (vecs > 1) s11 = f32x4.add(s11, f32x4.mul(x1, w1));
      const x2 = f32x4.splat(load<f32>(xp + 2 * xRow));
      s20 = f32x4.add(s20, f32x4.mul(x2, w0));
      if (vecs > 1) s21 = f32x4.add(s21, f32x4.mul(x2, w1));
      const x3 = f32x4.splat(load<f32>(xp + 3 * xRow));
      s30 = f32x4.add(s30, f32x4.mul(x3, w0));
      if (vecs > 1) s31 = f32x4.add(s31, f32x4.mul(x3, w1));
    }
    xp += xStep;
    wp += wRowStep;
  }
  if (last) {
    storeCanonical(z0, s00);
    if (vecs > 1) storeCanonical(z0 + 16, s01);
    if (rows > 1) {
      storeCanonical(z1, s10); storeCanonical(z2, s20); storeCanonical(z3, s30);
      if (vecs > 1) { storeCanonical(z1 + 16, s11); storeCanonical(z2 + 16, s21); storeCanonical(z3 + 16, s31); }
    }
  } else {
    v128.store(z0, s00);
    if (vecs > 1) v128.store(z0, s01, 16);
    if (rows > 1) {
      v128.store(z1, s10); v128.store(z2, s20); v128.store(z3, s30);
      if (vecs > 1) { v128.store(z1, s11, 16); v128.store(z2, s21, 16); v128.store(z3, s31, 16); }
    }
  }
}

/** Every row of columns j..j+4*vecs-1 over [k0, kEnd): blocks of 4 rows, then single rows. */
// @ts-ignore: decorator
@inline function columnBlock(vecs: i32, j: i32, k0: i32, kEnd: i32, wFirst: usize, wRowStep: usize, resume: bool, last: bool): void {
  const m = job.m;
  let i = 0;
  for (; i + 4 <= m; i += 4) tile(4, vecs, i, j, k0, kEnd, wFirst, wRowStep, resume, last);
  for (; i < m; i++) tile(1, vecs, i, j, k0, kEnd, wFirst, wRowStep, resume, last);
}

/** Columns [0, n): blocks of 8 and 4 in f32x4 lanes, the last few one output at a time. */
export function gemmPlain32(): void {
  if (!ASC_FEATURE_SIMD) return;
  const n = job.n, k = job.k;
  const accumulate = job.accumulate;
  let j = 0;
  if (job.wCol == 1) {
    const wRowStep = <usize>job.wK << 2;
    for (; j + 8 <= n; j += 8) columnBlock(2, j, 0, k, at(job.w, 0, job.wK, j, 1), wRowStep, accumulate, true);
    if (j + 4 <= n) {
      columnBlock(1, j, 0, k, at(job.w, 0, job.wK, j, 1), wRowStep, accumulate, true);
      j += 4;
    }
  } else {
    for (; j + 8 <= n; j += 8) {
      for (let k0 = 0; k0 < k; k0 += PLAIN_K) {
        const kEnd = min(k, k0 + PLAIN_K);
        packSlab(j, k0, kEnd);
        columnBlock(2, j, k0, kEnd, panel, 32, accumulate || k0 > 0, kEnd == k);
      }
    }
  }
  // The last columns (fewer than 8 of a transposed W, fewer than 4 otherwise): one chain each.
  const m = job.m, x = job.x, w = job.w, z = job.z;
  const xRow = job.xRow, xK = job.xK, wK = job.wK, wCol = job.wCol, ldz = job.ldz;
  for (; j < n; j++) {
    for (let i = 0; i < m; i++) {
      const zp = at(z, i, ldz, j, 1);
      let s: f32 = accumulate ? load<f32>(zp) : 0;
      let xp = at(x, i, xRow, 0, xK), wp = at(w, 0, wK, j, wCol);
      for (let kk = 0; kk < k; kk++) {
        s += load<f32>(xp) * load<f32>(wp);
        xp += <usize>xK << 2;
        wp += <usize>wK << 2;
      }
      store<f32>(zp, canonical(s));
    }
  }
}
