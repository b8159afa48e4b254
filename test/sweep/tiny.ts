// The small sweep the engine tests share: 2 precisions x 2 strategies x 2 seeds of a tiny Split MNIST
// run (an 8-unit MLP, 5 steps on 40 digits per experience, 2 experiences), about a second each.
import { execFile, spawn, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const BIN = fileURLToPath(new URL("../../bin/edgecl.js", import.meta.url));

/** What every run of the tiny sweep shares, as `edgecl run` arguments. */
export const TINY_BASE = { board: "inline", model: "mlp:8", iterations: 5, "train-samples": 40, "test-samples": 20, experiences: 2, batch: 16 };

export const TINY_AXES = { precision: ["fp32", "fp8-mixed"], strategy: ["naive", "replay"], seed: [1, 2] };

/** Writes the tiny sweep file (with `extra` keys merged in) into `dir`; returns its path. */
export function writeTinySweep(dir: string, name = "tiny", extra: Record<string, unknown> = {}): string {
  const file = join(dir, `${name}.sweep.json`);
  writeFileSync(file, JSON.stringify({ name, base: TINY_BASE, axes: TINY_AXES, ...extra }, null, 2));
  return file;
}

/** The `edgecl run` arguments of a tiny-sweep point, written out here rather than taken from the sweep. */
export function byHandArgs(axes: Record<string, string>, json: string): string[] {
  const options = { ...TINY_BASE, ...axes };
  return ["run", ...Object.entries(options).flatMap(([k, v]) => [`--${k}`, String(v)]), "--json", json, "--quiet"];
}

/** A report as JSON text without its wall-clock fields (timeUs: the only ones that differ between runs, docs/report.md). */
/** A report without what differs between identical runs: the board's wall-clock times and the provenance (when and how it was made). */
export function deterministic(file: string): string {
  const report = JSON.parse(readFileSync(file, "utf8"));
  delete report.provenance;
  return JSON.stringify(report, (key, value) => (key === "timeUs" ? undefined : value), 2);
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function edgecl(args: string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 120_000): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env, timeout: timeoutMs });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The CLI in a child process without blocking, so several runs by hand can go at once. */
export function edgeclAsync(args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr });
    });
  });
}

/** Starts the CLI in a process group of its own, so the test can cut the power to it and its children at once. */
export function edgeclDetached(args: string[]) {
  return spawn(process.execPath, [BIN, ...args], { detached: true, stdio: ["ignore", "pipe", "pipe"] });
}
