// Low-precision GEMM with per-MAC emulation: the kernel behind every layer's forward and backward pass, and
// the golden model the accelerator reproduces bit for bit. Semantics, exactness arguments and limits are
// in docs/gemm.md. In this file: the spec; one rounding of an f64 value; one rounding of an exact sum; the
// reference kernel (every mode and format); fast mode; the plain f32 loop; the operand probe and the f64
// kernels for rne and sr (scalar, and f64x2 in the SIMD build); the f32x4 kernel for rne sums (SIMD
// build); the dispatcher that picks the cheapest kernel giving the reference's bits; the entry point.
//
// Every kernel computes, for each output, the same sequence of correctly rounded steps in increasing k;
// the faster ones only prove (from the formats and a scan of the operands) that a cheaper computation
// gives the same bits, and vectorise across independent outputs, never across a reduction.
import {
  ROUND_RNE, ROUND_RNA, ROUND_RZ, ROUND_RU, ROUND_RD, ROUND_RO, ROUND_SR, KIND_FLOAT, SPECIALS_IEEE,
  WORD_KIND_SHIFT, WORD_SPECIALS_SHIFT, WORD_E_SHIFT, WORD_M_SHIFT,
} from "../generated/formats";
import { Format, makeFormat, F32_QNAN, F32_SIGN } from "./format";
import { roundValue, roundsUp, upStochastic, overflowsToInfinity } from "./rounding";
import { drawAt, fmix32, GOLDEN } from "./prng";

/** How the products and sums of a GEMM are rounded (docs/gemm.md). */
@final @unmanaged
export class MacSpec {
  /** Products are rounded to this format; null means fp32 with rne. */
  mul: Format | null = null;
  mulMode: i32 = ROUND_RNE;
  /** The running sum is rounded to this format after every add; null means fp32 with rne. */
  acc: Format | null = null;
  accMode: i32 = ROUND_RNE;
  /** One rounding per step: acc = round_acc(acc + x*w) with the product exact. */
  fma: bool = false;
  /** f32 accumulation, then one rounding of each result to acc. */
  fast: bool = false;
  /** Random bits per stochastic rounding, 1..32. */
  srBits: i32 = 32;
  /** Key of this job's random stream (prng.ts drawAt). */
  srKey: u32 = 0;
}

export function macSpecNew(): MacSpec {
  const spec = new MacSpec();
  spec.mul = null;
  spec.mulMode = ROUND_RNE;
  spec.acc = null;
  spec.accMode = ROUND_RNE;
  spec.fma = false;
  spec.fast = false;
  spec.srBits = 32;
  spec.srKey = 0;
  return spec;
}

/** The format word of IEEE binary32 (what a null mul or acc means). */
export const FP32_WORD: u32 = (<u32>KIND_FLOAT << WORD_KIND_SHIFT) | (<u32>SPECIALS_IEEE << WORD_SPECIALS_SHIFT) |
  (<u32>8 << WORD_E_SHIFT) | (<u32>23 << WORD_M_SHIFT);
const fp32Format: Format = makeFormat(FP32_WORD)!;

/** True when rounding to `f` with `mode` leaves every non-NaN f32 value as it is (fp32 itself, rne). */
function isIdentityOnF32(f: Format, mode: i32): bool {
  return f.word == FP32_WORD && mode == ROUND_RNE;
}

/** Largest m * n * k of a job that uses stochastic rounding: draw indices 2 * ((i*n + j)*k + kk) + 1 fit a u32. */
export const MAC_SR_MAX_MACS: i64 = 0x7fff_ffff; // 2^31 - 1

// ---------------------------------------------------------------------------------------------------------
// One rounding of an f64 value. A product of two f32 values is exact in f64 (24 + 24 significand bits,
// exponents -298..256), so rounding it from f64 bits is one correct rounding of the exact product.
// The rules are those of roundValue (rounding.ts), read on the 52-bit fraction instead of the 23-bit one.

const F64_SIGN: u64 = 0x8000_0000_0000_0000;
const F64_INF: u64 = 0x7ff0_0000_0000_0000;
const F64_FRACTION: u64 = 0x000f_ffff_ffff_ffff;
const F64_IMPLICIT: u64 = 0x0010_0000_0000_0000;

/** f64 bits of the f32 value with bits `b` (exact). */
// @ts-ignore: decorator
@inline function widenBits(b: u32): u64 {
  return reinterpret<u64>(<f64>reinterpret<f32>(b));
}

/** f64 bits of 2^k, -1022 <= k <= 1023. */
// @ts-ignore: decorator
@inline function pow2Bits64(k: i32): u64 {
  return <u64>(k + 1023) << 52;
}

/**
 * Rounds the finite magnitude with f64 bits `a` to the format; returns f64 magnitude bits, overflow not yet
 * applied. The result is a value of the format (or the step past its largest), so it is exact in f32.
 */
function roundMagnitude64(a: u64, negative: bool, f: Format, mode: i32, srBits: i32, draw: u32): u64 {
  const biased = <i32>(a >>> 52);
  const exponent = (biased > 1 ? biased : 1) - 1023;
  const ulpExp = exponent < f.emin ? f.subUlpExp : exponent - f.m;
  const shift = ulpExp - exponent + 52; // >= 29: m <= 23
  if (shift <= 52) {
    const one: u64 = <u64>1 << <u64>shift;
    const dropped = a & (one - 1);
    const kept = a - dropped;
    // At shift 52 the kept bit is the implicit one: a subnormal result holds exactly one ulp (odd), and an
    // m = 0 normal result is odd when its exponent code is (rounding.ts, same rule).
    const odd = shift < 52 || biased == 0
      ? (kept & one) != 0
      : exponent < f.emin || ((exponent + f.bias) & 1) != 0;
    return roundsUp<u64>(mode, dropped, one >>> 1, odd, negative, shift, srBits, draw) ? kept + one : kept;
  }
  // Below one unit of the last place: the result is 0 (even) or 2^ulpExp.
  const significand: u64 = biased == 0 ? a : (a & F64_FRACTION) | F64_IMPLICIT;
  const half: u64 = shift - 1 < 64 ? <u64>1 << <u64>(shift - 1) : 0xffff_ffff_ffff_ffff;
  return roundsUp<u64>(mode, significand, half, false, negative, shift, srBits, draw) ? pow2Bits64(ulpExp) : 0;
}

/** Applies the format's overflow rule to rounded magnitude bits `r` and returns the f32 result. */
// @ts-ignore: decorator
@inline function finish64(r: u64, negative: bool, f: Format, mode: i32): f32 {
  const sign: u32 = negative ? F32_SIGN : 0;
  const limitBits = negative ? f.negMaxBits : f.maxBits;
  if (r > widenBits(limitBits)) {
    const over = overflowsToInfinity(mode, negative) ? (negative ? f.negOverflowBits : f.overflowBits) : limitBits;
    return reinterpret<f32>(sign | over);
  }
  return reinterpret<f32>(sign | reinterpret<u32>(<f32>reinterpret<f64>(r)));
}

/** One correct rounding of an f64 value to a float or fixed format. NaN gives the canonical quiet NaN. */
export function roundDouble(x: f64, f: Format, mode: i32, srBits: i32, draw: u32): f32 {
  const u = reinterpret<u64>(x);
  const negative = (u >>> 63) != 0;
  const a = u & ~F64_SIGN;
  if (a >= F64_INF) {
    if (a > F64_INF) return reinterpret<f32>(F32_QNAN);
    return reinterpret<f32>((negative ? F32_SIGN : 0) | (negative ? f.negOverflowBits : f.overflowBits));
  }
  return finish64(roundMagnitude64(a, negative, f, mode, srBits, draw), negative, f, mode);
}

