// The exact kernel in f64 (every build): products and sums are rounded from f64 values with the hoisted
// constants of their format (hoisted.ts), four independent outputs of a row at a time. rne and sr only;
// every other mode takes the reference kernel (reference.ts).
import { ROUND_RNE, ROUND_SR } from "../../generated/formats";
import { Format } from "../format";
import { upStochastic } from "../rounding";
import { laneSeed, laneDraw, xorshift64 } from "../prng";
import { roundDouble, F64_SIGN, F64_INF } from "./rounding";
import { Hoisted, hoistedMul, hoistedAcc, KIND_RNE, KIND_SR } from "./hoisted";
import { at, job, canonical, zeroRow } from "./job";
import { rangeW } from "./probe";

/**
 * Round to nearest even by the FPU (the SIMD build), for a float format with m >= 1: x + M - M with M = 1.5 * 2^(e + 52 - m)
 * (at or above 2^emin; below it 1.5 * 2^(subUlpExp + 52)) rounds x to its grid with ties to even, since
 * |x| stays below half of M. The sign is restored for results that round to zero; NaN fails the overflow
 * compare and passes through.
 */
// @ts-ignore: decorator
@inline function nearestEven64(x: f64, h: Hoisted): f64 {
  const e = reinterpret<u64>(x) & F64_INF;
  const magic = reinterpret<f64>(select<u64>(e + h.expK, h.magicSub, e >= h.minNormal));
  const r = (x + magic) - magic;
  return copysign<f64>(select<f64>(h.overflowValue, r, abs<f64>(x) >= h.overflowFrom), x);
}

/**
 * rne or sr of a finite magnitude below 2^emin, whose grid is the subnormal ulp, with integer operations:
 * the rounding position moves with the binade, so it is kept out of the hot loops. Magnitudes under two
 * ulps take the reference rule (there the kept bit may be the implicit one).
 */
export function belowNormal64(u: u64, h: Hoisted, mode: i32, srBits: i32, draw: u32): u64 {
  const f = changetype<Format>(h.format);
  const sign = u & F64_SIGN;
  const a = u ^ sign;
  if (a == 0) return u;
  const shift = f.subUlpExp + 1075 - <i32>(a >>> 52);
  if (shift > 51) return reinterpret<u64>(<f64>roundDouble(reinterpret<f64>(u), f, mode, srBits, draw));
  const one: u64 = <u64>1 << <u64>shift;
  const dropped = a & (one - 1);
  const kept = a - dropped;
  const half = one >>> 1;
  const up = mode == ROUND_SR
    ? upStochastic(dropped, shift, srBits, draw)
    : dropped > half || (dropped == half && (kept & one) != 0);
  return sign | (up ? kept + one : kept);
}

/**
 * Round to nearest even with integer operations on the f64 bits (the scalar build: its cores may have
 * no FPU, where every floating-point add is a library call). Below 2^emin the reference rule.
 */
// @ts-ignore: decorator
@inline function nearestEvenBits64(x: f64, h: Hoisted): f64 {
  const u = reinterpret<u64>(x);
  const sign = u & F64_SIGN;
  const a = u ^ sign;
  if (a < h.minNormal) return reinterpret<f64>(belowNormal64(u, h, ROUND_RNE, 32, 0));
  // a + half - 1 + (last kept bit): carries exactly when rne rounds up.
  const low = h.low;
  let r = (a + (low >> 1) + ((a >> h.shift) & 1)) & ~low;
  r = select<u64>(h.overflow, r, r > h.max);
  r = select<u64>(a, r, a > F64_INF);
  return reinterpret<f64>(sign | r);
}

