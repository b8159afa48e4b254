// The terminal summary of a report: status, the accuracy matrix as a table, metrics, MACs, memory,
// energy and per-experience telemetry. Plain text, no colour, so it reads the same in a pipe.
import { shortValue } from "./config-text.js";
import { energyRatio } from "./energy.js";
import { CPU_FALLBACK_REASONS, type EnergyBreakdown, type Report, type ReportAccelerator } from "./types.js";
import { bytes, count, duration, experienceCells, joules, percent, points, real } from "./units.js";

function table(header: string[], rows: string[][], alignLeft = 1): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < alignLeft ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ").trimEnd();
  return [line(header), ...rows.map(line)];
}

/** The config entries people look for first, in this order, then the rest. */
const CONFIG_FIRST = ["benchmark", "scenario", "strategy", "precision", "model", "seed", "board", "experiences", "iterations", "batch"];

function configLine(config: Record<string, unknown>): string {
  const keys = [...CONFIG_FIRST.filter((k) => k in config), ...Object.keys(config).filter((k) => !CONFIG_FIRST.includes(k)).sort()];
  const shown = keys
    .map((k) => [k, config[k]] as const)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `${k}=${shortValue(v)}`);
  return shown.join(" ");
}

export function statusLine(report: Report): string {
  const s = report.status;
  if (s.complete) return `complete: ${s.experiencesCompleted} of ${s.experiencesPlanned} experiences`;
  const lost = s.lost ? `; experience ${s.lost.experience} was lost (${s.lost.request}): ${s.lost.reason}` : "";
  return `INCOMPLETE: ${s.experiencesCompleted} of ${s.experiencesPlanned} experiences${lost}`;
}

/** "accelerator 1.2 mJ (20%), memory 4.5 mJ (75%), cpu 0.3 mJ (5%)": where the energy went. */
export function energySplit(b: EnergyBreakdown, totalJ: number): string {
  const share = (j: number) => (totalJ > 0 ? ` (${percent(j / totalJ, 1)})` : "");
  return `accelerator ${joules(b.accelerator)}${share(b.accelerator)}, memory ${joules(b.memory)}${share(b.memory)}, cpu ${joules(b.cpu)}${share(b.cpu)}`;
}

/** Jobs, cycles, MACs, utilisation of the array and the jobs that fell back to the CPU, with their reasons. */
function acceleratorLine(a: ReportAccelerator): string {
  const parts = [`${a.jobs} jobs`, `${count(a.cycles)} cycles`];
  if (a.macs !== undefined) parts.push(`${count(a.macs)} MACs`);
  if (a.utilisation !== undefined) parts.push(`utilisation ${percent(a.utilisation, 1)}${a.units ? ` of ${a.units} MAC units` : ""}`);
  if (a.cpuFallbacks !== undefined) {
    const reasons = a.cpuFallbacksByReason ? CPU_FALLBACK_REASONS.filter((r) => a.cpuFallbacksByReason![r] > 0).map((r) => `${r} ${a.cpuFallbacksByReason![r]}`) : [];
    parts.push(`${a.cpuFallbacks} CPU fallbacks${reasons.length ? ` (${reasons.join(", ")})` : ""}`);
  }
  return parts.join(", ");
}

/**
 * Energy of several runs side by side, each over the first complete run's (e.g. fp8-mixed over fp32 for
 * the same experiment): empty when fewer than two complete runs reported energy. Unfinished runs are left
 * out, as a comparison of totals over different work would mislead.
 */
