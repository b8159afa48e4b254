// A sweep's runs: the grid of its axes (or a seeded sample of it), each point resolved to the full set
// of `edgecl run` options it runs with and, when it changes a board, the board manifest it runs on.
// A run is named by a hash of that resolved configuration, so the same run has the same directory in
// every sweep that contains it, whatever the axes that led to it.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { basename, dirname, isAbsolute, resolve } from "node:path";
import { checkManifest, loadBoard } from "../manifest/manifest.js";
import { UsageError } from "../errors.js";
import { Rng } from "../data/rng.js";
import type { AxisValue, SweepFile } from "./file.js";

/** An option of `edgecl run` a sweep may set: its long name without dashes and its default. */
export interface RunOptionSpec {
  name: string;
  defaultValue?: string;
}

/** Options the sweep sets itself for every run (where the report goes, no progress output). */
export const SWEEP_OWNED_OPTIONS = ["json", "html", "csv", "quiet"];

/** Axis and base keys that change the board's manifest start with this. */
const BOARD_KEY = "board.";

export interface DerivedBoard {
  /** The manifest it starts from: a board id, or the manifest path as the sweep file gave it. */
  base: string;
  /** The manifest with the sweep's board.* keys applied: what the run's board is made from. */
  manifest: Record<string, unknown>;
}

export interface PlannedRun {
  /** Position in the plan, from 0. */
  index: number;
  /** Hash of the resolved configuration (options and board manifest): the run's directory name. */
  hash: string;
  /** The value of each axis at this point, as shown in tables. */
  axes: Record<string, string>;
  /** Every option the run is given (defaults included), by long name, sorted. */
  options: Record<string, string>;
  /** Present when the run needs a manifest of its own (board.* keys or a manifest path). */
  board?: DerivedBoard;
}

