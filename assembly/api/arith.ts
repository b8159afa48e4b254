// Exports of the number-format core. Pointers are byte offsets in linear memory; a format is named by
// the pointer fmt_new returns. Every entry checks its arguments once and returns a negative status on
// bad input instead of trapping.
import {
  Format, makeFormat, validateWord, pow2, pow2Bits, Rng, roundArray, encodeArray, decodeArray,
  mxEncodeArray, mxDecodeArray, roundValue, encodeRounded, decodeCode, SR_BITS_MAX, drawAt,
} from "../arith";
import { ROUND_COUNT, ROUND_SR, SPECIALS_IEEE, SPECIALS_FN } from "../generated/formats";

export const STATUS_OK: i32 = 0;
export const STATUS_BAD_FORMAT: i32 = -1;
export const STATUS_BAD_ROUNDING: i32 = -2;
export const STATUS_BAD_RNG: i32 = -3;
export const STATUS_BAD_LENGTH: i32 = -4;

/** Bytes of working memory the chunked kernels reuse (never freed: the runtime is a bump allocator). */
const CHUNK: i32 = 256;
const chunkValues = heap.alloc(<usize>CHUNK << 2);
const chunkCodes = heap.alloc(<usize>CHUNK << 2);

/** Allocates `bytes` of linear memory (16-byte aligned) for the host to fill. */
export function alloc(bytes: usize): usize {
  return heap.alloc(bytes);
}

export function fmt_validate(word: u32): i32 {
  return validateWord(word);
}

/** A format for `word`, or 0 when the word is invalid (fmt_validate says why). */
export function fmt_new(word: u32): usize {
  const f = makeFormat(word);
  return f == null ? 0 : changetype<usize>(f);
}

/** Facts about a format, for tables: 0 bits, 1 bias, 2 emin, 3 emax, 4 storage bytes, 5 block bytes, 6 has inf, 7 has NaN, 8 saturates, 9 subnormals. */
export function fmt_fact(fmt: usize, which: i32): i32 {
  const f = changetype<Format>(fmt);
  const el = f.isBlock ? f.element! : f;
  switch (which) {
    case 0: return f.bits;
    case 1: return el.bias;
    case 2: return el.emin;
    case 3: return el.emax;
    case 4: return f.isBlock ? 0 : f.bytes;
    case 5: return f.blockBytes;
    case 6: return !f.isBlock && el.specials == SPECIALS_IEEE ? 1 : 0;
    case 7: return el.specials == SPECIALS_IEEE || el.specials == SPECIALS_FN ? 1 : 0;
    case 8: return f.saturate ? 1 : 0;
    case 9: return el.subnormals ? 1 : 0;
    default: return 0;
  }
}

/** Largest finite value, smallest normal and smallest subnormal (of the element, for MX formats). */
export function fmt_max(fmt: usize): f32 {
  const f = changetype<Format>(fmt);
  return reinterpret<f32>((f.isBlock ? f.element! : f).maxBits);
}
export function fmt_min_normal(fmt: usize): f32 {
  const f = changetype<Format>(fmt);
  const el = f.isBlock ? f.element! : f;
  return el.isFixed ? pow2(el.subUlpExp) : reinterpret<f32>(el.minNormalBits);
}
export function fmt_min_subnormal(fmt: usize): f32 {
  const f = changetype<Format>(fmt);
  const el = f.isBlock ? f.element! : f;
  return el.subnormals || el.isFixed ? pow2(el.subUlpExp) : reinterpret<f32>(el.minNormalBits);
}
/** Smallest negative value's magnitude (differs from max for two's complement). */
export function fmt_neg_max(fmt: usize): f32 {
  const f = changetype<Format>(fmt);
  return reinterpret<f32>((f.isBlock ? f.element! : f).negMaxBits);
}

/** Bytes that n values take in the format's storage. */
export function fmt_encoded_bytes(fmt: usize, n: i32): i32 {
  const f = changetype<Format>(fmt);
  if (f.isBlock) return (n + 31) / 32 * f.blockBytes;
  return n * f.bytes;
}

