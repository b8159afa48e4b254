// An exact reference for the number formats, written from their definitions and independent of the
// device code: a format's values are enumerated from (e, m, bias, specials) as IEEE 754 and the OCP
// OFP8 / MX specifications define them, every value is an integer multiple of 2^unitExp held as a
// BigInt, and each rounding mode chooses between the two representable neighbours of the exact input.
//
// Conventions beyond IEEE 754 (spec/formats.json, DESIGN.md "Number formats"):
// - "Even" is the neighbour whose code is even (for m = 0 the exponent code decides; OCP: "ties to the
//   even code").
// - Rounding is done as if the exponent range had no top, one step continuing past the largest finite
//   value (for OCP E4M3 that step is 480, the NaN code's place); a result past the largest finite value
//   overflows: rne, rna and sr give inf (IEEE formats) or NaN (E4M3), rz and ro give ±max, ru and rd
//   give inf on their own side and ±max on the other; saturating formats and formats with neither inf
//   nor NaN give ±max.
// - Subnormals off: the values below 2^emin are 0 and 2^emin itself, counted in units of 2^emin (0 even,
//   2^emin odd), so the tie at 2^(emin-1) goes to 0 under rne.
// - Fixed point fixed<WL>.<FL>: integers k * 2^-FL for -2^(WL-1) <= k < 2^(WL-1), rounded by magnitude
//   and sign like the floats, always saturating.
import { bitsF32, f32Bits } from "./bits.js";

export type DeterministicMode = "rne" | "rna" | "rz" | "ru" | "rd" | "ro";
export const DETERMINISTIC_MODES: readonly DeterministicMode[] = ["rne", "rna", "rz", "ru", "rd", "ro"];

export interface RefSpec {
  kind: "float" | "fixed";
  /** Exponent bits, or the word length of fixed point. */
  e: number;
  /** Mantissa bits, or the fraction length of fixed point. */
  m: number;
  specials: "ieee" | "fn" | "none";
  subnormals: boolean;
  saturate: boolean;
}

const F32_QNAN = 0x7fc00000;
const F32_INF = 0x7f800000;

/** An f32 as an exact N * 2^exp (N >= 0). */
function exactF32(magnitudeBits: number): { n: bigint; exp: number } {
  const biased = magnitudeBits >>> 23;
  const fraction = magnitudeBits & 0x7fffff;
  return biased === 0 ? { n: BigInt(fraction), exp: -149 } : { n: BigInt(fraction | 0x800000), exp: biased - 150 };
}

/** The f32 magnitude bits of units * 2^unitExp (exact: every value of a format fits an f32). */
function unitsToBits(units: bigint, unitExp: number): number {
  const value = Number(units) * 2 ** unitExp;
  const bits = f32Bits(value);
  if (bitsF32(bits) !== value) throw new Error(`reference value ${units} * 2^${unitExp} is not an f32`);
  return bits;
}

export class RefFormat {
  /** Every value is an integer multiple of 2^unitExp. */
  readonly unitExp: number;
  /** Candidate magnitudes of rounding, ascending, in units; the last one is the step past the largest. */
  readonly grid: bigint[] = [];
  /** The code (magnitude part) of each grid entry, whose parity decides ties to even and round to odd. */
  readonly gridCodes: number[] = [];
  readonly maxPos: bigint;
  readonly maxNeg: bigint;
  /** What a non-saturated overflow gives. */
  readonly overflow: "inf" | "nan" | "max";
  /** Code width in bits. */
  readonly bits: number;
  readonly bias: number;
  readonly emin: number;
  private readonly flushBelowMinNormal: boolean;

