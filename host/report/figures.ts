// The figures of a report and of a comparison, each a self-contained SVG with its title and caption:
// what the HTML pages embed and what `edgecl report --figures DIR` writes one file each.
import { comparabilityWarnings, groupBySeed, labelRuns } from "./labels.js";
import { parseFormat } from "../formats/parse.js";
import { costFront } from "../sweep/pareto.js";
import { parsePrecision } from "../precision/parse.js";
import { ROLE_NAMES } from "../precision/spec.js";
import { accuracyCurvesSvg, energyBarsSvg, energySplitBarsSvg, heatMapSvg, scatterSvg, shareGridSvg, timelineSvg, type ScatterPoint, type TimelineRow } from "./svg.js";
import type { HealthRow, Report } from "./types.js";
import { describeRun } from "./labels.js";

export interface Figure {
  /** File name without extension, e.g. "accuracy-matrix". */
  name: string;
  svg: string;
}

export interface FigureOptions {
  /** Accuracy axes from 0 to 100% instead of zoomed to the data. */
  fullScale?: boolean;
}

/** Training and evaluation energy of each completed experience, when the board reported energy. */
export function energyPerExperience(report: Report): Array<{ train: number; eval: number }> | null {
  if (!report.telemetry.some((t) => t.train.energyJ !== null || t.eval.energyJ !== null)) return null;
  return report.telemetry.map((t) => ({ train: t.train.energyJ ?? 0, eval: t.eval.energyJ ?? 0 }));
}

export function reportFigures(report: Report, options: FigureOptions = {}): Figure[] {
  const T = report.status.experiencesPlanned;
  const run = describeRun(report);
  const figures: Figure[] = [
    {
      name: "accuracy-matrix",
      svg: heatMapSvg(report.accuracy, T, {
        title: `Accuracy matrix: ${run}`,
        caption: `Accuracy (%) on the test set of experience j (columns) after training experience i (rows), experiences counted from 0.${report.status.complete ? "" : " The run did not finish: grey rows were never trained."}`,
      }),
    },
    {
      name: "accuracy-curves",
      svg: accuracyCurvesSvg(report.accuracy, T, {
        fullScale: options.fullScale,
        title: `Accuracy per experience: ${run}`,
        caption: `Accuracy (%) on each experience's test set from the moment it is learnt; a falling curve is forgetting. Label eJ marks the curve of experience J.${options.fullScale ? "" : " Accuracy axis zoomed to the data."}`,
      }),
    },
  ];
  const energy = energyPerExperience(report);
  if (energy) {
    figures.push({ name: "energy", svg: energyBarsSvg(energy, { title: `Energy per experience: ${run}`, caption: "Estimated energy of each experience on the board's energy model (docs/energy.md): training with the data it was sent, and evaluation on every test set." }) });
    const split = report.energy?.perExperienceBreakdownJ;
    if (split) {
      figures.push({
        name: "energy-split",
        svg: energySplitBarsSvg(split, { title: `Energy by where it was spent: ${run}`, caption: "The same energy split into the accelerator's arithmetic (multiplies, adds, stochastic rounding), its memory traffic, and the host CPU (GEMMs on the CPU path). Modelled: docs/energy.md." }),
      });
    }
  }
  figures.push(...healthFigures(report, run));
  const timeline = precisionTimeline(report);
  if (timeline) {
    figures.push({
      name: "precision-timeline",
      svg: timelineSvg(timeline.rows, timeline.experienceStarts, timeline.totalSteps, timeline.formats, {
        title: `Precision over training: ${run}`,
        caption:
          `The format each layer and role ran in at every training step (${String(report.config.precisionPolicy ?? "static")}), from the report's precision timeline; ` +
          `a black tick is a switch, a dashed line the start of experience eJ. Only roles a switch or a layer's own format changes are drawn; "all layers" rows hold for every layer. ` +
          "The device lists the first 32 switches of each training request.",
      }),
    });
  }
  return figures;
}

/** Bits of a format, for ordering a legend from the narrowest; 0 for a name this host does not parse. */
function formatBits(name: string): number {
  try {
    const f = parseFormat(name);
    return f.kind === "float" ? 1 + f.e + f.m : f.e;
  } catch {
    return 0;
  }
}

/**
 * The rows of a run's precision timeline: for every layer (or "all" layers when the run has no
 * per-layer precision) and every role a switch or a layer's own format changes, the format it ran in
 * from step to step. Null when the run never switched and has no per-layer precision.
 */
