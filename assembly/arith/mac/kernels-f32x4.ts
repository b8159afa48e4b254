// The f32x4 kernel (SIMD build) for sums rounded to nearest even: four outputs per vector, eight vectors
// (32 outputs) per block so the processor overlaps eight chains. The product is an f32 product that is
// exact (probe) or is by definition the fp32-rne product, optionally rounded once to mul. The sum s + p is
// split by TwoSum in f32 and rounded to odd at 24 bits: rne to a format whose last place is at least four
// f32 ulps everywhere (m <= 21, subnormal ulp >= 2^-147) then rounds exactly like the exact sum (the
// round-to-odd theorem again). An f32 sum that overflows needs no odd step: every such format overflows
// at a smaller magnitude. fp32 itself with rne is the f32 sum.
import { ROUND_RNE } from "../../generated/formats";
import { Format, F32_SIGN } from "../format";
import { MacSpec, isIdentityOnF32 } from "./spec";
import { hoisted32Mul, hoisted32Acc, hoist32, KIND_EXACT, KIND_RNE } from "./hoisted";
import { at, job, storeCanonical, panel, PANEL_FLOATS } from "./job";

const P32_EXACT: i32 = 0; // the f32 product is the term
const P32_RNE: i32 = 1; // the (exact) f32 product rounded to mul
const A32_ODD: i32 = 0; // TwoSum, round to odd, rne to acc (integer rounding)
const A32_ODD_MAGIC: i32 = 1; // the same, rne by adding and subtracting 1.5 * 2^(e + 23 - m)
const A32_PLAIN: i32 = 2; // acc is fp32 with rne: the f32 sum

/**
 * Magic rounding applies when 1.5 * 2^(e + 23 - m) stays finite for every value that does not overflow,
 * |x| stays below half of it (m <= 21), and the subnormal grid is the finest below 2^emin (subnormals on).
 */
function magicRounds(f: Format): bool {
  return f.isFloat && f.subnormals && f.m >= 1 && f.m <= 21 && f.emax - f.m <= 103;
}

// @ts-ignore: decorator
@inline function nearestEven32x4(u: v128, vOne: v128, vHalf: v128, vKeep: v128, vMinLess: v128, vMagic: v128, vOverFromLess: v128, vOver: v128): v128 {
  const sign = v128.and(u, i32x4.splat(F32_SIGN));
  const a = v128.xor(u, sign);
  // a + half - 1 when the kept part is even, a + half when odd: carries exactly when rne rounds up.
  const even = i32x4.eq(v128.and(a, vOne), i32x4.splat(0));
  const normal = v128.and(i32x4.add(i32x4.add(a, vHalf), even), vKeep);
  const sub = f32x4.sub(f32x4.add(a, vMagic), vMagic);
  // Magnitudes are below 2^31, so signed compares (one instruction each) order them; the thresholds are
  // hoisted minus one. What an overflow gives is chosen off the sum's critical path: NaN stays NaN.
  const over = v128.bitselect(a, vOver, i32x4.gt_s(a, i32x4.splat(0x7f80_0000)));
  const r = v128.bitselect(normal, sub, i32x4.gt_s(a, vMinLess));
  return v128.or(v128.bitselect(over, r, i32x4.gt_s(a, vOverFromLess)), sign);
}

/**
 * rne by the FPU: x + M - M with M = 1.5 * 2^(e + 23 - m) (or the subnormal grid's, whichever is larger)
 * rounds x to its binade's grid with ties to even. The sign is put back for values that round to zero;
 * NaN fails the overflow compare and passes through.
 */
// @ts-ignore: decorator
@inline function nearestEvenMagic32x4(u: v128, vExpK: v128, vMagicSub: v128, vOverFrom: v128, vOver: v128): v128 {
  const magic = i32x4.max_u(i32x4.add(v128.and(u, i32x4.splat(0x7f80_0000)), vExpK), vMagicSub);
  const r = f32x4.sub(f32x4.add(u, magic), magic);
  const r2 = v128.bitselect(vOver, r, f32x4.ge(f32x4.abs(u), vOverFrom));
  return v128.or(r2, v128.and(u, i32x4.splat(F32_SIGN)));
}

