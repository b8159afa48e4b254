// Array kernels: round, encode and decode runs of values in linear memory.
// Every kernel gives exactly the bits of roundValue (rounding.ts) element by element; the fast paths
// only hoist what is constant for a float format, and the SIMD paths compute four independent elements
// at once (draw i of a stochastic run always goes to element i).
import { ROUND_RNE, ROUND_SR } from "../generated/formats";
import { Format, F32_INF, F32_QNAN, F32_SIGN, pow2, pow2Bits } from "./format";
import { roundValue } from "./rounding";
import { Rng, drawAt, fmix32, GOLDEN, SEED_SALT, firstLaneDraw } from "./prng";
import { encodeRounded, decodeCode, buildDecodeTable } from "./codec";

/** Rounds n f32 values from src to dst (which may alias). Consumes n draws from rng when mode is sr. */
export function roundArray(f: Format, mode: i32, srBits: i32, rng: Rng | null, src: usize, dst: usize, n: i32): void {
  if (n <= 0) return;
  const fast = f.isFloat && f.m < 23;
  // With m = 0 the tie-breaking bit is the exponent code's, which the hoisted nearest-even path does not track.
  if (mode == ROUND_RNE && fast && f.m > 0) {
    roundArrayNearestEven(f, src, dst, n);
  } else if (mode == ROUND_SR) {
    const key = rng!.key, base = rng!.counter;
    if (fast) roundArrayStochastic(f, srBits, key, base, src, dst, n);
    else {
      for (let i = 0; i < n; i++) {
        const x = load<f32>(src + (<usize>i << 2));
        store<f32>(dst + (<usize>i << 2), roundValue(x, f, mode, srBits, drawAt(key, base + <u32>i)));
      }
    }
    rng!.counter = base + <u32>n;
  } else {
    for (let i = 0; i < n; i++) {
      const x = load<f32>(src + (<usize>i << 2));
      store<f32>(dst + (<usize>i << 2), roundValue(x, f, mode, srBits, 0));
    }
  }
}

// @ts-ignore: decorator
@inline function nearestEvenBits(u: u32, f: Format, shift: u32, halfMinusOne: u32, keepMask: u32): u32 {
  const sign = u & F32_SIGN;
  const a = u ^ sign;
  const normal = (a + halfMinusOne + ((a >>> shift) & 1)) & keepMask;
  const sub = reinterpret<u32>((reinterpret<f32>(a) + f.subMagic) - f.subMagic);
  let r = select<u32>(normal, sub, a >= f.minNormalBits);
  r = select<u32>(f.overflowBits, r, r > f.maxBits);
  r = select<u32>(F32_QNAN, r, a > F32_INF);
  return sign | r;
}

/**
 * True when f has f32's exponent range and encodings (bf16, tf32): subnormals from 2^-126 down, the
 * largest value at f32's top binade, inf past it. Then rounding the f32 bits at the format's last place
 * rounds subnormals, normals and the overflow to inf alike: no per-element range selects.
 */
function hasF32Range(f: Format, one: u32): bool {
  return f.e == 8 && f.subnormals && f.minNormalBits == 0x0080_0000 && f.maxBits == F32_INF - one && f.overflowBits == F32_INF;
}

/**
 * rne for a format with f32's range (SIMD build), four vectors a pass: add half an ulp less one plus the
 * kept part's last bit, mask. The sign bit is never reached (|u| <= inf, the carry stays below it); NaN
 * becomes the quiet NaN with its sign, as in nearestEvenBits. Returns the elements it did not round.
 */
