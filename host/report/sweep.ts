// The report of a sweep, drawn from its folder alone (host/sweep/results.ts): the accuracy-energy and
// accuracy-memory planes with their Pareto fronts, the effect of each axis with the others fixed, every
// run in a table, and the same runs as CSV (one row each). One self-contained page, as html.ts.
import { axisEffect, type EffectRow } from "../sweep/effects.js";
import { costFront } from "../sweep/pareto.js";
import { sweepPanels, type MeanSd, type SweepPanels } from "../sweep/panels.js";
import type { SweepResults, SweepRun } from "../sweep/results.js";
import { field } from "./csv.js";
import { htmlTable, learnerBytes, page } from "./html.js";
import { esc, scatterSvg, type ScatterPoint } from "./svg.js";
import { bytes, joules, percent, points } from "./units.js";

/** The three quantities a sweep trades against one another, null when a run lacks one. */
export interface RunFigures {
  accuracy: number | null;
  energyJ: number | null;
  learnerBytes: number | null;
}

export function runFigures(run: SweepRun): RunFigures {
  const r = run.report;
  if (!r) return { accuracy: null, energyJ: null, learnerBytes: null };
  return { accuracy: r.metrics.avgAccuracy, energyJ: r.energy && r.energy.totalJ > 0 ? r.energy.totalJ : null, learnerBytes: learnerBytes(r) > 0 ? learnerBytes(r) : null };
}

function runLabel(run: SweepRun): string {
  return Object.values(run.axes).join(" ");
}

/** Indices (into `runs`) of the front of accuracy against a cost, and the plotted points. */
export function planeFront(runs: SweepRun[], cost: (f: RunFigures) => number | null): { points: Array<{ run: number; x: number; y: number }>; front: number[] } {
  const plotted = runs
    .map((run, i) => ({ run: i, f: runFigures(run) }))
    .filter(({ f }) => f.accuracy !== null && cost(f) !== null)
    .map(({ run, f }) => ({ run, x: cost(f)!, y: f.accuracy! }));
  return { points: plotted, front: costFront(plotted).map((k) => plotted[k].run) };
}

function plane(
  results: SweepResults,
  id: string,
  title: string,
  cost: (f: RunFigures) => number | null,
  axis: { label: string; unit: "J" | "B"; format: (v: number) => string; logBase?: 2 | 10 },
  caption: string,
): string {
  const { points: plotted, front } = planeFront(results.runs, cost);
  if (!plotted.length) return `<h2>${esc(title)}</h2><p class="note">No finished run has this measurement.</p>`;
  const onFront = new Set(front);
  // Runs at the same place on the front (an axis that changes neither quantity) share one label.
  const sharing = new Map<string, number[]>();
  for (const run of front) {
    const at = plotted.find((p) => p.run === run)!;
    const key = `${at.x},${at.y}`;
    sharing.set(key, [...(sharing.get(key) ?? []), run]);
  }
  const scatter: ScatterPoint[] = plotted.map((p) => {
    const same = sharing.get(`${p.x},${p.y}`) ?? [];
    const first = onFront.has(p.run) && same[0] === p.run;
    const label = runLabel(results.runs[p.run]) + (first && same.length > 1 ? ` (+${same.length - 1} alike)` : "");
    return { x: p.x, y: p.y, label, run: p.run, unlabelled: !first };
  });
  const frontIndices = front.map((run) => plotted.findIndex((p) => p.run === run));
  const svg = scatterSvg(scatter, { label: axis.label, unit: axis.unit, log: true, logBase: axis.logBase }, id, { title }, { front: frontIndices });
  const rows = front.map((i) => {
    const run = results.runs[i];
    const f = runFigures(run);
    return [run.hash, ...results.record.axes.map((a) => run.axes[a.name]), percent(f.accuracy), axis.format(cost(f)!)];
  });
  return [
    `<h2>${esc(title)}</h2>`,
    `<figure>${svg}<figcaption>${esc(caption)} The dashed staircase is the Pareto front: no run is both more accurate and cheaper than a run on it (ringed and labelled).</figcaption></figure>`,
    htmlTable(["run", ...results.record.axes.map((a) => a.name), "average accuracy", axis.label], rows, "front"),
  ].join("\n");
}

/** "mean ± sd" in a unit, or a dash. */
function meanSdText(v: MeanSd | null, show: (x: number) => string): string {
  return v === null ? "–" : `${show(v.mean)} ± ${show(v.sd)}`;
}

/**
 * One accuracy-energy plane per panel (scenario, strategy, ... : docs/sweeps.md), each point a
 * configuration's mean over its seeds with ± one standard deviation as bars, the front of the means
 * marked, and every configuration of the panel in a table.
 */
