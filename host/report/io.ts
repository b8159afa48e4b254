// Reading and writing report files. A report read back is checked against the schema of
// docs/report.md; a wrong or missing key is named with the file and its path in the JSON.
import { accessSync, constants, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { RunError, UsageError } from "../errors.js";
import { REPORT_SCHEMA, REPORT_VERSION, type Report } from "./types.js";

/**
 * Writes a file whole: a temporary file in the same folder, then a rename over the name, so a reader
 * (or a run killed mid-write) sees the old text or the new, never a part.
 */
export function writeAtomic(path: string, text: string | Uint8Array): void {
  const temporary = `${path}.${process.pid}.${Date.now().toString(36)}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

/** Writes an output file whole (writeAtomic), creating its folder; a failure names the file and what it is. */
export function writeOutput(path: string, content: string | Uint8Array, what: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeAtomic(path, content);
  } catch (error) {
    throw new RunError(`cannot write the ${what} to ${path}: ${(error as Error).message}`);
  }
}

/**
 * Checks, before any work starts, that `path` (given by `flag`) can be written: not a folder, and its
 * folder either exists as a writable folder or can be created (no part of it is a file). Creates nothing.
 */
export function checkOutputPath(path: string, flag: string): void {
  const full = resolve(path);
  if (existsSync(full) && statSync(full).isDirectory()) throw new UsageError(`expected ${flag} to name a file, received the folder ${path}`);
  let dir = dirname(full);
  while (!existsSync(dir)) dir = dirname(dir);
  if (!statSync(dir).isDirectory()) throw new UsageError(`expected ${flag} ${path} under a folder, received a path through the file ${dir}`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new UsageError(`expected ${flag} ${path} in a folder this user can write, received ${dir} (not writable)`);
  }
}

/** Writes a report as indented JSON (creating the folder), whole. */
export function writeReport(path: string, report: Report): void {
  writeOutput(path, `${JSON.stringify(report, null, 2)}\n`, "JSON report");
}

class Checker {
  constructor(private readonly file: string) {}

  fail(path: string, what: string, value: unknown): never {
    const shown = value === undefined ? "nothing" : JSON.stringify(value)?.slice(0, 80);
    throw new UsageError(`${this.file}: key "${path}": expected ${what}, received ${shown}`);
  }

  object(value: unknown, path: string): Record<string, unknown> {
    if (value === null || typeof value !== "object" || Array.isArray(value)) this.fail(path, "an object", value);
    return value as Record<string, unknown>;
  }

  number(value: unknown, path: string, options: { min?: number; max?: number; nullable?: boolean } = {}): void {
    if (value === null && options.nullable) return;
    const { min, max } = options;
    const range = min !== undefined && max !== undefined ? ` in [${min}, ${max}]` : min !== undefined ? ` >= ${min}` : max !== undefined ? ` <= ${max}` : "";
    const what = `a number${range}${options.nullable ? " or null" : ""}`;
    if (typeof value !== "number" || !Number.isFinite(value)) this.fail(path, what, value);
    const v = value as number;
    if ((options.min !== undefined && v < options.min) || (options.max !== undefined && v > options.max)) this.fail(path, what, value);
  }

  array(value: unknown, path: string): unknown[] {
    if (!Array.isArray(value)) this.fail(path, "a list", value);
    return value as unknown[];
  }

  numberMap(value: unknown, path: string): void {
    for (const [key, n] of Object.entries(this.object(value, path))) this.number(n, `${path}.${key}`, { min: 0 });
  }

  /** A CRC-32 as 8 lower-case hex digits. */
  checksum(value: unknown, path: string): void {
    if (typeof value !== "string" || !/^[0-9a-f]{8}$/.test(value)) this.fail(path, "a CRC-32 as 8 lower-case hex digits", value);
  }

  /** Joules by part: accelerator, memory and cpu, each a number >= 0. */
  breakdown(value: unknown, path: string): void {
    const b = this.object(value, path);
    for (const key of ["accelerator", "memory", "cpu"]) this.number(b[key], `${path}.${key}`, { min: 0 });
  }
}

/** Checks that `data` is a report (docs/report.md); throws a UsageError naming the file and key. */
export function checkReport(data: unknown, file = "report"): Report {
  const c = new Checker(file);
  const r = c.object(data, "(top level)");
  if (r.schema !== REPORT_SCHEMA) c.fail("schema", `"${REPORT_SCHEMA}" (an edgecl run report)`, r.schema);
  if (r.version !== REPORT_VERSION) c.fail("version", `${REPORT_VERSION}`, r.version);
  const status = c.object(r.status, "status");
  if (typeof status.complete !== "boolean") c.fail("status.complete", "true or false", status.complete);
  c.number(status.experiencesPlanned, "status.experiencesPlanned", { min: 1 });
  c.number(status.experiencesCompleted, "status.experiencesCompleted", { min: 0 });
  c.object(r.config, "config");
  const T = status.experiencesPlanned as number;
  const rows = c.array(r.accuracy, "accuracy");
  if (rows.length > T) c.fail("accuracy", `at most ${T} rows (experiences planned)`, `${rows.length} rows`);
  rows.forEach((row, i) => {
    const cells = c.array(row, `accuracy[${i}]`);
    if (cells.length !== T) c.fail(`accuracy[${i}]`, `${T} accuracies`, `${cells.length}`);
    cells.forEach((v, j) => c.number(v, `accuracy[${i}][${j}]`, { min: 0, max: 1 }));
  });
  if (r.untrained !== undefined) {
    const b = c.array(r.untrained, "untrained");
    if (b.length !== T) c.fail("untrained", `${T} accuracies`, `${b.length}`);
    b.forEach((v, j) => c.number(v, `untrained[${j}]`, { min: 0, max: 1 }));
  }
  const metrics = c.object(r.metrics, "metrics");
  for (const key of ["avgAccuracy", "bwt", "fwt", "forgetting"]) c.number(metrics[key], `metrics.${key}`, { nullable: true });
  c.numberMap(r.macs, "macs");
  const memory = c.object(r.memory, "memory");
  c.number(memory.modelBytes, "memory.modelBytes", { min: 0 });
  c.number(memory.replayBytes, "memory.replayBytes", { min: 0, nullable: true });
  c.number(memory.peakLinearMemoryBytes, "memory.peakLinearMemoryBytes", { min: 0 });
  if (r.modelChecksum !== undefined) c.checksum(r.modelChecksum, "modelChecksum");
  c.array(r.telemetry, "telemetry").forEach((t, i) => {
    const entry = c.object(t, `telemetry[${i}]`);
    c.number(entry.experience, `telemetry[${i}].experience`, { min: 0 });
    for (const phase of ["train", "eval"]) {
      const p = c.object(entry[phase], `telemetry[${i}].${phase}`);
      for (const key of ["timeUs", "macs", "cycles", "accelJobs", "memoryUsedBytes", "memoryPeakBytes"]) c.number(p[key], `telemetry[${i}].${phase}.${key}`, { min: 0 });
      c.number(p.energyJ, `telemetry[${i}].${phase}.energyJ`, { min: 0, nullable: true });
      c.numberMap(p.macsByFormat, `telemetry[${i}].${phase}.macsByFormat`);
      // Accelerator and energy-split counters: absent in reports of boards that did not send them.
      if (p.energyBreakdownJ !== undefined && p.energyBreakdownJ !== null) c.breakdown(p.energyBreakdownJ, `telemetry[${i}].${phase}.energyBreakdownJ`);
      for (const key of ["accelMacs", "accelUnits"]) if (p[key] !== undefined) c.number(p[key], `telemetry[${i}].${phase}.${key}`, { min: 0 });
      if (p.cpuFallbacks !== undefined) c.numberMap(p.cpuFallbacks, `telemetry[${i}].${phase}.cpuFallbacks`);
      if (p.modelChecksum !== undefined) c.checksum(p.modelChecksum, `telemetry[${i}].${phase}.modelChecksum`);
      for (const key of ["optimizerSteps", "lossScaleSkips"]) if (p[key] !== undefined) c.number(p[key], `telemetry[${i}].${phase}.${key}`, { min: 0 });
      if (p.health !== undefined) {
        c.array(p.health, `telemetry[${i}].${phase}.health`).forEach((h, k) => {
          const row = c.object(h, `telemetry[${i}].${phase}.health[${k}]`);
          for (const key of ["layer", "values", "overflows", "underflows", "updates", "swamped", "maxAbs"]) c.number(row[key], `telemetry[${i}].${phase}.health[${k}].${key}`, { min: 0 });
          c.number(row.rangeUsed, `telemetry[${i}].${phase}.health[${k}].rangeUsed`, { min: 0, max: 1 });
        });
      }
    }
  });
  if (r.energy !== undefined) {
    const energy = c.object(r.energy, "energy");
    c.number(energy.totalJ, "energy.totalJ", { min: 0 });
    c.array(energy.perExperienceJ, "energy.perExperienceJ").forEach((v, i) => c.number(v, `energy.perExperienceJ[${i}]`, { min: 0 }));
    if (energy.breakdown !== undefined) c.breakdown(energy.breakdown, "energy.breakdown");
    if (energy.source !== undefined && typeof energy.source !== "string") c.fail("energy.source", "a string", energy.source);
    if (energy.perExperienceBreakdownJ !== undefined) {
      c.array(energy.perExperienceBreakdownJ, "energy.perExperienceBreakdownJ").forEach((b, i) => c.breakdown(b, `energy.perExperienceBreakdownJ[${i}]`));
    }
  }
  if (r.accelerator !== undefined) {
    const a = c.object(r.accelerator, "accelerator");
    c.number(a.jobs, "accelerator.jobs", { min: 0 });
    c.number(a.cycles, "accelerator.cycles", { min: 0 });
    for (const key of ["macs", "units", "cpuFallbacks"]) if (a[key] !== undefined) c.number(a[key], `accelerator.${key}`, { min: 0 });
    if (a.utilisation !== undefined) c.number(a.utilisation, "accelerator.utilisation", { min: 0, max: 1 });
    if (a.cpuFallbacksByReason !== undefined) c.numberMap(a.cpuFallbacksByReason, "accelerator.cpuFallbacksByReason");
  }
  return data as Report;
}

/** Reads a JSON file the user named; `what` names it in the errors ("report", "sweep file"). */
export function readJsonFile(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new UsageError(`expected a readable ${what} file, received ${JSON.stringify(file)} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file}: expected a JSON ${what}, received text that is not JSON (${(err as Error).message})`);
  }
}

/** Reads and checks a report file. */
export function readReport(file: string): Report {
  return checkReport(readJsonFile(file, "report"), file);
}
