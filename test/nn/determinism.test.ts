// Every random bit derives from the run seed: the same seed gives the same bits, on the scalar and the
// SIMD module alike; evaluating never shifts training; initialisation is the documented Kaiming-uniform
// draw; loss scaling skips, halves and grows as documented.
import { describe, expect, it } from "vitest";
import { loadDevice } from "../../host/device/module.js";
import { Rng } from "../../host/data/rng.js";
import { defaultOptimizer, type ModelConfig } from "../../host/train/config.js";
import { DeviceModel } from "../../host/train/device-model.js";
import { modelConfig } from "../helpers/model-config.js";

// prng.ts, written again from its comment: draw n of key k is fmix32((n * 0x9E3779B9) ^ k).
function fmix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b) >>> 0;
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35) >>> 0;
  x ^= x >>> 16;
  return x >>> 0;
}
const drawAt = (key: number, n: number) => fmix32((Math.imul(n, 0x9e3779b9) ^ key) >>> 0);
const streamKey = (seed: number, stream: number) => fmix32((fmix32((seed ^ 0x5bd1e995) >>> 0) + Math.imul(stream, 0x9e3779b9)) >>> 0);

const BATCH = 16;
const rng = Rng.forStream(21, "determinism batches");
const batches = Array.from({ length: 4 }, () => ({
  inputs: Float32Array.from({ length: BATCH * 2 * 5 * 5 }, () => rng.nextFloat()),
  labels: Array.from({ length: BATCH }, () => rng.below(5)),
}));

function config(precision: string, seed = 4, model = "cnn:4c3,p2,fc8"): ModelConfig {
  return modelConfig({ seed, maxBatch: BATCH, inputShape: [2, 5, 5], classes: 5, model, precision, optimizer: { ...defaultOptimizer("adam"), lr: 0.01 } });
}

function run(cfg: ModelConfig, options: { simd?: boolean; evaluateBetween?: boolean; steps?: number } = {}): DeviceModel {
  const model = DeviceModel.create(loadDevice({ simd: options.simd ?? false }), cfg);
  for (let step = 0; step < (options.steps ?? batches.length); step++) {
    const b = batches[step % batches.length];
    model.putBatch(b.inputs, b.labels);
    model.train(BATCH);
    if (options.evaluateBetween) {
      model.putBatch(batches[3].inputs, batches[3].labels);
      model.evaluate(BATCH);
    }
  }
  return model;
}

// Every stochastic role at once: sr products and sums, sr activations, errors, gradients, weights, state.
const ALL_SR = "fp8-pure,mul=e5m7:sr,activation=e4m3:sr,error=e5m2:sr,gradient=e5m2:sr,optimizer=bf16:sr";

describe("reproducibility", () => {
  it.each(["fp8-mixed", "fp8-pure", ALL_SR, "fp8-mixed,gemm=fast", "bf16,fma=on,acc=bf16:sr"])("%s: same seed, same bits; another seed, other bits", (precision) => {
    const a = run(config(precision)).readWeights();
    expect(run(config(precision)).readWeights()).toEqual(a);
    expect(run(config(precision, 5)).readWeights()).not.toEqual(a);
  });

  it.each(["fp32", "fp32,lossScale=dynamic:1000:2", "fp8-mixed", ALL_SR, "fp8-mixed,gemm=fast", "bf16,fma=on"])("%s: the SIMD module gives the scalar module's bits", (precision) => {
    const scalar = run(config(precision), { simd: false });
    const simd = run(config(precision), { simd: true });
    expect(simd.readWeights()).toEqual(scalar.readWeights());
    // Every count too (the SIMD build counts zeros and nonzeros four at a time); only the heap differs,
    // by the two modules' own static data.
    expect({ ...simd.telemetry(), heapBytes: 0 }).toEqual({ ...scalar.telemetry(), heapBytes: 0 });
  });

  it("evaluating between steps does not change the training bits (evaluation has its own streams)", () => {
    const plain = run(config(ALL_SR));
    const interleaved = run(config(ALL_SR), { evaluateBetween: true });
    expect(interleaved.readWeights()).toEqual(plain.readWeights());
  });

  it("the SR bit count reaches the GEMM: 1 and 32 random bits give other gradients", () => {
    // Gradients kept in fp32 so that e5m2 rounding of the gradient role cannot hide the sums' differences.
    const one = run(config("fp8-mixed,acc=fp16:sr:1,gradient=fp32")).gradients();
    expect(run(config("fp8-mixed,acc=fp16:sr:1,gradient=fp32")).gradients()).toEqual(one);
    expect(run(config("fp8-mixed,acc=fp16:sr:32,gradient=fp32")).gradients()).not.toEqual(one);
  });
});

