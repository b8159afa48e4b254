// edgecl sweep: design-space exploration over any `edgecl run` options, board manifests and accelerator
// parameters (docs/sweeps.md). `plan` lists a sweep file's runs and their state; `run` does the runs
// not finished yet, on this machine (a pool of processes) or as one Slurm job array.
import { Command } from "commander";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { expected, RunError } from "../../errors.js";
import { integerOption } from "../options.js";
import { readSweepFile } from "../../sweep/file.js";
import { planSweep, type RunOptionSpec, type SweepPlan } from "../../sweep/plan.js";
import { SweepStore } from "../../sweep/store.js";
import { runLocal, type EngineSummary } from "../../sweep/local.js";
import { checkTimeLimit, runSlurm, runsUnderSlurm } from "../../sweep/slurm.js";
import { runCommand, RUN_DEFAULTS } from "./run.js";

/** The options of `edgecl run` with their defaults, read from the command itself so the two never drift. */
export function runOptionSpecs(): RunOptionSpec[] {
  // A sweep file is itself the experiment's file: a run's --config (or --resume) has no place in it.
  return runCommand().options.filter((o) => o.long !== "--config" && o.long !== "--resume").map((o) => {
    const name = o.long!.replace(/^--/, "");
    const fallback = name === "iterations" ? String(RUN_DEFAULTS.iterations) : undefined;
    return { name, defaultValue: o.defaultValue !== undefined ? String(o.defaultValue) : fallback };
  });
}

function loadPlan(file: string): SweepPlan {
  return planSweep(readSweepFile(file), runOptionSpecs());
}

function storeFor(plan: SweepPlan, out: string | undefined): SweepStore {
  return new SweepStore(out ?? join("out", "sweeps", plan.name));
}

function planCommand(): Command {
  return new Command("plan")
    .description("List the runs of a sweep file: hash, state and the value of each axis")
    .argument("<file>", "sweep file (JSON, docs/sweeps.md)")
    .option("--out <dir>", "sweep folder whose runs' state to show (default out/sweeps/<name>)")
    .option("--json", "print the plan as JSON")
    .action((file: string, flags: { out?: string; json?: boolean }) => {
      const plan = loadPlan(file);
      const store = storeFor(plan, flags.out);
      const runs = plan.runs.map((r) => ({ ...r, state: store.state(r.hash), dir: store.runDir(r.hash), args: store.args(r) }));
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ name: plan.name, file: plan.file, out: store.dir, axes: plan.axes, gridSize: plan.gridSize, sample: plan.sample, duplicates: plan.duplicates, runs }, null, 2)}\n`);
        return;
      }
      const how = plan.sample ? `${plan.runs.length} of the grid's ${plan.gridSize} points, sampled with seed ${plan.sample.seed}` : `the full grid of ${plan.axes.map((a) => a.values.length).join(" x ")}`;
      console.log(`sweep ${plan.name}: ${plan.runs.length} runs (${how})${plan.duplicates ? `; ${plan.duplicates} points repeat a run and are left out` : ""}`);
      console.log(`folder: ${store.dir}`);
      const header = ["#", "run", "state", ...plan.axes.map((a) => a.name)];
      const rows = runs.map((r) => [String(r.index), r.hash, r.state, ...plan.axes.map((a) => r.axes[a.name])]);
      const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)));
      for (const row of [header, ...rows]) console.log(row.map((cell, c) => cell.padEnd(widths[c])).join("  ").trimEnd());
    });
}

interface RunFlags {
  out?: string;
  engine: string;
  jobs?: string;
  partition?: string;
  time?: string;
  cpusPerTask: string;
  poll: string;
  wait: boolean;
}

function report(summary: EngineSummary, store: SweepStore, total: number, done: number): void {
  const runs = (n: number) => `${n} run${n === 1 ? "" : "s"}`;
  console.log(`${runs(summary.finished.length)} finished now, ${done} of ${total} finished in all; ${summary.failed.length} failed`);
  for (const f of summary.failed) console.log(`FAILED ${f.hash}: ${f.detail}; log ${f.log}`);
  if (done === total) console.log(`report: edgecl report ${store.dir} --html ${join(store.dir, "report.html")}`);
}

