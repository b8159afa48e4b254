// One training run, in process: build the model on the device, train for some epochs on shuffled
// batches, evaluate on the test part, and report what it cost (MACs by format, device memory).
import { loadDevice, type Device } from "../device/module.js";
import { Rng, checkSeed, sampleSize, type DataSplit, type Dataset } from "../data/index.js";
import { parseFormat } from "../formats/parse.js";
import { parsePrecision, precisionText, shortPrecisionText, type PrecisionSpec } from "../precision/index.js";
import { loadTrainingData, type DataOptions } from "./data.js";
import { describeModel, parseModelSpec, type LayerRow } from "./model-spec.js";
import { chw, type OptimizerSpec } from "./config.js";
import { DeviceModel, type Telemetry } from "./device-model.js";

export interface TrainOptions extends DataOptions {
  model: string;
  precision: string | PrecisionSpec;
  epochs: number;
  batch: number;
  optimizer: OptimizerSpec;
  seed: number;
  /** Run the SIMD build of the device module (default true; the bits are the same). */
  simd?: boolean;
  /** Data already loaded (tests); otherwise loaded from the data options. */
  data?: { split: DataSplit; source: string };
  /** A device to build on (tests); otherwise a fresh module instance. */
  device?: Device;
  /** Called after each epoch. */
  onEpoch?: (epoch: EpochReport) => void;
}

export interface EpochReport {
  epoch: number;
  /** Mean training loss over the epoch's samples (before each update). */
  loss: number;
  trainAccuracy: number;
  seconds: number;
}

export interface TrainReport {
  config: {
    dataset: string;
    source: string;
    trainSamples: number;
    testSamples: number;
    inputShape: number[];
    classes: number;
    model: string;
    layers: LayerRow[];
    params: number;
    precision: PrecisionSpec;
    /** The precision spec as the CLI takes it: every key, and the shortest preset form. */
    precisionText: string;
    precisionShort: string;
    gemm: "exact" | "fast";
    epochs: number;
    batch: number;
    optimizer: OptimizerSpec;
    seed: number;
    simd: boolean;
  };
  testAccuracy: number;
  testLoss: number;
  /** Mean training loss per epoch. */
  loss: number[];
  trainAccuracy: number[];
  /** MACs of every GEMM job, by "<x format> x <w format> -> <acc format>". */
  macs: Record<string, number>;
  macsByPass: { forward: number; backwardData: number; backwardWeight: number; evaluation: number };
  memory: {
    modelBytes: number;
    masterBytes: number;
    optimizerBytes: number;
    gradientBytes: number;
    workBytes: number;
    peakLinearMemoryBytes: number;
    heapBytes: number;
  };
  lossScaling: { kind: string; finalScale: number; steps: number; skippedSteps: number };
  numerics: {
    /** Of the backward errors that were nonzero before rounding to the error format, the share flushed to zero. */
    errorFlushFraction: number;
    /** Share of weight-gradient values that are exactly zero after rounding to the gradient format. */
    gradientZeroFraction: number;
  };
  timing: { trainSeconds: number; trainSamplesPerSecond: number; evalSeconds: number };
}

/** Copies the samples at order[from .. from+n) into batch buffers. */
function gather(data: Dataset, order: Uint32Array, from: number, n: number, inputs: Float32Array, labels: Uint32Array): void {
  const size = sampleSize(data.shape);
  for (let k = 0; k < n; k++) {
    const i = order[from + k];
    inputs.set(data.inputs.subarray(i * size, (i + 1) * size), k * size);
    labels[k] = data.labels[i];
  }
}

/** Evaluates every sample of `data` in batches; returns accuracy and mean loss. */
export function evaluateDataset(model: DeviceModel, data: Dataset): { accuracy: number; loss: number } {
  const n = data.labels.length;
  const size = sampleSize(data.shape);
  const before = model.telemetry();
  let correct = 0;
  for (let from = 0; from < n; from += model.maxBatch) {
    const count = Math.min(model.maxBatch, n - from);
    model.putBatch(data.inputs.subarray(from * size, (from + count) * size), data.labels.subarray(from, from + count), count);
    correct += model.evaluate(count);
  }
  const after = model.telemetry();
  return { accuracy: n ? correct / n : 0, loss: n ? (after.evalLossSum - before.evalLossSum) / n : 0 };
}

