// f32 bit patterns, seeded test inputs and failure messages shared by the number-format suites.

const scratch = new DataView(new ArrayBuffer(4));

export function f32Bits(x: number): number {
  scratch.setFloat32(0, x);
  return scratch.getUint32(0);
}

export function bitsF32(u: number): number {
  scratch.setUint32(0, u >>> 0);
  return scratch.getFloat32(0);
}

export const isNaNBits = (u: number): boolean => (u & 0x7fffffff) >>> 0 > 0x7f800000;

/** Two f32 results agree: the same bits, or both NaN with the same sign (NaN payloads are not compared). */
export function sameF32(got: number, want: number): boolean {
  if (isNaNBits(want)) return isNaNBits(got) && got >>> 31 === want >>> 31;
  return got >>> 0 === want >>> 0;
}

export const hex = (u: number, digits = 8): string => `0x${(u >>> 0).toString(16).padStart(digits, "0")}`;

/** An f32 shown in decimal (shortest round-trip, sign of zero kept) and hex. */
export function showF32(bits: number): string {
  const v = bitsF32(bits);
  const text = Object.is(v, -0) ? "-0" : Number.isNaN(v) ? (bits >>> 31 ? "-nan" : "nan") : String(v);
  return `${text} (${hex(bits)})`;
}

/**
 * Collects mismatches of one table and fails with the first few in full: the format, the mode, the input,
 * the output and the expected value, in decimal and hex.
 */
export class Mismatches {
  private lines: string[] = [];
  private count = 0;

  constructor(private readonly context: string) {}

  add(what: string, inputBits: number, gotBits: number, wantBits: number, extra = ""): void {
    this.count++;
    if (this.lines.length < 12) {
      this.lines.push(`${what}: input ${showF32(inputBits)} -> got ${showF32(gotBits)}, expected ${showF32(wantBits)}${extra ? ` ${extra}` : ""}`);
    }
  }

  /** Adds a mismatch when the results differ (see sameF32). */
  check(what: string, inputBits: number, gotBits: number, wantBits: number, extra = ""): void {
    if (!sameF32(gotBits, wantBits)) this.add(what, inputBits, gotBits, wantBits, extra);
  }

  addText(line: string): void {
    this.count++;
    if (this.lines.length < 12) this.lines.push(line);
  }

  get total(): number {
    return this.count;
  }

  /** Throws when anything was added. */
  assertNone(): void {
    if (this.count === 0) return;
    throw new Error(`${this.context}: ${this.count} mismatch(es)\n  ${this.lines.join("\n  ")}`);
  }
}

/** mulberry32 (Tommy Ettinger, public domain): a small seeded generator for test inputs. */
export class TestRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  u32(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** An integer in lo..hi inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor((this.u32() / 2 ** 32) * (hi - lo + 1));
  }

  /** A float in [0, 1). */
  unit(): number {
    return this.u32() / 2 ** 32;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)];
  }
}

/**
 * f32 bit patterns aimed at a format whose values span 2^lowExp .. 2^highExp: random exponents a few
 * binades beyond both ends, random fractions with a random number of low bits cleared (so exact values
 * and exact ties of every format turn up often), any bit pattern now and then (NaN, inf, f32
 * subnormals), and both signs.
 */
export function structuredBits(random: TestRandom, n: number, lowExp: number, highExp: number): Uint32Array {
  const out = new Uint32Array(n);
  const lo = Math.max(-150, lowExp - 4);
  const hi = Math.min(128, highExp + 3);
  for (let i = 0; i < n; i++) {
    const kind = random.u32() & 15;
    if (kind === 0) {
      out[i] = random.u32();
      continue;
    }
    let fraction = random.u32() & 0x7fffff;
    fraction &= ~((1 << random.int(0, 23)) - 1) & 0x7fffff;
    const exponent = random.int(lo, hi);
    const biased = exponent <= -127 ? 0 : exponent >= 128 ? 255 : exponent + 127;
    let u = (biased << 23) | (biased === 255 ? 0 : fraction);
    if (biased === 0) u = fraction >>> Math.max(0, -126 - exponent); // f32 subnormals
    out[i] = (u | ((random.u32() & 1) << 31)) >>> 0;
  }
  return out;
}
