// The accelerator's functional GEMM: what its MAC array computes, one output at a time, in the order the
// hardware sums (k ascending). Bit-exact with the CPU path (assembly/arith/mac.ts, docs/gemm.md):
//   exact:  p = round_mul(x·w), sum = round_acc(sum + p)       per MAC, draws 2·t and 2·t + 1
//   fma:    sum = round_acc(sum + x·w)                          per MAC, draw 2·t + 1
//   fast:   sum = f32(sum + f32(x·w)), then round_acc(sum)      per output, draw i·n + j
// where t = (i·n + j)·k + kk is the MAC's position. Each rounding sees the exact value: an f32 product is
// exact in f64, and a sum is carried as its f64 value plus the TwoSum error term. An exact zero sum is +0,
// or -0 when both terms are -0 or the mode is rd (IEEE 754, 6.3). NaN results are stored as 0x7FC00000.
import { FloatFormat, roundValue, f32BitsOf } from "./rounding.js";
import { drawAt } from "./prng.js";
import { ROUND_RD, ROUND_SR } from "../../host/generated/formats.js";

export interface GemmJob {
  m: number;
  n: number;
  k: number;
  /** Byte offsets in linear memory, multiples of 4. */
  x: number;
  ldx: number;
  transX: boolean;
  w: number;
  ldw: number;
  transW: boolean;
  z: number;
  ldz: number;
  accumulate: boolean;
  mul: FloatFormat;
  mulMode: number;
  acc: FloatFormat;
  accMode: number;
  fma: boolean;
  fast: boolean;
  /** 1..32. */
  srBits: number;
  srKey: number;
}

const F32_QNAN = 0x7fc00000;

/** A result's f32 bits; every NaN is stored as the one quiet NaN 0x7FC00000, as the CPU path stores it. */
function stored(value: number): number {
  return value !== value ? F32_QNAN : f32BitsOf(value);
}

/** The exact sum a + b as hi + lo (Knuth's TwoSum; exact for finite f64 that do not overflow). */
function twoSumLo(a: number, b: number, s: number): number {
  if (!Number.isFinite(s)) return 0;
  const bb = s - a;
  return (a - (s - bb)) + (b - bb);
}

/** Runs the job on the f32 values in `memory` (the caller has checked every index is inside it). */
export function runGemm(memory: ArrayBuffer, job: GemmJob): void {
  const mem = new Float32Array(memory);
  const bits = new Uint32Array(memory);
  const { m, n, k, ldx, ldw, ldz, transX, transW, mul, mulMode, acc, accMode, srBits, srKey } = job;
  const x0 = job.x >>> 2, w0 = job.w >>> 2, z0 = job.z >>> 2;
  // Strides between consecutive k of one row of X and one column of W, and between rows / columns.
  const xStepK = transX ? ldx : 1, xStepI = transX ? 1 : ldx;
  const wStepK = transW ? 1 : ldw, wStepJ = transW ? ldw : 1;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const zi = z0 + i * ldz + j;
      // A NaN in Z is read as the number NaN: its payload does not matter, every NaN result is stored as one.
      let sum = job.accumulate ? mem[zi] : 0;
      const t0 = (i * n + j) * k;
      let xi = x0 + i * xStepI;
      let wi = w0 + j * wStepJ;
      if (job.fast) {
        let s = Math.fround(sum);
        for (let kk = 0; kk < k; kk++, xi += xStepK, wi += wStepK) s = Math.fround(s + Math.fround(mem[xi] * mem[wi]));
        bits[zi] = stored(roundValue(s, 0, acc, accMode, srBits, accMode === ROUND_SR ? drawAt(srKey, (i * n + j) >>> 0) : 0));
        continue;
      }
      for (let kk = 0; kk < k; kk++, xi += xStepK, wi += wStepK) {
        // Draw positions are taken mod 2^32 (>>> 0 is exact for these integers).
        const pos = (2 * (t0 + kk)) >>> 0;
        const product = mem[xi] * mem[wi];
        const addend = job.fma ? product : roundValue(product, 0, mul, mulMode, srBits, mulMode === ROUND_SR ? drawAt(srKey, pos) : 0);
        const s = sum + addend;
        if (s === 0 && accMode === ROUND_RD && !(Object.is(sum, 0) && Object.is(addend, 0))) {
          // IEEE 754 6.3: an exact zero sum is -0 when rounding toward negative (f64 addition gave +0).
          sum = -0;
        } else {
          sum = roundValue(s, twoSumLo(sum, addend, s), acc, accMode, srBits, accMode === ROUND_SR ? drawAt(srKey, (pos + 1) >>> 0) : 0);
        }
      }
      bits[zi] = stored(sum);
    }
  }
}