export function precisionTimeline(report: Report): { rows: TimelineRow[]; experienceStarts: number[]; totalSteps: number; formats: string[] } | null {
  // Reports written before TRAIN replies listed only their own request's switches repeat an experience's
  // earlier switches after each follow-on request: each switch is drawn once, in step order.
  const seen = new Set<string>();
  const events = report.telemetry
    .flatMap((t) => t.precision?.timeline ?? [])
    .filter((e) => {
      const key = `${e.step}|${e.layer}|${e.role}|${e.format}|${e.rounding}`;
      return seen.has(key) ? false : (seen.add(key), true);
    })
    .sort((a, b) => a.step - b.step);
  const perLayer = (report.config.precisionLayers ?? null) as Array<{ layer: number; roles: Record<string, string> }> | null;
  if (!events.length && !perLayer?.length) return null;
  let spec;
  try {
    spec = parsePrecision(String(report.config.precision ?? "fp32"));
  } catch {
    return null;
  }
  const own = new Set((spec.layers ?? []).map((o) => `${o.layer}.${o.role}`));
  const layerIds = new Set<number>(perLayer?.map((l) => l.layer) ?? []);
  for (const e of events) if (typeof e.layer === "number") layerIds.add(e.layer);
  const layers: Array<number | "all"> = layerIds.size ? [...layerIds].sort((a, b) => a - b) : ["all"];
  const switched = new Set(events.map((e) => e.role));
  const experienceStarts: number[] = [];
  let totalSteps = 0;
  for (const t of report.telemetry) {
    experienceStarts.push(totalSteps);
    totalSteps += t.train.iterations ?? 0;
  }
  const rows: TimelineRow[] = [];
  for (const layer of layers) {
    for (const role of ROLE_NAMES) {
      const fixed = own.has(`${layer}.${role}`);
      if (!switched.has(role) && !fixed) continue;
      const start = perLayer?.find((l) => l.layer === layer)?.roles[role] ?? (role === "master" ? (spec.master ? `${spec.master.format}:${spec.master.rounding}` : "none") : `${spec[role].format}:${spec[role].rounding}`);
      const [format0, rounding0 = ""] = start.split(":");
      const segments = [{ from: 0, to: totalSteps, format: format0, rounding: rounding0 }];
      // A layer's own format holds through every switch (docs/precision.md, Per-layer roles).
      const mine = fixed ? [] : events.filter((e) => e.role === role && (e.layer === "all" || e.layer === layer));
      for (const e of mine) {
        const last = segments[segments.length - 1];
        if (e.step <= last.from) segments.pop();
        else last.to = e.step;
        segments.push({ from: e.step, to: totalSteps, format: e.format, rounding: e.rounding });
      }
      rows.push({ label: layer === "all" ? `all layers · ${role}` : `layer ${layer} · ${role}`, layer, role, segments: segments.filter((s) => s.to > s.from) });
    }
  }
  const formats = [...new Set(rows.flatMap((r) => r.segments.map((s) => s.format)))].sort((a, b) => formatBits(a) - formatBits(b) || a.localeCompare(b));
  return { rows, experienceStarts, totalSteps, formats };
}

/**
 * Numeric health of training (runs with --health): one row per layer, role and format, one column per
 * experience, for three shares: the format's range used, the values lost to overflow or underflow, and
 * the weight updates lost to swamping.
 */
function healthFigures(report: Report, run: string): Figure[] {
  if (!report.telemetry.some((t) => t.train.health)) return [];
  const key = (h: HealthRow) => `${h.layer}.${h.role} (${h.format})`;
  const grid = (share: (h: HealthRow) => number | null) => {
    const rows = new Map<string, Array<number | null>>();
    report.telemetry.forEach((t, j) => {
      for (const h of t.train.health ?? []) {
        const v = share(h);
        if (v === null) continue;
        if (!rows.has(key(h))) rows.set(key(h), []);
        rows.get(key(h))![j] = v;
      }
    });
    const labels = [...rows.keys()].sort((a, b) => parseInt(a, 10) - parseInt(b, 10) || a.localeCompare(b));
    return { labels, values: labels.map((l) => rows.get(l)!) };
  };
  const T = report.status.experiencesPlanned;
  const figure = (name: string, share: (h: HealthRow) => number | null, scale: string, title: string, caption: string): Figure[] => {
    const { labels, values } = grid(share);
    return labels.length ? [{ name, svg: shareGridSvg(labels, T, values, scale, { title: `${title}: ${run}`, caption }) }] : [];
  };
  return [
    ...figure("health-range", (h) => h.rangeUsed, "range used (%)", "Dynamic range used in training",
      "Share of each format's dynamic range the values of a layer and role reached while training on each experience: log2 of the largest magnitude placed between log2 of the format's smallest positive value (0%) and of its largest finite value (100%). docs/precision.md, \"Numeric health\"."),
    ...figure("health-lost", (h) => (h.values > 0 ? (h.overflows + h.underflows) / h.values : null), "values lost (%)", "Values lost to overflow or underflow in training",
      "Share of the values rounded to a layer and role's format that overflowed (beyond its largest finite value) or underflowed (nonzero, rounded to zero), per experience."),
    ...figure("health-swamped", (h) => h.swampedShare, "updates swamped (%)", "Weight updates lost to swamping in training",
      "Share of the nonzero weight updates that left the updated copy (the master copy when there is one, else the stored weights) unchanged, per experience and layer."),
  ];
}