function nearestEvenF32Range(shift: u32, halfMinusOne: u32, keepMask: u32, src: usize, dst: usize, n: i32): i32 {
  if (!ASC_FEATURE_SIMD) return 0;
  const vHalfMinusOne = i32x4.splat(halfMinusOne);
  const vKeep = i32x4.splat(keepMask);
  const vOne = i32x4.splat(1);
  const vSign = i32x4.splat(F32_SIGN);
  const vNaN = i32x4.splat(F32_QNAN);
  const end = <usize>(n & ~15) << 2;
  for (let p: usize = 0; p < end; p += 64) {
    const u0 = v128.load(src + p), u1 = v128.load(src + p, 16), u2 = v128.load(src + p, 32), u3 = v128.load(src + p, 48);
    const r0 = v128.and(i32x4.add(i32x4.add(u0, vHalfMinusOne), v128.and(i32x4.shr_u(u0, shift), vOne)), vKeep);
    const r1 = v128.and(i32x4.add(i32x4.add(u1, vHalfMinusOne), v128.and(i32x4.shr_u(u1, shift), vOne)), vKeep);
    const r2 = v128.and(i32x4.add(i32x4.add(u2, vHalfMinusOne), v128.and(i32x4.shr_u(u2, shift), vOne)), vKeep);
    const r3 = v128.and(i32x4.add(i32x4.add(u3, vHalfMinusOne), v128.and(i32x4.shr_u(u3, shift), vOne)), vKeep);
    const nan0 = f32x4.ne(u0, u0), nan1 = f32x4.ne(u1, u1), nan2 = f32x4.ne(u2, u2), nan3 = f32x4.ne(u3, u3);
    // NaN is rare: one test for the sixteen values, and the selects only where one is.
    if (i32x4.bitmask(v128.or(v128.or(nan0, nan1), v128.or(nan2, nan3))) == 0) {
      v128.store(dst + p, r0);
      v128.store(dst + p, r1, 16);
      v128.store(dst + p, r2, 32);
      v128.store(dst + p, r3, 48);
    } else {
      v128.store(dst + p, v128.bitselect(v128.bitselect(u0, vNaN, vSign), r0, nan0));
      v128.store(dst + p, v128.bitselect(v128.bitselect(u1, vNaN, vSign), r1, nan1), 16);
      v128.store(dst + p, v128.bitselect(v128.bitselect(u2, vNaN, vSign), r2, nan2), 32);
      v128.store(dst + p, v128.bitselect(v128.bitselect(u3, vNaN, vSign), r3, nan3), 48);
    }
  }
  return n & ~15;
}

function roundArrayNearestEven(f: Format, src: usize, dst: usize, n: i32): void {
  const shift = <u32>(23 - f.m);
  const one: u32 = <u32>1 << shift;
  const halfMinusOne = (one >>> 1) - 1;
  const keepMask = ~(one - 1);
  let i = 0;
  if (ASC_FEATURE_SIMD && hasF32Range(f, one)) i = nearestEvenF32Range(shift, halfMinusOne, keepMask, src, dst, n);
  if (ASC_FEATURE_SIMD) {
    const vHalfMinusOne = i32x4.splat(halfMinusOne);
    const vKeep = i32x4.splat(keepMask);
    const vOne = i32x4.splat(1);
    const vSign = i32x4.splat(F32_SIGN);
    const vMagic = f32x4.splat(f.subMagic);
    const vMinNormal = i32x4.splat(f.minNormalBits);
    const vMax = i32x4.splat(f.maxBits);
    const vOverflow = i32x4.splat(f.overflowBits);
    const vInf = i32x4.splat(F32_INF);
    const vNaN = i32x4.splat(F32_QNAN);
    for (; i + 4 <= n; i += 4) {
      const u = v128.load(src + (<usize>i << 2));
      const sign = v128.and(u, vSign);
      const a = v128.xor(u, sign);
      const lsb = v128.and(i32x4.shr_u(a, shift), vOne);
      const normal = v128.and(i32x4.add(i32x4.add(a, vHalfMinusOne), lsb), vKeep);
      const sub = f32x4.sub(f32x4.add(a, vMagic), vMagic);
      // Signed compares (one instruction each; unsigned ones are several): a and the thresholds are below 2^31,
      // and so is r but where a is NaN, which the last select decides.
      let r = v128.bitselect(sub, normal, i32x4.lt_s(a, vMinNormal));
      r = v128.bitselect(vOverflow, r, i32x4.gt_s(r, vMax));
      r = v128.bitselect(vNaN, r, i32x4.gt_s(a, vInf));
      v128.store(dst + (<usize>i << 2), v128.or(sign, r));
    }
  }
  for (; i < n; i++) {
    store<u32>(dst + (<usize>i << 2), nearestEvenBits(load<u32>(src + (<usize>i << 2)), f, shift, halfMinusOne, keepMask));
  }
}

