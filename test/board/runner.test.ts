// The experience runner against the stand-in device, whose answers follow from its state: EVAL's
// correct = min(test samples, optimiser steps so far). So the accuracy matrix, the metrics and the
// MAC counts of a run can be worked out by hand, and compared with the report.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { RunInterruptedError, runExperiences, type RunPlan } from "../../host/client/runner.js";
import { checkReport } from "../../host/report/io.js";
import type { Progress } from "../../host/report/progress.js";
import type { Report } from "../../host/report/types.js";
import { batch, connectInProcess, manifest, standinWasm } from "../helpers/board.js";
import { tempDir } from "../helpers/temp-dir.js";

const dir = tempDir("runner");
let module: Uint8Array;
beforeAll(() => {
  module = standinWasm(1);
});

const TEST_SIZES = [10, 6, 20];

function plan(overrides: Partial<RunPlan> = {}): RunPlan {
  return {
    config: { benchmark: "standin", strategy: "naive", precision: "fp32", seed: 7 },
    deploy: { config: { format: "fp32", modelBytes: 2048 }, module },
    features: 4,
    experiences: TEST_SIZES.map((n, e) => ({ train: batch(8 + e), test: batch(n) })),
    iterations: 4,
    batchSize: 2,
    trainSeed: (e) => 100 + e,
    ...overrides,
  };
}

/** Report without the board's wall-clock times, which differ from run to run. */
function withoutTimes(report: Report): unknown {
  return JSON.parse(JSON.stringify(report, (key, value) => (key === "timeUs" ? undefined : value)));
}

/** The progress before each request of these weights, then the total: 0, w0, w0 + w1, ... */
function cumulative(weights: number[]): number[] {
  const out = [0];
  for (const w of weights) out.push(out[out.length - 1] + w);
  return out;
}

class RecordingProgress implements Progress {
  total = 0;
  updates: number[] = [];
  lines: string[] = [];
  start(total: number) {
    this.total = total;
  }
  update(done: number) {
    this.updates.push(done);
  }
  log(line: string) {
    this.lines.push(line);
  }
  stop() {}
}

