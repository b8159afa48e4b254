// The GEMM entry point and the dispatcher that picks, for each job, the cheapest kernel that gives the
// reference kernel's bits (docs/gemm.md, "How the kernels stay exact").
//
// Every kernel computes, for each output, the same sequence of correctly rounded steps in increasing k;
// the faster ones only prove (from the formats and a scan of the operands) that a cheaper computation
// gives the same bits, and vectorise across independent outputs, never across a reduction.
import { ROUND_RNE, ROUND_SR } from "../../generated/formats";
import { Format } from "../format";
import { MacSpec, mulFormat, mulRounding, accFormat, accRounding, isIdentityOnF32 } from "./spec";
import { at, job, panel, PANEL_FLOATS } from "./job";
import { probe, rangeX, rangeW, rangeZ, RANGE_NONE_MSB } from "./probe";
import { gemmReference, gemmFast, fastSums, roundFastOutputs } from "./reference";
import { hoist, hoistedMul, hoistedAcc, KIND_GENERAL, KIND_EXACT, KIND_RNE, KIND_SR } from "./hoisted";
import { exactKernel } from "./kernels-f64";
import { exactKernelSimd, sumsStayFinite, widensW } from "./kernels-f64x2";
import { tryExact32 } from "./kernels-f32x4";
import { gemmPlain32 } from "./kernels-f32-plain";

/** The kind of kernel rounding to `f` with `mode` can use. */
function kindFor(f: Format, mode: i32): i32 {
  if (!f.isFloat) return KIND_GENERAL;
  if (mode == ROUND_RNE && f.m >= 1) return KIND_RNE; // m = 0: ties follow the exponent code (rounding.ts)
  if (mode == ROUND_SR) return KIND_SR;
  return KIND_GENERAL;
}

/**
 * Columns [first, n): f64x2 blocks of 8, then of 4 (SIMD build), then the scalar kernel. `drawShift` and
 * `drop` are hoistedAcc's srDrawShift and srDrop, or the same values as literals (exactExactSrE).
 */
// @ts-ignore: decorator
@inline function exactColumns(mulKind: i32, accKind: i32, exactSum: bool, key: u32, srBits: i32, first: i32,
  biased: bool = false, finite: bool = false, drawShift: i32 = <i32>hoistedAcc.srDrawShift, drop: i32 = <i32>hoistedAcc.srDrop, wide: bool = false): void {
  const from = ASC_FEATURE_SIMD
    ? exactKernelSimd(mulKind, accKind, exactSum, biased, finite, key, srBits, 1,
      exactKernelSimd(mulKind, accKind, exactSum, biased, finite, key, srBits, 2, first, drawShift, drop, wide), drawShift, drop, wide)
    : first;
  exactKernel(mulKind, accKind, exactSum, key, srBits, from);
}

/** Whether acc has subnormals and whether no running sum of the job can leave acc's finite range (sumsStayFinite): set once per job. */
let accBiased = false;
let sumsFinite = false;

/**
 * Exact sums rounded stochastically: one instance per (biased, finite), so that neither is tested in the
 * inner loop. fp16 sums with 32 random bits (fp8-mixed) take the draw's shifts as literals, 0 and 52 - 10 - 32.
 */
// @ts-ignore: decorator
@inline function exactSrSums(mulKind: i32, key: u32, srBits: i32, from: i32, wide: bool = false): void {
  const drawShift = <i32>hoistedAcc.srDrawShift, drop = <i32>hoistedAcc.srDrop;
  if (!accBiased) exactColumns(mulKind, KIND_SR, true, key, srBits, from, false, false, drawShift, drop, wide);
  else if (!sumsFinite) exactColumns(mulKind, KIND_SR, true, key, srBits, from, true, false, drawShift, drop, wide);
  else if (ASC_FEATURE_SIMD && drawShift == 0 && drop == 10) exactColumns(mulKind, KIND_SR, true, key, srBits, from, true, true, 0, 10, wide);
  else exactColumns(mulKind, KIND_SR, true, key, srBits, from, true, true, drawShift, drop, wide);
}

/**
 * Stochastic exact sums whose W blocks the f64x2 kernel widens (widensW): their own functions, apart from
 * the cases' (see exactKernelSimd), and only for these cases, the ones training runs most.
 */
