// Reports written by hand for the renderer tests: a complete three-experience run with energy and an
// accelerator, the same without the optional parts, and a run that lost its board in experience 1.
import type { ExperienceTelemetry, Report } from "../../host/report/types.js";

function telemetry(experience: number, energy: boolean): ExperienceTelemetry {
  const phase = {
    timeUs: 1500 * (experience + 1),
    macs: 1_000_000,
    macsByFormat: { e4m3: 750_000, fp32: 250_000 },
    cycles: energy ? 40_000 : 0,
    accelJobs: energy ? 12 : 0,
    energyJ: energy ? 0.001 * (experience + 1) : null,
    memoryUsedBytes: 200_000,
    memoryPeakBytes: 250_000 + experience,
  };
  return {
    experience,
    train: {
      ...phase, iterations: 100, meanLoss: 0.5 / (experience + 1), lastLoss: 0.25, optimizerSteps: 100 - experience, lossScaleSkips: experience,
      health: [
        { layer: 0, role: "activation", format: "e4m3", values: 12800, overflows: 2 * experience, underflows: 128, updates: 0, swamped: 0, swampedShare: null, maxAbs: 96, rangeUsed: 0.85 },
        { layer: 0, role: "master", format: "fp32", values: 3200, overflows: 0, underflows: 0, updates: 3000, swamped: 300 * experience, swampedShare: (300 * experience) / 3000, maxAbs: 0.75, rangeUsed: 0.55 },
        { layer: 2, role: "error", format: "e5m2", values: 1600, overflows: 0, underflows: 400, updates: 0, swamped: 0, swampedShare: null, maxAbs: 1024, rangeUsed: 0.9 },
      ],
    },
    eval: { ...phase, macs: 10_000, macsByFormat: { fp32: 10_000 }, energyJ: energy ? 0.0005 : null, loss: [0.1, 0.2, 0.3] },
  };
}

export function completeReport(): Report {
  return {
    schema: "edgecl-report",
    version: 1,
    status: { complete: true, experiencesPlanned: 3, experiencesCompleted: 3 },
    config: {
      benchmark: "split-mnist",
      scenario: "class",
      strategy: { name: "replay", bufferBytes: 32768, bufferPolicy: "reservoir" },
      precision: "fp8-mixed",
      seed: 1,
      board: "sim",
      classOrder: [1, 6, 8],
    },
    board: { id: "sim", runtime: "v8", memoryLimitBytes: 4194304, flashBytes: 4194304, maxFrameSize: 65536, accelerator: true },
    accuracy: [
      [0.99, 0, 0],
      [0.5, 0.98, 0],
      [0.25, 0.5, 0.97],
    ],
    untrained: [0.1, 0.12, 0.08],
    metrics: { avgAccuracy: (0.25 + 0.5 + 0.97) / 3, bwt: (0.25 - 0.99 + (0.5 - 0.98)) / 2, fwt: (0 - 0.12 + (0 - 0.08)) / 2, forgetting: (0.99 - 0.25 + (0.98 - 0.5)) / 2 },
    macs: { e4m3: 2_250_000, fp32: 780_000 },
    memory: { modelBytes: 131072, replayBytes: 32768, peakLinearMemoryBytes: 250_002, linearMemoryLimitBytes: 4194304 },
    telemetry: [0, 1, 2].map((e) => telemetry(e, true)),
    energy: { totalJ: 0.0075, perExperienceJ: [0.0015, 0.0025, 0.0035] },
    accelerator: { jobs: 72, cycles: 240_000 },
  };
}

/** The complete run without energy, accelerator, untrained accuracies or board. */
export function plainReport(): Report {
  const r = completeReport();
  delete r.energy;
  delete r.accelerator;
  delete r.untrained;
  delete r.board;
  r.metrics.fwt = null;
  r.telemetry = [0, 1, 2].map((e) => telemetry(e, false));
  return r;
}

export function partialReport(): Report {
  const r = completeReport();
  r.status = { complete: false, experiencesPlanned: 3, experiencesCompleted: 1, lost: { experience: 1, request: "TRAIN (experience 1)", reason: "board sim was lost" } };
  r.accuracy = [[0.99, 0, 0]];
  r.telemetry = [telemetry(0, true)];
  r.metrics = { avgAccuracy: null, bwt: null, fwt: null, forgetting: null };
  r.energy = { totalJ: 0.0015, perExperienceJ: [0.0015] };
  return r;
}
