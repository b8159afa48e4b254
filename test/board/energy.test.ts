// The simulated board's energy estimate: the GEMM mode read from a DEPLOY configuration, and the CPU
// path's cost with docs/energy.md's figures (60, 90 and 6 instructions per MAC at 70 pJ each).
import { describe, expect, test } from "vitest";
import { EnergyModel, gemmModeOf } from "../../board/sim/energy.js";
import { parsePrecision } from "../../host/precision/index.js";
import { defaultOptimizer, encodeConfig } from "../../host/train/config.js";
import { parseModelSpec } from "../../host/train/model-spec.js";
import { manifest } from "../helpers/board.js";

function modelBlob(precision: string): Uint8Array {
  const words = encodeConfig({
    seed: 1,
    maxBatch: 8,
    inputShape: [4],
    heads: 1,
    classes: 2,
    layers: parseModelSpec("mlp:8").layers,
    precision: parsePrecision(precision),
    optimizer: defaultOptimizer("sgd"),
  });
  return new Uint8Array(words.buffer);
}

describe("gemmModeOf", () => {
  test.each([
    ["fp32", "fast"], // plain fp32 products and sums: the device runs the fast kernel, same bits
    ["fp32,fma=on", "exact"],
    ["fp8-mixed", "exactSr"], // its sums are rounded to fp16 stochastically
    ["fp32,acc=fp32:sr", "fast"], // rounding an f32 to fp32 changes nothing, whatever the mode
    ["fp32,acc=fp16:sr", "exactSr"],
    ["fp32,mul=fp16:sr", "exactSr"],
    ["fp32,mul=fp16:sr,fma=on", "exact"], // fused: the product is not rounded on its own
    ["fp8-mixed,gemm=fast", "fast"],
  ])("%s runs the CPU GEMM in %s mode", (precision, mode) => {
    expect(gemmModeOf(modelBlob(precision))).toBe(mode);
  });

  test("a configuration that is not a model blob of this ABI is taken as exact", () => {
    expect(gemmModeOf(new TextEncoder().encode('{"format":"fp32"}'))).toBe("exact");
    const blob = modelBlob("fp8-mixed,gemm=fast");
    new DataView(blob.buffer).setUint32(0, 99, true); // another ABI version
    expect(gemmModeOf(blob)).toBe("exact");
  });
});

describe("EnergyModel", () => {
  test("the CPU path costs instructions per MAC x 70 pJ (Horowitz 2014 defaults of a manifest without an energy group)", () => {
    const energy = new EnergyModel(manifest("sim-noaccel"));
    expect(energy.cpuJ(1e6, "exact")).toBeCloseTo(1e6 * 60 * 70e-12, 15);
    expect(energy.cpuJ(1e6, "exactSr")).toBeCloseTo(1e6 * 90 * 70e-12, 15);
    expect(energy.cpuJ(1e6, "fast")).toBeCloseTo(1e6 * 6 * 70e-12, 15);
    expect(energy.cpuJ(-5, "exact")).toBe(0);
  });
});
