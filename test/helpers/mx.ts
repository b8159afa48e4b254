// A reference for OCP Microscaling blocks (MX v1.0, section 6.3, and the OCP reference code
// microsoft/microxcaling, mx/mx_ops.py): 32 values share the scale 2^s with
// s = floor(log2 max|x|) - emax_elem, clamped to the E8M0 range [-127, 127] (an all-zero block takes
// log2 of the smallest f32 normal, -126, as the reference code does); a block holding NaN or inf gets the
// NaN scale 0xFF; each element is x rounded, with saturation, to the element format scaled by 2^s.
import type { RefSpec } from "./reference.js";
import { refFormat, type DeterministicMode } from "./reference.js";

export interface MxSpec {
  element: RefSpec;
  /** Exponent of the largest power of two the element holds (OCP MX 6.3: emax_elem). */
  emaxElem: number;
  /** Element bits (4-bit elements pack two to a byte, low nibble first). */
  bits: number;
}

const float = (e: number, m: number, specials: RefSpec["specials"]): RefSpec => ({ kind: "float", e, m, specials, subnormals: true, saturate: true });

export const MX_SPECS: Record<string, MxSpec> = {
  "mxfp8-e4m3": { element: float(4, 3, "fn"), emaxElem: 8, bits: 8 },
  "mxfp8-e5m2": { element: float(5, 2, "ieee"), emaxElem: 15, bits: 8 },
  "mxfp6-e3m2": { element: float(3, 2, "none"), emaxElem: 4, bits: 6 },
  "mxfp6-e2m3": { element: float(2, 3, "none"), emaxElem: 2, bits: 6 },
  mxfp4: { element: float(2, 1, "none"), emaxElem: 2, bits: 4 },
  // INT8 with an implicit 2^-6: two's complement k / 64; its largest power of two is 2^0.
  mxint8: { element: { kind: "fixed", e: 8, m: 6, specials: "none", subnormals: true, saturate: true }, emaxElem: 0, bits: 8 },
};

export const MX_BLOCK = 32;
export const MX_SCALE_NAN = 0xff;

/** floor(log2 |x|) of a finite nonzero f32 given by its magnitude bits. */
function floorLog2(magnitudeBits: number): number {
  const biased = magnitudeBits >>> 23;
  return biased > 0 ? biased - 127 : 31 - Math.clz32(magnitudeBits) - 149;
}

/** The block's scale exponent s, or null for the NaN scale. */
export function blockScaleExp(spec: MxSpec, block: Uint32Array): number | null {
  let amax = 0;
  for (const bits of block) {
    const a = (bits & 0x7fffffff) >>> 0;
    if (a >= 0x7f800000) return null;
    if (a > amax) amax = a;
  }
  const s = (amax === 0 ? -126 : floorLog2(amax)) - spec.emaxElem;
  return Math.min(127, Math.max(-127, s));
}

export interface MxExpected {
  /** Decoded values (f32 bits). */
  values: Uint32Array;
  /** Scale byte of each block. */
  scales: number[];
  /** Element codes (NaN blocks: none). */
  codes: (number | null)[];
}

/**
 * What an MX format makes of `inputs`: deterministic modes, or sr with `draw(i)` the draw of element i.
 */
export function mxExpected(spec: MxSpec, inputs: Uint32Array, mode: DeterministicMode | { r: number; draw: (i: number) => number }): MxExpected {
  const values = new Uint32Array(inputs.length);
  const scales: number[] = [];
  const codes: (number | null)[] = [];
  for (let start = 0; start < inputs.length; start += MX_BLOCK) {
    const block = inputs.subarray(start, start + MX_BLOCK);
    const s = blockScaleExp(spec, block);
    scales.push(s === null ? MX_SCALE_NAN : s + 127);
    const ref = s === null ? null : refFormat(spec.element, s);
    block.forEach((x, j) => {
      if (ref === null) {
        values[start + j] = 0x7fc00000;
        codes.push(null);
        return;
      }
      const v = typeof mode === "string" ? ref.round(x, mode) : ref.roundStochastic(x, mode.r, mode.draw(start + j));
      values[start + j] = v;
      // Two's complement has no -0: a negative value that rounds to zero is stored (and read back) as +0.
      codes.push(ref.encode(v) % 2 ** spec.bits);
      if (spec.element.kind === "fixed" && v === 0x80000000) values[start + j] = 0;
    });
  }
  return { values, scales, codes };
}

/** Bytes of an encoded run of n values: per block, the scale byte and the element codes. */
export function mxEncodedBytes(spec: MxSpec, n: number): number {
  return Math.ceil(n / MX_BLOCK) * (1 + (spec.bits <= 4 ? MX_BLOCK / 2 : MX_BLOCK));
}
