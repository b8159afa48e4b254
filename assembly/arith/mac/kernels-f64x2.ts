// The exact kernel in f64x2 lanes (SIMD build): the steps of kernels-f64.ts lane for lane, two outputs
// per vector, blocks of 4 * quads outputs of a row for W stored row-major. The per-format constants are
// splatted once per job into the vectors a role's rounding takes (round64x2); the shift counts are read
// from the hoisted constants.
import { ROUND_SR } from "../../generated/formats";
import { Format, pow2Bits64 } from "../format";
import { rangeX, rangeW, rangeZ, RANGE_NONE_MSB } from "./probe";
import { laneSeed } from "../prng";
import { F64_SIGN, F64_INF } from "./rounding";
import { Hoisted, hoistedMul, hoistedAcc, KIND_EXACT, KIND_RNE, KIND_SR } from "./hoisted";
import { belowNormal64 } from "./kernels-f64";
import { at, job, storeCanonical, zeroRow, panel, PANEL_BYTES } from "./job";

// @ts-ignore: decorator
@inline function nearestEven64x2(x: v128, vExpK: v128, vMinLess: v128, vMagicSub: v128, vOverFrom: v128, vOverValue: v128): v128 {
  const e = v128.and(x, i64x2.splat(F64_INF));
  const magic = v128.bitselect(i64x2.add(e, vExpK), vMagicSub, i64x2.gt_s(e, vMinLess));
  const r = f64x2.sub(f64x2.add(x, magic), magic);
  const r2 = v128.bitselect(vOverValue, r, f64x2.ge(f64x2.abs(x), vOverFrom));
  return v128.or(r2, v128.and(x, i64x2.splat(F64_SIGN)));
}

// @ts-ignore: decorator
@inline function stochastic64x2(u: v128, draws: v128, srBits: i32, h: Hoisted, vLow: v128, vMin: v128, vMax: v128, vOver: v128): v128 {
  const sign = v128.and(u, i64x2.splat(F64_SIGN));
  const a = v128.xor(u, sign);
  const dropped = v128.and(a, vLow);
  const up = i64x2.shr_u(i64x2.add(i64x2.shr_u(dropped, <i32>h.srDrop), i64x2.shr_u(draws, <i32>h.srDrawShift)), <i32>h.srR);
  let r = i64x2.add(i64x2.sub(a, dropped), i64x2.shl(up, <i32>h.shift));
  r = v128.bitselect(vOver, r, i64x2.gt_s(r, vMax));
  r = v128.bitselect(a, r, i64x2.gt_s(a, i64x2.splat(F64_INF)));
  r = v128.or(r, sign);
  // Nonzero magnitudes below 2^emin, lane by lane (rare).
  if (v128.any_true(v128.and(i64x2.lt_s(a, vMin), i64x2.ne(a, i64x2.splat(0))))) {
    for (let lane = 0; lane < 2; lane++) {
      const ul = lane == 0 ? i64x2.extract_lane(u, 0) : i64x2.extract_lane(u, 1);
      const al = ul & ~F64_SIGN;
      if (al != 0 && <u64>al < h.minNormal) {
        const draw = <u32>(lane == 0 ? i64x2.extract_lane(draws, 0) : i64x2.extract_lane(draws, 1));
        const fixed = belowNormal64(ul, h, ROUND_SR, srBits, draw);
        r = lane == 0 ? i64x2.replace_lane(r, 0, fixed) : i64x2.replace_lane(r, 1, fixed);
      }
    }
  }
  return r;
}