describe("runExperiences", () => {
  test("fills the accuracy matrix, metrics, MACs and memory as worked out by hand", async () => {
    const { client } = connectInProcess({ manifest: manifest("sim-noaccel") });
    const progress = new RecordingProgress();
    const report = await runExperiences(client, plan(), { progress });
    // Steps so far after training i: 4 (i + 1); test sets of 10, 6 and 20 samples.
    expect(report.accuracy).toEqual([
      [4 / 10, 4 / 6, 4 / 20],
      [8 / 10, 6 / 6, 8 / 20],
      [10 / 10, 6 / 6, 12 / 20],
    ]);
    expect(report.untrained).toEqual([0, 0, 0]);
    expect(report.metrics.avgAccuracy).toBeCloseTo((1 + 1 + 0.6) / 3, 12);
    expect(report.metrics.bwt).toBeCloseTo((1 - 0.4 + (1 - 1)) / 2, 12);
    expect(report.metrics.fwt).toBeCloseTo((4 / 6 - 0 + (8 / 20 - 0)) / 2, 12);
    expect(report.metrics.forgetting).toBeCloseTo((0.8 - 1 + (1 - 1)) / 2, 12);
    // 10 MACs per sample per step in fp32, training only: 4 steps x 2 samples x 10 per experience.
    expect(report.macs).toEqual({ fp32: 3 * 80 });
    expect(report.telemetry.map((t) => [t.experience, t.train.macs, t.train.macsByFormat, t.eval.macs, t.train.iterations])).toEqual([
      [0, 80, { fp32: 80 }, 0, 4],
      [1, 80, { fp32: 80 }, 0, 4],
      [2, 80, { fp32: 80 }, 0, 4],
    ]);
    expect(report.telemetry[2].train.meanLoss).toBeCloseTo(1 / (1 + 12), 6);
    expect(report.telemetry[0].eval.loss.map((l) => l?.toFixed(6))).toEqual(Array(3).fill((1 / 5).toFixed(6)));
    expect(report.memory).toMatchObject({ modelBytes: 2048, replayBytes: null, linearMemoryLimitBytes: 4194304 });
    expect(report.memory.peakLinearMemoryBytes).toBeGreaterThanOrEqual(65536);
    expect(report.status).toEqual({ complete: true, experiencesPlanned: 3, experiencesCompleted: 3 });
    expect(report.board).toMatchObject({ id: "sim-noaccel", accelerator: false });
    // The CPU path's GEMMs (docs/energy.md): 80 MACs x 60 instructions x 70 pJ per experience, none in evaluation.
    expect(report.energy?.perExperienceJ.map((j) => j.toExponential(6))).toEqual(Array(3).fill((80 * 60 * 70e-12).toExponential(6)));
    expect(report.energy?.totalJ).toBeCloseTo(3 * 80 * 60 * 70e-12, 20);
    expect(report.config).toEqual(plan().config);
    expect(checkReport(JSON.parse(JSON.stringify(report)))).toBeTruthy();
    // One update before every request, each counting 1 but a TRAIN, which counts its 4 optimiser steps
    // (the ETA follows the work), then the total when done. 3 experiences: HELLO, DEPLOY, 3 test sets,
    // 3 untrained EVALs and a reset, and 3 x (DATA, TRAIN, TELEMETRY, 3 EVALs, TELEMETRY).
    expect(progress.total).toBe(2 + 3 + 4 + 3 * (6 + 4));
    expect(progress.updates).toEqual(cumulative([...Array(9).fill(1), ...Array(3).fill([1, 4, 1, 1, 1, 1, 1]).flat()]));
    expect(progress.lines).toHaveLength(3);
  });

  test("the deployment can be made from the board's HELLO (the strategy blob carries its memory limit)", async () => {
    const { client } = connectInProcess({ manifest: manifest("sim-tiny") });
    const report = await runExperiences(client, plan({ deploy: (hello) => ({ config: { format: "fp32", modelBytes: hello.memoryLimit / 64 }, module }) }));
    expect(report.memory.modelBytes).toBe(262144 / 64);
  });

  test("an experience's steps split over several TRAINs: all but the last continue the experience, all but the first follow", async () => {
    const { client } = connectInProcess({ manifest: manifest("sim-noaccel") });
    const sent: Array<{ experience: number; iterations: number; seed: number; flags?: number }> = [];
    const train = client.train.bind(client);
    client.train = (params, options) => {
      sent.push(params);
      return train(params, options);
    };
    const split = await runExperiences(client, plan({ stepsPerRequest: 3 }));
    expect(sent.map((p) => [p.experience, p.iterations, p.seed, p.flags])).toEqual([
      [0, 3, 100, 1],
      [0, 1, 100, 2],
      [1, 3, 101, 1],
      [1, 1, 101, 2],
      [2, 3, 102, 1],
      [2, 1, 102, 2],
    ]);
    const whole = await runExperiences(connectInProcess({ manifest: manifest("sim-noaccel") }).client, plan());
    expect(split.accuracy).toEqual(whole.accuracy);
    expect(split.telemetry[0].train.iterations).toBe(4);
    // A request that follows others reports the experience's mean loss so far: the report takes the last
    // one's. The stand-in's losses after n steps in all are 1 / (1 + n): the 4th step's is 1/5.
    expect(split.telemetry[0].train.meanLoss).toBeCloseTo(1 / 5, 6);
    expect(split.telemetry[0].train.lastLoss).toBeCloseTo(1 / 5, 6);
  });

  test("the same plan gives the same report (apart from the board's wall-clock times)", async () => {
    const a = await runExperiences(connectInProcess({ manifest: manifest("sim-noaccel") }).client, plan());
    const b = await runExperiences(connectInProcess({ manifest: manifest("sim-noaccel") }).client, plan());
    expect(withoutTimes(b)).toEqual(withoutTimes(a));
  });

  test("test data sent again before each evaluation gives the same matrix", async () => {
    const a = await runExperiences(connectInProcess({ manifest: manifest("sim-noaccel") }).client, plan());
    const progress = new RecordingProgress();
    const b = await runExperiences(connectInProcess({ manifest: manifest("sim-noaccel") }).client, plan({ testData: "resend", evaluateUntrained: false, stepsPerRequest: 3 }), { progress });
    // HELLO, DEPLOY, then 3 x (DATA, TRAINs of 3 and 1 steps, TELEMETRY, 3 x (DATA, EVAL), TELEMETRY).
    expect(progress.total).toBe(2 + 3 * (9 + 4));
    expect(progress.updates).toEqual(cumulative([1, 1, ...Array(3).fill([1, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1]).flat()]));
    expect(b.accuracy).toEqual(a.accuracy);
    expect(b.untrained).toBeUndefined();
    expect(b.metrics.fwt).toBeNull();
  });

  test("a board lost during experience 1: the partial report is saved and the error says what was lost", async () => {
    const { client, boardEnd } = connectInProcess({ manifest: manifest("sim-noaccel") });
    const path = join(dir, "lost", "partial.json");
    const run = runExperiences(client, plan(), {
      partialReportPath: path,
      onStep: (step) => {
        if (step.request === "TRAIN" && step.experience === 1) void boardEnd.close();
      },
    });
    await expect(run).rejects.toBeInstanceOf(RunInterruptedError);
    await expect(run).rejects.toThrow(/board sim-noaccel was lost while waiting for the reply to TRAIN \(experience 1\)/);
    await expect(run).rejects.toThrow(`experience 1 was lost, 1 of 3 experiences completed; the partial report is saved in ${path}`);
    const saved = checkReport(JSON.parse(readFileSync(path, "utf8")), path);
    expect(saved.accuracy).toEqual([[4 / 10, 4 / 6, 4 / 20]]);
    expect(saved.status).toMatchObject({ complete: false, experiencesPlanned: 3, experiencesCompleted: 1, lost: { experience: 1, request: "TRAIN (experience 1)" } });
    expect(saved.metrics).toEqual({ avgAccuracy: null, bwt: null, fwt: null, forgetting: null });
    expect(saved.telemetry).toHaveLength(1);
  });

  test("a board that stops answering during an evaluation: timeout, partial report, the experience named", async () => {
    // The timeout covers every request of the run: long enough for a loaded machine, short for a hang.
    const { client, control } = connectInProcess({ manifest: manifest("sim-noaccel") }, 5000);
    const path = join(dir, "hung", "partial.json");
    const run = runExperiences(client, plan(), {
      partialReportPath: path,
      onStep: (step) => {
        if (step.request === "EVAL" && step.experience === 2 && step.target === 1) control.hung = true;
      },
    });
    await expect(run).rejects.toThrow(/board sim-noaccel did not answer EVAL \(experience 1\) within 5000 ms.*experience 2 was lost, 2 of 3 experiences completed/);
    const saved = checkReport(JSON.parse(readFileSync(path, "utf8")));
    expect(saved.accuracy).toHaveLength(2);
    expect(saved.status.lost).toMatchObject({ experience: 2, request: "EVAL (experience 1)" });
  });

  test("a DEPLOY the board refuses stops the run before experience 0", async () => {
    const { client } = connectInProcess({ manifest: manifest("sim-tiny") });
    const run = runExperiences(client, plan({ deploy: { config: { format: "fp32", modelBytes: 1 << 20 }, module } }));
    await expect(run).rejects.toThrow(/DEPLOY failed with DOES_NOT_FIT.*before experience 0 started \(setting up the board\): experience 0 was lost, 0 of 3/);
  });
});
