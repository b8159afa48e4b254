import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { classCounts, type DataSplit, type Dataset } from "../../host/data/dataset.js";
import { loadMnist, loadMnistDigits } from "../../host/data/mnist.js";

// The package's files, read here independently of the loader.
const digitsDir = join(dirname(createRequire(import.meta.url).resolve("mnist/package.json")), "src", "digits");
const packageData = Array.from(
  { length: 10 },
  (_, d) => (JSON.parse(readFileSync(join(digitsDir, `${d}.json`), "utf8")) as { data: number[] }).data,
);
const packageCounts = packageData.map((data) => data.length / 784);

function sampleKeys(dataset: Dataset): string[] {
  const keys: string[] = [];
  for (let i = 0; i < dataset.labels.length; i++) {
    const bytes = Buffer.from(dataset.inputs.buffer, dataset.inputs.byteOffset + i * 784 * 4, 784 * 4);
    keys.push(`${dataset.labels[i]}:${createHash("sha1").update(bytes).digest("hex")}`);
  }
  return keys;
}

describe("embedded mnist digits", () => {
  let digits: Dataset;
  let split: DataSplit;
  beforeAll(() => {
    digits = loadMnistDigits();
    split = loadMnist();
  });

  it("holds every digit of the package with its class", () => {
    expect(packageCounts.reduce((a, b) => a + b, 0)).toBe(10000);
    expect(digits.labels.length).toBe(10000);
    expect(digits.inputs.length).toBe(10000 * 784);
    expect(digits.shape).toEqual([1, 28, 28]);
    expect(digits.classes).toBe(10);
    expect(digits.classNames).toEqual(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
    expect(classCounts(digits.labels, 10)).toEqual(packageCounts);
  });

  it("keeps each pixel within the package's 3-decimal rounding of k/255, and exactly k/255", () => {
    let offset = 0;
    let largestDifference = 0;
    let notOn255Grid = 0;
    for (const data of packageData) {
      for (let i = 0; i < data.length; i++) {
        const value = digits.inputs[offset + i];
        largestDifference = Math.max(largestDifference, Math.abs(value - data[i]));
        if (value !== Math.fround(Math.round(value * 255) / 255)) notOn255Grid++;
      }
      offset += data.length;
    }
    expect(largestDifference).toBeLessThanOrEqual(0.0005);
    expect(notOn255Grid).toBe(0);
  });

  it("splits 8,000 / 2,000 with the hand-worked per-class test counts", () => {
    const testCounts = [200, 225, 198, 206, 196, 173, 203, 214, 189, 196];
    expect(split.train.labels.length).toBe(8000);
    expect(split.test.labels.length).toBe(2000);
    expect(classCounts(split.test.labels, 10)).toEqual(testCounts);
    expect(classCounts(split.train.labels, 10)).toEqual(packageCounts.map((n, c) => n - testCounts[c]));
  });

  it("uses every digit exactly once across the two parts", () => {
    const all = sampleKeys(digits).sort();
    const parts = [...sampleKeys(split.train), ...sampleKeys(split.test)].sort();
    expect(parts).toEqual(all);
  });

  it("gives the same split bit for bit for the same split seed and another for another seed", () => {
    const again = loadMnist({ splitSeed: 0 });
    expect(Buffer.from(again.test.inputs.buffer).equals(Buffer.from(split.test.inputs.buffer))).toBe(true);
    expect(Buffer.from(again.train.labels).equals(Buffer.from(split.train.labels))).toBe(true);
    const other = loadMnist({ splitSeed: 1 });
    expect(Buffer.from(other.test.inputs.buffer).equals(Buffer.from(split.test.inputs.buffer))).toBe(false);
    expect(classCounts(other.test.labels, 10)).toEqual(classCounts(split.test.labels, 10));
  });

  it("returns fresh arrays on each load", () => {
    const a = loadMnistDigits();
    a.inputs[0] = 7;
    expect(loadMnistDigits().inputs[0]).toBe(0);
  });
});
