// Numeric health (docs/precision.md "Numeric health"): the device's counters against counts the test
// derives from the format definitions (test/helpers/reference.ts) on hand-made values around each
// format's largest value, smallest subnormal and half-ulp boundaries. Counting never changes a bit.
import { describe, expect, it } from "vitest";
import { loadDevice, type Device } from "../../host/device/module.js";
import { defaultOptimizer, encodeConfig, type ModelConfig } from "../../host/train/config.js";
import * as abi from "../../assembly/nn/abi.js";
import { modelConfig } from "../helpers/model-config.js";
import { refFormat } from "../helpers/reference.js";
import { expected, roundNearest } from "../helpers/health.js";

// OCP OFP8 E4M3 (bias 7, no inf, NaN at S.1111.111, max 448) and E5M2 (IEEE-like, max 57344).
const E4M3 = refFormat({ kind: "float", e: 4, m: 3, specials: "fn", subnormals: true, saturate: false });
const E5M2 = refFormat({ kind: "float", e: 5, m: 2, specials: "ieee", subnormals: true, saturate: false });

const f32 = (x: number) => Math.fround(x);

function create(device: Device, config: ModelConfig): number {
  const words = encodeConfig(config);
  const at = device.alloc(words.byteLength);
  device.u32(at, words.length).set(words);
  const handle = device.exports.nn_create(at, words.length);
  expect(handle).toBeGreaterThan(0);
  return handle;
}

/** Row (layer, role) of the health block as named counts. */
function row(device: Device, handle: number, layer: number, role: number) {
  const block = device.exports.nn_health(handle) >>> 0;
  const at = block + (layer * abi.ROLE_COUNT + role) * abi.HEALTH_WORDS * 8;
  const w = new Float64Array(device.exports.memory.buffer, at, abi.HEALTH_WORDS);
  return {
    values: w[abi.H_VALUES], overflows: w[abi.H_OVERFLOWS], underflows: w[abi.H_UNDERFLOWS],
    updates: w[abi.H_UPDATES], swamped: w[abi.H_SWAMPED], maxAbs: w[abi.H_MAX_ABS],
  };
}

/** One Linear layer from `inputs` features to `outputs` classes; SGD with lr 1 so a step moves a weight by its gradient. */
function singleLinear(precision: string, inputs: number, outputs: number, health = true): ModelConfig {
  return {
    ...modelConfig({
      seed: 3, maxBatch: 1, inputShape: [inputs], classes: outputs, model: "mlp", precision,
      optimizer: { ...defaultOptimizer("sgd"), lr: 1 },
    }),
    health,
  };
}

function setParams(device: Device, handle: number, values: readonly number[]): void {
  const at = device.alloc(values.length * 4);
  device.f32(at, values.length).set(values);
  expect(device.exports.nn_params_write_f32(handle, at)).toBe(abi.NN_OK);
}

describe("activation health on hand-made values (e4m3, round to nearest even)", () => {
  // Around E4M3's max 448 (next step 480: 464 is the tie that rounds back to 448) and its smallest
  // subnormal 2^-9 (2^-10 is the tie that rounds to zero).
  const outputs = [
    448, 464, 470, 480, 1e6, -500, 300,
    2 ** -9, 2 ** -10, f32(2 ** -10 * 1.01), 2 ** -11, -(2 ** -10), -(2 ** -12), 0, 1, -0.75,
  ];

  it("values, overflows, underflows, max |x| and range used equal the format's counts", () => {
    const device = loadDevice();
    // One input of 1 (exact in e4m3), weights = the wanted outputs, biases 0: fp32 products and sums give
    // each output exactly its weight before the activation rounding.
    const handle = create(device, singleLinear("fp32,activation=e4m3", 1, outputs.length));
    setParams(device, handle, [...outputs, ...outputs.map(() => 0)]);
    device.f32(device.exports.nn_inputs(handle) >>> 0, 1)[0] = 1;
    device.u32(device.exports.nn_labels(handle) >>> 0, 1)[0] = 0;
    expect(device.exports.nn_health_reset(handle)).toBe(abi.NN_OK);
    device.exports.nn_evaluate(handle, 1);
    const got = row(device, handle, 0, abi.ROLE_ACTIVATION);
    const want = expected(E4M3, outputs);
    expect(want.overflows).toBe(5); // 464, 470, 480, 1e6, -500
    expect(want.underflows).toBe(4); // 2^-10, 2^-11, -2^-10, -2^-12
    expect({ values: got.values, overflows: got.overflows, underflows: got.underflows, maxAbs: got.maxAbs })
      .toEqual({ values: want.values, overflows: want.overflows, underflows: want.underflows, maxAbs: want.maxAbs });
  });
});

