// Which data a run streams, and the benchmark names over it: the issue's rows "split-har runs Split
// MNIST" and "--experiences 2 shrinks the output layer", end to end on an in-process board.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { dataName, loadRunData, parseDatasetSource } from "../../host/cl/data-source.js";
import { makeBenchmark } from "../../host/cl/benchmarks.js";
import { planRun, runContinual } from "../../host/cl/run.js";
import { loadMnist } from "../../host/data/index.js";
import { smallRun } from "../helpers/run-options.js";
import { expectValidReport } from "../helpers/report-schema.js";
import { usageError } from "../helpers/usage-error.js";


describe("data sources and benchmark names", () => {
  it("parses the four sources and refuses anything else with the list", () => {
    expect(parseDatasetSource("mnist")).toEqual({ kind: "mnist" });
    expect(parseDatasetSource("idx:data/fashion")).toEqual({ kind: "idx", path: "data/fashion" });
    expect(parseDatasetSource("har:x.csv")).toEqual({ kind: "har", path: "x.csv" });
    expect(usageError(() => parseDatasetSource("cifar"))).toBe('expected --dataset to be one of mnist, idx:DIR, csv:FILE, har:FILE, received "cifar"');
    expect(dataName("data/UCI HAR.csv")).toBe("uci-har");
  });

  it("refuses split-har on the embedded digits instead of running Split MNIST", () => {
    expect(usageError(() => loadRunData({ benchmark: "split-har" }))).toBe(
      'expected a benchmark over the embedded digits: split-mnist, permuted-mnist, rotated-mnist, received "split-har"; for other data give --dataset idx:DIR, csv:FILE, har:FILE',
    );
    expect(usageError(() => loadRunData({ benchmark: "split-mnist", dataset: "har:test/fixtures/data/har.csv" }))).toBe(
      'expected a benchmark over the data set har: split-har, permuted-har, rotated-har, received "split-mnist"',
    );
    // Names of no kind at all get the same list: what this data allows.
    expect(usageError(() => loadRunData({ benchmark: "shuffled-mnist" }))).toBe(
      'expected a benchmark over the embedded digits: split-mnist, permuted-mnist, rotated-mnist, received "shuffled-mnist"; for other data give --dataset idx:DIR, csv:FILE, har:FILE',
    );
  });

  it("defaults the benchmark to split-<data> and streams the sensor windows class-incrementally over activities", () => {
    const har = loadRunData({ dataset: "har:test/fixtures/data/har.csv" });
    expect(har.benchmark).toBe("split-har");
    const stream = makeBenchmark({ name: har.benchmark, scenario: "class", seed: 3, dataset: har.split });
    expect(stream.experiences.length).toBe(3);
    expect(stream.heads).toEqual([6]);
    expect(stream.experiences.flatMap((e) => e.classes).sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("builds permuted- and rotated- over any loaded image set, and refuses to rotate sensor windows", () => {
    const digits = loadMnist({ testCount: 100 });
    const small = { train: { ...digits.train, name: "digits" }, test: { ...digits.test, name: "digits" } };
    expect(loadRunData({ benchmark: "rotated-digits", data: small }).benchmark).toBe("rotated-digits");
    expect(makeBenchmark({ name: "permuted-digits", scenario: "domain", seed: 1, dataset: small, experiences: 2 }).experiences.length).toBe(2);
    const har = loadRunData({ dataset: "har:test/fixtures/data/har.csv", benchmark: "rotated-har" });
    expect(usageError(() => makeBenchmark({ name: har.benchmark, scenario: "class", seed: 1, dataset: har.split }))).toContain("expected an image data set");
  });
});

describe("idx:DIR and csv:FILE sources", () => {
  const root = mkdtempSync(join(tmpdir(), "edgecl-sources-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("names an IDX directory by its base name and builds rotated- over its images", () => {
    // 8 training and 4 test images of 4 x 4 pixels, 4 classes: IDX written byte by byte (big-endian header).
    const file = (magic: number, dims: number[], bytes: number[]) => {
      const header = Buffer.alloc(4 + 4 * dims.length);
      header.writeUInt32BE(magic, 0);
      dims.forEach((d, k) => header.writeUInt32BE(d, 4 + 4 * k));
      return Buffer.concat([header, Buffer.from(bytes)]);
    };
    const dir = join(root, "Fashion");
    mkdirSync(dir);
    writeFileSync(join(dir, "train-images-idx3-ubyte"), file(0x803, [8, 4, 4], Array.from({ length: 128 }, (_, i) => (i * 7) % 256)));
    writeFileSync(join(dir, "train-labels-idx1-ubyte"), file(0x801, [8], [0, 1, 2, 3, 0, 1, 2, 3]));
    writeFileSync(join(dir, "t10k-images-idx3-ubyte"), file(0x803, [4, 4, 4], Array.from({ length: 64 }, (_, i) => (i * 11) % 256)));
    writeFileSync(join(dir, "t10k-labels-idx1-ubyte"), file(0x801, [4], [3, 2, 1, 0]));
    const data = loadRunData({ dataset: `idx:${dir}`, benchmark: "rotated-fashion" });
    expect([data.name, data.source]).toEqual(["fashion", `idx:${dir}`]);
    const stream = makeBenchmark({ name: data.benchmark, scenario: "domain", seed: 1, dataset: data.split, experiences: 3 });
    expect(stream.experiences.map((e) => e.angleDegrees)).toEqual([0, 60, 120]);
    expect(usageError(() => loadRunData({ dataset: `idx:${dir}`, label: "y" }))).toBe("--label goes with --dataset csv:FILE or har:FILE, received --dataset idx:" + dir);
  });

  it("reads a CSV table with the label column given, split-<file name> by default", () => {
    const csv = join(root, "Gestures.csv");
    writeFileSync(csv, ["a,b,kind", ...Array.from({ length: 20 }, (_, i) => `${i},${i % 3},${["up", "down", "left", "right"][i % 4]}`)].join("\n"));
    const data = loadRunData({ dataset: `csv:${csv}`, label: "kind" });
    expect(data.benchmark).toBe("split-gestures");
    expect(data.split.train.classNames).toEqual(["down", "left", "right", "up"]);
    expect(usageError(() => loadRunData({ dataset: `csv:${csv}` }))).toContain('expected a label column named "label"');
  });
});

describe("--experiences keeps the output layer of the whole stream", () => {
  // All five experiences unless a test says how many.
  const base = smallRun({ scenario: "class", precision: "fp32", seed: 2, iterations: 20, board: "inline", experiences: undefined });

  it("plans 10 output units for 2 of 5 experiences, 4 with outputLayer seen", () => {
    expect(planRun({ ...base, experiences: 2 }).benchmark.heads).toEqual([10]);
    expect(planRun({ ...base, experiences: 2, outputLayer: "seen" }).benchmark.heads).toEqual([4]);
    expect(planRun({ ...base, experiences: 2, scenario: "task" }).benchmark.heads).toEqual([2, 2, 2, 2, 2]);
  });

  it("gives the first two rows of a 5-experience run, bit for bit, when run for 2", async () => {
    const five = await runContinual(base);
    const two = await runContinual({ ...base, experiences: 2 });
    const seen = await runContinual({ ...base, experiences: 2, outputLayer: "seen" });
    expect(two.accuracy).toEqual(five.accuracy.slice(0, 2).map((row) => row.slice(0, 2)));
    expect(two.telemetry[1].eval.modelChecksum).toBe(five.telemetry[1].eval.modelChecksum);
    expect(seen.telemetry[1].eval.modelChecksum).not.toBe(five.telemetry[1].eval.modelChecksum);
    for (const report of [five, two, seen]) expectValidReport(report);
  }, 120_000);
});