/**
 * sr of two exact sums to acc (exact sums only; acc with subnormals), when some sum of the step is a nonzero
 * magnitude below 2^emin (rare). The r random bits are added at the top of the discarded field of the f64
 * bits, sign in place, and the field is cut off: the carry out of the field is the rounding up, as in
 * stochastic64x2. A nonzero magnitude below 2^emin is first moved into the lowest normal binade by adding
 * 2^emin with its sign (exact: the sums' grid and 2^emin lie within 53 bits), whose ulp is the subnormal
 * one, and 2^emin comes off again afterwards; other lanes add 0. `states` are the lanes' streams after the
 * draw's step (the draw is their upper word); `finite` skips the overflow and NaN checks (sumsStayFinite).
 * `drawShift` and `drop` are the hoisted srDrawShift and srDrop (literals where the caller knows them: a
 * vector shift by an immediate is one instruction).
 */
// @ts-ignore: decorator
@inline function stochasticSum64x2(u: v128, states: v128, finite: bool, drawShift: i32, drop: i32, vKeep: v128, vMin: v128, vMax: v128, vOver: v128): v128 {
  const small = v128.and(f64x2.lt(f64x2.abs(u), vMin), f64x2.ne(u, f64x2.splat(0)));
  // The same bits as stochasticSumNormal64x2's random, written differently: one expression in both paths
  // would be computed once above exactKernelSimd's branch between them, live through its test (spills).
  const random = v128.and(i64x2.shr_u(states, 32 + drawShift - drop), i64x2.splat(~((<u64>1 << <u64>drop) - 1)));
  const sign = v128.and(u, i64x2.splat(F64_SIGN));
  const bias = v128.and(v128.or(sign, vMin), small);
  let r = v128.and(i64x2.add(f64x2.add(u, bias), random), vKeep);
  if (!finite) r = overflowOrNaN64x2(u, r, sign, vMax, vOver);
  return v128.or(f64x2.sub(r, bias), sign);
}

/** stochasticSum64x2 where no lane is a nonzero magnitude below 2^emin. */
// @ts-ignore: decorator
@inline function stochasticSumNormal64x2(u: v128, states: v128, finite: bool, drawShift: i32, drop: i32, vKeep: v128, vMax: v128, vOver: v128): v128 {
  const random = i64x2.shl(i64x2.shr_u(states, 32 + drawShift), drop);
  let r = v128.and(i64x2.add(u, random), vKeep);
  if (!finite) r = overflowOrNaN64x2(u, r, v128.and(u, i64x2.splat(F64_SIGN)), vMax, vOver);
  return r;
}

/**
 * The keys of the sums a (lanes 0, 1) and b (lanes 2, 3) for the test of nonzero magnitudes below 2^emin:
 * |hi| + (2^31 - 1) as i32, hi the upper word (0 goes to the top, 1 .. to the bottom), which is below
 * vSmallBound = hi(2^emin) + 2^31 - 1 exactly for those sums. 2^emin has a zero lower word, so |u| < 2^emin
 * exactly when the upper word of |u| is below 2^emin's; and a nonzero exact sum (of f32 products and f32
 * values: at least 2^-298) never has a zero upper word (that is below 2^-1042). vAbs is 2^31 - 1, the mask
 * of |hi| and the addend at once. One signed compare tests the minimum of several keys.
 */
// @ts-ignore: decorator
@inline function belowMinKeys(a: v128, b: v128, vAbs: v128): v128 {
  return i32x4.add(v128.and(i32x4.shuffle(a, b, 1, 3, 5, 7), vAbs), vAbs);
}

/** A rounded r past the largest value gives the overflow value with u's sign; a NaN u stays NaN. */
// @ts-ignore: decorator
@inline function overflowOrNaN64x2(u: v128, r: v128, sign: v128, vMax: v128, vOver: v128): v128 {
  r = v128.bitselect(v128.or(vOver, sign), r, f64x2.gt(f64x2.abs(r), vMax));
  return v128.bitselect(u, r, f64x2.ne(u, u));
}

/** 2^k as an f64, exactly (-1022 <= k <= 1023); no Math.pow, whose tables would move the heap. */
// @ts-ignore: decorator
@inline function pow2f64(k: i32): f64 {
  return reinterpret<f64>(pow2Bits64(k));
}