  /** `scaleExp` multiplies every value by 2^scaleExp (an MX element under its block scale). */
  constructor(readonly spec: RefSpec, readonly scaleExp = 0) {
    const { e, m } = spec;
    if (spec.kind === "fixed") {
      this.bits = e;
      this.bias = 0;
      this.emin = 0;
      this.unitExp = -m + scaleExp;
      this.maxPos = (1n << BigInt(e - 1)) - 1n;
      this.maxNeg = 1n << BigInt(e - 1);
      this.overflow = "max";
      this.flushBelowMinNormal = false;
      for (let k = 0; k <= 2 ** (e - 1) + 1; k++) {
        this.grid.push(BigInt(k));
        this.gridCodes.push(k);
      }
      return;
    }
    this.bits = 1 + e + m;
    this.bias = 2 ** (e - 1) - 1;
    this.emin = 1 - this.bias;
    this.unitExp = this.emin - m + scaleExp;
    this.flushBelowMinNormal = !spec.subnormals;
    const allOnes = 2 ** e - 1;
    const maxCode = spec.specials === "ieee" ? allOnes * 2 ** m - 1 : spec.specials === "fn" ? 2 ** (e + m) - 2 : 2 ** (e + m) - 1;
    for (let code = 0; code <= maxCode + 1; code++) {
      const exponentField = Math.floor(code / 2 ** m);
      const mantissa = code % 2 ** m;
      if (!spec.subnormals && exponentField === 0 && mantissa !== 0) continue;
      this.grid.push(this.magnitudeUnits(code));
      this.gridCodes.push(code);
    }
    this.maxPos = this.maxNeg = this.magnitudeUnits(maxCode);
    this.overflow = spec.saturate || spec.specials === "none" ? "max" : spec.specials === "ieee" ? "inf" : "nan";
  }

  /** Units of a finite magnitude code, by the IEEE formula; past the top it continues the same binade rule. */
  private magnitudeUnits(code: number): bigint {
    const m = this.spec.m;
    const exponentField = Math.floor(code / 2 ** m);
    const mantissa = BigInt(code % 2 ** m);
    if (exponentField === 0) return mantissa;
    return ((1n << BigInt(m)) + mantissa) << BigInt(exponentField - 1);
  }

  /** The f32 bits of a code's value (two's complement for fixed point; sign bit on top for floats). */
  decode(code: number): number {
    const { e, m, specials } = this.spec;
    if (this.spec.kind === "fixed") {
      const k = code >= 2 ** (e - 1) ? code - 2 ** e : code;
      const bits = unitsToBits(BigInt(Math.abs(k)), this.unitExp);
      return (k < 0 ? bits | 0x80000000 : bits) >>> 0;
    }
    const sign = code >= 2 ** (this.bits - 1) ? 0x80000000 : 0;
    const magnitude = code % 2 ** (this.bits - 1);
    const exponentField = Math.floor(magnitude / 2 ** m);
    const mantissa = magnitude % 2 ** m;
    if (exponentField === 2 ** e - 1) {
      if (specials === "ieee") return (sign | (mantissa === 0 ? F32_INF : F32_QNAN)) >>> 0;
      if (specials === "fn" && mantissa === 2 ** m - 1) return (sign | F32_QNAN) >>> 0;
    }
    return (sign | unitsToBits(this.magnitudeUnits(magnitude), this.unitExp)) >>> 0;
  }

  /** Codes that hold NaN (empty when the format has none). */
  isNaNCode(code: number): boolean {
    if (this.spec.kind === "fixed") return false;
    const { e, m, specials } = this.spec;
    const magnitude = code % 2 ** (this.bits - 1);
    const exponentField = Math.floor(magnitude / 2 ** m);
    const mantissa = magnitude % 2 ** m;
    if (exponentField !== 2 ** e - 1) return false;
    return specials === "ieee" ? mantissa !== 0 : specials === "fn" ? mantissa === 2 ** m - 1 : false;
  }

  /** The code a NaN of this sign is stored as: IEEE's quiet NaN S.1..1.10..0, OCP E4M3's S.1111.111. */
  canonicalNaNCode(negative: boolean): number {
    const { e, m, specials } = this.spec;
    const sign = negative ? 2 ** (this.bits - 1) : 0;
    const top = (2 ** e - 1) * 2 ** m;
    if (specials === "ieee") return sign + top + 2 ** (m - 1);
    if (specials === "fn") return sign + top + 2 ** m - 1;
    throw new Error("format has no NaN");
  }

