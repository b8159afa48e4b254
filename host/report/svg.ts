// Inline SVG plots for the HTML reports, drawn from report data alone: the accuracy-matrix heat map,
// per-experience accuracy curves, energy bars and scatter plots. No scripts, no external resources.
// Elements carry classes and data attributes (cell, curve, bar, point) so a test can count them.

export function esc(text: unknown): string {
  return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

const r2 = (x: number) => Math.round(x * 100) / 100;

/** Viridis at five stops (matplotlib's perceptually uniform map): low accuracy dark, high light. */
const VIRIDIS = ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"];
/** Tableau 10: distinct colours for up to ten curves, then they repeat. */
export const CATEGORICAL = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];

function hexToRgb(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** The heat-map colour of a value in [0, 1], and the text colour that reads on it. */
export function heatColour(value: number): { fill: string; text: string } {
  const v = Math.min(1, Math.max(0, value)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(v));
  const t = v - i;
  const [a, b] = [hexToRgb(VIRIDIS[i]), hexToRgb(VIRIDIS[i + 1])];
  const rgb = a.map((x, k) => Math.round(x + (b[k] - x) * t));
  const luminance = (0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]) / 255;
  return { fill: `rgb(${rgb.join(",")})`, text: luminance > 0.5 ? "#111" : "#fff" };
}

/** A round number at or above `max`, a whole number of tick steps from 0 (the top of a bar chart's axis). */
export function niceMax(max: number, count = 5): number {
  if (!(max > 0)) return 1;
  const step = ticks(0, max, count)[1] ?? max;
  return Math.ceil(max / step - 1e-9) * step;
}

/**
 * Ticks of a log axis over [10^lo, 10^hi], as log10 positions: powers of `base` (2 suits bytes), and
 * with base 10 also 2x and 5x each power when whole decades alone would be too few.
 */
export function logTicks(lo: number, hi: number, base: 2 | 10): number[] {
  const inRange = (v: number) => Math.log10(v) >= lo - 1e-9 && Math.log10(v) <= hi + 1e-9;
  const powers: number[] = [];
  for (let k = Math.floor(lo / Math.log10(base)); k <= Math.ceil(hi / Math.log10(base)); k++) powers.push(base ** k);
  let values = powers.filter(inRange);
  if (base === 10 && values.length < 3) values = powers.flatMap((p) => [p, 2 * p, 5 * p]).filter(inRange);
  while (values.length > 7) values = values.filter((_, i) => i % 2 === 0);
  return values.map((v) => Math.log10(v));
}

/** About `count` round tick values covering [min, max]. */
export function ticks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

const svgOpen = (cls: string, frame: Frame, title: string) =>
  `<svg class="plot ${cls}" xmlns="http://www.w3.org/2000/svg" width="${frame.width}" height="${frame.height}" viewBox="0 0 ${frame.width} ${frame.height}" role="img" aria-label="${esc(title)}"><title>${esc(title)}</title>`;

/** Axes with ticks; returns the SVG and the scales. */
function axes(frame: Frame, x: { min: number; max: number; label: string; ticks?: number[]; format?: (v: number) => string }, y: { min: number; max: number; label: string; format?: (v: number) => string }) {
  const plotW = frame.width - frame.left - frame.right;
  const plotH = frame.height - frame.top - frame.bottom;
  const sx = (v: number) => frame.left + (x.max === x.min ? plotW / 2 : ((v - x.min) / (x.max - x.min)) * plotW);
  const sy = (v: number) => frame.top + plotH - (y.max === y.min ? plotH / 2 : ((v - y.min) / (y.max - y.min)) * plotH);
  const parts: string[] = [];
  const xFormat = x.format ?? ((v: number) => String(v));
  const yFormat = y.format ?? ((v: number) => String(v));
  for (const v of ticks(y.min, y.max)) {
    parts.push(`<line class="grid" x1="${frame.left}" x2="${frame.left + plotW}" y1="${r2(sy(v))}" y2="${r2(sy(v))}" stroke="#ddd"/>`);
    parts.push(`<text x="${frame.left - 6}" y="${r2(sy(v) + 4)}" text-anchor="end" font-size="11">${esc(yFormat(v))}</text>`);
  }
  for (const v of x.ticks ?? ticks(x.min, x.max)) {
    parts.push(`<line x1="${r2(sx(v))}" x2="${r2(sx(v))}" y1="${frame.top + plotH}" y2="${frame.top + plotH + 4}" stroke="#333"/>`);
    parts.push(`<text x="${r2(sx(v))}" y="${frame.top + plotH + 16}" text-anchor="middle" font-size="11">${esc(xFormat(v))}</text>`);
  }
  parts.push(`<line x1="${frame.left}" x2="${frame.left + plotW}" y1="${frame.top + plotH}" y2="${frame.top + plotH}" stroke="#333"/>`);
  parts.push(`<line x1="${frame.left}" x2="${frame.left}" y1="${frame.top}" y2="${frame.top + plotH}" stroke="#333"/>`);
  parts.push(`<text x="${frame.left + plotW / 2}" y="${frame.height - 6}" text-anchor="middle" font-size="12">${esc(x.label)}</text>`);
  parts.push(`<text transform="translate(14 ${frame.top + plotH / 2}) rotate(-90)" text-anchor="middle" font-size="12">${esc(y.label)}</text>`);
  return { svg: parts.join(""), sx, sy, plotW, plotH };
}