/**
 * The draw's top srBits bits, the mask of an sr rounding with srBits random bits. Only the draw is masked:
 * the fraction F of the discarded bits and D & mask carry out of F + D exactly when F & mask and D & mask
 * do, since D & mask is 0 below the mask, where F's bits then can never carry (docs/formats.md).
 */
function drawMaskOf(srBits: i32): u32 {
  return srBits >= 32 ? 0xffff_ffff : ~(<u32>0xffff_ffff >>> <u32>srBits);
}

/**
 * Stochastic rounding of float formats without per-element branches. The discarded fraction is taken as a
 * 0.32 fixed-point number F and the element rounds up when F + draw carries out of 32 bits, both masked to
 * the top srBits bits. That is the rule of rounding.ts (keep r bits of the fraction, add r random bits,
 * carry means up): padding the kept fraction with zeros, or keeping more of the draw's bits than the
 * fraction has, never changes a carry. Below 2^emin the fraction comes from exact f32 scaling instead of a
 * fixed shift, which also covers values under one unit of the last place.
 */
function roundArrayStochastic(f: Format, srBits: i32, key: u32, base: u32, src: usize, dst: usize, n: i32): void {
  const shift = <u32>(23 - f.m);
  const toFixed = 32 - shift;
  const drawMask = drawMaskOf(srBits);
  // e8 formats with subnormals keep one fixed rounding position: f32 subnormals are linear in 2^-149.
  const integerEverywhere = f.e == 8 && f.subnormals;
  const minNormal = integerEverywhere ? <u32>0 : f.minNormalBits;
  let i = stochasticLanes(f, srBits, key, base, src, dst, n, false);
  // The scalar loop is integer-only and branch-free (a branch on the range mispredicts on inputs that
  // mix ranges; float conversions cost more than shifts). Below 2^emin the grid is 2^subUlpExp, so the
  // bits dropped from the f32 significand are the lowest subUlpExp + 150 - e (e the f32 biased exponent,
  // at least 1); the 0.32 fraction is the significand shifted by that many places in 64 bits (clamped,
  // which only drops bits past 2^-32 of an ulp, as the truncating conversion above does). With at most
  // 23 places dropped, kept + carry is an add on the f32 bits; with more, the value is under one ulp and
  // rounds to 0 or to the ulp itself.
  const maxBits = f.maxBits, overflowBits = f.overflowBits;
  if (integerEverywhere) {
    // One rounding position for every magnitude.
    for (; i < n; i++) {
      const p = <usize>i << 2;
      const u = load<u32>(src + p);
      const a = u & ~F32_SIGN;
      const fm = a << toFixed;
      const up = <u32>(fm + (drawAt(key, base + <u32>i) & drawMask) < fm);
      store<u32>(dst + p, stochasticResult(((a >>> shift) + up) << shift, u, maxBits, overflowBits));
    }
    return;
  }
  const ulpBits = pow2Bits(f.subUlpExp);
  if (f.subnormals && <i32>shift + f.emin + 127 >= 57) {
    // The formats of the presets get their own copy of the loop with their constants as literals: V8
    // recomputes a loop's invariants inside it (and spills) rather than keep them in registers, which
    // costs more than the rounding. Each copy is used only when the format's fields are its literals.
    const fullDraws = drawMask == 0xffff_ffff;
    if (fullDraws && isFormat(f, 3, -6, -9, 0x43e0_0000, F32_QNAN)) {
      // e4m3 (OCP FP8 E4M3): max 448 (0x43e00000); overflow and NaN are both the quiet NaN.
      stochasticWithSubnormals(3, -6, 0x3b00_0000, 0x43e0_0000, F32_QNAN, true, 0xffff_ffff, key, base, src, dst, i, n);
    } else if (fullDraws && isFormat(f, 2, -14, -16, 0x4760_0000, F32_INF)) {
      // e5m2 (OCP FP8 E5M2): max 57344 (0x47600000), ulp below 2^-14 is 2^-16 (0x37800000).
      stochasticWithSubnormals(2, -14, 0x3780_0000, 0x4760_0000, F32_INF, false, 0xffff_ffff, key, base, src, dst, i, n);
    } else if (fullDraws && isFormat(f, 10, -14, -24, 0x477f_e000, F32_INF)) {
      // fp16 (IEEE binary16): max 65504 (0x477fe000), ulp below 2^-14 is 2^-24 (0x33800000).
      stochasticWithSubnormals(10, -14, 0x3380_0000, 0x477f_e000, F32_INF, false, 0xffff_ffff, key, base, src, dst, i, n);
    } else {
      stochasticWithSubnormals(f.m, f.emin, ulpBits, f.maxBits, f.overflowBits, false, drawMask, key, base, src, dst, i, n);
    }
    return;
  }
  // Without subnormals the grid below 2^emin is 2^emin itself, so the places dropped jump at 2^emin.
  const subShiftBase = f.subUlpExp + 150;
  for (; i < n; i++) {
    const p = <usize>i << 2;
    const u = load<u32>(src + p);
    const a = u & ~F32_SIGN;
    const biased = <i32>(a >>> 23);
    const places = select<i32>(<i32>shift, subShiftBase - max(biased, 1), a >= minNormal);
    const significand = select<u32>((a & 0x7f_ffff) | 0x80_0000, a, biased != 0);
    const fm = <u32>((<u64>significand << 32) >> <u64>min(places, 63));
    const up = <u32>(fm + (drawAt(key, base + <u32>i) & drawMask) < fm);
    const clamped = <u32>min(places, 31);
    const kept = select<u32>(((a >>> clamped) + up) << clamped, ulpBits & (0 - up), places <= 23);
    store<u32>(dst + p, stochasticResult(kept, u, maxBits, overflowBits));
  }
}

