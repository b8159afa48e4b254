// What tests deploy on the real device module, and the data they feed it:
// - a small learner (an MLP over four features, two classes, naive strategy) with a seeded separable task,
//   for the board, transport and fuzz tests;
// - Split MNIST learners of any strategy, scenario and precision, as DEPLOY, DATA, TRAIN and EVAL payloads.
import {
  CL_ABI_VERSION, CL_MEMORY_LIMIT, CL_STRATEGY, CL_VERSION, CL_WORD_COUNT, CL_WORDS, STRATEGY_NAIVE,
} from "../../assembly/cl/abi.js";
import type { BoardClient } from "../../host/client/client.js";
import { makeBenchmark } from "../../host/cl/benchmarks.js";
import { encodeStrategy, resolveStrategy, rowsPerStep, type StrategyOverrides } from "../../host/cl/strategies.js";
import { loadMnist } from "../../host/data/index.js";
import { Rng } from "../../host/data/rng.js";
import { encodePolicy, parsePolicy, parsePrecision, policyCountsHealth } from "../../host/precision/index.js";
import { encodePayload } from "../../host/protocol/index.js";
import { defaultOptimizer, encodeConfig } from "../../host/train/config.js";
import { parseModelSpec } from "../../host/train/model-spec.js";

export const FEATURES = 4;

/** DEPLOY's config: the model blob (an MLP over 4 features, 2 classes), then a naive strategy blob. */
export function learner(options: {
  hidden: string;
  precision?: string;
  memoryLimit: number;
  spoil?: (words: Uint32Array) => void;
  spoilStrategy?: (words: Uint32Array) => void;
}): Uint8Array {
  const model = encodeConfig({
    seed: 1,
    maxBatch: 16,
    inputShape: [FEATURES],
    heads: 1,
    classes: 2,
    layers: parseModelSpec(`mlp:${options.hidden}`).layers,
    precision: parsePrecision(options.precision ?? "fp32"),
    optimizer: { ...defaultOptimizer("sgd"), lr: 0.1 },
  });
  options.spoil?.(model);
  const strategy = new Uint32Array(CL_WORD_COUNT);
  strategy[CL_VERSION] = CL_ABI_VERSION;
  strategy[CL_WORDS] = CL_WORD_COUNT;
  strategy[CL_STRATEGY] = STRATEGY_NAIVE;
  strategy[CL_MEMORY_LIMIT] = options.memoryLimit;
  options.spoilStrategy?.(strategy);
  const bytes = new Uint8Array((model.length + strategy.length) * 4);
  const view = new DataView(bytes.buffer);
  [...model, ...strategy].forEach((word, i) => view.setUint32(4 * i, word, true));
  return bytes;
}

/** Two classes apart in the first feature (below 0.25 or above 0.75), noise in the others (seeded). */
export function separable(count: number, stream: string): { inputs: Float32Array; labels: number[] } {
  const rng = Rng.forStream(7, stream);
  const inputs = new Float32Array(count * FEATURES);
  const labels: number[] = [];
  for (let i = 0; i < count; i++) {
    const label = i % 2;
    for (let f = 0; f < FEATURES; f++) inputs[i * FEATURES + f] = f === 0 ? rng.nextFloat() * 0.25 + (label ? 0.75 : 0) : rng.nextFloat();
    labels.push(label);
  }
  return { inputs, labels };
}

/** HELLO, DEPLOY, DATA, TRAIN, EVAL, CHECKPOINT, RESTORE, TELEMETRY: the traffic a fuzzer starts from (test/board/fuzz.test.ts). */
export async function setUpLearner(client: BoardClient, wasm: Uint8Array): Promise<void> {
  const hello = await client.hello();
  await client.deploy({ config: learner({ hidden: "8", memoryLimit: hello.memoryLimit }), module: wasm });
  await client.data({ experience: 0, split: "train", ...separable(16, "fuzz-train"), features: FEATURES });
  await client.data({ experience: 0, split: "test", ...separable(8, "fuzz-test"), features: FEATURES });
  await client.train({ experience: 0, iterations: 2, batchSize: 4, seed: 5 });
  await client.eval({ experience: 0 });
  await client.checkpoint(0);
  await client.restore(0);
  await client.telemetry();
}

