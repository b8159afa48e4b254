// A sweep folder read back: the plan in sweep.json and, for each run, its state and finished report.
// Everything a sweep report shows comes from these files, so a report can be drawn again at any time.
import { existsSync } from "node:fs";
import { UsageError } from "../errors.js";
import { readReport } from "../report/io.js";
import type { Report } from "../report/types.js";
import { SweepStore, type FailedRecord, type RunState, type SweepRecord } from "./store.js";

export interface SweepRun {
  index: number;
  hash: string;
  axes: Record<string, string>;
  state: RunState;
  /** The finished report. */
  report: Report | null;
  failure: FailedRecord | null;
  reportFile: string;
}

export interface SweepResults {
  dir: string;
  record: SweepRecord;
  runs: SweepRun[];
}

export function isSweepDir(dir: string): boolean {
  return existsSync(`${dir}/sweep.json`);
}

export function readSweepResults(dir: string): SweepResults {
  const store = new SweepStore(dir);
  const record = store.readRecord();
  if (!record) throw new UsageError(`expected a sweep folder (sweep.json, written by edgecl sweep run), received ${JSON.stringify(dir)}`);
  const runs = record.runs.map((r) => {
    const state = store.state(r.hash);
    const reportFile = store.file(r.hash, "report");
    return {
      ...r,
      state,
      report: state === "finished" ? readReport(reportFile) : null,
      failure: state === "failed" ? store.readFailure(r.hash) : null,
      reportFile,
    };
  });
  return { dir: store.dir, record, runs };
}
