// Counter-based random bits for stochastic rounding.
//
// Draw n of a stream with key k is  fmix32((n * 0x9E3779B9) ^ k), where fmix32 is MurmurHash3's 32-bit
// finalizer. A draw depends only on (key, n), never on earlier draws, so parallel lanes (SIMD, the
// accelerator's MAC array, an RTL implementation) compute their own draws and still reproduce the
// scalar stream bit for bit. Keys come from the run seed and a stream id through the same mixer.

/** 0x9E3779B9 (2654435769) = floor(2^32 / golden ratio): the Weyl increment of splitmix. */
export const GOLDEN: u32 = 0x9e3779b9;

/** MurmurHash3 fmix32: a bijection on u32 with full avalanche. */
// @ts-ignore: decorator
@inline
export function fmix32(x: u32): u32 {
  x ^= x >>> 16;
  x *= 0x85ebca6b;
  x ^= x >>> 13;
  x *= 0xc2b2ae35;
  x ^= x >>> 16;
  return x;
}

/** The n-th draw of the stream with key `key`. */
// @ts-ignore: decorator
@inline
export function drawAt(key: u32, n: u32): u32 {
  return fmix32((n * GOLDEN) ^ key);
}

/** Key of stream `stream` under run seed `seed`. */
export function streamKey(seed: u32, stream: u32): u32 {
  return fmix32(fmix32(seed ^ 0x5bd1e995) + stream * GOLDEN);
}

/** A stream position: the key and the index of the next draw. */
@final @unmanaged
export class Rng {
  key: u32 = 0;
  counter: u32 = 0;

  static create(seed: u32, stream: u32): Rng {
    const rng = new Rng();
    rng.key = streamKey(seed, stream);
    rng.counter = 0;
    return rng;
  }

  // @ts-ignore: decorator
  @inline next(): u32 {
    const n = this.counter;
    this.counter = n + 1;
    return drawAt(this.key, n);
  }
}
