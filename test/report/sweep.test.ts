// The sweep report drawn from a sweep folder written by hand: fronts, per-axis effects and the CSV of
// every run, checked against values worked out from the fixtures.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { renderSweepCsv, renderSweepHtml } from "../../host/report/sweep.js";
import type { Report } from "../../host/report/types.js";
import { readSweepResults, type SweepResults } from "../../host/sweep/results.js";
import { sweepPanels } from "../../host/sweep/panels.js";
import { edgecl } from "../helpers/cli.js";
import { completeReport } from "./fixtures.js";
import { tempDir } from "../helpers/temp-dir.js";

const dir = tempDir("sweep-report");

// precision x strategy; fp8/replay has not run. Energy front (cheaper and more accurate wins):
// r2 (1 mJ, 45%) beats r0 (4 mJ, 40%); r1 (8 mJ, 80%) is the most accurate: front r2, r1.
// Memory front: r0 (50 kB, 40%) is the smallest, r2 (100 kB, 45%), r1 (800 kB, 80%): all three.
const figures = [
  { hash: "00000000000000a0", axes: { precision: "fp32", strategy: "naive" }, accuracy: 0.4, energy: 0.004, memory: 50_000 },
  { hash: "00000000000000a1", axes: { precision: "fp32", strategy: "replay" }, accuracy: 0.8, energy: 0.008, memory: 800_000 },
  { hash: "00000000000000a2", axes: { precision: "fp8", strategy: "naive" }, accuracy: 0.45, energy: 0.001, memory: 100_000 },
  { hash: "00000000000000a3", axes: { precision: "fp8", strategy: "replay" }, accuracy: null, energy: null, memory: null },
];

function writeSweep(): string {
  const sweep = join(dir, "sweep");
  const record = {
    schema: "edgecl-sweep",
    version: 1,
    name: "hand",
    file: "/nowhere/hand.sweep.json",
    axes: [
      { name: "precision", values: ["fp32", "fp8"] },
      { name: "strategy", values: ["naive", "replay"] },
    ],
    gridSize: 4,
    runs: figures.map((f, index) => ({ index, hash: f.hash, axes: f.axes })),
  };
  mkdirSync(sweep, { recursive: true });
  writeFileSync(join(sweep, "sweep.json"), JSON.stringify(record));
  for (const f of figures) {
    const runDir = join(sweep, "runs", f.hash);
    mkdirSync(runDir, { recursive: true });
    if (f.accuracy === null) continue;
    const r: Report = completeReport();
    r.metrics.avgAccuracy = f.accuracy;
    r.energy = { totalJ: f.energy!, perExperienceJ: [f.energy! / 3, f.energy! / 3, f.energy! / 3] };
    r.memory.modelBytes = f.memory!;
    writeFileSync(join(runDir, "report.json"), JSON.stringify(r));
  }
  return sweep;
}

