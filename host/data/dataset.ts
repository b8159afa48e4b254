// The in-memory data set every loader produces and every benchmark consumes, and the seeded
// class-stratified train/test split.

import { expected, UsageError } from "../errors.js";
import { checkSeed, Rng } from "./rng.js";

/** Labelled samples, stored flat so they can be copied into device memory as they are. */
export interface Dataset {
  /** What the data is ("mnist", "fashion", "har", ...), for reports. */
  readonly name: string;
  /** Sample i occupies inputs[i * size .. (i+1) * size), size = product of `shape`. */
  readonly inputs: Float32Array;
  /** Class index of each sample, 0 .. classes-1. */
  readonly labels: Uint8Array;
  /** Shape of one sample: [channels, height, width] for images, [features] for tables. */
  readonly shape: readonly number[];
  /** Number of classes; labels are below it. */
  readonly classes: number;
  /** What each class index stands for ("0".."9" for digits, the original label text for CSV). */
  readonly classNames: readonly string[];
}

/** A data set cut into a training part and a test part with the same shape and classes. */
export interface DataSplit {
  readonly train: Dataset;
  readonly test: Dataset;
}

/** Number of values in one sample. */
export function sampleSize(shape: readonly number[]): number {
  return shape.reduce((product, dim) => product * dim, 1);
}

/** Number of samples of a data set. */
export function sampleCount(dataset: Dataset): number {
  return dataset.labels.length;
}

/** How many samples of each class: counts[c] for c in 0 .. classes-1. */
export function classCounts(labels: Uint8Array, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const label of labels) counts[label]++;
  return counts;
}

/** Copies the samples at `indices`, in that order, into new arrays. */
export function selectSamples(
  dataset: Dataset,
  indices: ArrayLike<number>,
): { inputs: Float32Array; labels: Uint8Array } {
  const size = sampleSize(dataset.shape);
  const inputs = new Float32Array(indices.length * size);
  const labels = new Uint8Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    inputs.set(dataset.inputs.subarray(i * size, (i + 1) * size), k * size);
    labels[k] = dataset.labels[i];
  }
  return { inputs, labels };
}

/** A data set made of the samples at `indices` of `dataset`. */
export function subset(dataset: Dataset, indices: ArrayLike<number>): Dataset {
  return { ...dataset, ...selectSamples(dataset, indices) };
}

/**
 * How many test samples each class gets so that the whole test part has exactly `testTotal` samples
 * and every class keeps (as near as integers allow) the same share: Hamilton's largest-remainder rule.
 * Class c first gets floor(counts[c] * testTotal / n); the samples still missing go one each to the
 * classes with the largest remainders (counts[c] * testTotal mod n), ties to the lower class index.
 * With equal class counts this is simply testTotal / classes per class. Exact integer arithmetic.
 */
export function stratifiedTestCounts(counts: readonly number[], testTotal: number): number[] {
  const n = counts.reduce((sum, count) => sum + count, 0);
  if (!Number.isInteger(testTotal) || testTotal < 0 || testTotal > n) {
    throw expected(`a test size from 0 to ${n} (the number of samples)`, testTotal);
  }
  if (n === 0) return counts.map(() => 0);
  const quotas = counts.map((count) => Math.floor((count * testTotal) / n));
  const remainders = counts.map((count, c) => ({ c, r: (count * testTotal) % n }));
  let missing = testTotal - quotas.reduce((sum, q) => sum + q, 0);
  remainders.sort((a, b) => b.r - a.r || a.c - b.c);
  for (const { c } of remainders) {
    if (missing === 0) break;
    quotas[c]++;
    missing--;
  }
  return quotas;
}

/** Options of {@link stratifiedSplit}. */
export interface SplitOptions {
  /** Size of the test part (exact); give this or `testFraction`. */
  testCount?: number;
  /** Share of the test part, 0 <= f < 1; the test size is round(n * f). */
  testFraction?: number;
  /** Seed of the split (stream "stratified-split"). */
  seed: number;
}

/**
 * Class-stratified train/test split, fixed by `seed`.
 * For each class in index order, that class's samples (in data-set order) are shuffled and the first
 * stratifiedTestCounts(...)[c] of them go to the test part, the rest to training. Each part is then
 * shuffled once more so that reading it in order does not meet the classes one after another.
 * All draws come from one generator, Rng.forStream(seed, "stratified-split"), in exactly this order.
 */
export function stratifiedSplit(dataset: Dataset, options: SplitOptions): DataSplit {
  const seed = checkSeed(options.seed, "split seed");
  const n = sampleCount(dataset);
  let testTotal: number;
  if (options.testCount !== undefined) {
    if (options.testFraction !== undefined) {
      throw new UsageError("give either a test count or a test fraction for the split, not both");
    }
    testTotal = options.testCount;
  } else {
    const fraction = options.testFraction ?? 0.2;
    if (!(fraction >= 0 && fraction < 1)) throw expected("a test fraction in [0, 1)", fraction);
    testTotal = Math.round(n * fraction);
  }
  const perClassTest = stratifiedTestCounts(classCounts(dataset.labels, dataset.classes), testTotal);

  const byClass: number[][] = Array.from({ length: dataset.classes }, () => []);
  for (let i = 0; i < n; i++) byClass[dataset.labels[i]].push(i);

  const rng = Rng.forStream(seed, "stratified-split");
  const trainIndices: number[] = [];
  const testIndices: number[] = [];
  byClass.forEach((indices, c) => {
    rng.shuffle(indices);
    indices.forEach((index, k) => (k < perClassTest[c] ? testIndices : trainIndices).push(index));
  });
  rng.shuffle(trainIndices);
  rng.shuffle(testIndices);
  return { train: subset(dataset, trainIndices), test: subset(dataset, testIndices) };
}