  /** The code of a finite value of the format, given as f32 bits. */
  encode(bits: number): number {
    const negative = bits >>> 31 === 1;
    const x = exactF32(bits & 0x7fffffff);
    const units = this.toUnits(x);
    if (units.rem !== 0n) throw new Error(`${bitsF32(bits)} is not a value of the format`);
    if (this.spec.kind === "fixed") {
      const k = negative ? -Number(units.q) : Number(units.q);
      return ((k % 2 ** this.spec.e) + 2 ** this.spec.e) % 2 ** this.spec.e;
    }
    const { m } = this.spec;
    // Invert magnitudeUnits: search the codes of the one binade the value can lie in.
    let code = -1;
    const q = units.q;
    if (q < 1n << BigInt(m)) code = Number(q);
    else {
      const exponentField = q.toString(2).length - m;
      const mantissa = Number((q >> BigInt(exponentField - 1)) - (1n << BigInt(m)));
      code = exponentField * 2 ** m + mantissa;
      if (this.magnitudeUnits(code) !== q) throw new Error(`${bitsF32(bits)} is not a value of the format`);
    }
    return code + (negative ? 2 ** (this.bits - 1) : 0);
  }

  private toUnits(x: { n: bigint; exp: number }): { q: bigint; rem: bigint; commonExp: number; xc: bigint } {
    const commonExp = Math.min(x.exp, this.unitExp);
    const xc = x.n << BigInt(x.exp - commonExp);
    const shift = BigInt(this.unitExp - commonExp);
    return { q: xc >> shift, rem: xc & ((1n << shift) - 1n), commonExp, xc };
  }

