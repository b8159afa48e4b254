import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { classCounts } from "../../host/data/dataset.js";
import { csvDataset, csvTable, loadCsv, parseCsvRecords } from "../../host/data/csv.js";
import { usageError } from "../helpers/usage-error.js";
import { tempDir } from "../helpers/temp-dir.js";

const root = tempDir("csv");


describe("CSV records", () => {
  it("handles quotes, escaped quotes, delimiters and line breaks in quotes, CRLF, a BOM and blank lines", () => {
    const text = '\ufeffa,b\r\n"x, y","say ""hi"""\r\n\r\n"two\nlines",3\n';
    expect(parseCsvRecords(text, "t.csv")).toEqual([
      { line: 1, fields: ["a", "b"] },
      { line: 2, fields: ["x, y", 'say "hi"'] },
      { line: 4, fields: ["two\nlines", "3"] },
    ]);
  });

  it("takes another delimiter and keeps empty fields", () => {
    expect(parseCsvRecords("a;;c", "t.csv", ";")).toEqual([{ line: 1, fields: ["a", "", "c"] }]);
  });

  it("reports an unclosed quote and text after a closing quote with line and column", () => {
    expect(usageError(() => parseCsvRecords('a,b\n1,"open\n', "q.csv"))).toBe(
      "q.csv line 2, column 2: a quoted field is never closed",
    );
    expect(usageError(() => parseCsvRecords('a,b\n"x"y,1\n', "q.csv"))).toContain(
      "q.csv line 2, column 1: expected the delimiter or a line end after a closing quote",
    );
  });
});

describe("CSV table", () => {
  const text = [
    "accel_x,activity,accel_y",
    "1.5,walk,-2",
    "0.25,run,1e-3",
    ".5,sit,+3",
    "2,walk,4.",
  ].join("\n");

  it("reads features in header order and maps labels to their sorted order", () => {
    const { dataset, featureNames } = csvTable(text, "act.csv", { labelColumn: "activity" });
    expect(featureNames).toEqual(["accel_x", "accel_y"]);
    expect(dataset.shape).toEqual([2]);
    expect(dataset.classNames).toEqual(["run", "sit", "walk"]);
    expect(dataset.classes).toBe(3);
    expect([...dataset.labels]).toEqual([2, 0, 1, 2]);
    expect([...dataset.inputs]).toEqual([1.5, -2, 0.25, 0.001, 0.5, 3, 2, 4].map(Math.fround));
    expect(dataset.name).toBe("act");
  });

  it("sorts labels as strings: '10' before '2'", () => {
    const { dataset } = csvTable("x,y\n1,2\n2,10\n3,1\n", "n.csv", { labelColumn: "y" });
    expect(dataset.classNames).toEqual(["1", "10", "2"]);
    expect([...dataset.labels]).toEqual([2, 1, 0]);
  });

  it("uses only the listed feature columns, in the order listed", () => {
    const { dataset, featureNames } = csvTable(",x,y,label\n0,1,2,a\n1,3,4,b\n", "i.csv", {
      labelColumn: "label",
      featureColumns: ["y", "x"],
    });
    expect(featureNames).toEqual(["y", "x"]);
    expect([...dataset.inputs]).toEqual([2, 1, 4, 3]);
  });

  it("names file, line and column of a value that is not a number", () => {
    for (const bad of ["abc", "", "0x10", "NaN", "Infinity", "1,5"]) {
      const quoted = bad.includes(",") ? `"${bad}"` : bad;
      const message = usageError(() => csvTable(`a,b,label\n1,2,x\n3,${quoted},y\n`, "bad.csv", { labelColumn: "label" }));
      expect(message).toBe(`bad.csv line 3, column 2 ("b"): expected a decimal number, received ${JSON.stringify(bad)}`);
    }
    expect(usageError(() => csvTable("a,label\n1e999,x\n", "big.csv", { labelColumn: "label" }))).toBe(
      'big.csv line 2, column 1 ("a"): expected a number within the f32 range, received 1e999',
    );
  });

  it("counts blank lines when it names a line", () => {
    expect(usageError(() => csvTable("a,label\n1,x\n\n\nz,y\n", "gap.csv", { labelColumn: "label" }))).toContain(
      "gap.csv line 5, column 1",
    );
  });

  it("names the missing label column and the columns there are", () => {
    expect(usageError(() => csvTable(text, "act.csv", { labelColumn: "Activity" }))).toBe(
      'act.csv: expected a label column named "Activity", received columns "accel_x", "activity", "accel_y"',
    );
  });

  it("reports a ragged row with its line", () => {
    expect(usageError(() => csvTable("a,b,label\n1,2,x\n3,y\n", "rag.csv", { labelColumn: "label" }))).toBe(
      "rag.csv line 3: ragged row: 2 fields, expected 3 as in the header",
    );
  });

  it("reports an empty label, duplicate and unnamed columns, unknown feature columns, no rows", () => {
    expect(usageError(() => csvTable("a,label\n1, \n", "e.csv", { labelColumn: "label" }))).toBe(
      'e.csv line 2, column 2 ("label"): empty label',
    );
    expect(usageError(() => csvTable("a,a,label\n1,2,x\n", "d.csv", { labelColumn: "label" }))).toContain(
      'columns 1 and 2 are both named "a"',
    );
    expect(usageError(() => csvTable(",a,label\n0,1,x\n", "u.csv", { labelColumn: "label" }))).toContain(
      "u.csv line 1, column 1: a column without a name",
    );
    expect(usageError(() => csvTable("a,label\n1,x\n", "f.csv", { labelColumn: "label", featureColumns: ["b"] }))).toBe(
      'f.csv: expected feature columns among "a", received "b"',
    );
    expect(usageError(() => csvTable("a,label\n", "h.csv", { labelColumn: "label" }))).toBe("h.csv: a header but no data rows");
    expect(usageError(() => csvTable("", "z.csv", { labelColumn: "label" }))).toContain("z.csv: empty");
    expect(usageError(() => csvTable("label\nx\n", "o.csv", { labelColumn: "label" }))).toContain("no feature columns");
  });
});

