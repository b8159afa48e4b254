// The accelerator model's rounding (board/accel/rounding.ts) against three independent references: the
// OCP/IEEE worked vectors (OCP OFP8 v1.0, IEEE 754), the exact BigInt rule of test/accel/reference.ts, and the CPU
// path's round_one in the compiled device module.
import { describe, expect, it } from "vitest";
import { floatFormat, roundExact, roundF32, f32BitsOf, floatWordProblem } from "../../board/accel/rounding";
import { drawAt, streamKey } from "../../board/accel/prng";
import { loadDevice } from "../../host/device/module";
import { parseFormat } from "../../host/formats/parse";
import { add, exactOfF32, mul, refDraw, roundRef, RefFormat, RNE, SR } from "./reference";
import { hex, showF32, isNaNBits } from "../helpers/bits";

const MODES = ["rne", "rna", "rz", "ru", "rd", "ro", "sr"];
const FORMATS = ["e4m3", "e5m2", "fp16", "bf16", "fp32", "tf32", "e3m2", "e2m3", "e2m1", "e5m0", "e1m2", "e4m1"];

function refFormat(name: string, options: { saturate?: boolean; subnormals?: boolean } = {}): RefFormat {
  const f = parseFormat(name, options);
  return { e: f.e, m: f.m, specials: f.specials, subnormals: f.subnormals, saturate: f.saturate };
}

/** Same bits, or both NaN (a NaN's sign is not part of the contract: see docs/accelerator.md). */
const same = (a: number, b: number) => (isNaNBits(a) && isNaNBits(b)) || a >>> 0 === b >>> 0;

function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s;
  };
}

describe("worked vectors (OCP OFP8 and IEEE 754)", () => {
  const cases: Array<[string, number, number]> = [
    ["e4m3", 1.0625, 1.0], ["e4m3", 1.1875, 1.25], ["e4m3", 3.14159265, 3.25], ["e4m3", 464, 448], ["e4m3", 465, NaN],
    ["e5m2", 61439, 57344], ["e5m2", 61440, Infinity], ["e2m1", 5, 4], ["e2m1", 2.5, 2], ["e2m1", 0.75, 1], ["e2m1", 0.25, 0],
    ["fp16", 1 + 2 ** -11, 1.0], ["fp16", 65520, Infinity],
  ];
  it.each(cases)("%s rne %d -> %d", (name, x, want) => {
    const got = roundF32(f32BitsOf(x), floatFormat(parseFormat(name).word), RNE, 32, 0);
    expect(same(got, f32BitsOf(want)), `${showF32(got)} vs ${showF32(f32BitsOf(want))}`).toBe(true);
  });
});

describe("format words", () => {
  it("refuses words that are not float formats, naming the problem", () => {
    expect(floatWordProblem(parseFormat("fixed8.4").word)).toMatch(/kind 1/);
    expect(floatWordProblem(parseFormat("mxfp8").word)).toMatch(/kind 2/);
    expect(() => floatFormat(0x00170809)).toThrow(/expected a float format word, received kind 9/);
    expect(floatWordProblem(parseFormat("e4m3").word)).toBeNull();
  });
});

describe("the SR stream", () => {
  it("fmix32 draws equal a BigInt rewrite of docs/formats.md and the device module's rng_draw", () => {
    const device = loadDevice();
    for (const [seed, stream] of [[0, 0], [42, 7], [0xdeadbeef, 123456]]) {
      const key = streamKey(seed, stream);
      const rng = device.exports.rng_new(seed, stream);
      for (const n of [0, 1, 2, 1000, 0x7fffffff, 0xffffffff]) {
        expect(drawAt(key, n)).toBe(refDraw(key, n));
        expect(drawAt(key, n)).toBe(device.exports.rng_draw(rng, n) >>> 0);
      }
    }
  });
});

