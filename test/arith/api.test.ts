// The module's format entry points refuse bad input with a status instead of trapping, treat sr bit
// counts outside 1..32 as 32, round in place, and do nothing for empty runs.
import { describe, expect, it } from "vitest";
import { ArithDevice, MODES, modeCode, testFormat } from "../helpers/device.js";
import { formatWord, parseFormat } from "../../host/formats/parse.js";
import { LIMITS } from "../../host/generated/formats.js";
import { structuredBits, TestRandom } from "../helpers/bits.js";

const KIND_FLOAT_WORD = (e: number, m: number, specials: number) => (specials << 4) | (e << 8) | (m << 16);

describe("format words", () => {
  const device = ArithDevice.load();
  const x = device.x;

  it("out-of-range fields are refused: fmt_validate says why and fmt_new returns 0", () => {
    const bad: [string, number][] = [
      ["float e = 0", formatWord("float", 0, 3, "none", true, true)],
      [`float e = ${LIMITS.eMax + 1}`, formatWord("float", LIMITS.eMax + 1, 3, "ieee", true, false)],
      [`float m = ${LIMITS.mMax + 1}`, formatWord("float", 5, LIMITS.mMax + 1, "ieee", true, false)],
      ["ieee with e = 1 (no binade to reserve)", formatWord("float", 1, 2, "ieee", true, false)],
      ["ieee with m = 0 (no NaN mantissa)", formatWord("float", 5, 0, "ieee", true, false)],
      ["fn with m = 0", formatWord("float", 4, 0, "fn", true, false)],
      ["fn with e = 8", formatWord("float", 8, 3, "fn", true, false)],
      ["none with e = 8", formatWord("float", 8, 3, "none", true, true)],
      ["specials code 3", KIND_FLOAT_WORD(4, 3, 3)],
      ["kind 4", 4 | (4 << 8) | (3 << 16)],
      [`fixed WL = ${LIMITS.fixedWlMin - 1}`, formatWord("fixed", LIMITS.fixedWlMin - 1, 0, "none", true, true)],
      [`fixed WL = ${LIMITS.fixedWlMax + 1}`, formatWord("fixed", LIMITS.fixedWlMax + 1, 0, "none", true, true)],
      [`fixed FL = ${LIMITS.fixedFlMax + 1}`, formatWord("fixed", 8, LIMITS.fixedFlMax + 1, "none", true, true)],
    ];
    const failures: string[] = [];
    for (const [what, word] of bad) {
      if (x.fmt_validate(word) === 0) failures.push(`${what}: fmt_validate accepted it`);
      if (x.fmt_new(word) !== 0) failures.push(`${what}: fmt_new made a format`);
    }
    // The limits themselves are accepted.
    for (const word of [
      formatWord("float", LIMITS.eMin, LIMITS.mMin, "none", true, true),
      formatWord("float", LIMITS.eMax, LIMITS.mMax, "ieee", true, false),
      formatWord("fixed", LIMITS.fixedWlMin, LIMITS.fixedFlMin, "none", true, true),
      formatWord("fixed", LIMITS.fixedWlMax, LIMITS.fixedFlMax, "none", true, true),
    ]) {
      if (x.fmt_validate(word) !== 0 || x.fmt_new(word) === 0) failures.push(`word 0x${word.toString(16)} at the limits was refused`);
    }
    expect(failures).toEqual([]);
  });
});

describe("array entry points", () => {
  const device = ArithDevice.load();
  const x = device.x;
  const fmt = device.format(testFormat("e4m3").word);
  const src = device.buffer(20, 64);
  const dst = device.buffer(21, 64);
  const status = (name: string) => x[name].value as number;

  it("return a distinct negative status for each kind of bad argument", () => {
    const codes = ["STATUS_BAD_FORMAT", "STATUS_BAD_ROUNDING", "STATUS_BAD_RNG", "STATUS_BAD_LENGTH"].map(status);
    expect(new Set(codes).size).toBe(4);
    expect(codes.every((c) => c < 0)).toBe(true);
    const rng = device.rng(1);
    for (const entry of ["round_array", "encode_array"]) {
      expect(x[entry](0, 0, 0, 0, src, dst, 4), `${entry} format 0`).toBe(status("STATUS_BAD_FORMAT"));
      expect(x[entry](fmt, 7, 0, 0, src, dst, 4), `${entry} mode 7`).toBe(status("STATUS_BAD_ROUNDING"));
      expect(x[entry](fmt, -1, 0, 0, src, dst, 4), `${entry} mode -1`).toBe(status("STATUS_BAD_ROUNDING"));
      expect(x[entry](fmt, modeCode("sr"), 0, 0, src, dst, 4), `${entry} sr without a stream`).toBe(status("STATUS_BAD_RNG"));
      expect(x[entry](fmt, modeCode("rne"), 0, rng, src, dst, -1), `${entry} n = -1`).toBe(status("STATUS_BAD_LENGTH"));
    }
    expect(x.decode_array(0, src, dst, 4)).toBe(status("STATUS_BAD_FORMAT"));
    expect(x.decode_array(fmt, src, dst, -1)).toBe(status("STATUS_BAD_LENGTH"));
  });

  it("empty runs write nothing and draw nothing", () => {
    const rng = device.rng(1);
    new Uint32Array(x.memory.buffer, dst, 4).fill(0xdeadbeef);
    expect(x.round_array(fmt, modeCode("sr"), 0, rng, src, dst, 0)).toBe(0);
    expect(x.encode_array(fmt, modeCode("sr"), 0, rng, src, dst, 0)).toBe(0);
    expect(x.rng_counter(rng)).toBe(0);
    expect(Array.from(new Uint32Array(x.memory.buffer, dst, 4))).toEqual([0xdeadbeef, 0xdeadbeef, 0xdeadbeef, 0xdeadbeef]);
  });
});

describe("sr bit counts outside 1..32 mean 32", () => {
  const device = ArithDevice.load();
  it.each([0, -1, 33, 1000])("srBits %i", (srBits) => {
    const fmt = device.format(testFormat("bf16").word);
    const inputs = structuredBits(new TestRandom(3), 4096, -130, 20);
    const all = device.round(fmt, modeCode("sr"), inputs, { srBits: 32, rng: device.rng(5) });
    expect(device.round(fmt, modeCode("sr"), inputs, { srBits, rng: device.rng(5) })).toEqual(all);
  });
});

describe.each([false, true])("rounding in place (src = dst) equals rounding out of place (simd=%s)", (simd) => {
  const device = ArithDevice.load(simd);
  for (const name of ["e4m3", "fp16", "bf16", "e2m1", "fixed8.4", "mxfp8-e4m3", "mxfp4", "mxint8"]) {
    it(name, () => {
      const fmt = device.format(parseFormat(name).word);
      const inputs = structuredBits(new TestRandom(name.length), 1000, -20, 20);
      for (const mode of MODES) {
        const expected = device.round(fmt, modeCode(mode), inputs, { rng: device.rng(8) });
        const ptr = device.buffer(30, inputs.length * 4);
        new Uint32Array(device.x.memory.buffer, ptr, inputs.length).set(inputs);
        expect(device.x.round_array(fmt, modeCode(mode), 0, device.rng(8), ptr, ptr, inputs.length)).toBe(0);
        expect(new Uint32Array(device.x.memory.buffer, ptr, inputs.length).slice(), `${name} ${mode}`).toEqual(expected);
      }
    });
  }
});
