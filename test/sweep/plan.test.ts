// Sweep files and their plans: grid order, seeded samples, content hashes, bundles, board manifest
// keys, and the one-line errors a bad file gets.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { runOptionSpecs } from "../../host/cli/commands/sweep.js";
import { checkSweepFile } from "../../host/sweep/file.js";
import { planSweep, sampleIndices, type SweepPlan } from "../../host/sweep/plan.js";
import { edgecl } from "../helpers/cli.js";
import { tempDir } from "../helpers/temp-dir.js";

const dir = tempDir("sweep-plan");

function plan(data: Record<string, unknown>, file = join(dir, "s.sweep.json")): SweepPlan {
  return planSweep(checkSweepFile(data, file), runOptionSpecs());
}

describe("the grid", () => {
  test("every combination once, the last axis varying fastest, as nested loops would give", () => {
    const axes = { precision: ["fp32", "bf16"], strategy: ["naive", "replay", "ewc"], seed: [1, 2] };
    const expected: string[][] = [];
    for (const p of axes.precision) for (const s of axes.strategy) for (const seed of axes.seed) expected.push([p, s, String(seed)]);
    const p = plan({ axes });
    expect(p.gridSize).toBe(12);
    expect(p.runs.map((r) => [r.axes.precision, r.axes.strategy, r.axes.seed])).toEqual(expected);
    expect(p.runs.map((r) => r.index)).toEqual([...Array(12).keys()]);
    expect(p.runs.map((r) => [r.options.precision, r.options.strategy, r.options.seed])).toEqual(expected);
    expect(new Set(p.runs.map((r) => r.hash)).size).toBe(12);
  });

  test("every run carries the run command's defaults for what the sweep does not set", () => {
    const run = plan({ axes: { seed: [3] } }).runs[0];
    expect(run.options).toMatchObject({ scenario: "class", strategy: "replay", precision: "fp8-mixed", model: "mlp:64,64", iterations: "300", batch: "32", seed: "3", board: "sim" });
    // --epochs replaces the default --iterations (the two exclude each other).
    expect(plan({ base: { epochs: 2 }, axes: { seed: [3] } }).runs[0].options.iterations).toBeUndefined();
  });
});

describe("content hashes", () => {
  test("the same configuration has the same hash however the sweep file reaches it", () => {
    const viaAxis = plan({ base: { model: "mlp:8" }, axes: { seed: [1, 2] } }).runs[0];
    const viaBase = plan({ base: { seed: 1, scenario: "class" }, axes: { model: ["mlp:8"] } }).runs[0];
    expect(viaBase.hash).toBe(viaAxis.hash);
    expect(viaBase.options).toEqual(viaAxis.options);
    // Numbers and their text are the same option value.
    expect(plan({ base: { lr: 0.001 }, axes: { seed: [1] } }).runs[0].hash).toBe(plan({ base: { lr: "0.001" }, axes: { seed: [1] } }).runs[0].hash);
  });

  test("any change of an option or of the board manifest changes the hash", () => {
    const hashes = [
      plan({ axes: { seed: [1] } }),
      plan({ axes: { seed: [2] } }),
      plan({ axes: { "board.accelerator.rows": [4] } }),
      plan({ axes: { "board.accelerator.rows": [8] } }),
      plan({ axes: { "board.accelerator.setupCycles": [21] } }),
    ].map((p) => p.runs[0].hash);
    expect(new Set(hashes).size).toBe(hashes.length);
    expect(hashes.every((h) => /^[0-9a-f]{16}$/.test(h))).toBe(true);
  });

  test("points that resolve to the same run are planned once", () => {
    const p = plan({ base: { seed: 1 }, axes: { seed: [1, 2, 1] } });
    expect(p.runs.map((r) => r.axes.seed)).toEqual(["1", "2"]);
    expect(p.duplicates).toBe(1);
  });
});

describe("bundles and board manifests", () => {
  test("a bundle axis sets several options together and is shown by its name", () => {
    const p = plan({ axes: { budget: [{ name: "small", model: "mlp:8", iterations: 5 }, { model: "mlp:100,100", iterations: 100 }] } });
    expect(p.runs.map((r) => r.axes.budget)).toEqual(["small", "model=mlp:100,100,iterations=100"]);
    expect(p.runs[0].options).toMatchObject({ model: "mlp:8", iterations: "5" });
    expect(p.runs[1].options).toMatchObject({ model: "mlp:100,100", iterations: "100" });
  });

  test("board.* keys make a manifest of the run's own: the base board with the keys changed", () => {
    const p = plan({ base: { board: "sim" }, axes: { "board.accelerator": [{ name: "8x2", rows: 8, cols: 2 }], "board.accelerator.productFormats": [["e4m3"]] } });
    const run = p.runs[0];
    expect(run.options.board).toBe("sim");
    expect(run.axes).toEqual({ "board.accelerator": "8x2", "board.accelerator.productFormats": '["e4m3"]' });
    const accelerator = run.board!.manifest.accelerator as Record<string, unknown>;
    const sim = JSON.parse(readFileSync(new URL("../../board/sim.json", import.meta.url), "utf8"));
    // The sim board's accelerator with three keys changed; "name" only labels the value; comments go.
    expect(accelerator).toEqual({ ...sim.accelerator, rows: 8, cols: 2, productFormats: ["e4m3"] });
    expect(run.board!.manifest.$comment).toBeUndefined();
    expect(run.board!.manifest.energy).toEqual(Object.fromEntries(Object.entries(sim.energy).filter(([k]) => k !== "$comment")));
  });

  test("a manifest path is read relative to the sweep file, and keyed by its content", () => {
    const board = JSON.parse(JSON.stringify(plan({ base: { board: "sim" }, axes: { "board.accelerator.rows": [4] } }).runs[0].board!.manifest));
    writeFileSync(join(dir, "my-board.json"), JSON.stringify(board));
    const run = plan({ axes: { board: ["./my-board.json"] } }).runs[0];
    expect(run.board!.base).toBe(join(dir, "my-board.json"));
    expect(run.options.board).toBe("my-board");
    expect(run.board!.manifest).toEqual(board);
  });
});