/**
 * True when no running sum of the job can be NaN or pass acc's largest value, so stochasticSum64x2 may
 * skip both checks: X, W (and Z when accumulating) are finite, and a bound on |s| stays below the largest
 * value. A term is below T = 2^(msb X + msb W + 2) (a rounded product: T (1 + 2^-m) + 2^subUlpExp of mul,
 * itself below mul's largest value), and a step rounds up by at most an ulp:
 * |s'| <= (|s| + T) (1 + 2^-m) + 2^subUlpExp of acc.
 */
export function sumsStayFinite(mulKind: i32, mul: Format, acc: Format, k: i32): bool {
  if (rangeX.nonFinite || rangeW.nonFinite || (job.accumulate && rangeZ.nonFinite)) return false;
  let t = 0.0;
  if (rangeX.msb != RANGE_NONE_MSB && rangeW.msb != RANGE_NONE_MSB) {
    t = pow2f64(rangeX.msb + rangeW.msb + 2);
    if (mulKind != KIND_EXACT) {
      t = t * (1 + pow2f64(-mul.m)) + pow2f64(mul.subUlpExp);
      if (t >= <f64>reinterpret<f32>(mul.maxBits)) return false;
    }
  }
  let b = job.accumulate && rangeZ.msb != RANGE_NONE_MSB ? pow2f64(rangeZ.msb + 1) : 0.0;
  const largest = <f64>reinterpret<f32>(acc.maxBits), grow = 1 + pow2f64(-acc.m), ulp = pow2f64(acc.subUlpExp);
  for (let kk = 0; kk < k; kk++) {
    b = (b + t) * grow + ulp;
    if (b >= largest) return false;
  }
  return true;
}

// @ts-ignore: decorator
@inline function sumToOdd64x2(a: v128, b: v128): v128 {
  const hi = f64x2.add(a, b);
  const bb = f64x2.sub(hi, a);
  const lo = f64x2.add(f64x2.sub(a, f64x2.sub(hi, bb)), f64x2.sub(b, bb));
  const odd = v128.or(i64x2.sub(hi, i64x2.shr_u(v128.xor(lo, hi), 63)), i64x2.splat(1));
  return v128.bitselect(odd, hi, f64x2.gt(f64x2.abs(lo), f64x2.splat(0)));
}

/** xorshift64 (prng.ts) of two lane states at once. */
// @ts-ignore: decorator
@inline function xorshift64x2(s: v128): v128 {
  s = v128.xor(s, i64x2.shl(s, 13));
  s = v128.xor(s, i64x2.shr_u(s, 7));
  return v128.xor(s, i64x2.shl(s, 17));
}

/** The lane states of outputs o and o + 1 (their seeds, prng.ts laneSeed). */
// @ts-ignore: decorator
@inline function laneSeeds(key: u32, o: u32): v128 {
  return i64x2.replace_lane(i64x2.splat(laneSeed(key, o)), 1, laneSeed(key, o + 1));
}

/**
 * One role's rounding (kind rne or sr) of two lanes. The vectors are the splats of `h`'s fields: expK,
 * minNormal - 1, magicSub, overflowFrom, overflowValue (rne by the FPU); low, minNormal, max, overflow (sr).
 */
// @ts-ignore: decorator
@inline function round64x2(kind: i32, x: v128, draws: v128, srBits: i32, h: Hoisted,
  vExpK: v128, vMinLess: v128, vMagicSub: v128, vOverFrom: v128, vOverValue: v128, vLow: v128, vMin: v128, vMax: v128, vOver: v128): v128 {
  if (kind == KIND_RNE) return nearestEven64x2(x, vExpK, vMinLess, vMagicSub, vOverFrom, vOverValue);
  if (kind == KIND_SR) return stochastic64x2(x, draws, srBits, h, vLow, vMin, vMax, vOver);
  return x;
}