describe("error health: the loss gradient at the output layer (e5m2)", () => {
  // Two classes with equal logits: softmax (1/2, 1/2), so dLoss/dlogits = (-1/2, 1/2) x the loss scale
  // for label 0 and a batch of 1. A scale of 2^17 puts both past e5m2's 57344; 2^-18 puts both below
  // half its smallest subnormal 2^-16.
  it.each([
    ["overflow", 2 ** 17],
    ["underflow", 2 ** -18],
    ["neither", 2 ** 4],
  ])("%s with a static loss scale of %d", (_name, scale) => {
    const device = loadDevice();
    const handle = create(device, singleLinear(`fp32,error=e5m2,lossScale=static:${scale}`, 1, 2));
    setParams(device, handle, [0, 0, 0, 0]);
    device.f32(device.exports.nn_inputs(handle) >>> 0, 1)[0] = 1;
    device.u32(device.exports.nn_labels(handle) >>> 0, 1)[0] = 0;
    device.exports.nn_backward(handle, 1);
    const got = row(device, handle, 0, abi.ROLE_ERROR);
    const want = expected(E5M2, [-0.5 * scale, 0.5 * scale]);
    expect({ values: got.values, overflows: got.overflows, underflows: got.underflows, maxAbs: got.maxAbs })
      .toEqual({ values: want.values, overflows: want.overflows, underflows: want.underflows, maxAbs: want.maxAbs });
  });
});

describe("weight updates: swamping, overflow and underflow of the stored weight (e4m3, no master copy)", () => {
  // Param order of a Linear 1 -> 2: two weights, then two biases. With SGD at lr 1 a weight w becomes
  // round(w - g). At 1.5 e4m3's spacing is 1/8: g = 1/16 is exactly half an ulp (the tie goes to the even
  // code, 1.5, so the update is lost); g a little over 1/16 moves the weight; 448 - (-100) overflows;
  // 2^-9 - 0.75 * 2^-9 = 2^-11 rounds to zero.
  const cases = [
    { w: 1.5, g: 1 / 16 },
    { w: 1.5, g: 1 / 16 + 2 ** -10 },
    { w: 448, g: -100 },
    { w: 2 ** -9, g: 0.75 * 2 ** -9 },
  ];
  const more = [
    { w: 1.5, g: 0 },
    { w: 1.5, g: -0.05 },
    { w: 0.25, g: 2 ** -7 },
    { w: -2, g: 2 ** -4 - 2 ** -12 },
  ];

  it.each([
    ["four updates", cases],
    ["zero, small and half-ulp updates", more],
  ])("%s: the counts of the format's own rounding", (_name, set) => {
    const device = loadDevice();
    const handle = create(device, singleLinear("fp32,weight=e4m3", 1, 2));
    setParams(device, handle, set.map((c) => c.w));
    const grads = device.f32(device.exports.nn_gradients(handle) >>> 0, set.length);
    grads.set(set.map((c) => c.g));
    expect(device.exports.nn_step(handle)).toBe(1);
    const got = row(device, handle, 0, abi.ROLE_WEIGHT);
    const targets = set.map((c) => f32(c.w - c.g));
    const want = expected(E4M3, targets);
    const updates = set.filter((c) => c.g !== 0).length;
    const swamped = set.filter((c) => c.g !== 0 && roundNearest(E4M3, f32(c.w - c.g)) === c.w).length;
    expect(swamped).toBe(set === cases ? 1 : 3);
    const { rangeUsed: _unused, ...counts } = want;
    expect(got).toEqual({ ...counts, updates, swamped });
  });

  it("with a master copy the update is judged on the master copy (fp32 here: nothing swamped at these sizes)", () => {
    const device = loadDevice();
    const handle = create(device, singleLinear("fp32,weight=e4m3,master=fp32", 1, 2));
    setParams(device, handle, cases.map((c) => c.w));
    device.f32(device.exports.nn_gradients(handle) >>> 0, 4).set(cases.map((c) => c.g));
    device.exports.nn_step(handle);
    expect(row(device, handle, 0, abi.ROLE_MASTER)).toMatchObject({ values: 4, updates: 4, swamped: 0 });
    expect(row(device, handle, 0, abi.ROLE_WEIGHT)).toMatchObject({ values: 4, updates: 0, swamped: 0 });
  });
});

describe("counting health never changes a bit", () => {
  it("the same steps with and without FLAG_HEALTH leave the same stored weights (fp8-mixed, Adam, a hidden layer)", () => {
    const run = (health: boolean) => {
      const device = loadDevice();
      const config = {
        ...modelConfig({ seed: 11, maxBatch: 4, inputShape: [6], classes: 3, model: "mlp:5", precision: "fp8-pure", optimizer: "adam" }),
        health,
      };
      const handle = create(device, config);
      const inputs = device.f32(device.exports.nn_inputs(handle) >>> 0, 24);
      inputs.set(Array.from({ length: 24 }, (_, i) => ((i * 37) % 11) / 7 - 0.6));
      device.u32(device.exports.nn_labels(handle) >>> 0, 4).set([0, 1, 2, 1]);
      for (let s = 0; s < 5; s++) device.exports.nn_train(handle, 4);
      const bytes = device.exports.nn_param_bytes(handle);
      const at = device.alloc(bytes);
      device.exports.nn_params_read(handle, at);
      return { weights: Array.from(device.u8(at, bytes)), health: device.exports.nn_health(handle) >>> 0 };
    };
    const off = run(false), on = run(true);
    expect(off.health).toBe(0);
    expect(on.health).not.toBe(0);
    expect(on.weights).toEqual(off.weights);
  });
});
