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
