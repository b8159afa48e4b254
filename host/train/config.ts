// The model config blob the device builds a model from (assembly/nn/abi.ts): everything a training run
// fixes up front, resolved and checked on the host so the device only has to trust well-formed words.
import { expected } from "../errors.js";
import * as abi from "../../assembly/nn/abi.js";
import { encodePrecision, encodeStates, type PrecisionPolicy, type PrecisionSpec } from "../precision/index.js";
import { layerWords, type LayerSpec } from "./model-spec.js";

export const OPTIMIZER_NAMES = ["adam", "sgd"] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

export interface OptimizerSpec {
  name: OptimizerName;
  lr: number;
  /** SGD momentum (0 = plain SGD). */
  momentum: number;
  /** L2 penalty added to the gradient. */
  weightDecay: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** torch.optim defaults: Adam lr 1e-3, betas (0.9, 0.999), eps 1e-8; SGD lr 0.01 with no momentum. */
export function defaultOptimizer(name: OptimizerName): OptimizerSpec {
  return {
    name,
    lr: name === "adam" ? 1e-3 : 0.01,
    momentum: 0,
    weightDecay: 0,
    beta1: 0.9,
    beta2: 0.999,
    epsilon: 1e-8,
  };
}

export interface ModelConfig {
  /** Run seed: init and every SR stream of the device derive from it. */
  seed: number;
  maxBatch: number;
  /** One sample as the data sets describe it: [channels, height, width] or [features]. */
  inputShape: readonly number[];
  heads: number;
  /** Classes per head. */
  classes: number;
  layers: readonly LayerSpec[];
  precision: PrecisionSpec;
  optimizer: OptimizerSpec;
  /** Also compute dLoss/dinput in backward passes. */
  inputGradient?: boolean;
  /** The precision policy whose states the device may switch to (default: static, none). */
  policy?: PrecisionPolicy;
}

/** The device's 32-bit seed: the run seed itself below 2^32, its two halves mixed above. */
export function deviceSeed(seed: number): number {
  const high = Math.floor(seed / 2 ** 32);
  return ((seed >>> 0) ^ Math.imul(high, 0x9e3779b9)) >>> 0;
}

/** [C, H, W] of an input shape ([features] is C = features, H = W = 1). */
export function chw(shape: readonly number[]): [number, number, number] {
  if (shape.length === 3) return [shape[0], shape[1], shape[2]];
  if (shape.length === 1) return [shape[0], 1, 1];
  throw expected("an input shape [channels, height, width] or [features]", `[${shape.join(", ")}]`);
}

const f32Bits = (value: number): number => new Uint32Array(new Float32Array([value]).buffer)[0];

/**
 * Per-layer overrides must name layers with weights of this model (the output Linear is the last index)
 * and fit CFG_MAX_OVERRIDES.
 */
export function checkLayerOverrides(precision: PrecisionSpec, layers: readonly LayerSpec[]): void {
  const overrides = precision.layers ?? [];
  if (overrides.length > abi.CFG_MAX_OVERRIDES) throw expected(`at most ${abi.CFG_MAX_OVERRIDES} per-layer precision items`, overrides.length);
  const kinds = [...layers.map((l) => l.kind), "linear"];
  const allowed = kinds.map((kind, i) => (kind === "linear" || kind === "conv" ? `layer${i} (${kind}${i === layers.length ? ", output" : ""})` : null)).filter((x) => x !== null);
  for (const o of overrides) {
    const kind = kinds[o.layer];
    if (kind !== "linear" && kind !== "conv") {
      throw expected(`a layer with weights of the model in layer<N>.${o.role} (${allowed.join(", ")})`, `layer${o.layer}${kind ? ` (${kind})` : ""}`);
    }
  }
}

export function encodeConfig(config: ModelConfig): Uint32Array {
  checkLayerOverrides(config.precision, config.layers);
  const words = new Uint32Array(abi.CFG_LAYERS + config.layers.length * abi.LAYER_WORDS);
  const [c, h, w] = chw(config.inputShape);
  words[abi.CFG_VERSION] = abi.NN_ABI_VERSION;
  words[abi.CFG_SEED] = deviceSeed(config.seed);
  words[abi.CFG_MAX_BATCH] = config.maxBatch;
  words[abi.CFG_IN_C] = c;
  words[abi.CFG_IN_H] = h;
  words[abi.CFG_IN_W] = w;
  words[abi.CFG_HEADS] = config.heads;
  words[abi.CFG_HEAD_CLASSES] = config.classes;
  words[abi.CFG_FLAGS] = config.inputGradient ? abi.FLAG_INPUT_GRADIENT : 0;
  const opt = config.optimizer;
  words[abi.CFG_OPTIMIZER] = opt.name === "adam" ? abi.OPTIMIZER_ADAM : abi.OPTIMIZER_SGD;
  words[abi.CFG_LR] = f32Bits(opt.lr);
  words[abi.CFG_MOMENTUM] = f32Bits(opt.momentum);
  words[abi.CFG_WEIGHT_DECAY] = f32Bits(opt.weightDecay);
  words[abi.CFG_BETA1] = f32Bits(opt.beta1);
  words[abi.CFG_BETA2] = f32Bits(opt.beta2);
  words[abi.CFG_EPSILON] = f32Bits(opt.epsilon);
  encodePrecision(config.precision, words);
  if (config.policy) encodeStates(config.policy, words);
  words[abi.CFG_LAYER_COUNT] = config.layers.length;
  config.layers.forEach((layer, i) => words.set(layerWords(layer), abi.CFG_LAYERS + i * abi.LAYER_WORDS));
  return words;
}