/** Stochastic rounding from f64 bits of an exact value (or its 53-bit round to odd when srBits < shift). */
// @ts-ignore: decorator
@inline function stochastic64(u: u64, draw: u32, srBits: i32, h: Hoisted): u64 {
  const sign = u & F64_SIGN;
  const a = u ^ sign;
  if (a < h.minNormal) return belowNormal64(u, h, ROUND_SR, srBits, draw);
  const dropped = a & h.low;
  const up = ((dropped >> h.srDrop) + <u64>(draw >>> h.srDrawShift)) >> h.srR;
  let r = (a - dropped) + (up << h.shift);
  r = select<u64>(h.overflow, r, r > h.max);
  r = select<u64>(a, r, a > F64_INF);
  return sign | r;
}

/** f64 bits of hi + lo rounded to odd at 53 bits, from TwoSum (a NaN lo, from an infinite hi, changes nothing). */
// @ts-ignore: decorator
@inline function sumToOdd(a: f64, b: f64): u64 {
  const hi = a + b;
  const bb = hi - a;
  const lo = (a - (hi - bb)) + (b - bb);
  const hu = reinterpret<u64>(hi);
  return select<u64>((hu - ((reinterpret<u64>(lo) ^ hu) >>> 63)) | 1, hu, abs<f64>(lo) > 0);
}

/** rne of an f64 value to the format of `h`: by the FPU in the SIMD build, by integer operations otherwise. */
// @ts-ignore: decorator
@inline function nearestEven(x: f64, h: Hoisted): f64 {
  return ASC_FEATURE_SIMD ? nearestEven64(x, h) : nearestEvenBits64(x, h);
}

/** A step's term: the exact product or its rounding to mul. */
// @ts-ignore: decorator
@inline function term64(mulKind: i32, product: f64, mulDraw: u32, srBits: i32, mul: Hoisted): f64 {
  if (mulKind == KIND_RNE) return nearestEven(product, mul);
  if (mulKind == KIND_SR) return reinterpret<f64>(stochastic64(reinterpret<u64>(product), mulDraw, srBits, mul));
  return product;
}

/**
 * One output's MAC step in the f64 domain: the term is the exact product or its rounding to mul, the sum
 * is exact in f64 or rounded to odd, then rounded to acc, with this k's two draws of the output's lane stream.
 */
// @ts-ignore: decorator
@inline function step64(mulKind: i32, accKind: i32, exactSum: bool, s: f64, product: f64, mulDraw: u32, accDraw: u32, srBits: i32, mul: Hoisted, acc: Hoisted): f64 {
  const term = term64(mulKind, product, mulDraw, srBits, mul);
  const sum = exactSum ? reinterpret<u64>(s + term) : sumToOdd(s, term);
  if (accKind == KIND_RNE) return nearestEven(reinterpret<f64>(sum), acc);
  return reinterpret<f64>(stochastic64(sum, accDraw, srBits, acc));
}

/**
 * The specialised exact kernel: four outputs of a row at a time (four independent chains for the
 * processor to overlap), each in its own k order. Columns past n repeat the last one and are not stored.
 */
