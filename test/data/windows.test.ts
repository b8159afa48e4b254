// The sensor-window loader against the committed synthetic fixture (test/fixtures/data/har.csv, made by
// make-har.mjs there) and hand-written files: layout, held-out subjects, standardisation, errors.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadWindows, windowsDataset } from "../../host/data/windows.js";
import { usageError } from "../helpers/usage-error.js";

const FIXTURE = "test/fixtures/data/har.csv";


describe("sensor windows from a CSV", () => {
  const data = loadWindows(FIXTURE);
  // An independent reading of the fixture: plain string splitting (it has no quoted fields).
  const lines = readFileSync(FIXTURE, "utf8").trim().split("\n").map((l) => l.split(","));
  const rows = lines.slice(1);

  it("reads 3 channels of 16 steps, 6 activities in sorted order, channel-major samples", () => {
    expect(data.channels).toEqual(["acc_x", "acc_y", "acc_z"]);
    expect(data.steps).toBe(16);
    expect(data.train.shape).toEqual([48]);
    expect(data.train.classNames).toEqual(["downstairs", "lying", "sitting", "standing", "upstairs", "walking"]);
    expect(data.train.name).toBe("har");
  });

  it("holds out whole subjects: the last 20% of them (subject 5 of 5), every window once", () => {
    expect(data.testSubjects).toEqual(["5"]);
    expect(data.test.labels.length).toBe(rows.filter((r) => r[0] === "5").length);
    expect(data.train.labels.length).toBe(rows.filter((r) => r[0] !== "5").length);
    const activities = [...new Set(rows.map((r) => r[1]))].sort();
    const testLabels = rows.filter((r) => r[0] === "5").map((r) => activities.indexOf(r[1]));
    expect([...data.test.labels]).toEqual(testLabels);
  });

  it("standardises every feature with the training part's mean and population standard deviation", () => {
    const train = rows.filter((r) => r[0] !== "5");
    for (const f of [0, 17, 47]) {
      const xs = train.map((r) => Number(r[2 + f]));
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
      expect(data.train.inputs[f]).toBeCloseTo((xs[0] - mean) / std, 5);
      const firstTest = Number(rows.find((r) => r[0] === "5")![2 + f]);
      expect(data.test.inputs[f]).toBeCloseTo((firstTest - mean) / std, 5);
    }
  });

  it("splits by class, stratified, when the file has no subject column", () => {
    const text = ["activity,a_0,a_1", ...Array.from({ length: 10 }, (_, i) => `${i % 2 ? "run" : "sit"},${i},${i + 1}`)].join("\n");
    const split = windowsDataset(text, "nosubject.csv");
    expect(split.testSubjects).toEqual([]);
    expect(split.test.labels.length).toBe(2);
    expect([...split.test.labels].sort()).toEqual([0, 1]);
  });

  it("names what is wrong with a file's layout", () => {
    expect(usageError(() => windowsDataset("activity,subject,x_0,x_2\nsit,1,1,2\nrun,2,3,4", "gap.csv"))).toBe(
      'gap.csv: expected channel "x" to have columns x_0 .. x_1 in order (as channel "x"), received steps 0, 2',
    );
    expect(usageError(() => windowsDataset("activity,subject,x_0,mean\nsit,1,1,2", "bad.csv"))).toBe(
      'bad.csv: expected feature columns named <channel>_<step> (e.g. acc_x_0), received "mean"',
    );
    expect(usageError(() => windowsDataset("activity,subject,x_0,y_0,x_1,y_1\nsit,1,1,2,3,4\nrun,2,1,2,3,4", "order.csv"))).toBe(
      'order.csv: expected the columns channel by channel (x_1 at feature 2), received "y_0"',
    );
    expect(usageError(() => windowsDataset("activity,subject,x_0\nsit,1,1\nrun,1,2", "one.csv"))).toBe(
      "one.csv: expected windows of at least two subjects to hold one out for testing, received 1",
    );
    expect(usageError(() => loadWindows("no/such.csv"))).toBe("missing file: no/such.csv does not exist");
  });
});
