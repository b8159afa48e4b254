// The small continual-learning run tests start from: Split-MNIST task-incremental, naive, fp8-mixed, a
// 784-16-(2x2) MLP trained by Adam, two experiences of a few hundred samples. Tests override what they
// are about.
import type { ClRunOptions } from "../../host/cl/run.js";
import { defaultOptimizer } from "../../host/train/config.js";

export function smallRun(overrides: Partial<ClRunOptions> = {}): ClRunOptions {
  return {
    benchmark: "split-mnist",
    scenario: "task",
    strategy: "naive",
    precision: "fp8-mixed",
    seed: 1,
    model: "mlp:16",
    iterations: 10,
    batch: 16,
    optimizer: defaultOptimizer("adam"),
    experiences: 2,
    trainSamples: 200,
    testSamples: 50,
    ...overrides,
  };
}
