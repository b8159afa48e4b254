// The optimizers against the published algorithms, computed here in float64 from the gradients the
// device reports: SGD (with momentum and L2 weight decay as torch.optim.SGD) and Adam (Kingma & Ba 2015,
// Algorithm 1, with bias correction from the first step; L2 weight decay added to the gradient as
// torch.optim.Adam). Several steps, the first included: a zero-initialised beta power once made Adam's
// first step lr (1 - beta1) / sqrt(1 - beta2) = 3.16 lr.
import { describe, expect, it } from "vitest";
import { loadDevice } from "../../host/device/module.js";
import { Rng } from "../../host/data/rng.js";
import { parsePrecision } from "../../host/precision/index.js";
import { defaultOptimizer, type ModelConfig, type OptimizerSpec } from "../../host/train/config.js";
import { DeviceModel } from "../../host/train/device-model.js";
import { parseModelSpec } from "../../host/train/model-spec.js";

const BATCH = 8;
const STEPS = 6;
const rng = Rng.forStream(7, "optimizer batches");
const batches = Array.from({ length: STEPS }, () => ({
  inputs: Float32Array.from({ length: BATCH * 12 }, () => rng.nextFloat() * 2 - 1),
  labels: Array.from({ length: BATCH }, () => rng.below(4)),
}));

function model(optimizer: OptimizerSpec, simd = false, precision = "fp32", layers = "mlp:6"): DeviceModel {
  const config: ModelConfig = {
    seed: 3,
    maxBatch: BATCH,
    inputShape: [1, 3, 4],
    heads: 1,
    classes: 4,
    layers: parseModelSpec(layers).layers,
    precision: parsePrecision(precision),
    optimizer,
  };
  return DeviceModel.create(loadDevice({ simd }), config);
}

/** One step of the published algorithm in float64; `state` carries the moments between steps. */
type Step = (w: number, g: number, i: number, t: number) => number;

function sgd(o: OptimizerSpec, params: number): Step {
  const velocity = new Float64Array(params);
  return (w, g, i, t) => {
    const d = g + o.weightDecay * w;
    if (o.momentum === 0) return w - o.lr * d;
    // torch.optim.SGD: the buffer starts as the first gradient, then b = momentum b + d.
    velocity[i] = t === 1 ? d : o.momentum * velocity[i] + d;
    return w - o.lr * velocity[i];
  };
}

function adam(o: OptimizerSpec, params: number): Step {
  const m = new Float64Array(params);
  const v = new Float64Array(params);
  return (w, g, i, t) => {
    const d = g + o.weightDecay * w;
    m[i] = o.beta1 * m[i] + (1 - o.beta1) * d;
    v[i] = o.beta2 * v[i] + (1 - o.beta2) * d * d;
    const mHat = m[i] / (1 - o.beta1 ** t);
    const vHat = v[i] / (1 - o.beta2 ** t);
    return w - (o.lr * mHat) / (Math.sqrt(vHat) + o.epsilon);
  };
}

function check(optimizer: OptimizerSpec, algorithm: (o: OptimizerSpec, params: number) => Step, simd = false): void {
  const device = model(optimizer, simd);
  let weights = Float64Array.from(device.readWeightsF32());
  const step = algorithm(optimizer, weights.length);
  for (let t = 1; t <= STEPS; t++) {
    device.putBatch(batches[t - 1].inputs, batches[t - 1].labels);
    expect(device.train(BATCH)).toBe(true);
    const g = device.gradients();
    const expected = weights.map((w, i) => step(w, g[i], i, t));
    const got = device.readWeightsF32();
    let worst = 0;
    for (let i = 0; i < got.length; i++) {
      // f32 arithmetic on the device: the step itself must agree to a small fraction of lr.
      const error = Math.abs(got[i] - expected[i]);
      if (error > worst) worst = error;
      if (error > 1e-6 * Math.max(1, Math.abs(expected[i])) + 2e-3 * optimizer.lr) {
        throw new Error(`step ${t}, parameter ${i}: device ${got[i]} (0x${new Uint32Array(Float32Array.of(got[i]).buffer)[0].toString(16)}), expected ${expected[i]}, weight before ${weights[i]}, gradient ${g[i]}`);
      }
    }
    expect(worst).toBeLessThan(2e-3 * optimizer.lr + 1e-6);
    // The step moved the weights: a zero gradient everywhere would make the comparison empty.
    expect(got.some((w, i) => w !== weights[i])).toBe(true);
    weights = Float64Array.from(got);
  }
}

