import { describe, expect, it } from "vitest";
import { UsageError } from "../../host/errors.js";
import {
  averageAccuracy,
  backwardTransfer,
  computeMetrics,
  forgetting,
  forgettingPerExperience,
  forwardTransfer,
} from "../../host/cl/metrics.js";

// Worked by hand. Rows: after training experience i; columns: tested on experience j.
const R = [
  [0.8, 0.75, 0.05],
  [0.9, 0.7, 0.2],
  [0.6, 0.65, 0.95],
];
const b = [0.1, 0.12, 0.08];

describe("metrics on a hand-made 3 x 3 matrix", () => {
  it("average accuracy is the mean of the last row", () => {
    // (0.6 + 0.65 + 0.95) / 3 = 2.2 / 3
    expect(averageAccuracy(R)).toBeCloseTo(2.2 / 3, 12);
  });

  it("BWT averages final minus just-learnt accuracy over the first T-1 experiences", () => {
    // ((0.6 - 0.8) + (0.65 - 0.7)) / 2 = (-0.2 - 0.05) / 2
    expect(backwardTransfer(R)).toBeCloseTo(-0.125, 12);
  });

  it("FWT averages accuracy just before learning minus the untrained model's, from experience 1 on", () => {
    // ((R[0][1] - b[1]) + (R[1][2] - b[2])) / 2 = ((0.75 - 0.12) + (0.2 - 0.08)) / 2 = (0.63 + 0.12) / 2
    expect(forwardTransfer(R, b)).toBeCloseTo(0.375, 12);
  });

  it("forgetting takes the best accuracy once learnt (l >= j) minus the final one", () => {
    // f_0 = max(R[0][0], R[1][0]) - R[2][0] = 0.9 - 0.6 = 0.3
    // f_1 = max(R[1][1]) - R[2][1] = 0.7 - 0.65 = 0.05; R[0][1] = 0.75 came before experience 1 was learnt
    const perExperience = forgettingPerExperience(R);
    expect(perExperience).toHaveLength(2);
    expect(perExperience[0]).toBeCloseTo(0.3, 12);
    expect(perExperience[1]).toBeCloseTo(0.05, 12);
    expect(forgetting(R)).toBeCloseTo(0.175, 12);
  });

  it("computeMetrics gathers them; FWT is null without b", () => {
    const metrics = computeMetrics(R, b);
    expect(metrics.avgAccuracy).toBeCloseTo(2.2 / 3, 12);
    expect(metrics.bwt).toBeCloseTo(-0.125, 12);
    expect(metrics.fwt).toBeCloseTo(0.375, 12);
    expect(metrics.forgetting).toBeCloseTo(0.175, 12);
    expect(computeMetrics(R).fwt).toBeNull();
  });
});

describe("metrics in exact binary fractions", () => {
  it("match exactly on a 4 x 4 class-incremental-like matrix (naive fine-tuning)", () => {
    // Each row: only the newest experience is right, earlier ones forgotten to 0 or 1/4.
    const M = [
      [1, 0, 0, 0],
      [0.25, 1, 0, 0],
      [0, 0.5, 1, 0],
      [0, 0.25, 0, 1],
    ];
    expect(averageAccuracy(M)).toBe(0.3125); // (0 + 0.25 + 0 + 1) / 4
    // ((0-1) + (0.25-1) + (0-1)) / 3: the sum -2.75 is exact, so one rounding, the division's
    expect(backwardTransfer(M)).toBe(-2.75 / 3);
    expect(forgettingPerExperience(M)).toEqual([1, 0.75, 1]); // max(1, .25, 0) - 0; max(1, .5) - .25; 1 - 0
    expect(forgetting(M)).toBe(2.75 / 3);
    expect(forwardTransfer(M, [0, 0, 0, 0])).toBe(0);
  });

  it("two experiences", () => {
    const M = [
      [1, 0.5],
      [0.5, 1],
    ];
    expect(computeMetrics(M, [0.5, 0.25])).toEqual({ avgAccuracy: 0.75, bwt: -0.5, fwt: 0.25, forgetting: 0.5 });
  });

  it("one experience: average accuracy only", () => {
    expect(computeMetrics([[0.875]], [0.1])).toEqual({ avgAccuracy: 0.875, bwt: null, fwt: null, forgetting: null });
  });
});

describe("metric input checks", () => {
  it("rejects matrices that are not T x T accuracies", () => {
    expect(() => averageAccuracy([])).toThrow(UsageError);
    expect(() => averageAccuracy([[1, 0], [1]])).toThrow("expected row 1 of the 2 x 2 accuracy matrix to have 2 entries, received 1");
    expect(() => averageAccuracy([[1.5]])).toThrow("expected an accuracy in [0, 1] at R[0][0], received 1.5");
    expect(() => backwardTransfer([[0.5, Number.NaN], [0.5, 0.5]])).toThrow("at R[0][1], received NaN");
    expect(() => forgetting([[-0.1]])).toThrow(UsageError);
  });

  it("rejects a b of the wrong length or range", () => {
    expect(() => forwardTransfer(R, [0.1, 0.1])).toThrow("expected 3 untrained-model accuracies b[j], one per experience");
    expect(() => forwardTransfer(R, [0.1, 2, 0.1])).toThrow("at b[1], received 2");
  });
});
