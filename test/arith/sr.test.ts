// Stochastic rounding: the exact rule with explicit draws against the reference, the probability of
// rounding up with r bits, statistics of round_array over 10^5 draws, and the seeded stream.
import { describe, expect, it } from "vitest";
import { ArithDevice, modeCode, testFormat } from "../helpers/device.js";
import { itEachFormat } from "../helpers/formats.js";
import { bitsF32, f32Bits, hex, isNaNBits, Mismatches, showF32, TestRandom } from "../helpers/bits.js";
import { refFormat } from "../helpers/reference.js";
import { inputsFor } from "../helpers/inputs.js";
import { drawAt, streamKey } from "../helpers/stream.js";

const SR = modeCode("sr");
const R_VALUES = [1, 2, 3, 5, 8, 13, 23, 24, 31, 32];

describe("sr stream", () => {
  const device = ArithDevice.load();

  it("is the documented counter-based fmix32 stream", () => {
    const failures: string[] = [];
    for (const [seed, stream] of [[0, 0], [1, 0], [0, 1], [42, 7], [0xffffffff, 0xffffffff]]) {
      const rng = device.rng(seed, stream);
      const key = streamKey(seed, stream);
      for (const n of [0, 1, 2, 3, 1000, 0x7fffffff, 0xffffffff]) {
        const got = device.x.rng_draw(rng, n) >>> 0;
        if (got !== drawAt(key, n)) failures.push(`seed ${seed} stream ${stream} draw ${n}: ${hex(got)}, documented ${hex(drawAt(key, n))}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("same seed gives the same bits; another seed or stream gives others; calls continue the stream", () => {
    const fmt = device.format(testFormat("e4m3").word);
    const random = new TestRandom(5);
    const inputs = Uint32Array.from({ length: 10_000 }, () => f32Bits((random.unit() - 0.5) * 64));
    const run = (seed: number, stream: number) => device.round(fmt, SR, inputs, { rng: device.rng(seed, stream) });
    const first = run(7, 0);
    expect(run(7, 0)).toEqual(first);
    const differing = (other: Uint32Array) => other.filter((v, i) => v !== first[i]).length;
    // Each input is inexact with probability near 1 and rounds either way: thousands of positions differ.
    expect(differing(run(8, 0))).toBeGreaterThan(2000);
    expect(differing(run(7, 1))).toBeGreaterThan(2000);
    // Two calls on one stream equal one call over both halves; the counter advances by one per value.
    const rng = device.rng(7, 0);
    const a = device.round(fmt, SR, inputs.subarray(0, 3333), { rng });
    const b = device.round(fmt, SR, inputs.subarray(3333), { rng });
    expect(device.x.rng_counter(rng)).toBe(inputs.length);
    expect(Uint32Array.from([...a, ...b])).toEqual(first);
  });
});

describe("sr rule with explicit draws (round_one) equals the reference", () => {
  const device = ArithDevice.load();
  itEachFormat(device, (format, fmt, ref, index) => {
    const inputs = inputsFor(ref, 1500, 3000 + index);
    const random = new TestRandom(4000 + index);
    const failures = new Mismatches(`${format.label} sr`);
    for (const x of inputs) {
      for (const r of R_VALUES) {
        // A random draw, the extremes, and the two draws either side of the carry threshold.
        const draws = [random.u32(), 0, 0xffffffff];
        const kept = ref.truncatedFraction(x, r);
        if (kept !== null) {
          const threshold = Number((1n << BigInt(r)) - kept); // smallest top-r value that carries
          if (threshold < 2 ** r) draws.push(r === 32 ? threshold : threshold * 2 ** (32 - r));
          if (threshold > 0) draws.push(r === 32 ? threshold - 1 : threshold * 2 ** (32 - r) - 1);
        }
        for (const draw of draws) {
          const want = ref.roundStochastic(x, r, draw >>> 0);
          const got = f32Bits(device.roundOne(fmt, SR, r, draw, bitsF32(x)));
          if (isNaNBits(want) ? !isNaNBits(got) : got !== want) failures.add(`r=${r} draw=${hex(draw)}`, x, got, want);
        }
      }
    }
    failures.assertNone();
  });
});

describe("sr with r bits rounds up with probability equal to the truncated fraction", () => {
  const device = ArithDevice.load();
  // Enumerating every value of the draw's top r bits counts the up-roundings exactly.
  const cases: [string, number][] = [["e4m3", 1.3], ["e4m3", -0.0123], ["e4m3", 0.000123], ["e5m2", 3.3e-6], ["fp16", 1.0001], ["bf16", 3.14159], ["e2m1", 2.71], ["fixed8.4", 1.03], ["fixed8.4", -7.97]];
  it.each(cases)("%s x=%s, r = 1..10", (name, value) => {
    const format = testFormat(name);
    const ref = refFormat(format.spec);
    const fmt = device.format(format.word);
    const x = f32Bits(value);
    const neighbours = ref.neighbourBits(x)!;
    const failures: string[] = [];
    for (let r = 1; r <= 10; r++) {
      const kept = Number(ref.truncatedFraction(x, r));
      let ups = 0;
      for (let top = 0; top < 2 ** r; top++) {
        const draw = top * 2 ** (32 - r) + (Math.imul(top, 0x2545f491) >>> r); // any low bits: they must not matter
        const got = f32Bits(device.roundOne(fmt, SR, r, draw, bitsF32(x)));
        if (got === neighbours.up) ups++;
        else if (got !== neighbours.down) failures.push(`r=${r} draw ${hex(draw)}: ${showF32(got)} is neither neighbour`);
      }
      if (ups !== kept) failures.push(`${name} x=${value} r=${r}: ${ups} of ${2 ** r} draws round up, truncated fraction ${kept}/${2 ** r}`);
    }
    expect(failures).toEqual([]);
  });
});

describe("sr statistics over 10^5 draws (round_array)", () => {
  const device = ArithDevice.load();
  const N = 100_000;
  const cases: [string, number, number][] = [
    ["e4m3", 1.3, 32], ["e4m3", -300.5, 32], ["e4m3", 0.000777, 32], ["e5m2", 0.1, 32], ["fp16", 1.00003, 32],
    ["bf16", 1e-40, 32], ["e2m1", 5.5, 32], ["e3m2", 0.03, 32], ["fixed8.4", -3.3, 32], ["fixed16.8", 100.001, 32],
    ["e4m3", 1.3, 2], ["e5m2", 0.1, 3], ["fp16", 1.00003, 4], ["bf16", 3.14159, 1],
  ];
  it.each(cases)("%s x=%s r=%s", (name, value, r) => {
    const format = testFormat(name);
    const ref = refFormat(format.spec);
    const fmt = device.format(format.word);
    const x = f32Bits(value);
    const { down, up } = ref.neighbourBits(x)!;
    const got = device.round(fmt, SR, new Uint32Array(N).fill(x), { srBits: r, rng: device.rng(1234, r) });
    let ups = 0;
    let sum = 0;
    for (const bits of got) {
      if (bits === up) ups++;
      else if (bits !== down) throw new Error(`${name} sr r=${r}: ${showF32(bits)} from ${showF32(x)} is neither neighbour ${showF32(down)} nor ${showF32(up)}`);
      sum += bitsF32(bits);
    }
    // P(up) is the truncated fraction kept / 2^r; the mean is the input itself when r keeps every bit.
    const p = Number(ref.truncatedFraction(x, r)) / 2 ** r;
    const standardError = Math.sqrt((p * (1 - p)) / N);
    expect(Math.abs(ups / N - p), `P(up) ${ups / N}, expected ${p} within 4 standard errors ${standardError}`).toBeLessThanOrEqual(4 * standardError);
    const lower = bitsF32(down);
    const step = bitsF32(up) - lower;
    const expectedMean = lower + p * step;
    const meanError = Math.abs(sum / N - expectedMean);
    expect(meanError, `mean ${sum / N}, expected ${expectedMean}`).toBeLessThanOrEqual(4 * standardError * Math.abs(step) + Math.abs(expectedMean) * 1e-12);
    if (r === 32) expect(Math.abs(expectedMean - bitsF32(x))).toBeLessThanOrEqual(Math.abs(step) * 2 ** -32);
  });

  it("past the largest value sr rounds only to max or the overflow value (e4m3: NaN, e5m2: inf)", () => {
    for (const [name, value, overflow] of [["e4m3", 460, NaN], ["e5m2", 60000, Infinity]] as const) {
      const fmt = device.format(testFormat(name).word);
      const ref = refFormat(testFormat(name).spec);
      const got = new Float32Array(device.round(fmt, SR, new Uint32Array(N).fill(f32Bits(value)), { rng: device.rng(9) }).buffer);
      const max = bitsF32(ref.maxBits);
      const overflowed = got.filter((v) => Object.is(v, overflow) || (Number.isNaN(overflow) && Number.isNaN(v))).length;
      expect(got.every((v) => v === max || Object.is(v, overflow) || (Number.isNaN(overflow) && Number.isNaN(v)))).toBe(true);
      const p = Number(ref.truncatedFraction(f32Bits(value), 32)) / 2 ** 32;
      expect(Math.abs(overflowed / N - p)).toBeLessThanOrEqual(4 * Math.sqrt((p * (1 - p)) / N));
    }
  });
});

describe.each([false, true])("round_array with sr equals the rule applied with the documented draws (simd=%s)", (simd) => {
  const device = ArithDevice.load(simd);
  itEachFormat(device, (format, fmt, ref, index) => {
    const inputs = inputsFor(ref, 4000, 5000 + index);
    const failures = new Mismatches(`${format.label} sr`);
    for (const r of [32, 3, 11]) {
      const seed = 77 + index;
      const got = device.round(fmt, SR, inputs, { srBits: r, rng: device.rng(seed, r) });
      const key = streamKey(seed, r);
      for (let i = 0; i < inputs.length; i++) {
        failures.check(`r=${r} draw ${i}`, inputs[i], got[i], ref.roundStochastic(inputs[i], r, drawAt(key, i)));
      }
    }
    failures.assertNone();
  });
});
