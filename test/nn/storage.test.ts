// Packed weight storage: a model in e4m3 takes one byte per weight (fp16: two), the bytes decode (by an
// independent decoder) to the weights the model computes with, and a model saved as bytes reloads to
// the same values on a fresh device.
import { describe, expect, it } from "vitest";
import { getFloat16 } from "@petamoriken/float16";
import { loadDevice } from "../../host/device/module.js";
import { Rng } from "../../host/data/rng.js";
import { parsePrecision } from "../../host/precision/index.js";
import { defaultOptimizer, type ModelConfig } from "../../host/train/config.js";
import { DeviceModel } from "../../host/train/device-model.js";
import { modelConfig } from "../helpers/model-config.js";

/** OCP OFP8 E4M3: bias 7, subnormals m/8 * 2^-6, NaN only at S.1111.111, no infinities. */
function decodeE4m3(code: number): number {
  const sign = code & 0x80 ? -1 : 1;
  const e = (code >> 3) & 15;
  const m = code & 7;
  if (e === 15 && m === 7) return NaN;
  return sign * (e === 0 ? (m / 8) * 2 ** -6 : (1 + m / 8) * 2 ** (e - 7));
}

// Each test gives its own precision.
const MLP_784 = modelConfig({ seed: 3, maxBatch: 16, inputShape: [1, 28, 28], classes: 10, model: "mlp:400,400", precision: "fp32", optimizer: "adam" });
const PARAMS_784_400_400_10 = 784 * 400 + 400 + 400 * 400 + 400 + 400 * 10 + 10; // 478,410

describe("device memory of a model", () => {
  it.each([
    // precision, bytes per weight, master bytes per weight, optimizer bytes per weight (Adam: two moments)
    ["fp8-mixed", 1, 4, 8],
    ["fp8-pure", 1, 0, 4],
    ["fp16-mixed", 2, 4, 8],
    ["bf16", 2, 4, 8],
    ["fp32", 4, 0, 8],
    ["fp32,weight=tf32", 4, 0, 8],
    ["fp8-mixed,optimizer=e5m2", 1, 4, 2],
  ] as const)("%s: %d B per weight, master %d B, optimizer %d B", (precision, weightBytes, masterBytes, optimizerBytes) => {
    const model = DeviceModel.create(loadDevice(), { ...MLP_784, precision: parsePrecision(precision) });
    const t = model.telemetry();
    expect(model.params).toBe(PARAMS_784_400_400_10);
    expect(model.paramBytes).toBe(PARAMS_784_400_400_10 * weightBytes);
    expect(t.modelBytes).toBe(PARAMS_784_400_400_10 * weightBytes);
    expect(t.masterBytes).toBe(PARAMS_784_400_400_10 * masterBytes);
    expect(t.optimizerBytes).toBe(PARAMS_784_400_400_10 * optimizerBytes);
    expect(t.gradientBytes).toBe(PARAMS_784_400_400_10 * 4);
    expect(t.linearMemoryBytes).toBeGreaterThanOrEqual(t.heapBytes);
    expect(t.heapBytes).toBeGreaterThan(t.modelBytes + t.masterBytes + t.optimizerBytes + t.gradientBytes + t.workBytes);
  });

  it("SGD without momentum keeps no optimizer state; with momentum one buffer", () => {
    const plain = DeviceModel.create(loadDevice(), { ...MLP_784, precision: parsePrecision("fp32"), optimizer: defaultOptimizer("sgd") });
    expect(plain.telemetry().optimizerBytes).toBe(0);
    const momentum = DeviceModel.create(loadDevice(), {
      ...MLP_784,
      precision: parsePrecision("fp16-mixed,optimizer=fp16"),
      optimizer: { ...defaultOptimizer("sgd"), momentum: 0.9 },
    });
    expect(momentum.telemetry().optimizerBytes).toBe(PARAMS_784_400_400_10 * 2);
  });
});

describe("packed weights", () => {
  const SMALL = modelConfig({
    seed: 5, maxBatch: 8, inputShape: [1, 6, 6], classes: 4, model: "mlp:12", precision: "fp8-mixed",
    optimizer: { ...defaultOptimizer("adam"), lr: 0.01 },
  });
  const rng = Rng.forStream(9, "storage batches");
  const inputs = Float32Array.from({ length: 8 * 36 }, () => rng.nextFloat());
  const labels = Array.from({ length: 8 }, () => rng.below(4));

  function trained(config: ModelConfig, steps: number): DeviceModel {
    const model = DeviceModel.create(loadDevice(), config);
    for (let i = 0; i < steps; i++) {
      model.putBatch(inputs, labels);
      model.train(8);
    }
    return model;
  }

  it("e4m3 bytes decode to the weights the model computes with", () => {
    const model = trained(SMALL, 3);
    const bytes = model.readWeights();
    expect(bytes.length).toBe(model.params);
    const values = model.readWeightsF32();
    bytes.forEach((code, i) => expect(values[i], `weight ${i}: code 0x${code.toString(16)}`).toBe(Math.fround(decodeE4m3(code))));
    expect(new Set(bytes).size).toBeGreaterThan(20); // a trained model uses many codes, not a constant
  });

  it("fp16 bytes are IEEE binary16 codes, two per weight (little-endian)", () => {
    const model = trained({ ...SMALL, precision: parsePrecision("fp16-mixed") }, 2);
    const bytes = model.readWeights();
    expect(bytes.length).toBe(2 * model.params);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const values = model.readWeightsF32();
    for (let i = 0; i < model.params; i++) expect(values[i], `weight ${i}`).toBe(getFloat16(view, 2 * i, true));
  });

  it("a model saved in e4m3 reloads to the same values on a fresh device", () => {
    const saved = trained(SMALL, 4);
    const bytes = saved.readWeights();
    const reloaded = DeviceModel.create(loadDevice(), { ...SMALL, seed: 77 });
    expect(reloaded.readWeights()).not.toEqual(bytes); // another seed starts elsewhere
    reloaded.writeWeights(bytes);
    expect(reloaded.readWeights()).toEqual(bytes);
    expect(reloaded.readWeightsF32()).toEqual(saved.readWeightsF32());
    saved.putBatch(inputs, labels);
    const correct = saved.evaluate(8);
    reloaded.putBatch(inputs, labels);
    expect(reloaded.evaluate(8)).toBe(correct);
    expect(reloaded.logits(8)).toEqual(saved.logits(8));
  });

  it("the master copy takes the reloaded values: a zero-rate step leaves the weights as loaded", () => {
    const bytes = trained(SMALL, 4).readWeights();
    const zeroRate: ModelConfig = { ...SMALL, seed: 78, optimizer: { ...defaultOptimizer("sgd"), lr: 0 } };
    const reloaded = DeviceModel.create(loadDevice(), zeroRate);
    reloaded.writeWeights(bytes);
    reloaded.putBatch(inputs, labels);
    expect(reloaded.train(8)).toBe(true);
    expect(reloaded.readWeights()).toEqual(bytes);
  });

  it("refuses a byte count that is not one code per weight", () => {
    const model = DeviceModel.create(loadDevice(), SMALL);
    expect(() => model.writeWeights(new Uint8Array(model.params + 1))).toThrow(
      `expected ${model.params} bytes of stored weights, received ${model.params + 1}`,
    );
  });
});
