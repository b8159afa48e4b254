// HTML reports: one self-contained page (inline CSS and SVG, no scripts, nothing fetched) drawn from
// report JSON alone. renderHtml shows one run: status, metrics, the accuracy-matrix heat map,
// per-experience accuracy curves, energy per experience, memory, MACs and telemetry. renderComparison
// sets several runs side by side: accuracy against energy and against memory.
import { longValue, shortValue } from "./config-text.js";
import { compareRuns, comparisonFigures, reportFigures, type FigureOptions } from "./figures.js";
import { labelRuns } from "./labels.js";
import { esc } from "./svg.js";
import { CPU_FALLBACK_REASONS } from "./types.js";
import { statusLine } from "./terminal.js";
import type { Report } from "./types.js";
import { bytes, count, duration, experienceCells, joules, percent, points, real } from "./units.js";

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #222; margin: 2em auto; max-width: 1100px; padding: 0 1em; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; }
h2 { font-size: 1.15em; margin-top: 1.8em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { padding: 3px 10px; border-bottom: 1px solid #eee; text-align: right; }
th:first-child, td:first-child { text-align: left; }
table.config td { text-align: left; }
table.config td:last-child { overflow-wrap: normal; word-break: normal; max-width: 760px; }
.status.incomplete { color: #a40000; font-weight: 600; }
.note { color: #666; }
.warning { color: #8a4b00; background: #fff4e0; padding: 4px 8px; }
.plots { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
figure { margin: 0; }
figcaption { color: #555; font-size: 0.9em; max-width: 560px; }
code { background: #f5f5f5; padding: 0 3px; }
`;

export function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

export function htmlTable(header: string[], rows: string[][], cls = ""): string {
  return `<table${cls ? ` class="${cls}"` : ""}><thead><tr>${header.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`)
    .join("")}</tbody></table>`;
}

/** Settings and their values; long lists and specs may break only after their commas, never inside a word. */
function configTable(config: Record<string, unknown>): string {
  const rows = Object.entries(config).map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(longValue(v)).replace(/,/g, ",<wbr>")}</td></tr>`);
  return `<table class="config"><thead><tr><th>setting</th><th>value</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

/** A short name for a run: its label, or strategy and precision from its config. */
export function runName(report: Report, fallback: string): string {
  const c = report.config;
  const parts = [c.strategy, c.precision].filter((v) => v !== undefined && v !== null).map(shortValue);
  return parts.length ? parts.join(" ") : fallback;
}

export function renderHtml(report: Report, title = "edgecl run report", options: FigureOptions = {}): string {
  const T = report.status.experiencesPlanned;
  const incomplete = !report.status.complete;
  const body: string[] = [];
  body.push(`<h1>${esc(title)}</h1>`);
  const c = report.config;
  const what = ["benchmark", "scenario", "strategy", "precision", "seed"].filter((k) => c[k] !== undefined).map((k) => `${k} <code>${esc(shortValue(c[k]))}</code>`);
  if (what.length) body.push(`<p>${what.join(", ")}${report.board ? `, board <code>${esc(report.board.id)}</code>` : ""}</p>`);
  body.push(`<p class="status${incomplete ? " incomplete" : ""}">${esc(statusLine(report))}</p>`);

  const m = report.metrics;
  body.push("<h2>Metrics</h2>");
  body.push(
    htmlTable(
      ["average accuracy", "BWT", "FWT", "forgetting"],
      [[percent(m.avgAccuracy), points(m.bwt), points(m.fwt), points(m.forgetting)]],
      "metrics",
    ),
  );
  if (incomplete) body.push(`<p class="note">The run did not finish: metrics need every experience.</p>`);

  // Figures carry their titles and captions inside the SVG, so a copied figure keeps them.
  const figures = new Map(reportFigures(report, options).map((f) => [f.name, f.svg]));
  body.push("<h2>Accuracy</h2>");
  body.push('<div class="plots">');
  body.push(`<figure>${figures.get("accuracy-matrix")}</figure>`);
  body.push(`<figure>${figures.get("accuracy-curves")}</figure>`);
  body.push("</div>");
  if (report.untrained) {
    body.push(`<p class="note">Untrained model: ${report.untrained.map((v, j) => `experience ${j} ${percent(v)}`).join(", ")}.</p>`);
  }

  const health = ["health-range", "health-lost", "health-swamped"].filter((name) => figures.has(name));
  if (health.length) {
    body.push("<h2>Numeric health</h2>");
    body.push('<div class="plots">');
    for (const name of health) body.push(`<figure>${figures.get(name)}</figure>`);
    body.push("</div>");
  }

  if (figures.has("precision-timeline")) {
    const switches = report.telemetry.reduce((n, t) => n + (t.precision?.switches ?? 0), 0);
    body.push("<h2>Precision over training</h2>");
    body.push(`<p>Policy <code>${esc(String(c.precisionPolicy ?? "static"))}</code>: ${switches} switch${switches === 1 ? "" : "es"} (${report.telemetry.map((t) => `experience ${t.experience} ${t.precision?.switches ?? 0}`).join(", ")}).</p>`);
    body.push(`<figure>${figures.get("precision-timeline")}</figure>`);
  }

  body.push("<h2>Energy</h2>");
  if (figures.has("energy")) {
    body.push('<div class="plots">');
    body.push(`<figure>${figures.get("energy")}</figure>`);
    if (figures.has("energy-split")) body.push(`<figure>${figures.get("energy-split")}</figure>`);
    body.push("</div>");
    if (report.energy) body.push(`<p>Total ${esc(joules(report.energy.totalJ))}.</p>`);
    const b = report.energy?.breakdown;
    if (b) {
      const share = (j: number) => (report.energy!.totalJ > 0 ? ` (${percent(j / report.energy!.totalJ, 1)})` : "");
      body.push(htmlTable(["accelerator", "memory", "cpu"], [[joules(b.accelerator) + share(b.accelerator), joules(b.memory) + share(b.memory), joules(b.cpu) + share(b.cpu)]], "breakdown"));
    }
  } else {
    body.push('<p class="note">The board reported no energy estimate.</p>');
  }
  if (report.accelerator) {
    const a = report.accelerator;
    const reasons = a.cpuFallbacksByReason ? CPU_FALLBACK_REASONS.filter((r) => a.cpuFallbacksByReason![r] > 0).map((r) => `${r} ${a.cpuFallbacksByReason![r]}`) : [];
    body.push(
      htmlTable(
        ["accelerator jobs", "cycles", "MACs", "utilisation", "CPU fallbacks"],
        [[
          String(a.jobs),
          count(a.cycles),
          count(a.macs),
          a.utilisation === undefined ? "–" : `${percent(a.utilisation, 1)}${a.units ? ` of ${a.units} MAC units` : ""}`,
          a.cpuFallbacks === undefined ? "–" : `${a.cpuFallbacks}${reasons.length ? ` (${reasons.join(", ")})` : ""}`,
        ]],
        "accelerator",
      ),
    );
  }

  body.push("<h2>Memory and work</h2>");
  const mem = report.memory;
  body.push(
    htmlTable(
      ["model", "replay buffer", "peak linear memory", "linear memory limit"],
      [[bytes(mem.modelBytes), mem.replayBytes === null ? "none" : bytes(mem.replayBytes), bytes(mem.peakLinearMemoryBytes), bytes(mem.linearMemoryLimitBytes)]],
      "memory",
    ),
  );
  const macs = Object.entries(report.macs);
  body.push(macs.length ? htmlTable(["format", "MACs"], macs.map(([f, n]) => [f, count(n)]), "macs") : '<p class="note">No MACs reported.</p>');

  if (report.telemetry.length) {
    body.push("<h2>Per experience</h2>");
    body.push(
      htmlTable(
        ["experience", "steps", "mean loss", "last loss", "train time (board clock)", "train MACs", "train energy", "eval time (board clock)", "eval energy", "peak memory"],
        report.telemetry.map(experienceCells).map((c) => [
          c.experience, c.steps, c.meanLoss, c.lastLoss, c.trainTime, c.trainMacs, c.trainEnergy, c.evalTime, c.evalEnergy, c.peakMemory,
        ]),
        "telemetry",
      ),
    );
  }

  body.push("<h2>Configuration</h2>");
  body.push(configTable(report.config));
  return page(title, body.join("\n"));
}

/** The accuracy a comparison plots for a run: its average accuracy, or null when it did not finish. */
function comparedAccuracy(report: Report): number | null {
  return report.metrics.avgAccuracy;
}

/** The deployed learner's memory (model, optimiser state, strategy buffers): what a precision choice changes. */
export function learnerBytes(report: Report): number {
  return report.memory.modelBytes;
}

export function renderComparison(runs: Array<{ label?: string; report: Report }>, title = "edgecl run comparison", options: FigureOptions = {}): string {
  const body: string[] = [`<h1>${esc(title)}</h1>`];
  const reports = runs.map((r) => r.report);
  const labels = labelRuns(reports);
  const named = runs.map((r, i) => ({ report: r.report, name: r.label ?? labels[i], index: i }));
  const { groups, warnings } = compareRuns(reports);
  for (const warning of warnings) body.push(`<p class="warning">${esc(warning)}</p>`);
  body.push(
    htmlTable(
      ["run", "status", "average accuracy", "BWT", "forgetting", "energy", "learner memory", "peak linear memory"],
      named.map(({ name, report }) => [
        name,
        report.status.complete ? "complete" : `incomplete (${report.status.experiencesCompleted}/${report.status.experiencesPlanned})`,
        percent(report.metrics.avgAccuracy),
        points(report.metrics.bwt),
        points(report.metrics.forgetting),
        joules(report.energy?.totalJ),
        bytes(learnerBytes(report)),
        bytes(report.memory.peakLinearMemoryBytes),
      ]),
      "runs",
    ),
  );

  if (groups.some((g) => g.runs.length > 1)) {
    const pm = (v: { mean: number; std: number } | null, show: (x: number) => string) => (v === null ? "–" : `${show(v.mean)} ± ${show(v.std)}`);
    body.push("<h2>Configurations over seeds</h2>");
    body.push(
      htmlTable(
        ["configuration", "seeds", "average accuracy (mean ± std)", "energy (mean ± std)"],
        groups.map((g) => [g.label, g.seeds.map(String).join(", "), pm(g.accuracy, (x) => percent(x)), pm(g.energy, joules)]),
        "groups",
      ),
    );
  }

  const skipped = named.filter((r) => comparedAccuracy(r.report) === null).map((r) => r.name);
  if (skipped.length) body.push(`<p class="note">Not plotted (the run did not finish): ${esc(skipped.join(", "))}.</p>`);
  const figures = new Map(comparisonFigures(reports, options).map((f) => [f.name, f.svg]));

  body.push("<h2>Accuracy against energy</h2>");
  const noEnergy = named.filter((r) => comparedAccuracy(r.report) !== null && !(r.report.energy && r.report.energy.totalJ > 0)).map((r) => r.name);
  body.push(figures.has("accuracy-energy") ? `<figure>${figures.get("accuracy-energy")}</figure>` : '<p class="note">No run reported energy.</p>');
  if (noEnergy.length && figures.has("accuracy-energy")) body.push(`<p class="note">Without an energy estimate: ${esc(noEnergy.join(", "))}.</p>`);

  body.push("<h2>Accuracy against memory</h2>");
  body.push(figures.has("accuracy-memory") ? `<figure>${figures.get("accuracy-memory")}</figure>` : '<p class="note">No run to plot.</p>');
  return page(title, body.join("\n"));
}
