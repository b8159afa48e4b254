// The counter-based SR stream of docs/formats.md, as the accelerator's MAC lanes compute it: each draw
// depends only on (key, position), so every lane computes its own without shared state.

/** 0x9E3779B9 (2654435769) = floor(2^32 / golden ratio). */
const GOLDEN = 0x9e3779b9;

/** MurmurHash3's 32-bit finalizer. */
export function fmix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Draw n (mod 2^32) of the stream with key `key`. */
export function drawAt(key: number, n: number): number {
  return fmix32(Math.imul(n >>> 0, GOLDEN) ^ key);
}

/** Key of stream `stream` under run seed `seed`. */
export function streamKey(seed: number, stream: number): number {
  return fmix32((fmix32(seed ^ 0x5bd1e995) + Math.imul(stream, GOLDEN)) >>> 0);
}
