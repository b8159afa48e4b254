// Which data a training run uses: the embedded digits, IDX files in a directory, or a CSV table.
import { expected, UsageError } from "../errors.js";
import { loadCsv, loadIdxDir, loadMnist, type DataSplit } from "../data/index.js";

export const DATASET_NAMES = ["mnist", "fashion", "csv"] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

export interface DataOptions {
  /** Default: csv when a CSV file is given, else mnist. */
  dataset?: string;
  /** Directory of the four IDX files (full MNIST or Fashion-MNIST). */
  dataDir?: string;
  /** CSV file of tabular features and its label column. */
  csv?: string;
  label?: string;
}

export interface ResolvedData {
  dataset: DatasetName;
  /** Where the samples came from, for reports. */
  source: string;
  split: DataSplit;
}

export function resolveDatasetName(options: DataOptions): DatasetName {
  const name = (options.dataset ?? (options.csv !== undefined ? "csv" : "mnist")).trim().toLowerCase();
  if (!(DATASET_NAMES as readonly string[]).includes(name)) {
    throw expected(`a data set: ${DATASET_NAMES.join(", ")}`, options.dataset);
  }
  return name as DatasetName;
}

/** Loads the split a run trains and tests on; a missing or inconsistent option is a UsageError. */
export function loadTrainingData(options: DataOptions): ResolvedData {
  const dataset = resolveDatasetName(options);
  if (dataset === "csv") {
    if (options.csv === undefined) throw new UsageError("--dataset csv needs --csv <file> and --label <column>");
    if (options.label === undefined || options.label.trim() === "") {
      throw new UsageError(`--csv ${options.csv} needs --label <column>: the name of the column that holds the class`);
    }
    if (options.dataDir !== undefined) throw new UsageError("--data-dir goes with --dataset mnist or fashion, not with --csv");
    const split = loadCsv(options.csv, { labelColumn: options.label, standardize: true });
    return { dataset, source: options.csv, split };
  }
  if (options.csv !== undefined || options.label !== undefined) {
    throw new UsageError(`--csv and --label go with --dataset csv, received --dataset ${dataset}`);
  }
  if (options.dataDir !== undefined) {
    return { dataset, source: options.dataDir, split: loadIdxDir(options.dataDir, { name: dataset }) };
  }
  if (dataset === "fashion") {
    throw new UsageError("--dataset fashion needs --data-dir <dir> holding the four Fashion-MNIST IDX files");
  }
  return { dataset, source: "the embedded digits of the mnist package", split: loadMnist() };
}
