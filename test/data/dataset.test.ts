import { describe, expect, it } from "vitest";
import { UsageError } from "../../host/errors.js";
import {
  type Dataset,
  classCounts,
  stratifiedSplit,
  stratifiedTestCounts,
  subset,
} from "../../host/data/dataset.js";

/** One sample per label, of 2 features: (sample index, class). */
function indexedDataset(labels: number[], classes: number): Dataset {
  const inputs = new Float32Array(labels.length * 2);
  labels.forEach((label, i) => {
    inputs[2 * i] = i;
    inputs[2 * i + 1] = label;
  });
  return {
    name: "indexed",
    inputs,
    labels: Uint8Array.from(labels),
    shape: [2],
    classes,
    classNames: Array.from({ length: classes }, (_, c) => `c${c}`),
  };
}

const ids = (dataset: Dataset) => Array.from({ length: dataset.labels.length }, (_, i) => dataset.inputs[2 * i]);

describe("stratifiedTestCounts (largest remainder)", () => {
  it("gives exactly testTotal / classes per class when the classes are equal", () => {
    expect(stratifiedTestCounts(new Array(10).fill(1000), 2000)).toEqual(new Array(10).fill(200));
  });

  it("matches a hand-worked allocation for the mnist package's class counts", () => {
    // 2000/10000 of each count: 200.2 225.4 198.2 206.4 196 172.6 202.8 214 188.8 195.6;
    // floors sum to 1996; the 4 largest fractions (.8 for 6 and 8, .6 for 5 and 9) get one more.
    const counts = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];
    expect(stratifiedTestCounts(counts, 2000)).toEqual([200, 225, 198, 206, 196, 173, 203, 214, 189, 196]);
  });

  it("breaks equal remainders toward the lower class index", () => {
    // 2 of 3 singletons: every quota 2/3, floors 0, the two extra go to classes 0 and 1.
    expect(stratifiedTestCounts([1, 1, 1], 2)).toEqual([1, 1, 0]);
  });

  it("rejects a test size outside 0 .. n", () => {
    expect(() => stratifiedTestCounts([3, 3], 7)).toThrow("expected a test size from 0 to 6 (the number of samples), received 7");
    expect(() => stratifiedTestCounts([3, 3], -1)).toThrow(UsageError);
    expect(() => stratifiedTestCounts([3, 3], 1.5)).toThrow(UsageError);
  });
});

describe("stratifiedSplit", () => {
  // 3 classes of 50, 30, 20 samples, interleaved.
  const labels = [...new Array(50).fill(0), ...new Array(30).fill(1), ...new Array(20).fill(2)];
  const dataset = indexedDataset(labels, 3);

  it("puts the exact per-class counts in each part and every sample in exactly one part", () => {
    const { train, test } = stratifiedSplit(dataset, { seed: 1, testCount: 20 });
    expect(classCounts(test.labels, 3)).toEqual([10, 6, 4]);
    expect(classCounts(train.labels, 3)).toEqual([40, 24, 16]);
    const all = [...ids(train), ...ids(test)].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 100 }, (_, i) => i));
    // inputs travel with their labels
    for (const part of [train, test]) {
      part.labels.forEach((label, i) => expect(part.inputs[2 * i + 1]).toBe(label));
    }
  });

  it("is the same bit for bit for the same seed and differs for another seed", () => {
    const a = stratifiedSplit(dataset, { seed: 9, testFraction: 0.3 });
    const b = stratifiedSplit(dataset, { seed: 9, testFraction: 0.3 });
    const c = stratifiedSplit(dataset, { seed: 10, testFraction: 0.3 });
    expect(Buffer.from(a.train.inputs.buffer).equals(Buffer.from(b.train.inputs.buffer))).toBe(true);
    expect(Buffer.from(a.test.labels).equals(Buffer.from(b.test.labels))).toBe(true);
    expect(ids(a.test)).not.toEqual(ids(c.test));
    expect(a.test.labels.length).toBe(30);
  });

  it("shuffles each part so that classes do not come one after another", () => {
    const { train } = stratifiedSplit(dataset, { seed: 2, testCount: 20 });
    const sorted = [...train.labels].sort((x, y) => x - y);
    expect([...train.labels]).not.toEqual(sorted);
  });

  it("rejects bad options", () => {
    expect(() => stratifiedSplit(dataset, { seed: -1, testCount: 5 })).toThrow(UsageError);
    expect(() => stratifiedSplit(dataset, { seed: 1, testFraction: 1 })).toThrow("expected a test fraction in [0, 1), received 1");
    expect(() => stratifiedSplit(dataset, { seed: 1, testCount: 5, testFraction: 0.1 })).toThrow(UsageError);
  });
});

describe("subset", () => {
  it("copies the chosen samples in the given order", () => {
    const part = subset(indexedDataset([0, 1, 2, 0], 3), [3, 1]);
    expect([...part.inputs]).toEqual([3, 0, 1, 1]);
    expect([...part.labels]).toEqual([0, 1]);
  });
});