/** Trains the scalar and the SIMD build on the same batches, holding their weights equal bit for bit after every step. */
function trainAlike(scalarDevice: DeviceModel, simdDevice: DeviceModel): void {
  for (let t = 1; t <= STEPS; t++) {
    for (const device of [scalarDevice, simdDevice]) {
      device.putBatch(batches[t - 1].inputs, batches[t - 1].labels);
      expect(device.train(BATCH)).toBe(true);
    }
    const [scalar, simd] = [scalarDevice, simdDevice].map((d) => { const w = d.readWeightsF32(); return new Uint32Array(w.buffer, w.byteOffset, w.length); });
    const differ = scalar.findIndex((bits, i) => bits !== simd[i]);
    if (differ >= 0) throw new Error(`step ${t}, parameter ${differ}: scalar 0x${scalar[differ].toString(16)}, SIMD 0x${simd[differ].toString(16)}`);
  }
}

describe("optimizer steps equal the published algorithms (float64, several steps from the first)", () => {
  it("SGD", () => check({ ...defaultOptimizer("sgd"), lr: 0.05 }, sgd));
  it("SGD with momentum 0.9", () => check({ ...defaultOptimizer("sgd"), lr: 0.05, momentum: 0.9 }, sgd));
  it("SGD with momentum and weight decay", () => check({ ...defaultOptimizer("sgd"), lr: 0.05, momentum: 0.5, weightDecay: 0.01 }, sgd));
  it("Adam", () => check({ ...defaultOptimizer("adam"), lr: 0.01 }, adam));
  it("Adam with weight decay and other betas", () => check({ ...defaultOptimizer("adam"), lr: 0.003, weightDecay: 0.05, beta1: 0.8, beta2: 0.99 }, adam));
  // The SIMD build updates fp32 Adam four parameters per vector.
  it("Adam, SIMD build", () => check({ ...defaultOptimizer("adam"), lr: 0.01 }, adam, true));
  it("Adam with weight decay and other betas, SIMD build", () => check({ ...defaultOptimizer("adam"), lr: 0.003, weightDecay: 0.05, beta1: 0.8, beta2: 0.99 }, adam, true));

  it("fp32 Adam gives the same weight bits in the scalar and the SIMD build", () => {
    const o = { ...defaultOptimizer("adam"), lr: 0.003, weightDecay: 0.05, beta1: 0.8, beta2: 0.99 };
    const devices = [model(o, false), model(o, true)];
    trainAlike(devices[0], devices[1]);
  });

  // With an fp32 master copy the SIMD build moves the master four parameters per vector, then rounds and
  // encodes the weights in runs of 256: 531 parameters give two whole runs, a partial one and three left
  // to the scalar loop.
  for (const precision of ["fp8-mixed", "bf16", "fp16-mixed", "fp8-mixed,weight=e5m2:rz", "fp8-pure"]) {
    it(`${precision} Adam gives the same weight bits in the scalar and the SIMD build`, () => {
      const o = { ...defaultOptimizer("adam"), lr: 0.01, weightDecay: 0.01 };
      const devices = [model(o, false, precision, "mlp:31"), model(o, true, precision, "mlp:31")];
      const start = devices[0].readWeightsF32();
      expect(start.length).toBe(531);
      trainAlike(devices[0], devices[1]);
      // The steps moved the stored weights, so the comparison covers the update.
      const end = devices[1].readWeightsF32();
      expect(end.some((w, i) => w !== start[i])).toBe(true);
    });
  }

  it("Adam's first step moves every weight with a non-zero gradient by lr (the bias-corrected ratio is sign(g))", () => {
    const o = { ...defaultOptimizer("adam"), lr: 0.01 };
    const device = model(o);
    const before = device.readWeightsF32();
    device.putBatch(batches[0].inputs, batches[0].labels);
    device.train(BATCH);
    const g = device.gradients();
    const after = device.readWeightsF32();
    let checked = 0;
    for (let i = 0; i < g.length; i++) {
      if (Math.abs(g[i]) < 1e-4) continue; // epsilon matters only for tiny gradients
      expect(Math.abs(before[i] - after[i])).toBeCloseTo(o.lr, 5);
      checked++;
    }
    expect(checked).toBeGreaterThan(10);
  });
});
