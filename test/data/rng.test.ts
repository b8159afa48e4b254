import { describe, expect, it } from "vitest";
import { UsageError } from "../../host/errors.js";
import { checkSeed, fnv1a64, Rng, SplitMix64 } from "../../host/data/rng.js";

const hex = (values: number[]) => values.map((v) => `0x${v.toString(16).padStart(8, "0")}`);
const draw = (rng: Rng, n: number) => Array.from({ length: n }, () => rng.nextUint32());

// Chi-square statistic of observed counts against equal expected counts.
function chiSquare(counts: number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  const expectedCount = total / counts.length;
  return counts.reduce((sum, c) => sum + (c - expectedCount) ** 2 / expectedCount, 0);
}

describe("SplitMix64", () => {
  it("matches the published reference outputs for seed 0", () => {
    // splitmix64.c (Vigna) started at 0: the first four outputs.
    const mix = new SplitMix64(0n);
    expect([mix.next(), mix.next(), mix.next(), mix.next()]).toEqual([
      0xe220a8397b1dcdafn,
      0x6e789e6aa1b965f4n,
      0x06c45d188009454fn,
      0xf88bb8a8724c81ecn,
    ]);
  });
});

describe("FNV-1a 64", () => {
  it("matches the standard test vectors", () => {
    expect(fnv1a64("")).toBe(0xcbf29ce484222325n);
    expect(fnv1a64("a")).toBe(0xaf63dc4c8601ec8cn);
    expect(fnv1a64("foobar")).toBe(0x85944171f73967e8n);
  });
});

describe("xoshiro128++", () => {
  it("computes the first output by hand: rotl(s0 + s3, 7) + s0", () => {
    // state 1, 2, 3, 4: rotl(5, 7) + 1 = 640 + 1
    expect(new Rng(1, 2, 3, 4).nextUint32()).toBe(641);
  });

  it("matches the reference C code (xoshiro128plusplus.c) from state 1, 2, 3, 4", () => {
    // Values printed by the published C reference compiled with gcc.
    expect(hex(draw(new Rng(1, 2, 3, 4), 8))).toEqual([
      "0x00000281", "0x00180387", "0xc0183387", "0xd1ae3b02",
      "0x31e2310a", "0xfd275ab0", "0xe67f7cec", "0x50d07f0f",
    ]);
  });

  it("matches the reference C code seeded from SplitMix64 (words: low, high of each output)", () => {
    expect(hex(draw(Rng.fromSplitMix64(0n), 8))).toEqual([
      "0x4653daa3", "0x73922b58", "0xb82b4add", "0xd9fabd3b",
      "0x3c8698c3", "0x1c9b58ff", "0xccac4646", "0x27e3fd16",
    ]);
    expect(hex(draw(Rng.fromSplitMix64(42n), 8))).toEqual([
      "0x9d9452c1", "0x6909d440", "0x6148a68f", "0x54829a5b",
      "0xc648de34", "0xedc89aa6", "0xff162eb3", "0xab6356aa",
    ]);
  });

  it("starts stream S of seed s from SplitMix64 at s XOR FNV-1a-64(S)", () => {
    // seed 0, empty stream name: SplitMix64 starts at the FNV offset basis.
    expect(draw(Rng.forStream(0, ""), 4)).toEqual(draw(Rng.fromSplitMix64(0xcbf29ce484222325n), 4));
    expect(draw(Rng.forStream(7, "a"), 4)).toEqual(draw(Rng.fromSplitMix64(7n ^ 0xaf63dc4c8601ec8cn), 4));
    expect(draw(Rng.forStream(7, "a"), 4)).not.toEqual(draw(Rng.forStream(7, "b"), 4));
    expect(draw(Rng.forStream(7, "a"), 4)).not.toEqual(draw(Rng.forStream(8, "a"), 4));
  });

  it("rejects the all-zero state", () => {
    expect(() => new Rng(0, 0, 0, 0)).toThrow(UsageError);
  });

  it("nextFloat keeps the top 24 bits of an output", () => {
    // first output of fromSplitMix64(0n) is 0x4653daa3
    expect(Rng.fromSplitMix64(0n).nextFloat()).toBe(0x4653da / 2 ** 24);
    const rng = Rng.forStream(3, "floats");
    for (let i = 0; i < 1000; i++) {
      const x = rng.nextFloat();
      expect(x >= 0 && x < 1).toBe(true);
      expect(Math.fround(x)).toBe(x);
    }
  });

  it("below(n) is uniform (chi-square, 5 degrees of freedom, 0.1% critical value 20.52)", () => {
    const rng = Rng.forStream(1, "uniformity");
    const counts = new Array(6).fill(0);
    for (let i = 0; i < 60000; i++) counts[rng.below(6)]++;
    expect(chiSquare(counts)).toBeLessThan(20.52);
  });

  it("below(n) stays in range for awkward bounds and rejects bad ones", () => {
    const rng = Rng.forStream(2, "bounds");
    for (const bound of [1, 2, 3, 2 ** 31 + 1, 2 ** 32]) {
      for (let i = 0; i < 200; i++) {
        const x = rng.below(bound);
        expect(Number.isInteger(x) && x >= 0 && x < bound).toBe(true);
      }
    }
    for (const bad of [0, -1, 1.5, 2 ** 32 + 1, Number.NaN]) expect(() => rng.below(bad)).toThrow(UsageError);
  });

  it("shuffle gives each of the 6 orders of 3 items equally often (chi-square, 5 dof, 0.1% 20.52)", () => {
    const rng = Rng.forStream(4, "shuffle");
    const seen = new Map<string, number>();
    for (let i = 0; i < 30000; i++) {
      const key = rng.shuffle([0, 1, 2]).join("");
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    expect([...seen.keys()].sort()).toEqual(["012", "021", "102", "120", "201", "210"]);
    expect(chiSquare([...seen.values()])).toBeLessThan(20.52);
  });

  it("permutation(n) is a bijection of 0 .. n-1", () => {
    const p = Rng.forStream(5, "perm").permutation(784);
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 784 }, (_, i) => i));
  });
});

describe("checkSeed", () => {
  it("accepts integers 0 .. 2^53-1 and names a bad value", () => {
    expect(checkSeed(0)).toBe(0);
    expect(checkSeed(Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
    for (const bad of [-1, 1.5, "3", 2 ** 53, Number.NaN]) expect(() => checkSeed(bad)).toThrow(UsageError);
    expect(() => checkSeed(-1)).toThrow("expected seed to be an integer from 0 to 9007199254740991, received -1");
  });
});
