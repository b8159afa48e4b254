// The device's nn_* commands refuse bad input with a status (never a trap), and a refused command loses
// nothing already on the device.
import { describe, expect, it } from "vitest";
import { loadDevice, type Device } from "../../host/device/module.js";
import { RunError, UsageError } from "../../host/errors.js";
import { parsePrecision } from "../../host/precision/index.js";
import { encodeConfig, type ModelConfig } from "../../host/train/config.js";
import { DeviceModel } from "../../host/train/device-model.js";
import { parseModelSpec } from "../../host/train/model-spec.js";
import * as abi from "../../assembly/nn/abi.js";
import { modelConfig } from "../helpers/model-config.js";

const BASE: ModelConfig = modelConfig({
  seed: 1, maxBatch: 4, inputShape: [1, 4, 4], heads: 2, classes: 3, model: "cnn:2c3,p2,fc5", precision: "fp8-mixed", optimizer: "adam",
});

function create(device: Device, words: Uint32Array): number {
  const at = device.alloc(words.byteLength);
  device.u32(at, words.length).set(words);
  return device.exports.nn_create(at, words.length);
}

/** BASE's config words with some words changed. */
function edited(change: (words: Uint32Array) => void, config: ModelConfig = BASE): Uint32Array {
  const words = encodeConfig(config);
  change(words);
  return words;
}

const role = (r: number, field: number) => abi.CFG_ROLES + r * abi.ROLE_WORDS + field;
const f32Bits = (x: number) => new Uint32Array(new Float32Array([x]).buffer)[0];
// spec/formats.json layout: kind | specials << 4 | e << 8 | m << 16
const word = (kind: number, specials: number, e: number, m: number) => (kind | (specials << 4) | (e << 8) | (m << 16)) >>> 0;

describe("nn_create refuses a bad config with a status", () => {
  it.each([
    ["another ABI version", abi.NN_BAD_VERSION, (w: Uint32Array) => (w[abi.CFG_VERSION] = abi.NN_ABI_VERSION + 1)],
    ["a layer count that disagrees with the length", abi.NN_BAD_CONFIG, (w: Uint32Array) => (w[abi.CFG_LAYER_COUNT] += 1)],
    ["an unknown optimizer", abi.NN_BAD_CONFIG, (w: Uint32Array) => (w[abi.CFG_OPTIMIZER] = 7)],
    ["a NaN learning rate", abi.NN_BAD_CONFIG, (w: Uint32Array) => (w[abi.CFG_LR] = 0x7fc00000)],
    ["an unknown loss-scale kind", abi.NN_BAD_CONFIG, (w: Uint32Array) => (w[abi.CFG_LOSS_SCALE_KIND] = 3)],
    ["a zero loss scale", abi.NN_BAD_CONFIG, (w: Uint32Array) => (w[abi.CFG_LOSS_SCALE] = 0)],
    ["a dynamic scale that never grows", abi.NN_BAD_CONFIG, (w: Uint32Array) => (w[abi.CFG_LOSS_SCALE_INTERVAL] = 0)],
    ["a weight format with e = 9", abi.NN_BAD_FORMAT, (w: Uint32Array) => (w[role(abi.ROLE_WEIGHT, 0)] = word(0, 0, 9, 2))],
    ["an MX block format for activations", abi.NN_BAD_FORMAT, (w: Uint32Array) => (w[role(abi.ROLE_ACTIVATION, 0)] = word(2, 1, 4, 3))],
    ["an absent error format", abi.NN_BAD_FORMAT, (w: Uint32Array) => (w[role(abi.ROLE_ERROR, 0)] = 0)],
    ["rounding code 7", abi.NN_BAD_ROUNDING, (w: Uint32Array) => (w[role(abi.ROLE_ACC, 1)] = 7)],
    ["33 SR bits", abi.NN_BAD_ROUNDING, (w: Uint32Array) => (w[role(abi.ROLE_ACC, 2)] = 33)],
    ["layer kind 99", abi.NN_BAD_LAYER, (w: Uint32Array) => (w[abi.CFG_LAYERS] = 99)],
    ["a conv with a 0 x 0 kernel", abi.NN_BAD_LAYER, (w: Uint32Array) => (w[abi.CFG_LAYERS + 2] = 0)],
    ["a conv kernel larger than its padded input", abi.NN_BAD_SHAPE, (w: Uint32Array) => (w[abi.CFG_LAYERS + 2] = 9)],
    ["a pool window larger than its input", abi.NN_BAD_SHAPE, (w: Uint32Array) => (w[abi.CFG_LAYERS + 2 * abi.LAYER_WORDS + 1] = 5)],
    ["batch 0", abi.NN_BAD_BATCH, (w: Uint32Array) => (w[abi.CFG_MAX_BATCH] = 0)],
    ["no heads", abi.NN_BAD_SHAPE, (w: Uint32Array) => (w[abi.CFG_HEADS] = 0)],
    ["an empty input", abi.NN_BAD_SHAPE, (w: Uint32Array) => (w[abi.CFG_IN_H] = 0)],
  ])("%s", (_name, status, change) => {
    expect(create(loadDevice(), edited(change))).toBe(status);
  });

  it("a model too large for a 32-bit address space: out of memory", () => {
    // 784 -> 1,000,000 -> 10 holds 0.79 G weights: 3.1 GB as fp32, as much again for gradients.
    const words = encodeConfig({ ...BASE, inputShape: [1, 28, 28], heads: 1, layers: parseModelSpec("mlp:1000000").layers, precision: parsePrecision("fp32") });
    expect(create(loadDevice(), words)).toBe(abi.NN_OUT_OF_MEMORY);
  });

  it("a config shorter than its header", () => {
    expect(create(loadDevice(), new Uint32Array(abi.CFG_LAYERS - 1))).toBe(abi.NN_BAD_CONFIG);
  });

  it("a refused create loses nothing: the model already built still answers the same", () => {
    const device = loadDevice();
    const model = DeviceModel.create(device, BASE);
    const inputs = Float32Array.from({ length: 4 * 16 }, (_, i) => (i % 7) / 7);
    model.putBatch(inputs, [0, 1, 2, 0]);
    model.train(4);
    const weights = model.readWeights();
    model.putBatch(inputs, [0, 1, 2, 0]);
    model.evaluate(4);
    const logits = model.logits(4);
    expect(create(device, edited((w) => (w[abi.CFG_VERSION] = 99)))).toBe(abi.NN_BAD_VERSION);
    expect(create(device, encodeConfig({ ...BASE, inputShape: [1, 28, 28], heads: 1, layers: parseModelSpec("mlp:1000000").layers }))).toBe(abi.NN_OUT_OF_MEMORY);
    expect(model.readWeights()).toEqual(weights);
    model.putBatch(inputs, [0, 1, 2, 0]);
    model.evaluate(4);
    expect(model.logits(4)).toEqual(logits);
  });
});

