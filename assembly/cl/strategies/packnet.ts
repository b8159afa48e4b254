// PackNet (Mallya & Lazebnik, CVPR 2018): at an experience's end the smallest free weights of each
// layer are pruned to zero and stay free for later experiences, the rest belong to the experience and
// never move again; the experience then retrains its own weights. A task's evaluation (TASK_MASK) sees
// only the weights of that task and the earlier ones.
import { LAYER_LINEAR, LAYER_CONV } from "../../nn/abi";
import { currentWeight, setWeight, updateRange } from "../../nn/optim";
import { putWeightExact } from "../../nn/overrides";
import { take } from "../../nn/alloc";
import { addRegion } from "../../device/image";
import { CL_PRUNE, CL_RETRAIN } from "../abi";
import { Learner, trainIterations } from "../learner";
import { headOf } from "../rows";
import { Strategy, blobWord, blobReal } from "../strategy";

@final @unmanaged
class Packnet {
  /** The experience + 1 that owns each parameter (u8), 0 while free. */
  owners: usize = 0;
  /** A backup of the weights during a masked evaluation (stored form). */
  snapshot: usize = 0;
  /** Parameters with this owner train (0: the free ones). */
  trainOwner: i32 = 0;
  prune: f32 = 0;
  retrain: i32 = 0;
}

// @ts-ignore: decorator
@inline function state(l: Learner): Packnet { return changetype<Packnet>(l.state); }

function layout(l: Learner, blob: usize, dry: bool): void {
  const s = new Packnet();
  s.prune = blobReal(blob, CL_PRUNE);
  s.retrain = <i32>blobWord(blob, CL_RETRAIN);
  s.owners = take(dry, <u64>l.params);
  s.snapshot = take(dry, <u64>l.model.modelBytes);
  l.state = changetype<usize>(s);
}

/** The k-th smallest (0-based) of n f32 values at a (reordered in place): Hoare's selection. */
function select(a: usize, n: i32, k: i32): f32 {
  let lo = 0, hi = n - 1;
  while (lo < hi) {
    const pivot = load<f32>(a + (<usize>((lo + hi) >>> 1) << 2));
    let i = lo, j = hi;
    while (i <= j) {
      while (load<f32>(a + (<usize>i << 2)) < pivot) i++;
      while (load<f32>(a + (<usize>j << 2)) > pivot) j--;
      if (i <= j) {
        const t = load<f32>(a + (<usize>i << 2));
        store<f32>(a + (<usize>i << 2), load<f32>(a + (<usize>j << 2)));
        store<f32>(a + (<usize>j << 2), t);
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return load<f32>(a + (<usize>k << 2));
}

/**
 * Prunes the smallest `prune` fraction (by magnitude) of each layer's free weights to zero (they stay
 * free for later experiences) and gives the rest, and the free biases, to the experience.
 */
function assign(l: Learner, experience: i32, scratch: usize): void {
  const model = l.model;
  const ctx = model.ctx, opt = model.optimizer;
  const owners = state(l).owners;
  const owner = <u8>(experience + 1);
  for (let li = 0; li < model.layerCount; li++) {
    const layer = model.layer(li);
    if (layer.kind != LAYER_LINEAR && layer.kind != LAYER_CONV) continue;
    const head = layer.heads > 1 ? headOf(l, experience) : 0;
    const first = layer.paramsOf(head);
    const weights = layer.weightCount;
    let free = 0;
    for (let i = first; i < first + weights; i++) {
      if (load<u8>(owners + <usize>i) == 0) store<f32>(scratch + (<usize>(free++) << 2), Mathf.abs(currentWeight(ctx, opt, i)));
    }
    const pruned = <i32>Math.floor(<f64>state(l).prune * <f64>free);
    let threshold: f32 = -1;
    let tiesToPrune = 0;
    if (pruned > 0) {
      threshold = select(scratch, free, pruned - 1);
      let below = 0;
      for (let k = 0; k < free; k++) if (load<f32>(scratch + (<usize>k << 2)) < threshold) below++;
      tiesToPrune = pruned - below;
    }
    for (let i = first; i < first + weights; i++) {
      if (load<u8>(owners + <usize>i) != 0) continue;
      const a = Mathf.abs(currentWeight(ctx, opt, i));
      if (a < threshold || (a == threshold && tiesToPrune-- > 0)) setWeight(ctx, opt, i, 0);
      else store<u8>(owners + <usize>i, owner);
    }
    for (let i = first + weights; i < first + layer.paramsPerHead; i++) {
      if (load<u8>(owners + <usize>i) == 0) store<u8>(owners + <usize>i, owner);
    }
  }
}

/** True when parameter i may move in this step. */
// @ts-ignore: decorator
@inline function movable(owners: usize, trainOwner: i32, i: i32): bool {
  return <i32>load<u8>(owners + <usize>i) == trainOwner;
}

/** Moves the runs of parameters the step may move. */
function update(l: Learner, start: i32, end: i32): void {
  const ctx = l.model.ctx, opt = l.model.optimizer;
  const owners = state(l).owners, trainOwner = state(l).trainOwner;
  let i = start;
  while (i < end) {
    while (i < end && !movable(owners, trainOwner, i)) i++;
    const run = i;
    while (i < end && movable(owners, trainOwner, i)) i++;
    if (i > run) updateRange(ctx, opt, run, i - run);
  }
}

function end(l: Learner, experience: i32, batch: i32, scratch: usize): void {
  assign(l, experience, scratch);
  const s = state(l);
  if (s.retrain > 0) {
    s.trainOwner = experience + 1;
    trainIterations(l, experience, s.retrain, batch, scratch);
    s.trainOwner = 0;
  }
}

/** A layer's magnitudes, for the pruning threshold. */
function scratchValues(l: Learner): u64 {
  const model = l.model;
  let largest: u64 = 0;
  for (let i = 0; i < model.layerCount; i++) largest = max<u64>(largest, <u64>model.layer(i).weightCount);
  return largest;
}

/** Weights of later experiences (and free ones) read as zero while a trained task is evaluated. */
function evalMask(l: Learner, experience: i32): bool {
  if (experience >= l.ended) return false;
  const model = l.model;
  const ctx = model.ctx;
  const s = state(l);
  memory.copy(s.snapshot, ctx.weights, <usize>model.modelBytes);
  const keep = <u8>(experience + 1);
  for (let i = 0; i < l.params; i++) {
    const o = load<u8>(s.owners + <usize>i);
    if (o == 0 || o > keep) putWeightExact(ctx, i, 0);
  }
  return true;
}

function evalUnmask(l: Learner): void {
  memory.copy(l.model.ctx.weights, state(l).snapshot, <usize>l.model.modelBytes);
}

export function packnet(): Strategy {
  const s = new Strategy("packnet");
  s.keepsWeights = true;
  s.layout = layout;
  s.update = update;
  s.endExperience = end;
  s.scratchValues = scratchValues;
  s.evalMask = evalMask;
  s.evalUnmask = evalUnmask;
  s.regions = (l: Learner): void => { addRegion(state(l).owners, <usize>l.params); };
  s.owners = (l: Learner): usize => state(l).owners;
  return s;
}