export function rng_new(seed: u32, stream: u32): usize {
  return changetype<usize>(Rng.create(seed, stream));
}
export function rng_counter(rng: usize): u32 {
  return changetype<Rng>(rng).counter;
}
export function rng_draw(rng: usize, n: u32): u32 {
  return drawAt(changetype<Rng>(rng).key, n);
}

function normaliseSrBits(srBits: i32): i32 {
  return srBits <= 0 || srBits > SR_BITS_MAX ? SR_BITS_MAX : srBits;
}

function checkArgs(fmt: usize, mode: i32, rng: usize, n: i32): i32 {
  if (fmt == 0) return STATUS_BAD_FORMAT;
  if (mode < 0 || mode >= ROUND_COUNT) return STATUS_BAD_ROUNDING;
  if (mode == ROUND_SR && rng == 0) return STATUS_BAD_RNG;
  if (n < 0) return STATUS_BAD_LENGTH;
  return STATUS_OK;
}

/** Rounds n f32 values src -> dst (may alias) to the format; MX formats round through their blocks. */
export function round_array(fmt: usize, mode: i32, srBits: i32, rng: usize, src: usize, dst: usize, n: i32): i32 {
  const status = checkArgs(fmt, mode, rng, n);
  if (status != STATUS_OK) return status;
  const f = changetype<Format>(fmt);
  const r = changetype<Rng | null>(rng);
  const bits = normaliseSrBits(srBits);
  if (!f.isBlock) {
    roundArray(f, mode, bits, r, src, dst, n);
    return STATUS_OK;
  }
  for (let start = 0; start < n; start += CHUNK) {
    const count = min(CHUNK, n - start);
    mxEncodeArray(f, mode, bits, r, src + (<usize>start << 2), chunkCodes, count);
    mxDecodeArray(f, chunkCodes, dst + (<usize>start << 2), count);
  }
  return STATUS_OK;
}

/** Rounds n values and writes their packed codes at dst (fmt_encoded_bytes(fmt, n) bytes). */
export function encode_array(fmt: usize, mode: i32, srBits: i32, rng: usize, src: usize, dst: usize, n: i32): i32 {
  const status = checkArgs(fmt, mode, rng, n);
  if (status != STATUS_OK) return status;
  const f = changetype<Format>(fmt);
  const r = changetype<Rng | null>(rng);
  const bits = normaliseSrBits(srBits);
  if (f.isBlock) {
    mxEncodeArray(f, mode, bits, r, src, dst, n);
    return STATUS_OK;
  }
  for (let start = 0; start < n; start += CHUNK) {
    const count = min(CHUNK, n - start);
    encodeArray(f, mode, bits, r, src + (<usize>start << 2), dst + <usize>(start * f.bytes), count, chunkValues);
  }
  return STATUS_OK;
}

/** Decodes n values from packed codes at src. */
export function decode_array(fmt: usize, src: usize, dst: usize, n: i32): i32 {
  if (fmt == 0) return STATUS_BAD_FORMAT;
  if (n < 0) return STATUS_BAD_LENGTH;
  const f = changetype<Format>(fmt);
  if (f.isBlock) mxDecodeArray(f, src, dst, n);
  else decodeArray(f, src, dst, n);
  return STATUS_OK;
}

/** One value: round with an explicit random word (for tests of the SR rule). */
export function round_one(fmt: usize, mode: i32, srBits: i32, draw: u32, x: f32): f32 {
  return roundValue(x, changetype<Format>(fmt), mode, normaliseSrBits(srBits), draw);
}
export function encode_one(fmt: usize, x: f32): u32 {
  return encodeRounded(x, changetype<Format>(fmt));
}
export function decode_one(fmt: usize, code: u32): f32 {
  return decodeCode(code, changetype<Format>(fmt));
}

/** The baseline of the format benchmarks: a plain f32 copy loop in the same module. */
export function copy_array(src: usize, dst: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
}
