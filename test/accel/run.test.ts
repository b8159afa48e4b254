// Whole continual-learning runs (split-mnist, task scenario, 2 experiences, MLP 784-32-2x2) through the
// protocol on the simulated boards as `edgecl run` plans them: with and without the accelerator the
// learner ends with the same bits; the accelerator's counters in the report follow from the jobs' shapes
// (docs/accelerator.md's cost table, worked here by hand); fp8-mixed costs at most a third of fp32's
// modelled energy, and `edgecl report` says by how much.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { learning, runOn as runOnBoard, type Run } from "../helpers/cl-run.js";
import { renderHtml } from "../../host/report/html.js";
import { renderSummary } from "../../host/report/terminal.js";
import type { PhaseCounters, Report } from "../../host/report/types.js";
import { smallRun } from "../helpers/run-options.js";
import { edgeclSources } from "../helpers/cli.js";

const ITERATIONS = 12;
const BATCH = 16;
const HIDDEN = 32;
const INPUTS = 784;
const CLASSES = 2; // per head: the task scenario gives each experience its own head

const options = smallRun({ seed: 5, model: `mlp:${HIDDEN}`, iterations: ITERATIONS, batch: BATCH, trainSamples: 256, testSamples: 64 });

const runOn = (id: string, precision: string): Promise<Run> => runOnBoard(id, { ...options, precision });

const phases = (r: Report): PhaseCounters[] => r.telemetry.flatMap((t) => [t.train, t.eval]);

let accelerated: Run, cpuOnly: Run, fp32: Run;
beforeAll(async () => {
  [accelerated, cpuOnly, fp32] = await Promise.all([runOn("sim", "fp8-mixed"), runOn("sim-noaccel", "fp8-mixed"), runOn("sim", "fp32")]);
}, 120_000);

