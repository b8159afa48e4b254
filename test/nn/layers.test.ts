// In fp32, every layer's backward pass equals central finite differences of an f64 reference model
// (test/nn/reference.ts) at the same weights and inputs, and the forward pass equals the reference.
import { describe, expect, it } from "vitest";
import { loadDevice } from "../../host/device/module.js";
import { Rng } from "../../host/data/rng.js";
import { parsePrecision } from "../../host/precision/index.js";
import { defaultOptimizer } from "../../host/train/config.js";
import { DeviceModel } from "../../host/train/device-model.js";
import type { LayerSpec } from "../../host/train/model-spec.js";
import { centralDifferences, headFanIn, paramCount, refLogits, refLoss, type RefModel } from "./reference.js";

const device = loadDevice();
const BATCH = 3;
const STEP = 1e-6;

/** Relative error of a tensor: ||got - want|| / ||want||, and the largest elementwise error over max |want|. */
function relativeErrors(got: ArrayLike<number>, want: ArrayLike<number>): { norm: number; worst: number } {
  let diff = 0, size = 0, worst = 0, scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  for (let i = 0; i < want.length; i++) {
    diff += (got[i] - want[i]) ** 2;
    size += want[i] ** 2;
    worst = Math.max(worst, Math.abs(got[i] - want[i]));
  }
  return { norm: Math.sqrt(diff / size), worst: worst / scale };
}

interface Case {
  name: string;
  input: [number, number, number]; // C, H, W as the host describes a sample
  layers: LayerSpec[];
  heads?: number;
  classes?: number;
  head?: number;
}

const conv = (channels: number, kernel: number, stride: number, padding: number): LayerSpec => ({ kind: "conv", channels, kernel, stride, padding });
const relu: LayerSpec = { kind: "relu" };
const flatten: LayerSpec = { kind: "flatten" };

const CASES: Case[] = [
  { name: "Linear (the output layer alone)", input: [2, 3, 3], layers: [] },
  { name: "Linear + ReLU", input: [2, 3, 3], layers: [{ kind: "linear", outputs: 7 }, relu] },
  { name: "Conv2d 3x3 stride 1 padding 1", input: [2, 5, 5], layers: [conv(3, 3, 1, 1), flatten] },
  { name: "Conv2d 3x3 stride 2 padding 0 + ReLU", input: [3, 7, 7], layers: [conv(4, 3, 2, 0), relu, flatten] },
  { name: "Conv2d 2x2 stride 1 padding 2 (padding wider than the kernel overlap)", input: [1, 4, 4], layers: [conv(2, 2, 1, 2), flatten] },
  { name: "MaxPool2d 2x2 stride 2 after a conv", input: [2, 6, 6], layers: [conv(3, 3, 1, 1), { kind: "maxpool", kernel: 2, stride: 2 }, flatten] },
  { name: "MaxPool2d 3x3 stride 1 (overlapping windows)", input: [2, 5, 5], layers: [{ kind: "maxpool", kernel: 3, stride: 1 }, flatten] },
  { name: "AvgPool2d 2x2 stride 2 after a conv", input: [2, 6, 6], layers: [conv(3, 3, 1, 1), { kind: "avgpool", kernel: 2, stride: 2 }, flatten] },
  { name: "AvgPool2d 3x3 stride 2 (overlapping windows)", input: [2, 7, 7], layers: [{ kind: "avgpool", kernel: 3, stride: 2 }, flatten] },
  {
    name: "a small CNN: conv, relu, maxpool, conv, relu, avgpool, flatten, linear, relu",
    input: [1, 8, 8],
    layers: [conv(2, 3, 1, 1), relu, { kind: "maxpool", kernel: 2, stride: 2 }, conv(3, 3, 1, 1), relu, { kind: "avgpool", kernel: 2, stride: 2 }, flatten, { kind: "linear", outputs: 5 }, relu],
  },
  { name: "multi-head output, head 1 of 3 active", input: [4, 1, 1], layers: [{ kind: "linear", outputs: 6 }, relu], heads: 3, classes: 2, head: 1 },
];

describe("fp32 backward equals central finite differences of an f64 reference", () => {
  it.each(CASES)("$name", (c) => {
    const [C, H, W] = c.input;
    const heads = c.heads ?? 1;
    const classes = c.classes ?? 3;
    const head = c.head ?? 0;
    const ref: RefModel = { input: { h: H, w: W, c: C }, layers: c.layers, heads, classes };
    const model = DeviceModel.create(device, {
      seed: 1,
      maxBatch: BATCH,
      inputShape: c.input,
      heads,
      classes,
      layers: c.layers,
      precision: parsePrecision("fp32"),
      optimizer: defaultOptimizer("sgd"),
      inputGradient: true,
    });
    expect(model.params).toBe(paramCount(ref));

    // Weights, biases and inputs: seeded, f32-representable, so device and reference see the same values.
    const rng = Rng.forStream(11, c.name);
    const uniform = (scale: number) => Math.fround((rng.nextFloat() * 2 - 1) * scale);
    const weights = Float32Array.from({ length: model.params }, () => uniform(0.6));
    model.writeWeightsF32(weights);
    expect(model.readWeightsF32()).toEqual(weights);
    const size = C * H * W;
    const hostInputs = Float32Array.from({ length: BATCH * size }, () => uniform(1));
    const labels = Array.from({ length: BATCH }, () => rng.below(classes));
    if (heads > 1) model.setHead(head);
    model.putBatch(hostInputs, labels, BATCH);
    model.backward(BATCH);

    // The reference takes samples channel-last.
    const toHwc = (chw: ArrayLike<number>) => {
      const out = new Float64Array(chw.length);
      for (let s = 0; s < BATCH; s++)
        for (let ch = 0; ch < C; ch++)
          for (let p = 0; p < H * W; p++) out[s * size + p * C + ch] = chw[s * size + ch * H * W + p];
      return out;
    };
    const inputs = toHwc(hostInputs);
    const params = Float64Array.from(weights);

    const logits = model.logits(BATCH);
    for (let s = 0; s < BATCH; s++) {
      const want = refLogits(ref, params, inputs.subarray(s * size, (s + 1) * size), head);
      const err = relativeErrors(logits.subarray(s * classes, (s + 1) * classes), want);
      expect(err.norm, `logits of sample ${s}`).toBeLessThan(1e-5);
    }

    const loss = () => refLoss(ref, params, inputs, labels, head);
    const wantParams = centralDifferences(params, loss, STEP);
    const gotParams = model.gradients();
    const paramErr = relativeErrors(gotParams, wantParams);
    expect(paramErr.norm, "parameter gradients, norm").toBeLessThan(1e-3);
    expect(paramErr.worst, "parameter gradients, worst element").toBeLessThan(1e-3);

    const wantInputs = centralDifferences(inputs, loss, STEP);
    const gotInputs = toHwc(model.inputGradient(BATCH));
    const inputErr = relativeErrors(gotInputs, wantInputs);
    expect(inputErr.norm, "input gradient, norm").toBeLessThan(1e-3);
    expect(inputErr.worst, "input gradient, worst element").toBeLessThan(1e-3);

    if (heads > 1) {
      // Only the active head's block moves: the others' gradients are exactly zero.
      const headParams = (headFanIn(ref) + 1) * classes;
      const first = model.params - heads * headParams;
      for (let h = 0; h < heads; h++) {
        const block = gotParams.subarray(first + h * headParams, first + (h + 1) * headParams);
        if (h === head) expect(block.some((g) => g !== 0)).toBe(true);
        else expect(block.every((g) => g === 0)).toBe(true);
      }
    }
  });
});
