// The Slurm engine: the runs left to do become one job array (`sbatch --array`), task i running
// `edgecl run` for the i-th of them and publishing its report as the local engine does. Slurm does the
// scheduling; this side only writes the script, submits it, and follows the tasks with squeue (and
// sacct, where the cluster keeps accounting) until every one has ended.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { RunError, UsageError } from "../errors.js";
import { edgeclRunCommand } from "./command.js";
import type { EngineSummary } from "./local.js";
import type { PlannedRun } from "./plan.js";
import { sweepProgress } from "./progress.js";
import { writeAtomic } from "../report/io.js";
import { RUN_FILES, type SweepStore } from "./store.js";

export interface SlurmOptions {
  partition?: string;
  /** Slurm's time limit per task: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS. */
  time?: string;
  cpusPerTask: number;
  /** Seconds between two looks at the queue. */
  pollSeconds: number;
  /** Follow the job until every task has ended (otherwise return after submitting). */
  wait: boolean;
  stream?: NodeJS.WritableStream;
}

export interface SlurmSummary extends EngineSummary {
  jobId: string;
  script: string;
}

/** States of a task that has not ended yet (squeue's long names). */
const ACTIVE_STATES = new Set(["PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESIZING", "SIGNALING", "STAGE_OUT", "RESV_DEL_HOLD"]);

/** Slurm's time-limit forms (sbatch(1), --time). */
const TIME_LIMIT = /^(\d+|\d+:\d{1,2}|\d+:\d{1,2}:\d{1,2}|\d+-\d+|\d+-\d+:\d{1,2}|\d+-\d+:\d{1,2}:\d{1,2}|UNLIMITED|INFINITE)$/i;

export function checkTimeLimit(time: string): string {
  if (!TIME_LIMIT.test(time)) throw new UsageError(`expected --time as minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS, received ${JSON.stringify(time)}`);
  return time;
}

/** One word as the shell reads it back unchanged. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Where Slurm writes the output of task `index` of job `jobId` (the script's --output pattern). */
export function taskLog(store: SweepStore, jobId: string, index: number): string {
  return join(store.dir, "slurm", `${jobId}_${index}.log`);
}

/** The job array script: task i runs `edgecl run` for runs[i] and links its complete report into place. */
export function sbatchScript(store: SweepStore, name: string, runs: PlannedRun[], options: Pick<SlurmOptions, "partition" | "time" | "cpusPerTask">): string {
  const L: string[] = [];
  L.push("#!/bin/bash");
  L.push(`# edgecl sweep ${name}: ${runs.length} runs as one Slurm job array; task i runs \`edgecl run\` for run i below.`);
  L.push(`#SBATCH --job-name=${shellQuote(`edgecl-${name}`)}`);
  L.push(`#SBATCH --array=0-${runs.length - 1}`);
  L.push(`#SBATCH --output=${shellQuote(join(store.dir, "slurm", "%A_%a.log"))}`);
  L.push(`#SBATCH --chdir=${shellQuote(store.dir)}`);
  L.push(`#SBATCH --ntasks=1`);
  L.push(`#SBATCH --cpus-per-task=${options.cpusPerTask}`);
  if (options.partition) L.push(`#SBATCH --partition=${shellQuote(options.partition)}`);
  if (options.time) L.push(`#SBATCH --time=${shellQuote(options.time)}`);
  L.push("set -u");
  L.push('case "$SLURM_ARRAY_TASK_ID" in');
  runs.forEach((run, i) => {
    const { command, args } = edgeclRunCommand(store.args(run));
    L.push(`  ${i}) run=${run.hash}; command=(${[command, ...args].map(shellQuote).join(" ")}) ;;`);
  });
  L.push('  *) echo "no run for array task $SLURM_ARRAY_TASK_ID" >&2; exit 2 ;;');
  L.push("esac");
  L.push(`dir=${shellQuote(join(store.dir, "runs"))}/$run`);
  L.push(`rm -f "$dir/${RUN_FILES.attempt}" "$dir/${RUN_FILES.failed}"`);
  L.push(`echo "run $run on $(hostname)"`);
  L.push('"${command[@]}" || exit $?');
  L.push("# A hard link never replaces an existing name: a finished report is never overwritten.");
  L.push(`ln "$dir/${RUN_FILES.attempt}" "$dir/${RUN_FILES.report}" 2>/dev/null || test -e "$dir/${RUN_FILES.report}" || exit 1`);
  L.push(`rm -f "$dir/${RUN_FILES.attempt}"`);
  return `${L.join("\n")}\n`;
}

