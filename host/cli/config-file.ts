// Experiments as files: `--config FILE.json` holds a command's flags as keys ("benchmark",
// "buffer-bytes" or "bufferBytes", ...); a flag given on the command line overrides the file's value.
import { readFileSync } from "node:fs";
import type { Command, Option } from "commander";
import { expected, UsageError } from "../errors.js";

/** The options a config file may set: every option of the command but --config itself and the verbosity. */
function settable(command: Command): Option[] {
  return command.options.filter((o) => o.long !== undefined && !["--config", "--help"].includes(o.long));
}

function readJsonObject(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(code === "ENOENT" ? `missing file: ${file} does not exist` : `${file}: cannot read it (${code ?? (error as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`expected ${file} to hold JSON, received text that does not parse (${(error as Error).message})`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw expected(`${file} to hold one JSON object of flags`, Array.isArray(parsed) ? "an array" : String(parsed));
  return parsed as Record<string, unknown>;
}

/**
 * Sets the command's options from the JSON object in `file`, except those given on the command line.
 * Keys are long flag names without the dashes, kebab-case or camelCase; values are strings, numbers or,
 * for switches, booleans. An unknown key or a value of the wrong type is a UsageError naming it.
 */
export function applyConfigFile(command: Command, file: string): void {
  applyFlags(command, readJsonObject(file), file);
}

/** Sets options as applyConfigFile does, from `values` read from `file` (named in errors). */
export function applyFlags(command: Command, values: Record<string, unknown>, file: string): void {
  const options = settable(command);
  for (const [key, value] of Object.entries(values)) {
    const option = options.find((o) => o.long === `--${key}` || o.attributeName() === key || o.long === `--no-${key}`);
    if (!option) {
      throw expected(`keys of ${file} among ${options.map((o) => o.long!.slice(2)).join(", ")}`, key);
    }
    const name = option.attributeName();
    if (command.getOptionValueSource(name) === "cli") continue;
    const isSwitch = !option.required && !option.optional;
    if (isSwitch) {
      if (typeof value !== "boolean") throw expected(`${file} key ${key} to be true or false`, value);
      command.setOptionValueWithSource(name, option.negate && option.long === `--${key}` ? !value : value, "config");
    } else {
      if (typeof value !== "string" && typeof value !== "number") throw expected(`${file} key ${key} to be a string or a number`, JSON.stringify(value));
      command.setOptionValueWithSource(name, String(value), "config");
    }
  }
}

/** Every option of the command as a key of its config file, with the value it has now: what a run saved. */
export function resolvedFlags(command: Command): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  for (const option of settable(command)) {
    const name = option.attributeName();
    const value = command.getOptionValue(name);
    if (value !== undefined && !["quiet", "verbose", "json", "html", "csv", "resume", "timeout"].includes(name)) out[option.long!.slice(2)] = value;
  }
  return out;
}