const pct = (v: number) => `${Math.round(v * 100)}%`;

/** The accuracy matrix: one cell per (trained i, tested j) that exists; rows after the last completed one are absent. */
export function heatMapSvg(accuracy: number[][], experiences: number): string {
  const cell = Math.max(28, Math.min(64, Math.floor(480 / Math.max(1, experiences))));
  const frame = { left: 78, top: 36, right: 12, bottom: 12, width: 0, height: 0 };
  frame.width = frame.left + experiences * cell + frame.right;
  frame.height = frame.top + experiences * cell + frame.bottom + 8;
  const parts = [svgOpen("heatmap", frame, "Accuracy matrix: row i = after training experience i, column j = test set of experience j")];
  for (let j = 0; j < experiences; j++) {
    parts.push(`<text x="${frame.left + j * cell + cell / 2}" y="${frame.top - 8}" text-anchor="middle" font-size="11">test ${j}</text>`);
  }
  for (let i = 0; i < experiences; i++) {
    parts.push(`<text x="${frame.left - 6}" y="${frame.top + i * cell + cell / 2 + 4}" text-anchor="end" font-size="11">after ${i}</text>`);
    const row = accuracy[i];
    for (let j = 0; j < experiences; j++) {
      const x = frame.left + j * cell;
      const y = frame.top + i * cell;
      if (!row) {
        parts.push(`<rect class="missing" x="${x}" y="${y}" width="${cell - 1}" height="${cell - 1}" fill="#f3f3f3"/>`);
        continue;
      }
      const { fill, text } = heatColour(row[j]);
      const label = (100 * row[j]).toFixed(cell >= 48 ? 1 : 0);
      parts.push(
        `<g><rect class="cell" data-row="${i}" data-col="${j}" data-value="${row[j]}" x="${x}" y="${y}" width="${cell - 1}" height="${cell - 1}" fill="${fill}"><title>after ${i}, test ${j}: ${esc((100 * row[j]).toFixed(2))}%</title></rect>` +
          `<text x="${x + (cell - 1) / 2}" y="${y + cell / 2 + 4}" text-anchor="middle" font-size="${cell >= 48 ? 11 : 9}" fill="${text}">${label}</text></g>`,
      );
    }
  }
  parts.push("</svg>");
  return parts.join("");
}