// ---------------------------------------------------------------------------------------------------------
// One rounding of an exact sum a + b of two f64 values (an f32 running sum and a product or rounded
// product). TwoSum gives hi + lo = a + b exactly. When lo != 0 the value is replaced by its round-to-odd at
// 53 bits, which every deterministic mode rounds exactly like the exact sum (formats have at most 24 bits:
// Boldo & Melquiond, "Emulation of FMA and correctly rounded sums: proved algorithms using rounding to
// odd", IEEE TC 2008), and which keeps every bit of the discarded fraction above its last bit, enough
// for a stochastic rounding whose r bits stop above it. Otherwise the r bits are read from hi and lo.

/** An exact zero sum: +0, or -0 when both are -0 or the mode is rd (IEEE 754, 6.3). */
// @ts-ignore: decorator
@inline function zeroSum(a: f64, b: f64, mode: i32): f32 {
  const bothPositiveZero = (reinterpret<u64>(a) | reinterpret<u64>(b)) == 0;
  const bothNegativeZero = (reinterpret<u64>(a) & reinterpret<u64>(b)) == F64_SIGN;
  return bothNegativeZero || (mode == ROUND_RD && !bothPositiveZero) ? -0.0 : 0.0;
}

/** Round-to-odd bits of hi + lo at 53 bits (lo != 0, |lo| <= ulp(hi) / 2): truncate, then set the last bit. */
// @ts-ignore: decorator
@inline function oddBits(hi: u64, lo: f64): u64 {
  const opposite = (reinterpret<u64>(lo) ^ hi) >>> 63;
  return (hi - opposite) | 1;
}

/** One correct rounding of a + b (a, b finite or not; their exact sum). */
export function roundSum(a: f64, b: f64, f: Format, mode: i32, srBits: i32, draw: u32): f32 {
  const hi = a + b;
  if (hi - hi != 0) return roundDouble(hi, f, mode, srBits, draw); // inf or NaN
  const bb = hi - a;
  const lo = (a - (hi - bb)) + (b - bb);
  if (lo == 0) {
    if (hi == 0) return zeroSum(a, b, mode);
    return roundDouble(hi, f, mode, srBits, draw);
  }
  const hu = reinterpret<u64>(hi);
  const negative = (hu >>> 63) != 0;
  const odd = oddBits(hu, lo) & ~F64_SIGN;
  if (mode != ROUND_SR) return finish64(roundMagnitude64(odd, negative, f, mode, srBits, draw), negative, f, mode);
  const exponent = <i32>(odd >>> 52) - 1023;
  const ulpExp = exponent < f.emin ? f.subUlpExp : exponent - f.m;
  const shift = ulpExp - exponent + 52;
  if (srBits < shift) return finish64(roundMagnitude64(odd, negative, f, mode, srBits, draw), negative, f, mode);
  return finish64(stochasticPair(odd, hu & ~F64_SIGN, lo, negative, exponent, shift, srBits, draw), negative, f, mode);
}

/**
 * Stochastic rounding of |hi + lo| when its r bits reach below the 53-bit odd value `odd` (29 <= shift <=
 * srBits <= 32, only for formats of 21 bits and more). With fine = ulp(odd), D the discarded bits of odd
 * and d = |hi + lo| - odd (|d| < fine), the top r bits of the exact fraction are
 * floor((D + d / fine) * 2^k), k = r - shift, = (D + c) * 2^k + floor(lo' * 2^k / fine), where
 * c = (|hi| - odd) / fine is 0 or ±1 and lo' is lo signed toward |hi|.
 */
function stochasticPair(odd: u64, hiMagnitude: u64, lo: f64, negative: bool, exponent: i32, shift: i32, srBits: i32, draw: u32): u64 {
  const one: u64 = <u64>1 << <u64>shift;
  const dropped = odd & (one - 1);
  const kept = odd - dropped;
  const k = srBits - shift;
  const c: i64 = hiMagnitude == odd ? 0 : hiMagnitude > odd ? 1 : -1;
  const loToward = negative ? -lo : lo;
  // Exact: a power-of-two scaling of lo (|lo| >= 2^-400, the scale at most 2^204).
  const below = <i64>Math.floor(loToward * reinterpret<f64>(pow2Bits64(k - exponent + 52)));
  const top = <u64>(((<i64>dropped + c) << <i64>k) + below);
  const up = ((top + <u64>(draw >>> <u32>(32 - srBits))) >> <u64>srBits) != 0;
  return up ? kept + one : kept;
}

// ---------------------------------------------------------------------------------------------------------
// Operand addressing. X(i, kk) and W(kk, j) through element strides, so one loop serves every transpose.

// @ts-ignore: decorator
@inline function at(base: usize, row: i32, rowStride: i32, col: i32, colStride: i32): usize {
  return base + ((<usize>row * <usize>rowStride + <usize>col * <usize>colStride) << 2);
}

/** A job: shape, operands and strides (in elements) of X(i, kk), W(kk, j) and Z(i, j). */
@final @unmanaged
class Job {
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

const job = new Job();

// ---------------------------------------------------------------------------------------------------------
// The reference kernel: every mode, every float or fixed format, one output at a time, exactly as
// docs/gemm.md states the semantics. The specialised kernels must match it bit for bit.

function gemmReference(spec: MacSpec): void {
  const mul = spec.mul == null ? fp32Format : spec.mul!;
  const acc = spec.acc == null ? fp32Format : spec.acc!;
  const mulMode = spec.mul == null ? ROUND_RNE : spec.mulMode;
  const accMode = spec.acc == null ? ROUND_RNE : spec.accMode;
  const srBits = spec.srBits, key = spec.srKey, fma = spec.fma;
  const m = job.m, n = job.n, k = job.k;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const zp = at(job.z, i, job.ldz, j, 1);
      let s: f32 = job.accumulate ? load<f32>(zp) : 0;
      let index = <u32>(i * n + j) * <u32>k * 2;
      for (let kk = 0; kk < k; kk++, index += 2) {
        const product = <f64>load<f32>(at(job.x, i, job.xRow, kk, job.xK)) * <f64>load<f32>(at(job.w, kk, job.wK, j, job.wCol));
        const accDraw = accMode == ROUND_SR ? drawAt(key, index + 1) : 0;
        if (fma) {
          s = roundSum(<f64>s, product, acc, accMode, srBits, accDraw);
        } else {
          const p = roundDouble(product, mul, mulMode, srBits, mulMode == ROUND_SR ? drawAt(key, index) : 0);
          s = roundSum(<f64>s, <f64>p, acc, accMode, srBits, accDraw);
        }
      }
      store<f32>(zp, k > 0 ? canonical(s) : s);
    }
  }
}

/** NaN results are stored as the one quiet NaN 0x7FC00000, whatever sign or payload the arithmetic gave. */
// @ts-ignore: decorator
@inline function canonical(s: f32): f32 {
  return s != s ? reinterpret<f32>(F32_QNAN) : s;
}

/** One exact-mode MAC step with explicit draws: s' = round_acc(s + round_mul(x * w)), or fused (tests of the sr rule). */
export function macStep(spec: MacSpec, s: f32, x: f32, w: f32, mulDraw: u32, accDraw: u32): f32 {
  const mul = spec.mul == null ? fp32Format : spec.mul!;
  const acc = spec.acc == null ? fp32Format : spec.acc!;
  const mulMode = spec.mul == null ? ROUND_RNE : spec.mulMode;
  const accMode = spec.acc == null ? ROUND_RNE : spec.accMode;
  const product = <f64>x * <f64>w;
  const term = spec.fma ? product : <f64>roundDouble(product, mul, mulMode, spec.srBits, mulDraw);
  return canonical(roundSum(<f64>s, term, acc, accMode, spec.srBits, accDraw));
}

