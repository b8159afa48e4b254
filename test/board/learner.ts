// A small learner for tests that run the real device module: DEPLOY's config blobs for an MLP over
// four features and two classes with a naive strategy, and a seeded separable task to train it on.
import {
  CL_ABI_VERSION, CL_MEMORY_LIMIT, CL_STRATEGY, CL_VERSION, CL_WORD_COUNT, CL_WORDS, STRATEGY_NAIVE,
} from "../../assembly/cl/abi.js";
import type { BoardClient } from "../../host/board/client.js";
import { Rng } from "../../host/data/rng.js";
import { parsePrecision } from "../../host/precision/index.js";
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
