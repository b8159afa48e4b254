// A whole continual-learning run on a simulated board, in this process and through the protocol, as
// `edgecl run` plans it: the report and the CRC of the learner's checkpoint afterwards.
import { loadAccelerator } from "../../board/sim/mmio.js";
import { runExperiences } from "../../host/client/runner.js";
import { loadBoard } from "../../host/manifest/manifest.js";
import { planRun, type ClRunOptions } from "../../host/cl/run.js";
import { checkReport } from "../../host/report/io.js";
import type { Report } from "../../host/report/types.js";
import { connectInProcess } from "./board.js";
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