/**
 * The sum's step of two lanes: s + t exact or rounded to odd, then rounded to acc with the draws of `states`
 * (after the sum's step). Exact sums rounded stochastically to a format with subnormals do not come here:
 * exactKernelSimd rounds them with stochasticSumNormal64x2 and stochasticSum64x2. The vectors are round64x2's.
 */
// @ts-ignore: decorator
@inline function sumStep64x2(accKind: i32, exactSum: bool, s: v128, t: v128, states: v128, srBits: i32, h: Hoisted,
  vExpK: v128, vMinLess: v128, vMagicSub: v128, vOverFrom: v128, vOverValue: v128, vLow: v128, vMin: v128, vMax: v128, vOver: v128): v128 {
  return round64x2(accKind, exactSum ? f64x2.add(s, t) : sumToOdd64x2(s, t), i64x2.shr_u(states, 32), srBits, h,
    vExpK, vMinLess, vMagicSub, vOverFrom, vOverValue, vLow, vMin, vMax, vOver);
}

/** exactKernelSimd's acc constants: ~low (the bits a rounding keeps) and belowMinKeys' bound. */
let keepBits: u64 = 0;
let belowMinBound: u32 = 0;

/**
 * Blocks of 4 * quads outputs of a row (two f64x2 per four), each output in its own k order, for W stored
 * row-major. `biased` (acc has subnormals) and `finite` (sumsStayFinite) are literals at every call, so
 * each instance carries only its own path. Returns the first column it did not compute.
 *
 * `wide` (where widensW holds): each block of W's columns is widened once into the panel as f64 and every
 * row reads it from there, a product taking its W operand straight from memory, where reading f32 costs a
 * conversion per two values per row; W may then be stored either way. The caller keeps wide and narrow
 * instances in separate functions: one function holding both made V8's code for the narrow loop 2 to 3%
 * slower.
 */
// @ts-ignore: decorator
@inline export function exactKernelSimd(mulKind: i32, accKind: i32, exactSum: bool, biased: bool, finite: bool, key: u32, srBits: i32, quads: i32, from: i32, drawShift: i32, drop: i32, wide: bool): i32 {
  if (!wide && job.wCol != 1) return from;
  return exactBlocks(mulKind, accKind, exactSum, biased, finite, key, srBits, quads, from, drawShift, drop, wide);
}

/** Rows from which widening a block of W into the panel costs less than the conversions it saves. */
const WIDEN_ROWS = 4;

/**
 * Whether exactKernelSimd may read W widened into the panel for blocks of 8 columns (and then of 4): at
 * least WIDEN_ROWS rows, rows of X contiguous, and k rows of a block fit the panel as f64. With X
 * transposed (a weight gradient's X^T), running every row for each block reads X's strided values from the
 * second cache level again for every block, which costs more than the conversions saved.
 */
export function widensW(): bool {
  return job.m >= WIDEN_ROWS && job.xK == 1 && job.k * 64 <= PANEL_BYTES;
}

/** Widens W(0..k-1, j..j+width-1), stored either way, into the panel as f64, width values a row. */
// @ts-ignore: decorator
@inline function widenBlock(j: i32, width: i32): void {
  const wCol = job.wCol;
  let src = at(job.w, 0, job.wK, j, wCol), dst = panel;
  const srcStep = <usize>job.wK << 2, colStep = <usize>wCol << 2;
  for (let kk = 0; kk < job.k; kk++) {
    if (wCol == 1) {
      for (let c = 0; c < width; c += 2) v128.store(dst + (<usize>c << 3), f64x2.promote_low_f32x4(v128.load64_zero(src + (<usize>c << 2))));
    } else {
      for (let c = 0; c < width; c++) store<f64>(dst + (<usize>c << 3), <f64>load<f32>(src + <usize>c * colStep));
    }
    src += srcStep;
    dst += <usize>width << 3;
  }
}

