// The effect of one axis with the others fixed: runs are paired when they differ only in that axis,
// and each value is compared with the axis's first value over every such pair. Averaging over all runs
// of a value would mix in the other axes; pairing keeps them fixed.
import { canonicalJson } from "./plan.js";

export interface EffectRow {
  value: string;
  /** Runs with this value and a measurement. */
  runs: number;
  /** Mean of the measurement over those runs. */
  mean: number | null;
  /** Pairs with the reference value (every other axis equal). */
  pairs: number;
  /** Over the pairs: mean of (this - reference) for "difference", geometric mean of (this / reference) for "ratio". */
  effect: number | null;
}

export interface EffectInput {
  axes: Record<string, string>;
  /** The measurement; null when the run has none (not finished, no energy, ...). */
  value: number | null;
}

/** One row per value of `axis` (in `values` order); the first value is the reference. */
export function axisEffect(rows: EffectInput[], axis: string, values: string[], mode: "difference" | "ratio"): EffectRow[] {
  const measured = rows.filter((r) => r.value !== null && Number.isFinite(r.value) && (mode === "difference" || r.value > 0));
  const context = (r: EffectInput) => canonicalJson(Object.fromEntries(Object.entries(r.axes).filter(([k]) => k !== axis)));
  const reference = new Map<string, number>();
  for (const r of measured) if (r.axes[axis] === values[0]) reference.set(context(r), r.value!);
  return values.map((value) => {
    const mine = measured.filter((r) => r.axes[axis] === value);
    const compared = mine.filter((r) => reference.has(context(r))).map((r) => ({ v: r.value!, ref: reference.get(context(r))! }));
    let effect: number | null = null;
    if (compared.length) {
      effect =
        mode === "difference"
          ? compared.reduce((s, c) => s + (c.v - c.ref), 0) / compared.length
          : Math.exp(compared.reduce((s, c) => s + Math.log(c.v / c.ref), 0) / compared.length);
    }
    return {
      value,
      runs: mine.length,
      mean: mine.length ? mine.reduce((s, r) => s + r.value!, 0) / mine.length : null,
      pairs: compared.length,
      effect,
    };
  });
}
