import { describe, expect, it } from "vitest";
import { UsageError } from "../../host/errors.js";
import { describeModel, parseModelSpec, type LayerSpec } from "../../host/train/model-spec.js";

const relu: LayerSpec = { kind: "relu" };
const flatten: LayerSpec = { kind: "flatten" };

describe("model specs", () => {
  it.each<[string, LayerSpec[]]>([
    ["mlp:400,400", [{ kind: "linear", outputs: 400 }, relu, { kind: "linear", outputs: 400 }, relu]],
    ["MLP: 32", [{ kind: "linear", outputs: 32 }, relu]],
    ["mlp", []],
    ["mlp:", []],
    [
      "cnn:8c3,p2,16c3,p2,fc64",
      [
        { kind: "conv", channels: 8, kernel: 3, stride: 1, padding: 1 },
        relu,
        { kind: "maxpool", kernel: 2, stride: 2 },
        { kind: "conv", channels: 16, kernel: 3, stride: 1, padding: 1 },
        relu,
        { kind: "maxpool", kernel: 2, stride: 2 },
        flatten,
        { kind: "linear", outputs: 64 },
        relu,
      ],
    ],
    [
      "cnn:6c5s2p0,a3s1",
      [{ kind: "conv", channels: 6, kernel: 5, stride: 2, padding: 0 }, relu, { kind: "avgpool", kernel: 3, stride: 1 }, flatten],
    ],
    ["cnn:4c4", [{ kind: "conv", channels: 4, kernel: 4, stride: 1, padding: 2 }, relu, flatten]],
  ])("%s", (text, layers) => {
    expect(parseModelSpec(text).layers).toEqual(layers);
  });

  it("shapes and parameter counts of cnn:8c3,p2,16c3,p2,fc64 on 28 x 28 digits", () => {
    const rows = describeModel(parseModelSpec("cnn:8c3,p2,16c3,p2,fc64"), { h: 28, w: 28, c: 1 }, 10);
    // conv 3x3 padding 1 keeps 28 x 28; each 2 x 2 pool halves it; 7 * 7 * 16 = 784 values reach fc64.
    expect(rows.map((r) => [r.layer, `${r.output.h}x${r.output.w}x${r.output.c}`, r.params])).toEqual([
      ["conv 8x3x3 s1 p1", "28x28x8", (9 * 1 + 1) * 8],
      ["relu", "28x28x8", 0],
      ["maxpool 2x2 s2", "14x14x8", 0],
      ["conv 16x3x3 s1 p1", "14x14x16", (9 * 8 + 1) * 16],
      ["relu", "14x14x16", 0],
      ["maxpool 2x2 s2", "7x7x16", 0],
      ["flatten", "1x1x784", 0],
      ["linear 64", "1x1x64", (784 + 1) * 64],
      ["relu", "1x1x64", 0],
      ["linear 10", "1x1x10", (64 + 1) * 10],
    ]);
  });

  it("the output layer has one block per head", () => {
    const rows = describeModel(parseModelSpec("mlp:400,400"), { h: 28, w: 28, c: 1 }, 2, 5);
    expect(rows.at(-1)).toEqual({ layer: "linear 2 x 5 heads", output: { h: 1, w: 1, c: 2 }, params: 401 * 2 * 5 });
    expect(rows.reduce((s, r) => s + r.params, 0)).toBe(785 * 400 + 401 * 400 + 401 * 10);
  });

  it.each([
    ["", "a model spec: mlp:<width>,<width>,... or cnn:"],
    ["resnet:18", 'received "resnet:18"'],
    ["mlp:400,,400", "a layer between commas"],
    ["mlp:0", "a hidden width from 1 to 1048576"],
    ["mlp:2000000", "a hidden width from 1 to 1048576"],
    ["mlp:4x", 'received "4x"'],
    ["cnn", 'at least one layer after "cnn:"'],
    ["cnn:8c3,q2", 'a cnn layer: <C>c<K>[s<S>][p<P>]'],
    ["cnn:0c3", "conv channels from 1 to 65536"],
    ["cnn:8c0", "a kernel size from 1 to 64"],
    ["cnn:8c3s0", "a stride from 1 to 64"],
    ["cnn:p0", "a pool size from 1 to 64"],
    ["cnn:fc8,8c3", "conv and pool layers before the first fc"],
    ["cnn:fc0", "fc width from 1 to 1048576"],
  ])("refuses %j", (text, part) => {
    expect(() => parseModelSpec(text)).toThrow(UsageError);
    expect(() => parseModelSpec(text)).toThrow(part);
  });

  it.each([
    ["cnn:8c3,p2,p2,p2,p2,p2", "pool 2x2 does not fit its 1x1 input"],
    ["cnn:8c9p0,8c9p0,8c9p0,8c9p0", "conv 9x9 with padding 0 does not fit its 4x4 input"],
  ])("refuses %s on 28 x 28 inputs", (text, part) => {
    expect(() => describeModel(parseModelSpec(text), { h: 28, w: 28, c: 1 }, 10)).toThrow(part);
  });
});
