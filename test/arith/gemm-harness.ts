// The GEMM suites' common ground: seeded jobs (shapes, operands from several value families, transposes and
// padded strides), the device module's gemm export driven with them, and failure messages that print the
// job, the output position, the result and the expected value in decimal and hex.
import { parseFormat, parseRounding } from "../../host/formats/parse.js";
import { ArithDevice } from "../helpers/device.js";
import { Fmt, MODE_NAMES, bitsOf, valueOf, type Mode, type RefSpec, type RefJob, type RefFormatSpec } from "../helpers/gemm-reference.js";

/** A small seeded generator (xorshift32) for test data. */
export class Random {
  private s: number;
  constructor(seed: number) {
    this.s = (seed >>> 0) || 0x9e3779b9;
  }
  next(): number {
    let s = this.s;
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    this.s = s;
    return s;
  }
  int(lo: number, hi: number): number {
    return lo + (this.next() % (hi - lo + 1));
  }
  pick<T>(list: readonly T[]): T {
    return list[this.next() % list.length];
  }
  chance(p: number): boolean {
    return this.next() / 2 ** 32 < p;
  }
}

export interface NamedFormat {
  name: string;
  word: number;
  ref: Fmt;
}

export function namedFormat(name: string, options: { saturate?: boolean; subnormals?: boolean } = {}): NamedFormat {
  const p = parseFormat(name, options);
  const spec: RefFormatSpec = { kind: p.kind as "float" | "fixed", e: p.e, m: p.m, specials: p.specials, subnormals: p.subnormals, saturate: p.saturate };
  const label = `${p.id}${p.saturate && p.kind === "float" && p.specials !== "none" ? "(sat)" : ""}${p.subnormals ? "" : "(nosub)"}`;
  return { name: label, word: p.word, ref: new Fmt(spec, label) };
}

/** The formats the GEMM suites name, by short key. */
export const F = {
  e4m3: namedFormat("e4m3"),
  e4m3sat: namedFormat("e4m3", { saturate: true }),
  e5m2: namedFormat("e5m2"),
  e5m2sat: namedFormat("e5m2", { saturate: true }),
  e2m1: namedFormat("e2m1"),
  e3m2: namedFormat("e3m2"),
  e5m0: namedFormat("e5m0"),
  fp16: namedFormat("fp16"),
  fp16sat: namedFormat("fp16", { saturate: true }),
  fp16nosub: namedFormat("fp16", { subnormals: false }),
  bf16: namedFormat("bf16"),
  tf32: namedFormat("tf32"),
  fp32: namedFormat("fp32"),
  fp32sat: namedFormat("fp32", { saturate: true }),
  fp32nosub: namedFormat("fp32", { subnormals: false }),
  e8m21: namedFormat("e8m21"),
  e6m21: namedFormat("e6m21"),
  fixed16: namedFormat("fixed16.8"),
  fixed24: namedFormat("fixed24.20"),
};

/** Families of operand values: a format's own values (scaled by 2^scale), wide f32 values, or anything. */
export type Family = "e4m3" | "e5m2" | "fp16" | "bf16" | "e2m1" | "wide" | "extreme" | "tiny" | "huge" | "e4m3-specials";
export const FAMILIES: readonly Family[] = ["e4m3", "e5m2", "fp16", "bf16", "e2m1", "wide", "extreme", "tiny", "huge", "e4m3-specials"];

const FAMILY_FORMATS: Record<string, { e: number; m: number; fn: boolean }> = {
  e4m3: { e: 4, m: 3, fn: true },
  e5m2: { e: 5, m: 2, fn: false },
  fp16: { e: 5, m: 10, fn: false },
  bf16: { e: 8, m: 7, fn: false },
  e2m1: { e: 2, m: 1, fn: false },
};

/** One value of a float format's finite codes, from its fields. */
function formatValue(r: Random, e: number, m: number, fn: boolean, ieee: boolean): number {
  const bias = 2 ** (e - 1) - 1;
  const topBiased = ieee ? 2 ** e - 2 : 2 ** e - 1;
  for (;;) {
    const biased = r.int(0, topBiased);
    const mantissa = r.int(0, 2 ** m - 1);
    if (fn && biased === 2 ** e - 1 && mantissa === 2 ** m - 1) continue;
    const value = biased === 0 ? mantissa * 2 ** (1 - bias - m) : (2 ** m + mantissa) * 2 ** (biased - bias - m);
    return r.chance(0.5) ? -value : value;
  }
}

