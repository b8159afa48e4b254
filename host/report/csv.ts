// CSV of one or more reports (RFC 4180): one row per trained experience, with that experience's
// telemetry and its row of the accuracy matrix (acc_0 .. acc_{T-1}), so a spreadsheet or pandas can
// plot any of it. Numbers are written in full (no units, no rounding); a missing value is empty.
import type { Report } from "./types.js";

/** One CSV field: quoted when it holds a comma, quote or line break; empty for a missing value. */
export function field(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = typeof value === "number" ? (Number.isFinite(value) ? String(value) : "") : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const COLUMNS = [
  "run",
  "experience",
  "complete",
  "iterations",
  "train_mean_loss",
  "train_last_loss",
  "train_time_us",
  "train_macs",
  "train_energy_j",
  "eval_time_us",
  "eval_macs",
  "eval_energy_j",
  "accel_jobs",
  "accel_cycles",
  "memory_peak_bytes",
  "model_bytes",
  "replay_bytes",
  "avg_accuracy_so_far",
] as const;

/** `runs`: each report with the label of its `run` column (e.g. its file name). */
export function renderCsv(runs: Array<{ label: string; report: Report }>): string {
  const T = Math.max(1, ...runs.map((r) => r.report.status.experiencesPlanned));
  const header = [...COLUMNS, ...Array.from({ length: T }, (_, j) => `acc_${j}`)];
  const lines = [header.join(",")];
  for (const { label, report } of runs) {
    report.accuracy.forEach((row, i) => {
      const t = report.telemetry.find((entry) => entry.experience === i);
      const seen = row.slice(0, i + 1);
      const values: unknown[] = [
        label,
        i,
        report.status.complete,
        t?.train.iterations,
        t?.train.meanLoss,
        t?.train.lastLoss,
        t?.train.timeUs,
        t?.train.macs,
        t?.train.energyJ,
        t?.eval.timeUs,
        t?.eval.macs,
        t?.eval.energyJ,
        t ? t.train.accelJobs + t.eval.accelJobs : undefined,
        t ? t.train.cycles + t.eval.cycles : undefined,
        t ? Math.max(t.train.memoryPeakBytes, t.eval.memoryPeakBytes) : undefined,
        report.memory.modelBytes,
        report.memory.replayBytes,
        seen.reduce((a, b) => a + b, 0) / seen.length,
        ...Array.from({ length: T }, (_, j) => row[j]),
      ];
      lines.push(values.map(field).join(","));
    });
  }
  return `${lines.join("\r\n")}\r\n`;
}
