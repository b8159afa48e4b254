// Pareto fronts against points whose fronts were worked out by hand.
import { describe, expect, test } from "vitest";
import { costFront, dominates, paretoFront } from "../../host/sweep/pareto.js";

describe("dominates", () => {
  test("at least as good on every objective and better on one", () => {
    expect(dominates([1, 0.9], [2, 0.9], ["min", "max"])).toBe(true); // cheaper, as accurate
    expect(dominates([1, 0.9], [1, 0.8], ["min", "max"])).toBe(true); // as cheap, more accurate
    expect(dominates([1, 0.9], [1, 0.9], ["min", "max"])).toBe(false); // equal: neither dominates
    expect(dominates([1, 0.5], [2, 0.9], ["min", "max"])).toBe(false); // a trade-off
    expect(dominates([3, 1], [2, 0], ["max", "max"])).toBe(true);
  });
});

describe("costFront: accuracy up, cost down", () => {
  // x = cost, y = accuracy. By hand:
  //   F (0.5, 0.2) nothing is as cheap                      -> front
  //   A (1,   0.5) only F is cheaper, and F is less accurate -> front
  //   B (2,   0.7) and E (2, 0.7): equal, neither dominated -> both on the front
  //   C (3,   0.6) B is cheaper and more accurate           -> off
  //   D (4,   0.9) the most accurate, cheapest such         -> front
  //   G (5,   0.9) D is as accurate and cheaper             -> off
  //   H (NaN, 1)   no cost measured                          -> never on the front
  const named = { A: { x: 1, y: 0.5 }, B: { x: 2, y: 0.7 }, C: { x: 3, y: 0.6 }, D: { x: 4, y: 0.9 }, E: { x: 2, y: 0.7 }, F: { x: 0.5, y: 0.2 }, G: { x: 5, y: 0.9 }, H: { x: NaN, y: 1 } };
  const names = Object.keys(named) as Array<keyof typeof named>;
  const points = names.map((n) => named[n]);

  test("the non-dominated points, ordered by cost", () => {
    expect(costFront(points).map((i) => names[i])).toEqual(["F", "A", "B", "E", "D"]);
  });

  test("a single point is its own front; no points, no front", () => {
    expect(costFront([{ x: 3, y: 0.1 }])).toEqual([0]);
    expect(costFront([])).toEqual([]);
  });
});

describe("paretoFront with three objectives", () => {
  test("accuracy up, energy and memory down", () => {
    // [accuracy, energy, memory]. By hand: p0 is beaten by p1 (more accurate, same energy, less memory);
    // p2 trades energy for memory against p1; p3 equals p1 (both stay); p4 is beaten by p2.
    const points = [
      [0.8, 2, 300],
      [0.9, 2, 200],
      [0.9, 1, 400],
      [0.9, 2, 200],
      [0.85, 1, 500],
    ];
    expect(paretoFront(points, ["max", "min", "min"])).toEqual([1, 2, 3]);
  });
});