export function familyValue(r: Random, family: Family, scale: number): number {
  if (r.chance(0.03)) return r.chance(0.5) ? 0 : -0;
  switch (family) {
    case "wide":
      return Math.fround(((r.next() / 2 ** 32) * 2 - 1) * 2 ** (r.int(-12, 12) + scale));
    case "extreme": {
      if (r.chance(0.02)) return r.pick([Infinity, -Infinity, NaN]);
      let bits = r.next();
      if (((bits >>> 23) & 0xff) === 0xff) bits &= 0xbfffffff; // keep finite here; specials come above
      return valueOf(bits);
    }
    case "e4m3-specials": {
      // Narrow values with a few infinities and NaNs: the products are exact in f32 but not all finite.
      if (r.chance(0.04)) return r.pick([Infinity, -Infinity, NaN]);
      const f = FAMILY_FORMATS.e4m3;
      return formatValue(r, f.e, f.m, f.fn, false) * 2 ** scale;
    }
    case "tiny":
      return Math.fround(((r.next() / 2 ** 32) * 2 - 1) * 2 ** r.int(-149, -110));
    case "huge":
      return Math.fround(((r.next() / 2 ** 32) * 2 - 1) * 2 ** r.int(100, 127));
    case "bf16": {
      // bf16 spans f32's range: keep most values moderate, some at the ends.
      const f = FAMILY_FORMATS.bf16;
      for (;;) {
        const v = formatValue(r, f.e, f.m, f.fn, true);
        if (r.chance(0.1) || (Math.abs(v) < 2 ** 20 && Math.abs(v) > 2 ** -20) || v === 0) return v * 2 ** scale;
      }
    }
    default: {
      const f = FAMILY_FORMATS[family];
      return formatValue(r, f.e, f.m, f.fn, !f.fn) * 2 ** scale;
    }
  }
}

export interface Job {
  m: number;
  n: number;
  k: number;
  /** Logical X (m x k) and W (k x n), row-major f32 values; Z before the call (m x n). */
  x: Float32Array;
  w: Float32Array;
  z: Float32Array;
  transX: boolean;
  transW: boolean;
  /** Row-stride padding (elements) of the stored X, W and Z. */
  padX: number;
  padW: number;
  padZ: number;
  accumulate: boolean;
  label: string;
}

export function makeJob(r: Random, shape: { m: number; n: number; k: number }, families: [Family, Family], options: Partial<Job> = {}): Job {
  const { m, n, k } = shape;
  const scaleX = families[0] === "wide" ? 0 : r.int(-3, 1);
  const scaleW = families[1] === "wide" ? 0 : r.int(-3, 1);
  const x = new Float32Array(m * k).map(() => familyValue(r, families[0], scaleX));
  const w = new Float32Array(k * n).map(() => familyValue(r, families[1], scaleW));
  const z = new Float32Array(m * n).map(() => familyValue(r, r.pick(["wide", "fp16", "e4m3"] as Family[]), 0));
  const job: Job = {
    m, n, k, x, w, z,
    transX: r.chance(0.3),
    transW: r.chance(0.3),
    padX: r.chance(0.3) ? r.int(1, 3) : 0,
    padW: r.chance(0.3) ? r.int(1, 3) : 0,
    padZ: r.chance(0.3) ? r.int(1, 3) : 0,
    accumulate: r.chance(0.4),
    label: "",
    ...options,
  };
  job.label = `${m}x${n}x${k} X:${families[0]} W:${families[1]}${job.transX ? " transX" : ""}${job.transW ? " transW" : ""}` +
    `${job.padX || job.padW || job.padZ ? ` pad(${job.padX},${job.padW},${job.padZ})` : ""}${job.accumulate ? " accumulate" : ""}`;
  return job;
}

export function refJob(job: Job): RefJob {
  const { m, n, k } = job;
  return { m, n, k, x: (i, kk) => job.x[i * k + kk], w: (kk, j) => job.w[kk * n + j], z: job.z, accumulate: job.accumulate };
}

export interface Spec {
  mul: NamedFormat | null;
  mulMode: Mode;
  acc: NamedFormat | null;
  accMode: Mode;
  fma: boolean;
  fast: boolean;
  srBits: number;
  srKey: number;
}

export function refSpec(s: Spec): RefSpec {
  return { mul: s.mul?.ref ?? null, mulMode: s.mulMode, acc: s.acc?.ref ?? null, accMode: s.accMode, fma: s.fma, fast: s.fast, srBits: s.srBits, srKey: s.srKey };
}

