// Tabular sensor features from a CSV file: a header row, one label column named by the user, numeric
// feature columns. Fields follow RFC 4180 (double-quoted fields may hold the delimiter, line breaks
// and "" for a quote). Any problem is a UsageError naming the file, the line and the column.

import { readFileSync } from "node:fs";
import { basename, extname } from "node:path";
import { expected, UsageError } from "../errors.js";
import { type DataSplit, type Dataset, sampleCount, stratifiedSplit } from "./dataset.js";

/** One record of a CSV file with the line it starts on (1-based). */
export interface CsvRecord {
  readonly line: number;
  readonly fields: string[];
}

/**
 * Splits CSV text into records. Blank lines are skipped; a leading byte-order mark is dropped;
 * line ends may be LF or CRLF. `file` names the file in error messages.
 */
export function parseCsvRecords(text: string, file: string, delimiter = ","): CsvRecord[] {
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === "\n" || delimiter === "\r") {
    throw expected('a one-character CSV delimiter other than a quote or a line break', delimiter);
  }
  const records: CsvRecord[] = [];
  let line = 1;
  let fields: string[] = [];
  let field = "";
  let recordLine = 1;
  let fieldStarted = false; // distinguishes a blank line from a record of one empty field
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRecord = () => {
    fields.push(field);
    if (fields.length > 1 || fields[0].trim() !== "" || fieldStarted) records.push({ line: recordLine, fields });
    fields = [];
    field = "";
    fieldStarted = false;
  };
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"' && field.trim() === "") {
      const quoteLine = line;
      field = "";
      fieldStarted = true;
      i++;
      for (;;) {
        if (i >= text.length) {
          throw new UsageError(
            `${file} line ${quoteLine}, column ${fields.length + 1}: a quoted field is never closed`,
          );
        }
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (text[i] === "\n") line++;
        field += text[i++];
      }
      while (i < text.length && (text[i] === " " || text[i] === "\t")) i++;
      if (i < text.length && text[i] !== delimiter && text[i] !== "\n" && text[i] !== "\r") {
        throw new UsageError(
          `${file} line ${line}, column ${fields.length + 1}: expected the delimiter or a line end after a ` +
            `closing quote, received ${JSON.stringify(text[i])}`,
        );
      }
      continue;
    }
    if (ch === delimiter) {
      fields.push(field);
      field = "";
      fieldStarted = true;
      i++;
    } else if (ch === "\n" || ch === "\r") {
      endRecord();
      i += ch === "\r" && text[i + 1] === "\n" ? 2 : 1;
      line++;
      recordLine = line;
    } else {
      field += ch;
      i++;
    }
  }
  if (fields.length > 0 || field !== "" || fieldStarted) endRecord();
  return records;
}

const DECIMAL_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Options of {@link csvDataset} and {@link loadCsv}. */
export interface CsvOptions {
  /** Header name of the label column (required). */
  labelColumn: string;
  /** Header names of the feature columns, in the order wanted; default every column but the label. */
  featureColumns?: readonly string[];
  /** Share of the rows held out for testing, stratified by class; default 0.2. */
  testFraction?: number;
  /** Seed of the split; default 0, so the split stays the same whatever the run seed. */
  splitSeed?: number;
  /** Standardise each feature to mean 0, standard deviation 1 using the training part only. */
  standardize?: boolean;
  /** Field delimiter; default ",". */
  delimiter?: string;
  /** Name of the data set in reports; default the file name without its extension. */
  name?: string;
}

/** What {@link loadCsv} returns: the split, the feature names, and the standardisation applied. */
export interface CsvData extends DataSplit {
  readonly featureNames: readonly string[];
  /** Per-feature mean and standard deviation of the training part, when standardising. */
  readonly standardization?: { readonly mean: Float64Array; readonly std: Float64Array };
}

/**
 * Reads every row into one data set. Labels map to 0 .. C-1 in the sorted order of their text
 * (JavaScript's default string order, by UTF-16 code units: "10" sorts before "2"); classNames[c]
 * is the original text. At most 256 classes (labels are bytes).
 */
