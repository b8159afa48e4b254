// A run stopped after experience k and resumed (RunPlan.resume): the board is deployed afresh and
// experiences 0..k-1 run again, checked against the saved report; the finished report equals an
// uninterrupted run's, apart from provenance and measured time, for every strategy.
import { describe, expect, test } from "vitest";
import { BoardLostError } from "../../host/client/errors.js";
import { ResumeMismatchError, runExperiences, RunInterruptedError, type RunPlan, type RunStep } from "../../host/client/runner.js";
import { planRun } from "../../host/cl/run.js";
import { defaultOptimizer } from "../../host/train/config.js";
import type { Report } from "../../host/report/types.js";
import { connectInProcess, manifest } from "../helpers/board.js";
import { comparableReport } from "../helpers/run-process.js";

const STRATEGIES = ["naive", "cumulative", "replay", "latent-replay", "gdumb", "agem", "ewc", "online-ewc", "si", "lwf", "packnet"];

function plan(strategy: string, seed = 7): RunPlan {
  return planRun({
    scenario: "class", strategy, precision: "fp8-mixed", seed, model: strategy === "latent-replay" ? "mlp:16,16" : "mlp:16", iterations: 12, batch: 8,
    optimizer: defaultOptimizer("adam"), experiences: 3, trainSamples: 60, testSamples: 30, board: "sim-noaccel",
  }).plan;
}

/** Runs `p` on a fresh in-process board; with `stopAt`, the board is lost as experience stopAt starts. */
async function run(p: RunPlan, stopAt?: number): Promise<Report> {
  const { client } = connectInProcess({ manifest: manifest("sim-noaccel") }, 60_000);
  const onStep = (s: RunStep) => {
    if (s.request === "DATA" && s.experience === stopAt && s.target === undefined) throw new BoardLostError("sim-noaccel", "DATA", "stopped by the test");
  };
  try {
    return await runExperiences(client, p, { onStep });
  } catch (err) {
    if (err instanceof RunInterruptedError) return err.report;
    throw err;
  } finally {
    await client.close();
  }
}

describe.each(STRATEGIES)("%s", (strategy) => {
  test("stopped after 1 and after 2 experiences and resumed: the uninterrupted run's report", async () => {
    const whole = comparableReport(await run(plan(strategy)));
    for (const k of [1, 2]) {
      const partial = await run(plan(strategy), k);
      expect(partial.status).toMatchObject({ complete: false, experiencesCompleted: k });
      expect(comparableReport(await run({ ...plan(strategy), resume: partial }))).toEqual(whole);
    }
  }, 120_000);
});

test("a saved experience that the board does not give again stops the resumed run", async () => {
  const partial = await run(plan("naive"), 2);
  partial.accuracy[1] = partial.accuracy[1].map((a) => 1 - a);
  const failure = await run({ ...plan("naive"), resume: partial }).catch((err) => err);
  expect(failure).toBeInstanceOf(ResumeMismatchError);
  expect((failure as Error).message).toMatch(/^expected experience 1 run again to give the saved accuracies and model checksum [0-9a-f]{8}/);
});
