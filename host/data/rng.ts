// Seeded random numbers for the host side: data splits, class orders, pixel permutations, angles.
//
// Generator: xoshiro128++ 1.0 (Blackman & Vigna, "Scrambled linear pseudorandom number generators",
// ACM TOMS 2021; reference code https://prng.di.unimi.it/xoshiro128plusplus.c): 128 bits of state,
// 32-bit outputs, plain 32-bit integer arithmetic, so it is cheap to reproduce in any language.
// Seeding: as its authors advise, the state is filled from a SplitMix64 generator
// (https://prng.di.unimi.it/splitmix64.c): the first output gives words 0 (low half) and 1 (high half),
// the second gives words 2 and 3.
// Streams: every random choice takes the run seed plus a stream name that says what it is for
// ("stratified-split", "permuted/experience-3", ...); the SplitMix64 start value is
// seed XOR FNV-1a-64(stream name). Separate streams keep one choice from shifting another: adding
// an experience never changes the permutations of the earlier ones.

import { expected, UsageError } from "../errors.js";

const MASK64 = (1n << 64n) - 1n;

/** FNV-1a, 64 bits, over the UTF-8 bytes of `text` (offset basis 0xcbf29ce484222325, prime 0x100000001b3). */
export function fnv1a64(text: string): bigint {
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & MASK64;
  }
  return hash;
}

/** SplitMix64 (Steele, Lea & Flood, OOPSLA 2014), used only to expand a seed into xoshiro state. */
export class SplitMix64 {
  private state: bigint;

  constructor(seed: bigint) {
    this.state = seed & MASK64;
  }

  next(): bigint {
    this.state = (this.state + 0x9e3779b97f4a7c15n) & MASK64;
    let z = this.state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
    return z ^ (z >> 31n);
  }
}

/** Checks that `seed` is a run seed: an integer in 0 .. 2^53-1. */
export function checkSeed(seed: unknown, what = "seed"): number {
  if (typeof seed !== "number" || !Number.isSafeInteger(seed) || seed < 0) {
    throw expected(`${what} to be an integer from 0 to ${Number.MAX_SAFE_INTEGER}`, seed);
  }
  return seed;
}

/** xoshiro128++ with helpers for the draws the host needs. */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** From four 32-bit state words; they must not all be zero (the all-zero state is a fixed point). */
  constructor(s0: number, s1: number, s2: number, s3: number) {
    if ((s0 | s1 | s2 | s3) === 0) {
      throw new UsageError("expected a xoshiro128++ state with a non-zero word, received 0, 0, 0, 0");
    }
    this.s0 = s0 >>> 0;
    this.s1 = s1 >>> 0;
    this.s2 = s2 >>> 0;
    this.s3 = s3 >>> 0;
  }

  /** State filled from SplitMix64 started at `seed` (two consecutive outputs can never both be zero). */
  static fromSplitMix64(seed: bigint): Rng {
    const mix = new SplitMix64(seed);
    const a = mix.next();
    const b = mix.next();
    return new Rng(Number(a & 0xffffffffn), Number(a >> 32n), Number(b & 0xffffffffn), Number(b >> 32n));
  }

  /** The generator for one purpose (`stream`) of the run with seed `seed`. */
  static forStream(seed: number, stream: string): Rng {
    checkSeed(seed);
    return Rng.fromSplitMix64(BigInt(seed) ^ fnv1a64(stream));
  }

  /** Next 32-bit output, as an unsigned integer. */
  nextUint32(): number {
    const s0 = this.s0;
    const s3 = this.s3;
    const sum = (s0 + s3) | 0;
    const result = (((sum << 7) | (sum >>> 25)) + s0) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return result;
  }

  /** Uniform in [0, 1) with 24 random bits: every value is exact in f32 as well as f64. */
  nextFloat(): number {
    return (this.nextUint32() >>> 8) * 2 ** -24;
  }

  /**
   * Uniform integer in 0 .. bound-1, without modulo bias: draws below the largest multiple of `bound`
   * that fits in 2^32 are kept, the rest redrawn (fewer than one redraw in two on average, for any bound).
   */
  below(bound: number): number {
    if (!Number.isInteger(bound) || bound < 1 || bound > 2 ** 32) {
      throw expected("a bound from 1 to 2^32", bound);
    }
    const limit = 2 ** 32 - (2 ** 32 % bound);
    for (;;) {
      const draw = this.nextUint32();
      if (draw < limit) return draw % bound;
    }
  }

  /** Shuffles `items` in place (Fisher-Yates, from the last position down) and returns it. */
  shuffle<T extends { length: number; [index: number]: unknown }>(items: T): T {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.below(i + 1);
      const kept = items[i];
      items[i] = items[j];
      items[j] = kept;
    }
    return items;
  }

  /** A uniformly random permutation of 0 .. n-1. */
  permutation(n: number): Uint32Array {
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    return this.shuffle(order);
  }
}