export function renderEnergyComparison(runs: Array<{ label: string; report: Report }>): string {
  const withEnergy = runs.filter((r) => r.report.status.complete && r.report.energy !== undefined);
  if (withEnergy.length < 2) return "";
  const reference = withEnergy[0];
  const rows = withEnergy.map(({ label, report }) => {
    const ratio = energyRatio(report, reference.report);
    return [label, joules(report.energy!.totalJ), ratio === null ? "–" : `${ratio.toFixed(3)}x`];
  });
  // The split, when a run has one, follows its row (left-aligned text, not a column of numbers).
  const lines = table(["run", "energy", `vs ${reference.label}`], rows).map((line, i) => {
    const b = i > 0 ? withEnergy[i - 1].report.energy!.breakdown : undefined;
    return `  ${line}${b ? `   ${energySplit(b, withEnergy[i - 1].report.energy!.totalJ)}` : ""}`;
  });
  return `${["energy of complete runs, relative to the first:", ...lines].join("\n")}\n`;
}

export function renderSummary(report: Report): string {
  const out: string[] = [];
  const T = report.status.experiencesPlanned;
  out.push(`edgecl run ${configLine(report.config)}`.trimEnd());
  if (report.board) {
    out.push(`board ${report.board.id} (${report.board.runtime}, ${bytes(report.board.memoryLimitBytes)} linear memory, ${report.board.accelerator ? "accelerator" : "no accelerator"})`);
  }
  out.push(`status: ${statusLine(report)}`);
  out.push("");

  out.push("accuracy (%): row = after training experience i, column = test set of experience j");
  const header = ["", ...Array.from({ length: T }, (_, j) => `exp ${j}`)];
  const rows = report.accuracy.map((row, i) => [`after ${i}`, ...row.map((v) => (100 * v).toFixed(2))]);
  if (report.untrained) rows.unshift(["untrained", ...report.untrained.map((v) => (100 * v).toFixed(2))]);
  if (rows.length) out.push(...table(header, rows).map((l) => `  ${l}`));
  if (report.accuracy.length === 0) out.push("  (no experience completed)");
  out.push("");

  const m = report.metrics;
  out.push(`average accuracy ${percent(m.avgAccuracy)}   BWT ${points(m.bwt)}   FWT ${points(m.fwt)}   forgetting ${points(m.forgetting)}`);
  const macs = Object.entries(report.macs);
  out.push(`MACs: ${macs.length ? macs.map(([f, n]) => `${f} ${count(n)}`).join(", ") : "none reported"}`);
  const mem = report.memory;
  const limit = mem.linearMemoryLimitBytes ? ` of ${bytes(mem.linearMemoryLimitBytes)}` : "";
  out.push(`memory: model ${bytes(mem.modelBytes)}, replay ${mem.replayBytes === null ? "none" : bytes(mem.replayBytes)}, peak linear memory ${bytes(mem.peakLinearMemoryBytes)}${limit}`);
  if (report.modelChecksum !== undefined) out.push(`model checksum: ${report.modelChecksum} (CRC-32 of the stored weights, computed on the device)`);
  if (report.energy) {
    out.push(`energy: ${joules(report.energy.totalJ)} in all; per experience ${report.energy.perExperienceJ.map((e) => joules(e)).join(", ")}`);
    const b = report.energy.breakdown;
    if (b) out.push(`  ${energySplit(b, report.energy.totalJ)}`);
    if (report.energy.source) out.push(`  per-operation figures: ${report.energy.source}`);
  } else {
    out.push("energy: not reported by the board");
  }
  if (report.accelerator) out.push(`accelerator: ${acceleratorLine(report.accelerator)}`);
  if (report.telemetry.length) {
    out.push("");
    out.push("per experience:");
    const telemetryRows = report.telemetry.map(experienceCells).map((c) => [
      c.experience, c.steps, c.meanLoss, c.trainTime, c.trainMacs, c.trainEnergy, c.evalTime, c.evalEnergy, c.peakMemory,
    ]);
    out.push(...table(["exp", "steps", "mean loss", "train time", "train MACs", "train energy", "eval time", "eval energy", "peak memory"], telemetryRows).map((l) => `  ${l}`));
    out.push("  times: the board's clock over its commands (on sim, the host's wall clock); energy: the board's model (docs/energy.md)");
  }
  return `${out.join("\n")}\n`;
}
