// A run that writes the board's checkpoint after every experience (RunPlan.checkpointSlot, run
// --checkpoint-every experience), stopped after 1 or 2 experiences and resumed on the same board's flash:
// the learner comes back from the checkpoint, no completed experience runs again, and the finished
// report equals the uninterrupted run's (memory figures included), apart from provenance and measured
// time. A flash without this run's image falls back to running the completed experiences again.
import { describe, expect, test } from "vitest";
import { loadAccelerator } from "../../board/sim/mmio.js";
import { Flash } from "../../board/sim/flash.js";
import type { RunPlan } from "../../host/client/runner.js";
import { planRun } from "../../host/cl/run.js";
import { defaultOptimizer } from "../../host/train/config.js";
import { connectInProcess, manifest } from "../helpers/board.js";
import { comparableReport } from "../helpers/run-process.js";
import { runStoppingAt, type StoppedRun } from "../helpers/cl-run.js";

const STRATEGIES = ["naive", "cumulative", "replay", "latent-replay", "gdumb", "agem", "ewc", "online-ewc", "si", "lwf", "packnet"];
const BOARD = manifest("sim");

function plan(strategy: string, seed = 7): RunPlan {
  return planRun({
    scenario: "class", strategy, precision: "fp8-mixed", seed, model: strategy === "latent-replay" ? "mlp:16,16" : "mlp:16", iterations: 12, batch: 8,
    optimizer: defaultOptimizer("adam"), experiences: 3, trainSamples: 60, testSamples: 30, board: "sim", checkpointEvery: "experience",
  }).plan;
}

/** Runs `p` on a board with `flash`; with `stopAt`, the board is lost as experience stopAt starts. */
async function run(p: RunPlan, flash: Flash, stopAt?: number): Promise<StoppedRun> {
  const { client } = connectInProcess({ manifest: BOARD, flash, accelerator: await loadAccelerator(BOARD) }, 60_000);
  return runStoppingAt(client, "sim", p, stopAt);
}

const newFlash = () => new Flash(BOARD.memory.flashBytes);

describe.each(STRATEGIES)("%s", (strategy) => {
  test("stopped after 1 and after 2 experiences and resumed from the checkpoint: the uninterrupted run's report", async () => {
    const whole = await run(plan(strategy), newFlash());
    expect(whole.report.status.checkpoint).toMatchObject({ slot: 0, experience: 2 });
    for (const k of [1, 2]) {
      const flash = newFlash();
      const partial = await run(plan(strategy), flash, k);
      expect(partial.report.status).toMatchObject({ complete: false, experiencesCompleted: k, checkpoint: { slot: 0, experience: k - 1 } });
      const resumed = await run({ ...plan(strategy), resume: partial.report }, flash);
      expect(resumed.log[0]).toMatch(new RegExp(`^resuming from the board's checkpoint of experience ${k - 1} \\(flash slot 0, \\d+ bytes, model checksum [0-9a-f]{8}\\)$`));
      // Only the experiences after the checkpoint train (GDumb's end-of-experience training included).
      expect([...new Set(resumed.trained)]).toEqual([0, 1, 2].slice(k));
      expect(comparableReport(resumed.report)).toEqual(comparableReport(whole.report));
    }
  }, 120_000);
});

describe("a board that does not hold the run's checkpoint: the completed experiences run again", () => {
  test("an empty flash", async () => {
    const whole = await run(plan("ewc"), newFlash());
    const partial = await run(plan("ewc"), newFlash(), 2);
    const resumed = await run({ ...plan("ewc"), resume: partial.report }, newFlash());
    expect(resumed.log[0]).toMatch(/^resuming by running experiences 0\.\.1 again: the board's RESTORE refused: expected a checkpoint in flash slot 0, received an empty slot/);
    expect(resumed.trained[0]).toBe(0);
    expect(comparableReport(resumed.report)).toEqual(comparableReport(whole.report));
  }, 120_000);

  test("the checkpoint of an earlier experience of the same run: restored, found out by its model checksum, and deployed over", async () => {
    const whole = await run(plan("replay"), newFlash());
    const older = newFlash();
    await run(plan("replay"), older, 1);
    const partial = await run(plan("replay"), newFlash(), 2);
    const resumed = await run({ ...plan("replay"), resume: partial.report }, older);
    expect(resumed.log[0]).toMatch(/^resuming by running experiences 0\.\.1 again: flash slot 0 holds another checkpoint of this deployment \(model checksum [0-9a-f]{8}, expected [0-9a-f]{8}\)$/);
    expect(comparableReport(resumed.report)).toEqual(comparableReport(whole.report));
  }, 120_000);

  test("the checkpoint of another run's deployment (another seed): refused by the device", async () => {
    const other = newFlash();
    await run(plan("naive", 8), other, 2);
    const partial = await run(plan("naive"), newFlash(), 2);
    const resumed = await run({ ...plan("naive"), resume: partial.report }, other);
    expect(resumed.log[0]).toMatch(/^resuming by running experiences 0\.\.1 again: the board's RESTORE refused: expected a checkpoint image of the deployed learner .* fail check 4 /);
    expect(resumed.report.status.complete).toBe(true);
  }, 120_000);
});
