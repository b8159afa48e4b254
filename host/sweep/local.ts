// The local engine: a pool of `edgecl run` child processes, `jobs` at a time. A run's output goes to its
// run.log; a run that ends complete is published, any other ending is recorded in failed.json. SIGINT or
// SIGTERM stops the children and leaves their runs partial, for the next `edgecl sweep run` to redo.
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { tiedToHost } from "../transport/tied.js";
import { edgeclRunCommand } from "./command.js";
import type { PlannedRun } from "./plan.js";
import { sweepProgress } from "./progress.js";
import type { SweepStore } from "./store.js";

export interface EngineSummary {
  finished: string[];
  failed: Array<{ hash: string; detail: string; log: string }>;
  /** Stopped by a signal before every run ended. */
  interrupted: boolean;
}

export interface LocalOptions {
  jobs: number;
  /** Where progress goes (default stderr). */
  stream?: NodeJS.WritableStream;
}

function describe(run: PlannedRun): string {
  return `${run.hash} (${Object.entries(run.axes)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ")})`;
}

export async function runLocal(store: SweepStore, runs: PlannedRun[], options: LocalOptions): Promise<EngineSummary> {
  const summary: EngineSummary = { finished: [], failed: [], interrupted: false };
  const progress = sweepProgress(runs.length, "sweep", options.stream);
  const children = new Set<ChildProcess>();
  const stop = () => {
    summary.interrupted = true;
    for (const child of children) child.kill("SIGTERM");
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);

  let next = 0;
  let ended = 0;
  const one = (run: PlannedRun): Promise<void> =>
    new Promise((resolve) => {
      store.clearAttempt(run.hash);
      const log = store.file(run.hash, "log");
      const fd = openSync(log, "w");
      const launch = edgeclRunCommand(store.args(run));
      // The run (and the board it starts) dies with the sweep, whatever kills it (host/transport/tied.ts).
      const { command, args, detached } = tiedToHost(launch.command, launch.args);
      const started = Date.now();
      const child = spawn(command, args, { stdio: ["ignore", fd, fd], detached });
      children.add(child);
      let over = false;
      const finish = (code: number | null, signal: NodeJS.Signals | null, error?: Error) => {
        // A child that fails to start may report both "error" and "exit".
        if (over) return;
        over = true;
        children.delete(child);
        closeSync(fd);
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        ended++;
        if (code === 0 && store.publish(run.hash)) {
          summary.finished.push(run.hash);
          progress.ended(ended, `finished ${describe(run)} in ${seconds} s`);
        } else if (!summary.interrupted) {
          const detail = error ? error.message : signal ? `killed by ${signal}` : code === 0 ? "exit code 0 without a complete report" : `exit code ${code}`;
          store.recordFailure(run.hash, { exitCode: code, signal, log });
          summary.failed.push({ hash: run.hash, detail, log });
          progress.ended(ended, `FAILED ${describe(run)}: ${detail}; log ${log}`);
        }
        resolve();
      };
      child.once("error", (error) => finish(null, null, error));
      child.once("exit", (code, signal) => finish(code, signal));
    });
  const worker = async () => {
    while (next < runs.length && !summary.interrupted) await one(runs[next++]);
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.jobs, runs.length)) }, worker));
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    progress.stop();
  }
  return summary;
}
