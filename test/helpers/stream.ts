// The stochastic-rounding stream as assembly/arith/prng.ts documents it, written again from that text so
// the tests can predict every draw: draw n of the stream with key k is fmix32((n * 0x9E3779B9) ^ k), and
// the key of (seed, stream) is fmix32(fmix32(seed ^ 0x5BD1E995) + stream * 0x9E3779B9), all mod 2^32.

const GOLDEN = 0x9e3779b9;

/** MurmurHash3's 32-bit finalizer. */
export function fmix32(x: number): number {
  x >>>= 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

export function streamKey(seed: number, stream: number): number {
  return fmix32((fmix32((seed ^ 0x5bd1e995) >>> 0) + Math.imul(stream, GOLDEN)) >>> 0);
}

export function drawAt(key: number, n: number): number {
  return fmix32((Math.imul(n, GOLDEN) ^ key) >>> 0);
}

// The lane stream of a GEMM (docs/gemm.md, "Stochastic rounding"), written again from that text in
// BigInt arithmetic: output o = i*n + j (mod 2^32) of a job with key k starts from the 64-bit seed
// fmix32((o * 0x9E3779B9) ^ k) << 32 | fmix32((o * 0x9E3779B9) ^ k ^ 0x85EBCA6B), 0x9E3779B97F4A7C15 in
// place of a zero seed; a step is xorshift64 (s ^= s << 13, s ^= s >> 7, s ^= s << 17 mod 2^64) and a
// draw is the upper word of the state after its step.

const MASK64 = (1n << 64n) - 1n;

/** The seed of output `o` under `key`. */
export function laneSeed(key: number, o: number): bigint {
  const h = (Math.imul(o >>> 0, GOLDEN) ^ key) >>> 0;
  const seed = (BigInt(fmix32(h)) << 32n) | BigInt(fmix32((h ^ 0x85ebca6b) >>> 0));
  return seed === 0n ? 0x9e3779b97f4a7c15n : seed;
}

export function xorshift64(s: bigint): bigint {
  s ^= (s << 13n) & MASK64;
  s ^= s >> 7n;
  s ^= (s << 17n) & MASK64;
  return s;
}

/** An output's draws in order: next() steps the state and returns its upper word. */
export class LaneStream {
  private state: bigint;
  constructor(key: number, o: number) {
    this.state = laneSeed(key, o);
  }
  next(): number {
    this.state = xorshift64(this.state);
    return Number(this.state >> 32n);
  }
}
