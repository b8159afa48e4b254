// edgecl report: render run reports (JSON) again: the terminal summary, CSV, one HTML page per run,
// an HTML comparison of several, and the figures one file each (SVG, PNG or PDF) for a paper.
import { Command } from "commander";
import { basename } from "node:path";
import { renderCsv } from "../../report/csv.js";
import { renderSweepCsv, renderSweepHtml } from "../../report/sweep.js";
import { isSweepDir, readSweepResults } from "../../sweep/results.js";
import { FIGURE_FORMATS, writeFigures, type FigureFormat } from "../../report/export.js";
import { comparisonFigures, reportFigures } from "../../report/figures.js";
import { renderComparison, renderHtml } from "../../report/html.js";
import { readReport, writeOutput } from "../../report/io.js";
import { labelRuns } from "../../report/labels.js";
import { renderEnergyComparison, renderSummary, statusLine } from "../../report/terminal.js";
import type { Report } from "../../report/types.js";
import { percent } from "../../report/units.js";
import { expected, UsageError } from "../../errors.js";
import { note } from "../verbosity.js";

interface ReportOptions {
  csv?: string;
  html?: string;
  output?: string;
  figures?: string;
  format: string;
  scale: string;
  fullScale?: boolean;
  chromium?: string;
}

function write(path: string, text: string): void {
  if (path === "-") {
    process.stdout.write(text);
    return;
  }
  writeOutput(path, text, "report");
}

/**
 * Labels for the runs: the configuration keys in which they differ (e.g. "strategy=ewc precision=bf16"),
 * or what a lone run is; a file's name is added only where two runs would otherwise share a label.
 */
export function runLabels(files: string[], reports: Report[]): string[] {
  const labels = labelRuns(reports);
  return labels.map((label, i) => (labels.indexOf(label) !== labels.lastIndexOf(label) ? `${label} (${basename(files[i])})` : label));
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
    .description("Render run reports: terminal summary, --csv, --html for one run, -o for a comparison of several, --figures for a paper; or a sweep folder's page")
    .argument("<reports...>", "report files written by edgecl run --json, or one sweep folder (edgecl sweep run)")
    .option("--csv <file>", "write a CSV of every run, one row per experience (- for stdout)")
    .option("--html <file>", "write one self-contained HTML page for a single run")
    .option("-o, --output <file>", "write an HTML comparison of the runs (accuracy against energy and memory)")
    .option("--figures <dir>", "write every figure as a file of its own (one run: accuracy matrix, curves, energy; several: the comparison's scatter plots)")
    .option("--format <format>", `figure format: ${FIGURE_FORMATS.join(", ")} (png and pdf through headless Chromium)`, "svg")
    .option("--scale <n>", "png: pixels per SVG unit", "2")
    .option("--full-scale", "accuracy axes from 0 to 100% (default: zoomed to the data)")
    .option("--chromium <path>", "Chromium for png and pdf (default $EDGECL_CHROMIUM or /usr/bin/chromium)")
    .action(async (files: string[], options: ReportOptions) => {
      if (files.length === 1 && isSweepDir(files[0])) {
        renderSweep(files[0], options);
        return;
      }
      if (!(FIGURE_FORMATS as readonly string[]).includes(options.format)) throw expected(`--format to be one of ${FIGURE_FORMATS.join(", ")}`, options.format);
      const scale = Number(options.scale);
      if (!(scale > 0 && scale <= 8)) throw expected("--scale to be a number above 0 and at most 8", options.scale);
      const reports = files.map((file) => readReport(file));
      const labels = runLabels(files, reports);
      const runs = reports.map((report, i) => ({ label: labels[i], report }));
      if (options.html && runs.length !== 1) {
        throw new UsageError(`expected one report with --html, received ${runs.length}; use -o FILE for a comparison of several runs`);
      }
      const figureOptions = { fullScale: options.fullScale };
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
      if (options.html) write(options.html, renderHtml(runs[0].report, `edgecl report: ${runs[0].label}`, figureOptions));
      if (options.output) {
        write(options.output, runs.length === 1 ? renderHtml(runs[0].report, `edgecl report: ${runs[0].label}`, figureOptions) : renderComparison(runs, "edgecl run comparison", figureOptions));
      }
      const written = [options.csv && options.csv !== "-" ? options.csv : null, options.html ?? null, options.output ?? null].filter(Boolean) as string[];
      if (options.figures) {
        const figures = runs.length === 1 ? reportFigures(reports[0], figureOptions) : comparisonFigures(reports, figureOptions);
        written.push(...(await writeFigures(figures, options.figures, { format: options.format as FigureFormat, scale, chromium: options.chromium })));
      }
      if (written.length && !toStdout) note(`wrote ${written.join(", ")}`);
    });
}
