// A whole continual-learning run on a simulated board, in this process and through the protocol, as
// `edgecl run` plans it: the report and the CRC of the learner's checkpoint afterwards.
import { loadAccelerator } from "../../board/sim/mmio.js";
import type { BoardClient } from "../../host/client/client.js";
import { BoardLostError } from "../../host/client/errors.js";
import { runExperiences, RunInterruptedError, type RunPlan, type RunStep } from "../../host/client/runner.js";
import type { Progress } from "../../host/report/progress.js";
import { loadBoard } from "../../host/manifest/manifest.js";
import { planRun, type ClRunOptions } from "../../host/cl/run.js";
import { checkReport } from "../../host/report/io.js";
import type { Report } from "../../host/report/types.js";
import { connectInProcess } from "./board.js";
import { expect } from "vitest";
import { expectValidReport } from "./report-schema.js";

export interface Run {
  report: Report;
  /** CRC-32 of the learner's checkpoint image after the run: weights, optimiser and strategy state. */
  checkpointCrc: number;
}

/** The run on board `id` (its manifest, and the accelerator model when it has one), in this process. */
export async function runOn(id: string, options: ClRunOptions): Promise<Run> {
  const { plan } = planRun({ ...options, board: id });
  const manifest = loadBoard(id);
  const { client } = connectInProcess({ manifest, accelerator: await loadAccelerator(manifest) }, 120_000);
  try {
    const report = checkReport(JSON.parse(JSON.stringify(await runExperiences(client, plan))), `${id} ${options.precision}`);
    expectValidReport(report);
    const { crc } = await client.checkpoint(0);
    return { report, checkpointCrc: crc };
  } finally {
    await client.close();
  }
}

/** Everything a run reports about learning, without times and the board's own counters. */
export const learning = (r: Report) => ({
  accuracy: r.accuracy,
  untrained: r.untrained,
  metrics: r.metrics,
  macs: r.macs,
  losses: r.telemetry.map((t) => [t.train.meanLoss, t.train.lastLoss, t.eval.loss]),
});


/**
 * Runs `options` on `sim` and on `sim-noaccel` and expects the same learner, bit for bit, with every job
 * on the accelerator (none refused): a job the accelerator computes gives the CPU kernel's bits. Returns
 * the `sim` run.
 */
export async function expectAcceleratorBits(options: ClRunOptions): Promise<Run> {
  const [accelerated, cpu] = await Promise.all([runOn("sim", options), runOn("sim-noaccel", options)]);
  expect(learning(accelerated.report)).toEqual(learning(cpu.report));
  expect(accelerated.report.modelChecksum).toBe(cpu.report.modelChecksum);
  expect(accelerated.checkpointCrc).toBe(cpu.checkpointCrc);
  const a = accelerated.report.accelerator!;
  expect(a.jobs).toBeGreaterThan(0);
  expect(a.cpuFallbacks).toBe(0);
  return accelerated;
}

export interface StoppedRun {
  report: Report;
  /** The experiences of the TRAIN requests sent. */
  trained: number[];
  /** The progress log (a resumed run says first how it resumes). */
  log: string[];
}

/**
 * Runs `plan` on `client` (closed afterwards); with `stopAt`, the board named `board` is lost as
 * experience stopAt starts, and the report is the partial one the run saves.
 */
export async function runStoppingAt(client: BoardClient, board: string, plan: RunPlan, stopAt?: number): Promise<StoppedRun> {
  const trained: number[] = [];
  const log: string[] = [];
  const progress: Progress = { start() {}, update() {}, stop() {}, log: (line) => void log.push(line) };
  const onStep = (s: RunStep) => {
    if (s.request === "TRAIN") trained.push(s.experience!);
    if (s.request === "DATA" && s.experience === stopAt && s.target === undefined) throw new BoardLostError(board, "DATA", "stopped by the test");
  };
  try {
    return { report: await runExperiences(client, plan, { onStep, progress }), trained, log };
  } catch (err) {
    if (err instanceof RunInterruptedError) return { report: err.report, trained, log };
    throw err;
  } finally {
    await client.close();
  }
}
