// A sweep's runs as configurations over seeds, one panel per setting of the task: runs that differ only
// in their seed become one point (mean and sample standard deviation of what they measured), and each
// combination of the axes that change what accuracy means (benchmark, data set, scenario, strategy) gets
// its own accuracy-energy plane and Pareto front, since a front across scenarios would compare accuracies
// of different tasks.
import type { SweepResults } from "./results.js";
import { costFront } from "./pareto.js";

/** Axes whose values make separate panels. */
export const PANEL_AXES = ["benchmark", "dataset", "scenario", "strategy"];
/** The axis averaged over. */
export const SEED_AXIS = "seed";

export interface MeanSd {
  mean: number;
  /** Sample standard deviation (n - 1); 0 for one value. */
  sd: number;
  n: number;
}

export function meanSd(values: number[]): MeanSd | null {
  if (!values.length) return null;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = values.length < 2 ? 0 : Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1));
  return { mean, sd, n: values.length };
}

export interface PanelPoint {
  /** The values of the axes that are neither panel axes nor the seed, joined: the point's label. */
  label: string;
  axes: Record<string, string>;
  /** Indices into the sweep's runs. */
  runs: number[];
  /** Over the finished runs; energy and memory only from runs that reported them. */
  accuracy: MeanSd | null;
  energyJ: MeanSd | null;
  learnerBytes: MeanSd | null;
  peakLinearMemoryBytes: MeanSd | null;
}

export interface Panel {
  label: string;
  axes: Record<string, string>;
  points: PanelPoint[];
  /** Indices into `points` of the accuracy-energy front of the means, ordered by energy. */
  front: number[];
}

export interface SweepPanels {
  panelAxes: string[];
  pointAxes: string[];
  panels: Panel[];
}

/**
 * The sweep's panels, in the order of the axes' values; null when the sweep has no seed axis and no
 * panel axis with more than one value (its single plane already shows every run).
 */
export function sweepPanels(results: SweepResults): SweepPanels | null {
  const axes = results.record.axes;
  const panelAxes = axes.filter((a) => PANEL_AXES.includes(a.name) && a.values.length > 1).map((a) => a.name);
  const seeded = axes.some((a) => a.name === SEED_AXIS);
  if (!panelAxes.length && !seeded) return null;
  const pointAxes = axes.map((a) => a.name).filter((n) => n !== SEED_AXIS && !panelAxes.includes(n));
  const panels = new Map<string, { axes: Record<string, string>; points: Map<string, { axes: Record<string, string>; runs: number[] }> }>();
  results.runs.forEach((run, i) => {
    const panelKey = panelAxes.map((a) => run.axes[a]).join(" · ");
    const pointKey = pointAxes.map((a) => run.axes[a]).join(" ");
    if (!panels.has(panelKey)) panels.set(panelKey, { axes: Object.fromEntries(panelAxes.map((a) => [a, run.axes[a]])), points: new Map() });
    const points = panels.get(panelKey)!.points;
    if (!points.has(pointKey)) points.set(pointKey, { axes: Object.fromEntries(pointAxes.map((a) => [a, run.axes[a]])), runs: [] });
    points.get(pointKey)!.runs.push(i);
  });
  return {
    panelAxes,
    pointAxes,
    panels: [...panels.entries()].map(([label, panel]) => {
      const points: PanelPoint[] = [...panel.points.entries()].map(([pointLabel, p]) => {
        const reports = p.runs.map((i) => results.runs[i].report).filter((r) => r !== null && r.metrics.avgAccuracy !== null);
        const figure = (get: (r: NonNullable<(typeof reports)[number]>) => number | null | undefined) =>
          meanSd(reports.map((r) => get(r!)).filter((v): v is number => typeof v === "number" && Number.isFinite(v)));
        return {
          label: pointLabel || "all runs",
          axes: p.axes,
          runs: p.runs,
          accuracy: figure((r) => r.metrics.avgAccuracy),
          energyJ: figure((r) => (r.energy && r.energy.totalJ > 0 ? r.energy.totalJ : null)),
          learnerBytes: figure((r) => r.memory.modelBytes),
          peakLinearMemoryBytes: figure((r) => r.memory.peakLinearMemoryBytes),
        };
      });
      const plotted = points.map((p, k) => ({ k, x: p.energyJ?.mean ?? NaN, y: p.accuracy?.mean ?? NaN }));
      return { label: label || "all runs", axes: panel.axes, points, front: costFront(plotted).map((j) => plotted[j].k) };
    }),
  };
}
