// edgecl monitor on a board that a run drives (docs/boards.md, one driver per board): --reset is
// refused with IN_USE, plain monitoring answers, and neither changes the run's report. The run is a
// host session on a simulated board's TCP port; the monitors are CLI processes started mid-run.
import { describe, expect, test } from "vitest";
import { planRun, runPlanned } from "../../host/cl/run.js";
import { defaultOptimizer } from "../../host/train/config.js";
import { spawnSimBoardTcp } from "../../host/transport/sim.js";
import type { RunStep } from "../../host/client/runner.js";
import { edgecl, type CliResult } from "../helpers/cli.js";
import { comparableReport } from "../helpers/run-process.js";

describe("monitoring a board a run drives", () => {
  test("monitor --reset is refused, plain monitor answers, and the run's report is that of an undisturbed run", async () => {
    const { process: board, host, port } = await spawnSimBoardTcp({ board: "sim-noaccel" });
    try {
      const options = {
        scenario: "class", strategy: "replay", precision: "fp32", seed: 3, model: "mlp:16", iterations: 20, batch: 8,
        optimizer: defaultOptimizer("adam"), experiences: 2, trainSamples: 60, testSamples: 30, board: `tcp:${host}:${port}`, manifest: "sim-noaccel",
      };
      const monitors: CliResult[] = [];
      // Mid-run, between experience 1's TRAIN and its counters: the moment a reset would corrupt them.
      const onStep = (step: RunStep) => {
        if (step.request !== "TELEMETRY" || step.experience !== 1 || monitors.length > 0) return;
        monitors.push(edgecl(["monitor", "--board", options.board, "--reset", "--count", "1"]));
        monitors.push(edgecl(["monitor", "--board", options.board, "--count", "2", "--interval", "10"]));
      };
      const disturbed = await runPlanned(planRun(options), { hooks: { onStep } });
      const undisturbed = await runPlanned(planRun(options));

      expect(monitors[0].code).toBe(1);
      expect(monitors[0].stderr).toMatch(/\nedgecl: board .*: TELEMETRY failed with IN_USE: expected requests that change board sim-noaccel from the host session that drives it/);
      expect(monitors[1].stderr).toBe("monitoring board sim-noaccel (v8) every 10 ms\n");
      expect(monitors[1].code).toBe(0);
      expect(monitors[1].stdout.trim().split("\n")).toHaveLength(2);
      expect(comparableReport(disturbed)).toEqual(comparableReport(undisturbed));
    } finally {
      await board.close();
    }
  }, 120_000);
});