/** One epoch over `data` in the order of a seeded shuffle; returns the epoch's mean loss and accuracy. */
export function trainEpoch(model: DeviceModel, data: Dataset, batch: number, seed: number, epoch: number): { loss: number; accuracy: number } {
  const n = data.labels.length;
  const order = Rng.forStream(seed, `train/shuffle/epoch-${epoch}`).permutation(n);
  const inputs = new Float32Array(batch * sampleSize(data.shape));
  const labels = new Uint32Array(batch);
  const before = model.telemetry();
  for (let from = 0; from < n; from += batch) {
    const count = Math.min(batch, n - from);
    gather(data, order, from, count, inputs, labels);
    model.putBatch(inputs, labels, count);
    model.train(count);
  }
  const after = model.telemetry();
  return { loss: (after.trainLossSum - before.trainLossSum) / n, accuracy: (after.trainCorrect - before.trainCorrect) / n };
}

/** MACs by operand and accumulator formats: forward activation x weight, backward error x weight and activation x error. */
export function macsByFormat(t: Telemetry, spec: PrecisionSpec): Record<string, number> {
  const label = (x: string, w: string) => `${parseFormat(x).id} x ${parseFormat(w).id} -> ${parseFormat(spec.acc.format).id}`;
  const out: Record<string, number> = {};
  const add = (key: string, macs: number) => {
    if (macs > 0) out[key] = (out[key] ?? 0) + macs;
  };
  add(label(spec.activation.format, spec.weight.format), t.macsForward + t.macsEval);
  add(label(spec.error.format, spec.weight.format), t.macsBackwardData);
  add(label(spec.activation.format, spec.error.format), t.macsBackwardWeight);
  return out;
}

export function runTraining(options: TrainOptions): TrainReport {
  const seed = checkSeed(options.seed, "--seed");
  const spec = typeof options.precision === "string" ? parsePrecision(options.precision) : options.precision;
  const modelSpec = parseModelSpec(options.model);
  const data = options.data ?? loadTrainingData(options);
  const { train, test } = data.split;
  const [c, h, w] = chw(train.shape);
  const layers = describeModel(modelSpec, { h, w, c }, train.classes);
  const simd = options.simd ?? true;
  const device = options.device ?? loadDevice({ simd });
  const maxBatch = Math.max(1, Math.min(options.batch, train.labels.length));
  const model = DeviceModel.create(device, {
    seed,
    maxBatch,
    inputShape: train.shape,
    heads: 1,
    classes: train.classes,
    layers: modelSpec.layers,
    precision: spec,
    optimizer: options.optimizer,
  });

  const loss: number[] = [];
  const trainAccuracy: number[] = [];
  const trainStart = performance.now();
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    const start = performance.now();
    const result = trainEpoch(model, train, maxBatch, seed, epoch);
    loss.push(result.loss);
    trainAccuracy.push(result.accuracy);
    options.onEpoch?.({ epoch: epoch + 1, loss: result.loss, trainAccuracy: result.accuracy, seconds: (performance.now() - start) / 1000 });
  }
  const trainSeconds = (performance.now() - trainStart) / 1000;
  const evalStart = performance.now();
  const tested = evaluateDataset(model, test);
  const evalSeconds = (performance.now() - evalStart) / 1000;
  const t = model.telemetry();

  return {
    config: {
      dataset: data.split.train.name,
      source: data.source,
      trainSamples: train.labels.length,
      testSamples: test.labels.length,
      inputShape: [...train.shape],
      classes: train.classes,
      model: modelSpec.text,
      layers,
      params: model.params,
      precision: spec,
      precisionText: precisionText(spec),
      precisionShort: shortPrecisionText(spec),
      gemm: spec.gemm,
      epochs: options.epochs,
      batch: maxBatch,
      optimizer: options.optimizer,
      seed,
      simd: device.simd,
    },
    testAccuracy: tested.accuracy,
    testLoss: tested.loss,
    loss,
    trainAccuracy,
    macs: macsByFormat(t, spec),
    macsByPass: { forward: t.macsForward, backwardData: t.macsBackwardData, backwardWeight: t.macsBackwardWeight, evaluation: t.macsEval },
    memory: {
      modelBytes: t.modelBytes,
      masterBytes: t.masterBytes,
      optimizerBytes: t.optimizerBytes,
      gradientBytes: t.gradientBytes,
      workBytes: t.workBytes,
      peakLinearMemoryBytes: t.linearMemoryBytes,
      heapBytes: t.heapBytes,
    },
    lossScaling: { kind: spec.lossScale.kind, finalScale: t.lossScale, steps: t.steps, skippedSteps: t.skippedSteps },
    numerics: {
      errorFlushFraction: t.errorNonzero ? t.errorFlushed / t.errorNonzero : 0,
      gradientZeroFraction: t.gradientValues ? t.gradientZeros / t.gradientValues : 0,
    },
    timing: {
      trainSeconds,
      trainSamplesPerSecond: trainSeconds > 0 ? (options.epochs * train.labels.length) / trainSeconds : 0,
      evalSeconds,
    },
  };
}