describe("commands on a model refuse bad arguments", () => {
  const device = loadDevice();
  const model = DeviceModel.create(device, BASE);
  const e = device.exports;
  const handle = model.handle;

  it("an unknown handle", () => {
    for (const h of [0, -1, handle + 1, 1 << 30]) {
      expect(e.nn_train(h, 1)).toBe(abi.NN_BAD_MODEL);
      expect(e.nn_evaluate(h, 1)).toBe(abi.NN_BAD_MODEL);
      expect(e.nn_backward(h, 1)).toBe(abi.NN_BAD_MODEL);
      expect(e.nn_set_head(h, 0)).toBe(abi.NN_BAD_MODEL);
      expect(e.nn_params_read(h, 0)).toBe(abi.NN_BAD_MODEL);
      expect(e.nn_params_write(h, 0)).toBe(abi.NN_BAD_MODEL);
      expect(e.nn_param_count(h)).toBe(abi.NN_BAD_MODEL);
      expect(e.nn_telemetry(h)).toBe(0);
      expect(e.nn_inputs(h)).toBe(0);
    }
  });

  it("a batch of 0 or more than the model was built for", () => {
    for (const n of [0, -3, BASE.maxBatch + 1]) {
      expect(e.nn_train(handle, n)).toBe(abi.NN_BAD_BATCH);
      expect(e.nn_evaluate(handle, n)).toBe(abi.NN_BAD_BATCH);
      expect(e.nn_backward(handle, n)).toBe(abi.NN_BAD_BATCH);
    }
  });

  it("a label outside the active head's classes, and no step is taken", () => {
    const before = model.readWeights();
    const labels = device.u32(e.nn_labels(handle) >>> 0, 2);
    labels.set([1, BASE.classes]);
    expect(e.nn_train(handle, 2)).toBe(abi.NN_BAD_LABEL);
    labels.set([1, 0xffffffff]);
    expect(e.nn_train(handle, 2)).toBe(abi.NN_BAD_LABEL);
    expect(model.readWeights()).toEqual(before);
    expect(model.telemetry().steps).toBe(0);
  });

  it("a head that does not exist", () => {
    expect(e.nn_set_head(handle, BASE.heads)).toBe(abi.NN_BAD_HEAD);
    expect(e.nn_set_head(handle, -1)).toBe(abi.NN_BAD_HEAD);
    expect(e.nn_set_head(handle, 1)).toBe(abi.NN_OK);
  });

  it("the host driver turns statuses into errors that say what is wrong", () => {
    expect(() => model.train(BASE.maxBatch + 1)).toThrow(RunError);
    expect(() => model.train(BASE.maxBatch + 1)).toThrow("device train failed: batch size out of range");
    expect(() => model.setHead(9)).toThrow("device set head failed: no such head");
    expect(() => model.putBatch(new Float32Array(16), [0], 2)).toThrow(UsageError);
    expect(() => model.putBatch(new Float32Array(16 * 9), new Array(9).fill(0))).toThrow("expected a batch of 1 to 4 samples, received 9");
    expect(() => model.inputGradient(1)).toThrow("inputGradient");
    expect(() => DeviceModel.create(loadDevice(), { ...BASE, layers: [{ kind: "maxpool", kernel: 9, stride: 1 }] })).toThrow(
      "device model create failed: a layer does not fit its input, or the model is too large",
    );
  });
});
