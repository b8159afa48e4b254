// OCP Microscaling (MX v1.0) blocks: 32 elements share one E8M0 scale 2^s.
// Layout of a block: the scale byte (s + 127, 0xFF = NaN), then the element codes: one byte each, or two
// per byte (low nibble first) for 4-bit elements.
import { MX_BLOCK_SIZE, MX_SCALE_BIAS, MX_SCALE_NAN } from "../generated/formats";
import { Format, F32_INF, F32_SIGN, F32_QNAN, pow2, pow2Bits } from "./format";
import { roundValue, ROUND_SR } from "./rounding";
import { Rng, drawAt } from "./prng";
import { encodeRounded, decodeCode } from "./codec";

/** floor(log2 |x|) from f32 magnitude bits (x finite, nonzero). */
function floorLog2(a: u32): i32 {
  const biased = <i32>(a >>> 23);
  return biased != 0 ? biased - 127 : 31 - <i32>clz(a) - 149;
}

/** Scale exponent of a block whose largest magnitude has bits `amax` (OCP MX 6.3). */
export function blockScaleExp(amax: u32, elementEmax: i32): i32 {
  // An all-zero block takes the exponent of the smallest f32 normal, as the OCP reference code does.
  const s = (amax == 0 ? -126 : floorLog2(amax)) - elementEmax;
  return s < -127 ? -127 : s > 127 ? 127 : s;
}

let scaled: Format | null = null;

/** The element format with every threshold multiplied by 2^s, so rounding x against it equals rounding x / 2^s exactly. */
function scaledElement(el: Format, s: i32): Format {
  if (scaled == null) scaled = new Format();
  const t = scaled!;
  memory.copy(changetype<usize>(t), changetype<usize>(el), offsetof<Format>());
  const scale = pow2(s);
  t.emin = el.emin + s;
  t.subUlpExp = el.subUlpExp + s;
  // Exact: every element value times 2^s stays a multiple of 2^-149 (s >= -127).
  t.maxBits = reinterpret<u32>(reinterpret<f32>(el.maxBits) * scale);
  t.negMaxBits = reinterpret<u32>(reinterpret<f32>(el.negMaxBits) * scale);
  t.overflowBits = t.maxBits;
  t.negOverflowBits = t.negMaxBits;
  t.minNormalBits = pow2Bits(t.emin);
  return t;
}

/**
 * Encodes n f32 values as ceil(n / 32) blocks at dst (f.blockBytes each). A block holding NaN or inf gets
 * the NaN scale. Stochastic rounding takes one draw per element, in order.
 */
export function mxEncodeArray(f: Format, mode: i32, srBits: i32, rng: Rng | null, src: usize, dst: usize, n: i32): void {
  const el = f.element!;
  const packed = el.bits <= 4;
  let key: u32 = 0, base: u32 = 0;
  if (mode == ROUND_SR) { key = rng!.key; base = rng!.counter; }
  for (let start = 0; start < n; start += MX_BLOCK_SIZE) {
    const count = min(MX_BLOCK_SIZE, n - start);
    const block = dst + <usize>(start / MX_BLOCK_SIZE) * <usize>f.blockBytes;
    memory.fill(block, 0, f.blockBytes);
    let amax: u32 = 0;
    for (let i = 0; i < count; i++) {
      const a = load<u32>(src + (<usize>(start + i) << 2)) & ~F32_SIGN;
      if (a > amax) amax = a;
    }
    if (amax >= F32_INF) {
      store<u8>(block, <u8>MX_SCALE_NAN);
      continue;
    }
    const s = blockScaleExp(amax, f.elementEmax);
    store<u8>(block, <u8>(s + MX_SCALE_BIAS));
    const t = scaledElement(el, s);
    const unscale = pow2(-s);
    for (let i = 0; i < count; i++) {
      const x = load<f32>(src + (<usize>(start + i) << 2));
      const draw = mode == ROUND_SR ? drawAt(key, base + <u32>(start + i)) : 0;
      const code = encodeRounded(roundValue(x, t, mode, srBits, draw) * unscale, el);
      if (packed) {
        const p = block + 1 + <usize>(i >> 1);
        store<u8>(p, load<u8>(p) | <u8>((code & 0xf) << ((<u32>i & 1) << 2)));
      } else {
        store<u8>(block + 1 + <usize>i, <u8>code);
      }
    }
  }
  if (mode == ROUND_SR) rng!.counter = base + <u32>n;
}

/** Decodes ceil(n / 32) blocks at src to n f32 values. */
export function mxDecodeArray(f: Format, src: usize, dst: usize, n: i32): void {
  const el = f.element!;
  const packed = el.bits <= 4;
  for (let start = 0; start < n; start += MX_BLOCK_SIZE) {
    const count = min(MX_BLOCK_SIZE, n - start);
    const block = src + <usize>(start / MX_BLOCK_SIZE) * <usize>f.blockBytes;
    const scaleCode = <i32>load<u8>(block);
    const scale = pow2(scaleCode - MX_SCALE_BIAS);
    for (let i = 0; i < count; i++) {
      let value: f32;
      if (scaleCode == MX_SCALE_NAN) value = reinterpret<f32>(F32_QNAN);
      else {
        const code: u32 = packed
          ? (<u32>load<u8>(block + 1 + <usize>(i >> 1)) >> ((<u32>i & 1) << 2)) & 0xf
          : <u32>load<u8>(block + 1 + <usize>i);
        value = decodeCode(code, el) * scale;
      }
      store<f32>(dst + (<usize>(start + i) << 2), value);
    }
  }
}

/** Rounds n values through MX blocks and back (the values a block format can hold), via scratch. */
export function mxRoundArray(f: Format, mode: i32, srBits: i32, rng: Rng | null, src: usize, dst: usize, n: i32, scratch: usize): void {
  mxEncodeArray(f, mode, srBits, rng, src, scratch, n);
  mxDecodeArray(f, scratch, dst, n);
}