/**
 * exactKernelSimd's blocks, W read in place (row by row, every block of the row) or, `wide`, from the
 * panel (block by block, every row for a block, which is widened once).
 */
// @ts-ignore: decorator
@inline function exactBlocks(mulKind: i32, accKind: i32, exactSum: bool, biased: bool, finite: bool, key: u32, srBits: i32, quads: i32, from: i32, drawShift: i32, drop: i32, wide: bool): i32 {
  const m = job.m, n = job.n, k = job.k;
  const width = quads * 4;
  const end = from + (n - from) / width * width;
  const x = job.x, w = job.w, z = job.z, ldz = job.ldz;
  const xRow = job.xRow;
  const xStep = <usize>job.xK << 2, wStep = wide ? <usize>width << 3 : <usize>job.wK << 2;
  const accumulate = job.accumulate;
  const mh = hoistedMul, ah = hoistedAcc;
  const vmExpK = i64x2.splat(mh.expK), vmMinLess = i64x2.splat(mh.minNormal - 1), vmMagicSub = i64x2.splat(mh.magicSub);
  const vmOverFrom = f64x2.splat(mh.overflowFrom), vmOverValue = f64x2.splat(mh.overflowValue);
  const vmLow = i64x2.splat(mh.low), vmMin = i64x2.splat(mh.minNormal), vmMax = i64x2.splat(mh.max), vmOver = i64x2.splat(mh.overflow);
  const vaExpK = i64x2.splat(ah.expK), vaMinLess = i64x2.splat(ah.minNormal - 1), vaMagicSub = i64x2.splat(ah.magicSub);
  const vaOverFrom = f64x2.splat(ah.overflowFrom), vaOverValue = f64x2.splat(ah.overflowValue);
  const vaLow = i64x2.splat(ah.low), vaMin = i64x2.splat(ah.minNormal), vaMax = i64x2.splat(ah.max), vaOver = i64x2.splat(ah.overflow);
  // Splats of globals, not of expressions: V8 redoes a spilled splat's expression inside the loop.
  keepBits = ~ah.low;
  belowMinBound = <u32>(ah.minNormal >>> 32) + 0x7fff_ffff;
  const vaKeep = i64x2.splat(keepBits), vAbs = i32x4.splat(0x7fff_ffff), vSmallBound = i32x4.splat(belowMinBound);
  const sr = mulKind == KIND_SR || accKind == KIND_SR;
  // The first k whose zero steps skip the rounding: an accumulating job's first sums are Z's, not yet values of acc.
  const zeroFrom = accumulate ? 1 : 0;
  const zeroRows = accKind == KIND_SR && exactSum && biased && !accumulate && !rangeW.nonFinite && end > from;
  // Rows outside and columns inside, or (wide) blocks of columns outside and rows inside.
  const outer = wide ? (end - from) / width : m;
  const innerFrom = wide ? 0 : from, innerEnd = wide ? m : end, innerStep = wide ? 1 : width;
  for (let a = 0; a < outer; a++) {
    if (!wide && zeroRows && zeroRow(a)) {
      memory.fill(at(z, a, ldz, from, 1), 0, <usize>(end - from) << 2);
      continue;
    }
    if (wide) widenBlock(from + a * width, width);
    for (let b = innerFrom; b < innerEnd; b += innerStep) {
      const i = wide ? b : a, j = wide ? from + a * width : b;
      const zp = at(z, i, ldz, j, 1);
      if (wide && zeroRows && zeroRow(i)) {
        v128.store(zp, i64x2.splat(0));
        if (quads > 1) v128.store(zp, i64x2.splat(0), 16);
        continue;
      }
      let s01 = f64x2.splat(0), s23 = f64x2.splat(0), s45 = f64x2.splat(0), s67 = f64x2.splat(0);
      if (accumulate) {
        const old = v128.load(zp);
        s01 = f64x2.promote_low_f32x4(old);
        s23 = f64x2.promote_low_f32x4(i32x4.shuffle(old, old, 2, 3, 0, 1));
        if (quads > 1) {
          const old2 = v128.load(zp, 16);
          s45 = f64x2.promote_low_f32x4(old2);
          s67 = f64x2.promote_low_f32x4(i32x4.shuffle(old2, old2, 2, 3, 0, 1));
        }
      }
      // The outputs' lane streams, two per vector; a draw is the state's upper word (shifted down, as the roundings take it).
      let r01 = i64x2.splat(0), r23 = i64x2.splat(0), r45 = i64x2.splat(0), r67 = i64x2.splat(0);
      if (sr) {
        const o = <u32>(i * n + j);
        r01 = laneSeeds(key, o);
        r23 = laneSeeds(key, o + 2);
        if (quads > 1) {
          r45 = laneSeeds(key, o + 4);
          r67 = laneSeeds(key, o + 6);
        }
      }
      let xp = at(x, i, xRow, 0, 1);
      let wp = wide ? panel : at(w, 0, 1, j, 1);
      for (let kk = 0; kk < k; kk++) {
        const xv = f64x2.promote_low_f32x4(v128.load32_splat(xp)); // a broadcast load: no shuffle
        let md01 = i64x2.splat(0), md23 = i64x2.splat(0), md45 = i64x2.splat(0), md67 = i64x2.splat(0);
        if (sr) {
          r01 = xorshift64x2(r01); md01 = i64x2.shr_u(r01, 32); r01 = xorshift64x2(r01);
          r23 = xorshift64x2(r23); md23 = i64x2.shr_u(r23, 32); r23 = xorshift64x2(r23);
          if (quads > 1) {
            r45 = xorshift64x2(r45); md45 = i64x2.shr_u(r45, 32); r45 = xorshift64x2(r45);
            r67 = xorshift64x2(r67); md67 = i64x2.shr_u(r67, 32); r67 = xorshift64x2(r67);
          }
        }
        // Outputs 0-1, 2-3 (and 4-7): product, its rounding to mul, the sum, its rounding to acc.
        // Two values a load: a shuffle takes a vector port, which the lane streams' shifts need.
        // W's values as f64: read from the panel (wide) or widened from f32. Offsets are immediates.
        let t01 = f64x2.mul(xv, wide ? v128.load(wp) : f64x2.promote_low_f32x4(v128.load64_zero(wp)));
        let t23 = f64x2.mul(xv, wide ? v128.load(wp, 16) : f64x2.promote_low_f32x4(v128.load64_zero(wp, 8)));
        t01 = round64x2(mulKind, t01, md01, srBits, mh, vmExpK, vmMinLess, vmMagicSub, vmOverFrom, vmOverValue, vmLow, vmMin, vmMax, vmOver);
        t23 = round64x2(mulKind, t23, md23, srBits, mh, vmExpK, vmMinLess, vmMagicSub, vmOverFrom, vmOverValue, vmLow, vmMin, vmMax, vmOver);
        let t45 = t01, t67 = t23;
        if (quads > 1) {
          t45 = f64x2.mul(xv, wide ? v128.load(wp, 32) : f64x2.promote_low_f32x4(v128.load64_zero(wp, 16)));
          t67 = f64x2.mul(xv, wide ? v128.load(wp, 48) : f64x2.promote_low_f32x4(v128.load64_zero(wp, 24)));
          t45 = round64x2(mulKind, t45, md45, srBits, mh, vmExpK, vmMinLess, vmMagicSub, vmOverFrom, vmOverValue, vmLow, vmMin, vmMax, vmOver);
          t67 = round64x2(mulKind, t67, md67, srBits, mh, vmExpK, vmMinLess, vmMagicSub, vmOverFrom, vmOverValue, vmLow, vmMin, vmMax, vmOver);
        }
        if (accKind == KIND_SR && exactSum && biased) {
          // The exact sums s + t, rounded below unless the step is a zero step.
          s01 = f64x2.add(s01, t01);
          s23 = f64x2.add(s23, t23);
          if (quads > 1) {
            s45 = f64x2.add(s45, t45);
            s67 = f64x2.add(s67, t67);
          }
          // A step whose x is ±0 needs no rounding of its sums: its terms are ±0 (NaN where W holds an inf or a
          // NaN; rounding to mul keeps both), and once every sum holds a value of acc (a rounded sum, or +0 before
          // the first step), s + t is that value, a zero of either sign or NaN, each of which sr returns
          // unchanged: s' = s + t. Inputs, ReLU outputs and their errors are often mostly zeros.
          if ((load<u32>(xp) << 1) != 0 || kk < zeroFrom) {
            // Every vector's sums at once: one test for the rare magnitudes below 2^emin.
            let keys = belowMinKeys(s01, s23, vAbs);
            if (quads > 1) keys = i32x4.min_s(keys, belowMinKeys(s45, s67, vAbs));
            // bitmask, not any_true: one instruction where V8 spends four.
            if (i32x4.bitmask(i32x4.lt_s(keys, vSmallBound)) != 0) {
              s01 = stochasticSum64x2(s01, r01, finite, drawShift, drop, vaKeep, vaMin, vaMax, vaOver);
              s23 = stochasticSum64x2(s23, r23, finite, drawShift, drop, vaKeep, vaMin, vaMax, vaOver);
              if (quads > 1) {
                s45 = stochasticSum64x2(s45, r45, finite, drawShift, drop, vaKeep, vaMin, vaMax, vaOver);
                s67 = stochasticSum64x2(s67, r67, finite, drawShift, drop, vaKeep, vaMin, vaMax, vaOver);
              }
            } else {
              s01 = stochasticSumNormal64x2(s01, r01, finite, drawShift, drop, vaKeep, vaMax, vaOver);
              s23 = stochasticSumNormal64x2(s23, r23, finite, drawShift, drop, vaKeep, vaMax, vaOver);
              if (quads > 1) {
                s45 = stochasticSumNormal64x2(s45, r45, finite, drawShift, drop, vaKeep, vaMax, vaOver);
                s67 = stochasticSumNormal64x2(s67, r67, finite, drawShift, drop, vaKeep, vaMax, vaOver);
              }
            }
          }
        } else {
          s01 = sumStep64x2(accKind, exactSum, s01, t01, r01, srBits, ah,
            vaExpK, vaMinLess, vaMagicSub, vaOverFrom, vaOverValue, vaLow, vaMin, vaMax, vaOver);
          s23 = sumStep64x2(accKind, exactSum, s23, t23, r23, srBits, ah,
            vaExpK, vaMinLess, vaMagicSub, vaOverFrom, vaOverValue, vaLow, vaMin, vaMax, vaOver);
          if (quads > 1) {
            s45 = sumStep64x2(accKind, exactSum, s45, t45, r45, srBits, ah,
              vaExpK, vaMinLess, vaMagicSub, vaOverFrom, vaOverValue, vaLow, vaMin, vaMax, vaOver);
            s67 = sumStep64x2(accKind, exactSum, s67, t67, r67, srBits, ah,
              vaExpK, vaMinLess, vaMagicSub, vaOverFrom, vaOverValue, vaLow, vaMin, vaMax, vaOver);
          }
        }
        xp += xStep;
        wp += wStep;
      }
      // Demote is exact (every lane holds a value of acc); NaN lanes become the one quiet NaN.
      storeCanonical(zp, i32x4.shuffle(f32x4.demote_f64x2_zero(s01), f32x4.demote_f64x2_zero(s23), 0, 1, 4, 5));
      if (quads > 1) storeCanonical(zp + 16, i32x4.shuffle(f32x4.demote_f64x2_zero(s45), f32x4.demote_f64x2_zero(s67), 0, 1, 4, 5));
    }
  }
  return end;
}
