// Array kernels: round, encode and decode runs of values in linear memory.
// Every kernel gives exactly the bits of roundValue (rounding.ts) element by element; the fast paths
// only hoist what is constant for a float format, and the SIMD paths compute four independent elements
// at once (draw i of a stochastic run always goes to element i).
import { ROUND_RNE, ROUND_SR } from "../generated/formats";
import { Format, F32_INF, F32_QNAN, F32_SIGN } from "./format";
import { roundValue } from "./rounding";
import { Rng, drawAt, GOLDEN } from "./prng";
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

function roundArrayNearestEven(f: Format, src: usize, dst: usize, n: i32): void {
  const shift = <u32>(23 - f.m);
  const one: u32 = <u32>1 << shift;
  const halfMinusOne = (one >>> 1) - 1;
  const keepMask = ~(one - 1);
  let i = 0;
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
      let r = v128.bitselect(normal, sub, i32x4.ge_u(a, vMinNormal));
      r = v128.bitselect(vOverflow, r, i32x4.gt_u(r, vMax));
      r = v128.bitselect(vNaN, r, i32x4.gt_u(a, vInf));
      v128.store(dst + (<usize>i << 2), v128.or(sign, r));
    }
  }
  for (; i < n; i++) {
    store<u32>(dst + (<usize>i << 2), nearestEvenBits(load<u32>(src + (<usize>i << 2)), f, shift, halfMinusOne, keepMask));
  }
}

function roundArrayStochastic(f: Format, srBits: i32, key: u32, base: u32, src: usize, dst: usize, n: i32): void {
  const shift = 23 - f.m;
  const r = srBits < shift ? srBits : shift;
  const one: u32 = <u32>1 << <u32>shift;
  const dropShift = <u32>(shift - r);
  const drawShift = <u32>(32 - r);
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vSign = i32x4.splat(F32_SIGN);
    const vLow = i32x4.splat(one - 1);
    const vMinNormal = i32x4.splat(f.minNormalBits);
    const vMax = i32x4.splat(f.maxBits);
    const vOverflow = i32x4.splat(f.overflowBits);
    const vInf = i32x4.splat(F32_INF);
    const vNaN = i32x4.splat(F32_QNAN);
    const vKey = i32x4.splat(key);
    const vGolden = i32x4.splat(GOLDEN);
    const vLane = i32x4(0, 1, 2, 3);
    for (; i + 4 <= n; i += 4) {
      // Draws base+i .. base+i+3, the same fmix32 as drawAt, lane by lane.
      let d = v128.xor(i32x4.mul(i32x4.add(i32x4.splat(base + <u32>i), vLane), vGolden), vKey);
      d = v128.xor(d, i32x4.shr_u(d, 16));
      d = i32x4.mul(d, i32x4.splat(0x85ebca6b));
      d = v128.xor(d, i32x4.shr_u(d, 13));
      d = i32x4.mul(d, i32x4.splat(0xc2b2ae35));
      d = v128.xor(d, i32x4.shr_u(d, 16));
      const u = v128.load(src + (<usize>i << 2));
      const sign = v128.and(u, vSign);
      const a = v128.xor(u, sign);
      const dropped = v128.and(a, vLow);
      const kept = i32x4.sub(a, dropped);
      const up = i32x4.shr_u(i32x4.add(i32x4.shr_u(dropped, dropShift), i32x4.shr_u(d, drawShift)), <u32>r);
      let res = i32x4.add(kept, i32x4.shl(up, <u32>shift));
      res = v128.bitselect(vOverflow, res, i32x4.gt_u(res, vMax));
      res = v128.bitselect(vNaN, res, i32x4.gt_u(a, vInf));
      res = v128.or(sign, res);
      v128.store(dst + (<usize>i << 2), res);
      if (v128.any_true(i32x4.lt_u(a, vMinNormal))) {
        // Below 2^emin the rounding position moves with the exponent: finish those lanes one by one.
        for (let j = 0; j < 4; j++) {
          const p = <usize>(i + j) << 2;
          const x = load<f32>(src + p);
          if ((reinterpret<u32>(x) & ~F32_SIGN) < f.minNormalBits) {
            store<f32>(dst + p, roundValue(x, f, ROUND_SR, srBits, drawAt(key, base + <u32>(i + j))));
          }
        }
      }
    }
  }
  for (; i < n; i++) {
    const p = <usize>i << 2;
    const u = load<u32>(src + p);
    const draw = drawAt(key, base + <u32>i);
    const sign = u & F32_SIGN;
    const a = u ^ sign;
    let res: u32;
    if (a < f.minNormalBits) {
      res = reinterpret<u32>(roundValue(reinterpret<f32>(u), f, ROUND_SR, srBits, draw));
    } else {
      const dropped = a & (one - 1);
      const up = ((dropped >>> dropShift) + (draw >>> drawShift)) >>> <u32>r;
      res = a - dropped + (up << <u32>shift);
      res = select<u32>(f.overflowBits, res, res > f.maxBits);
      res = sign | select<u32>(F32_QNAN, res, a > F32_INF);
    }
    store<u32>(dst + p, res);
  }
}

/** Rounds n values and stores their codes (u8, u16 or u32 each, by f.bytes). */
export function encodeArray(f: Format, mode: i32, srBits: i32, rng: Rng | null, src: usize, dst: usize, n: i32, scratch: usize): void {
  roundArray(f, mode, srBits, rng, src, scratch, n);
  const bytes = f.bytes;
  for (let i = 0; i < n; i++) {
    const code = encodeRounded(load<f32>(scratch + (<usize>i << 2)), f);
    if (bytes == 1) store<u8>(dst + <usize>i, <u8>code);
    else if (bytes == 2) store<u16>(dst + (<usize>i << 1), <u16>code);
    else store<u32>(dst + (<usize>i << 2), code);
  }
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