function panelPlanes(panels: SweepPanels): string {
  const by = panels.panelAxes.length ? ` per ${panels.panelAxes.join(" × ")}` : "";
  const out = [
    `<h2>${esc(`Accuracy against energy${by}, mean over seeds`)}</h2>`,
    `<p class="note">Runs that differ only in their seed are one point: the mean of their average accuracy and energy, the bars ± one sample standard deviation. The front is that of the means: no configuration of the panel is both more accurate and cheaper than one on it.</p>`,
  ];
  panels.panels.forEach((panel, k) => {
    const plotted = panel.points.map((p, i) => ({ p, i })).filter(({ p }) => p.accuracy && p.energyJ);
    if (panels.panelAxes.length) out.push(`<h3>${esc(panel.label)}</h3>`);
    if (plotted.length) {
      const scatter: ScatterPoint[] = plotted.map(({ p, i }) => ({ x: p.energyJ!.mean, y: p.accuracy!.mean, xErr: p.energyJ!.sd || undefined, yErr: p.accuracy!.sd || undefined, label: p.label, run: i }));
      const front = panel.front.map((i) => plotted.findIndex((q) => q.i === i));
      const title = `Accuracy against energy${panels.panelAxes.length ? `: ${panel.label}` : ""}`;
      out.push(`<figure>${scatterSvg(scatter, { label: "total energy", unit: "J", log: true }, `accuracy-energy-panel panel-${k}`, { title, caption: `Average accuracy after the last experience against the run's modelled energy (docs/energy.md), mean over seeds, one point per ${panels.pointAxes.join(" × ") || "sweep"}. Labels that would overlap are left off points off the front; every point's name is in its tooltip and the table below.` }, { front, declutter: true })}</figure>`);
    } else {
      out.push('<p class="note">No finished run with energy.</p>');
    }
    const onFront = new Set(panel.front);
    out.push(
      htmlTable(
        [...panels.pointAxes, "seeds", "average accuracy", "energy", "learner memory", "peak linear memory", "on the front"],
        panel.points.map((p, i) => [
          ...panels.pointAxes.map((a) => p.axes[a]),
          `${p.accuracy?.n ?? 0} of ${p.runs.length}`,
          meanSdText(p.accuracy, (x) => percent(x)),
          meanSdText(p.energyJ, joules),
          p.learnerBytes ? bytes(Math.round(p.learnerBytes.mean)) : "–",
          p.peakLinearMemoryBytes ? bytes(Math.round(p.peakLinearMemoryBytes.mean)) : "–",
          onFront.has(i) ? "yes" : "",
        ]),
        "panel",
      ),
    );
  });
  return out.join("\n");
}

function effectTable(results: SweepResults, axis: { name: string; values: string[] }): string {
  const inputs = (value: (f: RunFigures) => number | null) => results.runs.map((r) => ({ axes: r.axes, value: value(runFigures(r)) }));
  const accuracy = axisEffect(inputs((f) => f.accuracy), axis.name, axis.values, "difference");
  const energy = axisEffect(inputs((f) => f.energyJ), axis.name, axis.values, "ratio");
  const memory = axisEffect(inputs((f) => f.learnerBytes), axis.name, axis.values, "ratio");
  const ratio = (row: EffectRow) => (row.effect === null ? "–" : `×${row.effect.toPrecision(3)} (${row.pairs})`);
  const rows = axis.values.map((value, i) => [
    value,
    String(accuracy[i].runs),
    percent(accuracy[i].mean),
    i === 0 ? "reference" : accuracy[i].effect === null ? "–" : `${points(accuracy[i].effect)} (${accuracy[i].pairs})`,
    joules(energy[i].mean),
    i === 0 ? "reference" : ratio(energy[i]),
    bytes(memory[i].mean === null ? null : Math.round(memory[i].mean!)),
    i === 0 ? "reference" : ratio(memory[i]),
  ]);
  return `<h3>${esc(axis.name)}</h3>\n${htmlTable(["value", "runs", "mean accuracy", "accuracy vs first (pairs)", "mean energy", "energy vs first (pairs)", "mean learner memory", "memory vs first (pairs)"], rows, "effect")}`;
}

const CSV_FIGURES = [
  "avg_accuracy",
  "bwt",
  "fwt",
  "forgetting",
  "energy_j",
  "learner_bytes",
  "replay_bytes",
  "peak_linear_memory_bytes",
  "macs",
  "accel_cycles",
  "accel_utilisation",
  "model_checksum",
  "on_energy_front",
  "on_memory_front",
  "report",
] as const;