export interface SetupOptions {
  strategy: string;
  scenario?: "task" | "domain" | "class";
  precision?: string;
  model?: string;
  batch?: number;
  memoryLimit?: number;
  overrides?: StrategyOverrides;
  seed?: number;
  /** --precision-policy (default static). */
  policy?: string;
  /** Count numeric health (default: when the policy reads it). */
  health?: boolean;
  /** Adam's learning rate (default torch's 1e-3; 0 keeps the weights where a switch leaves them). */
  lr?: number;
}

/** DEPLOY's config bytes for Split MNIST. */
export function deployConfig(o: SetupOptions): Uint8Array {
  const scenario = o.scenario ?? "class";
  const heads = scenario === "task" ? 5 : 1;
  const classes = scenario === "class" ? 10 : 2;
  const batch = o.batch ?? 32;
  const layers = parseModelSpec(o.model ?? "mlp:32").layers;
  const strategy = resolveStrategy(o.strategy as never, scenario, batch, 20, o.overrides ?? {});
  const precision = parsePrecision(o.precision ?? "fp32");
  const policy = parsePolicy(o.policy ?? "static", precision);
  const model = encodeConfig({
    seed: o.seed ?? 3,
    maxBatch: rowsPerStep(strategy, batch),
    inputShape: [1, 28, 28],
    heads,
    classes,
    layers,
    precision,
    optimizer: { ...defaultOptimizer("adam"), ...(o.lr !== undefined ? { lr: o.lr } : {}) },
    policy,
    health: o.health ?? policyCountsHealth(policy),
  });
  const cl = encodeStrategy(strategy, layers, o.memoryLimit ?? 64 << 20);
  encodePolicy(policy, cl);
  const out = new Uint8Array((model.length + cl.length) * 4);
  out.set(new Uint8Array(model.buffer));
  out.set(new Uint8Array(cl.buffer), model.length * 4);
  return out;
}

export function deployPayload(o: SetupOptions): Uint8Array {
  return encodePayload("DEPLOY", { config: deployConfig(o), module: new Uint8Array(0) });
}

const benchmarks = new Map<string, ReturnType<typeof makeBenchmark>>();
export function splitMnist(scenario: "task" | "domain" | "class") {
  if (!benchmarks.has(scenario)) benchmarks.set(scenario, makeBenchmark({ name: "split-mnist", scenario, seed: 1, dataset: loadMnist() }));
  return benchmarks.get(scenario)!;
}

/** DATA payload of the first `count` samples of an experience's part, u8-encoded. */
export function dataPayload(scenario: "task" | "domain" | "class", experience: number, split: "train" | "test", count: number, clear = true): Uint8Array {
  const part = splitMnist(scenario).experiences[experience][split];
  const n = Math.min(count, part.labels.length);
  const samples = new Uint8Array(n * (2 + 784));
  const view = new DataView(samples.buffer);
  for (let k = 0; k < n; k++) view.setUint16(2 * k, part.labels[k], true);
  for (let i = 0; i < n * 784; i++) samples[2 * n + i] = Math.round(part.inputs[i] * 255);
  return encodePayload("DATA", { experience, split: split === "train" ? 0 : 1, encoding: 1, flags: clear ? 1 : 0, count: n, features: 784, samples });
}

export function trainPayload(experience: number, iterations: number, batch: number, seed = 5, flags = 0): Uint8Array {
  return encodePayload("TRAIN", { experience, iterations, batchSize: batch, seed, flags });
}

export function evalPayload(experience: number, taskMask = false): Uint8Array {
  return encodePayload("EVAL", { experience, flags: taskMask ? 1 : 0 });
}
