// Windows of a multichannel sensor stream (human activity recognition on wearables, the reference edge
// case of continual learning) from a CSV file: one row per window, an activity label, an optional
// subject, and channel-by-time columns `<channel>_<step>`. Layout: docs/data.md, "Sensor windows".

import { basename, extname } from "node:path";
import { UsageError } from "../errors.js";
import { csvTable, parseCsvRecords, readTextFile, standardize } from "./csv.js";
import { type DataSplit, stratifiedSplit, subset } from "./dataset.js";

/** Options of {@link windowsDataset}. */
export interface WindowsOptions {
  /** Header name of the activity column; default "activity". */
  labelColumn?: string;
  /** Header name of the subject column; default "subject" (optional in the file). */
  subjectColumn?: string;
  /** Share of subjects (or, without subjects, of windows) held out for testing; default 0.2. */
  testFraction?: number;
  /** Name of the data set in reports and benchmark names; default the file name without extension. */
  name?: string;
}

/** What {@link windowsDataset} returns: the split, the stream's layout, and who is in the test part. */
export interface WindowsData extends DataSplit {
  /** Channels in column order, and time steps per window. */
  readonly channels: readonly string[];
  readonly steps: number;
  /** Subjects whose windows form the test part; empty when the file has no subject column. */
  readonly testSubjects: readonly string[];
}

const STEP_COLUMN = /^(.+)_(\d+)$/;

/** Channels and steps of the feature columns, checked to be `<channel>_0 .. <channel>_<T-1>` for every channel. */
function windowLayout(names: readonly string[], file: string): { channels: string[]; steps: number } {
  const steps = new Map<string, number[]>();
  for (const name of names) {
    const match = STEP_COLUMN.exec(name);
    if (!match) throw new UsageError(`${file}: expected feature columns named <channel>_<step> (e.g. acc_x_0), received ${JSON.stringify(name)}`);
    const list = steps.get(match[1]) ?? [];
    list.push(Number(match[2]));
    steps.set(match[1], list);
  }
  const channels = [...steps.keys()];
  const length = steps.get(channels[0])!.length;
  for (const channel of channels) {
    const list = steps.get(channel)!;
    if (list.length !== length || list.some((step, k) => step !== k)) {
      throw new UsageError(
        `${file}: expected channel ${JSON.stringify(channel)} to have columns ${channel}_0 .. ${channel}_${length - 1} in order ` +
          `(as channel ${JSON.stringify(channels[0])}), received steps ${list.join(", ")}`,
      );
    }
  }
  // Columns must come channel by channel, so that a window is stored channel-major.
  const expectedOrder = channels.flatMap((channel) => Array.from({ length }, (_, t) => `${channel}_${t}`));
  const misplaced = names.findIndex((name, i) => name !== expectedOrder[i]);
  if (misplaced >= 0) {
    throw new UsageError(`${file}: expected the columns channel by channel (${expectedOrder[misplaced]} at feature ${misplaced + 1}), received ${JSON.stringify(names[misplaced])}`);
  }
  return { channels, steps: length };
}

/**
 * Sensor windows -> train/test split. With a subject column, the test part is whole subjects: the last
 * round(testFraction x subjects) of them in sorted order (at least one when there are two or more), so a
 * learner is scored on people it never saw; without one, a class-stratified split (seed 0). Each feature is
 * standardised with the training part's mean and standard deviation. Samples have shape
 * [channels x steps], channel-major.
 */
export function windowsDataset(text: string, file: string, options: WindowsOptions = {}): WindowsData {
  const labelColumn = options.labelColumn ?? "activity";
  const subjectColumn = options.subjectColumn ?? "subject";
  const fraction = options.testFraction ?? 0.2;
  if (!(fraction > 0 && fraction < 1)) throw new UsageError(`expected a test fraction in (0, 1), received ${fraction}`);
  const records = parseCsvRecords(text, file);
  if (records.length === 0) throw new UsageError(`${file}: empty, expected a header row and one row per window`);
  const header = records[0].fields.map((name) => name.trim());
  const subjectAt = header.indexOf(subjectColumn);
  const featureColumns = header.filter((name) => name !== labelColumn && name !== subjectColumn);
  if (featureColumns.length === 0) throw new UsageError(`${file}: no <channel>_<step> columns besides ${labelColumn}`);
  const { channels, steps } = windowLayout(featureColumns, file);
  const { dataset } = csvTable(text, file, { labelColumn, featureColumns, name: options.name ?? basename(file, extname(file)) });

  let split: DataSplit;
  let testSubjects: string[] = [];
  if (subjectAt >= 0) {
    const subjects = records.slice(1).map((record) => record.fields[subjectAt].trim());
    const distinct = [...new Set(subjects)].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
    if (distinct.length < 2) throw new UsageError(`${file}: expected windows of at least two subjects to hold one out for testing, received ${distinct.length}`);
    const held = Math.min(distinct.length - 1, Math.max(1, Math.round(fraction * distinct.length)));
    testSubjects = distinct.slice(distinct.length - held);
    const test = new Set(testSubjects);
    const indices = (inTest: boolean) => subjects.flatMap((s, i) => (test.has(s) === inTest ? [i] : []));
    split = { train: subset(dataset, indices(false)), test: subset(dataset, indices(true)) };
  } else {
    split = stratifiedSplit(dataset, { seed: 0, testFraction: fraction });
  }
  standardize(split.train, [split.test]);
  return { ...split, channels, steps, testSubjects };
}

/** Loads a CSV of sensor windows: see {@link windowsDataset}. A missing file is a UsageError. */
export function loadWindows(file: string, options: WindowsOptions = {}): WindowsData {
  return windowsDataset(readTextFile(file), file, options);
}
