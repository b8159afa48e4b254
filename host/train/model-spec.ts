// Model specs (docs/models.md): "mlp:400,400" or "cnn:8c3,p2,16c3,p2,fc64" become the layer list the
// device builds. The output Linear (one block per head) is always added last, so a spec names the body.
import { expected, UsageError } from "../errors.js";
import {
  LAYER_AVGPOOL,
  LAYER_CONV,
  LAYER_FLATTEN,
  LAYER_LINEAR,
  LAYER_MAXPOOL,
  LAYER_RELU,
  CFG_MAX_LAYERS,
} from "../../assembly/nn/abi.js";

export type LayerSpec =
  | { kind: "linear"; outputs: number }
  | { kind: "conv"; channels: number; kernel: number; stride: number; padding: number }
  | { kind: "relu" }
  | { kind: "maxpool"; kernel: number; stride: number }
  | { kind: "avgpool"; kernel: number; stride: number }
  | { kind: "flatten" };

export interface ModelSpec {
  /** The spec as given, trimmed and lower-cased. */
  text: string;
  family: "mlp" | "cnn";
  /** Body layers (the output layer is added by the device). */
  layers: LayerSpec[];
}

/** Shape of one sample, channel-last as the device stores it: height, width, channels. */
export interface Shape {
  h: number;
  w: number;
  c: number;
}

const MAX_WIDTH = 1 << 20;
const MAX_KERNEL = 64;

const TOKEN_HELP =
  "<C>c<K>[s<S>][p<P>] (conv: C channels, K x K, stride S = 1, padding P = K/2), p<K>[s<S>] (max pool), " +
  "a<K>[s<S>] (average pool), fc<N> (linear)";

function count(text: string, what: string, low: number, high: number, spec: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < low || value > high) throw expected(`${what} from ${low} to ${high} in model "${spec}"`, text);
  return value;
}

function parseCnnToken(token: string, spec: string): LayerSpec[] {
  let match = /^(\d+)c(\d+)(?:s(\d+))?(?:p(\d+))?$/.exec(token);
  if (match) {
    const kernel = count(match[2], "a kernel size", 1, MAX_KERNEL, spec);
    return [
      {
        kind: "conv",
        channels: count(match[1], "conv channels", 1, 65536, spec),
        kernel,
        stride: match[3] !== undefined ? count(match[3], "a stride", 1, MAX_KERNEL, spec) : 1,
        padding: match[4] !== undefined ? count(match[4], "a padding", 0, MAX_KERNEL, spec) : Math.floor(kernel / 2),
      },
      { kind: "relu" },
    ];
  }
  match = /^([pa])(\d+)(?:s(\d+))?$/.exec(token);
  if (match) {
    const kernel = count(match[2], "a pool size", 1, MAX_KERNEL, spec);
    const stride = match[3] !== undefined ? count(match[3], "a stride", 1, MAX_KERNEL, spec) : kernel;
    return [{ kind: match[1] === "p" ? "maxpool" : "avgpool", kernel, stride }];
  }
  match = /^fc(\d+)$/.exec(token);
  if (match) return [{ kind: "linear", outputs: count(match[1], "fc width", 1, MAX_WIDTH, spec) }, { kind: "relu" }];
  throw expected(`a cnn layer: ${TOKEN_HELP}, in model "${spec}"`, token);
}

/** Parses a model spec; a bad part is a UsageError naming it and what is allowed. */
export function parseModelSpec(text: string): ModelSpec {
  const spec = String(text ?? "").trim().toLowerCase();
  const colon = spec.indexOf(":");
  const family = colon < 0 ? spec : spec.slice(0, colon);
  const body = colon < 0 ? "" : spec.slice(colon + 1).trim();
  const tokens = body === "" ? [] : body.split(",").map((t) => t.trim());
  if (tokens.some((t) => t === "")) throw expected(`a layer between commas in model "${spec}"`, "");
  const layers: LayerSpec[] = [];
  if (family === "mlp") {
    for (const token of tokens) {
      layers.push({ kind: "linear", outputs: count(token, "a hidden width", 1, MAX_WIDTH, spec) }, { kind: "relu" });
    }
  } else if (family === "cnn") {
    if (tokens.length === 0) throw expected(`at least one layer after "cnn:" (${TOKEN_HELP})`, spec);
    let flat = false;
    for (const token of tokens) {
      const parsed = parseCnnToken(token, spec);
      if (parsed[0].kind === "linear") {
        if (!flat) layers.push({ kind: "flatten" });
        flat = true;
      } else if (flat) {
        throw expected(`conv and pool layers before the first fc in model "${spec}"`, token);
      }
      layers.push(...parsed);
    }
    if (!flat) layers.push({ kind: "flatten" });
  } else {
    throw expected(`a model spec: mlp:<width>,<width>,... or cnn:<layer>,<layer>,... (${TOKEN_HELP})`, text);
  }
  if (layers.length > CFG_MAX_LAYERS) throw expected(`at most ${CFG_MAX_LAYERS} layers in model "${spec}"`, layers.length);
  return { text: spec, family, layers };
}