/**
 * The SIMD body of roundArrayStochastic: four elements a vector, element i with draw `base + i` of the
 * counter stream of `key` (drawAt), or with `laneStream` the first draw of the GEMM lane stream of output
 * base + i (prng.ts: laneSeed, one xorshift64 step, the upper word), which fast mode's one rounding per
 * output takes. Returns the elements it rounded (a multiple of 4; 0 in the scalar build).
 */
// @ts-ignore: decorator
@inline function stochasticLanes(f: Format, srBits: i32, key: u32, base: u32, src: usize, dst: usize, n: i32, laneStream: bool): i32 {
  if (!ASC_FEATURE_SIMD) return 0;
  const shift = <u32>(23 - f.m);
  const lowMask: u32 = (<u32>1 << shift) - 1;
  const toFixed = 32 - shift;
  const drawMask = drawMaskOf(srBits);
  const integerEverywhere = f.e == 8 && f.subnormals; // as in roundArrayStochastic
  const vSign = i32x4.splat(F32_SIGN);
  const vLow = i32x4.splat(lowMask);
  const vDrawMask = i32x4.splat(drawMask);
  const vMinNormal = i32x4.splat(integerEverywhere ? <u32>0 : f.minNormalBits);
  const vMax = i32x4.splat(f.maxBits);
  const vOverflow = i32x4.splat(f.overflowBits);
  const vInf = i32x4.splat(F32_INF);
  const vNaN = i32x4.splat(F32_QNAN);
  const vToUlps = f32x4.splat(integerEverywhere ? <f32>1 : pow2(-f.subUlpExp));
  const vUlp = f32x4.splat(integerEverywhere ? <f32>1 : pow2(f.subUlpExp));
  const vTwo32 = f32x4.splat(4294967296.0);
  const vOneF = f32x4.splat(1.0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    // Draws base+i .. base+i+3: drawAt lane by lane, or the lane streams' first draws.
    const h = positionHashes(key, base + <u32>i);
    const d = laneStream ? firstLaneDraws(h) : fmix32x4(h);
    const u = v128.load(src + (<usize>i << 2));
    const sign = v128.and(u, vSign);
    const a = v128.xor(u, sign);
    // Signed compares, as in roundArrayNearestEven: res is below 2^31 but where a is NaN.
    const isSub = i32x4.lt_s(a, vMinNormal);
    const dropped = v128.and(a, vLow);
    const keptNormal = i32x4.sub(a, dropped);
    const ulps = f32x4.mul(a, vToUlps);
    const whole = f32x4.floor(ulps);
    const fractionSub = i32x4.trunc_sat_f32x4_u(f32x4.mul(f32x4.sub(ulps, whole), vTwo32));
    const fraction = v128.bitselect(fractionSub, i32x4.shl(dropped, toFixed), isSub);
    const carry = i32x4.lt_u(i32x4.add(fraction, v128.and(d, vDrawMask)), fraction); // all ones where up
    const normal = i32x4.add(keptNormal, i32x4.shl(i32x4.shr_u(carry, 31), shift));
    const sub = f32x4.mul(f32x4.add(whole, v128.and(carry, vOneF)), vUlp);
    let res = v128.bitselect(sub, normal, isSub);
    res = v128.bitselect(vOverflow, res, i32x4.gt_s(res, vMax));
    res = v128.bitselect(vNaN, res, i32x4.gt_s(a, vInf));
    v128.store(dst + (<usize>i << 2), v128.or(sign, res));
  }
  return i;
}

