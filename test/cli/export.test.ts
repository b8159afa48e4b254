// edgecl export writes exactly the samples a run streams (the same class order, subsets and labels),
// read back here from the files as another implementation would read them.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runStream } from "../../host/cl/run.js";
import { edgeclSources } from "../helpers/cli.js";
import { tempDir } from "../helpers/temp-dir.js";

const dir = tempDir("export");

describe("edgecl export", () => {
  it("writes each experience's inputs (f32) and labels (u8) as the run sends them, and describes them in stream.json", () => {
    const out = join(dir, "task");
    const r = edgeclSources(["export", out, "--scenario", "task", "--seed", "4", "--class-order", "fixed", "--train-samples", "50", "--test-samples", "20"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const stream = JSON.parse(readFileSync(join(out, "stream.json"), "utf8"));
    expect(stream).toMatchObject({ format: "edgecl-stream-1", benchmark: "split-mnist", scenario: "task", seed: 4, features: 784, heads: [2, 2, 2, 2, 2] });
    expect(stream.classOrder).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const expected = runStream({ benchmark: "split-mnist", scenario: "task", seed: 4, classOrder: "fixed", trainSamples: 50, testSamples: 20 });
    expect(stream.experiences).toHaveLength(5);
    stream.experiences.forEach((e: { id: number; classes: number[]; train: { inputs: string; labels: string; count: number } }, k: number) => {
      expect(e.classes).toEqual([2 * k, 2 * k + 1]);
      const bytes = readFileSync(join(out, e.train.inputs));
      const inputs = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
      const labels = Array.from(readFileSync(join(out, e.train.labels)));
      expect(e.train.count).toBe(50);
      expect(inputs).toEqual(expected.experiences[k].train.inputs);
      expect(labels).toEqual(Array.from(expected.experiences[k].train.labels));
      // Task scenario: labels within the experience's own head.
      expect(new Set(labels)).toEqual(new Set([0, 1]));
    });
  });

  it("refuses a bad class order with the allowed values, exit 2", () => {
    const r = edgeclSources(["export", join(dir, "bad"), "--class-order", "random"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/expected --class-order to be seeded, fixed or a comma-separated list of classes, received "random"/);
  });
});
