// boundary: task-aware precision. The first POLICY_STEPS steps after an experience starts run in state 1
// (the higher precision), the others in state 0: the gradients are largest and most informative right
// after a task change, where low precision costs most (docs/precision.md, Policies).
//
// For task-free streams (POLICY_DRIFT_WINDOW = W >= 2) experience starts are ignored and a drift of the
// training loss starts the N steps instead, after the loss-window peak detection of Aljundi,
// Kelchtermans and Tuytelaars, "Task-Free Continual Learning", CVPR 2019, Sec. 3.3: the window holds the
// last W step losses (as f32, as TRAIN's lastLoss reports them); once full, its mean m and standard
// deviation s (population) are compared with the plateau's, the full window of lowest mean since the
// last drift: m > m_p + k * s_p is a drift. A drift empties the window and forgets the plateau; the N
// steps run from the next step on. The run's first N steps run in state 1 too (the stream starts).
import { Model } from "../../nn/model";
import { take } from "../../nn/alloc";
import { text, real } from "../../device/text";
import { Policy, PolicyRun, outOfRange } from "../policy";

/** Longest drift window (its losses are checkpointed with the policy). */
const DRIFT_WINDOW_MAX: i32 = 1024;

// The detector's state in run.own: steps since the last drift, losses held, next slot, a plateau held
// (0/1), the plateau's mean and deviation, then the window's W f32 losses.
const D_SINCE = 0, D_COUNT = 4, D_NEXT = 8, D_PLATEAU = 12, D_MEAN = 16, D_DEV = 24, D_LOSSES = 32;

function check(model: Model, run: PolicyRun, states: i32): bool {
  if (states < 1) return outOfRange("precision states for boundary (its higher precision)", 1, 1, states);
  if (run.steps < 1) return outOfRange("boundary steps", 1, 0x7fff_ffff, run.steps);
  if (run.driftWindow == 1 || run.driftWindow > DRIFT_WINDOW_MAX || run.driftWindow < 0) {
    return outOfRange("a boundary drift window in steps (0: experience starts)", 2, DRIFT_WINDOW_MAX, run.driftWindow);
  }
  if (run.driftWindow != 0 && !(run.driftK >= 0 && run.driftK <= 1e6)) {
    text("expected a boundary drift threshold k from 0 to 1e6 standard deviations, received ");
    real(<f64>run.driftK);
    return false;
  }
  return true;
}

function layout(run: PolicyRun, model: Model, dry: bool): void {
  if (run.driftWindow == 0) return;
  run.ownBytes = <usize>D_LOSSES + (<usize>run.driftWindow << 2);
  run.own = take(dry, <u64>run.ownBytes);
}

function decide(run: PolicyRun): i32 {
  if (run.driftWindow != 0) return load<i32>(run.own + D_SINCE) < run.steps ? 1 : 0;
  return run.experienceStep < run.steps ? 1 : 0;
}

function stepEnds(run: PolicyRun, model: Model): void {
  if (run.driftWindow == 0) return;
  const d = run.own;
  const since = load<i32>(d + D_SINCE);
  store<i32>(d + D_SINCE, since < 0x7fff_ffff ? since + 1 : since);
  const loss = <f32>run.loss;
  // A step whose loss is not finite (an overflow) tells nothing of the stream.
  if (!isFinite(loss)) return;
  const w = run.driftWindow;
  const next = load<i32>(d + D_NEXT);
  store<f32>(d + D_LOSSES + (<usize>next << 2), loss);
  store<i32>(d + D_NEXT, next + 1 == w ? 0 : next + 1);
  const count = min(load<i32>(d + D_COUNT) + 1, w);
  store<i32>(d + D_COUNT, count);
  if (count < w) return;
  // Oldest first, so the sums run in the order the losses came.
  let sum: f64 = 0;
  const first = next + 1 == w ? 0 : next + 1;
  for (let i = 0; i < w; i++) sum += <f64>load<f32>(d + D_LOSSES + (<usize>((first + i) % w) << 2));
  const mean = sum / <f64>w;
  let squares: f64 = 0;
  for (let i = 0; i < w; i++) {
    const x = <f64>load<f32>(d + D_LOSSES + (<usize>((first + i) % w) << 2)) - mean;
    squares += x * x;
  }
  const dev = Math.sqrt(squares / <f64>w);
  const plateau = load<i32>(d + D_PLATEAU) != 0;
  if (plateau && mean > load<f64>(d + D_MEAN) + <f64>run.driftK * load<f64>(d + D_DEV)) {
    store<i32>(d + D_SINCE, 0);
    store<i32>(d + D_COUNT, 0);
    store<i32>(d + D_NEXT, 0);
    store<i32>(d + D_PLATEAU, 0);
    return;
  }
  if (!plateau || mean < load<f64>(d + D_MEAN)) {
    store<i32>(d + D_PLATEAU, 1);
    store<f64>(d + D_MEAN, mean);
    store<f64>(d + D_DEV, dev);
  }
}

export function boundaryPolicy(): Policy {
  const p = new Policy("boundary");
  p.check = check;
  p.decide = decide;
  p.layout = layout;
  p.stepEnds = stepEnds;
  return p;
}
