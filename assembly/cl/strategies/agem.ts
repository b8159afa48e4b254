// A-GEM (Chaudhry et al., ICLR 2019): the buffer gives each step a reference gradient; when the step's
// gradient g points away from it (g.r < 0), g is projected onto the half-space g.r >= 0.
import { take } from "../../nn/alloc";
import { below } from "../buffer";
import { Learner, batchGradient, headRange } from "../learner";
import { PICK_BYTES, pickSlot } from "../rows";
import { Strategy } from "../strategy";
import { layoutSamples, bufferRow } from "./replay";

/**
 * When the gradient g and the reference gradient r point apart (g.r < 0), g becomes g - (g.r / r.r) r,
 * which has g.r = 0. Sums in f64.
 */
export function agemProject(g: usize, r: usize, n: i32): bool {
  let dot: f64 = 0, norm: f64 = 0;
  for (let i = 0; i < n; i++) {
    const gi = <f64>load<f32>(g + (<usize>i << 2)), ri = <f64>load<f32>(r + (<usize>i << 2));
    dot += gi * ri;
    norm += ri * ri;
  }
  if (dot >= 0 || norm == 0) return false;
  const k = dot / norm;
  for (let i = 0; i < n; i++) {
    const p = g + (<usize>i << 2);
    store<f32>(p, <f32>(<f64>load<f32>(p) - k * <f64>load<f32>(r + (<usize>i << 2))));
  }
  return true;
}

function layout(l: Learner, blob: usize, dry: bool): void {
  layoutSamples(l, blob, dry);
  // The reference gradient (params f32).
  l.state = take(dry, <u64>l.params << 2);
}

/** The reference gradient first, from a buffer batch drawn after the current rows; then the projection. */
function gradient(l: Learner, n: i32): void {
  if (l.buffer.size == 0) {
    batchGradient(l, n);
    return;
  }
  const model = l.model;
  const ref = l.state;
  const r = min(min(l.replayBatch, l.buffer.size), model.maxBatch);
  memory.copy(l.scratch, l.picks, <usize>n * PICK_BYTES);
  for (let k = 0; k < r; k++) pickSlot(l, k, below(l.rng, <u64>l.buffer.size));
  batchGradient(l, r);
  const refTouched = l.scratch + <usize>model.maxBatch * PICK_BYTES;
  memory.copy(refTouched, l.touched, <usize>l.heads);
  memory.copy(ref, model.ctx.grads, <usize>l.params << 2);
  memory.copy(l.picks, l.scratch, <usize>n * PICK_BYTES);
  l.lastLoss = 0;
  batchGradient(l, n);
  // The reference gradient's heads take part in the projection and the update.
  for (let h = 0; h < l.heads; h++) if (load<u8>(refTouched + <usize>h) != 0) store<u8>(l.touched + <usize>h, 1);
  if (l.heads > 1) {
    // Untouched heads hold stale values in either buffer: zero them so the dot products see only this step.
    for (let h = 0; h < l.heads; h++) {
      const first = headRange(l, h), size = model.output.paramsPerHead;
      if (load<u8>(refTouched + <usize>h) == 0) memory.fill(ref + (<usize>first << 2), 0, <usize>size << 2);
    }
  }
  agemProject(model.ctx.grads, ref, l.params);
}

export function agem(): Strategy {
  const s = bufferRow("agem");
  s.accumulates = true;
  s.layout = layout;
  s.gradient = gradient;
  return s;
}