// @ts-ignore: decorator
@inline export function exactKernel(mulKind: i32, accKind: i32, exactSum: bool, key: u32, srBits: i32, from: i32): void {
  const m = job.m, n = job.n, k = job.k;
  const x = job.x, w = job.w, z = job.z, ldz = job.ldz;
  const xRow = job.xRow, wCol = job.wCol;
  const xStep = <usize>job.xK << 2, wStep = <usize>job.wK << 2;
  const accumulate = job.accumulate;
  const mh = hoistedMul, ah = hoistedAcc;
  const sr = mulKind == KIND_SR || accKind == KIND_SR;
  const zeroRows = accKind == KIND_SR && !accumulate && !rangeW.nonFinite && from < n;
  for (let i = 0; i < m; i++) {
    if (zeroRows && zeroRow(i)) {
      memory.fill(at(z, i, ldz, from, 1), 0, <usize>(n - from) << 2);
      continue;
    }
    for (let j = from; j < n; j += 4) {
      const j1 = min(j + 1, n - 1), j2 = min(j + 2, n - 1), j3 = min(j + 3, n - 1);
      let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
      if (accumulate) {
        s0 = <f64>load<f32>(at(z, i, ldz, j, 1));
        s1 = <f64>load<f32>(at(z, i, ldz, j1, 1));
        s2 = <f64>load<f32>(at(z, i, ldz, j2, 1));
        s3 = <f64>load<f32>(at(z, i, ldz, j3, 1));
      }
      // The outputs' lane streams (prng.ts); a repeated last column repeats its stream.
      let r0: u64 = 0, r1: u64 = 0, r2: u64 = 0, r3: u64 = 0;
      if (sr) {
        r0 = laneSeed(key, <u32>(i * n + j));
        r1 = laneSeed(key, <u32>(i * n + j1));
        r2 = laneSeed(key, <u32>(i * n + j2));
        r3 = laneSeed(key, <u32>(i * n + j3));
      }
      let xp = at(x, i, xRow, 0, 1);
      let w0 = at(w, 0, 1, j, wCol), w1 = at(w, 0, 1, j1, wCol), w2 = at(w, 0, 1, j2, wCol), w3 = at(w, 0, 1, j3, wCol);
      for (let kk = 0; kk < k; kk++) {
        const xv = <f64>load<f32>(xp);
        // Two steps per k and output: the product's draw, then the sum's.
        let p0: u32 = 0, p1: u32 = 0, p2: u32 = 0, p3: u32 = 0, a0: u32 = 0, a1: u32 = 0, a2: u32 = 0, a3: u32 = 0;
        if (sr) {
          r0 = xorshift64(r0); p0 = laneDraw(r0); r0 = xorshift64(r0); a0 = laneDraw(r0);
          r1 = xorshift64(r1); p1 = laneDraw(r1); r1 = xorshift64(r1); a1 = laneDraw(r1);
          r2 = xorshift64(r2); p2 = laneDraw(r2); r2 = xorshift64(r2); a2 = laneDraw(r2);
          r3 = xorshift64(r3); p3 = laneDraw(r3); r3 = xorshift64(r3); a3 = laneDraw(r3);
        }
        if (accKind == KIND_SR && xv == 0 && (kk > 0 || !accumulate)) {
          // x is ±0: the sums hold values of acc and their terms are ±0 or NaN, so sr returns s + t
          // unchanged (the f64x2 kernel's zero steps); s + t is also its round to odd.
          s0 += term64(mulKind, xv * <f64>load<f32>(w0), p0, srBits, mh);
          s1 += term64(mulKind, xv * <f64>load<f32>(w1), p1, srBits, mh);
          s2 += term64(mulKind, xv * <f64>load<f32>(w2), p2, srBits, mh);
          s3 += term64(mulKind, xv * <f64>load<f32>(w3), p3, srBits, mh);
        } else {
          s0 = step64(mulKind, accKind, exactSum, s0, xv * <f64>load<f32>(w0), p0, a0, srBits, mh, ah);
          s1 = step64(mulKind, accKind, exactSum, s1, xv * <f64>load<f32>(w1), p1, a1, srBits, mh, ah);
          s2 = step64(mulKind, accKind, exactSum, s2, xv * <f64>load<f32>(w2), p2, a2, srBits, mh, ah);
          s3 = step64(mulKind, accKind, exactSum, s3, xv * <f64>load<f32>(w3), p3, a3, srBits, mh, ah);
        }
        xp += xStep;
        w0 += wStep; w1 += wStep; w2 += wStep; w3 += wStep;
      }
      store<f32>(at(z, i, ldz, j, 1), canonical(<f32>s0));
      if (j + 1 < n) store<f32>(at(z, i, ldz, j + 1, 1), canonical(<f32>s1));
      if (j + 2 < n) store<f32>(at(z, i, ldz, j + 2, 1), canonical(<f32>s2));
      if (j + 3 < n) store<f32>(at(z, i, ldz, j + 3, 1), canonical(<f32>s3));
    }
  }
}
