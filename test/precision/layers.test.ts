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
    ["fp8-mixed,layer0.weight=e5m2", /a role a layer computes \(activation, error, gradient, mul, acc/],
    ["fp8-mixed,layer0.replay=fp16", /a role a layer computes/],
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
