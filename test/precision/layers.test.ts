// Per-layer precision (layer<N>.<role>=..., docs/precision.md): parsing and refusals, and the device
// running each layer's own role, checked by an independent route to the same arithmetic: overriding a
// role on every layer with weights must give the bits of the run whose spec sets that role.
import { describe, expect, it } from "vitest";
import { parsePrecision, precisionText, shortPrecisionText, parsePolicy, preset } from "../../host/precision/index.js";
import { checkLayerOverrides } from "../../host/train/config.js";
import { parseModelSpec } from "../../host/train/model-spec.js";
import { UsageError } from "../../host/errors.js";
import { runOn, learning } from "../helpers/cl-run.js";
import { smallRun } from "../helpers/run-options.js";
import { CommandBoard, testFormat } from "../helpers/device.js";
import { deployPayload } from "../helpers/learner.js";
import { refFormat } from "../helpers/reference.js";
import { drawAt, streamKey } from "../helpers/stream.js";
import { f32Bits } from "../helpers/bits.js";

describe("per-layer items", () => {
  it("parse into overrides in layer and role order, and print back", () => {
    const spec = parsePrecision("fp8-mixed,layer2.acc=fp32,layer0.error=e4m3:sr:8,layer0.activation=fp16");
    expect(spec.layers).toEqual([
      { layer: 0, role: "activation", spec: { format: "fp16", rounding: "rne" } },
      { layer: 0, role: "error", spec: { format: "e4m3", rounding: "sr", srBits: 8 } },
      { layer: 2, role: "acc", spec: { format: "fp32", rounding: "rne" } },
    ]);
    expect(parsePrecision(precisionText(spec))).toEqual(spec);
    expect(shortPrecisionText(spec)).toBe("fp8-mixed,layer0.activation=fp16:rne,layer0.error=e4m3:sr:8,layer2.acc=fp32:rne");
    expect(parsePrecision("fp8-mixed").layers).toBeUndefined();
  });

  it.each([
    ["fp8-mixed,layer0.master=fp16", /a role of a layer's own \(weight, activation, error, gradient, mul, acc; master, optimizer and replay are the model's\)/],
    ["fp8-mixed,layer0.replay=fp16", /a role of a layer's own/],
    ["fp8-mixed,layer0.optimizer=fp16", /a role of a layer's own/],
    ["fp8-mixed,layer0.acc=fp32,layer0.acc=fp16", /each precision key once, received "layer0.acc twice"/],
    ["fp8-mixed,layer0.acc=e9m1", /exponent bits E in 1..8/],
    ["fp8-mixed,layer0.mul=mxfp4", /a scalar format for mul/],
  ])("refuse %s", (text, message) => {
    expect(() => parsePrecision(text)).toThrow(UsageError);
    expect(() => parsePrecision(text)).toThrow(message);
  });

  it("must name a layer with weights of the model, listing them", () => {
    const layers = parseModelSpec("mlp:16").layers;
    expect(() => checkLayerOverrides(parsePrecision("fp8-mixed,layer1.acc=fp32"), layers)).toThrow(
      /layer0 \(linear\), layer2 \(linear, output\)\), received "layer1 \(relu\)"/,
    );
    expect(() => checkLayerOverrides(parsePrecision("fp8-mixed,layer3.acc=fp32"), layers)).toThrow(/received "layer3"/);
    expect(() => checkLayerOverrides(parsePrecision("fp8-mixed,layer2.acc=fp32"), layers)).not.toThrow();
  });

  it("hold through a policy's states, which may not change them", () => {
    const base = parsePrecision("fp8-mixed,layer2.acc=fp32");
    expect(parsePolicy("boundary:5", base).states[1].layers).toEqual(base.layers);
    expect(() => parsePolicy("schedule:e1@fp8-mixed", base)).toThrow(/keep the run's per-layer items/);
    const pinned = parsePrecision("fp8-mixed,layer0.weight=fp16");
    expect(() => parsePolicy("boundary:3@weight=bf16", pinned)).toThrow(/keep the run's weight=e4m3:rne \(a layer stores its weights in its own format/);
    expect(parsePolicy("boundary:3@acc=fp32", pinned).states[1].layers).toEqual(pinned.layers);
    expect(preset("fp8-mixed")!.layers).toBeUndefined();
  });
});

describe("a run with per-layer roles", () => {
  const run = (precision: string, board = "sim") => runOn(board, smallRun({ precision, iterations: 6 }));

  it.each(["acc=fp32", "mul=bf16", "error=fp16", "gradient=e4m3:sr"])(
    "%s on every layer with weights gives the bits of the spec that sets it",
    async (item) => {
      const [role] = item.split("=");
      const perLayer = await run(`fp8-mixed,layer0.${item},layer2.${item}`);
      const whole = await run(`fp8-mixed,${item}`);
      expect(learning(perLayer.report)).toEqual(learning(whole.report));
      expect(perLayer.report.modelChecksum).toBe(whole.report.modelChecksum);
      expect(perLayer.report.config.precisionLayers).toEqual(
        [0, 2].map((layer) => expect.objectContaining({ layer, kind: "linear", roles: expect.objectContaining({ [role]: item.split("=")[1].includes(":") ? item.split("=")[1] : `${item.split("=")[1]}:rne` }) })),
      );
    },
  );

  it("one layer's own role changes the bits, the same on sim and sim-noaccel", async () => {
    const [one, noaccel, none] = await Promise.all([run("fp8-mixed,layer2.acc=fp32"), run("fp8-mixed,layer2.acc=fp32", "sim-noaccel"), run("fp8-mixed")]);
    expect(one.report.modelChecksum).not.toBe(none.report.modelChecksum);
    expect(learning(noaccel.report)).toEqual(learning(one.report));
    expect(noaccel.checkpointCrc).toBe(one.checkpointCrc);
  });
});

describe("a layer's own weight format", () => {
  const mlp = { params0: 784 * 16 + 16, params2: 16 * 10 + 10 };
  type Exports = { cl_weights_ptr(): number; cl_weights_bytes(): number };

  it("stores that layer's weights in its width, and the initial weights are Kaiming-uniform rounded to each layer's format", () => {
    const board = new CommandBoard();
    board.ok("DEPLOY", deployPayload({ strategy: "naive", precision: "fp8-mixed,layer0.weight=fp16", model: "mlp:16", seed: 4 }));
    const e = board.device.exports as unknown as Exports;
    expect(e.cl_weights_bytes()).toBe(2 * mlp.params0 + mlp.params2);
    const stored = board.device.u8(e.cl_weights_ptr() >>> 0, e.cl_weights_bytes()).slice();
    const view = new DataView(stored.buffer);
    // docs/precision.md stream 1 and assembly/nn/build.ts: weight j is (2u - 1) * sqrt(6 / fanIn) in f32,
    // u = (draw j >> 8) / 2^24; biases 0. fp32 master, so each layer's store gets it rounded to nearest even.
    const key = streamKey(4, 1);
    const f = Math.fround;
    const init = (j: number, fanIn: number) => f(f(f(f(f((drawAt(key, j) >>> 8) * 2 ** -24) * 2) - 1)) * f(Math.sqrt(f(6 / fanIn))));
    const fp16 = refFormat(testFormat("fp16").spec);
    const e4m3 = refFormat(testFormat("e4m3").spec);
    for (let j = 0; j < mlp.params0 + mlp.params2; j++) {
      const layer0 = j < mlp.params0;
      const weights = layer0 ? 784 * 16 : 16 * 10;
      const first = layer0 ? 0 : mlp.params0;
      const x = j - first < weights ? init(j, layer0 ? 784 : 16) : 0;
      const ref = layer0 ? fp16 : e4m3;
      const want = ref.encode(ref.round(f32Bits(x), "rne"));
      const got = layer0 ? view.getUint16(2 * j, true) : stored[2 * mlp.params0 + (j - mlp.params0)];
      if (got !== want) throw new Error(`weight ${j} (layer ${layer0 ? 0 : 2}): ${x} stored as 0x${got.toString(16)}, expected 0x${want.toString(16)}`);
    }
  });

  it("on every layer gives the bits of the spec that sets it; one layer's on sim and sim-noaccel the same bits, checkpoint included", async () => {
    const run = (precision: string, board = "sim") => runOn(board, smallRun({ precision, iterations: 6 }));
    const [perLayer, whole] = await Promise.all([run("fp8-mixed,layer0.weight=e5m2:sr,layer2.weight=e5m2:sr"), run("fp8-mixed,weight=e5m2:sr")]);
    expect(learning(perLayer.report)).toEqual(learning(whole.report));
    expect(perLayer.report.modelChecksum).toBe(whole.report.modelChecksum);
    const [one, noaccel] = await Promise.all([run("fp8-mixed,layer0.weight=fp16"), run("fp8-mixed,layer0.weight=fp16", "sim-noaccel")]);
    expect(one.report.memory.modelBytes).toBeGreaterThan(whole.report.memory.modelBytes);
    expect(learning(noaccel.report)).toEqual(learning(one.report));
    expect(noaccel.report.modelChecksum).toBe(one.report.modelChecksum);
    expect(noaccel.checkpointCrc).toBe(one.checkpointCrc);
  });
});
