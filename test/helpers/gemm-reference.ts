// An exact reference for the GEMM (docs/gemm.md), written from the format rules and independent of the
// device code: every finite value is a BigInt count of 2^-SCALE, products and sums are exact, and each
// rounding picks a neighbour of the exact value by the mode's rule. Conventions it follows (DESIGN.md,
// spec/formats.json, docs/gemm.md):
// - Ties to even and round to odd look at the parity of the result counted in units of its last place,
//   except an m = 0 normal result, whose exponent code decides.
// - A result past the largest finite value overflows: rne, rna and sr give the format's overflow value
//   (inf for IEEE formats, NaN for fn formats, the largest value when saturating), rz and ro give the
//   largest value, ru and rd give the overflow value on their own side and the largest on the other.
// - An exact zero sum is +0, or -0 when both terms are -0 or the mode is rd (IEEE 754, 6.3).
// - NaN results are the quiet NaN 0x7FC00000.
// - Stochastic rounding with r bits: the top r bits of the exact discarded fraction plus the top r bits of
//   the draw; a carry out of r bits rounds up. The draws of output (i, j) come from its lane stream
//   (docs/gemm.md; stream.ts LaneStream): per k the product's draw, then the sum's; one in fast mode.

import * as F from "../../host/generated/formats.js";

/** A format as both oracles take it (reference.ts RefSpec). */
export type { RefSpec as RefFormatSpec } from "./reference.js";
import type { RefSpec as RefFormatSpec } from "./reference.js";

export const MODE_NAMES = ["rne", "rna", "rz", "ru", "rd", "ro", "sr"] as const;
export type Mode = (typeof MODE_NAMES)[number];

/** Every finite value here is an integer multiple of 2^-SCALE (f32 products reach 2^-298). */
const SCALE = 320;
const SCALE_N = BigInt(SCALE);

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function bitsOf(x: number): number {
  f32[0] = x;
  return u32[0] >>> 0;
}
export function valueOf(bits: number): number {
  u32[0] = bits >>> 0;
  return f32[0];
}

export const QNAN_BITS = 0x7fc00000;

/** A finite exact value (v in units of 2^-SCALE, neg its sign, which matters for zero) or a non-finite number. */
export type Exact = { v: bigint; neg: boolean } | number;

/** An f32 value exactly. */
export function exactOf(x: number): Exact {
  if (!Number.isFinite(x)) return x;
  const bits = bitsOf(x);
  const neg = bits >>> 31 === 1;
  const biased = (bits >>> 23) & 0xff;
  const fraction = bits & 0x7fffff;
  const sig = BigInt(biased === 0 ? fraction : fraction | 0x800000);
  const exp = (biased === 0 ? -149 : biased - 150) + SCALE;
  const mag = sig << BigInt(exp);
  return { v: neg ? -mag : mag, neg };
}

export function exactProduct(x: number, w: number): Exact {
  if (!Number.isFinite(x) || !Number.isFinite(w)) return x * w;
  const a = exactOf(x) as { v: bigint; neg: boolean };
  const b = exactOf(w) as { v: bigint; neg: boolean };
  return { v: (a.v * b.v) >> SCALE_N, neg: a.neg !== b.neg };
}

/** The exact sum, with the IEEE sign of an exact zero under `mode`. */
export function exactSum(a: Exact, b: Exact, mode: Mode): Exact {
  if (typeof a === "number" || typeof b === "number") return toNumber(a) + toNumber(b);
  const v = a.v + b.v;
  if (v !== 0n) return { v, neg: v < 0n };
  const neg = (a.neg && b.neg) || (mode === "rd" && (a.neg || b.neg));
  return { v: 0n, neg };
}

function toNumber(a: Exact): number {
  if (typeof a === "number") return a;
  if (a.v === 0n) return a.neg ? -0 : 0;
  return Number(a.v) * 2 ** -SCALE; // only used with a non-finite partner
}

const bitLength = (a: bigint): number => a.toString(2).length;

export class Fmt {
  readonly bias: number;
  readonly emin: number;
  readonly emax: number;
  readonly subUlpExp: number;
  /** Largest magnitudes, positive and negative, in units of 2^-SCALE. */
  readonly maxPos: bigint;
  readonly maxNeg: bigint;
  readonly overflow: "inf" | "nan" | "max";