/** Accuracy on each experience j's test set after training experience i, for i >= j: one curve per experience learnt. */
export function accuracyCurvesSvg(accuracy: number[][], experiences: number): string {
  const frame = { width: 560, height: 300, left: 56, right: 120, top: 16, bottom: 44 };
  const last = Math.max(0, experiences - 1);
  const a = axes(
    frame,
    { min: 0, max: last, label: "after training experience", ticks: Array.from({ length: experiences }, (_, i) => i) },
    { min: 0, max: 1, label: "accuracy", format: pct },
  );
  const parts = [svgOpen("curves", frame, "Accuracy on each experience's test set as training goes on"), a.svg];
  for (let j = 0; j < Math.min(accuracy.length, experiences); j++) {
    const colour = CATEGORICAL[j % CATEGORICAL.length];
    const points = accuracy.slice(j).map((row, k) => [a.sx(j + k), a.sy(row[j])] as const);
    const d = points.map(([x, y], k) => `${k === 0 ? "M" : "L"}${r2(x)} ${r2(y)}`).join(" ");
    parts.push(`<path class="curve" data-experience="${j}" d="${d}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    for (const [k, [x, y]] of points.entries()) {
      parts.push(`<circle class="point" data-experience="${j}" cx="${r2(x)}" cy="${r2(y)}" r="3" fill="${colour}"><title>experience ${j} after ${j + k}: ${esc((100 * accuracy[j + k][j]).toFixed(2))}%</title></circle>`);
    }
    const ly = frame.top + 12 + j * 16;
    const lx = frame.width - frame.right + 12;
    parts.push(`<line x1="${lx}" x2="${lx + 16}" y1="${ly - 4}" y2="${ly - 4}" stroke="${colour}" stroke-width="2"/><text x="${lx + 20}" y="${ly}" font-size="11">experience ${j}</text>`);
  }
  parts.push("</svg>");
  return parts.join("");
}

/** Energy of each experience as stacked bars: training below, evaluation on top. */
export function energyBarsSvg(perExperience: Array<{ train: number; eval: number }>, format: (joules: number) => string): string {
  const frame = { width: 560, height: 280, left: 72, right: 110, top: 16, bottom: 44 };
  const max = Math.max(...perExperience.map((e) => e.train + e.eval), 0);
  const n = perExperience.length;
  const a = axes(
    frame,
    { min: -0.5, max: n - 0.5, label: "experience", ticks: Array.from({ length: n }, (_, i) => i) },
    { min: 0, max: niceMax(max), label: "energy", format },
  );
  const parts = [svgOpen("energy", frame, "Energy per experience (training and evaluation)"), a.svg];
  const width = Math.max(6, (a.plotW / Math.max(1, n)) * 0.6);
  perExperience.forEach((e, i) => {
    const x = a.sx(i) - width / 2;
    const base = a.sy(0);
    const trainTop = a.sy(e.train);
    const evalTop = a.sy(e.train + e.eval);
    parts.push(
      `<g class="bar" data-experience="${i}" data-joules="${e.train + e.eval}"><title>experience ${i}: ${esc(format(e.train))} training, ${esc(format(e.eval))} evaluation</title>` +
        `<rect class="segment train" x="${r2(x)}" y="${r2(trainTop)}" width="${r2(width)}" height="${r2(base - trainTop)}" fill="${CATEGORICAL[0]}"/>` +
        `<rect class="segment eval" x="${r2(x)}" y="${r2(evalTop)}" width="${r2(width)}" height="${r2(trainTop - evalTop)}" fill="${CATEGORICAL[1]}"/></g>`,
    );
  });
  const lx = frame.width - frame.right + 12;
  parts.push(`<rect x="${lx}" y="${frame.top}" width="12" height="12" fill="${CATEGORICAL[0]}"/><text x="${lx + 16}" y="${frame.top + 10}" font-size="11">training</text>`);
  parts.push(`<rect x="${lx}" y="${frame.top + 18}" width="12" height="12" fill="${CATEGORICAL[1]}"/><text x="${lx + 16}" y="${frame.top + 28}" font-size="11">evaluation</text>`);
  parts.push("</svg>");
  return parts.join("");
}

/**
 * Energy of each experience split by where it was spent: accelerator arithmetic, memory traffic and the
 * host CPU stacked in that order, one bar per experience.
 */
export function energySplitBarsSvg(perExperience: Array<{ accelerator: number; memory: number; cpu: number }>, format: (joules: number) => string): string {
  const frame = { width: 560, height: 280, left: 72, right: 110, top: 16, bottom: 44 };
  const parts = [
    { key: "accelerator", label: "accelerator", colour: CATEGORICAL[4] },
    { key: "memory", label: "memory", colour: CATEGORICAL[6] },
    { key: "cpu", label: "host CPU", colour: CATEGORICAL[9] },
  ] as const;
  const total = (e: (typeof perExperience)[number]) => e.accelerator + e.memory + e.cpu;
  const n = perExperience.length;
  const a = axes(
    frame,
    { min: -0.5, max: n - 0.5, label: "experience", ticks: Array.from({ length: n }, (_, i) => i) },
    { min: 0, max: niceMax(Math.max(...perExperience.map(total), 0)), label: "energy", format },
  );
  const out = [svgOpen("energy-split", frame, "Energy per experience by where it was spent (accelerator, memory, host CPU)"), a.svg];
  const width = Math.max(6, (a.plotW / Math.max(1, n)) * 0.6);
  perExperience.forEach((e, i) => {
    const x = a.sx(i) - width / 2;
    let below = 0;
    const title = parts.map((p) => `${esc(format(e[p.key]))} ${p.label}`).join(", ");
    const rects = parts.map((p) => {
      const bottom = a.sy(below), top = a.sy(below + e[p.key]);
      below += e[p.key];
      return `<rect class="segment ${p.key}" x="${r2(x)}" y="${r2(top)}" width="${r2(width)}" height="${r2(bottom - top)}" fill="${p.colour}"/>`;
    });
    out.push(`<g class="bar" data-experience="${i}" data-joules="${total(e)}"><title>experience ${i}: ${title}</title>${rects.join("")}</g>`);
  });
  const lx = frame.width - frame.right + 12;
  parts.forEach((p, k) => {
    out.push(`<rect x="${lx}" y="${frame.top + 18 * k}" width="12" height="12" fill="${p.colour}"/><text x="${lx + 16}" y="${frame.top + 18 * k + 10}" font-size="11">${p.label}</text>`);
  });
  out.push("</svg>");
  return out.join("");
}

export interface ScatterPoint {
  x: number;
  y: number;
  label: string;
  run: number;
  /** Only a tooltip, no text beside the point (plots of many runs label the few that matter). */
  unlabelled?: boolean;
}

/** A scatter plot of runs: one labelled point each. `logX` for quantities spanning decades (energy, memory). */
export function scatterSvg(
  points: ScatterPoint[],
  x: { label: string; format: (v: number) => string; log?: boolean; logBase?: 2 | 10 },
  y: { label: string; format: (v: number) => string },
  cls: string,
  title: string,
  front: number[] = [],
): string {
  const frame = { width: 560, height: 320, left: 60, right: 24, top: 16, bottom: 44 };
  const tx = (v: number) => (x.log ? Math.log10(v) : v);
  const xs = points.map((p) => tx(p.x));
  let xMin = Math.min(...xs);
  let xMax = Math.max(...xs);
  if (xMin === xMax) {
    xMin -= x.log ? 0.5 : Math.abs(xMin) * 0.1 || 1;
    xMax += x.log ? 0.5 : Math.abs(xMax) * 0.1 || 1;
  } else {
    const pad = (xMax - xMin) * 0.08;
    xMin -= pad;
    xMax += pad;
  }
  const logged = x.log ? logTicks(xMin, xMax, x.logBase ?? 10) : [];
  const xTicks = x.log && logged.length >= 2 ? logged : undefined;
  const a = axes(frame, { min: xMin, max: xMax, label: x.label, ticks: xTicks, format: (v) => x.format(x.log ? 10 ** v : v) }, { min: 0, max: 1, label: y.label, format: y.format });
  const parts = [svgOpen(`scatter ${cls}`, frame, title), a.svg];
  if (front.length) {
    // The Pareto front as a staircase through its points, ordered by x: what no run beats on both axes.
    const steps = front.map((i) => [r2(a.sx(tx(points[i].x))), r2(a.sy(points[i].y))]);
    const d = steps.map(([px, py], k) => (k === 0 ? `M${px},${py}` : `H${px}V${py}`)).join("");
    parts.push(`<path class="front" d="${d}" fill="none" stroke="#444" stroke-width="1.5" stroke-dasharray="4 3"/>`);
  }
  const onFront = new Set(front);
  const labelsAt = new Map<string, number>();
  points.forEach((p, index) => {
    const colour = CATEGORICAL[p.run % CATEGORICAL.length];
    const cx = r2(a.sx(tx(p.x)));
    const cy = r2(a.sy(p.y));
    // Labels near the right edge go to the left of their point, so they stay inside the plot.
    const right = cx > frame.left + a.plotW * 0.7;
    // Runs at the same place get their labels stacked below one another.
    const key = `${Math.round(cx / 8)},${Math.round(cy / 8)}`;
    const stacked = labelsAt.get(key) ?? 0;
    if (!p.unlabelled) labelsAt.set(key, stacked + 1);
    const ly = cy - 8 + 13 * stacked + (stacked > 0 ? 10 : 0);
    const ring = onFront.has(index) ? ' stroke="#000" stroke-width="1.5"' : "";
    const text = p.unlabelled ? "" : `<text x="${right ? cx - 8 : cx + 8}" y="${ly}" font-size="11" text-anchor="${right ? "end" : "start"}">${esc(p.label)}</text>`;
    parts.push(
      `<g class="point${onFront.has(index) ? " on-front" : ""}" data-run="${p.run}"><circle cx="${cx}" cy="${cy}" r="5" fill="${colour}"${ring}><title>${esc(p.label)}: ${esc(y.format(p.y))}, ${esc(x.format(p.x))}</title></circle>${text}</g>`,
    );
  });
  parts.push("</svg>");
  return parts.join("");
}