// @ts-ignore: decorator
@inline function step32x4(
  prodKind: i32, accKind: i32, s: v128, product: v128,
  vmOne: v128, vmHalf: v128, vmKeep: v128, vmMin: v128, vmMagic: v128, vmOverFrom: v128, vmOver: v128,
  vaOne: v128, vaHalf: v128, vaKeep: v128, vaMin: v128, vaMagic: v128, vaOverFrom: v128, vaOver: v128,
  vaExpK: v128, vaMagicSub: v128, vaOverFromF: v128,
): v128 {
  let term = product;
  if (prodKind == P32_RNE) term = nearestEven32x4(product, vmOne, vmHalf, vmKeep, vmMin, vmMagic, vmOverFrom, vmOver);
  const hi = f32x4.add(s, term);
  if (accKind == A32_PLAIN) return hi;
  const bb = f32x4.sub(hi, s);
  const lo = f32x4.add(f32x4.sub(s, f32x4.sub(hi, bb)), f32x4.sub(term, bb));
  const odd = v128.or(i32x4.sub(hi, i32x4.shr_u(v128.xor(lo, hi), 31)), i32x4.splat(1));
  const sum = v128.bitselect(odd, hi, f32x4.gt(f32x4.abs(lo), f32x4.splat(0)));
  if (accKind == A32_ODD_MAGIC) return nearestEvenMagic32x4(sum, vaExpK, vaMagicSub, vaOverFromF, vaOver);
  return nearestEven32x4(sum, vaOne, vaHalf, vaKeep, vaMin, vaMagic, vaOverFrom, vaOver);
}

/** Rows of a transposed W per panel of this kernel: PANEL_K x 32 f32. */
const PANEL_K: i32 = PANEL_FLOATS / 32;

/** Copies W(k0..kEnd-1, j..j+width-1) into the panel, row after row. */
function packPanel(j: i32, width: i32, k0: i32, kEnd: i32): void {
  const w = job.w, wK = job.wK, wCol = job.wCol;
  let dst = panel;
  for (let kk = k0; kk < kEnd; kk++) {
    for (let c = 0; c < width; c++) store<f32>(dst + (<usize>c << 2), load<f32>(at(w, kk, wK, j + c, wCol)));
    dst += <usize>width << 2;
  }
}

