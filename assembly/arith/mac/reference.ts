// The reference kernel: every mode, every float or fixed format, one output at a time, exactly as
// docs/gemm.md states the semantics; the specialised kernels must match it bit for bit. Beside it the
// fast mode (f32 sums, one rounding per output) and the plain f32 loop the benchmarks compare against.
import { ROUND_SR } from "../../generated/formats";
import { roundArray, roundArrayLaneDraws } from "../kernels";
import { laneSeed, laneDraw, xorshift64 } from "../prng";
import { MacSpec, mulFormat, mulRounding, accFormat, accRounding, isIdentityOnF32 } from "./spec";
import { roundDouble, roundSum } from "./rounding";
import { at, job, canonical, storeCanonical } from "./job";

export function gemmReference(spec: MacSpec): void {
  const mul = mulFormat(spec), acc = accFormat(spec);
  const mulMode = mulRounding(spec), accMode = accRounding(spec);
  const srBits = spec.srBits, key = spec.srKey, fma = spec.fma;
  const m = job.m, n = job.n, k = job.k;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const zp = at(job.z, i, job.ldz, j, 1);
      let s: f32 = job.accumulate ? load<f32>(zp) : 0;
      // The output's lane stream (prng.ts): two steps per k, the product's draw then the sum's.
      let state = laneSeed(key, <u32>(i * n + j));
      for (let kk = 0; kk < k; kk++) {
        const product = <f64>load<f32>(at(job.x, i, job.xRow, kk, job.xK)) * <f64>load<f32>(at(job.w, kk, job.wK, j, job.wCol));
        state = xorshift64(state);
        const mulDraw = laneDraw(state);
        state = xorshift64(state);
        const accDraw = accMode == ROUND_SR ? laneDraw(state) : 0;
        if (fma) {
          s = roundSum(<f64>s, product, acc, accMode, srBits, accDraw);
        } else {
          const p = roundDouble(product, mul, mulMode, srBits, mulMode == ROUND_SR ? mulDraw : 0);
          s = roundSum(<f64>s, <f64>p, acc, accMode, srBits, accDraw);
        }
      }
      store<f32>(zp, k > 0 ? canonical(s) : s);
    }
  }
}

/** One exact-mode MAC step with explicit draws: s' = round_acc(s + round_mul(x * w)), or fused (tests of the sr rule). */
export function macStep(spec: MacSpec, s: f32, x: f32, w: f32, mulDraw: u32, accDraw: u32): f32 {
  const product = <f64>x * <f64>w;
  const term = spec.fma ? product : <f64>roundDouble(product, mulFormat(spec), mulRounding(spec), spec.srBits, mulDraw);
  return canonical(roundSum(<f64>s, term, accFormat(spec), accRounding(spec), spec.srBits, accDraw));
}

// fast mode: f32 multiply and add in increasing k (wasm has no contraction), then one rounding per output
// to acc with the first draw of the output's lane stream.

export function gemmFast(spec: MacSpec): void {
  fastSums();
  roundFastOutputs(spec);
}

/** Fast mode's f32 sums, one output after another in increasing k (the SIMD build's gemmPlain32 gives the same bits). */
export function fastSums(): void {
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
}

/** Fast mode's one rounding per output, to acc, with the first draw of the output's lane stream. */
export function roundFastOutputs(spec: MacSpec): void {
  const m = job.m, n = job.n;
  const acc = spec.acc;
  const mode = spec.accMode;
  const identity = acc == null || isIdentityOnF32(acc, mode);
  for (let i = 0; i < m; i++) {
    // A row is one run of the array kernels, which give roundValue's bits; sr takes each output's first
    // lane draw.
    const row = at(job.z, i, job.ldz, 0, 1);
    if (!identity) {
      if (mode == ROUND_SR) roundArrayLaneDraws(acc!, spec.srBits, spec.srKey, <u32>(i * n), row, row, n);
      else roundArray(acc!, mode, spec.srBits, null, row, row, n);
    }
    canonicalRun(row, n);
  }
}

/** Makes the NaNs among n values canonical in place (four at a time in the SIMD build). */
function canonicalRun(p: usize, n: i32): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) for (; j + 4 <= n; j += 4) storeCanonical(p + (<usize>j << 2), v128.load(p + (<usize>j << 2)));
  for (; j < n; j++) store<f32>(p + (<usize>j << 2), canonical(load<f32>(p + (<usize>j << 2))));
}

/** The plain f32 loop the benchmarks compare against: what a GEMM costs with no emulation at all. */
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