// ---------------------------------------------------------------------------------------------------------
// fast mode: f32 multiply and add in increasing k (wasm has no contraction), then one rounding per output
// to acc with draw i*n + j.

function gemmFast(spec: MacSpec): void {
  const m = job.m, n = job.n, k = job.k;
  const xRow = job.xRow, xK = job.xK, wK = job.wK, wCol = job.wCol;
  const x = job.x, w = job.w;
  for (let i = 0; i < m; i++) {
    let j = 0;
    // Four independent outputs per pass: each keeps its own order, the processor overlaps them.
    for (; j + 4 <= n; j += 4) {
      let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
      if (job.accumulate) {
        s0 = load<f32>(at(job.z, i, job.ldz, j, 1));
        s1 = load<f32>(at(job.z, i, job.ldz, j + 1, 1));
        s2 = load<f32>(at(job.z, i, job.ldz, j + 2, 1));
        s3 = load<f32>(at(job.z, i, job.ldz, j + 3, 1));
      }
      let xp = at(x, i, xRow, 0, xK);
      let wp = at(w, 0, wK, j, wCol);
      const xStep = <usize>xK << 2, wStep = <usize>wK << 2, c = <usize>wCol << 2;
      if (ASC_FEATURE_SIMD) {
        if (wCol == 1) {
          let v = v128.load(at(job.z, i, job.ldz, j, 1));
          if (!job.accumulate) v = f32x4.splat(0);
          for (let kk = 0; kk < k; kk++, xp += xStep, wp += wStep) {
            v = f32x4.add(v, f32x4.mul(f32x4.splat(load<f32>(xp)), v128.load(wp)));
          }
          v128.store(at(job.z, i, job.ldz, j, 1), v);
          continue;
        }
      }
      for (let kk = 0; kk < k; kk++, xp += xStep, wp += wStep) {
        const xv = load<f32>(xp);
        s0 += xv * load<f32>(wp);
        s1 += xv * load<f32>(wp + c);
        s2 += xv * load<f32>(wp + 2 * c);
        s3 += xv * load<f32>(wp + 3 * c);
      }
      store<f32>(at(job.z, i, job.ldz, j, 1), s0);
      store<f32>(at(job.z, i, job.ldz, j + 1, 1), s1);
      store<f32>(at(job.z, i, job.ldz, j + 2, 1), s2);
      store<f32>(at(job.z, i, job.ldz, j + 3, 1), s3);
    }
    for (; j < n; j++) {
      let s: f32 = job.accumulate ? load<f32>(at(job.z, i, job.ldz, j, 1)) : 0;
      for (let kk = 0; kk < k; kk++) {
        s += load<f32>(at(x, i, xRow, kk, xK)) * load<f32>(at(w, kk, wK, j, wCol));
      }
      store<f32>(at(job.z, i, job.ldz, j, 1), s);
    }
  }
  const acc = spec.acc;
  const mode = spec.accMode;
  const identity = acc == null || isIdentityOnF32(acc, mode);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const zp = at(job.z, i, job.ldz, j, 1);
      let s = load<f32>(zp);
      if (!identity) s = roundValue(s, acc!, mode, spec.srBits, mode == ROUND_SR ? drawAt(spec.srKey, <u32>(i * n + j)) : 0);
      store<f32>(zp, canonical(s));
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// The plain f32 loop the benchmarks compare against: what a GEMM costs with no emulation at all.

export function gemmF32Plain(m: i32, n: i32, k: i32, x: usize, w: usize, z: usize): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s: f32 = 0;
      for (let kk = 0; kk < k; kk++) {
        s += load<f32>(x + ((<usize>i * <usize>k + <usize>kk) << 2)) * load<f32>(w + ((<usize>kk * <usize>n + <usize>j) << 2));
      }
      store<f32>(z + ((<usize>i * <usize>n + <usize>j) << 2), s);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// What a job's operands allow. One pass over X, W (and Z when accumulating) finds the widest significand
// and the highest and lowest bits in use; with the formats they decide two facts that make the hot loops
// cheaper without changing a bit (docs/gemm.md, "How the kernels stay exact"):
//  - every product is a value of `mul`: rounding it is the identity, so it is skipped;
//  - every sum s + term is exact in f64: the sum is rounded straight from f64, with no round-to-odd step.

@final @unmanaged
class Range {
  /** Largest floor(log2 |v|) over the finite nonzero values (RANGE_NONE_MSB when there are none). */
  msb: i32 = 0;
  /** Smallest exponent of a last set bit. */
  lsb: i32 = 0;
  /** Widest significand, leading to trailing one. */
  width: i32 = 0;
  nonFinite: bool = false;
}

const RANGE_NONE_MSB: i32 = -10000;
const RANGE_NONE_LSB: i32 = 10000;

function newRange(): Range {
  return new Range();
}
const rangeX = newRange();
const rangeW = newRange();
const rangeZ = newRange();

/** Scans rows x cols values at base (element strides) into r. */
function probe(r: Range, base: usize, rows: i32, cols: i32, rowStride: i32, colStride: i32): void {
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

/** How a kernel treats products and sums. */
const KIND_GENERAL: i32 = 0; // the reference kernel
const KIND_EXACT: i32 = 1; // products: the exact product is already a value of mul
const KIND_RNE: i32 = 2;
const KIND_SR: i32 = 3;

/** The hoisted constants of rounding an f64 magnitude to a float format with rne or sr. */
@final @unmanaged
class Hoisted {
  format: Format | null = null;
  shift: u64 = 0;
  low: u64 = 0;
  minNormal: u64 = 0;
  max: u64 = 0;
  overflow: u64 = 0;
  srDrop: u64 = 0;
  srDrawShift: u32 = 0;
  srR: u64 = 0;
  /** rne by the FPU: exponent field plus expK is 1.5 * 2^(e + 52 - m); below 2^emin, magicSub. */
  expK: u64 = 0;
  magicSub: u64 = 0;
  /** Smallest magnitude whose rne result passes the largest value, and what it then gives. */
  overflowFrom: f64 = 0;
  overflowValue: f64 = 0;
}

const hoistedMul = new Hoisted();
const hoistedAcc = new Hoisted();

function hoist(h: Hoisted, f: Format, srBits: i32): void {
  const shift = 52 - f.m;
  const r = srBits < shift ? srBits : shift;
  h.format = f;
  h.shift = <u64>shift;
  h.low = (<u64>1 << <u64>shift) - 1;
  h.minNormal = pow2Bits64(f.emin);
  h.max = widenBits(f.maxBits);
  h.overflow = widenBits(f.overflowBits);
  h.srDrop = <u64>(shift - r);
  h.srDrawShift = <u32>(32 - r);
  h.srR = <u64>r;
  h.expK = (<u64>(52 - f.m) << 52) | (<u64>1 << 51);
  h.magicSub = pow2Bits64(f.subUlpExp + 52) | (<u64>1 << 51);
  // Past max + half an ulp everything overflows; the tie itself overflows when max's last bit is odd.
  const maxOdd = ((f.maxBits >>> <u32>(23 - f.m)) & 1) != 0;
  const tie = <f64>reinterpret<f32>(f.maxBits) + reinterpret<f64>(pow2Bits64(f.emax - f.m - 1));
  h.overflowFrom = maxOdd ? tie : reinterpret<f64>(reinterpret<u64>(tie) + 1);
  h.overflowValue = <f64>reinterpret<f32>(f.overflowBits);
}

/**
 * Round to nearest even by the FPU (the SIMD build), for a float format with m >= 1: x + M - M with M = 1.5 * 2^(e + 52 - m)
 * (at or above 2^emin; below it 1.5 * 2^(subUlpExp + 52)) rounds x to its grid with ties to even, since
 * |x| stays below half of M. The sign is restored for results that round to zero; NaN fails the overflow
 * compare and passes through.
 */
// @ts-ignore: decorator
@inline function nearestEven64(x: f64, expK: u64, minNormal: u64, magicSub: u64, overflowFrom: f64, overflowValue: f64): f64 {
  const e = reinterpret<u64>(x) & F64_INF;
  const magic = reinterpret<f64>(select<u64>(e + expK, magicSub, e >= minNormal));
  const r = (x + magic) - magic;
  return copysign<f64>(select<f64>(overflowValue, r, abs<f64>(x) >= overflowFrom), x);
}

/**
 * rne or sr of a finite magnitude below 2^emin, whose grid is the subnormal ulp, with integer operations:
 * the rounding position moves with the binade, so it is kept out of the hot loops. Magnitudes under two
 * ulps take the reference rule (there the kept bit may be the implicit one).
 */
function belowNormal64(u: u64, f: Format, mode: i32, srBits: i32, draw: u32): u64 {
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
@inline function nearestEvenBits64(x: f64, f: Format, shift: u64, low: u64, minNormal: u64, max: u64, overflow: u64): f64 {
  const u = reinterpret<u64>(x);
  const sign = u & F64_SIGN;
  const a = u ^ sign;
  if (a < minNormal) return reinterpret<f64>(belowNormal64(u, f, ROUND_RNE, 32, 0));
  // a + half - 1 + (last kept bit): carries exactly when rne rounds up.
  let r = (a + (low >> 1) + ((a >> shift) & 1)) & ~low;
  r = select<u64>(overflow, r, r > max);
  r = select<u64>(a, r, a > F64_INF);
  return reinterpret<f64>(sign | r);
}

/** Stochastic rounding from f64 bits of an exact value (or its 53-bit round to odd when srBits < shift). */
// @ts-ignore: decorator
@inline function stochastic64(u: u64, draw: u32, f: Format, srBits: i32, low: u64, shift: u64, srDrop: u64, srDrawShift: u32, srR: u64, minNormal: u64, max: u64, overflow: u64): u64 {
  const sign = u & F64_SIGN;
  const a = u ^ sign;
  if (a < minNormal) return belowNormal64(u, f, ROUND_SR, srBits, draw);
  const dropped = a & low;
  const up = ((dropped >> srDrop) + <u64>(draw >>> srDrawShift)) >> srR;
  let r = (a - dropped) + (up << shift);
  r = select<u64>(overflow, r, r > max);
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

/**
 * One output's MAC step in the f64 domain: the term is the exact product or its rounding to mul, the sum
 * is exact in f64 or rounded to odd, then rounded to acc. `h` is the product's draw index times GOLDEN.
 */
// @ts-ignore: decorator
@inline function step64(
  mulKind: i32, accKind: i32, exactSum: bool, s: f64, product: f64, h: u32, key: u32, srBits: i32,
  mulFormat: Format, mShift: u64, mLow: u64, mExpK: u64, mMagicSub: u64, mMin: u64, mOverFrom: f64, mOverValue: f64, mMax: u64, mOver: u64, mDrop: u64, mDrawShift: u32, mR: u64,
  accFormat: Format, aShift: u64, aLow: u64, aExpK: u64, aMagicSub: u64, aMin: u64, aOverFrom: f64, aOverValue: f64, aMax: u64, aOver: u64, aDrop: u64, aDrawShift: u32, aR: u64,
): f64 {
  let term = product;
  if (mulKind == KIND_RNE) {
    term = ASC_FEATURE_SIMD
      ? nearestEven64(product, mExpK, mMin, mMagicSub, mOverFrom, mOverValue)
      : nearestEvenBits64(product, mulFormat, mShift, mLow, mMin, mMax, mOver);
  } else if (mulKind == KIND_SR) {
    term = reinterpret<f64>(stochastic64(reinterpret<u64>(product), fmix32(h ^ key), mulFormat, srBits, mLow, mShift, mDrop, mDrawShift, mR, mMin, mMax, mOver));
  }
  const sum = exactSum ? reinterpret<u64>(s + term) : sumToOdd(s, term);
  if (accKind == KIND_RNE) {
    return ASC_FEATURE_SIMD
      ? nearestEven64(reinterpret<f64>(sum), aExpK, aMin, aMagicSub, aOverFrom, aOverValue)
      : nearestEvenBits64(reinterpret<f64>(sum), accFormat, aShift, aLow, aMin, aMax, aOver);
  }
  return reinterpret<f64>(stochastic64(sum, fmix32((h + GOLDEN) ^ key), accFormat, srBits, aLow, aShift, aDrop, aDrawShift, aR, aMin, aMax, aOver));
}

/**
 * The specialised exact kernel: four outputs of a row at a time (four independent chains for the
 * processor to overlap), each in its own k order. Columns past n repeat the last one and are not stored.
 */
// @ts-ignore: decorator
@inline function exactKernel(mulKind: i32, accKind: i32, exactSum: bool, key: u32, srBits: i32, from: i32): void {
  const m = job.m, n = job.n, k = job.k;
  const x = job.x, w = job.w, z = job.z, ldz = job.ldz;
  const xRow = job.xRow, wCol = job.wCol;
  const xStep = <usize>job.xK << 2, wStep = <usize>job.wK << 2;
  const accumulate = job.accumulate;
  const mh = hoistedMul, ah = hoistedAcc;
  const mulFormat = mh.format!, mShift = mh.shift, mLow = mh.low, mExpK = mh.expK, mMagicSub = mh.magicSub, mMin = mh.minNormal;
  const mOverFrom = mh.overflowFrom, mOverValue = mh.overflowValue, mMax = mh.max, mOver = mh.overflow, mDrop = mh.srDrop, mDrawShift = mh.srDrawShift, mR = mh.srR;
  const accFormat = ah.format!, aShift = ah.shift, aLow = ah.low, aExpK = ah.expK, aMagicSub = ah.magicSub, aMin = ah.minNormal;
  const aOverFrom = ah.overflowFrom, aOverValue = ah.overflowValue, aMax = ah.max, aOver = ah.overflow, aDrop = ah.srDrop, aDrawShift = ah.srDrawShift, aR = ah.srR;
  const twoGolden: u32 = GOLDEN << 1;
  for (let i = 0; i < m; i++) {
    for (let j = from; j < n; j += 4) {
      const j1 = min(j + 1, n - 1), j2 = min(j + 2, n - 1), j3 = min(j + 3, n - 1);
      let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
      if (accumulate) {
        s0 = <f64>load<f32>(at(z, i, ldz, j, 1));
        s1 = <f64>load<f32>(at(z, i, ldz, j1, 1));
        s2 = <f64>load<f32>(at(z, i, ldz, j2, 1));
        s3 = <f64>load<f32>(at(z, i, ldz, j3, 1));
      }
      // Draw index of output (i, c) at kk: 2 * ((i*n + c)*k + kk), carried as index * GOLDEN.
      let h0 = <u32>(i * n + j) * <u32>k * twoGolden;
      let h1 = <u32>(i * n + j1) * <u32>k * twoGolden;
      let h2 = <u32>(i * n + j2) * <u32>k * twoGolden;
      let h3 = <u32>(i * n + j3) * <u32>k * twoGolden;
      let xp = at(x, i, xRow, 0, 1);
      let w0 = at(w, 0, 1, j, wCol), w1 = at(w, 0, 1, j1, wCol), w2 = at(w, 0, 1, j2, wCol), w3 = at(w, 0, 1, j3, wCol);
      for (let kk = 0; kk < k; kk++) {
        const xv = <f64>load<f32>(xp);
        s0 = step64(mulKind, accKind, exactSum, s0, xv * <f64>load<f32>(w0), h0, key, srBits,
          mulFormat, mShift, mLow, mExpK, mMagicSub, mMin, mOverFrom, mOverValue, mMax, mOver, mDrop, mDrawShift, mR,
          accFormat, aShift, aLow, aExpK, aMagicSub, aMin, aOverFrom, aOverValue, aMax, aOver, aDrop, aDrawShift, aR);
        s1 = step64(mulKind, accKind, exactSum, s1, xv * <f64>load<f32>(w1), h1, key, srBits,
          mulFormat, mShift, mLow, mExpK, mMagicSub, mMin, mOverFrom, mOverValue, mMax, mOver, mDrop, mDrawShift, mR,
          accFormat, aShift, aLow, aExpK, aMagicSub, aMin, aOverFrom, aOverValue, aMax, aOver, aDrop, aDrawShift, aR);
        s2 = step64(mulKind, accKind, exactSum, s2, xv * <f64>load<f32>(w2), h2, key, srBits,
          mulFormat, mShift, mLow, mExpK, mMagicSub, mMin, mOverFrom, mOverValue, mMax, mOver, mDrop, mDrawShift, mR,
          accFormat, aShift, aLow, aExpK, aMagicSub, aMin, aOverFrom, aOverValue, aMax, aOver, aDrop, aDrawShift, aR);
        s3 = step64(mulKind, accKind, exactSum, s3, xv * <f64>load<f32>(w3), h3, key, srBits,
          mulFormat, mShift, mLow, mExpK, mMagicSub, mMin, mOverFrom, mOverValue, mMax, mOver, mDrop, mDrawShift, mR,
          accFormat, aShift, aLow, aExpK, aMagicSub, aMin, aOverFrom, aOverValue, aMax, aOver, aDrop, aDrawShift, aR);
        xp += xStep;
        w0 += wStep; w1 += wStep; w2 += wStep; w3 += wStep;
        h0 += twoGolden; h1 += twoGolden; h2 += twoGolden; h3 += twoGolden;
      }
      store<f32>(at(z, i, ldz, j, 1), canonical(<f32>s0));
      if (j + 1 < n) store<f32>(at(z, i, ldz, j + 1, 1), canonical(<f32>s1));
      if (j + 2 < n) store<f32>(at(z, i, ldz, j + 2, 1), canonical(<f32>s2));
      if (j + 3 < n) store<f32>(at(z, i, ldz, j + 3, 1), canonical(<f32>s3));
    }
  }
}

// The same steps, two outputs per f64x2 (SIMD build): lane for lane the operations of step64.

// @ts-ignore: decorator
@inline function nearestEven64x2(x: v128, vExpK: v128, vMinLess: v128, vMagicSub: v128, vOverFrom: v128, vOverValue: v128): v128 {
  const e = v128.and(x, i64x2.splat(F64_INF));
  const magic = v128.bitselect(i64x2.add(e, vExpK), vMagicSub, i64x2.gt_s(e, vMinLess));
  const r = f64x2.sub(f64x2.add(x, magic), magic);
  const r2 = v128.bitselect(vOverValue, r, f64x2.ge(f64x2.abs(x), vOverFrom));
  return v128.or(r2, v128.and(x, i64x2.splat(F64_SIGN)));
}

// @ts-ignore: decorator
@inline function stochastic64x2(u: v128, draws: v128, f: Format, srBits: i32, vLow: v128, shift: i32, srDrop: i32, drawShift: i32, srR: i32, vMin: v128, vMax: v128, vOver: v128): v128 {
  const sign = v128.and(u, i64x2.splat(F64_SIGN));
  const a = v128.xor(u, sign);
  const dropped = v128.and(a, vLow);
  const up = i64x2.shr_u(i64x2.add(i64x2.shr_u(dropped, srDrop), i64x2.shr_u(draws, drawShift)), srR);
  let r = i64x2.add(i64x2.sub(a, dropped), i64x2.shl(up, shift));
  r = v128.bitselect(vOver, r, i64x2.gt_s(r, vMax));
  r = v128.bitselect(a, r, i64x2.gt_s(a, i64x2.splat(F64_INF)));
  r = v128.or(r, sign);
  // Nonzero magnitudes below 2^emin, lane by lane (rare).
  if (v128.any_true(v128.and(i64x2.lt_s(a, vMin), i64x2.ne(a, i64x2.splat(0))))) {
    for (let lane = 0; lane < 2; lane++) {
      const ul = lane == 0 ? i64x2.extract_lane(u, 0) : i64x2.extract_lane(u, 1);
      const al = ul & ~F64_SIGN;
      if (al != 0 && al < i64x2.extract_lane(vMin, 0)) {
        const draw = <u32>(lane == 0 ? i64x2.extract_lane(draws, 0) : i64x2.extract_lane(draws, 1));
        const fixed = belowNormal64(ul, f, ROUND_SR, srBits, draw);
        r = lane == 0 ? i64x2.replace_lane(r, 0, fixed) : i64x2.replace_lane(r, 1, fixed);
      }
    }
  }
  return r;
}

// @ts-ignore: decorator
@inline function sumToOdd64x2(a: v128, b: v128): v128 {
  const hi = f64x2.add(a, b);
  const bb = f64x2.sub(hi, a);
  const lo = f64x2.add(f64x2.sub(a, f64x2.sub(hi, bb)), f64x2.sub(b, bb));
  const odd = v128.or(i64x2.sub(hi, i64x2.shr_u(v128.xor(lo, hi), 63)), i64x2.splat(1));
  return v128.bitselect(odd, hi, f64x2.gt(f64x2.abs(lo), f64x2.splat(0)));
}

/** fmix32 of four lanes (prng.ts), the draws of four outputs at once. */
// @ts-ignore: decorator
@inline function fmix32x4(x: v128): v128 {
  x = v128.xor(x, i32x4.shr_u(x, 16));
  x = i32x4.mul(x, i32x4.splat(0x85ebca6b));
  x = v128.xor(x, i32x4.shr_u(x, 13));
  x = i32x4.mul(x, i32x4.splat(0xc2b2ae35));
  return v128.xor(x, i32x4.shr_u(x, 16));
}

// @ts-ignore: decorator
@inline function step64x2(
  mulKind: i32, accKind: i32, exactSum: bool, s: v128, product: v128, mulDraws: v128, accDraws: v128, srBits: i32,
  mulFormat: Format, mShift: i32, vmLow: v128, vmExpK: v128, vmMinLess: v128, vmMagicSub: v128, vmOverFrom: v128, vmOverValue: v128, vmMin: v128, vmMax: v128, vmOver: v128, mDrop: i32, mDrawShift: i32, mR: i32,
  accFormat: Format, aShift: i32, vaLow: v128, vaExpK: v128, vaMinLess: v128, vaMagicSub: v128, vaOverFrom: v128, vaOverValue: v128, vaMin: v128, vaMax: v128, vaOver: v128, aDrop: i32, aDrawShift: i32, aR: i32,
): v128 {
  let term = product;
  if (mulKind == KIND_RNE) term = nearestEven64x2(product, vmExpK, vmMinLess, vmMagicSub, vmOverFrom, vmOverValue);
  else if (mulKind == KIND_SR) term = stochastic64x2(product, mulDraws, mulFormat, srBits, vmLow, mShift, mDrop, mDrawShift, mR, vmMin, vmMax, vmOver);
  const sum = exactSum ? f64x2.add(s, term) : sumToOdd64x2(s, term);
  if (accKind == KIND_RNE) return nearestEven64x2(sum, vaExpK, vaMinLess, vaMagicSub, vaOverFrom, vaOverValue);
  return stochastic64x2(sum, accDraws, accFormat, srBits, vaLow, aShift, aDrop, aDrawShift, aR, vaMin, vaMax, vaOver);
}

/**
 * The SIMD exact kernel: blocks of 4 * quads outputs of a row (two f64x2 per four), each output in its own
 * k order, for W stored row-major. Returns the first column it did not compute.
 */
// @ts-ignore: decorator
@inline function exactKernelSimd(mulKind: i32, accKind: i32, exactSum: bool, key: u32, srBits: i32, quads: i32, from: i32): i32 {
  const m = job.m, n = job.n, k = job.k;
  if (job.wCol != 1) return from;
  const width = quads * 4;
  const end = from + (n - from) / width * width;
  const x = job.x, w = job.w, z = job.z, ldz = job.ldz;
  const xRow = job.xRow;
  const xStep = <usize>job.xK << 2, wStep = <usize>job.wK << 2;
  const accumulate = job.accumulate;
  const mh = hoistedMul, ah = hoistedAcc;
  const mulFormat = mh.format!, mShift = <i32>mh.shift, vmLow = i64x2.splat(mh.low), vmExpK = i64x2.splat(mh.expK);
  const vmMinLess = i64x2.splat(mh.minNormal - 1), vmMagicSub = i64x2.splat(mh.magicSub), vmMin = i64x2.splat(mh.minNormal);
  const vmOverFrom = f64x2.splat(mh.overflowFrom), vmOverValue = f64x2.splat(mh.overflowValue);
  const vmMax = i64x2.splat(mh.max), vmOver = i64x2.splat(mh.overflow), mDrop = <i32>mh.srDrop, mDrawShift = <i32>mh.srDrawShift, mR = <i32>mh.srR;
  const accFormat = ah.format!, aShift = <i32>ah.shift, vaLow = i64x2.splat(ah.low), vaExpK = i64x2.splat(ah.expK);
  const vaMinLess = i64x2.splat(ah.minNormal - 1), vaMagicSub = i64x2.splat(ah.magicSub), vaMin = i64x2.splat(ah.minNormal);
  const vaOverFrom = f64x2.splat(ah.overflowFrom), vaOverValue = f64x2.splat(ah.overflowValue);
  const vaMax = i64x2.splat(ah.max), vaOver = i64x2.splat(ah.overflow), aDrop = <i32>ah.srDrop, aDrawShift = <i32>ah.srDrawShift, aR = <i32>ah.srR;
  const twoGolden: u32 = GOLDEN << 1;
  const vKey = i32x4.splat(key);
  const vGolden = i32x4.splat(GOLDEN);
  const vStep = i32x4.splat(twoGolden);
  const laneStep = <u32>k * twoGolden; // from output (i, c) to (i, c + 1)
  const vLanes = i32x4(0, laneStep, laneStep * 2, laneStep * 3);
  const vQuad = i32x4.splat(laneStep * 4);
  for (let i = 0; i < m; i++) {
    for (let j = from; j < end; j += width) {
      const zp = at(z, i, ldz, j, 1);
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
      let h = i32x4.add(i32x4.splat(<u32>(i * n + j) * <u32>k * twoGolden), vLanes);
      let h2 = i32x4.add(h, vQuad);
      let xp = at(x, i, xRow, 0, 1);
      let wp = at(w, 0, 1, j, 1);
      for (let kk = 0; kk < k; kk++) {
        const xv = f64x2.splat(<f64>load<f32>(xp));
        const wv = v128.load(wp);
        let md = i64x2.splat(0), ad = i64x2.splat(0);
        if (mulKind == KIND_SR) md = fmix32x4(v128.xor(h, vKey));
        if (accKind == KIND_SR) ad = fmix32x4(v128.xor(i32x4.add(h, vGolden), vKey));
        s01 = step64x2(mulKind, accKind, exactSum, s01, f64x2.mul(xv, f64x2.promote_low_f32x4(wv)),
          i64x2.extend_low_i32x4_u(md), i64x2.extend_low_i32x4_u(ad), srBits,
          mulFormat, mShift, vmLow, vmExpK, vmMinLess, vmMagicSub, vmOverFrom, vmOverValue, vmMin, vmMax, vmOver, mDrop, mDrawShift, mR,
          accFormat, aShift, vaLow, vaExpK, vaMinLess, vaMagicSub, vaOverFrom, vaOverValue, vaMin, vaMax, vaOver, aDrop, aDrawShift, aR);
        s23 = step64x2(mulKind, accKind, exactSum, s23, f64x2.mul(xv, f64x2.promote_low_f32x4(i32x4.shuffle(wv, wv, 2, 3, 0, 1))),
          i64x2.extend_high_i32x4_u(md), i64x2.extend_high_i32x4_u(ad), srBits,
          mulFormat, mShift, vmLow, vmExpK, vmMinLess, vmMagicSub, vmOverFrom, vmOverValue, vmMin, vmMax, vmOver, mDrop, mDrawShift, mR,
          accFormat, aShift, vaLow, vaExpK, vaMinLess, vaMagicSub, vaOverFrom, vaOverValue, vaMin, vaMax, vaOver, aDrop, aDrawShift, aR);
        if (quads > 1) {
          const wv2 = v128.load(wp, 16);
          let md2 = i64x2.splat(0), ad2 = i64x2.splat(0);
          if (mulKind == KIND_SR) md2 = fmix32x4(v128.xor(h2, vKey));
          if (accKind == KIND_SR) ad2 = fmix32x4(v128.xor(i32x4.add(h2, vGolden), vKey));
          s45 = step64x2(mulKind, accKind, exactSum, s45, f64x2.mul(xv, f64x2.promote_low_f32x4(wv2)),
            i64x2.extend_low_i32x4_u(md2), i64x2.extend_low_i32x4_u(ad2), srBits,
            mulFormat, mShift, vmLow, vmExpK, vmMinLess, vmMagicSub, vmOverFrom, vmOverValue, vmMin, vmMax, vmOver, mDrop, mDrawShift, mR,
            accFormat, aShift, vaLow, vaExpK, vaMinLess, vaMagicSub, vaOverFrom, vaOverValue, vaMin, vaMax, vaOver, aDrop, aDrawShift, aR);
          s67 = step64x2(mulKind, accKind, exactSum, s67, f64x2.mul(xv, f64x2.promote_low_f32x4(i32x4.shuffle(wv2, wv2, 2, 3, 0, 1))),
            i64x2.extend_high_i32x4_u(md2), i64x2.extend_high_i32x4_u(ad2), srBits,
            mulFormat, mShift, vmLow, vmExpK, vmMinLess, vmMagicSub, vmOverFrom, vmOverValue, vmMin, vmMax, vmOver, mDrop, mDrawShift, mR,
            accFormat, aShift, vaLow, vaExpK, vaMinLess, vaMagicSub, vaOverFrom, vaOverValue, vaMin, vaMax, vaOver, aDrop, aDrawShift, aR);
          h2 = i32x4.add(h2, vStep);
        }
        xp += xStep;
        wp += wStep;
        h = i32x4.add(h, vStep);
      }
      // Demote is exact (every lane holds a value of acc); NaN lanes become the one quiet NaN.
      storeCanonical(zp, i32x4.shuffle(f32x4.demote_f64x2_zero(s01), f32x4.demote_f64x2_zero(s23), 0, 1, 4, 5));
      if (quads > 1) storeCanonical(zp + 16, i32x4.shuffle(f32x4.demote_f64x2_zero(s45), f32x4.demote_f64x2_zero(s67), 0, 1, 4, 5));
    }
  }
  return end;
}

// One kernel per (product, sum, exactness) case, so each inner loop carries only its own work.
function exactExactRneE(key: u32, srBits: i32, first: i32): void {
  const from = ASC_FEATURE_SIMD
    ? exactKernelSimd(KIND_EXACT, KIND_RNE, true, key, srBits, 1, exactKernelSimd(KIND_EXACT, KIND_RNE, true, key, srBits, 2, first))
    : first;
  exactKernel(KIND_EXACT, KIND_RNE, true, key, srBits, from);
}
function exactExactRneO(key: u32, srBits: i32, first: i32): void {
  const from = ASC_FEATURE_SIMD
    ? exactKernelSimd(KIND_EXACT, KIND_RNE, false, key, srBits, 1, exactKernelSimd(KIND_EXACT, KIND_RNE, false, key, srBits, 2, first))
    : first;
  exactKernel(KIND_EXACT, KIND_RNE, false, key, srBits, from);
}
function exactExactSrE(key: u32, srBits: i32, first: i32): void {
  const from = ASC_FEATURE_SIMD
    ? exactKernelSimd(KIND_EXACT, KIND_SR, true, key, srBits, 1, exactKernelSimd(KIND_EXACT, KIND_SR, true, key, srBits, 2, first))
    : first;
  exactKernel(KIND_EXACT, KIND_SR, true, key, srBits, from);
}
function exactExactSrO(key: u32, srBits: i32, first: i32): void {
  const from = ASC_FEATURE_SIMD
    ? exactKernelSimd(KIND_EXACT, KIND_SR, false, key, srBits, 1, exactKernelSimd(KIND_EXACT, KIND_SR, false, key, srBits, 2, first))
    : first;
  exactKernel(KIND_EXACT, KIND_SR, false, key, srBits, from);
}
function exactRneRneE(key: u32, srBits: i32, first: i32): void {
  const from = ASC_FEATURE_SIMD
    ? exactKernelSimd(KIND_RNE, KIND_RNE, true, key, srBits, 1, exactKernelSimd(KIND_RNE, KIND_RNE, true, key, srBits, 2, first))
    : first;
  exactKernel(KIND_RNE, KIND_RNE, true, key, srBits, from);
}
function exactRneRneO(key: u32, srBits: i32, first: i32): void {
  const from = ASC_FEATURE_SIMD
    ? exactKernelSimd(KIND_RNE, KIND_RNE, false, key, srBits, 1, exactKernelSimd(KIND_RNE, KIND_RNE, false, key, srBits, 2, first))
    : first;
  exactKernel(KIND_RNE, KIND_RNE, false, key, srBits, from);
}
function exactRneSrE(key: u32, srBits: i32, first: i32): void {
  const from = ASC_FEATURE_SIMD
    ? exactKernelSimd(KIND_RNE, KIND_SR, true, key, srBits, 1, exactKernelSimd(KIND_RNE, KIND_SR, true, key, srBits, 2, first))
    : first;
  exactKernel(KIND_RNE, KIND_SR, true, key, srBits, from);
}
function exactRneSrO(key: u32, srBits: i32, first: i32): void {
  const from = ASC_FEATURE_SIMD
    ? exactKernelSimd(KIND_RNE, KIND_SR, false, key, srBits, 1, exactKernelSimd(KIND_RNE, KIND_SR, false, key, srBits, 2, first))
    : first;
  exactKernel(KIND_RNE, KIND_SR, false, key, srBits, from);
}
function exactSrRneE(key: u32, srBits: i32, first: i32): void {
  const from = ASC_FEATURE_SIMD
    ? exactKernelSimd(KIND_SR, KIND_RNE, true, key, srBits, 1, exactKernelSimd(KIND_SR, KIND_RNE, true, key, srBits, 2, first))
    : first;
  exactKernel(KIND_SR, KIND_RNE, true, key, srBits, from);
}
function exactSrRneO(key: u32, srBits: i32, first: i32): void {
  const from = ASC_FEATURE_SIMD
    ? exactKernelSimd(KIND_SR, KIND_RNE, false, key, srBits, 1, exactKernelSimd(KIND_SR, KIND_RNE, false, key, srBits, 2, first))
    : first;
  exactKernel(KIND_SR, KIND_RNE, false, key, srBits, from);
}
function exactSrSrE(key: u32, srBits: i32, first: i32): void {
  const from = ASC_FEATURE_SIMD
    ? exactKernelSimd(KIND_SR, KIND_SR, true, key, srBits, 1, exactKernelSimd(KIND_SR, KIND_SR, true, key, srBits, 2, first))
    : first;
  exactKernel(KIND_SR, KIND_SR, true, key, srBits, from);
}
function exactSrSrO(key: u32, srBits: i32, first: i32): void {
  const from = ASC_FEATURE_SIMD
    ? exactKernelSimd(KIND_SR, KIND_SR, false, key, srBits, 1, exactKernelSimd(KIND_SR, KIND_SR, false, key, srBits, 2, first))
    : first;
  exactKernel(KIND_SR, KIND_SR, false, key, srBits, from);
}

// ---------------------------------------------------------------------------------------------------------
// The f32x4 kernel (SIMD build) for sums rounded to nearest even: four outputs per vector, eight vectors
// (32 outputs) per block so the processor overlaps eight chains. The product is an f32 product that is
// exact (probe) or is by definition the fp32-rne product, optionally rounded once to mul. The sum s + p is
// split by TwoSum in f32 and rounded to odd at 24 bits: rne to a format whose last place is at least four
// f32 ulps everywhere (m <= 21, subnormal ulp >= 2^-147) then rounds exactly like the exact sum (the
// round-to-odd theorem again). An f32 sum that overflows needs no odd step: every such format overflows
// at a smaller magnitude. fp32 itself with rne is the f32 sum.

const P32_EXACT: i32 = 0; // the f32 product is the term
const P32_RNE: i32 = 1; // the (exact) f32 product rounded to mul
const A32_ODD: i32 = 0; // TwoSum, round to odd, rne to acc (integer rounding)
const A32_ODD_MAGIC: i32 = 1; // the same, rne by adding and subtracting 1.5 * 2^(e + 23 - m)
const A32_PLAIN: i32 = 2; // acc is fp32 with rne: the f32 sum

/** Hoisted constants of rne to a float format (m >= 1) from f32 bits. */
@final @unmanaged
class Hoisted32 {
  one: u32 = 0; // the kept part's last bit
  half: u32 = 0;
  keep: u32 = 0;
  minNormalLess: u32 = 0; // thresholds minus one, for signed "greater than"
  magic: f32 = 0;
  overflowFromLess: u32 = 0;
  overflow: u32 = 0;
  /** Magic rounding: exponent field plus expK is 1.5 * 2^(e + 23 - m); magicSub the same at the subnormal ulp. */
  expK: u32 = 0;
  magicSub: u32 = 0;
  /** Smallest magnitude whose rne result passes the largest value. */
  overflowFrom: f32 = 0;
}

const hoisted32Mul = new Hoisted32();
const hoisted32Acc = new Hoisted32();

function hoist32(h: Hoisted32, f: Format): void {
  const one: u32 = <u32>1 << <u32>(23 - f.m);
  // Past max + half an ulp everything overflows; the tie itself overflows when max's last bit is odd.
  const overflowFrom = f.maxBits + (one >>> 1) + ((f.maxBits & one) != 0 ? 0 : 1);
  h.one = one;
  h.half = one >>> 1;
  h.keep = ~(one - 1);
  h.minNormalLess = f.minNormalBits - 1;
  h.magic = f.subMagic;
  h.overflowFromLess = overflowFrom - 1;
  h.overflow = f.overflowBits;
  h.expK = (<u32>(23 - f.m) << 23) | 0x40_0000;
  h.magicSub = (<u32>(f.subUlpExp + 23 + 127) << 23) | 0x40_0000;
  h.overflowFrom = reinterpret<f32>(overflowFrom);
}

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

// @ts-ignore: decorator
@inline function storeCanonical(p: usize, v: v128): void {
  v128.store(p, v128.bitselect(i32x4.splat(F32_QNAN), v, f32x4.ne(v, v)));
}

/**
 * Rows of a transposed W per panel, and the panel (PANEL_K x 32 f32). It is allocated when the module
 * starts, below anything the device code allocates later and frees between commands.
 */
const PANEL_K: i32 = 64;
const panel: usize = ASC_FEATURE_SIMD ? heap.alloc(<usize>(PANEL_K * 32) << 2) : 0;

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

// One function per (product, sum) case: blocks of 32 outputs, then of 4.
function exact32ExactOdd(): i32 { return exactKernel32(P32_EXACT, A32_ODD, 1, exactKernel32(P32_EXACT, A32_ODD, 8, 0)); }
function exact32ExactMagic(): i32 { return exactKernel32(P32_EXACT, A32_ODD_MAGIC, 1, exactKernel32(P32_EXACT, A32_ODD_MAGIC, 8, 0)); }
function exact32ExactPlain(): i32 { return exactKernel32(P32_EXACT, A32_PLAIN, 1, exactKernel32(P32_EXACT, A32_PLAIN, 8, 0)); }
function exact32RneOdd(): i32 { return exactKernel32(P32_RNE, A32_ODD, 1, exactKernel32(P32_RNE, A32_ODD, 8, 0)); }
function exact32RneMagic(): i32 { return exactKernel32(P32_RNE, A32_ODD_MAGIC, 1, exactKernel32(P32_RNE, A32_ODD_MAGIC, 8, 0)); }
function exact32RnePlain(): i32 { return exactKernel32(P32_RNE, A32_PLAIN, 1, exactKernel32(P32_RNE, A32_PLAIN, 8, 0)); }

/**
 * The f32x4 kernel when it applies (SIMD build, rne sums): returns the first column it
 * did not compute, 0 when it does not apply.
 */
function tryExact32(spec: MacSpec, mul: Format, mulMode: i32, mulKind: i32, acc: Format, accMode: i32, exact32: bool): i32 {
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
  if (prodKind == P32_EXACT) {
    if (accKind == A32_ODD) return exact32ExactOdd();
    return accKind == A32_ODD_MAGIC ? exact32ExactMagic() : exact32ExactPlain();
  }
  if (accKind == A32_ODD) return exact32RneOdd();
  return accKind == A32_ODD_MAGIC ? exact32RneMagic() : exact32RnePlain();
}

/** The kind of kernel rounding to `f` with `mode` can use. */
function kindFor(f: Format, mode: i32): i32 {
  if (!f.isFloat) return KIND_GENERAL;
  if (mode == ROUND_RNE && f.m >= 1) return KIND_RNE; // m = 0: ties follow the exponent code (rounding.ts)
  if (mode == ROUND_SR) return KIND_SR;
  return KIND_GENERAL;
}

/** Exact mode: probes the operands, picks the cheapest kernel that gives the reference's bits. */
function gemmExact(spec: MacSpec): void {
  const mul = spec.mul == null ? fp32Format : spec.mul!;
  const acc = spec.acc == null ? fp32Format : spec.acc!;
  const mulMode = spec.mul == null ? ROUND_RNE : spec.mulMode;
  const accMode = spec.acc == null ? ROUND_RNE : spec.accMode;
  const accKind = kindFor(acc, accMode);
  if (accKind == KIND_GENERAL) {
    gemmReference(spec);
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
  if (!ASC_FEATURE_SIMD && plainProducts && isIdentityOnF32(acc, accMode)) {
    // fp32 sums with rne: each step is one f32 multiply and one f32 add, the fast-mode loop exactly.
    gemmFast(spec);
    return;
  }
  const from = tryExact32(spec, mul, mulMode, mulKind, acc, accMode, exact32);
  if (from == job.n) return;
  hoist(hoistedMul, mul, srBits);
  hoist(hoistedAcc, acc, srBits);
  const key = spec.srKey;
  const which = (mulKind - KIND_EXACT) * 4 + (accKind - KIND_RNE) * 2 + (exactSum ? 0 : 1);
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

// ---------------------------------------------------------------------------------------------------------
// The entry point.

/** Why a spec or a job was refused (0 = valid). */
export const GEMM_OK: i32 = 0;
export const GEMM_BAD_FORMAT: i32 = 1;
export const GEMM_BAD_ROUNDING: i32 = 2;
export const GEMM_BAD_SR_BITS: i32 = 3;
export const GEMM_BAD_SHAPE: i32 = 4;
export const GEMM_BAD_STRIDE: i32 = 5;
export const GEMM_TOO_LARGE: i32 = 6;

/** True when the spec draws random bits. */
export function macSpecUsesSr(spec: MacSpec): bool {
  if (spec.fast) return spec.acc != null && spec.accMode == ROUND_SR;
  return (spec.acc != null && spec.accMode == ROUND_SR) || (!spec.fma && spec.mul != null && spec.mulMode == ROUND_SR);
}

/** Checks a spec: formats are float or fixed (not block formats), modes and srBits in range. */
export function macSpecCheck(spec: MacSpec): i32 {
  const mul = spec.mul, acc = spec.acc;
  if (mul != null && mul.isBlock) return GEMM_BAD_FORMAT;
  if (acc != null && acc.isBlock) return GEMM_BAD_FORMAT;
  if (spec.mulMode < ROUND_RNE || spec.mulMode > ROUND_SR || spec.accMode < ROUND_RNE || spec.accMode > ROUND_SR) return GEMM_BAD_ROUNDING;
  if (spec.srBits < 1 || spec.srBits > 32) return GEMM_BAD_SR_BITS;
  return GEMM_OK;
}

/** Checks a job's shape and strides against the spec (the public API calls this once, gemm trusts it). */
export function gemmCheck(m: i32, n: i32, k: i32, ldx: i32, transX: bool, ldw: i32, transW: bool, ldz: i32, spec: MacSpec): i32 {
  const status = macSpecCheck(spec);
  if (status != GEMM_OK) return status;
  if (m < 0 || n < 0 || k < 0) return GEMM_BAD_SHAPE;
  const xCols = transX ? m : k, wCols = transW ? k : n;
  if (ldx < xCols || ldw < wCols || ldz < n) return GEMM_BAD_STRIDE;
  if (macSpecUsesSr(spec)) {
    const macs = spec.fast ? <i64>m * <i64>n : <i64>m * <i64>n * <i64>k;
    if (macs > MAC_SR_MAX_MACS) return GEMM_TOO_LARGE;
  }
  return GEMM_OK;
}

/**
 * Z[i][j] (= or +=) sum_k X[i][k] * W[k][j] under `spec`. X is m x k (row stride ldx) or, with transX,
 * stored k x m; W is k x n (row stride ldw) or, with transW, stored n x k; Z is m x n (row stride ldz).
 * f32 containers. Arguments must pass gemmCheck.
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
  if (spec.fast) gemmFast(spec);
  else gemmExact(spec);
}
