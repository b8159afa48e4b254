// Which data a continual-learning run streams: the embedded digits, IDX files, a CSV table or a CSV of
// sensor windows (`--dataset mnist|idx:DIR|csv:FILE|har:FILE`), and the check that the benchmark's name
// is over that data: `split-har` on the embedded digits is an error, never Split MNIST by another name.
import { basename, extname, resolve } from "node:path";
import { expected, UsageError } from "../errors.js";
import { loadCsv, loadIdxDir, loadMnist, loadWindows, type DataSplit } from "../data/index.js";
import { BENCHMARK_KINDS, parseBenchmarkName } from "./benchmarks.js";

export const DATASET_SOURCES = ["mnist", "idx:DIR", "csv:FILE", "har:FILE"] as const;

/** What each source is, for `edgecl list datasets` and the help. */
export const DATASET_SOURCE_MEANINGS: Record<(typeof DATASET_SOURCES)[number], string> = {
  mnist: "the 10,000 embedded MNIST digits (8,000 train, 2,000 test), 28x28",
  "idx:DIR": "the four IDX files of MNIST, Fashion-MNIST or any such set in DIR, their own train/test split",
  "csv:FILE": "a table of numeric features and a label column (--label, default label), 20% held out, standardised",
  "har:FILE": "sensor windows: activity, optional subject, <channel>_<step> columns; test = held-out subjects (docs/data.md)",
};

export type DatasetSource = { kind: "mnist" } | { kind: "idx" | "csv" | "har"; path: string };

export function parseDatasetSource(text: string): DatasetSource {
  const trimmed = text.trim();
  if (trimmed === "mnist") return { kind: "mnist" };
  const match = /^(idx|csv|har):(.+)$/.exec(trimmed);
  if (!match) throw expected(`--dataset to be one of ${DATASET_SOURCES.join(", ")}`, text);
  return { kind: match[1] as "idx" | "csv" | "har", path: match[2] };
}

/** The name a data set from a file or directory goes by in benchmark names: its base name, lower case. */
export function dataName(path: string): string {
  const base = basename(resolve(path), extname(path)).toLowerCase().replace(/[^a-z0-9_.-]+/g, "-").replace(/^[^a-z0-9]+/, "");
  return base || "data";
}

const benchmarksOver = (name: string) => BENCHMARK_KINDS.map((kind) => `${kind}-${name}`);

export interface RunDataOptions {
  /** `<kind>-<data>`; default split-<data>. */
  benchmark?: string;
  /** A source of DATASET_SOURCES; default the embedded digits. */
  dataset?: string;
  /** Label column of a csv: or har: source. */
  label?: string;
  /** Data already loaded (library callers); its train part's name is the data's name. */
  data?: DataSplit;
}

export interface RunData {
  benchmark: string;
  split: DataSplit;
  /** The data's name (the <data> of the benchmark) and where it came from, for the report. */
  name: string;
  source: string;
}

/** Loads the data a run streams and checks that the benchmark is one over it (before loading anything). */
export function loadRunData(options: RunDataOptions): RunData {
  if (options.data && options.dataset !== undefined) throw new UsageError("give the data loaded or a --dataset source, not both");
  const source = options.dataset === undefined ? null : parseDatasetSource(options.dataset);
  if (options.label !== undefined && (source === null || source.kind === "mnist" || source.kind === "idx")) {
    throw new UsageError(`--label goes with --dataset csv:FILE or har:FILE, received --dataset ${options.dataset ?? "mnist (the default)"}`);
  }
  let name: string;
  let split: () => DataSplit;
  let where: string;
  if (options.data) {
    name = options.data.train.name;
    split = () => options.data!;
    where = `data set ${name} given by the caller`;
  } else if (source === null || source.kind === "mnist") {
    name = "mnist";
    split = () => loadMnist();
    where = "mnist (the embedded digits)";
  } else {
    const { kind, path } = source;
    name = dataName(path);
    where = `${kind}:${path}`;
    if (kind === "idx") split = () => loadIdxDir(path, { name });
    else if (kind === "csv") split = () => loadCsv(path, { labelColumn: options.label ?? "label", standardize: true, name });
    else split = () => loadWindows(path, { labelColumn: options.label, name });
  }
  if (options.benchmark !== undefined && parseBenchmarkName(options.benchmark)?.data !== name) {
    const over = name === "mnist" && options.data === undefined ? "the embedded digits" : `the data set ${name}`;
    const hint = source === null && options.data === undefined ? `for other data give --dataset ${DATASET_SOURCES.filter((s) => s !== "mnist").join(", ")}` : undefined;
    throw expected(`a benchmark over ${over}: ${benchmarksOver(name).join(", ")}`, options.benchmark, hint);
  }
  return { benchmark: options.benchmark ?? `split-${name}`, split: split(), name, source: where };
}