  /** Index of the largest grid value <= q. */
  private floorIndex(q: bigint): number {
    let lo = 0;
    let hi = this.grid.length - 1;
    if (q >= this.grid[hi]) return hi;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (this.grid[mid] <= q) lo = mid;
      else hi = mid;
    }
    return lo;
  }

  private loIsOdd(index: number): boolean {
    // Subnormals off: between 0 and 2^emin the units are 2^emin, so 0 is even and 2^emin odd.
    if (this.flushBelowMinNormal && index === 0) return false;
    return this.gridCodes[index] % 2 === 1;
  }

  private signed(magnitudeBits: number, negative: boolean): number {
    return (negative ? magnitudeBits | 0x80000000 : magnitudeBits) >>> 0;
  }

  private overflowBits(negative: boolean, toLimit: boolean): number {
    const limit = negative ? this.maxNeg : this.maxPos;
    if (toLimit || this.overflow === "max") return this.signed(unitsToBits(limit, this.unitExp), negative);
    return this.signed(this.overflow === "inf" ? F32_INF : F32_QNAN, negative);
  }

  /**
   * The two neighbours of |x| (f32 bits, finite): `exact` when |x| is a grid value, `beyond` when it lies
   * past the last grid step (every mode overflows), else lo < |x| < hi with the exact position of |x|.
   */
  neighbours(magnitudeBits: number) {
    const x = exactF32(magnitudeBits);
    const u = this.toUnits(x);
    const lo = this.floorIndex(u.q);
    const last = this.grid.length - 1;
    const exact = this.grid[lo] === u.q && u.rem === 0n;
    const beyond = lo === last && !exact;
    return { lo, hi: lo + 1, exact, beyond, xc: u.xc, commonExp: u.commonExp };
  }

  private finish(index: number, negative: boolean, mode: DeterministicMode | "sr"): number {
    const units = this.grid[index];
    const limit = negative ? this.maxNeg : this.maxPos;
    if (units > limit) return this.overflowBits(negative, towardLimit(mode, negative));
    return this.signed(unitsToBits(units, this.unitExp), negative);
  }

  /** Rounds the f32 with bits `xBits` with a deterministic mode; returns f32 bits (NaN: quiet, sign kept). */
  round(xBits: number, mode: DeterministicMode): number {
    const negative = xBits >>> 31 === 1;
    const a = (xBits & 0x7fffffff) >>> 0;
    if (a > F32_INF) return this.signed(F32_QNAN, negative);
    if (a === F32_INF) return this.overflowBits(negative, false);
    const nb = this.neighbours(a);
    if (nb.exact) return this.finish(nb.lo, negative, mode);
    if (nb.beyond) return this.overflowBits(negative, towardLimit(mode, negative));
    const scale = BigInt(this.unitExp - nb.commonExp);
    const twiceX = nb.xc << 1n;
    const sum = (this.grid[nb.lo] + this.grid[nb.hi]) << scale;
    const loOdd = this.loIsOdd(nb.lo);
    let up: boolean;
    switch (mode) {
      case "rne": up = twiceX > sum || (twiceX === sum && loOdd); break;
      case "rna": up = twiceX >= sum; break;
      case "rz": up = false; break;
      case "ru": up = !negative; break;
      case "rd": up = negative; break;
      case "ro": up = !loOdd; break;
    }
    return this.finish(up ? nb.hi : nb.lo, negative, mode);
  }

  /**
   * floor(fraction * 2^r): the top r bits of the exact position of |x| between its neighbours, or null
   * when x is a value of the format (or NaN, inf, or beyond the last step).
   */
  truncatedFraction(xBits: number, r: number): bigint | null {
    const a = (xBits & 0x7fffffff) >>> 0;
    if (a >= F32_INF) return null;
    const nb = this.neighbours(a);
    if (nb.exact || nb.beyond) return null;
    const scale = BigInt(this.unitExp - nb.commonExp);
    const offset = nb.xc - (this.grid[nb.lo] << scale);
    const step = (this.grid[nb.hi] - this.grid[nb.lo]) << scale;
    return (offset << BigInt(r)) / step;
  }

  /** Both neighbours of x as signed f32 bits, after overflow (null when x needs no rounding). */
  neighbourBits(xBits: number): { down: number; up: number } | null {
    const negative = xBits >>> 31 === 1;
    const a = (xBits & 0x7fffffff) >>> 0;
    if (a >= F32_INF) return null;
    const nb = this.neighbours(a);
    if (nb.exact || nb.beyond) return null;
    return { down: this.finish(nb.lo, negative, "sr"), up: this.finish(nb.hi, negative, "sr") };
  }

  /**
   * Stochastic rounding with r random bits and the 32-bit draw `draw` (DESIGN.md): the top r bits of the
   * discarded fraction plus the draw's top r bits; a carry out rounds the magnitude up.
   */
  roundStochastic(xBits: number, r: number, draw: number): number {
    const negative = xBits >>> 31 === 1;
    const a = (xBits & 0x7fffffff) >>> 0;
    if (a > F32_INF) return this.signed(F32_QNAN, negative);
    if (a === F32_INF) return this.overflowBits(negative, false);
    const nb = this.neighbours(a);
    if (nb.exact) return this.finish(nb.lo, negative, "sr");
    if (nb.beyond) return this.overflowBits(negative, false);
    const kept = this.truncatedFraction(xBits, r)!;
    const random = BigInt(draw >>> (32 - r));
    const up = kept + random >= 1n << BigInt(r);
    return this.finish(up ? nb.hi : nb.lo, negative, "sr");
  }

  /** The largest finite magnitude (positive side) as f32 bits. */
  get maxBits(): number {
    return unitsToBits(this.maxPos, this.unitExp);
  }
}

/** Directed modes whose overflow stops at ±max instead of inf / NaN. */
function towardLimit(mode: DeterministicMode | "sr", negative: boolean): boolean {
  return mode === "rz" || mode === "ro" || (mode === "ru" && negative) || (mode === "rd" && !negative);
}

const cache = new Map<string, RefFormat>();

/** A shared reference per spec (enumerating bf16 or fp16 takes a few milliseconds). */
export function refFormat(spec: RefSpec, scaleExp = 0): RefFormat {
  const key = JSON.stringify([spec.kind, spec.e, spec.m, spec.specials, spec.subnormals, spec.saturate, scaleExp]);
  let ref = cache.get(key);
  if (!ref) {
    ref = new RefFormat(spec, scaleExp);
    cache.set(key, ref);
  }
  return ref;
}
