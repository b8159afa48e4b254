// SVG figures for the reports, drawn from report data alone: the accuracy-matrix heat map, accuracy
// curves, energy bars and scatter plots. Each is a self-contained figure a paper can take as it is:
// a title, axis titles with units, the caption inside the SVG, one font family, a white background, no
// scripts and no external resources. Elements carry classes and data attributes (cell, curve, point,
// bar, colorbar, caption) so tests can find them.

export function esc(text: unknown): string {
  return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

const r2 = (x: number) => Math.round(x * 100) / 100;

/** One family for every text; DejaVu Sans is on every Debian machine, the rest are common fallbacks. */
export const FONT_FAMILY = "'DejaVu Sans', Helvetica, Arial, sans-serif";
/** Text sizes in SVG units: at a figure's natural size none is below 12, so a column-wide figure stays legible. */
export const MIN_TEXT_SIZE = 12;
const TICK_SIZE = 13;
const LABEL_SIZE = 14;
const TITLE_SIZE = 16;
const CAPTION_SIZE = 13;
const TITLE_HEIGHT = 30;
const CAPTION_LINE = 17;

/** Viridis at five stops (matplotlib's perceptually uniform map): low accuracy dark, high light. */
const VIRIDIS = ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"];
/** Tableau 10: distinct colours for up to ten curves, then they repeat (with another marker shape). */
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

/** Labels for tick values with as few significant digits as keep neighbouring labels apart. */
export function distinctLabels(values: number[], format: (v: number, digits: number) => string): string[] {
  for (let digits = 2; digits <= 8; digits++) {
    const labels = values.map((v) => format(v, digits));
    if (new Set(labels).size === labels.length) return labels;
  }
  return values.map((v) => format(v, 12));
}

/** A unit with an SI or binary prefix that suits values up to `max`: the factor to divide by and its name. */
export function scaledUnit(max: number, unit: "J" | "B"): { factor: number; name: string } {
  if (unit === "B") {
    const steps = [{ factor: 1 << 30, name: "GiB" }, { factor: 1 << 20, name: "MiB" }, { factor: 1024, name: "KiB" }];
    return steps.find((s) => max >= s.factor) ?? { factor: 1, name: "B" };
  }
  const steps = [{ factor: 1, name: "J" }, { factor: 1e-3, name: "mJ" }, { factor: 1e-6, name: "µJ" }, { factor: 1e-9, name: "nJ" }];
  return steps.find((s) => max >= s.factor) ?? { factor: 1e-12, name: "pJ" };
}

/** Words wrapped into lines of at most `chars` characters. */
export function wrapText(text: string, chars: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > chars) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** What every figure has besides its plot: a title above, a caption below. */
export interface FigureText {
  title: string;
  caption?: string;
}

/**
 * A frame for a plot area of `plotW` x `plotH` with the given margins, grown by the title above and
 * the wrapped caption below; returns the frame and the opening and closing markup.
 */
function figure(cls: string, text: FigureText, margins: { left: number; right: number; top: number; bottom: number }, plotW: number, plotH: number) {
  // A long title widens the figure (both sides alike) rather than running off its edges.
  const titleWidth = text.title.length * TITLE_SIZE * 0.62 + 24;
  const extra = Math.max(0, Math.ceil((titleWidth - (margins.left + plotW + margins.right)) / 2));
  margins = { ...margins, left: margins.left + extra, right: margins.right + extra };
  const width = margins.left + plotW + margins.right;
  const captionLines = text.caption ? wrapText(text.caption, Math.floor((width - 16) / (CAPTION_SIZE * 0.55))) : [];
  const frame: Frame = {
    width,
    left: margins.left,
    right: margins.right,
    top: TITLE_HEIGHT + margins.top,
    bottom: margins.bottom + (captionLines.length ? captionLines.length * CAPTION_LINE + 10 : 0),
    height: 0,
  };
  frame.height = frame.top + plotH + frame.bottom;
  const open =
    `<svg class="plot ${cls}" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${frame.height}" viewBox="0 0 ${width} ${frame.height}" ` +
    `font-family="${esc(FONT_FAMILY)}" font-size="${TICK_SIZE}" role="img" aria-label="${esc(text.title)}"><title>${esc(text.title)}</title>` +
    (text.caption ? `<desc>${esc(text.caption)}</desc>` : "") +
    `<rect class="background" x="0" y="0" width="${width}" height="${frame.height}" fill="#fff"/>` +
    `<text class="figure-title" x="${width / 2}" y="${TITLE_SIZE + 4}" text-anchor="middle" font-size="${TITLE_SIZE}" font-weight="bold">${esc(text.title)}</text>`;
  const captionTop = frame.height - captionLines.length * CAPTION_LINE - 2;
  const close =
    (captionLines.length
      ? `<text class="caption" font-size="${CAPTION_SIZE}" fill="#333">${captionLines.map((l, k) => `<tspan x="8" y="${captionTop + (k + 1) * CAPTION_LINE - 4}">${esc(l)}</tspan>`).join("")}</text>`
      : "") + "</svg>";
  return { frame, open, close };
}

interface AxisSpec {
  min: number;
  max: number;
  /** Axis title with its unit, e.g. "energy (mJ)". */
  label: string;
  ticks?: number[];
  /** Tick label of a value; `digits` significant digits when the axis needs them to tell ticks apart. */
  format?: (v: number, digits: number) => string;
}

/** Axes with ticks and axis titles; returns the SVG and the scales. */
function axes(frame: Frame, x: AxisSpec, y: AxisSpec) {
  const plotW = frame.width - frame.left - frame.right;
  const plotH = frame.height - frame.top - frame.bottom;
  const sx = (v: number) => frame.left + (x.max === x.min ? plotW / 2 : ((v - x.min) / (x.max - x.min)) * plotW);
  const sy = (v: number) => frame.top + plotH - (y.max === y.min ? plotH / 2 : ((v - y.min) / (y.max - y.min)) * plotH);
  const parts: string[] = [];
  const plain = (v: number, digits: number) => String(Number(v.toPrecision(digits)));
  const yTicks = y.ticks ?? ticks(y.min, y.max);
  const yLabels = distinctLabels(yTicks, y.format ?? plain);
  yTicks.forEach((v, k) => {
    parts.push(`<line class="grid" x1="${frame.left}" x2="${frame.left + plotW}" y1="${r2(sy(v))}" y2="${r2(sy(v))}" stroke="#ddd"/>`);
    parts.push(`<text class="tick" x="${frame.left - 6}" y="${r2(sy(v) + 4)}" text-anchor="end">${esc(yLabels[k])}</text>`);
  });
  const xTicks = x.ticks ?? ticks(x.min, x.max);
  const xLabels = distinctLabels(xTicks, x.format ?? plain);
  xTicks.forEach((v, k) => {
    parts.push(`<line x1="${r2(sx(v))}" x2="${r2(sx(v))}" y1="${frame.top + plotH}" y2="${frame.top + plotH + 4}" stroke="#333"/>`);
    parts.push(`<text class="tick" x="${r2(sx(v))}" y="${frame.top + plotH + 17}" text-anchor="middle">${esc(xLabels[k])}</text>`);
  });
  parts.push(`<line x1="${frame.left}" x2="${frame.left + plotW}" y1="${frame.top + plotH}" y2="${frame.top + plotH}" stroke="#333"/>`);
  parts.push(`<line x1="${frame.left}" x2="${frame.left}" y1="${frame.top}" y2="${frame.top + plotH}" stroke="#333"/>`);
  parts.push(`<text class="axis-title x" x="${frame.left + plotW / 2}" y="${frame.top + plotH + 36}" text-anchor="middle" font-size="${LABEL_SIZE}">${esc(x.label)}</text>`);
  parts.push(`<text class="axis-title y" transform="translate(16 ${frame.top + plotH / 2}) rotate(-90)" text-anchor="middle" font-size="${LABEL_SIZE}">${esc(y.label)}</text>`);
  return { svg: parts.join(""), sx, sy, plotW, plotH };
}

const pct = (v: number, digits = 2) => `${Number((100 * v).toPrecision(Math.max(digits, 2)))}`;

/**
 * The accuracy axis of a plot: [0, 1] when `fullScale`, else zoomed to the data: the values' range
 * widened by 8% (at least 2 points) and rounded out to 5-point steps, kept within [0, 1].
 */
export function accuracyRange(values: number[], fullScale = false): { min: number; max: number } {
  const finite = values.filter((v) => Number.isFinite(v));
  if (fullScale || finite.length === 0) return { min: 0, max: 1 };
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const pad = Math.max(0.02, (hi - lo) * 0.08);
  return { min: Math.max(0, Math.floor((lo - pad) * 20) / 20), max: Math.min(1, Math.ceil((hi + pad) * 20) / 20) };
}

/** The accuracy matrix: one cell per (trained i, tested j) that exists; rows after the last completed one are absent. */
export function heatMapSvg(accuracy: number[][], experiences: number, text: Partial<FigureText> = {}): string {
  const cell = Math.max(30, Math.min(64, Math.floor(480 / Math.max(1, experiences))));
  const size = experiences * cell;
  const { frame, open, close } = figure(
    "heatmap",
    { title: text.title ?? "Accuracy matrix", caption: text.caption },
    { left: 96, right: 92, top: 40, bottom: 12 },
    size,
    size,
  );
  const parts = [open];
  const showTicks = (k: number) => experiences <= 12 || k % Math.ceil(experiences / 12) === 0 || k === experiences - 1;
  parts.push(`<text class="axis-title x" x="${frame.left + size / 2}" y="${frame.top - 26}" text-anchor="middle" font-size="${LABEL_SIZE}">test set of experience j</text>`);
  parts.push(`<text class="axis-title y" transform="translate(18 ${frame.top + size / 2}) rotate(-90)" text-anchor="middle" font-size="${LABEL_SIZE}">after training experience i</text>`);
  for (let j = 0; j < experiences; j++) {
    if (showTicks(j)) parts.push(`<text class="tick" x="${frame.left + j * cell + cell / 2}" y="${frame.top - 8}" text-anchor="middle">${j}</text>`);
  }
  for (let i = 0; i < experiences; i++) {
    if (showTicks(i)) parts.push(`<text class="tick" x="${frame.left - 8}" y="${frame.top + i * cell + cell / 2 + 4}" text-anchor="end">${i}</text>`);
    const row = accuracy[i];
    for (let j = 0; j < experiences; j++) {
      const x = frame.left + j * cell;
      const y = frame.top + i * cell;
      if (!row) {
        parts.push(`<rect class="missing" x="${x}" y="${y}" width="${cell - 1}" height="${cell - 1}" fill="#f3f3f3"/>`);
        continue;
      }
      const { fill, text: ink } = heatColour(row[j]);
      const label = (100 * row[j]).toFixed(cell >= 48 ? 1 : 0);
      parts.push(
        `<g><rect class="cell" data-row="${i}" data-col="${j}" data-value="${row[j]}" x="${x}" y="${y}" width="${cell - 1}" height="${cell - 1}" fill="${fill}"><title>after ${i}, test ${j}: ${esc((100 * row[j]).toFixed(2))}%</title></rect>` +
          `<text x="${x + (cell - 1) / 2}" y="${y + cell / 2 + 4}" text-anchor="middle" font-size="${cell >= 48 ? 13 : MIN_TEXT_SIZE}" fill="${ink}">${label}</text></g>`,
      );
    }
  }
  // Colour bar: 0 to 100% as the cells are coloured, with ticks every 25 points.
  const barX = frame.left + size + 24;
  const steps = 50;
  const bar = [`<g class="colorbar">`];
  for (let k = 0; k < steps; k++) {
    const v = (k + 0.5) / steps;
    bar.push(`<rect x="${barX}" y="${r2(frame.top + size - ((k + 1) * size) / steps)}" width="14" height="${r2(size / steps + 0.5)}" fill="${heatColour(v).fill}"/>`);
  }
  bar.push(`<rect x="${barX}" y="${frame.top}" width="14" height="${size}" fill="none" stroke="#333" stroke-width="0.5"/>`);
  for (const v of [0, 0.25, 0.5, 0.75, 1]) {
    const y = frame.top + size - v * size;
    bar.push(`<line x1="${barX + 14}" x2="${barX + 18}" y1="${r2(y)}" y2="${r2(y)}" stroke="#333"/><text class="tick" x="${barX + 21}" y="${r2(y + 4)}">${100 * v}</text>`);
  }
  bar.push(`<text class="axis-title colorbar-title" transform="translate(${barX + 56} ${frame.top + size / 2}) rotate(-90)" text-anchor="middle" font-size="${LABEL_SIZE}">accuracy (%)</text></g>`);
  parts.push(bar.join(""));
  parts.push(close);
  return parts.join("");
}

/** Marker shapes, cycled with the colours so that curves stay apart beyond ten and in grey print. */
const MARKERS = ["circle", "square", "triangle", "diamond", "cross"] as const;

function marker(shape: (typeof MARKERS)[number], x: number, y: number, r: number, colour: string, attributes: string, title: string): string {
  const common = `class="point marker-${shape}" ${attributes} fill="${colour}" stroke="#fff" stroke-width="1"`;
  const t = `<title>${esc(title)}</title>`;
  if (shape === "circle") return `<circle ${common} cx="${r2(x)}" cy="${r2(y)}" r="${r}">${t}</circle>`;
  const points =
    shape === "square"
      ? [[-1, -1], [1, -1], [1, 1], [-1, 1]]
      : shape === "triangle"
        ? [[0, -1.2], [1.1, 0.9], [-1.1, 0.9]]
        : shape === "diamond"
          ? [[0, -1.3], [1.3, 0], [0, 1.3], [-1.3, 0]]
          : [[-1.2, -0.4], [-0.4, -0.4], [-0.4, -1.2], [0.4, -1.2], [0.4, -0.4], [1.2, -0.4], [1.2, 0.4], [0.4, 0.4], [0.4, 1.2], [-0.4, 1.2], [-0.4, 0.4], [-1.2, 0.4]];
  return `<path ${common} d="M${points.map(([px, py]) => `${r2(x + px * r)} ${r2(y + py * r)}`).join(" L")} Z">${t}</path>`;
}

/** Label positions at least `gap` apart, each as near its wanted position as allows (top to bottom). */
export function spreadLabels(wanted: number[], gap: number): number[] {
  const order = wanted.map((y, i) => ({ y, i })).sort((a, b) => a.y - b.y);
  const placed = order.map((o) => o.y);
  for (let k = 1; k < placed.length; k++) placed[k] = Math.max(placed[k], placed[k - 1] + gap);
  // Centre the shifted block on the wanted positions so it does not only grow downwards.
  const shift = (placed.reduce((a, b) => a + b, 0) - order.reduce((a, o) => a + o.y, 0)) / Math.max(1, placed.length);
  const out = new Array<number>(wanted.length);
  order.forEach((o, k) => (out[o.i] = placed[k] - shift));
  return out;
}

export interface CurvesOptions extends Partial<FigureText> {
  /** Accuracy axis from 0 to 100% instead of zoomed to the data. */
  fullScale?: boolean;
}

/**
 * Accuracy on each experience j's test set after training experience i, for i >= j: one curve per
 * experience learnt, each with its own colour and marker and labelled at its end ("e3"), so that ten
 * and more experiences stay apart without a legend to look up.
 */
export function accuracyCurvesSvg(accuracy: number[][], experiences: number, options: CurvesOptions = {}): string {
  const curves = Math.min(accuracy.length, experiences);
  const values = accuracy.flatMap((row, i) => row.slice(0, i + 1));
  const range = accuracyRange(values, options.fullScale);
  const plotW = Math.max(420, Math.min(760, 60 * experiences));
  const { frame, open, close } = figure(
    "curves",
    { title: options.title ?? "Accuracy on each experience as training goes on", caption: options.caption },
    { left: 64, right: 56, top: 8, bottom: 44 },
    plotW,
    260,
  );
  const last = Math.max(0, experiences - 1);
  const tickStep = Math.ceil(experiences / 12);
  const a = axes(
    frame,
    { min: -0.3, max: last + 0.3, label: "after training experience i", ticks: Array.from({ length: experiences }, (_, i) => i).filter((i) => i % tickStep === 0 || i === last), format: (v) => String(v) },
    { min: range.min, max: range.max, label: "accuracy on experience j (%)", format: (v, d) => pct(v, d) },
  );
  const parts = [open, a.svg];
  const ends: Array<{ y: number; x: number; j: number; colour: string }> = [];
  for (let j = 0; j < curves; j++) {
    const colour = CATEGORICAL[j % CATEGORICAL.length];
    const shape = MARKERS[(j + Math.floor(j / CATEGORICAL.length)) % MARKERS.length];
    const points = accuracy.slice(j).map((row, k) => [a.sx(j + k), a.sy(row[j])] as const);
    const d = points.map(([x, y], k) => `${k === 0 ? "M" : "L"}${r2(x)} ${r2(y)}`).join(" ");
    parts.push(`<path class="curve" data-experience="${j}" d="${d}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    ends.push({ x: points[points.length - 1][0], y: points[points.length - 1][1], j, colour });
    for (const [k, [x, y]] of points.entries()) {
      // The newest experience has one point only: drawn larger so another curve's marker cannot hide it.
      const r = points.length === 1 ? 5.5 : 4;
      parts.push(marker(shape, x, y, r, colour, `data-experience="${j}"`, `experience ${j} after ${j + k}: ${(100 * accuracy[j + k][j]).toFixed(2)}%`));
    }
  }
  // Direct labels at the right edge, spread apart where curves end close together.
  const final = ends.filter((e) => Math.abs(e.x - a.sx(accuracy.length - 1)) < 1);
  const ys = spreadLabels(final.map((e) => e.y), 14);
  final.forEach((e, k) => {
    const lx = frame.left + a.plotW + 6;
    parts.push(`<line class="label-leader" x1="${r2(e.x + 5)}" x2="${lx + 2}" y1="${r2(e.y)}" y2="${r2(ys[k])}" stroke="${e.colour}" stroke-width="0.8"/>`);
    parts.push(`<text class="direct-label" data-experience="${e.j}" x="${lx + 4}" y="${r2(ys[k] + 4)}" fill="${e.colour}" font-weight="bold">e${e.j}</text>`);
  });
  parts.push(close);
  return parts.join("");
}

/** Stacked bars of energy per experience: `segments` bottom to top, in joules. */
function stackedEnergyBars<K extends string>(
  cls: string,
  perExperience: Array<Record<K, number>>,
  segments: ReadonlyArray<{ key: K; label: string; colour: string }>,
  text: FigureText,
): string {
  const n = perExperience.length;
  const total = (e: Record<K, number>) => segments.reduce((sum, s) => sum + e[s.key], 0);
  const max = Math.max(...perExperience.map(total), 0);
  const unit = scaledUnit(niceMax(max), "J");
  const { frame, open, close } = figure(cls, text, { left: 72, right: 120, top: 8, bottom: 44 }, Math.max(360, Math.min(640, 48 * n)), 230);
  const a = axes(
    frame,
    { min: -0.5, max: n - 0.5, label: "experience", ticks: Array.from({ length: n }, (_, i) => i).filter((i) => n <= 16 || i % Math.ceil(n / 16) === 0), format: (v) => String(v) },
    { min: 0, max: niceMax(max), label: `energy (${unit.name})`, format: (v, d) => String(Number((v / unit.factor).toPrecision(d))) },
  );
  const out = [open, a.svg];
  const width = Math.max(6, (a.plotW / Math.max(1, n)) * 0.6);
  perExperience.forEach((e, i) => {
    const x = a.sx(i) - width / 2;
    let below = 0;
    const title = segments.map((s) => `${Number((e[s.key] / unit.factor).toPrecision(3))} ${unit.name} ${s.label}`).join(", ");
    const rects = segments.map((s) => {
      const bottom = a.sy(below);
      const top = a.sy(below + e[s.key]);
      below += e[s.key];
      return `<rect class="segment ${s.key}" x="${r2(x)}" y="${r2(top)}" width="${r2(width)}" height="${r2(bottom - top)}" fill="${s.colour}"/>`;
    });
    out.push(`<g class="bar" data-experience="${i}" data-joules="${total(e)}"><title>experience ${i}: ${esc(title)}</title>${rects.join("")}</g>`);
  });
  const lx = frame.width - frame.right + 12;
  segments.forEach((s, k) => {
    out.push(`<rect x="${lx}" y="${frame.top + 18 * k}" width="12" height="12" fill="${s.colour}"/><text x="${lx + 16}" y="${frame.top + 18 * k + 10}">${esc(s.label)}</text>`);
  });
  out.push(close);
  return out.join("");
}

/** Energy of each experience as stacked bars: training below, evaluation on top. */
export function energyBarsSvg(perExperience: Array<{ train: number; eval: number }>, text: Partial<FigureText> = {}): string {
  return stackedEnergyBars(
    "energy",
    perExperience,
    [
      { key: "train", label: "training", colour: CATEGORICAL[0] },
      { key: "eval", label: "evaluation", colour: CATEGORICAL[1] },
    ],
    { title: text.title ?? "Energy per experience", caption: text.caption },
  );
}

/**
 * Energy of each experience split by where it was spent: accelerator arithmetic, memory traffic and the
 * host CPU stacked in that order, one bar per experience.
 */
export function energySplitBarsSvg(perExperience: Array<{ accelerator: number; memory: number; cpu: number }>, text: Partial<FigureText> = {}): string {
  return stackedEnergyBars(
    "energy-split",
    perExperience,
    [
      { key: "accelerator", label: "accelerator", colour: CATEGORICAL[4] },
      { key: "memory", label: "memory", colour: CATEGORICAL[6] },
      { key: "cpu", label: "host CPU", colour: CATEGORICAL[9] },
    ],
    { title: text.title ?? "Energy per experience by where it was spent", caption: text.caption },
  );
}

export interface ScatterPoint {
  x: number;
  y: number;
  label: string;
  run: number;
  /** Standard deviations over seeds, drawn as error bars. */
  xErr?: number;
  yErr?: number;
  /** Only a tooltip, no text beside the point (plots of many runs label the few that matter). */
  unlabelled?: boolean;
}

export interface ScatterAxis {
  /** What the axis shows, without its unit, e.g. "total energy". */
  label: string;
  unit: "J" | "B";
  /** Log scale, when the values span more than a factor of 4. */
  log?: boolean;
  logBase?: 2 | 10;
}

/**
 * A scatter plot of runs: one labelled point each, with error bars where a point is the mean of seeds.
 * The x axis is in one scaled unit (mJ, KiB, ...); on a log scale only when the values span more than a
 * factor of 4, so close values get linear ticks that tell them apart. The accuracy axis is zoomed to
 * the data unless `fullScale`.
 */
export function scatterSvg(
  points: ScatterPoint[],
  x: ScatterAxis,
  cls: string,
  text: FigureText,
  options: {
    fullScale?: boolean;
    /** Indices of the points on a Pareto front, in x order. */
    front?: number[];
    /** Leave off the labels of points off the front that would overlap a label already placed (front first). */
    declutter?: boolean;
  } = {},
): string {
  const { frame, open, close } = figure(`scatter ${cls}`, text, { left: 64, right: 28, top: 8, bottom: 44 }, 520, 260);
  const lows = points.map((p) => p.x - (p.xErr ?? 0));
  const highs = points.map((p) => p.x + (p.xErr ?? 0));
  const spanMin = Math.min(...points.map((p) => p.x));
  const spanMax = Math.max(...points.map((p) => p.x));
  const log = Boolean(x.log) && spanMin > 0 && spanMax / spanMin > 4 && Math.min(...lows) > 0;
  const unit = scaledUnit(spanMax, x.unit);
  const tx = (v: number) => (log ? Math.log10(v) : v);
  let xMin = tx(Math.min(...lows));
  let xMax = tx(Math.max(...highs));
  if (xMin === xMax) {
    xMin -= Math.abs(xMin) * 0.1 || 1;
    xMax += Math.abs(xMax) * 0.1 || 1;
  } else {
    const pad = (xMax - xMin) * 0.1;
    xMin -= pad;
    xMax += pad;
  }
  const logged = log ? logTicks(xMin, xMax, x.logBase ?? 10) : [];
  const xTicks = log && logged.length >= 2 ? logged : ticks(xMin, xMax);
  const yRange = accuracyRange(points.flatMap((p) => [p.y - (p.yErr ?? 0), p.y + (p.yErr ?? 0)]), options.fullScale);
  const a = axes(
    frame,
    { min: xMin, max: xMax, label: `${x.label} (${unit.name}${log ? ", log scale" : ""})`, ticks: xTicks, format: (v, d) => String(Number(((log ? 10 ** v : v) / unit.factor).toPrecision(d))) },
    { min: yRange.min, max: yRange.max, label: "average accuracy (%)", format: (v, d) => pct(v, d) },
  );
  const parts = [open, a.svg];
  const front = options.front ?? [];
  if (front.length) {
    // The Pareto front as a staircase through its points, ordered by x: what no run beats on both axes.
    const steps = front.map((i) => [r2(a.sx(tx(points[i].x))), r2(a.sy(points[i].y))]);
    const d = steps.map(([px, py], k) => (k === 0 ? `M${px},${py}` : `H${px}V${py}`)).join("");
    parts.push(`<path class="front" d="${d}" fill="none" stroke="#444" stroke-width="1.5" stroke-dasharray="4 3"/>`);
  }
  const onFront = new Set(front);
  const labelsAt = new Map<string, number>();
  const hidden = new Set<number>();
  /** Baseline offset of a label from its point: above it, or below where above is taken. */
  const labelDy = new Map<number, number>();
  if (options.declutter) {
    // Label boxes estimated from the text's length, front first, then the rest in order: a label goes
    // above its point, else below it; a front label that fits neither goes above, any other is left off.
    const placed: Array<[number, number, number, number]> = [];
    const order = [...front, ...points.map((_, i) => i).filter((i) => !onFront.has(i))];
    for (const i of order) {
      const cx = a.sx(tx(points[i].x));
      const cy = a.sy(points[i].y);
      const w = points[i].label.length * TICK_SIZE * 0.6;
      const right = cx > frame.left + a.plotW * 0.6;
      const box = (dy: number): [number, number, number, number] => [right ? cx - 8 - w : cx + 8, cy + dy - TICK_SIZE, right ? cx - 8 : cx + 8 + w, cy + dy + 2];
      const free = (b: [number, number, number, number]) => !placed.some((o) => b[0] < o[2] && o[0] < b[2] && b[1] < o[3] && o[1] < b[3]);
      const dy = [-8, 18].find((d) => free(box(d)));
      if (dy === undefined && !onFront.has(i)) {
        hidden.add(i);
        continue;
      }
      labelDy.set(i, dy ?? -8);
      placed.push(box(dy ?? -8));
    }
  }
  points.forEach((p, index) => {
    const colour = CATEGORICAL[p.run % CATEGORICAL.length];
    const cx = r2(a.sx(tx(p.x)));
    const cy = r2(a.sy(p.y));
    const bars: string[] = [];
    if (p.yErr) {
      const [y0, y1] = [a.sy(p.y - p.yErr), a.sy(p.y + p.yErr)];
      bars.push(`<path class="errorbar y" d="M${cx} ${r2(y0)} L${cx} ${r2(y1)} M${cx - 4} ${r2(y0)} L${cx + 4} ${r2(y0)} M${cx - 4} ${r2(y1)} L${cx + 4} ${r2(y1)}" stroke="${colour}" stroke-width="1.5" fill="none"/>`);
    }
    if (p.xErr) {
      const [x0, x1] = [a.sx(tx(p.x - p.xErr)), a.sx(tx(p.x + p.xErr))];
      bars.push(`<path class="errorbar x" d="M${r2(x0)} ${cy} L${r2(x1)} ${cy} M${r2(x0)} ${cy - 4} L${r2(x0)} ${cy + 4} M${r2(x1)} ${cy - 4} L${r2(x1)} ${cy + 4}" stroke="${colour}" stroke-width="1.5" fill="none"/>`);
    }
    // Labels near the right edge go to the left of their point, so they stay inside the plot.
    const right = cx > frame.left + a.plotW * 0.6;
    // Runs at the same place get their labels stacked below one another.
    const key = `${Math.round(cx / 8)},${Math.round(cy / 8)}`;
    const stacked = labelsAt.get(key) ?? 0;
    if (!p.unlabelled) labelsAt.set(key, stacked + 1);
    const ly = options.declutter ? cy + (labelDy.get(index) ?? -8) : cy - 8 + 14 * stacked + (stacked > 0 ? 10 : 0);
    const value = `${(100 * p.y).toFixed(2)}%${p.yErr ? ` ± ${(100 * p.yErr).toFixed(2)}` : ""}, ${Number((p.x / unit.factor).toPrecision(4))} ${unit.name}`;
    const ring = onFront.has(index) ? ' stroke="#000" stroke-width="1.5"' : "";
    const label = p.unlabelled || hidden.has(index) ? "" : `<text class="point-label" x="${right ? cx - 8 : cx + 8}" y="${ly}" text-anchor="${right ? "end" : "start"}">${esc(p.label)}</text>`;
    parts.push(
      `<g class="point${onFront.has(index) ? " on-front" : ""}" data-run="${p.run}">${bars.join("")}<circle cx="${cx}" cy="${cy}" r="5" fill="${colour}"${ring}><title>${esc(p.label)}: ${esc(value)}</title></circle>${label}</g>`,
    );
  });
  parts.push(close);
  return parts.join("");
}

/**
 * A grid of shares (0..1) with labelled rows and one column per experience: each cell coloured on the
 * viridis scale of the accuracy matrix and printed in %, empty (grey) where a row has no figure.
 */
export function shareGridSvg(rows: string[], experiences: number, values: Array<Array<number | null>>, scaleTitle: string, text: Partial<FigureText> = {}): string {
  const cell = Math.max(40, Math.min(64, Math.floor(480 / Math.max(1, experiences))));
  const rowH = 24;
  const labelW = Math.max(60, ...rows.map((r) => r.length * TICK_SIZE * 0.6 + 12));
  const { frame, open, close } = figure(
    "share-grid",
    { title: text.title ?? "Shares", caption: text.caption },
    { left: Math.ceil(labelW) + 28, right: 92, top: 40, bottom: 12 },
    experiences * cell,
    rows.length * rowH,
  );
  const width = experiences * cell, height = rows.length * rowH;
  const parts = [open];
  parts.push(`<text class="axis-title x" x="${frame.left + width / 2}" y="${frame.top - 26}" text-anchor="middle" font-size="${LABEL_SIZE}">experience (training)</text>`);
  parts.push(`<text class="axis-title y" transform="translate(16 ${frame.top + height / 2}) rotate(-90)" text-anchor="middle" font-size="${LABEL_SIZE}">layer.role (format)</text>`);
  for (let j = 0; j < experiences; j++) parts.push(`<text class="tick" x="${frame.left + j * cell + cell / 2}" y="${frame.top - 8}" text-anchor="middle">${j}</text>`);
  rows.forEach((label, i) => {
    const y = frame.top + i * rowH;
    parts.push(`<text class="tick" x="${frame.left - 8}" y="${y + rowH / 2 + 4}" text-anchor="end">${esc(label)}</text>`);
    for (let j = 0; j < experiences; j++) {
      const x = frame.left + j * cell;
      const v = values[i]?.[j] ?? null;
      if (v === null) {
        parts.push(`<rect class="missing" x="${x}" y="${y}" width="${cell - 1}" height="${rowH - 1}" fill="#f3f3f3"/>`);
        continue;
      }
      const { fill, text: ink } = heatColour(v);
      parts.push(
        `<g><rect class="cell" data-row="${i}" data-col="${j}" data-value="${v}" x="${x}" y="${y}" width="${cell - 1}" height="${rowH - 1}" fill="${fill}"><title>${esc(label)}, experience ${j}: ${esc(pct(v, 3))}%</title></rect>` +
          `<text x="${x + (cell - 1) / 2}" y="${y + rowH / 2 + 4}" text-anchor="middle" font-size="${MIN_TEXT_SIZE}" fill="${ink}">${esc(pct(v, 2))}</text></g>`,
      );
    }
  });
  const barX = frame.left + width + 24;
  const bar = [`<g class="colorbar">`];
  const steps = 50;
  for (let k = 0; k < steps; k++) {
    bar.push(`<rect x="${barX}" y="${r2(frame.top + height - ((k + 1) * height) / steps)}" width="14" height="${r2(height / steps + 0.5)}" fill="${heatColour((k + 0.5) / steps).fill}"/>`);
  }
  bar.push(`<rect x="${barX}" y="${frame.top}" width="14" height="${height}" fill="none" stroke="#333" stroke-width="0.5"/>`);
  for (const v of [0, 0.5, 1]) {
    const y = frame.top + height - v * height;
    bar.push(`<line x1="${barX + 14}" x2="${barX + 18}" y1="${r2(y)}" y2="${r2(y)}" stroke="#333"/><text class="tick" x="${barX + 21}" y="${r2(y + 4)}">${100 * v}</text>`);
  }
  bar.push(`<text class="axis-title colorbar-title" transform="translate(${barX + 56} ${frame.top + height / 2}) rotate(-90)" text-anchor="middle" font-size="${LABEL_SIZE}">${esc(scaleTitle)}</text></g>`);
  parts.push(bar.join(""));
  parts.push(close);
  return parts.join("");
}

/** A stretch of training steps [from, to) in which a row ran in one format. */
export interface TimelineSegment {
  from: number;
  to: number;
  format: string;
  rounding: string;
}

export interface TimelineRow {
  /** e.g. "layer 0 · weight" or "all layers · acc". */
  label: string;
  layer: number | "all";
  role: string;
  segments: TimelineSegment[];
}

/**
 * Which format each row (a layer and role) ran in over the training steps: one bar per row, a
 * coloured segment per format (the legend lists formats from the narrowest), a tick at every switch
 * and a dashed line where each experience starts.
 */
export function timelineSvg(rows: TimelineRow[], experienceStarts: number[], totalSteps: number, formats: string[], text: FigureText): string {
  const rowH = 24;
  const labelW = Math.max(80, ...rows.map((r) => r.label.length * TICK_SIZE * 0.6 + 12));
  const legendW = Math.max(90, ...formats.map((f) => f.length * TICK_SIZE * 0.6 + 32));
  const plotW = 560;
  const plotH = rows.length * rowH;
  const { frame, open, close } = figure("timeline", text, { left: Math.ceil(labelW) + 28, right: Math.ceil(legendW), top: 22, bottom: 44 }, plotW, plotH);
  const sx = (step: number) => frame.left + (totalSteps > 0 ? (step / totalSteps) * plotW : 0);
  const colour = (format: string) => CATEGORICAL[Math.max(0, formats.indexOf(format)) % CATEGORICAL.length];
  const parts = [open];
  const xTicks = ticks(0, totalSteps).filter((v) => Number.isInteger(v));
  for (const v of xTicks) {
    parts.push(`<line x1="${r2(sx(v))}" x2="${r2(sx(v))}" y1="${frame.top + plotH}" y2="${frame.top + plotH + 4}" stroke="#333"/>`);
    parts.push(`<text class="tick" x="${r2(sx(v))}" y="${frame.top + plotH + 17}" text-anchor="middle">${v}</text>`);
  }
  parts.push(`<line x1="${frame.left}" x2="${frame.left + plotW}" y1="${frame.top + plotH}" y2="${frame.top + plotH}" stroke="#333"/>`);
  parts.push(`<text class="axis-title x" x="${frame.left + plotW / 2}" y="${frame.top + plotH + 36}" text-anchor="middle" font-size="${LABEL_SIZE}">training step (counted over the run)</text>`);
  // Above the row labels rather than turned along them: a few rows are shorter than the title.
  parts.push(`<text class="axis-title y" x="${frame.left - 8}" y="${frame.top - 8}" text-anchor="end" font-size="${LABEL_SIZE}">layer · role</text>`);
  rows.forEach((row, i) => {
    const y = frame.top + i * rowH;
    parts.push(`<text class="tick" x="${frame.left - 8}" y="${y + rowH / 2 + 4}" text-anchor="end">${esc(row.label)}</text>`);
    const out = [`<g class="timeline-row" data-layer="${row.layer}" data-role="${esc(row.role)}">`];
    row.segments.forEach((s, k) => {
      const x0 = sx(s.from);
      const w = Math.max(0.5, sx(s.to) - x0);
      out.push(
        `<rect class="segment" data-from="${s.from}" data-to="${s.to}" data-format="${esc(s.format)}" data-rounding="${esc(s.rounding)}" x="${r2(x0)}" y="${y + 3}" width="${r2(w)}" height="${rowH - 6}" fill="${colour(s.format)}"><title>${esc(row.label)}: ${esc(s.format)}:${esc(s.rounding)}, steps ${s.from} to ${s.to - 1}</title></rect>`,
      );
      // A format's name where its stretch is wide enough to hold it.
      if (w > s.format.length * MIN_TEXT_SIZE * 0.62 + 6) {
        out.push(`<text x="${r2(x0 + w / 2)}" y="${y + rowH / 2 + 4}" text-anchor="middle" font-size="${MIN_TEXT_SIZE}" fill="#fff">${esc(s.format)}</text>`);
      }
      if (k > 0) out.push(`<line class="switch" data-step="${s.from}" x1="${r2(x0)}" x2="${r2(x0)}" y1="${y}" y2="${y + rowH}" stroke="#000" stroke-width="1"/>`);
    });
    out.push("</g>");
    parts.push(out.join(""));
  });
  experienceStarts.forEach((start, j) => {
    parts.push(
      `<line class="experience-start" data-experience="${j}" x1="${r2(sx(start))}" x2="${r2(sx(start))}" y1="${frame.top - 4}" y2="${frame.top + plotH}" stroke="#555" stroke-dasharray="3 3"/>` +
        `<text class="tick" x="${r2(sx(start) + 3)}" y="${frame.top - 8}">e${j}</text>`,
    );
  });
  const lx = frame.left + plotW + 16;
  formats.forEach((f, k) => {
    parts.push(`<g class="legend" data-format="${esc(f)}"><rect x="${lx}" y="${frame.top + 18 * k}" width="12" height="12" fill="${colour(f)}"/><text x="${lx + 16}" y="${frame.top + 18 * k + 10}">${esc(f)}</text></g>`);
  });
  parts.push(close);
  return parts.join("");
}