/** Every run of the sweep, one CSV row each (RFC 4180, CRLF), finished or not. */
export function renderSweepCsv(results: SweepResults): string {
  const energyFront = new Set(planeFront(results.runs, (f) => f.energyJ).front);
  const memoryFront = new Set(planeFront(results.runs, (f) => f.learnerBytes).front);
  const header = ["index", "run", "state", ...results.record.axes.map((a) => a.name), ...CSV_FIGURES];
  const lines = [header.map(field).join(",")];
  results.runs.forEach((run, i) => {
    const r = run.report;
    const f = runFigures(run);
    const macs = r ? Object.values(r.macs).reduce((a, b) => a + b, 0) : null;
    const values = [
      run.index,
      run.hash,
      run.state,
      ...results.record.axes.map((a) => run.axes[a.name]),
      f.accuracy,
      r?.metrics.bwt,
      r?.metrics.fwt,
      r?.metrics.forgetting,
      f.energyJ,
      f.learnerBytes,
      r?.memory.replayBytes,
      r?.memory.peakLinearMemoryBytes,
      macs,
      r?.accelerator?.cycles,
      r?.accelerator?.utilisation,
      r?.modelChecksum,
      r ? energyFront.has(i) : null,
      r ? memoryFront.has(i) : null,
      r ? run.reportFile : null,
    ];
    lines.push(values.map(field).join(","));
  });
  return `${lines.join("\r\n")}\r\n`;
}

export function renderSweepHtml(results: SweepResults): string {
  const { record, runs } = results;
  const title = `edgecl sweep: ${record.name}`;
  const count = (state: string) => runs.filter((r) => r.state === state).length;
  const body: string[] = [`<h1>${esc(title)}</h1>`];
  const combination = record.sample ? `${runs.length} runs sampled (seed ${record.sample.seed}) from a grid of ${record.gridSize}` : `${runs.length} runs, the full grid of ${record.axes.map((a) => a.values.length).join(" × ")}`;
  body.push(`<p>${esc(combination)} over ${record.axes.map((a) => `<code>${esc(a.name)}</code>`).join(", ")}; from <code>${esc(record.file)}</code>.</p>`);
  body.push(`<p>${count("finished")} finished, ${count("failed")} failed, ${count("partial")} partial, ${count("pending")} pending.</p>`);
  const csv = renderSweepCsv(results);
  body.push(`<p><a download="${esc(`${record.name}.csv`)}" href="data:text/csv;charset=utf-8,${encodeURIComponent(csv)}">Every run as CSV</a> (also <code>edgecl report ${esc(results.dir)} --csv FILE</code>).</p>`);

  body.push(plane(results, "accuracy-energy", "Accuracy against energy", (f) => f.energyJ, { label: "total energy", unit: "J", format: joules }, "Average accuracy after the last experience against the run's estimated energy (docs/energy.md)."));
  body.push(
    plane(results, "accuracy-memory", "Accuracy against memory", (f) => f.learnerBytes, { label: "learner memory", unit: "B", format: bytes, logBase: 2 }, "Learner memory: the deployed model with its optimiser state and the strategy's buffers, as the board reported at DEPLOY."),
  );

  const panels = sweepPanels(results);
  if (panels) body.push(panelPlanes(panels));

  body.push("<h2>Effect of each axis, the others fixed</h2>");
  body.push(
    '<p class="note">Each value is compared with the axis\'s first over the pairs of finished runs that differ only in this axis: accuracy as the mean difference in percentage points, energy and memory as the geometric mean of the ratios; the number of pairs in parentheses.</p>',
  );
  for (const axis of record.axes) body.push(effectTable(results, axis));

  body.push("<h2>Every run</h2>");
  body.push(
    htmlTable(
      ["#", "run", "state", ...record.axes.map((a) => a.name), "average accuracy", "BWT", "energy", "learner memory"],
      runs.map((run) => {
        const f = runFigures(run);
        return [String(run.index), run.hash, run.state, ...record.axes.map((a) => run.axes[a.name]), percent(f.accuracy), points(run.report?.metrics.bwt), joules(f.energyJ), bytes(f.learnerBytes)];
      }),
      "runs",
    ),
  );
  const failed = runs.filter((r) => r.state === "failed");
  if (failed.length) {
    body.push("<h2>Failed runs</h2>");
    body.push(
      htmlTable(
        ["run", "Slurm state", "exit code", "log"],
        failed.map((r) => [r.hash, r.failure?.state ?? "–", r.failure?.exitCode === null || r.failure?.exitCode === undefined ? "–" : String(r.failure.exitCode), r.failure?.log ?? "–"]),
        "failed",
      ),
    );
  }
  return page(title, body.join("\n"));
}