/** Runs one of Slurm's client commands; a missing command is a usage error naming it. */
function slurmCommand(command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { maxBuffer: 1 << 26 }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === "ENOENT") {
        reject(new UsageError(`expected Slurm's ${command} on PATH for --engine slurm, received no such command; run on a Slurm login node or use --engine local`));
        return;
      }
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Array task indices of an squeue/sacct field: "3", "2-5", "[2-5,7%4]". */
export function taskIndices(field: string): number[] {
  const out: number[] = [];
  for (const part of field.replace(/^\[|\]$/g, "").replace(/%\d+$/, "").split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const from = Number(m[1]);
    const to = m[2] !== undefined ? Number(m[2]) : from;
    for (let i = from; i <= to; i++) out.push(i);
  }
  return out;
}

export interface TaskState {
  state: string;
  exitCode?: string;
}

/**
 * Task states from squeue (tasks ended recently stay listed for the cluster's MinJobAge): empty when
 * squeue has forgotten the job (sacct answers then), null when it could not answer this time (a busy
 * controller), so the caller asks again later rather than take the tasks for lost.
 */
async function squeueStates(jobId: string): Promise<Map<number, TaskState> | null> {
  const r = await slurmCommand("squeue", [`--jobs=${jobId}`, "--array", "--states=all", "--noheader", "--format=%K|%T"]);
  const states = new Map<number, TaskState>();
  if (r.code !== 0) return /invalid job id/i.test(r.stderr) ? states : null;
  for (const line of r.stdout.split("\n")) {
    const [tasks, state] = line.trim().split("|");
    if (!state) continue;
    for (const i of taskIndices(tasks)) states.set(i, { state });
  }
  return states;
}

