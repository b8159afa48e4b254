// Continual-learning strategies on the host side: names, documented defaults (docs/strategies.md),
// option checks, and the strategy blob the device reads (assembly/cl/abi.ts).
import { expected, UsageError } from "../errors.js";
import * as abi from "../../assembly/cl/abi.js";
import type { LayerSpec } from "../train/model-spec.js";
import type { Scenario } from "./benchmarks.js";

export const STRATEGY_NAMES = [
  "naive",
  "cumulative",
  "replay",
  "latent-replay",
  "gdumb",
  "agem",
  "ewc",
  "online-ewc",
  "si",
  "lwf",
  "packnet",
] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

const STRATEGY_IDS: Record<StrategyName, number> = {
  naive: abi.STRATEGY_NAIVE,
  cumulative: abi.STRATEGY_CUMULATIVE,
  replay: abi.STRATEGY_REPLAY,
  "latent-replay": abi.STRATEGY_LATENT_REPLAY,
  gdumb: abi.STRATEGY_GDUMB,
  agem: abi.STRATEGY_AGEM,
  ewc: abi.STRATEGY_EWC,
  "online-ewc": abi.STRATEGY_ONLINE_EWC,
  si: abi.STRATEGY_SI,
  lwf: abi.STRATEGY_LWF,
  packnet: abi.STRATEGY_PACKNET,
};

export const BUFFER_POLICIES = ["reservoir", "class-balanced"] as const;
export type BufferPolicy = (typeof BUFFER_POLICIES)[number];

/** Replay budget when none is given: 256 KiB of stored values (334 MNIST digits in e4m3, 83 in fp32). */
export const DEFAULT_BUFFER_BYTES = 256 * 1024;

/**
 * Regularisation strengths per scenario for Split MNIST, from van de Ven & Tolias's code
 * (GMvandeVen/continual-learning, param_values.py): EWC lambda and SI c.
 */
export const SPLIT_MNIST_STRENGTHS: Record<Scenario, { ewc: number; si: number }> = {
  task: { ewc: 1e5, si: 10 },
  domain: { ewc: 1e10, si: 5e4 },
  class: { ewc: 1e9, si: 5e3 },
};

/** Every strategy setting; a strategy reads the ones it needs (docs/strategies.md). */
export interface StrategySpec {
  name: StrategyName;
  /** replay, latent-replay, gdumb, agem: budget of stored values, bytes. */
  bufferBytes: number;
  bufferPolicy: BufferPolicy;
  /** replay, latent-replay: replayed samples per step; agem: reference batch. */
  replayBatch: number;
  /** ewc, online-ewc: lambda; si: c; lwf: alpha. */
  lambda: number;
  /** online-ewc: decay gamma; si: damping xi; lwf: temperature. */
  gamma: number;
  /** packnet: fraction of free weights pruned per experience, and retraining steps. */
  prune: number;
  retrain: number;
  /** latent-replay: hidden layers frozen after experience 0. */
  frozenLayers: number;
  /** ewc, online-ewc: samples for the Fisher (0 = all). */
  fisherSamples: number;
}

export interface StrategyOverrides {
  bufferBytes?: number;
  bufferPolicy?: string;
  replayBatch?: number;
  lambda?: number;
  gamma?: number;
  prune?: number;
  retrain?: number;
  frozenLayers?: number;
  fisherSamples?: number;
}

export function parseStrategyName(name: unknown): StrategyName {
  const text = typeof name === "string" ? name.trim().toLowerCase() : name;
  if (!(STRATEGY_NAMES as readonly unknown[]).includes(text)) throw expected(`a strategy: ${STRATEGY_NAMES.join(", ")}`, name);
  return text as StrategyName;
}

/** What a strategy's defaults depend on besides its name. */
interface DefaultsContext {
  strengths: { ewc: number; si: number };
  batch: number;
  iterations: number;
}

