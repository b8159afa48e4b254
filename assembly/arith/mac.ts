// Low-precision GEMM with per-MAC emulation: the kernel behind every layer's forward and backward pass, and
// the golden model the accelerator reproduces bit for bit. Semantics, exactness arguments and limits are
// in docs/gemm.md; this file follows its order: the spec, one rounding of an f64 value, one rounding of an
// exact sum, the reference kernel, then the specialised kernels and the dispatcher.
//
// Every kernel computes, for each output, the same sequence of correctly rounded steps in increasing k;
// the faster ones only prove (from the formats and a scan of the operands) that a cheaper computation
// gives the same bits, and vectorise across independent outputs, never across a reduction.
import {
  ROUND_RNE, ROUND_RNA, ROUND_RZ, ROUND_RU, ROUND_RD, ROUND_RO, ROUND_SR, KIND_FLOAT, SPECIALS_IEEE,
  SPECIALS_FN, WORD_KIND_SHIFT, WORD_SPECIALS_SHIFT, WORD_E_SHIFT, WORD_M_SHIFT,
} from "../generated/formats";
import { Format, makeFormat, F32_QNAN, F32_SIGN } from "./format";
import { roundValue } from "./rounding";
import { drawAt, GOLDEN } from "./prng";

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
  const spec = changetype<MacSpec>(heap.alloc(offsetof<MacSpec>()));
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

/** True when a result rounded past the largest finite value becomes inf / NaN rather than ±max. */
// @ts-ignore: decorator
@inline function overflowsToInfinity(mode: i32, negative: bool): bool {
  if (mode == ROUND_RZ || mode == ROUND_RO) return false;
  if (mode == ROUND_RU) return !negative;
  if (mode == ROUND_RD) return negative;
  return true;
}

/**
 * The stochastic decision (DESIGN.md): keep the top r of the `shift` discarded bits, add the draw's top r
 * bits, carry out means up; r = min(srBits, shift), the same decision as padding the fraction with zeros.
 */
// @ts-ignore: decorator
@inline function upStochastic64(dropped: u64, shift: i32, srBits: i32, draw: u32): bool {
  const r = srBits < shift ? srBits : shift;
  const kept = shift - r < 64 ? dropped >> <u64>(shift - r) : 0;
  return ((kept + <u64>(draw >>> <u32>(32 - r))) >> <u64>r) != 0;
}

/** The mode's decision for a magnitude whose discarded part is `dropped` out of 2^shift. */
// @ts-ignore: decorator
@inline function upFor(mode: i32, dropped: u64, half: u64, odd: bool, negative: bool, shift: i32, srBits: i32, draw: u32): bool {
  switch (mode) {
    case ROUND_RNE: return dropped > half || (dropped == half && odd);
    case ROUND_RNA: return dropped >= half;
    case ROUND_RU: return dropped != 0 && !negative;
    case ROUND_RD: return dropped != 0 && negative;
    case ROUND_RO: return dropped != 0 && !odd;
    case ROUND_SR: return upStochastic64(dropped, shift, srBits, draw);
    default: return false;
  }
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
    return upFor(mode, dropped, one >>> 1, odd, negative, shift, srBits, draw) ? kept + one : kept;
  }
  // Below one unit of the last place: the result is 0 (even) or 2^ulpExp.
  const significand: u64 = biased == 0 ? a : (a & F64_FRACTION) | F64_IMPLICIT;
  const half: u64 = shift - 1 < 64 ? <u64>1 << <u64>(shift - 1) : 0xffff_ffff_ffff_ffff;
  let up = false;
  if (mode == ROUND_SR) up = upStochastic64(significand, shift, srBits, draw);
  else up = upFor(mode, significand, half, false, negative, shift, srBits, draw);
  return up ? pow2Bits64(ulpExp) : 0;
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

const job = changetype<Job>(heap.alloc(offsetof<Job>()));

// ---------------------------------------------------------------------------------------------------------
// The reference kernel: every mode, every float or fixed format, one output at a time, exactly as
// docs/gemm.md states the semantics. The specialised kernels must match it bit for bit.

function gemmReference(spec: MacSpec, from: i32, to: i32): void {
  const mul = spec.mul == null ? fp32Format : spec.mul!;
  const acc = spec.acc == null ? fp32Format : spec.acc!;
  const mulMode = spec.mul == null ? ROUND_RNE : spec.mulMode;
  const accMode = spec.acc == null ? ROUND_RNE : spec.accMode;
  const srBits = spec.srBits, key = spec.srKey, fma = spec.fma;
  const m = job.m, n = job.n, k = job.k;
  for (let i = 0; i < m; i++) {
    for (let j = from; j < to; j++) {
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
  else gemmReference(spec, 0, n);
}
