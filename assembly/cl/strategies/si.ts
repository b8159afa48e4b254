// SI (Zenke et al., ICML 2017): each update integrates -g x (weight change) along the path of the
// experience; at its end that path integral, damped by gamma, becomes importance (penalty.ts).
import { currentWeight, updateRange } from "../../nn/optim";
import { CL_LAMBDA } from "../abi";
import { penaltyGradient, consolidateSi, anchorAtCurrent } from "../penalty";
import { Learner } from "../learner";
import { Strategy, blobReal } from "../strategy";
import { penaltyRow, layoutPenalty, penalised } from "./ewc";

function layout(l: Learner, blob: usize, dry: bool): void {
  layoutPenalty(l, blob, blobReal(blob, CL_LAMBDA), dry);
}

/** The anchor starts at the weights before the first experience. */
function begin(l: Learner, experience: i32): void {
  const q = penalised(l).quad;
  if (!q.active && l.ended == 0) anchorAtCurrent(q, l.model);
}

/** Updates one parameter at a time, adding -g x (its change) to its path integral. */
function update(l: Learner, start: i32, end: i32): void {
  const ctx = l.model.ctx, opt = l.model.optimizer;
  const q = penalised(l).quad;
  for (let i = start; i < end; i++) {
    const before = currentWeight(ctx, opt, i);
    let g = load<f32>(ctx.grads + (<usize>i << 2));
    if (q.active) g -= penaltyGradient(q, i, before);
    updateRange(ctx, opt, i, 1);
    const omega = q.running + (<usize>i << 2);
    store<f32>(omega, load<f32>(omega) - g * (currentWeight(ctx, opt, i) - before));
  }
}

function end(l: Learner, experience: i32, batch: i32, scratch: usize): void {
  const s = penalised(l);
  consolidateSi(s.quad, l.model, s.gamma);
}

export function si(): Strategy {
  const s = penaltyRow("si", layout, end);
  s.beginExperience = begin;
  s.update = update;
  return s;
}