describe("initialisation", () => {
  it("weight j is (2u - 1) * sqrt(6 / fanIn) with u = (draw j of stream 1 >> 8) / 2^24; biases are 0", () => {
    const seed = 12345;
    const model = DeviceModel.create(loadDevice(), { ...config("fp32", seed, "mlp:30"), inputShape: [1, 7, 7] });
    const w = model.readWeightsF32();
    const key = streamKey(seed, 1);
    // Layer 1: 49 inputs -> 30 (weights 0..1469, biases 1470..1499); output: 30 -> 5.
    const layers = [
      { first: 0, fanIn: 49, outputs: 30 },
      { first: 49 * 30 + 30, fanIn: 30, outputs: 5 },
    ];
    for (const { first, fanIn, outputs } of layers) {
      const bound = Math.fround(Math.sqrt(Math.fround(6 / fanIn)));
      for (let i = 0; i < fanIn * outputs; i++) {
        const u = (drawAt(key, first + i) >>> 8) * 2 ** -24;
        expect(w[first + i], `weight ${first + i}`).toBe(Math.fround((2 * u - 1) * bound));
      }
      for (let o = 0; o < outputs; o++) expect(w[first + fanIn * outputs + o]).toBe(0);
    }
  });

  it("init is rounded to the weight format", () => {
    const model = DeviceModel.create(loadDevice(), config("fp8-mixed"));
    const fp32 = DeviceModel.create(loadDevice(), config("fp32"));
    const exact = fp32.readWeightsF32();
    const rounded = model.readWeightsF32();
    let changed = 0;
    for (let i = 0; i < exact.length; i++) {
      // e4m3 keeps 4 significant bits: within 2^-4 relative of the exact value (or 2^-9 absolute, subnormals).
      expect(Math.abs(rounded[i] - exact[i])).toBeLessThanOrEqual(Math.max(Math.abs(exact[i]) * 2 ** -4, 2 ** -10));
      if (rounded[i] !== exact[i]) changed++;
    }
    expect(changed).toBeGreaterThan(exact.length / 2);
  });
});

describe("loss scaling", () => {
  it("in fp32 a static power-of-two scale changes no bit (scaling and unscaling are exact)", () => {
    const plain = run(config("fp32")).readWeights();
    expect(run(config("fp32,lossScale=1024")).readWeights()).toEqual(plain);
    expect(run(config("fp32,lossScale=static:0.25")).readWeights()).toEqual(plain);
  });

  it("a dynamic scale doubles after each interval of clean steps", () => {
    const model = run(config("fp32,lossScale=dynamic:1:2"), { steps: 5 });
    const t = model.telemetry();
    expect(t.steps).toBe(5);
    expect(t.skippedSteps).toBe(0);
    expect(t.lossScale).toBe(4); // 1 -> 2 after step 2 -> 4 after step 4
  });

  // Both builds: the SIMD build unscales and checks the gradients four at a time.
  it.each([false, true])("on overflow the step is skipped (weights unchanged) and the scale halves (SIMD build: %s)", (simd) => {
    // fp16 errors overflow above 65504: a scale of 2^40 makes the logits' gradient infinite.
    const cfg = config("fp32,error=fp16,lossScale=dynamic:1099511627776:1000");
    const model = DeviceModel.create(loadDevice({ simd }), cfg);
    const before = model.readWeights();
    model.putBatch(batches[0].inputs, batches[0].labels);
    expect(model.train(BATCH)).toBe(false);
    expect(model.readWeights()).toEqual(before);
    let t = model.telemetry();
    expect(t.skippedSteps).toBe(1);
    expect(t.lossScale).toBe(2 ** 39);
    // It keeps halving until the scaled gradients fit, then steps apply.
    let applied = false;
    for (let i = 0; i < 40 && !applied; i++) applied = model.train(BATCH);
    t = model.telemetry();
    expect(applied).toBe(true);
    expect(t.lossScale).toBeLessThan(2 ** 30);
    expect(t.lossScale).toBeGreaterThan(1);
    expect(model.readWeights()).not.toEqual(before);
  });

  // A scale of 1 skips the division; the check for values that are not finite must still run.
  it.each([false, true])("without a loss scale a step whose gradients are not finite is skipped (SIMD build: %s)", (simd) => {
    const model = DeviceModel.create(loadDevice({ simd }), config("fp32"));
    const before = model.readWeights();
    // Inputs near f32's largest value overflow the first layer's sums: the loss's gradient is NaN.
    model.putBatch(batches[0].inputs.map((v) => v * 3e38), batches[0].labels);
    expect(model.train(BATCH)).toBe(false);
    expect(model.readWeights()).toEqual(before);
    expect(model.telemetry().skippedSteps).toBe(1);
    model.putBatch(batches[0].inputs, batches[0].labels);
    expect(model.train(BATCH)).toBe(true);
    expect(model.readWeights()).not.toEqual(before);
  });

  it.each([false, true])("without dynamic scaling an overflowing step is skipped and the static scale stays (SIMD build: %s)", (simd) => {
    const model = DeviceModel.create(loadDevice({ simd }), config("fp32,error=fp16,lossScale=1099511627776"));
    const before = model.readWeights();
    model.putBatch(batches[0].inputs, batches[0].labels);
    expect(model.train(BATCH)).toBe(false);
    expect(model.readWeights()).toEqual(before);
    expect(model.telemetry().lossScale).toBe(2 ** 40);
  });
});

describe("MAC counts", () => {
  it("count every GEMM MAC by pass, as the layer shapes give them", () => {
    const model = DeviceModel.create(loadDevice(), config("fp32", 1, "cnn:3c3,p2,fc6"));
    model.putBatch(batches[0].inputs, batches[0].labels);
    model.train(BATCH);
    model.evaluate(BATCH);
    const t = model.telemetry();
    // conv 3x3 pad 1 on 5x5x2 -> 5x5x3; pool 2 -> 2x2x3 = 12; fc 12 -> 6; output 6 -> 5.
    const conv = 25 * 3 * 18, fc = 12 * 6, out = 6 * 5;
    const forward = BATCH * (conv + fc + out);
    expect(t.macsForward).toBe(forward);
    expect(t.macsEval).toBe(forward);
    // dW as forward, plus db (one MAC per output value); dX for every layer but the first.
    expect(t.macsBackwardWeight).toBe(forward + BATCH * (25 * 3 + 6 + 5));
    expect(t.macsBackwardData).toBe(BATCH * (fc + out));
  });
});