  constructor(readonly spec: RefFormatSpec, readonly label: string) {
    const { e, m } = spec;
    if (spec.kind === "fixed") {
      this.bias = 0;
      this.emin = e - 1 - m;
      this.emax = this.emin;
      this.subUlpExp = -m;
      this.maxPos = ((1n << BigInt(e - 1)) - 1n) << BigInt(SCALE - m);
      this.maxNeg = (1n << BigInt(e - 1)) << BigInt(SCALE - m);
      this.overflow = "max";
      return;
    }
    this.bias = 2 ** (e - 1) - 1;
    this.emin = 1 - this.bias;
    this.emax = spec.specials === "ieee" ? 2 ** e - 2 - this.bias : 2 ** e - 1 - this.bias;
    this.subUlpExp = spec.subnormals ? this.emin - m : this.emin;
    const maxMantissa = spec.specials === "fn" ? 2 ** m - 2 : 2 ** m - 1;
    this.maxPos = BigInt(2 ** m + maxMantissa) << BigInt(this.emax - m + SCALE);
    this.maxNeg = this.maxPos;
    const saturate = spec.saturate || spec.specials === "none";
    this.overflow = saturate ? "max" : spec.specials === "ieee" ? "inf" : "nan";
  }

  private overflowValue(neg: boolean): number {
    if (this.overflow === "inf") return neg ? -Infinity : Infinity;
    if (this.overflow === "nan") return NaN;
    return this.limit(neg);
  }

  private limit(neg: boolean): number {
    const units = neg ? this.maxNeg : this.maxPos;
    const value = Number(units) * 2 ** -SCALE;
    return neg ? -value : value;
  }

  /** Parity of the result q * 2^ulpExp (q > 0 units of its last place). */
  private odd(q: bigint, ulpExp: number): boolean {
    const { kind, m } = this.spec;
    if (q === 0n) return false;
    if (kind === "float" && m === 0 && ulpExp >= this.emin) return ((ulpExp + this.bias) & 1) === 1;
    return (q & 1n) === 1n;
  }

  /** The top r bits of the discarded fraction of an exact finite value (what sr adds its draw to), or null when exact. */
  srTop(x: Exact, srBits: number): bigint | null {
    if (typeof x === "number" || x.v === 0n) return null;
    const a = x.v < 0n ? -x.v : x.v;
    const e = bitLength(a) - 1 - SCALE;
    const ulpExp = this.spec.kind === "fixed" ? this.subUlpExp : e < this.emin ? this.subUlpExp : e - this.spec.m;
    const shift = BigInt(ulpExp + SCALE);
    const rem = a - ((a >> shift) << shift);
    return rem === 0n ? null : (rem << BigInt(srBits)) >> shift;
  }

  /** One correct rounding of an exact value; returns the f32 result (a JS number). */
  round(x: Exact, mode: Mode, srBits = 32, draw = 0): number {
    if (typeof x === "number") {
      if (Number.isNaN(x)) return NaN;
      return this.overflowValue(x < 0);
    }
    if (x.v === 0n) return x.neg ? -0 : 0;
    const neg = x.v < 0n;
    const a = neg ? -x.v : x.v;
    const e = bitLength(a) - 1 - SCALE;
    const ulpExp = this.spec.kind === "fixed" ? this.subUlpExp : e < this.emin ? this.subUlpExp : e - this.spec.m;
    const shift = BigInt(ulpExp + SCALE);
    const q = a >> shift;
    const rem = a - (q << shift);
    const half = 1n << (shift - 1n);
    let up = false;
    switch (mode) {
      case "rne": up = rem > half || (rem === half && this.odd(q, ulpExp)); break;
      case "rna": up = rem >= half; break;
      case "rz": up = false; break;
      case "ru": up = rem > 0n && !neg; break;
      case "rd": up = rem > 0n && neg; break;
      case "ro": up = rem > 0n && !this.odd(q, ulpExp); break;
      case "sr": {
        const r = BigInt(srBits);
        const top = (rem << r) >> shift;
        up = top + BigInt(draw >>> (32 - srBits)) >= 1n << r;
        break;
      }
    }
    const result = (up ? q + 1n : q) << shift;
    if (result > (neg ? this.maxNeg : this.maxPos)) {
      const toInfinity = mode === "rz" || mode === "ro" ? false : mode === "ru" ? !neg : mode === "rd" ? neg : true;
      return toInfinity ? this.overflowValue(neg) : this.limit(neg);
    }
    const value = Number(up ? q + 1n : q) * 2 ** ulpExp;
    if (bitsOf(value) === bitsOf(NaN) || valueOf(bitsOf(value)) !== value) throw new Error(`${this.label}: result ${value} is not an f32`);
    return neg ? -value : value;
  }
}