function exactExactSrEWide(key: u32, srBits: i32, from: i32): void { exactSrSums(KIND_EXACT, key, srBits, from, true); }
function exactRneSrEWide(key: u32, srBits: i32, from: i32): void { exactSrSums(KIND_RNE, key, srBits, from, true); }
function exactSrSrEWide(key: u32, srBits: i32, from: i32): void { exactSrSums(KIND_SR, key, srBits, from, true); }

/** Columns of a transposed W per panel for depth k: blocks of 8 (or 4) that fit the panel; 0 when none does. */
function panelColumns(k: i32): i32 {
  const fit = PANEL_FLOATS / k;
  return fit >= 8 ? fit & ~7 : fit >= 4 ? 4 : 0;
}

// One function per (product, sum, exactness) case, so each inner loop carries only its own work.
function exactExactRneE(key: u32, srBits: i32, from: i32): void { exactColumns(KIND_EXACT, KIND_RNE, true, key, srBits, from); }
function exactExactRneO(key: u32, srBits: i32, from: i32): void { exactColumns(KIND_EXACT, KIND_RNE, false, key, srBits, from); }
function exactExactSrE(key: u32, srBits: i32, from: i32): void { exactSrSums(KIND_EXACT, key, srBits, from); }
function exactExactSrO(key: u32, srBits: i32, from: i32): void { exactColumns(KIND_EXACT, KIND_SR, false, key, srBits, from); }
function exactRneRneE(key: u32, srBits: i32, from: i32): void { exactColumns(KIND_RNE, KIND_RNE, true, key, srBits, from); }
function exactRneRneO(key: u32, srBits: i32, from: i32): void { exactColumns(KIND_RNE, KIND_RNE, false, key, srBits, from); }
function exactRneSrE(key: u32, srBits: i32, from: i32): void { exactSrSums(KIND_RNE, key, srBits, from); }
function exactRneSrO(key: u32, srBits: i32, from: i32): void { exactColumns(KIND_RNE, KIND_SR, false, key, srBits, from); }
function exactSrRneE(key: u32, srBits: i32, from: i32): void { exactColumns(KIND_SR, KIND_RNE, true, key, srBits, from); }
function exactSrRneO(key: u32, srBits: i32, from: i32): void { exactColumns(KIND_SR, KIND_RNE, false, key, srBits, from); }
function exactSrSrE(key: u32, srBits: i32, from: i32): void { exactSrSums(KIND_SR, key, srBits, from); }
function exactSrSrO(key: u32, srBits: i32, from: i32): void { exactColumns(KIND_SR, KIND_SR, false, key, srBits, from); }

/** The (product, sum, exactness) case of products of kind mulKind, sums of kind accKind, sums exact in f64 or not. */
// @ts-ignore: decorator
@inline function exactCaseOf(mulKind: i32, accKind: i32, exactSum: bool): i32 {
  return (mulKind - KIND_EXACT) * 4 + (accKind - KIND_RNE) * 2 + (exactSum ? 0 : 1);
}

const CASE_EXACT_SR_EXACT = exactCaseOf(KIND_EXACT, KIND_SR, true);
const CASE_RNE_SR_EXACT = exactCaseOf(KIND_RNE, KIND_SR, true);
const CASE_SR_SR_EXACT = exactCaseOf(KIND_SR, KIND_SR, true);

/** Whether case `which` of this job runs with W widened into the panel (exactRun). */
function widensCase(which: i32): bool {
  return (which == CASE_EXACT_SR_EXACT || which == CASE_RNE_SR_EXACT || which == CASE_SR_SR_EXACT) && widensW();
}

/**
 * Columns [from, n) of the job in case `which` (exactCaseOf). A switch, not function values: those would
 * be objects in the module's static data and move every address a board reports.
 */