/** Each strategy's settings over the all-zero spec (reservoir buffer policy). */
const STRATEGY_DEFAULTS: Record<StrategyName, (c: DefaultsContext) => Partial<StrategySpec>> = {
  naive: () => ({}),
  cumulative: () => ({}),
  replay: ({ batch }) => ({ bufferBytes: DEFAULT_BUFFER_BYTES, replayBatch: batch }),
  "latent-replay": ({ batch }) => ({ bufferBytes: DEFAULT_BUFFER_BYTES, replayBatch: batch, frozenLayers: 1 }),
  gdumb: () => ({ bufferBytes: DEFAULT_BUFFER_BYTES, bufferPolicy: "class-balanced" }),
  agem: ({ batch }) => ({ bufferBytes: DEFAULT_BUFFER_BYTES, replayBatch: batch }),
  ewc: ({ strengths }) => ({ lambda: strengths.ewc, fisherSamples: 500 }),
  "online-ewc": ({ strengths }) => ({ lambda: strengths.ewc, gamma: 1, fisherSamples: 500 }),
  si: ({ strengths }) => ({ lambda: strengths.si, gamma: 0.1 }),
  lwf: () => ({ lambda: 1, gamma: 2 }),
  packnet: ({ iterations }) => ({ prune: 0.5, retrain: Math.max(1, Math.round(iterations / 2)) }),
};

/** The defaults of a strategy in a scenario, for a batch size and an iteration budget. */
export function defaultStrategy(name: StrategyName, scenario: Scenario, batch: number, iterations: number): StrategySpec {
  return {
    name,
    bufferBytes: 0,
    bufferPolicy: "reservoir",
    replayBatch: 0,
    lambda: 0,
    gamma: 0,
    prune: 0,
    retrain: 0,
    frozenLayers: 0,
    fisherSamples: 0,
    ...STRATEGY_DEFAULTS[name]({ strengths: SPLIT_MNIST_STRENGTHS[scenario], batch, iterations }),
  };
}

const APPLIES: Record<keyof StrategyOverrides, readonly StrategyName[]> = {
  bufferBytes: ["replay", "latent-replay", "gdumb", "agem"],
  bufferPolicy: ["replay", "latent-replay"],
  replayBatch: ["replay", "latent-replay", "agem"],
  lambda: ["ewc", "online-ewc", "si", "lwf"],
  gamma: ["online-ewc", "si", "lwf"],
  prune: ["packnet"],
  retrain: ["packnet"],
  frozenLayers: ["latent-replay"],
  fisherSamples: ["ewc", "online-ewc"],
};

const FLAGS: Record<keyof StrategyOverrides, string> = {
  bufferBytes: "--buffer-bytes",
  bufferPolicy: "--buffer-policy",
  replayBatch: "--replay-batch",
  lambda: "--lambda",
  gamma: "--gamma",
  prune: "--prune",
  retrain: "--retrain",
  frozenLayers: "--frozen-layers",
  fisherSamples: "--fisher-samples",
};

function integerIn(flag: string, value: number, low: number, high: number): number {
  if (!Number.isInteger(value) || value < low || value > high) throw expected(`${flag} to be an integer from ${low} to ${high}`, value);
  return value;
}

/** Applies overrides to the defaults; an option the strategy does not read is a usage error. */
export function resolveStrategy(
  name: StrategyName,
  scenario: Scenario,
  batch: number,
  iterations: number,
  overrides: StrategyOverrides = {},
): StrategySpec {
  const spec = defaultStrategy(name, scenario, batch, iterations);
  for (const [key, value] of Object.entries(overrides) as Array<[keyof StrategyOverrides, unknown]>) {
    if (value === undefined) continue;
    if (!APPLIES[key].includes(name)) {
      throw new UsageError(`${FLAGS[key]} goes with --strategy ${APPLIES[key].join(", ")}, received --strategy ${name}`);
    }
  }
  if (overrides.bufferBytes !== undefined) spec.bufferBytes = integerIn("--buffer-bytes", overrides.bufferBytes, 0, 0xffff_ffff);
  if (overrides.bufferPolicy !== undefined) {
    const policy = overrides.bufferPolicy.trim().toLowerCase();
    if (!(BUFFER_POLICIES as readonly string[]).includes(policy)) throw expected(`--buffer-policy to be one of ${BUFFER_POLICIES.join(", ")}`, overrides.bufferPolicy);
    spec.bufferPolicy = policy as BufferPolicy;
  }
  if (overrides.replayBatch !== undefined) spec.replayBatch = integerIn("--replay-batch", overrides.replayBatch, 1, 65535);
  if (overrides.lambda !== undefined) {
    if (!Number.isFinite(overrides.lambda) || overrides.lambda < 0 || Math.fround(overrides.lambda) === Infinity) {
      throw expected("--lambda to be a finite number of at least 0 (an f32)", overrides.lambda);
    }
    spec.lambda = overrides.lambda;
  }
  if (overrides.gamma !== undefined) {
    if (!Number.isFinite(overrides.gamma) || overrides.gamma < 0 || (name === "lwf" && overrides.gamma <= 0)) {
      throw expected(`--gamma to be a finite number ${name === "lwf" ? "above 0 (the temperature)" : "of at least 0"}`, overrides.gamma);
    }
    spec.gamma = overrides.gamma;
  }
  if (overrides.prune !== undefined) {
    if (!(overrides.prune >= 0 && overrides.prune < 1)) throw expected("--prune to be a fraction in [0, 1)", overrides.prune);
    spec.prune = overrides.prune;
  }
  if (overrides.retrain !== undefined) spec.retrain = integerIn("--retrain", overrides.retrain, 0, 0x7fff_ffff);
  if (overrides.frozenLayers !== undefined) spec.frozenLayers = integerIn("--frozen-layers", overrides.frozenLayers, 1, 63);
  if (overrides.fisherSamples !== undefined) spec.fisherSamples = integerIn("--fisher-samples", overrides.fisherSamples, 0, 0x7fff_ffff);
  return spec;
}