/** Output shape of a layer, or a UsageError when it does not fit its input. */
export function layerOutput(layer: LayerSpec, input: Shape, spec = ""): Shape {
  const where = spec ? ` in model "${spec}"` : "";
  switch (layer.kind) {
    case "linear":
      return { h: 1, w: 1, c: layer.outputs };
    case "conv": {
      const h = input.h + 2 * layer.padding - layer.kernel;
      const w = input.w + 2 * layer.padding - layer.kernel;
      if (h < 0 || w < 0) {
        throw new UsageError(
          `conv ${layer.kernel}x${layer.kernel} with padding ${layer.padding} does not fit its ${input.h}x${input.w} input${where}; ` +
            `use a smaller kernel or fewer pools before it`,
        );
      }
      return { h: Math.floor(h / layer.stride) + 1, w: Math.floor(w / layer.stride) + 1, c: layer.channels };
    }
    case "maxpool":
    case "avgpool":
      if (input.h < layer.kernel || input.w < layer.kernel) {
        throw new UsageError(
          `pool ${layer.kernel}x${layer.kernel} does not fit its ${input.h}x${input.w} input${where}; use fewer pools or a smaller window`,
        );
      }
      return {
        h: Math.floor((input.h - layer.kernel) / layer.stride) + 1,
        w: Math.floor((input.w - layer.kernel) / layer.stride) + 1,
        c: input.c,
      };
    case "flatten":
      return { h: 1, w: 1, c: input.h * input.w * input.c };
    case "relu":
      return input;
  }
}

/** Parameters of a layer (weights then biases; 0 for layers without any). */
export function layerParams(layer: LayerSpec, input: Shape): number {
  if (layer.kind === "linear") return (input.h * input.w * input.c + 1) * layer.outputs;
  if (layer.kind === "conv") return (layer.kernel * layer.kernel * input.c + 1) * layer.channels;
  return 0;
}

export function layerText(layer: LayerSpec): string {
  switch (layer.kind) {
    case "linear":
      return `linear ${layer.outputs}`;
    case "conv":
      return `conv ${layer.channels}x${layer.kernel}x${layer.kernel} s${layer.stride} p${layer.padding}`;
    case "maxpool":
      return `maxpool ${layer.kernel}x${layer.kernel} s${layer.stride}`;
    case "avgpool":
      return `avgpool ${layer.kernel}x${layer.kernel} s${layer.stride}`;
    default:
      return layer.kind;
  }
}

export interface LayerRow {
  layer: string;
  output: Shape;
  params: number;
}

/**
 * Every layer with its output shape and parameter count, the output Linear last
 * (heads x classes outputs); throws a UsageError when a layer does not fit.
 */
export function describeModel(spec: ModelSpec, input: Shape, classes: number, heads = 1): LayerRow[] {
  const rows: LayerRow[] = [];
  let shape = input;
  for (const layer of spec.layers) {
    const params = layerParams(layer, shape);
    shape = layerOutput(layer, shape, spec.text);
    rows.push({ layer: layerText(layer), output: shape, params });
  }
  const fanIn = shape.h * shape.w * shape.c;
  rows.push({
    layer: heads > 1 ? `linear ${classes} x ${heads} heads` : `linear ${classes}`,
    output: { h: 1, w: 1, c: classes },
    params: (fanIn + 1) * classes * heads,
  });
  return rows;
}

/** The device's words for a layer: kind and three arguments (assembly/nn/abi.ts LAYER_*). */
export function layerWords(layer: LayerSpec): [number, number, number, number] {
  switch (layer.kind) {
    case "linear":
      return [LAYER_LINEAR, layer.outputs, 0, 0];
    case "conv":
      return [LAYER_CONV, layer.channels, layer.kernel, layer.stride | (layer.padding << 16)];
    case "relu":
      return [LAYER_RELU, 0, 0, 0];
    case "maxpool":
      return [LAYER_MAXPOOL, layer.kernel, layer.stride, 0];
    case "avgpool":
      return [LAYER_AVGPOOL, layer.kernel, layer.stride, 0];
    case "flatten":
      return [LAYER_FLATTEN, 0, 0, 0];
  }
}
