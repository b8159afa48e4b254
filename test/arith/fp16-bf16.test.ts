// fp16 and bf16 with rne against independent implementations on 10^6 random f32 inputs each, through
// round_array and encode_array of both modules: fp16 against @petamoriken/float16, bf16 against the
// integer formula on the f32 bits.
import { describe, expect, it } from "vitest";
import { f16round, Float16Array } from "@petamoriken/float16";
import { ArithDevice, modeCode, testFormat } from "../helpers/device.js";
import { f32Bits, Mismatches, TestRandom } from "../helpers/bits.js";

const N = 1_000_000;
const RNE = modeCode("rne");

/** f32 bits around fp16's range: subnormals, exact ties (13 low bits 0x1000), overflow, and any pattern. */
function fp16Inputs(seed: number): Uint32Array {
  const random = new TestRandom(seed);
  const out = new Uint32Array(N);
  for (let i = 0; i < N; i++) {
    const sign = (random.u32() & 1) << 31;
    const kind = i % 8;
    let u: number;
    if (kind === 0) u = random.u32();
    else if (kind <= 2) {
      // Exponents from below the smallest fp16 subnormal (2^-24) to past the largest (65504).
      u = (random.int(127 - 27, 127 + 17) << 23) | (random.u32() & 0x7fffff);
    } else if (kind === 3) {
      // Exact ties of the fp16 normal grid (10 mantissa bits kept, the 11th set, the rest clear).
      u = (random.int(127 - 14, 127 + 15) << 23) | (random.u32() & 0x7fe000) | 0x1000;
    } else if (kind === 4) {
      // Exact ties of the subnormal grid: half-integers times 2^-24.
      u = f32Bits((random.int(0, 1023) + 0.5) * 2 ** -24);
    } else if (kind === 5) {
      // Around the overflow threshold 65520 = 65504 + ulp/2.
      u = (f32Bits(65520) + random.int(-4096, 4096)) >>> 0;
    } else if (kind === 6) {
      // Near-ties: one f32 step either side of a tie.
      u = ((random.int(127 - 14, 127 + 15) << 23) | (random.u32() & 0x7fe000) | 0x1000) + (random.u32() & 1 ? 1 : -1);
    } else u = random.int(0, 0x807fffff) & 0x7fffffff; // f32 subnormals and small normals
    out[i] = (u | sign) >>> 0;
  }
  return out;
}

/** The fp16 spacing at a positive finite magnitude below 65504. */
const fp16Ulp = (a: number): number => 2 ** (Math.max(Math.floor(Math.log2(a)), -14) - 10);

/** bf16 rne as an integer formula on the f32 bits; NaN stays NaN (quieted), sign kept. */
function bf16Formula(u: number): number {
  if ((u & 0x7fffffff) >>> 0 > 0x7f800000) return ((u & 0x80000000) | 0x7fc00000) >>> 0;
  return (((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) << 16) >>> 0;
}

describe.each([false, true])("fp16 and bf16 rne (simd=%s)", (simd) => {
  const device = ArithDevice.load(simd);

  it("fp16 equals @petamoriken/float16 on 10^6 inputs", () => {
    const fmt = device.format(testFormat("fp16").word);
    const inputs = fp16Inputs(16);
    const inputValues = new Float32Array(inputs.buffer);
    const got = device.round(fmt, RNE, inputs);
    const codes = new Uint16Array(device.encode(fmt, RNE, inputs).buffer);
    const library = new Uint16Array(new Float16Array(inputValues).buffer);
    const failures = new Mismatches(`fp16 rne simd=${simd}`);
    let ties = 0;
    let overflows = 0;
    let subnormals = 0;
    for (let i = 0; i < N; i++) {
      const x = inputValues[i];
      const want = Number.isNaN(x) ? ((inputs[i] & 0x80000000) | 0x7fc00000) >>> 0 : f32Bits(f16round(x));
      failures.check("fp16 rne round_array", inputs[i], got[i], want);
      // The stored code is the library's Float16Array bits (any NaN code of the right sign will do).
      const nan = Number.isNaN(x) && (codes[i] & 0x7c00) === 0x7c00 && (codes[i] & 0x3ff) !== 0 && codes[i] >> 15 === inputs[i] >>> 31;
      if (codes[i] !== library[i] && !nan) failures.addText(`fp16 encode ${x}: code 0x${codes[i].toString(16)}, library 0x${library[i].toString(16)}`);
      const a = Math.abs(x);
      if (a >= 65520 && a < 65536) overflows++;
      if (a > 0 && a < 2 ** -14) subnormals++;
      if (a > 0 && a < 65504 && Math.abs(f16round(a) - a) === fp16Ulp(a) / 2) ties++;
    }
    failures.assertNone();
    // The inputs cover what the claim is about.
    expect(overflows).toBeGreaterThan(1000);
    expect(subnormals).toBeGreaterThan(100_000);
    expect(ties).toBeGreaterThan(100_000);
  });

  it("bf16 equals the integer formula on the f32 bits for 10^6 inputs", () => {
    const fmt = device.format(testFormat("bf16").word);
    const random = new TestRandom(17);
    const inputs = new Uint32Array(N);
    for (let i = 0; i < N; i++) {
      const u = random.u32();
      // Every fourth input is an exact tie (low 16 bits 0x8000); the rest any bit pattern.
      inputs[i] = i % 4 === 0 ? ((u & 0xffff0000) | 0x8000) >>> 0 : u;
    }
    inputs.set([0x7f7fffff, 0xff7fffff, 0x7f7f8000, 0x7f7f7fff, 0x00008000, 0x00018000, 0x7f800000, 0xff800001, 0x80000000], 0);
    const got = device.round(fmt, RNE, inputs);
    const codes = new Uint16Array(device.encode(fmt, RNE, inputs).buffer);
    const failures = new Mismatches(`bf16 rne simd=${simd}`);
    for (let i = 0; i < N; i++) {
      const want = bf16Formula(inputs[i]);
      failures.check("bf16 rne round_array", inputs[i], got[i], want);
      const nan = (want & 0x7fffffff) >>> 0 > 0x7f800000;
      if (!nan && codes[i] !== want >>> 16) failures.add("bf16 encode (code << 16)", inputs[i], codes[i] << 16, want);
      if (nan && !((codes[i] & 0x7f80) === 0x7f80 && (codes[i] & 0x7f) !== 0 && codes[i] >> 15 === inputs[i] >>> 31)) {
        failures.addText(`bf16 encode of NaN ${inputs[i].toString(16)}: code 0x${codes[i].toString(16)} is not a NaN of that sign`);
      }
    }
    failures.assertNone();
  });
});
