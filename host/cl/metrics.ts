// Continual-learning metrics from the accuracy matrix (formulas and sources in docs/metrics.md).
// R[i][j] = accuracy (0..1) on experience j's test set after training experience i, for T experiences.
// b[j]    = accuracy on experience j's test set of the model before any training (random init).

import { expected } from "../errors.js";

/** The summary every report carries; a metric that needs two experiences (or b) is null without them. */
export interface ClMetrics {
  avgAccuracy: number;
  bwt: number | null;
  fwt: number | null;
  forgetting: number | null;
}

function checkAccuracy(value: unknown, where: string): void {
  if (typeof value !== "number" || !(value >= 0 && value <= 1)) {
    throw expected(`an accuracy in [0, 1] at ${where}`, value);
  }
}

/** Checks that R is a non-empty T x T matrix of accuracies in [0, 1]; returns T. */
export function checkAccuracyMatrix(R: readonly (readonly number[])[]): number {
  if (!Array.isArray(R) || R.length === 0) throw expected("an accuracy matrix with at least one row", R);
  const T = R.length;
  R.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== T) {
      const received = Array.isArray(row) ? row.length : row;
      throw expected(`row ${i} of the ${T} x ${T} accuracy matrix to have ${T} entries`, received);
    }
    row.forEach((value, j) => checkAccuracy(value, `R[${i}][${j}]`));
  });
  return T;
}

/** ACC = (1/T) sum_{j=0}^{T-1} R[T-1][j]: mean accuracy over all experiences after the last one. */
export function averageAccuracy(R: readonly (readonly number[])[]): number {
  const T = checkAccuracyMatrix(R);
  return R[T - 1].reduce((sum, value) => sum + value, 0) / T;
}

/**
 * BWT = (1/(T-1)) sum_{j=0}^{T-2} (R[T-1][j] - R[j][j]) (Lopez-Paz & Ranzato 2017): how learning later
 * experiences changed accuracy on earlier ones; negative means forgetting. Null when T = 1.
 */
export function backwardTransfer(R: readonly (readonly number[])[]): number | null {
  const T = checkAccuracyMatrix(R);
  if (T < 2) return null;
  let sum = 0;
  for (let j = 0; j < T - 1; j++) sum += R[T - 1][j] - R[j][j];
  return sum / (T - 1);
}

/**
 * FWT = (1/(T-1)) sum_{j=1}^{T-1} (R[j-1][j] - b[j]) (Lopez-Paz & Ranzato 2017): accuracy on an
 * experience before training on it, above that of the untrained model. Null when T = 1.
 */
export function forwardTransfer(R: readonly (readonly number[])[], b: readonly number[]): number | null {
  const T = checkAccuracyMatrix(R);
  if (!Array.isArray(b) || b.length !== T) {
    throw expected(`${T} untrained-model accuracies b[j], one per experience`, Array.isArray(b) ? `${b.length}` : b);
  }
  b.forEach((value, j) => checkAccuracy(value, `b[${j}]`));
  if (T < 2) return null;
  let sum = 0;
  for (let j = 1; j < T; j++) sum += R[j - 1][j] - b[j];
  return sum / (T - 1);
}

/**
 * Per-experience forgetting after the last experience (after Chaudhry et al. 2018):
 * f_j = max_{l = j .. T-2} R[l][j] - R[T-1][j], for j = 0 .. T-2.
 */
export function forgettingPerExperience(R: readonly (readonly number[])[]): number[] {
  const T = checkAccuracyMatrix(R);
  const result: number[] = [];
  for (let j = 0; j < T - 1; j++) {
    let best = R[j][j];
    for (let l = j + 1; l < T - 1; l++) best = Math.max(best, R[l][j]);
    result.push(best - R[T - 1][j]);
  }
  return result;
}

/** Average forgetting F = (1/(T-1)) sum_{j=0}^{T-2} f_j (Chaudhry et al. 2018). Null when T = 1. */
export function forgetting(R: readonly (readonly number[])[]): number | null {
  const perExperience = forgettingPerExperience(R);
  if (perExperience.length === 0) return null;
  return perExperience.reduce((sum, value) => sum + value, 0) / perExperience.length;
}

/** Every summary metric of a run; FWT is null without the untrained-model accuracies `b`. */
export function computeMetrics(R: readonly (readonly number[])[], b?: readonly number[]): ClMetrics {
  return {
    avgAccuracy: averageAccuracy(R),
    bwt: backwardTransfer(R),
    fwt: b === undefined ? null : forwardTransfer(R, b),
    forgetting: forgetting(R),
  };
}