function exactRun(which: i32, key: u32, srBits: i32, from: i32): void {
  if (ASC_FEATURE_SIMD && widensCase(which)) {
    if (which == CASE_EXACT_SR_EXACT) exactExactSrEWide(key, srBits, from);
    else if (which == CASE_RNE_SR_EXACT) exactRneSrEWide(key, srBits, from);
    else exactSrSrEWide(key, srBits, from);
    return;
  }
  switch (which) {
    case 0: exactExactRneE(key, srBits, from); break;
    case 1: exactExactRneO(key, srBits, from); break;
    case 2: exactExactSrE(key, srBits, from); break;
    case 3: exactExactSrO(key, srBits, from); break;
    case 4: exactRneRneE(key, srBits, from); break;
    case 5: exactRneRneO(key, srBits, from); break;
    case 6: exactRneSrE(key, srBits, from); break;
    case 7: exactRneSrO(key, srBits, from); break;
    case 8: exactSrRneE(key, srBits, from); break;
    case 9: exactSrRneO(key, srBits, from); break;
    case 10: exactSrSrE(key, srBits, from); break;
    default: exactSrSrO(key, srBits, from); break;
  }
}

/**
 * W stored transposed (SIMD build): the f64x2 kernels read W rows, so the columns [first, n) go through
 * the panel a few at a time, copied row-major. Each row of Z is then a one-row job whose column indices
 * are the real output indices i*n + j (its X, Z and panel pointers shifted to match), so every output
 * keeps its own draws and the bits of the full job. False when no block of columns fits the panel.
 */
function exactTransposed(which: i32, key: u32, srBits: i32, first: i32): bool {
  const k = job.k;
  const width = panelColumns(k);
  if (width == 0) return false;
  const m = job.m, n = job.n, x = job.x, xRow = job.xRow, w = job.w, wK = job.wK, wCol = job.wCol, z = job.z, ldz = job.ldz;
  job.m = 1;
  job.wCol = 1;
  for (let j0 = first; j0 < n; j0 += width) {
    const cols = min(width, n - j0);
    let dst = panel;
    for (let kk = 0; kk < k; kk++) {
      let src = at(w, kk, wK, j0, wCol);
      for (let c = 0; c < cols; c++) {
        store<f32>(dst + (<usize>c << 2), load<f32>(src));
        src += <usize>wCol << 2;
      }
      dst += <usize>cols << 2;
    }
    job.wK = cols;
    for (let i = 0; i < m; i++) {
      const o = i * n + j0; // the first output's index in the full job
      job.n = o + cols;
      job.x = at(x, i, xRow, 0, 1);
      job.z = at(z, i, ldz, 0, 1) - (<usize>(i * n) << 2);
      job.w = panel - (<usize>o << 2);
      exactRun(which, key, srBits, o);
    }
  }
  job.m = m; job.n = n; job.x = x; job.w = w; job.wK = wK; job.wCol = wCol; job.z = z;
  return true;
}

