// SI (Zenke, Poole & Ganguli, ICML 2017) on a case worked here by hand, in float64: a linear softmax
// model (3 inputs, 4 classes), plain SGD on the whole batch, two experiences of two classes. Per
// experience, omega = sum over steps of -g . dw, g the gradient of the task loss without the penalty
// (the authors' code, ganguli-lab/pathint: "unreg_grads"), while the step itself follows the total
// gradient; at its end Omega += relu(omega) / (delta^2 + xi), delta the change over the experience,
// and the anchor moves to the weights; the penalty is c sum Omega (w - anchor)^2. The device's
// importance is read through the penalty at weights shifted by s: c s^2 sum Omega. The first anchor
// must be the weights at the start of experience 0 (a zero-initialised "current experience" once made
// it 0, so that Omega_0 = omega / (w^2 + xi)).
import { describe, expect, it } from "vitest";
import { encodePayload } from "../../host/protocol/index.js";
import { encodeConfig, defaultOptimizer } from "../../host/train/config.js";
import { parsePrecision } from "../../host/precision/index.js";
import { encodeStrategy, resolveStrategy } from "../../host/cl/strategies.js";
import { CommandBoard } from "../helpers/device.js";

const FEATURES = 3;
const CLASSES = 4;
const LR = 0.5;
const C = 2;
const XI = 0.1;
const STEPS = 5;
// Experience e: two samples of each of its classes 2e and 2e + 1.
const samples = [
  { x: [[1, 0.5, -0.25], [0.75, 1, 0], [-1, 0.25, 0.5], [0, -0.5, 1]], y: [0, 0, 1, 1] },
  { x: [[0.5, -1, 0.25], [0.25, -0.75, -1], [-0.5, 0.5, -0.75], [1, 1, 1]], y: [2, 2, 3, 3] },
];
const BATCH = 4;

function deploy(board: CommandBoard): void {
  const model = encodeConfig({
    seed: 11,
    maxBatch: BATCH,
    inputShape: [1, 1, FEATURES],
    heads: 1,
    classes: CLASSES,
    layers: [],
    precision: parsePrecision("fp32"),
    optimizer: { ...defaultOptimizer("sgd"), lr: LR },
  });
  const cl = encodeStrategy(resolveStrategy("si", "class", BATCH, STEPS, { lambda: C, gamma: XI }), [], 1 << 24);
  const config = new Uint8Array((model.length + cl.length) * 4);
  config.set(new Uint8Array(model.buffer));
  config.set(new Uint8Array(cl.buffer), model.length * 4);
  board.ok("DEPLOY", encodePayload("DEPLOY", { config, module: new Uint8Array(0) }));
}

function data(board: CommandBoard, e: number): void {
  const bytes = new Uint8Array(BATCH * (2 + 4 * FEATURES));
  const view = new DataView(bytes.buffer);
  samples[e].y.forEach((label, k) => view.setUint16(2 * k, label, true));
  samples[e].x.flat().forEach((v, i) => view.setFloat32(2 * BATCH + 4 * i, v, true));
  board.ok("DATA", encodePayload("DATA", { experience: e, split: 0, encoding: 0, flags: 1, count: BATCH, features: FEATURES, samples: bytes }));
}

function weights(board: CommandBoard): Float64Array {
  const e = board.device.exports as unknown as Record<string, () => number>;
  return Float64Array.from(new Float32Array(board.device.exports.memory.buffer, e.cl_weights_ptr() >>> 0, e.cl_params()));
}

/** Mean cross-entropy gradient of the linear model (weights (i, o) at i * CLASSES + o, then biases). */
function gradient(w: Float64Array, e: number): Float64Array {
  const g = new Float64Array(w.length);
  samples[e].x.forEach((x, k) => {
    const logits = Array.from({ length: CLASSES }, (_, o) => w[FEATURES * CLASSES + o] + x.reduce((s, xi, i) => s + xi * w[i * CLASSES + o], 0));
    const top = Math.max(...logits);
    const exp = logits.map((z) => Math.exp(z - top));
    const sum = exp.reduce((a, b) => a + b, 0);
    for (let o = 0; o < CLASSES; o++) {
      const d = (exp[o] / sum - (o === samples[e].y[k] ? 1 : 0)) / BATCH;
      x.forEach((xi, i) => (g[i * CLASSES + o] += d * xi));
      g[FEATURES * CLASSES + o] += d;
    }
  });
  return g;
}

describe("SI's importance after two experiences, worked by hand", () => {
  it("equals omega / (delta^2 + xi) summed over experiences, anchored at each experience's start", () => {
    const board = new CommandBoard();
    deploy(board);
    const exports = board.device.exports as unknown as Record<string, (...a: number[]) => number>;
    let w = weights(board);
    const omegaTotal = new Float64Array(w.length);
    let anchor: Float64Array | null = null;
    const importanceSums: number[] = [];
    for (let e = 0; e < 2; e++) {
      data(board, e);
      const start = Float64Array.from(w);
      const omega = new Float64Array(w.length);
      for (let t = 0; t < STEPS; t++) {
        const g = gradient(w, e);
        for (let i = 0; i < w.length; i++) {
          const total = g[i] + (anchor ? 2 * C * omegaTotal[i] * (w[i] - anchor[i]) : 0);
          const dw = -LR * total;
          omega[i] += -g[i] * dw;
          w[i] += dw;
        }
      }
      board.ok("TRAIN", encodePayload("TRAIN", { experience: e, iterations: STEPS, batchSize: BATCH, seed: 5, flags: 0 }));
      const device = weights(board);
      for (let i = 0; i < w.length; i++) expect(device[i]).toBeCloseTo(w[i], 5);
      w = device; // the device's f32 weights carry on; the next experience starts from them
      for (let i = 0; i < w.length; i++) omegaTotal[i] += Math.max(omega[i], 0) / ((w[i] - start[i]) ** 2 + XI);
      anchor = Float64Array.from(w);
      importanceSums.push(omegaTotal.reduce((a, b) => a + b, 0));

      expect(exports.cl_penalty()).toBe(0); // at the anchor
      const shift = 0.25;
      exports.cl_shift_weights(shift);
      const expected = C * shift * shift * importanceSums[e];
      expect(exports.cl_penalty()).toBeCloseTo(expected, 4);
      expect(Math.abs(exports.cl_penalty() - expected) / expected).toBeLessThan(1e-4);
      exports.cl_shift_weights(-shift);
      w = weights(board);
    }
    // The two experiences both left importance, and the second added to the first.
    expect(importanceSums[1]).toBeGreaterThan(importanceSums[0]);
    expect(importanceSums[0]).toBeGreaterThan(0);
  });
});