export function csvTable(
  text: string,
  file: string,
  options: Pick<CsvOptions, "labelColumn" | "featureColumns" | "delimiter" | "name">,
): { dataset: Dataset; featureNames: string[] } {
  const records = parseCsvRecords(text, file, options.delimiter ?? ",");
  if (records.length === 0) throw new UsageError(`${file}: empty, expected a header row and data rows`);
  const header = records[0].fields.map((name) => name.trim());
  const columnOf = new Map<string, number>();
  header.forEach((name, column) => {
    if (columnOf.has(name)) {
      throw new UsageError(
        `${file} line ${records[0].line}: columns ${columnOf.get(name)! + 1} and ${column + 1} are both ` +
          `named ${JSON.stringify(name)}; column names must differ`,
      );
    }
    columnOf.set(name, column);
  });
  const labelColumn = columnOf.get(options.labelColumn);
  if (labelColumn === undefined) {
    throw new UsageError(
      `${file}: expected a label column named ${JSON.stringify(options.labelColumn)}, ` +
        `received columns ${header.map((name) => JSON.stringify(name)).join(", ")}`,
    );
  }
  let featureColumns: number[];
  if (options.featureColumns) {
    featureColumns = options.featureColumns.map((name) => {
      const column = columnOf.get(name);
      if (column === undefined || column === labelColumn) {
        const allowed = header.filter((_, c) => c !== labelColumn).map((n) => JSON.stringify(n));
        throw new UsageError(
          `${file}: expected feature columns among ${allowed.join(", ")}, received ${JSON.stringify(name)}`,
        );
      }
      return column;
    });
  } else {
    featureColumns = header.map((_, column) => column).filter((column) => column !== labelColumn);
    const unnamed = featureColumns.find((column) => header[column] === "");
    if (unnamed !== undefined) {
      throw new UsageError(
        `${file} line ${records[0].line}, column ${unnamed + 1}: a column without a name; name it in the header ` +
          `or list the feature columns to use`,
      );
    }
  }
  if (featureColumns.length === 0) throw new UsageError(`${file}: no feature columns besides the label column`);
  const rows = records.slice(1);
  if (rows.length === 0) throw new UsageError(`${file}: a header but no data rows`);

  const rawLabels: string[] = [];
  const inputs = new Float32Array(rows.length * featureColumns.length);
  rows.forEach((record, row) => {
    if (record.fields.length !== header.length) {
      throw new UsageError(
        `${file} line ${record.line}: ragged row: ${record.fields.length} fields, ` +
          `expected ${header.length} as in the header`,
      );
    }
    const label = record.fields[labelColumn].trim();
    if (label === "") {
      throw new UsageError(
        `${file} line ${record.line}, column ${labelColumn + 1} (${JSON.stringify(options.labelColumn)}): empty label`,
      );
    }
    rawLabels.push(label);
    featureColumns.forEach((column, k) => {
      const text = record.fields[column].trim();
      if (!DECIMAL_NUMBER.test(text)) {
        throw new UsageError(
          `${file} line ${record.line}, column ${column + 1} (${JSON.stringify(header[column])}): ` +
            `expected a decimal number, received ${JSON.stringify(record.fields[column])}`,
        );
      }
      const value = Number(text);
      if (!Number.isFinite(value) || !Number.isFinite(Math.fround(value))) {
        throw new UsageError(
          `${file} line ${record.line}, column ${column + 1} (${JSON.stringify(header[column])}): ` +
            `expected a number within the f32 range, received ${text}`,
        );
      }
      inputs[row * featureColumns.length + k] = value;
    });
  });

  const classNames = [...new Set(rawLabels)].sort();
  if (classNames.length > 256) {
    throw new UsageError(`${file}: expected at most 256 distinct labels, received ${classNames.length}`);
  }
  const classOf = new Map(classNames.map((name, c) => [name, c]));
  const labels = Uint8Array.from(rawLabels, (label) => classOf.get(label)!);
  const featureNames = featureColumns.map((column) => header[column]);
  const dataset: Dataset = {
    name: options.name ?? basename(file, extname(file)),
    inputs,
    labels,
    shape: [featureColumns.length],
    classes: classNames.length,
    classNames,
  };
  return { dataset, featureNames };
}

/**
 * Standardises features in place: x -> (x - mean) / std with mean and population standard deviation
 * (divided by n) of each feature over `train`, applied to `train` and to every data set in `others`.
 * A feature that is constant over the training part keeps std = 1 (it becomes 0 rather than NaN).
 * Sums in f64; results stored as f32.
 */
export function standardize(
  train: Dataset,
  others: readonly Dataset[] = [],
): { mean: Float64Array; std: Float64Array } {
  const features = train.shape.reduce((a, b) => a * b, 1);
  const n = sampleCount(train);
  const mean = new Float64Array(features);
  const std = new Float64Array(features);
  for (let i = 0; i < n; i++) for (let f = 0; f < features; f++) mean[f] += train.inputs[i * features + f];
  for (let f = 0; f < features; f++) mean[f] = n > 0 ? mean[f] / n : 0;
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < features; f++) std[f] += (train.inputs[i * features + f] - mean[f]) ** 2;
  }
  for (let f = 0; f < features; f++) std[f] = n > 0 && std[f] > 0 ? Math.sqrt(std[f] / n) : 1;
  for (const dataset of [train, ...others]) {
    const inputs = dataset.inputs;
    for (let i = 0; i < inputs.length; i++) {
      const f = i % features;
      inputs[i] = (inputs[i] - mean[f]) / std[f];
    }
  }
  return { mean, std };
}

/**
 * CSV text -> stratified train/test split (see stratifiedSplit), standardised from the training part
 * when asked. `file` names the source in error messages.
 */
export function csvDataset(text: string, file: string, options: CsvOptions): CsvData {
  const { dataset, featureNames } = csvTable(text, file, options);
  const fraction = options.testFraction ?? 0.2;
  if (!(fraction >= 0 && fraction < 1)) throw expected("a test fraction in [0, 1)", fraction);
  const split = stratifiedSplit(dataset, { seed: options.splitSeed ?? 0, testFraction: fraction });
  if (!options.standardize) return { ...split, featureNames };
  const standardization = standardize(split.train, [split.test]);
  return { ...split, featureNames, standardization };
}

/** Loads a CSV file of tabular features: see {@link csvDataset}. A missing file is a UsageError. */
export function loadCsv(file: string, options: CsvOptions): CsvData {
  return csvDataset(readTextFile(file), file, options);
}

/** A text file's contents; a missing or unreadable file is a UsageError naming it. */
export function readTextFile(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new UsageError(`missing file: ${file} does not exist`);
    throw new UsageError(`${file}: cannot read it (${code ?? (error as Error).message})`);
  }
}
