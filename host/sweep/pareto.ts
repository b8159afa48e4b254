// Pareto fronts of a sweep: the runs no other run beats on every objective at once (e.g. accuracy up,
// energy down). A point dominates another when it is at least as good on every objective and better on
// one; the front is the points nothing dominates. Points equal on every objective are all on the front.

export type Sense = "min" | "max";

/** True when `a` dominates `b` under the objectives' senses. */
export function dominates(a: readonly number[], b: readonly number[], senses: readonly Sense[]): boolean {
  let better = false;
  for (let k = 0; k < senses.length; k++) {
    const diff = senses[k] === "max" ? a[k] - b[k] : b[k] - a[k];
    if (diff < 0) return false;
    if (diff > 0) better = true;
  }
  return better;
}

/** Indices of the points on the front, ascending. Points with a value that is not finite are never on it. */
export function paretoFront(points: ReadonlyArray<readonly number[]>, senses: readonly Sense[]): number[] {
  const usable = points.map((p, i) => ({ p, i })).filter(({ p }) => p.length === senses.length && p.every(Number.isFinite));
  // Quadratic, which is plenty for the thousands of runs a sweep has.
  return usable.filter(({ p }) => !usable.some((other) => dominates(other.p, p, senses))).map(({ i }) => i);
}

/**
 * The front of a plane with x minimised and y maximised (cost against accuracy), ordered by x: the
 * staircase a plot draws.
 */
export function costFront(points: ReadonlyArray<{ x: number; y: number }>): number[] {
  const front = paretoFront(
    points.map((p) => [p.x, p.y]),
    ["min", "max"],
  );
  return front.sort((a, b) => points[a].x - points[b].x || points[b].y - points[a].y);
}
