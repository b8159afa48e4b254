// Sweep files (docs/sweeps.md): a JSON object naming the axes of a design-space exploration and how to
// combine them. Reading checks every key once, so a bad file fails before any run starts, naming the
// file and the key.
import { basename } from "node:path";
import { UsageError } from "../errors.js";
import { readJsonFile } from "../report/io.js";

/** A value an axis or the base can give an option: what the command line would carry. */
export type OptionValue = string | number;

/** One value of an axis: an option's value, a board manifest override, or a bundle of several options. */
export type AxisValue = OptionValue | boolean | null | unknown[] | { [key: string]: unknown };

export interface SweepAxis {
  name: string;
  values: AxisValue[];
}

export interface SweepSample {
  /** Points drawn from the grid, without repetition. */
  n: number;
  /** Seed of the draw (host/data/rng.ts). */
  seed: number;
}

export interface SweepFile {
  /** Path it was read from. */
  file: string;
  name: string;
  /** Settings every run shares: option names or board.* keys. */
  base: Record<string, unknown>;
  axes: SweepAxis[];
  /** Absent: the full grid. */
  sample?: SweepSample;
}

const TOP_KEYS = ["$comment", "name", "base", "axes", "sample"];

function fail(file: string, key: string, what: string, value: unknown): never {
  const shown = value === undefined ? "nothing" : JSON.stringify(value)?.slice(0, 80);
  throw new UsageError(`${file}: key "${key}": expected ${what}, received ${shown}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The sweep's name: its "name" key, or the file name without .sweep.json / .json. */
function defaultName(file: string): string {
  return basename(file).replace(/(\.sweep)?\.json$/i, "");
}

/** Checks the shape of a sweep file's data; what each key may name is checked when the runs are planned. */
export function checkSweepFile(data: unknown, file: string): SweepFile {
  if (!isObject(data)) fail(file, "(top level)", "a JSON object with axes", data);
  for (const key of Object.keys(data)) {
    if (!TOP_KEYS.includes(key)) fail(file, key, `one of the keys ${TOP_KEYS.join(", ")}`, key);
  }
  const name = data.name ?? defaultName(file);
  if (typeof name !== "string" || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) fail(file, "name", "a name of letters, digits, '.', '_' and '-'", name);
  const base = data.base ?? {};
  if (!isObject(base)) fail(file, "base", "an object of run options", base);
  if (!isObject(data.axes) || Object.keys(data.axes).length === 0) fail(file, "axes", "an object with at least one axis", data.axes);
  const axes: SweepAxis[] = Object.entries(data.axes).map(([axis, values]) => {
    if (!Array.isArray(values) || values.length === 0) fail(file, `axes.${axis}`, "a non-empty list of values", values);
    return { name: axis, values: values as AxisValue[] };
  });
  let sample: SweepSample | undefined;
  if (data.sample !== undefined) {
    const s = data.sample;
    if (!isObject(s)) fail(file, "sample", 'an object { "n": points, "seed": seed }', s);
    if (typeof s.n !== "number" || !Number.isInteger(s.n) || s.n < 1) fail(file, "sample.n", "a positive integer", s.n);
    const seed = s.seed ?? 1;
    if (typeof seed !== "number" || !Number.isSafeInteger(seed) || seed < 0) fail(file, "sample.seed", "an integer >= 0", s.seed);
    sample = { n: s.n, seed };
  }
  return { file, name, base, axes, sample };
}

export function readSweepFile(file: string): SweepFile {
  return checkSweepFile(readJsonFile(file, "sweep"), file);
}