/** Columns [from, returned) in blocks of 4 * vectors outputs (vectors is 1 or 8). */
// @ts-ignore: decorator
@inline function exactKernel32(prodKind: i32, accKind: i32, vectors: i32, from: i32): i32 {
  const m = job.m, n = job.n, k = job.k;
  const width = vectors * 4;
  const end = from + (n - from) / width * width;
  const x = job.x, w = job.w, z = job.z, ldz = job.ldz;
  const xRow = job.xRow;
  const xStep = <usize>job.xK << 2, wStep = <usize>job.wK << 2;
  const accumulate = job.accumulate;
  const mh = hoisted32Mul, ah = hoisted32Acc;
  const vmOne = i32x4.splat(mh.one), vmHalf = i32x4.splat(mh.half), vmKeep = i32x4.splat(mh.keep), vmMin = i32x4.splat(mh.minNormalLess);
  const vmMagic = f32x4.splat(mh.magic), vmOverFrom = i32x4.splat(mh.overflowFromLess), vmOver = i32x4.splat(mh.overflow);
  const vaOne = i32x4.splat(ah.one), vaHalf = i32x4.splat(ah.half), vaKeep = i32x4.splat(ah.keep), vaMin = i32x4.splat(ah.minNormalLess);
  const vaMagic = f32x4.splat(ah.magic), vaOverFrom = i32x4.splat(ah.overflowFromLess), vaOver = i32x4.splat(ah.overflow);
  const vaExpK = i32x4.splat(ah.expK), vaMagicSub = i32x4.splat(ah.magicSub), vaOverFromF = f32x4.splat(ah.overflowFrom);
  const contiguous = job.wCol == 1;
  const panelRow = <usize>width << 2;
  // A transposed W is copied, PANEL_K rows at a time, into a panel whose rows are contiguous; the running
  // sums wait in Z between panels (they are f32 values, so nothing is lost).
  const chunk = contiguous ? k : PANEL_K;
  for (let j = from; j < end; j += width) {
    for (let k0 = 0; k0 < k; k0 += chunk) {
      const kEnd = min(k, k0 + chunk);
      if (!contiguous) packPanel(j, width, k0, kEnd);
      const wFirst = contiguous ? at(w, k0, job.wK, j, 1) : panel;
      const wRowStep = contiguous ? wStep : panelRow;
      const last = kEnd == k;
      for (let i = 0; i < m; i++) {
        const zp = at(z, i, ldz, j, 1);
        let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
        let s4 = f32x4.splat(0), s5 = f32x4.splat(0), s6 = f32x4.splat(0), s7 = f32x4.splat(0);
        if (accumulate || k0 > 0) {
          s0 = v128.load(zp);
          if (vectors > 1) {
            s1 = v128.load(zp, 16); s2 = v128.load(zp, 32); s3 = v128.load(zp, 48);
            s4 = v128.load(zp, 64); s5 = v128.load(zp, 80); s6 = v128.load(zp, 96); s7 = v128.load(zp, 112);
          }
        }
        let xp = at(x, i, xRow, k0, job.xK);
        let wp = wFirst;
        for (let kk = k0; kk < kEnd; kk++) {
          const xs = f32x4.splat(load<f32>(xp));
          s0 = step32x4(prodKind, accKind, s0, f32x4.mul(xs, v128.load(wp)),
            vmOne, vmHalf, vmKeep, vmMin, vmMagic, vmOverFrom, vmOver, vaOne, vaHalf, vaKeep, vaMin, vaMagic, vaOverFrom, vaOver, vaExpK, vaMagicSub, vaOverFromF);
          if (vectors > 1) {
            s1 = step32x4(prodKind, accKind, s1, f32x4.mul(xs, v128.load(wp, 16)),
              vmOne, vmHalf, vmKeep, vmMin, vmMagic, vmOverFrom, vmOver, vaOne, vaHalf, vaKeep, vaMin, vaMagic, vaOverFrom, vaOver, vaExpK, vaMagicSub, vaOverFromF);
            s2 = step32x4(prodKind, accKind, s2, f32x4.mul(xs, v128.load(wp, 32)),
              vmOne, vmHalf, vmKeep, vmMin, vmMagic, vmOverFrom, vmOver, vaOne, vaHalf, vaKeep, vaMin, vaMagic, vaOverFrom, vaOver, vaExpK, vaMagicSub, vaOverFromF);
            s3 = step32x4(prodKind, accKind, s3, f32x4.mul(xs, v128.load(wp, 48)),
              vmOne, vmHalf, vmKeep, vmMin, vmMagic, vmOverFrom, vmOver, vaOne, vaHalf, vaKeep, vaMin, vaMagic, vaOverFrom, vaOver, vaExpK, vaMagicSub, vaOverFromF);
            s4 = step32x4(prodKind, accKind, s4, f32x4.mul(xs, v128.load(wp, 64)),
              vmOne, vmHalf, vmKeep, vmMin, vmMagic, vmOverFrom, vmOver, vaOne, vaHalf, vaKeep, vaMin, vaMagic, vaOverFrom, vaOver, vaExpK, vaMagicSub, vaOverFromF);
            s5 = step32x4(prodKind, accKind, s5, f32x4.mul(xs, v128.load(wp, 80)),
              vmOne, vmHalf, vmKeep, vmMin, vmMagic, vmOverFrom, vmOver, vaOne, vaHalf, vaKeep, vaMin, vaMagic, vaOverFrom, vaOver, vaExpK, vaMagicSub, vaOverFromF);
            s6 = step32x4(prodKind, accKind, s6, f32x4.mul(xs, v128.load(wp, 96)),
              vmOne, vmHalf, vmKeep, vmMin, vmMagic, vmOverFrom, vmOver, vaOne, vaHalf, vaKeep, vaMin, vaMagic, vaOverFrom, vaOver, vaExpK, vaMagicSub, vaOverFromF);
            s7 = step32x4(prodKind, accKind, s7, f32x4.mul(xs, v128.load(wp, 112)),
              vmOne, vmHalf, vmKeep, vmMin, vmMagic, vmOverFrom, vmOver, vaOne, vaHalf, vaKeep, vaMin, vaMagic, vaOverFrom, vaOver, vaExpK, vaMagicSub, vaOverFromF);
          }
          xp += xStep;
          wp += wRowStep;
        }
        if (last) {
          storeCanonical(zp, s0);
          if (vectors > 1) {
            storeCanonical(zp + 16, s1); storeCanonical(zp + 32, s2); storeCanonical(zp + 48, s3);
            storeCanonical(zp + 64, s4); storeCanonical(zp + 80, s5); storeCanonical(zp + 96, s6); storeCanonical(zp + 112, s7);
          }
        } else {
          v128.store(zp, s0);
          if (vectors > 1) {
            v128.store(zp, s1, 16); v128.store(zp, s2, 32); v128.store(zp, s3, 48);
            v128.store(zp, s4, 64); v128.store(zp, s5, 80); v128.store(zp, s6, 96); v128.store(zp, s7, 112);
          }
        }
      }
    }
  }
  return end;
}

