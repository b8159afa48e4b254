// TELEMETRY's MACs by format under a precision policy and a per-layer override (docs/precision.md: each
// GEMM job counts under the product format, `mul`, it ran in) against MACs computed here from the model's
// shape, the batch and the policy's rule, on sim and sim-noaccel. The MACs of a Linear layer in->out on a
// batch of B: forward B·in·out; weight gradient B·in·out plus B·out for the bias; error to the layer's
// input B·in·out, for every layer but the first (nothing takes the input's error).
import { describe, expect, it } from "vitest";
import { runOn } from "../helpers/cl-run.js";
import { smallRun } from "../helpers/run-options.js";

const FEATURES = 784, HIDDEN = 16, CLASSES = 10, BATCH = 16, ITERATIONS = 12, EXPERIENCES = 2, TEST_SAMPLES = 50;
// mlp:16 is linear 0 (784 -> 16), relu 1, linear 2 (16 -> 10); layer 2 multiplies in bf16 whatever the state.
const LINEARS = [
  { layer: 0, inputs: FEATURES, outputs: HIDDEN, first: true },
  { layer: 2, inputs: HIDDEN, outputs: CLASSES, first: false },
];
const PINNED: Record<number, string> = { 2: "bf16" };
// The schedule: state 0 (mul fp32) until step 5, state 1 (mul fp16) until step 16, then state 2 (mul bf16).
const POLICY = "schedule:s5@mul=fp16;s16@mul=bf16";
const STATE_MUL = ["fp32", "fp16", "bf16"];
const stateAt = (step: number) => (step < 5 ? 0 : step < 16 ? 1 : 2);

function add(into: Record<string, number>, format: string, macs: number): void {
  into[format] = (into[format] ?? 0) + macs;
}

/** MACs by format of one training step in `state`. */
function stepMacs(state: number, into: Record<string, number>): void {
  for (const { layer, inputs, outputs, first } of LINEARS) {
    const forward = BATCH * inputs * outputs;
    add(into, PINNED[layer] ?? STATE_MUL[state], forward + (forward + BATCH * outputs) + (first ? 0 : forward));
  }
}

/** MACs by format of evaluating `samples` samples in `state`. */
function evalMacs(state: number, samples: number): Record<string, number> {
  const into: Record<string, number> = {};
  for (const { layer, inputs, outputs } of LINEARS) add(into, PINNED[layer] ?? STATE_MUL[state], samples * inputs * outputs);
  return into;
}

describe("MACs by format with a precision policy and a layer's own mul format", () => {
  it.each(["sim", "sim-noaccel"])("%s: each experience's training and evaluation MACs, by format, as the shape and the schedule give them", async (board) => {
    const options = smallRun({
      scenario: "class", precision: "fp32,layer2.mul=bf16", precisionPolicy: POLICY,
      iterations: ITERATIONS, batch: BATCH, experiences: EXPERIENCES, testSamples: TEST_SAMPLES,
    });
    const { report } = await runOn(board, options);
    expect(report.config.heads).toBe(1);
    expect(report.config.params).toBe((FEATURES + 1) * HIDDEN + (HIDDEN + 1) * CLASSES);
    for (let e = 0; e < EXPERIENCES; e++) {
      const train: Record<string, number> = {};
      for (let step = e * ITERATIONS; step < (e + 1) * ITERATIONS; step++) stepMacs(stateAt(step), train);
      const t = report.telemetry[e];
      expect(t.train.macsByFormat, `experience ${e}, training`).toEqual(train);
      // Evaluation after an experience runs in the state its last step left, on every experience's test set.
      expect(t.eval.macsByFormat, `experience ${e}, evaluation`).toEqual(evalMacs(stateAt((e + 1) * ITERATIONS - 1), EXPERIENCES * TEST_SAMPLES));
    }
  });
});