describe("sweep report", () => {
  const sweep = writeSweep();
  const results = readSweepResults(sweep);

  test("the CSV: one row per run with its axes, figures and whether it is on each front", () => {
    const rows = renderSweepCsv(results).split("\r\n");
    const header = rows[0].split(",");
    expect(header.slice(0, 7)).toEqual(["index", "run", "state", "precision", "strategy", "avg_accuracy", "bwt"]);
    const column = (row: number, name: string) => rows[row + 1].split(",")[header.indexOf(name)];
    expect([0, 1, 2, 3].map((i) => column(i, "state"))).toEqual(["finished", "finished", "finished", "pending"]);
    expect([0, 1, 2, 3].map((i) => column(i, "avg_accuracy"))).toEqual(["0.4", "0.8", "0.45", ""]);
    expect([0, 1, 2, 3].map((i) => column(i, "energy_j"))).toEqual(["0.004", "0.008", "0.001", ""]);
    expect([0, 1, 2, 3].map((i) => column(i, "learner_bytes"))).toEqual(["50000", "800000", "100000", ""]);
    expect([0, 1, 2, 3].map((i) => column(i, "on_energy_front"))).toEqual(["false", "true", "true", ""]);
    expect([0, 1, 2, 3].map((i) => column(i, "on_memory_front"))).toEqual(["true", "true", "true", ""]);
    // 2,250,000 e4m3 + 780,000 fp32 MACs in the fixture.
    expect(column(0, "macs")).toBe("3030000");
    expect(rows).toHaveLength(6); // header, four runs, and the empty field after the last CRLF
  });

  test("the page: both planes with their fronts, the effect of each axis, every run", () => {
    const html = renderSweepHtml(results);
    // The two planes of every run, then one per strategy (a panel axis): naive's front is fp8 alone (1 mJ,
    // 45% beats 4 mJ, 40%), replay's the one finished run.
    expect(html.match(/<path class="front"/g)).toHaveLength(2 + 2);
    expect(html.match(/class="point on-front"/g)).toHaveLength(2 + 3 + 1 + 1);
    expect(html).toContain("3 finished, 0 failed, 0 partial, 1 pending.");
    // fp8 against fp32, strategy fixed: only naive is paired (45% - 40%), energy 1 mJ / 4 mJ, memory 100 kB / 50 kB.
    const precision = html.slice(html.indexOf("<h3>precision</h3>"), html.indexOf("<h3>strategy</h3>"));
    expect(precision).toContain("<td>fp8</td><td>1</td><td>45.00%</td><td>+5.00 pt (1)</td><td>1 mJ</td><td>×0.250 (1)</td>");
    expect(precision).toContain("×2.00 (1)");
    expect(html).toContain('href="data:text/csv;charset=utf-8,');
    expect(html).not.toMatch(/<script/i);
  });

  test("edgecl report SWEEP_DIR writes the page and the CSV", () => {
    const r = edgecl(["report", sweep, "--html", join(dir, "page.html"), "--csv", "-"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(renderSweepCsv(results));
    const summary = edgecl(["report", sweep]);
    expect(summary.stdout).toBe("sweep hand: 4 runs, 3 finished, 0 failed, 0 partial, 1 pending\n");
  });
});

describe("per scenario, mean over seeds: the accuracy-energy planes of a seeded sweep", () => {
  // scenario x precision x seed, all finished. Accuracy and energy of the two seeds, by hand:
  const cells: Record<string, Record<string, Array<[number, number]>>> = {
    // Dyadic accuracies, so that means tie exactly where the fronts below need them to.
    task: { fp32: [[0.875, 0.010], [0.8125, 0.012]], bf16: [[0.8125, 0.005], [0.8125, 0.005]], fp8: [[0.5, 0.002], [0.75, 0.002]], odd: [[0.625, 0.004], [0.625, 0.004]] },
    class: { fp32: [[0.25, 0.010], [0.5, 0.010]], bf16: [[0.375, 0.006], [0.375, 0.006]], fp8: [[0.375, 0.003], [0.375, 0.003]], odd: [[0.25, 0.001], [0.25, 0.001]] },
  };
  const precisions = Object.keys(cells.task);
  const scenarios = Object.keys(cells);

  function seededSweep(): SweepResults {
    const sweep = join(dir, "seeded");
    const runs: Array<{ index: number; hash: string; axes: Record<string, string> }> = [];
    for (const scenario of scenarios) for (const precision of precisions) for (const seed of ["1", "2"]) {
      const index = runs.length;
      const hash = index.toString(16).padStart(16, "0");
      runs.push({ index, hash, axes: { scenario, precision, seed } });
      const [accuracy, energy] = cells[scenario][precision][Number(seed) - 1];
      const r: Report = completeReport();
      r.metrics.avgAccuracy = accuracy;
      r.energy = { totalJ: energy, perExperienceJ: [energy, 0, 0] };
      mkdirSync(join(sweep, "runs", hash), { recursive: true });
      writeFileSync(join(sweep, "runs", hash, "report.json"), JSON.stringify(r));
    }
    const record = {
      schema: "edgecl-sweep", version: 1, name: "seeded", file: "/nowhere/seeded.sweep.json",
      axes: [{ name: "scenario", values: scenarios }, { name: "precision", values: precisions }, { name: "seed", values: ["1", "2"] }],
      gridSize: runs.length, runs,
    };
    writeFileSync(join(sweep, "sweep.json"), JSON.stringify(record));
    return readSweepResults(sweep);
  }

  /** The configurations no other one beats on both mean accuracy (up) and mean energy (down), by brute force. */
  function front(scenario: string): string[] {
    const mean = (p: string, k: 0 | 1) => (cells[scenario][p][0][k] + cells[scenario][p][1][k]) / 2;
    const beaten = (p: string) =>
      precisions.some((q) => q !== p && mean(q, 0) >= mean(p, 0) && mean(q, 1) <= mean(p, 1) && (mean(q, 0) > mean(p, 0) || mean(q, 1) < mean(p, 1)));
    return precisions.filter((p) => !beaten(p)).sort((a, b) => mean(a, 1) - mean(b, 1));
  }

  const results = seededSweep();

  test("one panel per scenario, one point per precision: mean and sample sd over the seeds, and the front of the means", () => {
    const panels = sweepPanels(results)!;
    expect(panels.panelAxes).toEqual(["scenario"]);
    expect(panels.pointAxes).toEqual(["precision"]);
    expect(panels.panels.map((p) => p.label)).toEqual(scenarios);
    const task = panels.panels[0];
    const fp32 = task.points.find((p) => p.label === "fp32")!;
    expect(fp32.accuracy!.mean).toBe(0.84375);
    // Sample sd of two values: their difference / sqrt(2).
    expect(fp32.accuracy!.sd).toBeCloseTo(0.0625 / Math.SQRT2, 12);
    expect(fp32.energyJ!.mean).toBeCloseTo(0.011, 12);
    for (const [k, scenario] of scenarios.entries()) {
      const panel = panels.panels[k];
      expect(panel.front.map((i) => panel.points[i].label)).toEqual(front(scenario));
    }
    // By hand: in task, odd (62.5%, 4 mJ) loses to fp8 (62.5%, 2 mJ), the others trade accuracy for energy;
    // in class, fp8 (37.5%, 3 mJ) beats bf16 and fp32 (37.5%, 6 and 10 mJ), odd is the cheapest.
    expect(front("task")).toEqual(["fp8", "bf16", "fp32"]);
    expect(front("class")).toEqual(["odd", "fp8"]);
  });

  test("the page draws each panel's plane with its front ringed, and lists every configuration", () => {
    const html = renderSweepHtml(results);
    expect(html).toContain("Accuracy against energy per scenario, mean over seeds");
    for (const [k, scenario] of scenarios.entries()) {
      const svg = html.slice(html.indexOf(`panel-${k}"`), html.indexOf("</svg>", html.indexOf(`panel-${k}"`)));
      const ringed = [...svg.matchAll(/<g class="point on-front" data-run="(\d+)"/g)].map((m) => precisions[Number(m[1])]);
      expect(ringed.sort()).toEqual([...front(scenario)].sort());
      expect(svg.match(/<path class="front"/g)).toHaveLength(1);
      expect(svg).toContain("total energy (mJ");
      expect(svg).toContain("average accuracy (%)");
    }
    expect(html).toContain("<td>fp32</td><td>2 of 2</td><td>84.38% ± 4.42%</td>");
  });
});
