// How reports print numbers: percentages, bytes, joules, counts. One place, so the terminal, CSV
// headers and HTML agree.
import type { ExperienceTelemetry } from "./types.js";

export function percent(fraction: number | null | undefined, digits = 2): string {
  return fraction === null || fraction === undefined ? "–" : `${(100 * fraction).toFixed(digits)}%`;
}

/** A difference of accuracies in percentage points, signed. */
export function points(delta: number | null | undefined, digits = 2): string {
  if (delta === null || delta === undefined) return "–";
  const value = 100 * delta;
  return `${value >= 0 ? "+" : "−"}${Math.abs(value).toFixed(digits)} pt`;
}

export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return "–";
  if (n < 1024) return `${n} B`;
  if (n < 1 << 20) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1 << 20)).toFixed(2)} MiB`;
}

const SI = [
  { factor: 1, prefix: "" },
  { factor: 1e-3, prefix: "m" },
  { factor: 1e-6, prefix: "µ" },
  { factor: 1e-9, prefix: "n" },
  { factor: 1e-12, prefix: "p" },
];

/** A value with an SI prefix, e.g. joules(0.00123) = "1.23 mJ". */
export function si(value: number | null | undefined, unit: string, digits = 3): string {
  if (value === null || value === undefined) return "–";
  if (value === 0) return `0 ${unit}`;
  const scale = SI.find((s) => Math.abs(value) >= s.factor) ?? SI[SI.length - 1];
  return `${Number((value / scale.factor).toPrecision(digits))} ${scale.prefix}${unit}`;
}

export const joules = (value: number | null | undefined) => si(value, "J");

/** Large counts in engineering form: 1234567 -> "1.23 M". */
export function count(n: number | null | undefined): string {
  if (n === null || n === undefined) return "–";
  const units = [
    { factor: 1e12, suffix: " T" },
    { factor: 1e9, suffix: " G" },
    { factor: 1e6, suffix: " M" },
    { factor: 1e3, suffix: " k" },
  ];
  const unit = units.find((u) => Math.abs(n) >= u.factor);
  return unit ? `${Number((n / unit.factor).toPrecision(3))}${unit.suffix}` : String(Math.round(n));
}

/** Microseconds as a duration: "850 µs", "12.3 ms", "4.56 s". */
export function duration(us: number | null | undefined): string {
  if (us === null || us === undefined) return "–";
  if (us < 1000) return `${Math.round(us)} µs`;
  if (us < 1e6) return `${Number((us / 1000).toPrecision(3))} ms`;
  return `${Number((us / 1e6).toPrecision(3))} s`;
}

/**
 * A real number with `digits` decimals, or in scientific notation when fixed would print (almost)
 * nothing but zeros: 0.1273 -> "0.1273", 4.9e-6 -> "4.90e-6". Zero stays "0".
 */
export function real(value: number | null | undefined, digits = 4): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  if (value === 0) return "0";
  if (Math.abs(value) < 10 ** -(digits - 1) || Math.abs(value) >= 1e6) return value.toExponential(2).replace("e+", "e");
  return value.toFixed(digits);
}

/** One experience's telemetry, each value formatted as every table shows it (terminal and HTML pick their columns). */
export function experienceCells(t: ExperienceTelemetry) {
  return {
    experience: String(t.experience),
    steps: String(t.train.iterations),
    meanLoss: real(t.train.meanLoss),
    lastLoss: real(t.train.lastLoss),
    trainTime: duration(t.train.timeUs),
    trainMacs: count(t.train.macs),
    trainEnergy: joules(t.train.energyJ),
    evalTime: duration(t.eval.timeUs),
    evalEnergy: joules(t.eval.energyJ),
    peakMemory: bytes(Math.max(t.train.memoryPeakBytes, t.eval.memoryPeakBytes)),
  };
}