describe("samples", () => {
  test("n distinct points of the grid, ascending, the same for the same seed", () => {
    const a = sampleIndices(1000, 20, 7);
    expect(a).toHaveLength(20);
    expect(new Set(a).size).toBe(20);
    expect([...a].sort((x, y) => x - y)).toEqual(a);
    expect(a.every((i) => Number.isInteger(i) && i >= 0 && i < 1000)).toBe(true);
    expect(sampleIndices(1000, 20, 7)).toEqual(a);
    expect(sampleIndices(1000, 20, 8)).not.toEqual(a);
    expect(sampleIndices(5, 5, 1)).toEqual([0, 1, 2, 3, 4]);
  });

  test("every point equally likely: 3 of 10 over 3000 seeds, each point within 6 sigma of 900", () => {
    const counts = new Array(10).fill(0);
    for (let seed = 0; seed < 3000; seed++) for (const i of sampleIndices(10, 3, seed)) counts[i]++;
    // Binomial(3000, 0.3): mean 900, sigma sqrt(3000 * 0.3 * 0.7) = 25.1.
    for (const c of counts) expect(Math.abs(c - 900)).toBeLessThan(6 * 25.1);
  });

  test("a sweep file's sample picks those grid points", () => {
    const axes = { precision: ["fp32", "bf16", "fp16"], seed: [1, 2, 3, 4] };
    const full = plan({ axes }).runs;
    const sampled = plan({ axes, sample: { n: 5, seed: 3 } });
    expect(sampled.runs.map((r) => r.hash)).toEqual(sampleIndices(12, 5, 3).map((i) => full[i].hash));
    expect(sampled.gridSize).toBe(12);
  });
});

describe("bad sweep files", () => {
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ["an unknown option", { axes: { colour: ["red"] } }, /axis "colour": expected an edgecl run option \(dataset, .*benchmark, .*\), board\.<manifest key>, or a bundle/],
    ["an option the sweep sets itself", { base: { json: "x.json" }, axes: { seed: [1] } }, /expected an option the sweep does not set itself, received "json"/],
    ["no axes", { axes: {} }, /key "axes": expected an object with at least one axis/],
    ["an empty axis", { axes: { seed: [] } }, /key "axes.seed": expected a non-empty list of values/],
    ["an object for a plain option", { axes: { seed: [{ a: 1 }] } }, /expected a string or a number for --seed/],
    ["board keys on the inline board", { base: { board: "inline" }, axes: { "board.accelerator.rows": [2] } }, /expected a board id or manifest path with board\.\* keys, received board "inline"/],
    ["a manifest key with a wrong value", { axes: { "board.accelerator.rows": [0] } }, /key "accelerator.rows": expected a number >= 1, received 0/],
    ["a sample larger than the grid", { axes: { seed: [1, 2] }, sample: { n: 3 } }, /expected at most the grid's 2 points, received 3/],
    ["an unknown top-level key", { axes: { seed: [1] }, grid: true }, /key "grid": expected one of the keys/],
  ];
  test.each(cases)("%s", (_, data, message) => {
    expect(() => plan(data)).toThrow(message);
  });

  test("the CLI prints one line and exits 2", () => {
    const file = join(dir, "bad.sweep.json");
    writeFileSync(file, JSON.stringify({ axes: { colour: ["red"] } }));
    const r = edgecl(["sweep", "plan", file]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^edgecl: .*bad\.sweep\.json: axis "colour": expected an edgecl run option/);
    const engine = edgecl(["sweep", "run", file, "--engine", "cloud"]);
    expect(engine.code).toBe(2);
    expect(engine.stderr).toBe('edgecl: expected --engine to be local or slurm, received "cloud"\n');
  });

  test("sweep plan lists the runs with their axes and state", () => {
    const file = join(dir, "list.sweep.json");
    writeFileSync(file, JSON.stringify({ axes: { precision: ["fp32", "bf16"], seed: [1] } }));
    const r = edgecl(["sweep", "plan", file, "--out", join(dir, "nowhere")]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toBe("sweep list: 2 runs (the full grid of 2 x 1)");
    expect(lines[2]).toMatch(/^#\s+run\s+state\s+precision\s+seed$/);
    expect(lines[3]).toMatch(/^0\s+[0-9a-f]{16}\s+pending\s+fp32\s+1$/);
    expect(lines[4]).toMatch(/^1\s+[0-9a-f]{16}\s+pending\s+bf16\s+1$/);
  });
});