/** Samples of a batch the model must hold: the new ones plus the replayed ones. */
export function rowsPerStep(spec: StrategySpec, batch: number): number {
  if (spec.name === "replay" || spec.name === "latent-replay") return batch + spec.replayBatch;
  return spec.name === "agem" ? Math.max(batch, spec.replayBatch) : batch;
}

/** Index in the device's layer list (the body, then the output layer) of latent replay's first trainable layer. */
export function cutIndex(layers: readonly LayerSpec[], frozenLayers: number): number {
  let seen = 0;
  for (let i = 0; i < layers.length; i++) {
    if (layers[i].kind !== "linear" && layers[i].kind !== "conv") continue;
    if (seen === frozenLayers) return i;
    seen++;
  }
  if (seen === frozenLayers) return layers.length; // the output layer
  throw new UsageError(`--frozen-layers ${frozenLayers} freezes more layers than the model's ${seen} hidden layers with weights`);
}

const f32Bits = (value: number): number => new Uint32Array(new Float32Array([value]).buffer)[0];

/** The strategy blob (assembly/cl/abi.ts). */
export function encodeStrategy(spec: StrategySpec, layers: readonly LayerSpec[], memoryLimit: number): Uint32Array {
  const words = new Uint32Array(abi.CL_WORD_COUNT);
  words[abi.CL_VERSION] = abi.CL_ABI_VERSION;
  words[abi.CL_WORDS] = abi.CL_WORD_COUNT;
  words[abi.CL_STRATEGY] = STRATEGY_IDS[spec.name];
  words[abi.CL_MEMORY_LIMIT] = memoryLimit >>> 0;
  words[abi.CL_BUFFER_BYTES] = spec.bufferBytes >>> 0;
  words[abi.CL_BUFFER_POLICY] = spec.bufferPolicy === "class-balanced" ? abi.BUFFER_CLASS_BALANCED : abi.BUFFER_RESERVOIR;
  words[abi.CL_REPLAY_BATCH] = spec.replayBatch;
  words[abi.CL_LAMBDA] = f32Bits(spec.lambda);
  words[abi.CL_GAMMA] = f32Bits(spec.gamma);
  words[abi.CL_PRUNE] = f32Bits(spec.prune);
  words[abi.CL_RETRAIN] = spec.retrain;
  words[abi.CL_CUT] = spec.name === "latent-replay" ? cutIndex(layers, spec.frozenLayers) : 0;
  words[abi.CL_FISHER_SAMPLES] = spec.fisherSamples;
  return words;
}

/** The settings a strategy reads, for reports (the others are left out). */
export function strategySettings(spec: StrategySpec): Record<string, unknown> {
  const out: Record<string, unknown> = { name: spec.name };
  for (const key of Object.keys(APPLIES) as Array<keyof StrategyOverrides>) {
    if (APPLIES[key].includes(spec.name)) out[key] = spec[key];
  }
  return out;
}
