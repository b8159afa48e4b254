// The text a training run prints, rendered from its JSON report alone (so any saved report re-renders).
import type { TrainReport } from "./run.js";
import { real } from "../report/units.js";

const BARS = "▁▂▃▄▅▆▇█";

/** One bar per value, scaled between the smallest and largest. */
export function sparkline(values: readonly number[]): string {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return "";
  const low = Math.min(...finite);
  const high = Math.max(...finite);
  return values
    .map((v) => (Number.isFinite(v) ? BARS[high > low ? Math.round(((v - low) / (high - low)) * (BARS.length - 1)) : 0] : "?"))
    .join("");
}

const percent = (x: number) => `${(100 * x).toFixed(2)}%`;
const grouped = (n: number) => Math.round(n).toLocaleString("en-US");

/** 1.23 G, 456.7 M, ... */
export function siCount(n: number): string {
  const units: Array<[number, string]> = [[1e12, "T"], [1e9, "G"], [1e6, "M"], [1e3, "k"]];
  for (const [size, unit] of units) if (Math.abs(n) >= size) return `${(n / size).toFixed(2)} ${unit}`;
  return String(n);
}

export function bytesText(n: number): string {
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(2)} MiB (${grouped(n)} B)`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB (${grouped(n)} B)`;
  return `${grouped(n)} B`;
}

export function renderTrainReport(report: TrainReport): string {
  const c = report.config;
  const p = c.precision;
  const lines: string[] = [];
  lines.push(`data:      ${c.dataset}: ${grouped(c.trainSamples)} train / ${grouped(c.testSamples)} test samples of [${c.inputShape.join(", ")}], ${c.classes} classes (${c.source})`);
  lines.push(`model:     ${c.model}: ${c.layers.map((l) => l.layer).join(" -> ")} (${grouped(c.params)} parameters)`);
  lines.push(`precision: ${c.precisionShort} (gemm ${c.gemm})`);
  lines.push(`           ${c.precisionText}`);
  const opt = c.optimizer;
  const optText = opt.name === "adam"
    ? `adam lr ${opt.lr} betas ${opt.beta1}/${opt.beta2} eps ${opt.epsilon}`
    : `sgd lr ${opt.lr} momentum ${opt.momentum}`;
  lines.push(`training:  ${optText}${opt.weightDecay ? ` weight decay ${opt.weightDecay}` : ""}, batch ${c.batch}, ${c.epochs} epochs, seed ${c.seed}, ${c.simd ? "SIMD" : "scalar"} module`);
  lines.push("");
  lines.push("epoch  train loss  train acc");
  report.loss.forEach((loss, i) => {
    lines.push(`${String(i + 1).padStart(5)}  ${real(loss).padStart(10)}  ${percent(report.trainAccuracy[i]).padStart(9)}`);
  });
  lines.push(`loss curve: ${sparkline(report.loss)}`);
  lines.push("");
  lines.push(`test accuracy: ${percent(report.testAccuracy)} (test loss ${real(report.testLoss)})`);
  lines.push("");
  lines.push(`MACs by format (operand x operand -> accumulator${p.gemm === "exact" && !p.fma ? `, products in ${p.mul.format}` : ""}, gemm ${p.gemm}):`);
  const width = Math.max(...Object.keys(report.macs).map((k) => k.length), 0);
  for (const [label, macs] of Object.entries(report.macs)) lines.push(`  ${label.padEnd(width)}  ${siCount(macs)}`);
  lines.push("");
  const m = report.memory;
  lines.push("device memory:");
  lines.push(`  model (weights in ${p.weight.format}):  ${bytesText(m.modelBytes)}`);
  if (m.masterBytes) lines.push(`  master copy (${p.master?.format}):  ${bytesText(m.masterBytes)}`);
  lines.push(`  optimizer state (${p.optimizer.format}):  ${bytesText(m.optimizerBytes)}`);
  lines.push(`  gradients:  ${bytesText(m.gradientBytes)}`);
  lines.push(`  activations and scratch:  ${bytesText(m.workBytes)}`);
  lines.push(`  peak linear memory:  ${bytesText(m.peakLinearMemoryBytes)}`);
  const s = report.lossScaling;
  if (s.kind !== "none") lines.push(`loss scaling: ${s.kind}, final scale ${s.finalScale}, ${s.skippedSteps} of ${s.steps + s.skippedSteps} steps skipped for overflow`);
  lines.push(`numerics: ${percent(report.numerics.errorFlushFraction)} of nonzero errors flushed to zero, ${percent(report.numerics.gradientZeroFraction)} of gradient values zero`);
  lines.push(`host wall time: ${report.timing.trainSeconds.toFixed(1)} s training (${report.timing.trainSamplesPerSecond.toFixed(0)} samples/s), ${report.timing.evalSeconds.toFixed(1)} s evaluation`);
  return lines.join("\n");
}
