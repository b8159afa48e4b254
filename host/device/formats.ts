// The number-format core of the device module, seen from the host: facts and array operations.
import type { Device } from "./module.js";
import { parseFormat, type FormatOptions, type FormatSpec } from "../formats/parse.js";

export interface FormatFacts {
  id: string;
  kind: FormatSpec["kind"];
  e: number;
  m: number;
  bits: number;
  bias: number;
  emin: number;
  emax: number;
  max: number;
  minNormal: number;
  minSubnormal: number;
  /** Magnitude of the most negative value (fixed point reaches one ulp further than max). */
  negMax: number;
  hasInf: boolean;
  hasNaN: boolean;
  saturates: boolean;
  subnormals: boolean;
  /** Bytes per stored value (0 for block formats). */
  storageBytes: number;
  /** Bytes per 32-value block (block formats only). */
  blockBytes: number;
}

/** A format resolved by the host and built by the device module. */
export function deviceFormat(device: Device, spec: FormatSpec): number {
  const ptr = device.exports.fmt_new(spec.word) >>> 0;
  if (ptr === 0) throw new Error(`device rejected format ${spec.id} (word 0x${spec.word.toString(16)}, status ${device.exports.fmt_validate(spec.word)})`);
  return ptr;
}

export function formatFacts(device: Device, name: string, options: FormatOptions = {}): FormatFacts {
  const spec = parseFormat(name, options);
  const x = device.exports;
  const fmt = deviceFormat(device, spec);
  const fact = (i: number) => x.fmt_fact(fmt, i) as number;
  return {
    id: spec.id,
    kind: spec.kind,
    e: spec.e,
    m: spec.m,
    bits: fact(0),
    bias: fact(1),
    emin: fact(2),
    emax: fact(3),
    max: x.fmt_max(fmt),
    minNormal: x.fmt_min_normal(fmt),
    minSubnormal: x.fmt_min_subnormal(fmt),
    negMax: x.fmt_neg_max(fmt),
    hasInf: fact(6) === 1,
    hasNaN: fact(7) === 1,
    saturates: fact(8) === 1,
    subnormals: fact(9) === 1,
    storageBytes: fact(4),
    blockBytes: fact(5),
  };
}

export interface QuantizeResult {
  values: Float32Array;
  /** Element codes, one per value. */
  codes: Uint32Array;
  /** Block formats: the scale byte of each 32-value block. */
  scales?: Uint8Array;
}

/** Rounds values to a format in the device module and reads back their values and packed codes. */
export function quantizeValues(device: Device, spec: FormatSpec, mode: number, srBits: number, seed: number, input: ArrayLike<number>): QuantizeResult {
  const x = device.exports;
  const n = input.length;
  const fmt = deviceFormat(device, spec);
  const src = device.alloc(Math.max(4, n * 4));
  const dst = device.alloc(Math.max(4, n * 4));
  const encodedBytes = x.fmt_encoded_bytes(fmt, n) as number;
  const packed = device.alloc(Math.max(4, encodedBytes));
  device.f32(src, n).set(input);
  // Two streams from the same seed: rounding and encoding must take the same draws.
  const check = (status: number) => {
    if (status !== 0) throw new Error(`device returned status ${status}`);
  };
  check(x.encode_array(fmt, mode, srBits, x.rng_new(seed >>> 0, 0), src, packed, n));
  check(x.decode_array(fmt, packed, dst, n));
  const values = new Float32Array(device.f32(dst, n));
  const codes = new Uint32Array(n);
  if (spec.kind === "mxfloat" || spec.kind === "mxint") {
    const blockBytes = x.fmt_fact(fmt, 5) as number;
    const nibbles = spec.kind === "mxfloat" && 1 + spec.e + spec.m <= 4;
    const blocks = Math.ceil(n / 32);
    const bytes = device.u8(packed, encodedBytes);
    const scales = new Uint8Array(blocks);
    for (let b = 0; b < blocks; b++) {
      scales[b] = bytes[b * blockBytes];
      for (let i = 0; i < 32 && b * 32 + i < n; i++) {
        codes[b * 32 + i] = nibbles ? (bytes[b * blockBytes + 1 + (i >> 1)] >> ((i & 1) * 4)) & 0xf : bytes[b * blockBytes + 1 + i];
      }
    }
    return { values, codes, scales };
  }
  const width = x.fmt_fact(fmt, 4) as number;
  const view = width === 1 ? device.u8(packed, n) : width === 2 ? device.u16(packed, n) : device.u32(packed, n);
  codes.set(view);
  return { values, codes };
}
