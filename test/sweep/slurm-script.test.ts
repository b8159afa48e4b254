// The pieces of the Slurm engine that need no cluster: shell quoting (checked by bash itself), Slurm's
// array-index and time-limit forms, and the job array script.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { runOptionSpecs } from "../../host/cli/commands/sweep.js";
import { checkSweepFile } from "../../host/sweep/file.js";
import { planSweep } from "../../host/sweep/plan.js";
import { checkTimeLimit, sbatchScript, shellQuote, taskIndices } from "../../host/sweep/slurm.js";
import { SweepStore } from "../../host/sweep/store.js";
import { edgecl } from "../helpers/cli.js";
import { writeTinySweep } from "./tiny.js";

describe("shellQuote", () => {
  test("bash reads every word back unchanged", () => {
    const words = ["plain", "weight=e4m3:sr,acc=fp16:sr", "with space", "it's", "$HOME", "a\"b", "back\\slash", "*", "", "new\nline", "--lr"];
    const r = spawnSync("bash", ["-c", `printf '%s\\0' ${words.map(shellQuote).join(" ")}`], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout.split("\0").slice(0, -1)).toEqual(words);
  });
});

describe("Slurm's forms", () => {
  test("array task indices as squeue and sacct print them", () => {
    expect(taskIndices("3")).toEqual([3]);
    expect(taskIndices("2-5")).toEqual([2, 3, 4, 5]);
    expect(taskIndices("[0-2,7%4]")).toEqual([0, 1, 2, 7]);
    expect(taskIndices("N/A")).toEqual([]);
  });

  test("time limits", () => {
    for (const t of ["30", "30:00", "2:00:00", "1-0", "1-12:00", "1-12:00:00", "UNLIMITED"]) expect(checkTimeLimit(t)).toBe(t);
    for (const t of ["", "2h", "1:2:3:4", "-5"]) expect(() => checkTimeLimit(t)).toThrow(/expected --time as minutes, MM:SS, HH:MM:SS/);
  });
});

describe("sbatchScript", () => {
  const sweep = checkSweepFile({ name: "s", base: { board: "inline" }, axes: { precision: ["fp32", "weight=e4m3:sr,acc=fp16:sr"] } }, "/tmp/s.sweep.json");
  const plan = planSweep(sweep, runOptionSpecs());
  const store = new SweepStore("/scratch/out/sweeps/s");
  const script = sbatchScript(store, "s", plan.runs, { partition: "gpu long", time: "2:00:00", cpusPerTask: 2 });

  test("one array of the runs, with the options given", () => {
    expect(script.startsWith("#!/bin/bash\n")).toBe(true);
    expect(script).toContain("#SBATCH --array=0-1\n");
    expect(script).toContain("#SBATCH --output=/scratch/out/sweeps/s/slurm/%A_%a.log\n");
    expect(script).toContain("#SBATCH --partition='gpu long'\n");
    expect(script).toContain("#SBATCH --time=2:00:00\n");
    expect(script).toContain("#SBATCH --cpus-per-task=2\n");
    expect(script).toContain(`  1) run=${plan.runs[1].hash}; command=(`);
  });

  test("task i's command is `edgecl run` with run i's arguments, as bash reads them", () => {
    for (const [i, run] of plan.runs.entries()) {
      // Everything up to the case statement, then print the command array instead of running it.
      const head = script.slice(0, script.indexOf("\ndir=") + 1);
      const r = spawnSync("bash", ["-c", `${head}printf '%s\\0' "\${command[@]}"`], { encoding: "utf8", env: { ...process.env, SLURM_ARRAY_TASK_ID: String(i) } });
      expect(r.status, r.stderr).toBe(0);
      const words = r.stdout.split("\0").slice(0, -1);
      expect(words[0]).toBe(process.execPath);
      expect(words.slice(2)).toEqual(["run", ...store.args(run)]);
      expect(words).toContain(run.options.precision);
    }
  });

  test("an index with no run ends the task with an error", () => {
    const r = spawnSync("bash", ["-c", script], { encoding: "utf8", env: { ...process.env, SLURM_ARRAY_TASK_ID: "9" } });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("no run for array task 9\n");
  });
});

describe("without Slurm", () => {
  test("--engine slurm says what is missing in one line, exit 2, and leaves no script behind", () => {
    const dir = mkdtempSync(join(tmpdir(), "edgecl-no-slurm-"));
    try {
      const file = writeTinySweep(dir);
      const r = edgecl(["sweep", "run", file, "--out", join(dir, "out"), "--engine", "slurm"], { env: { ...process.env, PATH: join(dir, "nothing-here") } });
      expect(r.code).toBe(2);
      expect(r.stderr).toBe("edgecl: expected Slurm's sbatch on PATH for --engine slurm, received no such command; run on a Slurm login node or use --engine local\n");
      expect(existsSync(join(dir, "out", "slurm", "array-1.sbatch"))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
