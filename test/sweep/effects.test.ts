// The effect of one axis with the others fixed, on runs whose pairs were worked out by hand.
import { describe, expect, test } from "vitest";
import { axisEffect } from "../../host/sweep/effects.js";

const run = (precision: string, strategy: string, value: number | null) => ({ axes: { precision, strategy }, value });

describe("axisEffect", () => {
  // precision x strategy. fp8 against fp32, strategy fixed: naive 0.7 - 0.5 = +0.2, replay 0.6 - 0.6 = 0.
  const accuracy = [run("fp32", "naive", 0.5), run("fp8", "naive", 0.7), run("fp32", "replay", 0.6), run("fp8", "replay", 0.6)];

  test("differences: the mean over the pairs that differ only in the axis", () => {
    const rows = axisEffect(accuracy, "precision", ["fp32", "fp8"], "difference");
    expect(rows[0]).toEqual({ value: "fp32", runs: 2, mean: 0.55, pairs: 2, effect: 0 });
    expect(rows[1].runs).toBe(2);
    expect(rows[1].mean).toBeCloseTo(0.65, 12);
    expect(rows[1].pairs).toBe(2);
    expect(rows[1].effect).toBeCloseTo(0.1, 12);
  });

  test("the other axis, too: replay against naive is (0.6 - 0.5 + 0.6 - 0.7) / 2 = 0", () => {
    const rows = axisEffect(accuracy, "strategy", ["naive", "replay"], "difference");
    expect(rows[1].effect).toBeCloseTo(0, 12);
  });

  test("ratios: the geometric mean, so x4 and x1 average to x2", () => {
    const energy = [run("fp32", "naive", 1), run("fp8", "naive", 4), run("fp32", "replay", 2), run("fp8", "replay", 2)];
    expect(axisEffect(energy, "precision", ["fp32", "fp8"], "ratio")[1].effect).toBeCloseTo(2, 12);
  });

  test("a run without a measurement leaves its pair out", () => {
    const rows = axisEffect([...accuracy.slice(0, 3), run("fp8", "replay", null)], "precision", ["fp32", "fp8"], "difference");
    expect(rows[1]).toMatchObject({ runs: 1, pairs: 1 });
    expect(rows[1].effect).toBeCloseTo(0.2, 12);
  });

  test("a value never paired with the reference has no effect to show", () => {
    const rows = axisEffect([run("fp32", "naive", 0.5), run("fp8", "replay", 0.6)], "precision", ["fp32", "fp8"], "difference");
    expect(rows[1]).toEqual({ value: "fp8", runs: 1, mean: 0.6, pairs: 0, effect: null });
  });
});
