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

// The lane stream of a GEMM (docs/gemm.md, "The random stream of a GEMM"): what one MAC lane of the
// accelerator draws for one output. The output's position o = i*n + j is hashed once into a 64-bit seed,
// then a xorshift64 state (Marsaglia, "Xorshift RNGs", J. Stat. Softw. 2003, shifts 13, 7, 17) is stepped
// once per draw and the draw is its upper word: exact mode steps twice per k (the product's draw, then
// the sum's; fused mode takes the second), fast mode once per output. A draw depends on (key, i, j, k)
// only, never on how an array schedules outputs.

/** 0x85EBCA6B (2246822507), MurmurHash3's first fmix32 multiplier: told apart the seed's two halves. */
export const SEED_SALT: u32 = 0x85ebca6b;

/**
 * The 64-bit seed of output o: fmix32(h) in the upper word, fmix32(h ^ SEED_SALT) in the lower one, with
 * h = (o * GOLDEN) ^ key. Never 0: fmix32 is a bijection with fmix32(0) = 0, so both halves are 0 only if
 * h = 0 and h = SEED_SALT at once; the zero-state substitute the xorshift needs is never reached.
 */
// @ts-ignore: decorator
@inline
export function laneSeed(key: u32, o: u32): u64 {
  const h = (o * GOLDEN) ^ key;
  return (<u64>fmix32(h) << 32) | <u64>fmix32(h ^ SEED_SALT);
}

/** One xorshift64 step (13, 7, 17): a bijection on the nonzero u64, period 2^64 - 1. */
// @ts-ignore: decorator
@inline
export function xorshift64(s: u64): u64 {
  s ^= s << 13;
  s ^= s >> 7;
  s ^= s << 17;
  return s;
}

/** The draw a lane state gives: its upper word. */
// @ts-ignore: decorator
@inline
export function laneDraw(s: u64): u32 {
  return <u32>(s >>> 32);
}

/** The first draw of output o's lane stream: what fast mode rounds the output with. */
// @ts-ignore: decorator
@inline
export function firstLaneDraw(key: u32, o: u32): u32 {
  return laneDraw(xorshift64(laneSeed(key, o)));
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
