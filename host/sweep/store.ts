// A sweep's folder: sweep.json (the plan), and one folder per run under runs/<hash>/ holding
//   config.json    the resolved configuration and the exact `edgecl run` arguments
//   <board>.json   the run's board manifest, when the sweep changes the board
//   attempt.json   the report `edgecl run --json` writes while it runs (partial if it stopped)
//   report.json    the finished report: attempt.json linked into place once complete, never replaced
//   failed.json    why the last attempt failed (exit code, log)
//   run.log        output of the last local attempt (Slurm tasks log under slurm/)
// Every file is written whole (writeAtomic: a temporary file renamed into place), so a sweep killed at
// any moment leaves each run finished, failed, partial or pending, and the next `edgecl sweep run`
// knows which.
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync, unlinkSync } from "node:fs";
import { join, resolve } from "node:path";
import { RunError } from "../errors.js";
import { writeAtomic } from "../report/io.js";
import { runArguments, type PlannedRun, type SweepPlan } from "./plan.js";

export const SWEEP_SCHEMA = "edgecl-sweep";
export const SWEEP_VERSION = 1;

export const RUN_FILES = {
  config: "config.json",
  attempt: "attempt.json",
  report: "report.json",
  failed: "failed.json",
  log: "run.log",
} as const;

export type RunState = "finished" | "failed" | "partial" | "pending";

/** What `sweep.json` holds: the plan, so a report can be drawn from the folder alone. */
export interface SweepRecord {
  schema: typeof SWEEP_SCHEMA;
  version: typeof SWEEP_VERSION;
  name: string;
  file: string;
  axes: SweepPlan["axes"];
  gridSize: number;
  sample?: SweepPlan["sample"];
  runs: Array<{ index: number; hash: string; axes: Record<string, string> }>;
}

/** What `runs/<hash>/config.json` holds. */
export interface RunRecord {
  hash: string;
  axes: Record<string, string>;
  options: Record<string, string>;
  /** The board manifest the run's own manifest file holds, when it has one. */
  boardManifest?: Record<string, unknown>;
  /** `edgecl run` arguments that reproduce the run by hand. */
  args: string[];
}

export interface FailedRecord {
  exitCode: number | null;
  signal: string | null;
  /** Slurm's state of the task, when it ran under Slurm. */
  state?: string;
  log: string;
}

export class SweepStore {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  runDir(hash: string): string {
    return join(this.dir, "runs", hash);
  }

  file(hash: string, name: keyof typeof RUN_FILES): string {
    return join(this.runDir(hash), RUN_FILES[name]);
  }

  /** The run's own board manifest file (its name is the board id, as manifests are named). */
  manifestFile(run: PlannedRun): string | undefined {
    return run.board ? join(this.runDir(run.hash), `${run.options.board}.json`) : undefined;
  }

  args(run: PlannedRun): string[] {
    return runArguments(run, this.manifestFile(run), this.file(run.hash, "attempt"));
  }

  state(hash: string): RunState {
    if (existsSync(this.file(hash, "report"))) return "finished";
    if (existsSync(this.file(hash, "failed"))) return "failed";
    if (existsSync(this.file(hash, "attempt"))) return "partial";
    return "pending";
  }

  /** Records the plan and prepares each run's folder (configuration and manifest) without touching results. */
  prepare(plan: SweepPlan): void {
    mkdirSync(join(this.dir, "runs"), { recursive: true });
    const record: SweepRecord = {
      schema: SWEEP_SCHEMA,
      version: SWEEP_VERSION,
      name: plan.name,
      file: resolve(plan.file),
      axes: plan.axes,
      gridSize: plan.gridSize,
      sample: plan.sample,
      runs: plan.runs.map((r) => ({ index: r.index, hash: r.hash, axes: r.axes })),
    };
    writeAtomic(join(this.dir, "sweep.json"), `${JSON.stringify(record, null, 2)}\n`);
    for (const run of plan.runs) {
      mkdirSync(this.runDir(run.hash), { recursive: true });
      const config: RunRecord = { hash: run.hash, axes: run.axes, options: run.options, boardManifest: run.board?.manifest, args: this.args(run) };
      writeAtomic(this.file(run.hash, "config"), `${JSON.stringify(config, null, 2)}\n`);
      const manifest = this.manifestFile(run);
      if (manifest) writeAtomic(manifest, `${JSON.stringify(run.board!.manifest, null, 2)}\n`);
    }
  }

  /** Clears what a previous unfinished attempt left (its report, failure, and files a kill left half-written), before a new one. */
  clearAttempt(hash: string): void {
    for (const name of ["attempt", "failed"] as const) rmSync(this.file(hash, name), { force: true });
    for (const file of readdirSync(this.runDir(hash))) if (file.endsWith(".tmp")) rmSync(join(this.runDir(hash), file), { force: true });
  }

  /**
   * Makes a complete attempt the run's report. A hard link never replaces an existing name, so a
   * finished report stays as it is even when two sweeps finish the same run. Returns false when the
   * attempt is missing or incomplete.
   */
  publish(hash: string): boolean {
    const attempt = this.file(hash, "attempt");
    if (!isCompleteReport(attempt)) return false;
    try {
      linkSync(attempt, this.file(hash, "report"));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw new RunError(`cannot publish the report of run ${hash}: ${(err as Error).message}`);
    }
    unlinkSync(attempt);
    return true;
  }

  recordFailure(hash: string, failure: FailedRecord): void {
    writeAtomic(this.file(hash, "failed"), `${JSON.stringify(failure, null, 2)}\n`);
  }

  readFailure(hash: string): FailedRecord | null {
    try {
      return JSON.parse(readFileSync(this.file(hash, "failed"), "utf8")) as FailedRecord;
    } catch {
      return null;
    }
  }

  readRecord(): SweepRecord | null {
    const file = join(this.dir, "sweep.json");
    if (!existsSync(file)) return null;
    return JSON.parse(readFileSync(file, "utf8")) as SweepRecord;
  }
}

/** True when `file` holds a report whose run finished (a run killed mid-write leaves text that is not JSON). */
export function isCompleteReport(file: string): boolean {
  try {
    const data = JSON.parse(readFileSync(file, "utf8")) as { status?: { complete?: unknown } };
    return data.status?.complete === true;
  } catch {
    return false;
  }
}