/** Task states from sacct, or null where the cluster keeps no accounting. */
async function sacctStates(jobId: string): Promise<Map<number, TaskState> | null> {
  const r = await slurmCommand("sacct", [`--jobs=${jobId}`, "--allocations", "--noheader", "--parsable2", "--format=JobID,State,ExitCode"]);
  if (r.code !== 0) return null;
  const states = new Map<number, TaskState>();
  for (const line of r.stdout.split("\n")) {
    const [id, state, exitCode] = line.trim().split("|");
    const m = /^\d+_(.+)$/.exec(id ?? "");
    if (!m || !state) continue;
    // "CANCELLED by 0": the state is the first word.
    for (const i of taskIndices(m[1])) states.set(i, { state: state.split(" ")[0], exitCode });
  }
  return states;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The ended tasks' states: sacct where there is accounting (it keeps exit codes), squeue otherwise; null: ask again. */
async function taskStates(jobId: string, count: number): Promise<Map<number, TaskState> | null> {
  const queued = await squeueStates(jobId);
  if (queued === null) return null;
  const ended = [...queued.values()].filter((t) => !ACTIVE_STATES.has(t.state)).length;
  if (queued.size === count && ended < count) return queued;
  const accounted = await sacctStates(jobId);
  if (accounted && accounted.size) for (const [i, t] of accounted) if (!ACTIVE_STATES.has(t.state) || !queued.has(i)) queued.set(i, t);
  return queued;
}

/** A job array submitted for a sweep: task i runs runs[i]. */
export interface SubmittedJob {
  jobId: string;
  script: string;
  runs: string[];
}

function jobsFile(store: SweepStore): string {
  return join(store.dir, "slurm", "jobs.json");
}

function readJobs(store: SweepStore): SubmittedJob[] {
  try {
    return JSON.parse(readFileSync(jobsFile(store), "utf8")) as SubmittedJob[];
  } catch {
    return [];
  }
}

function recordJob(store: SweepStore, job: SubmittedJob): void {
  writeAtomic(jobsFile(store), `${JSON.stringify([...readJobs(store), job], null, 2)}\n`);
}

/**
 * Runs of this sweep that a job array submitted earlier still has queued or running, by hash, with the
 * job id: a second `edgecl sweep run` leaves them to Slurm rather than run them twice.
 */
export async function runsUnderSlurm(store: SweepStore): Promise<Map<string, string>> {
  const active = new Map<string, string>();
  for (const job of readJobs(store)) {
    let states: Map<number, TaskState> | null;
    try {
      states = await squeueStates(job.jobId);
    } catch {
      return active; // no squeue here: nothing can be running under Slurm from this machine's view
    }
    if (states === null) throw new RunError(`squeue could not say whether job ${job.jobId} still runs runs of this sweep; try again`);
    for (const [i, task] of states) if (ACTIVE_STATES.has(task.state) && job.runs[i]) active.set(job.runs[i], job.jobId);
  }
  return active;
}

export async function runSlurm(store: SweepStore, name: string, runs: PlannedRun[], options: SlurmOptions): Promise<SlurmSummary> {
  const slurmDir = join(store.dir, "slurm");
  mkdirSync(slurmDir, { recursive: true });
  let n = 1;
  while (existsSync(join(slurmDir, `array-${n}.sbatch`))) n++;
  const script = join(slurmDir, `array-${n}.sbatch`);
  for (const run of runs) store.clearAttempt(run.hash);
  writeAtomic(script, sbatchScript(store, name, runs, options));
  let submitted: Awaited<ReturnType<typeof slurmCommand>>;
  try {
    submitted = await slurmCommand("sbatch", ["--parsable", script]);
  } catch (err) {
    rmSync(script, { force: true }); // nothing was submitted: no script to account for
    throw err;
  }
  if (submitted.code !== 0) throw new RunError(`sbatch refused ${script}: ${submitted.stderr.trim() || `exit code ${submitted.code}`}`);
  const jobId = submitted.stdout.trim().split(";")[0];
  if (!/^\d+$/.test(jobId)) throw new RunError(`expected a job id from sbatch --parsable, received ${JSON.stringify(submitted.stdout.trim())}`);
  recordJob(store, { jobId, script, runs: runs.map((r) => r.hash) });
  const stream = options.stream ?? process.stderr;
  stream.write(`submitted job array ${jobId} (${runs.length} tasks): ${script}\n`);
  const summary: SlurmSummary = { jobId, script, finished: [], failed: [], interrupted: false };
  if (!options.wait) return summary;

  const stop = () => {
    summary.interrupted = true;
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  const progress = sweepProgress(runs.length, `job ${jobId}`, stream);
  const reported = new Map<number, TaskState>();
  // Looks at a completed task whose report is not visible yet: a shared file system may show it late.
  const unseen = new Map<number, number>();
  try {
    while (!summary.interrupted && reported.size < runs.length) {
      const states = await taskStates(jobId, runs.length);
      if (states === null) {
        await sleep(options.pollSeconds * 1000);
        continue;
      }
      for (const [i, task] of states) {
        if (reported.has(i) || ACTIVE_STATES.has(task.state) || i >= runs.length) continue;
        const run = runs[i];
        const published = existsSync(store.file(run.hash, "report"));
        if (task.state === "COMPLETED" && !published && (unseen.get(i) ?? 0) < 3) {
          unseen.set(i, (unseen.get(i) ?? 0) + 1);
          continue;
        }
        reported.set(i, task);
        const log = taskLog(store, jobId, i);
        const exitCode = task.exitCode ? `, exit code ${task.exitCode}` : "";
        if (task.state === "COMPLETED" && published) {
          summary.finished.push(run.hash);
          progress.ended(reported.size, `task ${i}: run ${run.hash} finished`);
        } else {
          const detail = task.state === "COMPLETED" ? "Slurm state COMPLETED but no report was published" : `Slurm state ${task.state}${exitCode}`;
          const code = task.exitCode ? Number(task.exitCode.split(":")[0]) : null;
          store.recordFailure(run.hash, { exitCode: Number.isFinite(code) ? code : null, signal: null, state: task.state, log });
          summary.failed.push({ hash: run.hash, detail, log });
          progress.ended(reported.size, `task ${i}: run ${run.hash} FAILED: ${detail}; log ${log}`);
        }
      }
      // Neither squeue nor sacct knows the job any more: what the runs left in their folders is all there is.
      if (states.size === 0) {
        runs.forEach((run, i) => {
          if (reported.has(i)) return;
          reported.set(i, { state: "UNKNOWN" });
          if (existsSync(store.file(run.hash, "report"))) summary.finished.push(run.hash);
          else summary.failed.push({ hash: run.hash, detail: "Slurm no longer knows the task", log: taskLog(store, jobId, i) });
        });
        break;
      }
      if (reported.size < runs.length) await sleep(options.pollSeconds * 1000);
    }
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    progress.stop();
  }
  return summary;
}