export function describeSpec(s: Spec): string {
  const sr = s.mulMode === "sr" || s.accMode === "sr" ? ` srBits=${s.srBits} key=0x${(s.srKey >>> 0).toString(16)}` : "";
  if (s.fast) return `fast acc=${s.acc?.name ?? "null"}:${s.accMode}${sr}`;
  return `${s.fma ? "fma" : `mul=${s.mul?.name ?? "null"}:${s.mulMode}`} acc=${s.acc?.name ?? "null"}:${s.accMode}${sr}`;
}

/** The device module driven with GEMM jobs (formats and buffers as the number-format suites have them). */
export class GemmDevice extends ArithDevice {
  /** The module's format for a named one (null: none, the module's 0). */
  formatOf(f: NamedFormat | null): number {
    return f === null ? 0 : this.format(f.word);
  }

  spec(s: Spec): number {
    const ptr = this.x.mac_spec_new(this.formatOf(s.mul), parseRounding(s.mulMode), this.formatOf(s.acc), parseRounding(s.accMode),
      s.fma ? 1 : 0, s.fast ? 1 : 0, s.srBits, s.srKey >>> 0) >>> 0;
    if (ptr === 0) throw new Error(`mac_spec_new refused ${describeSpec(s)}`);
    return ptr;
  }

  /** Runs the job; returns Z's bits (m x n, row-major). */
  run(job: Job, spec: number | Spec): Uint32Array {
    const specPtr = typeof spec === "number" ? spec : this.spec(spec);
    const { m, n, k } = job;
    const xRows = job.transX ? k : m, xCols = job.transX ? m : k;
    const wRows = job.transW ? n : k, wCols = job.transW ? k : n;
    const ldx = xCols + job.padX, ldw = wCols + job.padW, ldz = n + job.padZ;
    const xPtr = this.buffer(0, Math.max(1, xRows * ldx) * 4);
    const wPtr = this.buffer(1, Math.max(1, wRows * ldw) * 4);
    const zPtr = this.buffer(2, Math.max(1, m * ldz) * 4);
    const mem = () => this.memory();
    const xs = new Float32Array(mem(), xPtr, xRows * ldx).fill(NaN);
    for (let i = 0; i < m; i++) for (let kk = 0; kk < k; kk++) xs[job.transX ? kk * ldx + i : i * ldx + kk] = job.x[i * k + kk];
    const ws = new Float32Array(mem(), wPtr, wRows * ldw).fill(NaN);
    for (let kk = 0; kk < k; kk++) for (let j = 0; j < n; j++) ws[job.transW ? j * ldw + kk : kk * ldw + j] = job.w[kk * n + j];
    const zs = new Float32Array(mem(), zPtr, m * ldz).fill(-12345);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) zs[i * ldz + j] = job.z[i * n + j];
    const status = this.x.gemm(m, n, k, xPtr, ldx, job.transX ? 1 : 0, wPtr, ldw, job.transW ? 1 : 0, zPtr, ldz, job.accumulate ? 1 : 0, specPtr);
    if (status !== 0) throw new Error(`gemm returned status ${status} for ${job.label}`);
    const zAfter = new Float32Array(mem(), zPtr, m * ldz);
    const out = new Uint32Array(m * n);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) out[i * n + j] = bitsOf(zAfter[i * ldz + j]);
      // The padding between rows is not Z's: it must come back untouched.
      for (let j = n; j < ldz; j++) if (zAfter[i * ldz + j] !== -12345) throw new Error(`gemm wrote Z padding at row ${i}, column ${j} (${job.label})`);
    }
    return out;
  }
}

const hex = (u: number) => `0x${(u >>> 0).toString(16).padStart(8, "0")}`;
export function showBits(bits: number): string {
  const v = valueOf(bits);
  return `${Object.is(v, -0) ? "-0" : Number.isNaN(v) ? (bits >>> 31 ? "-nan" : "nan") : String(v)} (${hex(bits)})`;
}

/** The first few differing outputs, described in full; empty when the bits agree. */
export function compareBits(got: Uint32Array, want: Uint32Array, job: Job, what: string): string[] {
  const lines: string[] = [];
  for (let o = 0; o < want.length && lines.length < 6; o++) {
    if (got[o] !== want[o]) {
      const i = Math.floor(o / job.n), j = o % job.n;
      const row = Array.from({ length: Math.min(job.k, 6) }, (_, kk) => `${job.x[i * job.k + kk]}*${job.w[kk * job.n + j]}`).join(" + ");
      lines.push(`${what} ${job.label} Z[${i}][${j}]: got ${showBits(got[o])}, expected ${showBits(want[o])}` +
        `${job.accumulate ? ` (Z before ${job.z[o]})` : ""}; terms ${row}${job.k > 6 ? " + ..." : ""}`);
    }
  }
  return lines;
}

export { MODE_NAMES, type Mode };