/** A compared run: a label (the settings that differ), its seeds, and the mean and std over them. */
export interface ComparedGroup {
  label: string;
  runs: number[];
  seeds: unknown[];
  accuracy: { mean: number; std: number } | null;
  energy: { mean: number; std: number } | null;
  learnerBytes: { mean: number; std: number };
}

/** Mean and population standard deviation. */
function meanStd(values: number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return { mean, std: Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length) };
}

/**
 * The runs grouped by configuration: runs that differ only in their seed become one group, with
 * the mean ± standard deviation of their finished runs; labels name the settings in which groups differ.
 */
export function compareRuns(reports: Report[]): { groups: ComparedGroup[]; warnings: string[] } {
  const groups = groupBySeed(reports);
  const firsts = groups.map((g) => reports[g[0]]);
  const labels = labelRuns(firsts, ["seed"]);
  return {
    warnings: comparabilityWarnings(reports),
    groups: groups.map((runs, k) => {
      const finished = runs.filter((i) => reports[i].metrics.avgAccuracy !== null);
      const energies = finished.map((i) => reports[i].energy?.totalJ).filter((e): e is number => e !== undefined && e > 0);
      return {
        label: labels[k],
        runs,
        seeds: runs.map((i) => reports[i].config.seed),
        accuracy: finished.length ? meanStd(finished.map((i) => reports[i].metrics.avgAccuracy!)) : null,
        energy: energies.length === finished.length && energies.length > 0 ? meanStd(energies) : null,
        learnerBytes: meanStd(runs.map((i) => reports[i].memory.modelBytes)),
      };
    }),
  };
}

export function comparisonFigures(reports: Report[], options: FigureOptions = {}): Figure[] {
  const { groups } = compareRuns(reports);
  const seeded = groups.some((g) => g.runs.length > 1);
  const errorNote = seeded ? " Points with several seeds show their mean; bars span ± one standard deviation." : "";
  const withAccuracy = groups.filter((g) => g.accuracy !== null);
  const figures: Figure[] = [];
  const energyPoints: ScatterPoint[] = withAccuracy
    .filter((g) => g.energy !== null)
    .map((g) => ({ x: g.energy!.mean, y: g.accuracy!.mean, xErr: g.energy!.std || undefined, yErr: g.accuracy!.std || undefined, label: g.label, run: g.runs[0] }));
  if (energyPoints.length) {
    const front = costFront(energyPoints);
    figures.push({
      name: "accuracy-energy",
      svg: scatterSvg(
        energyPoints,
        { label: "total energy", unit: "J", log: true },
        "accuracy-energy",
        { title: "Average accuracy against total energy", caption: `Each point is a configuration; up and to the left is better. The dashed staircase is the Pareto front of the points: none is both more accurate and cheaper than one on it (ringed).${errorNote}` },
        { ...options, front },
      ),
    });
  }
  const memoryPoints: ScatterPoint[] = withAccuracy.map((g) => ({ x: g.learnerBytes.mean, y: g.accuracy!.mean, xErr: g.learnerBytes.std || undefined, yErr: g.accuracy!.std || undefined, label: g.label, run: g.runs[0] }));
  if (memoryPoints.length) {
    figures.push({
      name: "accuracy-memory",
      svg: scatterSvg(memoryPoints, { label: "learner memory", unit: "B", log: true, logBase: 2 }, "accuracy-memory", { title: "Average accuracy against learner memory", caption: `Learner memory: the deployed model with its optimiser state and the strategy's buffers, as the board reported at DEPLOY.${errorNote}` }, options),
    });
  }
  return figures;
}