/** Exact mode: probes the operands, picks the cheapest kernel that gives the reference's bits. */
function gemmExact(spec: MacSpec): void {
  const mul = mulFormat(spec), acc = accFormat(spec);
  const mulMode = mulRounding(spec), accMode = accRounding(spec);
  const accKind = kindFor(acc, accMode);
  if (accKind == KIND_GENERAL) {
    gemmReference(spec);
    return;
  }
  // fp32 products and sums with rne and no fma: whatever the probe found, the products are exact (plain)
  // or are the fp32-rne product the step asks for, so the plain kernel is the case; skip the scans.
  if (ASC_FEATURE_SIMD && !spec.fma && isIdentityOnF32(mul, mulMode) && isIdentityOnF32(acc, accMode)) {
    gemmPlain32();
    return;
  }
  probe(rangeX, job.x, job.m, job.k, job.xRow, job.xK);
  probe(rangeW, job.w, job.k, job.n, job.wK, job.wCol);
  const noProducts = rangeX.msb == RANGE_NONE_MSB || rangeW.msb == RANGE_NONE_MSB; // every product is 0 (or not finite)
  const productMsb = rangeX.msb + rangeW.msb + 1; // |x*w| < 2^(productMsb + 1)
  const productLsb = rangeX.lsb + rangeW.lsb;
  let mulKind = KIND_EXACT;
  if (!spec.fma) {
    const representable = !rangeX.nonFinite && !rangeW.nonFinite && (noProducts ||
      (mul.isFloat && rangeX.width + rangeW.width <= mul.m + 1 && productLsb >= mul.subUlpExp && productMsb + 1 <= mul.emax));
    if (!representable) mulKind = kindFor(mul, mulMode);
  }
  if (mulKind == KIND_GENERAL) {
    gemmReference(spec);
    return;
  }
  // Exact in f64 when every term and every running sum sits on the grid 2^lo below 2^hi: |s + t| < 2^(hi+1).
  let hi = acc.emax + 1, lo = acc.subUlpExp;
  if (mulKind == KIND_EXACT) {
    if (!noProducts) {
      hi = max(hi, productMsb + 1);
      lo = min(lo, productLsb);
    }
  } else {
    hi = max(hi, mul.emax + 1);
    lo = min(lo, mul.subUlpExp);
  }
  if (job.accumulate) {
    probe(rangeZ, job.z, job.m, job.n, job.ldz, 1);
    if (rangeZ.msb != RANGE_NONE_MSB) {
      hi = max(hi, rangeZ.msb + 1);
      lo = min(lo, rangeZ.lsb);
    }
  }
  const exactSum = hi + 1 - lo <= 53;
  const srBits = spec.srBits;
  // Rounded to odd at 53 bits, a sum keeps 52 - m fraction bits below acc's last place; sr may read
  // only those above the last one (roundSum).
  if (!exactSum && accKind == KIND_SR && srBits > 51 - acc.m) {
    gemmReference(spec);
    return;
  }
  // Every f32 product is exact (or is by definition the fp32-rne product the step asks for).
  const exact32 = noProducts ||
    (rangeX.width + rangeW.width <= 24 && productLsb >= -149 && productMsb <= 126);
  const plainProducts = spec.fma || mulKind == KIND_EXACT ? exact32 : isIdentityOnF32(mul, mulMode);
  if (plainProducts && isIdentityOnF32(acc, accMode)) {
    // fp32 sums with rne: each step is one f32 multiply and one f32 add, the fast-mode loop exactly.
    if (ASC_FEATURE_SIMD) gemmPlain32();
    else gemmFast(spec);
    return;
  }
  const from = tryExact32(spec, mul, mulMode, mulKind, acc, accMode, exact32);
  if (from == job.n) return;
  hoist(hoistedMul, mul, srBits);
  hoist(hoistedAcc, acc, srBits);
  const key = spec.srKey;
  const which = exactCaseOf(mulKind, accKind, exactSum);
  accBiased = acc.subnormals;
  sumsFinite = ASC_FEATURE_SIMD && accKind == KIND_SR && exactSum && accBiased && sumsStayFinite(mulKind, mul, acc, job.k);
  // A transposed W goes through the panel's one-row jobs unless the f64x2 kernel widens its blocks.
  if (ASC_FEATURE_SIMD && job.wCol != 1 && !widensCase(which) && exactTransposed(which, key, srBits, from)) return;
  exactRun(which, key, srBits, from);
}

/**
 * Z[i][j] (= or +=) sum_k X[i][k] * W[k][j] under `spec`. X is m x k (row stride ldx) or, with transX,
 * stored k x m; W is k x n (row stride ldw) or, with transW, stored n x k; Z is m x n (row stride ldz).
 * f32 containers. Arguments must pass gemmCheck (spec.ts).
 */
export function gemm(m: i32, n: i32, k: i32, x: usize, ldx: i32, transX: bool, w: usize, ldw: i32, transW: bool,
                     z: usize, ldz: i32, accumulate: bool, spec: MacSpec): void {
  if (m <= 0 || n <= 0) return;
  job.m = m;
  job.n = n;
  job.k = k;
  job.x = x;
  job.xRow = transX ? 1 : ldx;
  job.xK = transX ? ldx : 1;
  job.w = w;
  job.wK = transW ? 1 : ldw;
  job.wCol = transW ? ldw : 1;
  job.z = z;
  job.ldz = ldz;
  job.accumulate = accumulate;
  if (k == 0) {
    if (!accumulate) for (let i = 0; i < m; i++) memory.fill(at(z, i, ldz, 0, 1), 0, <usize>n << 2);
    return;
  }
  if (spec.fast) {
    // Fast mode's sums are the plain f32 GEMM's, which the SIMD build runs blocked; with fp32 rne sums
    // nothing is rounded at the end (gemmPlain32 makes NaN canonical itself).
    if (ASC_FEATURE_SIMD) gemmPlain32();
    else fastSums();
    if (!ASC_FEATURE_SIMD || !isIdentityOnF32(accFormat(spec), accRounding(spec))) roundFastOutputs(spec);
  } else {
    gemmExact(spec);
  }
}
