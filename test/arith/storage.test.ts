// Storage: packed codes take the bytes the format promises (e4m3 one per value, fp16/bf16 two), the
// codes are the reference's, and decoding what was encoded gives round_array's bits for every format
// and mode.
import { describe, expect, it } from "vitest";
import { ArithDevice, MODES, modeCode, testFormat, type TestFormat } from "../helpers/device.js";
import { itEachFormat, sweepFormats } from "../helpers/formats.js";
import { hex, isNaNBits, Mismatches, showF32, structuredBits, TestRandom } from "../helpers/bits.js";
import { DETERMINISTIC_MODES } from "../helpers/reference.js";
import { inputsFor } from "../helpers/inputs.js";

/** Little-endian codes of `width` bytes each. */
function readCodes(bytes: Uint8Array, width: number): number[] {
  const codes: number[] = [];
  for (let i = 0; i < bytes.length; i += width) {
    let code = 0;
    for (let b = width - 1; b >= 0; b--) code = code * 256 + bytes[i + b];
    codes.push(code);
  }
  return codes;
}

describe("encode_array writes exactly the format's bytes per value", () => {
  const device = ArithDevice.load();
  const cases: [string, number][] = [["e4m3", 1], ["e5m2", 1], ["e2m1", 1], ["e3m2", 1], ["fixed8.4", 1], ["fp16", 2], ["bf16", 2], ["fixed16.8", 2], ["tf32", 4], ["fp32", 4]];
  it.each(cases)("%s: %i byte(s) per value, nothing past the end", (name, width) => {
    const fmt = device.format(testFormat(name).word);
    const n = 1001;
    expect(device.x.fmt_fact(fmt, 4)).toBe(width);
    expect(device.encodedBytes(fmt, n)).toBe(n * width);
    const src = device.buffer(10, n * 4);
    const dst = device.buffer(11, n * width + 64);
    const memory = () => device.x.memory.buffer as ArrayBuffer;
    new Float32Array(memory(), src, n).set(Array.from({ length: n }, (_, i) => (i - 500) / 7));
    new Uint8Array(memory(), dst, n * width + 64).fill(0xa5);
    expect(device.x.encode_array(fmt, modeCode("rne"), 0, 0, src, dst, n)).toBe(0);
    const after = new Uint8Array(memory(), dst + n * width, 64);
    expect(after.every((b) => b === 0xa5)).toBe(true);
  });
});

describe("stored codes are the reference's codes of the rounded values", () => {
  const device = ArithDevice.load();
  itEachFormat(device, (format, fmt, ref, index) => {
    const width = device.x.fmt_fact(fmt, 4);
    const inputs = inputsFor(ref, 3000, 7000 + index);
    const failures = new Mismatches(format.label);
    for (const mode of DETERMINISTIC_MODES) {
      const codes = readCodes(device.encode(fmt, modeCode(mode), inputs), width);
      for (let i = 0; i < inputs.length; i++) {
        const rounded = ref.round(inputs[i], mode);
        const negative = rounded >>> 31 === 1;
        let want: number;
        if (isNaNBits(rounded)) {
          // NaN is stored as the canonical NaN; a format without NaN stores ±max (fixed point: 0).
          if (format.spec.kind === "fixed") want = 0;
          else if (format.spec.specials === "none") want = ref.encode((ref.maxBits | (negative ? 0x80000000 : 0)) >>> 0);
          else want = ref.canonicalNaNCode(negative);
        } else if ((rounded & 0x7fffffff) === 0x7f800000) {
          want = ref.canonicalNaNCode(negative) - 2 ** (format.spec.m - 1); // S.1..1.0..0
        } else want = ref.encode(rounded);
        if (codes[i] !== want) {
          failures.addText(`${format.label} ${mode}: input ${showF32(inputs[i])} rounds to ${showF32(rounded)}; code ${hex(codes[i], 2 * width)}, expected ${hex(want, 2 * width)}`);
        }
      }
    }
    failures.assertNone();
  });
});

describe("decode_array(encode_array(x)) equals round_array(x), bit for bit", () => {
  const device = ArithDevice.load();
  const formats: TestFormat[] = [...sweepFormats(), testFormat("fp32"), testFormat("tf32"), testFormat("tf32", { subnormals: false, saturate: true })];
  formats.forEach((format, index) => {
    it(format.label, () => {
      const fmt = device.format(format.word);
      const random = new TestRandom(8000 + index);
      const inputs = structuredBits(random, 5000, -150, 128);
      const failures = new Mismatches(format.label);
      const noNaN = format.spec.kind === "fixed" || format.spec.specials === "none";
      for (const mode of MODES) {
        for (const r of mode === "sr" ? [32, 2] : [0]) {
          const rounded = device.round(fmt, modeCode(mode), inputs, { srBits: r, rng: device.rng(99, r) });
          const decoded = device.decode(fmt, device.encode(fmt, modeCode(mode), inputs, { srBits: r, rng: device.rng(99, r) }), inputs.length);
          for (let i = 0; i < inputs.length; i++) {
            const got = decoded[i];
            const want = rounded[i];
            // What a format cannot hold: NaN without a NaN code is stored as ±max (fixed point as 0), and
            // two's complement has no -0.
            if (noNaN && isNaNBits(want)) continue;
            if (format.spec.kind === "fixed" && want === 0x80000000 && got === 0) continue;
            if (got !== want) failures.add(`${format.label} ${mode}${mode === "sr" ? ` r=${r}` : ""}`, inputs[i], got, want);
          }
        }
      }
      failures.assertNone();
    });
  });
});