/** (o * GOLDEN) ^ key for the four positions o = first .. first+3: what drawAt and laneSeed hash. */
// @ts-ignore: decorator
@inline function positionHashes(key: u32, first: u32): v128 {
  return v128.xor(i32x4.mul(i32x4.add(i32x4.splat(first), i32x4(0, 1, 2, 3)), i32x4.splat(GOLDEN)), i32x4.splat(key));
}

/** fmix32 (prng.ts) of four lanes. */
// @ts-ignore: decorator
@inline function fmix32x4(x: v128): v128 {
  x = v128.xor(x, i32x4.shr_u(x, 16));
  x = i32x4.mul(x, i32x4.splat(0x85ebca6b));
  x = v128.xor(x, i32x4.shr_u(x, 13));
  x = i32x4.mul(x, i32x4.splat(0xc2b2ae35));
  return v128.xor(x, i32x4.shr_u(x, 16));
}

/**
 * The first draws of four lane streams (prng.ts) from h = (o * GOLDEN) ^ key of their outputs o: laneSeed's
 * two words, then one xorshift64 step (13, 7, 17) on (hi:lo) in 32-bit halves; the draw is the upper word.
 */
// @ts-ignore: decorator
@inline function firstLaneDraws(h: v128): v128 {
  let hi = fmix32x4(h), lo = fmix32x4(v128.xor(h, i32x4.splat(SEED_SALT)));
  hi = v128.xor(hi, v128.or(i32x4.shl(hi, 13), i32x4.shr_u(lo, 19)));
  lo = v128.xor(lo, i32x4.shl(lo, 13));
  lo = v128.xor(lo, v128.or(i32x4.shr_u(lo, 7), i32x4.shl(hi, 25)));
  hi = v128.xor(hi, i32x4.shr_u(hi, 7));
  return v128.xor(hi, v128.or(i32x4.shl(hi, 17), i32x4.shr_u(lo, 15)));
}

