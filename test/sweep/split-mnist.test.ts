// experiments/split-mnist.sweep.json is the Split MNIST protocol of experiments/split-mnist.json at its
// reduced budget (the sweep `npm run experiments` runs): the same grid, and each run the library's
// runContinual with the protocol's budget.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { runOptionSpecs } from "../../host/cli/commands/sweep.js";
import { runContinual } from "../../host/cl/run.js";
import { writeReport } from "../../host/report/io.js";
import { readSweepFile } from "../../host/sweep/file.js";
import { planSweep } from "../../host/sweep/plan.js";
import { edgecl } from "../helpers/cli.js";
import { deterministic } from "./tiny.js";

const root = new URL("../../", import.meta.url);
const protocol = JSON.parse(readFileSync(new URL("experiments/split-mnist.json", root), "utf8"));
const plan = planSweep(readSweepFile(new URL("experiments/split-mnist.sweep.json", root).pathname), runOptionSpecs());
const dir = mkdtempSync(join(tmpdir(), "edgecl-sweep-split-mnist-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("experiments/split-mnist.sweep.json", () => {
  test("every precision x scenario x strategy x seed of the protocol, once", () => {
    const seeds = Array.from({ length: protocol.reduced.seeds }, (_, i) => String(i + 1));
    const expected: string[] = [];
    for (const p of protocol.precisions) for (const sc of protocol.scenarios) for (const st of protocol.strategies) for (const seed of seeds) expected.push(`${p} ${sc} ${st} ${seed}`);
    const planned = plan.runs.map((r) => `${r.options.precision} ${r.options.scenario} ${r.options.strategy} ${r.options.seed}`);
    expect(planned.sort()).toEqual(expected.sort());
  });

  test("each run has the reduced budget, all the digits, and the in-process board of the protocol", () => {
    const budget = protocol.reduced;
    for (const run of plan.runs) {
      expect(run.options).toMatchObject({
        benchmark: protocol.benchmark,
        model: budget.model,
        iterations: String(budget.iterations),
        batch: String(budget.batch),
        lr: String(budget.lr),
        optimizer: "adam",
        board: "inline",
        memory: String(budget.memoryBytes),
        "train-samples": "0",
        "test-samples": "0",
        "class-order": protocol.classOrder,
      });
      expect(run.options.experiences).toBeUndefined();
    }
  });

  test("a run gives the report of runContinual with the protocol's budget (2 iterations instead of 100, to be quick)", async () => {
    const run = plan.runs.find((r) => r.axes.precision === "fp32" && r.axes.scenario === "task" && r.axes.strategy === "naive" && r.axes.seed === "1")!;
    const args = Object.entries({ ...run.options, iterations: "2" }).flatMap(([k, v]) => [`--${k}`, v]);
    const viaCli = join(dir, "cli.json");
    const r = edgecl(["run", ...args, "--json", viaCli, "--quiet"]);
    expect(r.code, r.stderr).toBe(0);
    // The library call with the protocol's budget.
    const budget = protocol.reduced;
    const report = await runContinual({
      benchmark: "split-mnist", classOrder: protocol.classOrder, scenario: "task", strategy: "naive", precision: "fp32", seed: 1,
      model: budget.model, iterations: 2, batch: budget.batch,
      optimizer: { name: "adam", lr: budget.lr, momentum: 0, weightDecay: 0, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
      board: "inline", memoryLimit: budget.memoryBytes,
    });
    const viaScript = join(dir, "script.json");
    writeReport(viaScript, report);
    expect(deterministic(viaCli)).toBe(deterministic(viaScript));
  });
});
