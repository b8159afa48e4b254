// The learner `npm run fuzz` sets up on a board before fuzzing it (and whose traffic it mutates): a
// one-experience Split MNIST MLP with a hidden layer of 16, fp32, 32 training and 16 test samples, 2
// steps of 8, trained, evaluated, checkpointed and restored. Shared by scripts/fuzz.mjs and bench/qemu-input.mjs.
import { planRun } from "../dist/host/cl/run.js";
import { defaultOptimizer } from "../dist/host/train/config.js";

/** The run plan of the learner for `board` (an id, a manifest path, tcp:... or serial:... with `manifest`). */
export function fuzzPlan(seed, board, manifest) {
  return planRun({
    benchmark: "split-mnist",
    scenario: "class",
    strategy: "naive",
    precision: "fp32",
    seed,
    model: "mlp:16",
    iterations: 2,
    batch: 8,
    optimizer: defaultOptimizer("sgd"),
    experiences: 1,
    trainSamples: 32,
    testSamples: 16,
    board,
    manifest,
  }).plan;
}

/** Brings a board to the trained learner of `plan`, every request type of the protocol sent once or more. */
export async function setUpFuzzLearner(plan, client) {
  const hello = await client.hello();
  await client.deploy(typeof plan.deploy === "function" ? plan.deploy(hello) : plan.deploy);
  const { train, test } = plan.experiences[0];
  for (const [split, samples] of [["train", train], ["test", test]]) {
    await client.data({ experience: 0, split, inputs: samples.inputs, labels: samples.labels, features: plan.features, encoding: plan.encoding });
  }
  await client.train({ experience: 0, iterations: plan.iterations, batchSize: plan.batchSize, seed: plan.trainSeed(0, 0) });
  await client.eval({ experience: 0 });
  await client.checkpoint(0);
  await client.restore(0);
  await client.telemetry();
}
