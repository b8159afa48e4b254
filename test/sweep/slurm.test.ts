// The Slurm engine against a real single-node Slurm on localhost (slurm-cluster.ts): the tiny sweep as
// one job array gives the same per-run reports as the local engine, and a task that fails is listed
// as failed with Slurm's state and its log.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { slurmClient, slurmUnavailable, startSlurm, type SlurmCluster } from "./slurm-cluster.js";
import { edgecl } from "../helpers/cli.js";
import { deterministic, TINY_BASE, writeTinySweep } from "./tiny.js";

const unavailable = slurmUnavailable();
const dir = mkdtempSync(join(tmpdir(), "edgecl-sweep-slurm-"));
let cluster: SlurmCluster;

beforeAll(async () => {
  if (!unavailable) cluster = await startSlurm();
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 120_000);

describe.skipIf(unavailable !== null)(`edgecl sweep run --engine slurm${unavailable ? ` (skipped: ${unavailable})` : ""}`, () => {
  it("runs the sweep as one job array and gives the same per-run reports as the local engine", () => {
    const file = writeTinySweep(dir);
    const local = edgecl(["sweep", "run", file, "--out", join(dir, "local"), "--jobs", "2"]);
    expect(local.code, local.stderr + local.stdout).toBe(0);

    const out = join(dir, "slurm");
    const r = edgecl(["sweep", "run", file, "--out", out, "--engine", "slurm", "--poll", "1", "--time", "10", "--partition", "debug"], { env: cluster.env, timeoutMs: 240_000 });
    expect(r.code, `${r.stdout}\n${r.stderr}\n${cluster.logs()}`).toBe(0);
    expect(r.stderr).toMatch(/submitted job array \d+ \(8 tasks\)/);

    const script = readFileSync(join(out, "slurm", "array-1.sbatch"), "utf8");
    expect(script).toContain("#SBATCH --array=0-7");
    expect(script).toContain("#SBATCH --partition=debug");
    expect(script).toContain("#SBATCH --time=10");

    const runs = readdirSync(join(dir, "local", "runs")).sort();
    expect(readdirSync(join(out, "runs")).sort()).toEqual(runs);
    for (const hash of runs) {
      expect(deterministic(join(out, "runs", hash, "report.json")), `run ${hash}`).toBe(deterministic(join(dir, "local", "runs", hash, "report.json")));
      expect(existsSync(join(out, "runs", hash, "attempt.json"))).toBe(false);
    }
  });

  it("leaves the runs a submitted job still has to Slurm instead of running them twice", async () => {
    const file = writeTinySweep(dir, "held", { axes: { seed: [1, 2, 3] } });
    const out = join(dir, "held");
    const first = edgecl(["sweep", "run", file, "--out", out, "--engine", "slurm", "--no-wait"], { env: cluster.env });
    expect(first.code, first.stderr).toBe(0);
    const jobId = /submitted job array (\d+)/.exec(first.stderr)![1];
    // Held, the tasks not started yet stay queued for as long as the test needs.
    slurmClient(cluster, "scontrol", ["hold", jobId]);
    const second = edgecl(["sweep", "run", file, "--out", out, "--engine", "slurm", "--no-wait"], { env: cluster.env });
    expect(second.code, second.stderr).toBe(0);
    const finished = Number(/(\d+) finished, 0 to do/.exec(second.stdout)?.[1]);
    expect(second.stdout, second.stdout).toMatch(/3 runs, \d+ finished, 0 to do/);
    if (finished < 3) expect(second.stdout).toContain(`${3 - finished} runs are queued or running under Slurm (job ${jobId}) and left to it`);
    expect(second.stderr).not.toContain("submitted");
    slurmClient(cluster, "scontrol", ["release", jobId]);
    const states = () => (JSON.parse(edgecl(["sweep", "plan", file, "--out", out, "--json"]).stdout) as { runs: Array<{ state: string }> }).runs.map((r) => r.state);
    for (let i = 0; i < 240 && states().some((st) => st !== "finished"); i++) await new Promise((resolve) => setTimeout(resolve, 500));
    expect(states()).toEqual(["finished", "finished", "finished"]);
    expect(readdirSync(join(out, "slurm")).filter((f) => f.endsWith(".sbatch"))).toEqual(["array-1.sbatch"]);
  });

  it("lists a failed task with its Slurm state and log, and keeps the tasks that finished", () => {
    // A board of 64 KiB cannot take the model: that run fails at DEPLOY, the other finishes.
    const file = join(dir, "fails.sweep.json");
    writeFileSync(file, JSON.stringify({ name: "fails", base: { ...TINY_BASE, seed: 1 }, axes: { memory: [268435456, 65536] } }));
    const out = join(dir, "fails");
    const r = edgecl(["sweep", "run", file, "--out", out, "--engine", "slurm", "--poll", "1"], { env: cluster.env, timeoutMs: 240_000 });
    expect(r.code, `${r.stdout}\n${r.stderr}\n${cluster.logs()}`).toBe(1);
    const plan = JSON.parse(edgecl(["sweep", "plan", file, "--out", out, "--json"]).stdout) as { runs: Array<{ hash: string; state: string; dir: string }> };
    expect(plan.runs.map((run) => run.state)).toEqual(["finished", "failed"]);
    const failed = plan.runs[1];
    const line = r.stdout.split("\n").find((l) => l.startsWith(`FAILED ${failed.hash}`));
    expect(line, r.stdout).toMatch(/Slurm state FAILED/);
    const log = /log (\S+)$/.exec(line!)![1];
    expect(log).toMatch(/slurm\/\d+_1\.log$/);
    expect(readFileSync(log, "utf8")).toContain("DOES_NOT_FIT");
    const record = JSON.parse(readFileSync(join(failed.dir, "failed.json"), "utf8"));
    expect(record).toMatchObject({ state: "FAILED", log });
  });
});
