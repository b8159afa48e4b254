// Names for runs drawn from their configurations: a single run by what it is (benchmark, strategy,
// precision, seed), several by the settings in which they differ; which runs are seeds of one
// configuration; and which differences make runs not comparable. Config only, so any report works.
import { longValue, shortValue } from "./config-text.js";
import type { Report } from "./types.js";

/** Settings that follow from others (seed, model, precision, data) and would only repeat them. */
const DERIVED = new Set(["deviceSeed", "classOrder", "params", "rowsPerStep", "heads", "classesPerHead", "precisionSpec", "trainSamples", "testSamples", "sampleEncoding", "module", "epochs"]);

/** Settings that change the task itself: runs that differ in one are not comparable on accuracy. */
export const TASK_KEYS = ["benchmark", "dataset", "scenario", "outputLayer", "trainSamples", "testSamples"] as const;

const value = (report: Report, key: string) => longValue(report.config[key]);

/** "split-mnist replay fp8-mixed seed 1": what a run is, for a file or a lone figure. */
export function describeRun(report: Report): string {
  const c = report.config;
  const parts = ["benchmark", "strategy", "precision"].filter((k) => c[k] !== undefined).map((k) => shortValue(c[k]));
  if (c.seed !== undefined) parts.push(`seed ${shortValue(c.seed)}`);
  return parts.join(" ") || "run";
}

/** Config keys whose values are not the same in every report, in the first report's key order. */
export function differingKeys(reports: Report[], ignore: readonly string[] = []): string[] {
  const keys: string[] = [];
  for (const r of reports) for (const k of Object.keys(r.config)) if (!keys.includes(k)) keys.push(k);
  return keys.filter((k) => !DERIVED.has(k) && !ignore.includes(k) && new Set(reports.map((r) => value(r, k))).size > 1);
}

/** One label per report: the settings that differ, key=value; the description when nothing differs or there is one run. */
export function labelRuns(reports: Report[], ignore: readonly string[] = []): string[] {
  const keys = differingKeys(reports, ignore);
  if (reports.length < 2 || keys.length === 0) return reports.map((r) => describeRun(r));
  return reports.map((r) => {
    return keys
      .map((k) => {
        const short = shortValue(r.config[k]);
        // A group that differs only in its settings (two replay buffers) shows them; otherwise its name.
        const shortsDiffer = new Set(reports.map((o) => shortValue(o.config[k]))).size > 1;
        return `${k}=${shortsDiffer ? short : longValue(r.config[k])}`;
      })
      .join(" ");
  });
}

/** Runs grouped by everything but the seed: the seeds of one configuration, in input order. */
export function groupBySeed(reports: Report[]): number[][] {
  const keys = differingKeys(reports, ["seed"]);
  const groups = new Map<string, number[]>();
  reports.forEach((r, i) => {
    const id = keys.map((k) => value(r, k)).join("\u0000");
    groups.set(id, [...(groups.get(id) ?? []), i]);
  });
  // Runs that repeat a seed are not seeds of one configuration: they stay apart.
  return [...groups.values()].flatMap((g) => (new Set(g.map((i) => value(reports[i], "seed"))).size === g.length ? [g] : g.map((i) => [i])));
}

/** Why the runs cannot be compared on accuracy, one sentence each; empty when they can. */
export function comparabilityWarnings(reports: Report[]): string[] {
  if (reports.length < 2) return [];
  const out: string[] = [];
  for (const key of TASK_KEYS) {
    const values = [...new Set(reports.map((r) => value(r, key)))];
    if (values.length > 1) out.push(`The runs differ in ${key} (${values.join(" vs ")}): they do not solve the same task, so their accuracies are not comparable.`);
  }
  const lengths = [...new Set(reports.map((r) => r.status.experiencesPlanned))];
  if (lengths.length > 1) out.push(`The runs have different numbers of experiences (${lengths.join(", ")}): averages over fewer experiences are not comparable with averages over more.`);
  const incomplete = reports.filter((r) => !r.status.complete).length;
  if (incomplete > 0) out.push(`${incomplete} of the runs did not finish; they are left out of the plots.`);
  return out;
}