/**
 * The first draws of the lane streams of outputs first .. first+n-1 under `key`, as u32 at dst: what fast
 * mode's rounding of each output takes (four at a time in the SIMD build).
 */
export function firstLaneDrawsOf(key: u32, first: u32, dst: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), firstLaneDraws(positionHashes(key, first + <u32>i)));
  }
  for (; i < n; i++) store<u32>(dst + (<usize>i << 2), firstLaneDraw(key, first + <u32>i));
}

/**
 * Stochastic rounding of n f32 values src -> dst (may alias) to f, element i with the first draw of the
 * GEMM lane stream of output `first + i` (prng.ts): fast mode's one rounding per output. roundValue's
 * bits, element by element.
 */
export function roundArrayLaneDraws(f: Format, srBits: i32, key: u32, first: u32, src: usize, dst: usize, n: i32): void {
  let i = f.isFloat && f.m < 23 ? stochasticLanes(f, srBits, key, first, src, dst, n, true) : 0;
  for (; i < n; i++) {
    const x = load<f32>(src + (<usize>i << 2));
    store<f32>(dst + (<usize>i << 2), roundValue(x, f, ROUND_SR, srBits, firstLaneDraw(key, first + <u32>i)));
  }
}

/** True when the float format f has these fields (the guard of a loop specialised to them). */
function isFormat(f: Format, m: i32, emin: i32, subUlpExp: i32, maxBits: u32, overflowBits: u32): bool {
  return f.m == m && f.emin == emin && f.subUlpExp == subUlpExp && f.maxBits == maxBits && f.overflowBits == overflowBits;
}

/**
 * The scalar sr loop from element i for a float format with subnormals whose last place lies at least 56
 * places above an f32 subnormal's (shift + emin + 127 >= 57: every format with e <= 7). The places dropped
 * are shift + max(eminBiased - biased, 0), the count of the general loop below; an f32 subnormal, whose
 * hidden bit and exponent this formula gets wrong, is far under one ulp either way (fraction 0, result 0).
 * Past 23 places the shifts of `kept` wrap and the select discards them. The draw of element k is
 * fmix32((base + k) * GOLDEN ^ key), drawAt's, with the product kept as a running sum; four elements a
 * pass, which spreads the loop's own work (V8 checks for interrupts on every back edge).
 */
// @ts-ignore: decorator
@inline function stochasticWithSubnormals(
  m: i32, emin: i32, ulpBits: u32, maxBits: u32, overflowBits: u32, nanIsOverflow: bool, drawMask: u32,
  key: u32, base: u32, src: usize, dst: usize, i: i32, n: i32,
): void {
  let h = (base + <u32>i) * GOLDEN;
  const delta = dst - src;
  let p = src + (<usize>i << 2);
  const end4 = p + (<usize>((n - i) & ~3) << 2);
  for (; p < end4; p += 16) {
    stochasticOne(p, p + delta, h, m, emin, ulpBits, maxBits, overflowBits, nanIsOverflow, drawMask, key);
    stochasticOne(p + 4, p + 4 + delta, h + GOLDEN, m, emin, ulpBits, maxBits, overflowBits, nanIsOverflow, drawMask, key);
    stochasticOne(p + 8, p + 8 + delta, h + GOLDEN * 2, m, emin, ulpBits, maxBits, overflowBits, nanIsOverflow, drawMask, key);
    stochasticOne(p + 12, p + 12 + delta, h + GOLDEN * 3, m, emin, ulpBits, maxBits, overflowBits, nanIsOverflow, drawMask, key);
    h += GOLDEN * 4;
  }
  const end = src + (<usize>n << 2);
  for (; p < end; p += 4) {
    stochasticOne(p, p + delta, h, m, emin, ulpBits, maxBits, overflowBits, nanIsOverflow, drawMask, key);
    h += GOLDEN;
  }
}

/**
 * One element of stochasticWithSubnormals, `h` its draw's counter times GOLDEN. With `nanIsOverflow`
 * (overflow gives the quiet NaN) a NaN input needs no select of its own: its exponent field survives the
 * rounding, so the result is past the largest value.
 */
