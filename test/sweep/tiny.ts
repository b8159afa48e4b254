// The small sweep the engine tests share: 2 precisions x 2 strategies x 2 seeds of a tiny Split MNIST
// run (an 8-unit MLP, 5 steps on 40 digits per experience, 2 experiences), about a second each.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

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