describe("single values: model == device module round_one", () => {
  const device = loadDevice();
  const x = device.exports;
  const random = xorshift(99);
  const inputs: number[] = [0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 1, 0x807fffff, 0x00800000];
  for (let i = 0; i < 3000; i++) {
    const r = random();
    // Mostly values near the formats' ranges, some arbitrary bit patterns (f32 subnormals, NaN, inf).
    inputs.push(i % 5 === 0 ? r : f32BitsOf(Math.fround(((r >>> 8) / 2 ** 24 - 0.5) * 2 ** ((r & 63) - 30))));
  }
  for (const name of FORMATS) {
    for (const [saturate, subnormals] of [[false, true], [true, false]]) {
      it(`${name} saturate=${saturate} subnormals=${subnormals}`, () => {
        const spec = parseFormat(name, { saturate, subnormals });
        const f = floatFormat(spec.word);
        const fmt = x.fmt_new(spec.word);
        const bad: string[] = [];
        for (let mode = 0; mode < MODES.length; mode++) {
          for (const srBits of mode === SR ? [32, 1, 5, 13] : [32]) {
            for (let i = 0; i < inputs.length; i++) {
              const draw = mode === SR ? refDraw(0x1234 + srBits, i) : 0;
              const got = roundF32(inputs[i], f, mode, srBits, draw);
              const want = f32BitsOf(x.round_one(fmt, mode, srBits, draw, new Float32Array(new Uint32Array([inputs[i]]).buffer)[0]));
              if (!same(got, want) && bad.length < 5) bad.push(`${MODES[mode]} r=${srBits} x=${showF32(inputs[i])}: model ${showF32(got)}, device ${showF32(want)}`);
            }
          }
        }
        expect(bad, bad.join("\n")).toEqual([]);
      });
    }
  }
});

describe("exact sums and products: model == BigInt reference", () => {
  const random = xorshift(7);
  const f32 = () => {
    const r = random();
    return Math.fround(((r >>> 8) / 2 ** 24 + 0.5) * (r & 1 ? -1 : 1) * 2 ** (((r >>> 1) & 31) - 16));
  };
  /** Pairs whose sums land on ties, binade edges and carry the TwoSum term: a value plus a tiny one. */
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < 4000; i++) {
    const a = f32();
    const kind = i % 4;
    const tiny = Math.fround(a * 2 ** -(30 + (random() % 40))) * (random() & 1 ? -1 : 1);
    if (kind === 0) pairs.push([a, f32()]);
    else if (kind === 1) pairs.push([a, tiny]);
    else if (kind === 2) pairs.push([2 ** ((random() % 20) - 10) * (random() & 1 ? -1 : 1), tiny]);
    else pairs.push([Math.fround(1 + 2 ** -11 + 2 ** -12) * 2 ** ((random() % 8) - 4), tiny]);
  }
  for (const name of ["e4m3", "e5m2", "fp16", "bf16", "fp32", "e2m1"]) {
    it(`${name}: sums a + b and products a * b, every mode`, () => {
      const spec = parseFormat(name);
      const f = floatFormat(spec.word);
      const rf = refFormat(name);
      const bad: string[] = [];
      for (let mode = 0; mode < MODES.length; mode++) {
        for (const srBits of mode === SR ? [32, 3] : [32]) {
          pairs.forEach(([a, b], i) => {
            const draw = refDraw(77, i);
            const s = a + b;
            const lo = Number.isFinite(s) ? (a - (s - (s - a))) + (b - (s - a)) : 0;
            const gotSum = roundExact(s, lo, f, mode, srBits, draw);
            const wantSum = roundRef(add(exactOfF32(f32BitsOf(a)), exactOfF32(f32BitsOf(b))), rf, mode, srBits, draw);
            if (!same(gotSum, wantSum) && bad.length < 5) bad.push(`${MODES[mode]} r=${srBits} ${a} + ${b}: model ${showF32(gotSum)}, reference ${showF32(wantSum)}`);
            const gotProduct = roundExact(a * b, 0, f, mode, srBits, draw);
            const wantProduct = roundRef(mul(exactOfF32(f32BitsOf(a)), exactOfF32(f32BitsOf(b))), rf, mode, srBits, draw);
            if (!same(gotProduct, wantProduct) && bad.length < 5) bad.push(`${MODES[mode]} r=${srBits} ${a} * ${b}: model ${showF32(gotProduct)}, reference ${showF32(wantProduct)}`);
          });
        }
      }
      expect(bad, bad.join("\n")).toEqual([]);
    });
  }

  it("a sum a hair below a power of two rounds toward zero below it (no double rounding)", () => {
    // 1 - 2^-60 is 1.0 in f64; rounded toward zero to fp16 it must be 1 - 2^-11, not 1.
    const f = floatFormat(parseFormat("fp16").word);
    expect(hex(roundExact(1, -(2 ** -60), f, 2, 32, 0))).toBe(hex(f32BitsOf(1 - 2 ** -11)));
    expect(hex(roundExact(1, -(2 ** -60), f, RNE, 32, 0))).toBe(hex(f32BitsOf(1)));
    // A tie broken by the TwoSum term: 1 + 2^-11 + tiny goes up under rne.
    expect(hex(roundExact(1 + 2 ** -11, 2 ** -70, f, RNE, 32, 0))).toBe(hex(f32BitsOf(1 + 2 ** -10)));
    expect(hex(roundExact(1 + 2 ** -11, -(2 ** -70), f, RNE, 32, 0))).toBe(hex(f32BitsOf(1)));
  });
});
