// Small end-to-end runs through the protocol (an in-process simulated board), each well under a minute:
// the scenarios behave as the literature says on a reduced budget, and a seed fixes every bit.
import { describe, expect, it } from "vitest";
import { runContinual, type ClRunOptions } from "../../host/cl/run.js";
import { defaultOptimizer } from "../../host/train/config.js";
import type { Report } from "../../host/report/types.js";
import { expectValidReport } from "../support/report-schema.js";

const base: ClRunOptions = {
  benchmark: "split-mnist",
  scenario: "class",
  strategy: "naive",
  precision: "fp32",
  seed: 1,
  model: "mlp:100,100",
  iterations: 100,
  batch: 64,
  optimizer: defaultOptimizer("adam"),
  board: "inline",
  memoryLimit: 64 << 20,
};

/** The report without the board's wall-clock times and its start time, the only values that differ between identical runs. */
function withoutTimes(report: Report): unknown {
  return JSON.parse(JSON.stringify(report, (key, value) => (key === "timeUs" || key === "createdAt" ? undefined : value)));
}

describe("split-mnist on a reduced budget (fp32, MLP 2x100, 100 steps of 64 per experience)", () => {
  it("task-incremental naive fine-tuning keeps average accuracy >= 85%", async () => {
    const report = await runContinual({ ...base, scenario: "task" });
    expect(report.metrics.avgAccuracy).toBeGreaterThanOrEqual(0.85);
  }, 60_000);

  it("class-incremental: naive forgets (<= 30%) while replay remembers (>= 70%)", async () => {
    const naive = await runContinual({ ...base });
    const replay = await runContinual({ ...base, strategy: "replay", strategyOptions: { bufferBytes: 1 << 20 } });
    expect(naive.metrics.avgAccuracy).toBeLessThanOrEqual(0.3);
    expect(replay.metrics.avgAccuracy).toBeGreaterThanOrEqual(0.7);
    // The accuracy matrix and the metrics agree (last row mean).
    const last = replay.accuracy[4];
    expect(replay.metrics.avgAccuracy).toBeCloseTo(last.reduce((a, b) => a + b, 0) / 5, 12);
  }, 60_000);
});

describe("determinism", () => {
  const small: ClRunOptions = { ...base, strategy: "replay", precision: "fp8-mixed", model: "mlp:16", iterations: 10, batch: 16, experiences: 3, strategyOptions: { bufferBytes: 65536 } };

  it("gives bit-identical reports for the same seed and different ones for different seeds", async () => {
    const a = await runContinual({ ...small, seed: 7 });
    const b = await runContinual({ ...small, seed: 7 });
    const c = await runContinual({ ...small, seed: 8 });
    expect(JSON.stringify(withoutTimes(a))).toBe(JSON.stringify(withoutTimes(b)));
    expect(JSON.stringify(withoutTimes(a.accuracy))).not.toBe(JSON.stringify(withoutTimes(c.accuracy)));
    expect(a.config.seed).toBe(7);
    expect(a.macs).toHaveProperty("fp16");
    expect(a.memory.replayBytes).toBe(65536);
    for (const report of [a, b, c]) expectValidReport(report);
  }, 60_000);
});