// The SR streams (docs/formats.md, docs/gemm.md) are written once for the tests, in stream.ts.
export { fmix32, drawAt, LaneStream } from "./stream.js";
import { LaneStream } from "./stream.js";

export interface RefSpec {
  mul: Fmt | null;
  mulMode: Mode;
  acc: Fmt | null;
  accMode: Mode;
  fma: boolean;
  fast: boolean;
  srBits: number;
  srKey: number;
}

export interface RefJob {
  m: number;
  n: number;
  k: number;
  /** X(i, kk) and W(kk, j) as f32 values, Z (m x n, row-major) before the call. */
  x: (i: number, kk: number) => number;
  w: (kk: number, j: number) => number;
  z: Float32Array;
  accumulate: boolean;
  /** Called with each result as soon as it is known, in row order (a Z written over X or W reads it back). */
  store?: (i: number, j: number, bits: number) => void;
}

/** The reference format of a float or fixed format word (spec/formats.json word layout). */
export function fmtOfWord(word: number): Fmt {
  const field = (shift: number, mask: number) => (word >>> shift) & mask;
  const kind = field(F.WORD_KIND_SHIFT, F.WORD_KIND_MASK);
  if (kind !== F.KIND_FLOAT && kind !== F.KIND_FIXED) throw new Error(`format word 0x${(word >>> 0).toString(16)}: expected float or fixed, received kind ${kind}`);
  const specials = (["ieee", "fn", "none"] as const)[field(F.WORD_SPECIALS_SHIFT, F.WORD_SPECIALS_MASK)];
  return new Fmt({
    kind: kind === F.KIND_FLOAT ? "float" : "fixed",
    e: field(F.WORD_E_SHIFT, F.WORD_E_MASK),
    m: field(F.WORD_M_SHIFT, F.WORD_M_MASK),
    specials,
    subnormals: field(F.WORD_NO_SUBNORMALS_SHIFT, 1) === 0,
    saturate: field(F.WORD_SATURATE_SHIFT, 1) === 1,
  }, `0x${(word >>> 0).toString(16)}`);
}

const FP32: RefFormatSpec = { kind: "float", e: 8, m: 23, specials: "ieee", subnormals: true, saturate: false };
export const fp32Fmt = new Fmt(FP32, "fp32");

/** The result bits of Z (m x n, row-major), NaN as 0x7FC00000. */
export function referenceGemm(spec: RefSpec, job: RefJob): Uint32Array {
  const { m, n, k } = job;
  const out = new Uint32Array(m * n);
  const mul = spec.mul ?? fp32Fmt;
  const acc = spec.acc ?? fp32Fmt;
  const mulMode: Mode = spec.mul ? spec.mulMode : "rne";
  const accMode: Mode = spec.acc ? spec.accMode : "rne";
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const o = i * n + j;
      let s = job.accumulate ? job.z[o] : 0;
      if (k === 0) {
        out[o] = bitsOf(s);
        job.store?.(i, j, out[o]);
        continue;
      }
      const stream = new LaneStream(spec.srKey, o);
      if (spec.fast) {
        for (let kk = 0; kk < k; kk++) s = Math.fround(s + Math.fround(job.x(i, kk) * job.w(kk, j)));
        if (spec.acc) s = acc.round(exactOf(s), accMode, spec.srBits, accMode === "sr" ? stream.next() : 0);
      } else {
        for (let kk = 0; kk < k; kk++) {
          const product = exactProduct(job.x(i, kk), job.w(kk, j));
          const mulDraw = stream.next();
          const accDraw = stream.next();
          const term = spec.fma ? product : exactOf(mul.round(product, mulMode, spec.srBits, mulMode === "sr" ? mulDraw : 0));
          s = acc.round(exactSum(exactOf(s), term, accMode), accMode, spec.srBits, accMode === "sr" ? accDraw : 0);
        }
      }
      out[o] = Number.isNaN(s) ? QNAN_BITS : bitsOf(s);
      job.store?.(i, j, out[o]);
    }
  }
  return out;
}