// @ts-ignore: decorator
@inline function stochasticOne(
  from: usize, to: usize, h: u32, m: i32, emin: i32, ulpBits: u32, maxBits: u32, overflowBits: u32,
  nanIsOverflow: bool, drawMask: u32, key: u32,
): void {
  const u = load<u32>(from);
  const a = u & ~F32_SIGN;
  // 23 - m + max(eminBiased - e, 0) places, clamped at 63 for the 64-bit shift (past 55 the fraction is 0
  // anyway): top - clamp(e, top - 63, eminBiased) with top = 23 - m + eminBiased, one count for every shift.
  const eminBiased = emin + 127, top = 23 - m + eminBiased;
  const places = <u32>(top - min(max(<i32>(a >>> 23), top - 63), eminBiased));
  // The significand as a 32.32 fixed-point number, shifted down by the places dropped: its lower word is
  // the fraction the draw is added to, and the carry of that sum lands in the upper word, which is then the
  // kept significand rounded. Put back at its place with the exponent (minus the hidden bit it holds):
  // ((a >>> places) + carry) << places. Past 23 places the kept significand is the carry alone.
  const significand = (a & 0x7f_ffff) | 0x80_0000;
  const scaled = (<u64>significand << 32) >> <u64>places;
  const keptSignificand = <u32>((scaled + <u64>(fmix32(h ^ key) & drawMask)) >> 32);
  const kept = select<u32>((keptSignificand << places) + (a & F32_INF) - 0x80_0000, ulpBits & (0 - keptSignificand), places <= 23);
  let res = select<u32>(overflowBits, kept, kept > maxBits);
  if (!nanIsOverflow) res = select<u32>(F32_QNAN, res, a > F32_INF);
  store<u32>(to, (u ^ a) | res);
}

/** The rounded magnitude past the largest value overflows, NaN stays the quiet NaN; the sign of u. */
// @ts-ignore: decorator
@inline function stochasticResult(kept: u32, u: u32, maxBits: u32, overflowBits: u32): u32 {
  const a = u & ~F32_SIGN;
  let res = select<u32>(overflowBits, kept, kept > maxBits);
  res = select<u32>(F32_QNAN, res, a > F32_INF);
  return (u & F32_SIGN) | res;
}

/** Rounds n values and stores their codes (u8, u16 or u32 each, by f.bytes). */
export function encodeArray(f: Format, mode: i32, srBits: i32, rng: Rng | null, src: usize, dst: usize, n: i32, scratch: usize): void {
  roundArray(f, mode, srBits, rng, src, scratch, n);
  const bytes = f.bytes;
  for (let i = encodeFloatCodes(f, scratch, dst, n); i < n; i++) {
    const code = encodeRounded(load<f32>(scratch + (<usize>i << 2)), f);
    if (bytes == 1) store<u8>(dst + <usize>i, <u8>code);
    else if (bytes == 2) store<u16>(dst + (<usize>i << 1), <u16>code);
    else store<u32>(dst + (<usize>i << 2), code);
  }
}

/**
 * encodeRounded of values already rounded to f, four a vector (SIMD build), for float formats of 1- or
 * 2-byte codes whose subnormal ulp 2^subUlpExp has an f32 reciprocal (every format but the e8 ones):
 * a normal magnitude's code is its f32 bits shifted and rebased, a subnormal's is the exact integer
 * |v| / 2^subUlpExp, inf and NaN take the codes encodeRounded gives them. Returns the values it encoded.
 */
function encodeFloatCodes(f: Format, src: usize, dst: usize, n: i32): i32 {
  return floatCodes(f, src, dst, n, false);
}

/**
 * The codes of values that f holds exactly, four a vector, as encodeFloatCodes for formats with
 * subnormals; stops before the first vector with a value f does not hold, an inf or a NaN, and returns
 * how many values it encoded (a multiple of 4; 0 in the scalar build): the caller's scalar loop decides
 * from there.
 */
