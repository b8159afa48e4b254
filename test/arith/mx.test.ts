// OCP Microscaling blocks: hand-worked blocks (scale choice, saturation of the largest element, an
// all-zero block, NaN, a partial last block, nibble packing), encoded sizes, and random blocks against
// the block reference (test/helpers/mx.ts) for every mode.
import { describe, expect, it } from "vitest";
import { ArithDevice, MODES, modeCode } from "../helpers/device.js";
import { BLOCK_NAMES } from "../helpers/formats.js";
import { parseFormat } from "../../host/formats/parse.js";
import { bitsF32, f32Bits, hex, Mismatches, structuredBits, TestRandom } from "../helpers/bits.js";
import { mxEncodedBytes, mxExpected, MX_SPECS } from "../helpers/mx.js";
import { DETERMINISTIC_MODES } from "../helpers/reference.js";
import { drawAt, streamKey } from "../helpers/stream.js";

const RNE = modeCode("rne");
const block = (values: number[], n = 32) => Uint32Array.from({ length: n }, (_, i) => f32Bits(values[i] ?? 0));
const asFloats = (bits: Uint32Array) => Array.from(new Float32Array(bits.buffer, bits.byteOffset, bits.length));

describe("MX hand-worked blocks (rne)", () => {
  const device = ArithDevice.load();
  const fmtOf = (name: string) => device.format(parseFormat(name).word);

  it("mxfp8-e4m3: scale from the largest magnitude, elements in E4M3, the largest saturating to 448", () => {
    const fmt = fmtOf("mxfp8-e4m3");
    // amax 1.96: floor(log2) = 0, emax_elem 8, so s = -8 (scale byte 119) and elements are x * 256.
    const inputs = block([1.96, 1.0, 0.5, -0.25, 0.001, 0, -0, 2 ** -20, 3 * 2 ** -18, 1.0625, 1.8125, -1.875]);
    const bytes = device.encode(fmt, RNE, inputs);
    expect(bytes.length).toBe(33);
    expect(bytes[0]).toBe(119);
    const codes = [
      0x7e, // 501.76 saturates to 448 = S.1111.110
      0x78, // 256 = 2^8: exponent 15
      0x70, // 128
      0xe8, // -64: sign, exponent 13
      0x28, // 0.256 -> 0.25 = 2^-2: exponent 5
      0x00,
      0x80, // -0 keeps its sign
      0x00, // 2^-12 is below half the smallest subnormal 2^-9
      0x02, // 1.5 * 2^-9: tie between subnormal codes 1 and 2, to the even one
      0x78, // 272 -> 256 (1.0625 -> 1.0 at this scale)
      0x7e, // 464: the tie at 448 + ulp/2 stays at 448 (and saturation would cap it anyway)
      0xfe, // -480 saturates to -448
    ];
    expect(Array.from(bytes.subarray(1, 1 + codes.length)).map((c) => hex(c, 2))).toEqual(codes.map((c) => hex(c, 2)));
    expect(Array.from(bytes.subarray(1 + codes.length)).every((c) => c === 0)).toBe(true);
    const decoded = asFloats(device.decode(fmt, bytes, 32));
    expect(decoded.slice(0, 12)).toEqual([1.75, 1, 0.5, -0.25, 2 ** -10, 0, -0, 0, 2 ** -16, 1, 1.75, -1.75]);
  });

  it("mxfp4: scale, rounding to E2M1, saturation and nibble packing (low nibble first)", () => {
    const fmt = fmtOf("mxfp4");
    // amax 3: floor(log2) = 1, emax_elem 2, so s = -1 (scale byte 126) and elements are 2x.
    const inputs = block([3, 1, 0.3, -0.7, 0.125, -2.5, 1.25, 2.9]);
    const bytes = device.encode(fmt, RNE, inputs);
    expect(bytes.length).toBe(17);
    expect(bytes[0]).toBe(126);
    // Element codes: 6 -> 7, 2 -> 4, 0.6 -> 0.5 = 1, -1.4 -> -1.5 = 0xb, 0.25 (tie) -> 0, -5 (tie) -> -4 = 0xe,
    // 2.5 (tie) -> 2 = 4, 5.8 -> 6 = 7.
    expect(Array.from(bytes.subarray(1, 5)).map((c) => hex(c, 2))).toEqual(["0x47", "0xb1", "0xe0", "0x74"]);
    expect(asFloats(device.decode(fmt, bytes, 8))).toEqual([3, 1, 0.25, -0.75, 0, -2, 1, 3]);

    // amax 7.9: s = 0; 7.9 and -7.9 saturate to ±6; 0.75 is the tie 0.5 / 1 and goes to the even code 2.
    const saturating = device.encode(fmt, RNE, block([7.9, -7.9, 0.75]));
    expect(saturating[0]).toBe(127);
    expect(Array.from(saturating.subarray(1, 3)).map((c) => hex(c, 2))).toEqual(["0xf7", "0x02"]);
    expect(asFloats(device.decode(fmt, saturating, 3))).toEqual([6, -6, 1]);
  });

  it("mxint8: scale with emax_elem 0, elements k / 64, the largest saturating to 127", () => {
    const fmt = fmtOf("mxint8");
    // amax 4: s = 2 (scale byte 129); elements x / 4 in units of 1/64.
    const inputs = block([3, 1, -1, 3.99, -4, 0.01, 2 ** -7]);
    const bytes = device.encode(fmt, RNE, inputs);
    expect(bytes[0]).toBe(129);
    expect(Array.from(bytes.subarray(1, 8)).map((c) => hex(c, 2))).toEqual(["0x30", "0x10", "0xf0", "0x40", "0xc0", "0x00", "0x00"]);
    expect(asFloats(device.decode(fmt, bytes, 7))).toEqual([3, 1, -1, 4, -4, 0, 0]);
    // amax 3.99: s = 1; 3.99 / 2 * 64 = 127.68 rounds to 128, past 127: saturates to 127 (3.96875).
    const saturating = device.encode(fmt, RNE, block([3.99, 1.5]));
    expect(saturating[0]).toBe(128);
    expect(Array.from(saturating.subarray(1, 3)).map((c) => hex(c, 2))).toEqual(["0x7f", "0x30"]);
    expect(asFloats(device.decode(fmt, saturating, 2))).toEqual([3.96875, 1.5]);
  });

  it("an all-zero block takes the OCP reference code's scale and decodes to zeros of the same sign", () => {
    // log2 of the smallest f32 normal (-126) minus emax_elem, clamped at -127: byte 0, or 1 for mxint8.
    for (const [name, scale] of [["mxfp8-e4m3", 0], ["mxfp8-e5m2", 0], ["mxfp6-e3m2", 0], ["mxfp4", 0], ["mxint8", 1]] as const) {
      const fmt = fmtOf(name);
      const inputs = block([0, -0, 0, -0]);
      const bytes = device.encode(fmt, RNE, inputs);
      expect(bytes[0], name).toBe(scale);
      const decoded = asFloats(device.decode(fmt, bytes, 32));
      expect(decoded.every((v) => v === 0), name).toBe(true);
      if (name !== "mxint8") expect(Object.is(decoded[1], -0), name).toBe(true);
    }
  });

  it("a block holding NaN or inf gets the NaN scale 0xFF and decodes to NaN; its neighbours are unaffected", () => {
    for (const name of BLOCK_NAMES) {
      const fmt = fmtOf(name);
      for (const special of [NaN, Infinity, -Infinity]) {
        const inputs = block([...Array(32).fill(1), 1, 2, special, 4], 64);
        const bytes = device.encode(fmt, RNE, inputs);
        const blockBytes = bytes.length / 2;
        expect(bytes[0], name).not.toBe(0xff);
        expect(bytes[blockBytes], `${name} ${special}`).toBe(0xff);
        const decoded = asFloats(device.decode(fmt, bytes, 64));
        expect(decoded.slice(0, 32).every((v) => v === 1), name).toBe(true);
        expect(decoded.slice(32).every((v) => Number.isNaN(v)), `${name} ${special}`).toBe(true);
        const rounded = asFloats(device.round(fmt, RNE, inputs));
        expect(rounded.slice(32).every((v) => Number.isNaN(v)), `${name} ${special} round_array`).toBe(true);
      }
    }
  });

  it("a partial last block uses only its own values and writes nothing past its end", () => {
    for (const name of BLOCK_NAMES) {
      const fmt = fmtOf(name);
      const spec = MX_SPECS[name];
      // 40 values: the second block holds 8, all small, so its scale is its own.
      const inputs = Uint32Array.from({ length: 40 }, (_, i) => f32Bits(i < 32 ? 100 : 0.01 * (i - 31)));
      const bytes = device.encode(fmt, RNE, inputs);
      expect(bytes.length, name).toBe(mxEncodedBytes(spec, 40));
      const blockBytes = bytes.length / 2;
      // amax 0.08 in the second block: floor(log2) = -4.
      expect(bytes[blockBytes], name).toBe(-4 - spec.emaxElem + 127);
      const used = spec.bits <= 4 ? 4 : 8;
      expect(Array.from(bytes.subarray(blockBytes + 1 + used)).every((c) => c === 0), name).toBe(true);
      // Decoding 40 values leaves the next f32 alone.
      const dst = device.buffer(5, 41 * 4);
      const src = device.buffer(6, bytes.length);
      new Uint8Array(device.x.memory.buffer, src, bytes.length).set(bytes);
      new Float32Array(device.x.memory.buffer, dst, 41)[40] = 12345;
      expect(device.x.decode_array(fmt, src, dst, 40)).toBe(0);
      expect(new Float32Array(device.x.memory.buffer, dst, 41)[40]).toBe(12345);
      const want = mxExpected(spec, inputs, "rne");
      const decoded = new Uint32Array(device.x.memory.buffer, dst, 40).slice();
      const failures = new Mismatches(`${name} partial block`);
      for (let i = 0; i < 40; i++) failures.check(`${name} rne element ${i}`, inputs[i], decoded[i], want.values[i]);
      failures.assertNone();
    }
  });
});