/**
 * The f32x4 kernel when it applies (SIMD build, rne sums): returns the first column it
 * did not compute, 0 when it does not apply.
 */
export function tryExact32(spec: MacSpec, mul: Format, mulMode: i32, mulKind: i32, acc: Format, accMode: i32, exact32: bool): i32 {
  if (!ASC_FEATURE_SIMD) return 0;
  let accKind = A32_ODD;
  if (isIdentityOnF32(acc, accMode)) accKind = A32_PLAIN;
  else if (accMode != ROUND_RNE || !acc.isFloat || acc.m < 1 || acc.m > 21 || acc.subUlpExp < -147) return 0;
  else if (magicRounds(acc)) accKind = A32_ODD_MAGIC;
  let prodKind = P32_EXACT;
  if (spec.fma || mulKind == KIND_EXACT) {
    if (!exact32) return 0;
  } else if (!isIdentityOnF32(mul, mulMode)) {
    // The integer rne needs a discarded bit (m <= 22).
    if (mulKind != KIND_RNE || !exact32 || mul.m > 22) return 0;
    prodKind = P32_RNE;
    hoist32(hoisted32Mul, mul);
  }
  if (accKind != A32_PLAIN) hoist32(hoisted32Acc, acc);
  if (prodKind == P32_EXACT) return accKind == A32_ODD ? exactOdd() : accKind == A32_ODD_MAGIC ? exactMagic() : exactPlain();
  return accKind == A32_ODD ? rneOdd() : accKind == A32_ODD_MAGIC ? rneMagic() : rnePlain();
}

// One function per (product, sum) case, so each inner loop carries only its own work: blocks of 32
// outputs, then of 4.
function exactOdd(): i32 { return exactKernel32(P32_EXACT, A32_ODD, 1, exactKernel32(P32_EXACT, A32_ODD, 8, 0)); }
function exactMagic(): i32 { return exactKernel32(P32_EXACT, A32_ODD_MAGIC, 1, exactKernel32(P32_EXACT, A32_ODD_MAGIC, 8, 0)); }
function exactPlain(): i32 { return exactKernel32(P32_EXACT, A32_PLAIN, 1, exactKernel32(P32_EXACT, A32_PLAIN, 8, 0)); }
function rneOdd(): i32 { return exactKernel32(P32_RNE, A32_ODD, 1, exactKernel32(P32_RNE, A32_ODD, 8, 0)); }
function rneMagic(): i32 { return exactKernel32(P32_RNE, A32_ODD_MAGIC, 1, exactKernel32(P32_RNE, A32_ODD_MAGIC, 8, 0)); }
function rnePlain(): i32 { return exactKernel32(P32_RNE, A32_PLAIN, 1, exactKernel32(P32_RNE, A32_PLAIN, 8, 0)); }