export function encodeExactFloatCodes(f: Format, src: usize, dst: usize, n: i32): i32 {
  return f.subnormals ? floatCodes(f, src, dst, n, true) : 0;
}

// @ts-ignore: decorator
@inline function floatCodes(f: Format, src: usize, dst: usize, n: i32, exactOnly: bool): i32 {
  if (!ASC_FEATURE_SIMD || !f.isFloat || f.isBlock || f.bytes > 2 || f.subUlpExp < -126) return 0;
  const vAbs = i32x4.splat(~F32_SIGN), vInf = i32x4.splat(F32_INF);
  const vRebase = i32x4.splat((<u32>(127 - f.bias)) << <u32>f.m);
  const vMinNormal = i32x4.splat(f.minNormalBits);
  const vMax = i32x4.splat(f.maxBits);
  const vLow = i32x4.splat((<u32>1 << <u32>(23 - f.m)) - 1);
  const vToUnits = f32x4.splat(pow2(-f.subUlpExp));
  // Exact-only runs stop before inf and NaN, so only whole encodes need their codes.
  const vInfCode = i32x4.splat(exactOnly ? 0 : encodeRounded(reinterpret<f32>(F32_INF), f));
  const vNaNCode = i32x4.splat(exactOnly ? 0 : encodeRounded(reinterpret<f32>(F32_QNAN), f));
  const shift = <u32>(23 - f.m), signShift = <u32>(f.bits - 1);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const u = v128.load(src + (<usize>i << 2));
    const a = v128.and(u, vAbs);
    const sub = i32x4.lt_s(a, vMinNormal); // a below 2^31: a signed compare, one instruction
    const units = f32x4.mul(a, vToUnits);
    if (exactOnly) {
      // Held exactly: finite, at most max, no bits below the last place (normal) or a whole number of
      // subnormal ulps.
      const held = v128.and(i32x4.le_u(a, vMax),
        v128.bitselect(f32x4.eq(f32x4.floor(units), units), i32x4.eq(v128.and(a, vLow), i32x4.splat(0)), sub));
      if (!i32x4.all_true(held)) break;
    }
    // A subnormal's units are below 2^m, where the signed conversion (one instruction) is exact.
    let code = v128.bitselect(i32x4.trunc_sat_f32x4_s(units), i32x4.sub(i32x4.shr_u(a, shift), vRebase), sub);
    if (!exactOnly) {
      code = v128.bitselect(vInfCode, code, i32x4.eq(a, vInf));
      code = v128.bitselect(vNaNCode, code, i32x4.gt_s(a, vInf));
    }
    code = v128.or(code, i32x4.shl(i32x4.shr_u(u, 31), signShift));
    const narrow = i16x8.narrow_i32x4_u(code, code);
    if (f.bytes == 1) v128.store32_lane(dst + <usize>i, i8x16.narrow_i16x8_u(narrow, narrow), 0);
    else v128.store64_lane(dst + (<usize>i << 1), narrow, 0);
  }
  return i;
}

/** Decodes n codes (u8, u16 or u32 each, by f.bytes) to f32 values. */
export function decodeArray(f: Format, src: usize, dst: usize, n: i32): void {
  if (f.bytes == 1) {
    buildDecodeTable(f);
    const table = f.table;
    for (let i = 0; i < n; i++) {
      store<f32>(dst + (<usize>i << 2), load<f32>(table + (<usize>load<u8>(src + <usize>i) << 2)));
    }
  } else if (f.bytes == 2) {
    for (let i = 0; i < n; i++) store<f32>(dst + (<usize>i << 2), decodeCode(load<u16>(src + (<usize>i << 1)), f));
  } else {
    for (let i = 0; i < n; i++) store<f32>(dst + (<usize>i << 2), decodeCode(load<u32>(src + (<usize>i << 2)), f));
  }
}