export interface SweepPlan {
  name: string;
  file: string;
  axes: Array<{ name: string; values: string[] }>;
  /** Points of the full grid. */
  gridSize: number;
  sample?: { n: number; seed: number };
  /** Points that resolved to a run already in the plan (dropped, so each run appears once). */
  duplicates: number;
  runs: PlannedRun[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** JSON with object keys sorted at every level: equal configurations give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (isObject(value)) {
    return `{${Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

/** How a value is shown in plans, tables and the CSV. */
export function valueLabel(value: AxisValue): string {
  if (typeof value === "string") return value;
  if (isObject(value)) {
    if (typeof value.name === "string") return value.name;
    return Object.entries(value)
      .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
      .join(",");
  }
  return JSON.stringify(value);
}

/** A board spec that names a manifest file rather than a board id. */
function isManifestPath(board: string): boolean {
  return board.endsWith(".json") || board.includes("/");
}

/** `value` without its "$comment" keys, at every level. */
function withoutComments(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([k]) => k !== "$comment").map(([k, v]) => [k, isObject(v) ? withoutComments(v) : v]));
}

/** Sets `path` (dotted) in a copy of `target`; objects merge into objects, anything else replaces. */
function withKey(target: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const [head, ...rest] = path;
  const current = target[head];
  let next: unknown;
  if (rest.length) next = withKey(isObject(current) ? current : {}, rest, value);
  else if (isObject(current) && isObject(value)) next = Object.entries(value).reduce((acc, [k, v]) => withKey(acc, [k], v), current);
  else next = value;
  return { ...target, [head]: next };
}

class Resolver {
  private readonly known: Map<string, RunOptionSpec>;

  constructor(
    private readonly sweep: SweepFile,
    options: RunOptionSpec[],
  ) {
    this.known = new Map(options.filter((o) => !SWEEP_OWNED_OPTIONS.includes(o.name)).map((o) => [o.name, o]));
  }

  private names(): string {
    return [...this.known.keys()].join(", ");
  }

  /** One setting from the base, an axis or a bundle, into the run's options or board overrides. */
  private apply(key: string, value: unknown, where: string, options: Map<string, string>, overrides: Array<[string[], unknown]>): void {
    const file = this.sweep.file;
    if (key.startsWith(BOARD_KEY)) {
      const path = key.slice(BOARD_KEY.length).split(".");
      if (path.some((p) => p === "")) throw new UsageError(`${file}: ${where}: expected board.<manifest key>, e.g. board.accelerator.rows, received "${key}"`);
      overrides.push([path, value]);
      return;
    }
    if (SWEEP_OWNED_OPTIONS.includes(key)) {
      throw new UsageError(`${file}: ${where}: expected an option the sweep does not set itself, received "${key}" (each run writes its report to its own directory)`);
    }
    if (!this.known.has(key)) throw new UsageError(`${file}: ${where}: expected an edgecl run option (${this.names()}) or board.<manifest key>, received "${key}"`);
    if (!(typeof value === "string" || (typeof value === "number" && Number.isFinite(value)))) {
      throw new UsageError(`${file}: ${where}: expected a string or a number for --${key}, received ${JSON.stringify(value)}`);
    }
    let text = String(value);
    // A manifest path in a sweep file is relative to the file, not to wherever the sweep is started.
    if (key === "board" && isManifestPath(text) && !isAbsolute(text)) text = resolve(dirname(file), text);
    options.set(key, text);
  }

  private applyAxis(name: string, value: AxisValue, options: Map<string, string>, overrides: Array<[string[], unknown]>): void {
    const where = `axis "${name}" value ${valueLabel(value)}`;
    if (name.startsWith(BOARD_KEY) || this.known.has(name) || SWEEP_OWNED_OPTIONS.includes(name)) {
      // In an object value, "name" labels the value in tables; it is not a manifest key.
      const applied = isObject(value) && name.startsWith(BOARD_KEY) ? Object.fromEntries(Object.entries(value).filter(([k]) => k !== "name")) : value;
      this.apply(name, applied, where, options, overrides);
      return;
    }
    // Any other axis name is a bundle: each value sets several options together.
    if (!isObject(value)) {
      throw new UsageError(
        `${this.sweep.file}: axis "${name}": expected an edgecl run option (${this.names()}), board.<manifest key>, or a bundle whose values are objects of options, received the value ${JSON.stringify(value)}`,
      );
    }
    for (const [key, v] of Object.entries(value)) if (key !== "name") this.apply(key, v, where, options, overrides);
  }

  resolve(choice: AxisValue[]): Omit<PlannedRun, "index"> {
    const options = new Map<string, string>();
    for (const spec of this.known.values()) if (spec.defaultValue !== undefined) options.set(spec.name, spec.defaultValue);
    const overrides: Array<[string[], unknown]> = [];
    for (const [key, value] of Object.entries(this.sweep.base)) {
      if (key !== "$comment") this.apply(key, value, `base key "${key}"`, options, overrides);
    }
    const axes: Record<string, string> = {};
    this.sweep.axes.forEach((axis, i) => {
      this.applyAxis(axis.name, choice[i], options, overrides);
      axes[axis.name] = valueLabel(choice[i]);
    });
    // --iterations has a default only when --epochs is not given (they exclude each other).
    if (options.has("epochs") && options.get("iterations") === this.known.get("iterations")?.defaultValue) options.delete("iterations");

    let board: DerivedBoard | undefined;
    const boardSpec = options.get("board") ?? "sim";
    if (overrides.length || isManifestPath(boardSpec)) {
      if (boardSpec === "inline" || boardSpec.startsWith("tcp:") || boardSpec.startsWith("serial:")) {
        throw new UsageError(`${this.sweep.file}: expected a board id or manifest path with board.* keys, received board "${boardSpec}"`);
      }
      const baseFile = loadBoard(boardSpec).file;
      // Comments do not change a board, so they do not change the run's hash.
      let manifest = withoutComments(JSON.parse(readFileSync(baseFile, "utf8")));
      for (const [path, value] of overrides) manifest = withKey(manifest, path, value);
      const id = basename(baseFile, ".json");
      checkManifest(manifest, `${id}.json with ${overrides.map(([p, v]) => `board.${p.join(".")}=${JSON.stringify(v)}`).join(", ") || "no changes"}`);
      board = { base: boardSpec, manifest };
      // The run is keyed by the manifest's content, not by where its file happens to be.
      options.set("board", id);
    }
    const sorted = Object.fromEntries([...options.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const hash = createHash("sha256")
      .update(canonicalJson({ options: sorted, boardManifest: board?.manifest }))
      .digest("hex")
      .slice(0, 16);
    return { hash, axes, options: sorted, board };
  }
}

/** Distinct indices in 0..total-1, `n` of them, drawn with Floyd's algorithm from a seeded stream; ascending. */
export function sampleIndices(total: number, n: number, seed: number): number[] {
  if (total > 2 ** 32) throw new UsageError(`expected a grid of at most 2^32 points to sample from, received ${total}`);
  const rng = Rng.forStream(seed, "sweep/sample");
  const chosen = new Set<number>();
  for (let j = total - n; j < total; j++) {
    const t = rng.below(j + 1);
    chosen.add(chosen.has(t) ? j : t);
  }
  return [...chosen].sort((a, b) => a - b);
}

/** Plans a sweep: its grid points (the last axis varies fastest) or a seeded sample of them, each resolved. */
export function planSweep(sweep: SweepFile, options: RunOptionSpec[]): SweepPlan {
  const sizes = sweep.axes.map((a) => a.values.length);
  const gridSize = sizes.reduce((a, b) => a * b, 1);
  let points: number[];
  if (sweep.sample) {
    if (sweep.sample.n > gridSize) throw new UsageError(`${sweep.file}: key "sample.n": expected at most the grid's ${gridSize} points, received ${sweep.sample.n}`);
    points = sampleIndices(gridSize, sweep.sample.n, sweep.sample.seed);
  } else {
    if (gridSize > 1_000_000) throw new UsageError(`${sweep.file}: expected a grid of at most 1000000 points, received ${gridSize}; draw a sample ("sample": { "n": ..., "seed": ... })`);
    points = Array.from({ length: gridSize }, (_, i) => i);
  }
  const resolver = new Resolver(sweep, options);
  const runs: PlannedRun[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  for (const point of points) {
    const choice: AxisValue[] = new Array(sizes.length);
    let rest = point;
    for (let a = sizes.length - 1; a >= 0; a--) {
      choice[a] = sweep.axes[a].values[rest % sizes[a]];
      rest = Math.floor(rest / sizes[a]);
    }
    const run = resolver.resolve(choice);
    if (seen.has(run.hash)) {
      duplicates++;
      continue;
    }
    seen.add(run.hash);
    runs.push({ index: runs.length, ...run });
  }
  return {
    name: sweep.name,
    file: sweep.file,
    axes: sweep.axes.map((a) => ({ name: a.name, values: a.values.map(valueLabel) })),
    gridSize,
    sample: sweep.sample,
    duplicates,
    runs,
  };
}

/** The `edgecl run` arguments of a run, given where its manifest file (if any) and its report go. */
export function runArguments(run: PlannedRun, manifestFile: string | undefined, reportFile: string): string[] {
  const args: string[] = [];
  for (const [name, value] of Object.entries(run.options)) {
    args.push(`--${name}`, name === "board" && run.board ? manifestFile! : value);
  }
  args.push("--json", reportFile, "--quiet");
  return args;
}