describe("the same run with and without the accelerator", () => {
  it("gives the identical accuracy matrix, losses and final learner state", () => {
    expect(accelerated.report.status.complete).toBe(true);
    expect(accelerated.report.accuracy).toHaveLength(2);
    expect(learning(accelerated.report)).toEqual(learning(cpuOnly.report));
    expect(accelerated.checkpointCrc).toBe(cpuOnly.checkpointCrc);
    // The run learnt something: each task head beats chance after its training.
    expect(accelerated.report.accuracy[0][0]).toBeGreaterThan(0.6);
    expect(accelerated.report.accuracy[1][1]).toBeGreaterThan(0.6);
  });

  it("on sim every GEMM job ran on the accelerator; on sim-noaccel every one fell back for want of it", () => {
    const a = accelerated.report.accelerator!;
    expect(a.cpuFallbacks).toBe(0);
    expect(Object.values(a.cpuFallbacksByReason!)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(cpuOnly.report.accelerator).toBeUndefined();
    // The bus counts the jobs on one board and the device's backend the fallbacks on the other: phase by phase, the same jobs.
    const simPhases = phases(accelerated.report), cpuPhases = phases(cpuOnly.report);
    simPhases.forEach((p, i) => {
      expect(cpuPhases[i].cpuFallbacks!.noAccelerator, `phase ${i}`).toBe(p.accelJobs);
      expect(cpuPhases[i].accelJobs).toBe(0);
      expect(p.accelMacs, `phase ${i}`).toBe(p.macs);
    });
    // sim-noaccel's energy is the host CPU's alone.
    expect(cpuOnly.report.energy!.breakdown).toMatchObject({ accelerator: 0, memory: 0 });
    expect(cpuOnly.report.energy!.breakdown!.cpu).toBeCloseTo(cpuOnly.report.energy!.totalJ, 15);
  });
});

/** Cycles of one job by docs/accelerator.md: set-up 20 + max(compute, memory) on the 4 x 4 array at 16 B/cycle. */
function jobCycles(m: number, n: number, k: number, accumulate: boolean, xBytes: number, wBytes: number, zBytes: number): number {
  const tileRows = Math.ceil(m / 4), tileCols = Math.ceil(n / 4);
  const read = m * k * tileCols * xBytes + k * n * tileRows * wBytes + (accumulate ? m * n * zBytes : 0);
  const written = m * n * zBytes;
  return 20 + Math.max(tileRows * tileCols * k, Math.ceil((read + written) / 16));
}

describe("the accelerator's figures in the report", () => {
  it("a training phase: 7 jobs per step, their cycles worked from the job shapes, utilisation = MACs / (16 x cycles)", () => {
    // fp8-mixed: activations and weights stored in e4m3 and errors in e5m2 (1 byte each), sums in fp16 (2 bytes).
    // Per step: forward Linear 784->32 and 32->2 (Z starts from the bias: accumulate); backward of the
    // output layer dW, db, dX; of the first layer dW and db (no error below the input).
    const B = BATCH;
    const stepCycles =
      jobCycles(B, HIDDEN, INPUTS, true, 1, 1, 2) +
      jobCycles(B, CLASSES, HIDDEN, true, 1, 1, 2) +
      jobCycles(HIDDEN, CLASSES, B, false, 1, 1, 2) +
      jobCycles(1, CLASSES, B, false, 1, 1, 2) +
      jobCycles(B, HIDDEN, CLASSES, false, 1, 1, 2) +
      jobCycles(INPUTS, HIDDEN, B, false, 1, 1, 2) +
      jobCycles(1, HIDDEN, B, false, 1, 1, 2);
    const stepMacs = B * HIDDEN * INPUTS + B * CLASSES * HIDDEN + HIDDEN * CLASSES * B + CLASSES * B + B * HIDDEN * CLASSES + INPUTS * HIDDEN * B + HIDDEN * B;
    for (const t of accelerated.report.telemetry) {
      expect(t.train.accelJobs).toBe(7 * ITERATIONS);
      expect(t.train.cycles).toBe(ITERATIONS * stepCycles);
      expect(t.train.accelMacs).toBe(ITERATIONS * stepMacs);
      expect(t.train.accelUnits).toBe(16);
    }
  });

  it("the run's totals add up the phases and agree with each other", () => {
    const r = accelerated.report, a = r.accelerator!;
    const sum = (f: (p: PhaseCounters) => number) => phases(r).reduce((s, p) => s + f(p), 0);
    expect(a.jobs).toBe(sum((p) => p.accelJobs));
    expect(a.cycles).toBe(sum((p) => p.cycles));
    expect(a.macs).toBe(sum((p) => p.macs));
    expect(a.macs).toBe(Object.values(r.macs).reduce((x, y) => x + y, 0));
    expect(a.units).toBe(16);
    expect(a.utilisation).toBeCloseTo(a.macs! / (16 * a.cycles), 15);
    expect(a.utilisation).toBeGreaterThan(0);
    expect(a.utilisation).toBeLessThanOrEqual(1);
    // Every job pays its set-up, and the array does at most 16 MACs a cycle.
    expect(a.cycles).toBeGreaterThanOrEqual(20 * a.jobs + a.macs! / 16);
  });

  it("energy: the split adds up to the total, per experience and in all; on sim no CPU-path energy", () => {
    const e = accelerated.report.energy!;
    expect(e.perExperienceBreakdownJ).toHaveLength(2);
    e.perExperienceBreakdownJ!.forEach((b, i) => expect(b.accelerator + b.memory + b.cpu).toBeCloseTo(e.perExperienceJ[i], 12));
    expect(e.breakdown!.accelerator + e.breakdown!.memory + e.breakdown!.cpu).toBeCloseTo(e.totalJ, 12);
    expect(e.breakdown!.cpu).toBe(0);
    expect(e.breakdown!.accelerator).toBeGreaterThan(0);
    expect(e.breakdown!.memory).toBeGreaterThan(0);
  });
});

describe("the report shows the split", () => {
  it("the terminal summary: energy by part with shares, the accelerator's jobs, cycles, MACs, utilisation and fallbacks", () => {
    const r = accelerated.report, a = r.accelerator!, b = r.energy!.breakdown!;
    const lines = renderSummary(r).split("\n");
    const share = (j: number) => `${((100 * j) / r.energy!.totalJ).toFixed(1)}%`;
    expect(lines).toContain(`  accelerator ${joulesText(b.accelerator)} (${share(b.accelerator)}), memory ${joulesText(b.memory)} (${share(b.memory)}), cpu 0 J (0.0%)`);
    const accelerator = lines.find((l) => l.startsWith("accelerator: "));
    expect(accelerator).toContain(`${a.jobs} jobs`);
    expect(accelerator).toContain(`utilisation ${(100 * a.utilisation!).toFixed(1)}% of 16 MAC units`);
    expect(accelerator).toContain("0 CPU fallbacks");
    // On sim-noaccel the energy is all the host CPU's.
    expect(renderSummary(cpuOnly.report)).toMatch(/cpu [\d.]+ [mµ]?J \(100\.0%\)/);
  });

  it("the HTML page stacks accelerator, memory and CPU energy per experience", () => {
    const html = renderHtml(accelerated.report);
    const svg = html.slice(html.indexOf('<svg class="plot energy-split"'), html.indexOf("</svg>", html.indexOf('<svg class="plot energy-split"')));
    expect(svg.length).toBeGreaterThan(0);
    const bars = [...svg.matchAll(/<g class="bar" data-experience="(\d)" data-joules="([^"]+)">(.*?)<\/g>/g)];
    expect(bars.map((m) => Number(m[1]))).toEqual([0, 1]);
    bars.forEach((m, i) => {
      expect(Number(m[2])).toBeCloseTo(accelerated.report.energy!.perExperienceJ[i], 12);
      expect([...m[3].matchAll(/class="segment (\w+)"/g)].map((x) => x[1])).toEqual(["accelerator", "memory", "cpu"]);
    });
  });
});

/** Joules as the summary prints them (host/report/units.ts: three significant digits and an SI prefix). */
function joulesText(j: number): string {
  const [factor, prefix] = j >= 1e-3 ? [1e-3, "m"] : j >= 1e-6 ? [1e-6, "µ"] : [1e-9, "n"];
  return `${Number((j / factor).toPrecision(3))} ${prefix}J`;
}

describe("fp8-mixed against fp32 on sim", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "edgecl-accel-run-"));
    writeFileSync(join(dir, "fp32.json"), JSON.stringify(fp32.report));
    writeFileSync(join(dir, "fp8-mixed.json"), JSON.stringify(accelerated.report));
  });

  it("costs at most a third of the energy for the same run, in the accelerator's arithmetic and in memory traffic", () => {
    const fp8 = accelerated.report.energy!, full = fp32.report.energy!;
    expect(fp8.totalJ).toBeLessThanOrEqual(full.totalJ / 3);
    expect(fp8.breakdown!.memory).toBeLessThan(full.breakdown!.memory / 3);
    expect(fp8.breakdown!.accelerator).toBeLessThan(full.breakdown!.accelerator / 2);
    // The same work: the same GEMM jobs of the same shapes.
    expect(accelerated.report.accelerator!.jobs).toBe(fp32.report.accelerator!.jobs);
    expect(accelerated.report.accelerator!.macs).toBe(fp32.report.accelerator!.macs);
  });

  it("edgecl report prints each run's energy relative to the first, runs labelled by the setting that differs", () => {
    const r = edgeclSources(["report", join(dir, "fp32.json"), join(dir, "fp8-mixed.json")]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines).toContain("energy of complete runs, relative to the first:");
    const ratioOf = (label: string) => {
      const line = lines.find((l) => l.trimStart().startsWith(`${label} `));
      expect(line, r.stdout).toBeDefined();
      return Number(/ (\d+\.\d+)x /.exec(line!)![1]);
    };
    expect(ratioOf("precision=fp32")).toBe(1);
    const expected = accelerated.report.energy!.totalJ / fp32.report.energy!.totalJ;
    expect(ratioOf("precision=fp8-mixed")).toBeCloseTo(expected, 3);
    expect(ratioOf("precision=fp8-mixed")).toBeLessThanOrEqual(0.334);
  });
});
