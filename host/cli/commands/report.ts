// edgecl report: render run reports (JSON) again: the terminal summary, CSV, one HTML page per run,
// or an HTML comparison of several runs; with several, their energy relative to the first.
import { Command } from "commander";
import { mkdirSync, writeFileSync } from "node:fs";
import { basename, dirname } from "node:path";
import { renderCsv } from "../../report/csv.js";
import { renderSweepCsv, renderSweepHtml } from "../../report/sweep.js";
import { isSweepDir, readSweepResults } from "../../sweep/results.js";
import { renderComparison, renderHtml } from "../../report/html.js";
import { readReport } from "../../report/io.js";
import { renderEnergyComparison, renderSummary, statusLine } from "../../report/terminal.js";
import type { Report } from "../../report/types.js";
import { percent } from "../../report/units.js";
import { UsageError } from "../errors.js";

interface ReportOptions {
  csv?: string;
  html?: string;
  output?: string;
}

function write(path: string, text: string): void {
  if (path === "-") {
    process.stdout.write(text);
    return;
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** Labels for the runs: file names without .json, or the whole paths when two names collide. */
export function runLabels(files: string[]): string[] {
  const short = files.map((f) => basename(f).replace(/\.json$/i, ""));
  return short.map((s, i) => (short.indexOf(s) !== short.lastIndexOf(s) ? files[i] : s));
}

/** A sweep folder: a summary line, the sweep page (--html or -o) and one CSV row per run (--csv). */
function renderSweep(dir: string, options: ReportOptions): void {
  const results = readSweepResults(dir);
  const toStdout = options.csv === "-";
  if (options.csv) write(options.csv, renderSweepCsv(results));
  const html = options.html ?? options.output;
  if (html) write(html, renderSweepHtml(results));
  if (toStdout) return;
  const states = ["finished", "failed", "partial", "pending"].map((s) => `${results.runs.filter((r) => r.state === s).length} ${s}`);
  console.log(`sweep ${results.record.name}: ${results.runs.length} runs, ${states.join(", ")}`);
  const written = [options.csv, html].filter(Boolean);
  if (written.length) console.log(`wrote ${written.join(", ")}`);
}

export function reportCommand(): Command {
  return new Command("report")
    .description("Render run reports: terminal summary, --csv, --html for one run, -o for a comparison of several; or a sweep folder's page")
    .argument("<reports...>", "report files written by edgecl run --json, or one sweep folder (edgecl sweep run)")
    .option("--csv <file>", "write a CSV of every run, one row per experience (- for stdout)")
    .option("--html <file>", "write one self-contained HTML page for a single run")
    .option("-o, --output <file>", "write an HTML comparison of the runs (accuracy against energy and memory)")
    .action((files: string[], options: ReportOptions) => {
      if (files.length === 1 && isSweepDir(files[0])) {
        renderSweep(files[0], options);
        return;
      }
      const labels = runLabels(files);
      const runs: Array<{ label: string; report: Report }> = files.map((file, i) => ({ label: labels[i], report: readReport(file) }));
      if (options.html && runs.length !== 1) {
        throw new UsageError(`expected one report with --html, received ${runs.length}; use -o FILE for a comparison of several runs`);
      }
      const toStdout = options.csv === "-";
      if (!toStdout) {
        if (runs.length === 1) process.stdout.write(renderSummary(runs[0].report));
        else {
          for (const { label, report } of runs) {
            console.log(`${label}: average accuracy ${percent(report.metrics.avgAccuracy)}; ${statusLine(report)}`);
          }
          process.stdout.write(renderEnergyComparison(runs));
        }
      }
      if (options.csv) write(options.csv, renderCsv(runs));
      if (options.html) write(options.html, renderHtml(runs[0].report, `edgecl report: ${runs[0].label}`));
      if (options.output) {
        write(options.output, runs.length === 1 ? renderHtml(runs[0].report, `edgecl report: ${runs[0].label}`) : renderComparison(runs));
      }
      const written = [options.csv && options.csv !== "-" ? options.csv : null, options.html ?? null, options.output ?? null].filter(Boolean);
      if (written.length && !toStdout) console.log(`wrote ${written.join(", ")}`);
    });
}
