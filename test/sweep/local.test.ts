// The local engine: a 2x2x2 sweep cut off mid-way (the whole process group killed, as a power loss
// would), tampered with, stopped again by a signal, and resumed ends with every run present once,
// finished results untouched, and each run's report equal to running its configuration by hand.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { edgecl, edgeclAsync, edgeclDetached } from "../helpers/cli.js";
import { byHandArgs, deterministic, writeTinySweep } from "./tiny.js";

const dir = mkdtempSync(join(tmpdir(), "edgecl-sweep-local-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface PlanJson {
  runs: Array<{ hash: string; state: string; dir: string; axes: Record<string, string> }>;
}

function plan(file: string, out: string): PlanJson {
  const r = edgecl(["sweep", "plan", file, "--out", out, "--json"]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as PlanJson;
}

describe("edgecl sweep run --engine local", () => {
  it("resumes a sweep killed mid-way: every run once, finished reports kept, each equal to the run by hand", async () => {
    const file = writeTinySweep(dir);
    const out = join(dir, "out");
    const before = plan(file, out);
    expect(before.runs).toHaveLength(8);
    expect(new Set(before.runs.map((r) => r.hash)).size).toBe(8);
    expect(before.runs.every((r) => r.state === "pending")).toBe(true);

    // Power loss: the sweep and its children die together once the first run has finished.
    const child = edgeclDetached(["sweep", "run", file, "--out", out, "--jobs", "2"]);
    const exited = new Promise((resolve) => child.once("exit", resolve));
    const finishedNow = () => before.runs.filter((r) => existsSync(join(r.dir, "report.json")));
    for (let i = 0; i < 1200 && finishedNow().length === 0 && child.exitCode === null; i++) await sleep(50);
    process.kill(-child.pid!, "SIGKILL");
    await exited;

    const cut = plan(file, out);
    const kept = cut.runs.filter((r) => r.state === "finished");
    expect(kept.length).toBeGreaterThanOrEqual(1);
    const keptFiles = new Map(kept.map((r) => [r.hash, { ino: statSync(join(r.dir, "report.json")).ino, text: readFileSync(join(r.dir, "report.json"), "utf8") }]));

    // What else a crash can leave: a torn attempt (not JSON) and a recorded failure.
    const unfinished = cut.runs.filter((r) => r.state !== "finished");
    if (unfinished.length >= 1) writeFileSync(join(unfinished[0].dir, "attempt.json"), '{"schema": "edgecl-rep');
    if (unfinished.length >= 2) writeFileSync(join(unfinished[1].dir, "failed.json"), JSON.stringify({ exitCode: 1, signal: null, log: "x" }));
    const tampered = plan(file, out);
    if (unfinished.length >= 1) expect(tampered.runs.find((r) => r.hash === unfinished[0].hash)!.state).toBe("partial");
    if (unfinished.length >= 2) expect(tampered.runs.find((r) => r.hash === unfinished[1].hash)!.state).toBe("failed");

    // Ctrl-C (SIGTERM here) once one more run has finished: the children stop with the sweep.
    const stopped = edgeclDetached(["sweep", "run", file, "--out", out, "--jobs", "2"]);
    let stdout = "";
    stopped.stdout!.on("data", (chunk) => (stdout += chunk));
    const stoppedExit = new Promise<number | null>((resolve) => stopped.once("exit", (code) => resolve(code)));
    for (let i = 0; i < 1200 && finishedNow().length <= kept.length && stopped.exitCode === null; i++) await sleep(50);
    stopped.kill("SIGTERM");
    const code = await stoppedExit;
    const finishedBeforeResume = finishedNow().length;
    if (finishedBeforeResume < 8) {
      expect(code).toBe(1);
      expect(stdout).toContain(`${finishedBeforeResume} of 8 finished in all`);
    }
    // No child outlives the sweep: its process group is empty.
    await sleep(200);
    expect(() => process.kill(-stopped.pid!, 0)).toThrow(/ESRCH/);

    const resumed = edgecl(["sweep", "run", file, "--out", out, "--jobs", "2"]);
    expect(resumed.code, resumed.stderr + resumed.stdout).toBe(0);
    expect(resumed.stdout).toContain(`${finishedBeforeResume} finished, ${8 - finishedBeforeResume} to do`);

    const after = plan(file, out);
    expect(after.runs.map((r) => r.state)).toEqual(Array(8).fill("finished"));
    // Every run present once: one folder per run, holding the report and nothing half-done.
    expect(readdirSync(join(out, "runs")).sort()).toEqual(before.runs.map((r) => r.hash).sort());
    for (const run of after.runs) {
      const files = readdirSync(run.dir).sort();
      expect(files).toEqual(["config.json", "report.json", "run.log"]);
    }
    for (const [hash, was] of keptFiles) {
      const path = join(out, "runs", hash, "report.json");
      expect(statSync(path).ino).toBe(was.ino);
      expect(readFileSync(path, "utf8")).toBe(was.text);
    }
    // A third run has nothing to do and changes nothing.
    const again = edgecl(["sweep", "run", file, "--out", out, "--jobs", "2"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("8 finished, 0 to do");

    const byHand = after.runs.map((run) => join(dir, `by-hand-${run.hash}.json`));
    const results = await Promise.all(after.runs.map((run, i) => edgeclAsync(byHandArgs(run.axes, byHand[i]))));
    after.runs.forEach((run, i) => {
      expect(results[i].code, results[i].stderr).toBe(0);
      expect(deterministic(join(run.dir, "report.json")), `run ${run.hash} ${JSON.stringify(run.axes)}`).toBe(deterministic(byHand[i]));
    });
  });

  it("runs board manifest keys as an axis: each run's board has the accelerator it names", () => {
    const file = join(dir, "accel.sweep.json");
    writeFileSync(
      file,
      JSON.stringify({
        base: { board: "sim", model: "mlp:8", iterations: 3, "train-samples": 20, "test-samples": 10, experiences: 1, batch: 8, strategy: "naive" },
        axes: { "board.accelerator.rows": [2, 8] },
      }),
    );
    const out = join(dir, "accel");
    const r = edgecl(["sweep", "run", file, "--out", out, "--jobs", "2"]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const runs = plan(file, out).runs;
    const sim = JSON.parse(readFileSync(new URL("../../board/sim.json", import.meta.url), "utf8"));
    const units = runs.map((run) => JSON.parse(readFileSync(join(run.dir, "report.json"), "utf8")).accelerator.units);
    expect(units).toEqual([2 * sim.accelerator.cols, 8 * sim.accelerator.cols]);
  });
});