function sweepRunCommand(): Command {
  return new Command("run")
    .description("Do the runs of a sweep file not finished yet (finished runs are kept, failed and partial ones redone)")
    .argument("<file>", "sweep file (JSON, docs/sweeps.md)")
    .option("--out <dir>", "sweep folder (default out/sweeps/<name>)")
    .option("--engine <name>", "local (a pool of processes on this machine) or slurm (one sbatch job array)", "local")
    .option("--jobs <n>", "local: runs at a time (default: the number of cores)")
    .option("--partition <name>", "slurm: partition")
    .option("--time <limit>", "slurm: time limit per run, e.g. 30 or 2:00:00")
    .option("--cpus-per-task <n>", "slurm: CPUs per run", "1")
    .option("--poll <seconds>", "slurm: seconds between two looks at the queue", "10")
    .option("--no-wait", "slurm: submit and return without following the job")
    .action(async (file: string, flags: RunFlags) => {
      if (flags.engine !== "local" && flags.engine !== "slurm") throw expected("--engine to be local or slurm", flags.engine);
      const local = flags.engine === "local";
      for (const [flag, given] of [["--partition", flags.partition], ["--time", flags.time]] as const) {
        if (local && given !== undefined) throw expected(`${flag} only with --engine slurm`, `--engine ${flags.engine}`);
      }
      if (!local && flags.jobs !== undefined) throw expected("--jobs only with --engine local (Slurm decides how many run at once)", `--engine ${flags.engine}`);
      const jobs = flags.jobs !== undefined ? integerOption("--jobs", flags.jobs, 1, 1024) : availableParallelism();
      const cpusPerTask = integerOption("--cpus-per-task", flags.cpusPerTask, 1, 4096);
      const pollSeconds = integerOption("--poll", flags.poll, 1, 3600);
      const time = flags.time !== undefined ? checkTimeLimit(flags.time) : undefined;

      const plan = loadPlan(file);
      const store = storeFor(plan, flags.out);
      store.prepare(plan);
      const underSlurm = await runsUnderSlurm(store);
      const unfinished = plan.runs.filter((r) => store.state(r.hash) !== "finished");
      const todo = unfinished.filter((r) => !underSlurm.has(r.hash));
      console.log(`sweep ${plan.name}: ${plan.runs.length} runs, ${plan.runs.length - unfinished.length} finished, ${todo.length} to do; folder ${store.dir}`);
      const holding = [...new Set(unfinished.map((r) => underSlurm.get(r.hash)).filter(Boolean))];
      if (holding.length) console.log(`${unfinished.length - todo.length} runs are queued or running under Slurm (job ${holding.join(", ")}) and left to it`);
      if (todo.length === 0) {
        report({ finished: [], failed: [], interrupted: false }, store, plan.runs.length, plan.runs.length - unfinished.length);
        return;
      }
      const summary = local
        ? await runLocal(store, todo, { jobs })
        : await runSlurm(store, plan.name, todo, { partition: flags.partition, time, cpusPerTask, pollSeconds, wait: flags.wait });
      const done = plan.runs.filter((r) => store.state(r.hash) === "finished").length;
      if (!local && !flags.wait) {
        console.log(`follow it with squeue; run this command again to see what finished and redo what did not`);
        return;
      }
      report(summary, store, plan.runs.length, done);
      if (summary.interrupted) throw new RunError(`stopped with ${plan.runs.length - done} runs not finished; run the same command again to resume`);
      if (summary.failed.length) throw new RunError(`${summary.failed.length} of ${todo.length} runs failed; see their logs above, then run the same command again to redo them`);
    });
}

export function sweepCommand(): Command {
  return new Command("sweep")
    .description("Design-space exploration: the runs of a sweep file, on this machine or on Slurm (docs/sweeps.md)")
    .addCommand(planCommand().exitOverride())
    .addCommand(sweepRunCommand().exitOverride());
}
