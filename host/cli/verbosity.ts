// How much a command says besides its results: --quiet (results and errors only), the default (progress
// and notes such as the files written), --verbose (also what it resolved: data, board, settings).
// Progress and notes go to stderr, so stdout holds only results and pipes stay clean.
import { Command } from "commander";
import { UsageError } from "../errors.js";
import { createProgress, silentProgress, type Progress } from "../report/progress.js";

export type Verbosity = "quiet" | "normal" | "verbose";

let level: Verbosity = "normal";

export function verbosity(): Verbosity {
  return level;
}

export function setVerbosity(value: Verbosity): void {
  level = value;
}

/** A line about what was done (e.g. "wrote out/run.html"): shown unless --quiet. */
export function note(line: string): void {
  if (level !== "quiet") process.stderr.write(`${line}\n`);
}

/** A line about what was resolved (e.g. the data set and its size): shown with --verbose. */
export function detail(line: string): void {
  if (level === "verbose") process.stderr.write(`${line}\n`);
}

/** Progress on stderr, or none with --quiet. */
export function progressOnStderr(): Progress {
  return level === "quiet" ? silentProgress : createProgress({ stream: process.stderr });
}

/** Adds --quiet and --verbose to a command and each of its subcommands that lack them. */
export function addVerbosityOptions(command: Command): void {
  const has = (flag: string) => command.options.some((o) => o.long === flag);
  if (!has("--quiet")) command.option("--quiet", "print results and errors only: no progress, no notes");
  if (!has("--verbose")) command.option("--verbose", "also print what was resolved (data, board, settings) on stderr");
  for (const sub of command.commands) addVerbosityOptions(sub);
}

/** Sets the level from the options of the command about to run. */
export function verbosityFrom(options: { quiet?: boolean; verbose?: boolean }): Verbosity {
  if (options.quiet && options.verbose) throw new UsageError("--quiet and --verbose exclude each other; give one");
  return options.quiet ? "quiet" : options.verbose ? "verbose" : "normal";
}