describe("CSV data sets", () => {
  // 20 rows: class a has 10 rows with x = 0..9, class b has 10 rows with x = 100..109.
  const rows = Array.from({ length: 20 }, (_, i) => (i < 10 ? `${i},a` : `${100 + i - 10},b`));
  const text = ["x,label", ...rows].join("\n");

  it("splits stratified and reproducibly from the split seed", () => {
    const data = csvDataset(text, "s.csv", { labelColumn: "label", testFraction: 0.2, splitSeed: 3 });
    expect(classCounts(data.test.labels, 2)).toEqual([2, 2]);
    expect(classCounts(data.train.labels, 2)).toEqual([8, 8]);
    const again = csvDataset(text, "s.csv", { labelColumn: "label", testFraction: 0.2, splitSeed: 3 });
    expect([...again.test.inputs]).toEqual([...data.test.inputs]);
    expect(data.standardization).toBeUndefined();
  });

  it("standardises with the mean and population std of the whole file when nothing is held out", () => {
    // x,label rows 1..4: mean 2.5, population variance ((1.5^2 + 0.5^2) * 2) / 4 = 1.25
    const data = csvDataset("x,label\n1,a\n2,b\n3,a\n4,b\n", "m.csv", {
      labelColumn: "label",
      testFraction: 0,
      standardize: true,
    });
    expect(data.standardization!.mean[0]).toBe(2.5);
    expect(data.standardization!.std[0]).toBeCloseTo(Math.sqrt(1.25), 14);
    const byValue = [...data.train.inputs].sort((a, b) => a - b);
    expect(byValue).toEqual([-1.5, -0.5, 0.5, 1.5].map((d) => Math.fround(d / Math.sqrt(1.25))));
  });

  it("takes the standardisation statistics from the training part only", () => {
    const data = csvDataset(text, "s.csv", { labelColumn: "label", testFraction: 0.2, splitSeed: 3, standardize: true });
    const { mean, std } = data.standardization!;
    const original = (z: number) => Math.round(z * std[0] + mean[0]) + 0; // + 0 turns -0 into 0
    const trainValues = [...data.train.inputs].map(original);
    const testValues = [...data.test.inputs].map(original);
    // the parts partition the original values
    const all = [...Array(10).keys(), ...Array.from({ length: 10 }, (_, i) => 100 + i)];
    expect([...trainValues, ...testValues].sort((a, b) => a - b)).toEqual(all);
    // the statistics are those of the training values, computed here in f64
    const m = trainValues.reduce((a, b) => a + b, 0) / trainValues.length;
    const s = Math.sqrt(trainValues.reduce((a, v) => a + (v - m) ** 2, 0) / trainValues.length);
    expect(mean[0]).toBeCloseTo(m, 10);
    expect(std[0]).toBeCloseTo(s, 10);
    const allMean = all.reduce((a, b) => a + b, 0) / all.length;
    expect(mean[0]).not.toBeCloseTo(allMean, 6);
  });

  it("keeps a constant feature finite (it becomes 0)", () => {
    const data = csvDataset("x,c,label\n1,5,a\n2,5,b\n", "k.csv", { labelColumn: "label", testFraction: 0, standardize: true });
    expect(data.standardization!.std[1]).toBe(1);
    expect([data.train.inputs[1], data.train.inputs[3]]).toEqual([0, 0]);
  });

  it("loads from a file and reports a missing file", () => {
    const file = join(root, "har.csv");
    writeFileSync(file, text);
    const data = loadCsv(file, { labelColumn: "label", splitSeed: 1 });
    expect(data.train.name).toBe("har");
    expect(data.train.labels.length + data.test.labels.length).toBe(20);
    expect(usageError(() => loadCsv(join(root, "absent.csv"), { labelColumn: "label" }))).toBe(
      `missing file: ${join(root, "absent.csv")} does not exist`,
    );
  });

  it("rejects a bad test fraction", () => {
    expect(usageError(() => csvDataset(text, "s.csv", { labelColumn: "label", testFraction: 1.5 }))).toBe(
      "expected a test fraction in [0, 1), received 1.5",
    );
  });
});