describe("encoded sizes", () => {
  const device = ArithDevice.load();
  const cases: [string, number, number][] = [
    ["e4m3", 100, 100], ["e5m2", 7, 7], ["e2m1", 10, 10], ["e3m2", 3, 3], ["fixed8.4", 5, 5],
    ["fp16", 100, 200], ["bf16", 3, 6], ["e5m10", 1, 2], ["fixed16.8", 4, 8], ["e3m4", 9, 9],
    ["fp32", 3, 12], ["tf32", 3, 12], ["fixed24.8", 2, 8],
    ["mxfp8-e4m3", 32, 33], ["mxfp8-e4m3", 40, 66], ["mxfp8-e5m2", 1, 33], ["mxfp6-e3m2", 64, 66], ["mxfp6-e2m3", 33, 66],
    ["mxfp4", 32, 17], ["mxfp4", 33, 34], ["mxint8", 96, 99], ["mxint8", 0, 0],
  ];
  it.each(cases)("%s: %i values take %i bytes", (name, n, bytes) => {
    const fmt = device.format(parseFormat(name).word);
    expect(device.encodedBytes(fmt, n)).toBe(bytes);
  });
});

describe("random blocks against the block reference", () => {
  const device = ArithDevice.load();
  BLOCK_NAMES.forEach((name, index) => {
    it(`${name}: round_array, encode_array and decode_array, every mode`, () => {
      const spec = MX_SPECS[name];
      const fmt = device.format(parseFormat(name).word);
      const random = new TestRandom(600 + index);
      // 64 blocks; each block's values spread over a few binades around its own magnitude, so scales vary.
      const n = 64 * 32 + 17;
      const inputs = new Uint32Array(n);
      for (let start = 0; start < n; start += 32) {
        const centre = random.int(-140, 120);
        const spread = random.int(0, 12);
        inputs.set(structuredBits(random, Math.min(32, n - start), centre - spread, centre), start);
      }
      const failures = new Mismatches(name);
      for (const mode of MODES) {
        for (const r of mode === "sr" ? [32, 4] : [0]) {
          const seed = 31 + r;
          const key = streamKey(seed, 0);
          const want = mxExpected(spec, inputs, mode === "sr" ? { r, draw: (i) => drawAt(key, i) } : mode);
          const rounded = device.round(fmt, modeCode(mode), inputs, { srBits: r, rng: mode === "sr" ? device.rng(seed) : 0 });
          const bytes = device.encode(fmt, modeCode(mode), inputs, { srBits: r, rng: mode === "sr" ? device.rng(seed) : 0 });
          const decoded = device.decode(fmt, bytes, n);
          const blockBytes = 1 + (spec.bits <= 4 ? 16 : 32);
          for (let i = 0; i < n; i++) {
            const label = `${name} ${mode}${mode === "sr" ? ` r=${r}` : ""} element ${i}`;
            failures.check(`${label} round_array`, inputs[i], rounded[i], want.values[i]);
            failures.check(`${label} decode(encode)`, inputs[i], decoded[i], want.values[i]);
            const b = Math.floor(i / 32);
            const j = i % 32;
            const code = want.codes[i];
            if (i % 32 === 0 && bytes[b * blockBytes] !== want.scales[b]) {
              failures.addText(`${label}: scale byte ${hex(bytes[b * blockBytes], 2)}, expected ${hex(want.scales[b], 2)}`);
            }
            if (code === null) continue;
            const stored = spec.bits <= 4 ? (bytes[b * blockBytes + 1 + (j >> 1)] >> ((j & 1) * 4)) & 0xf : bytes[b * blockBytes + 1 + j];
            if (stored !== code) failures.addText(`${label}: input ${bitsF32(inputs[i])} stored code ${hex(stored, 2)}, expected ${hex(code, 2)}`);
          }
        }
      }
      failures.assertNone();
    });
  });

  it("deterministic modes are the reference's for blocks of one repeated value (no other value sets the scale)", () => {
    const failures = new Mismatches("single-value blocks");
    const random = new TestRandom(77);
    for (const name of BLOCK_NAMES) {
      const fmt = device.format(parseFormat(name).word);
      for (let k = 0; k < 200; k++) {
        const x = structuredBits(random, 1, -130, 120)[0];
        const inputs = new Uint32Array(32).fill(x);
        inputs[1] = f32Bits(bitsF32(x) / 3); // a second value below the first
        for (const mode of DETERMINISTIC_MODES) {
          const want = mxExpected(MX_SPECS[name], inputs, mode);
          const got = device.round(fmt, modeCode(mode), inputs);
          failures.check(`${name} ${mode}`, inputs[1], got[1], want.values[1]);
          failures.check(`${name} ${mode}`, inputs[0], got[0], want.values[0]);
        }
      }
    }
    failures.assertNone();
  });
});
