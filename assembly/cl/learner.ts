// The continual learner on the device: a model (assembly/nn), a strategy and its state, and what the
// commands ask of them: train on an experience's samples, end an experience (where strategies act:
// Fisher, buffer update, pruning, snapshot), evaluate. docs/strategies.md describes each strategy.
//
// One training step: the batch's rows (current samples, then replayed ones) are grouped by output head
// (task scenario: one head per experience; otherwise one group), each group's gradient is computed by
// the model's backward pass and the groups are summed with their share of the batch as weight. The
// strategy then changes the gradient (penalties, A-GEM's projection) and the update moves only the
// parameters it may (PackNet's free weights, the layers above latent replay's frozen part).
import { Rng, streamKey, pow2 } from "../arith";
import {
  T_TRAIN_SAMPLES, T_TRAIN_LOSS_SUM, T_TRAIN_CORRECT, T_EVAL_LOSS_SUM, T_STEPS, T_SKIPPED_STEPS, LOSS_SCALE_DYNAMIC, LAYER_LINEAR,
  LAYER_CONV,
} from "../nn/abi";
import { Model, backward, forwardLayers, propagate, evaluate, selectHead, forward } from "../nn/model";
import { count, roundActivations } from "../nn/context";
import { beginStep, updateRange, currentWeight, setWeight } from "../nn/optim";
import { storeRounded } from "../nn/precision";
import { softmaxCrossEntropy } from "../nn/loss";
import { allocZeroed } from "../nn/alloc";
import {
  STRATEGY_CUMULATIVE, STRATEGY_REPLAY, STRATEGY_LATENT_REPLAY, STRATEGY_GDUMB, STRATEGY_AGEM, STRATEGY_EWC,
  STRATEGY_ONLINE_EWC, STRATEGY_SI, STRATEGY_LWF, STRATEGY_PACKNET, CL_MAX_EXPERIENCES,
} from "./abi";
import { ReplayBuffer, offer, slotValues, slotKey, below } from "./buffer";
import {
  Quadratic, addPenaltyGradients, penaltyGradient, consolidateEwc, consolidateOnlineEwc, consolidateSi, anchorAtCurrent,
} from "./penalty";
import { Store, storeAt, sampleLabel, sampleValues } from "./store";
import { SPLIT_TRAIN, SPLIT_TEST } from "../generated/protocol";

/** Random streams of the strategies under a TRAIN seed (streamKey(seed, id)); the model's own are 1..10. */
export const STREAM_SHUFFLE: u32 = 32;
export const STREAM_REPLAY_DRAW: u32 = 33;
export const STREAM_BUFFER: u32 = 34;

const SCALE_MIN: f32 = pow2(-64);
const SCALE_MAX: f32 = pow2(64);

/** A row of a batch: where its sample comes from (a store, or 0 for a buffer slot), its index, its head. */
const PICK_BYTES: usize = 12;

@final @unmanaged
export class Learner {
  model: Model = changetype<Model>(0);
  strategy: i32 = 0;
  params: i32 = 0;
  heads: i32 = 1;
  classes: i32 = 0;
  replayBatch: i32 = 0;
  lambda: f32 = 0;
  gamma: f32 = 0;
  prune: f32 = 0;
  retrain: i32 = 0;
  cut: i32 = 0;
  fisherSamples: i32 = 0;
  buffer: ReplayBuffer = changetype<ReplayBuffer>(0);
  quad: Quadratic = changetype<Quadratic>(0);
  /** Gradient sum over the groups of a step (several heads), and A-GEM's reference gradient (params f32). */
  acc: usize = 0;
  ref: usize = 0;
  /** PackNet: the experience + 1 that owns each parameter (u8), 0 while free. */
  owners: usize = 0;
  /** PackNet: parameters with this owner train (0: the free ones). */
  trainOwner: i32 = 0;
  /** LwF: the weights at the last experience's end (stored form); PackNet: a backup for masked evaluation. */
  snapshot: usize = 0;
  /** GDumb: the initial weights (stored form and master copy), to retrain from scratch. */
  initWeights: usize = 0;
  initMaster: usize = 0;
  /** LwF: the old model's logits of the batch. */
  teacher: usize = 0;
  picks: usize = 0;
  /** One flag byte per head: its gradients are part of this step. */
  touched: usize = 0;
  rng: Rng = changetype<Rng>(0);
  /** Experiences ended so far; the experience trained last. */
  ended: i32 = 0;
  current: i32 = -1;
  /** Latent replay: layers below `cut` are frozen (after experience 0); the first parameter that trains. */
  frozen: bool = false;
  firstTrainable: i32 = 0;
  /** Scratch in linear memory for a command (above the payload), set by the command loop. */
  scratch: usize = 0;
  /** Loss of the last step. */
  lastLoss: f64 = 0;
}

// ---- Rows of a batch ----

// @ts-ignore: decorator
@inline function pickStore(l: Learner, r: i32): usize { return load<usize>(l.picks + <usize>r * PICK_BYTES); }
// @ts-ignore: decorator
@inline function pickIndex(l: Learner, r: i32): i32 { return load<i32>(l.picks + <usize>r * PICK_BYTES + 4); }
// @ts-ignore: decorator
@inline function pickHead(l: Learner, r: i32): i32 { return load<i32>(l.picks + <usize>r * PICK_BYTES + 8); }

function setPick(l: Learner, r: i32, source: usize, index: i32, head: i32): void {
  const p = l.picks + <usize>r * PICK_BYTES;
  store<usize>(p, source);
  store<i32>(p + 4, index);
  store<i32>(p + 8, head);
}

/** Stable insertion sort of rows 0..n-1 by head, current samples before replayed ones within a head. */
function sortPicks(l: Learner, n: i32): void {
  const tmp = l.picks + <usize>l.model.maxBatch * PICK_BYTES;
  for (let i = 1; i < n; i++) {
    const key = pickHead(l, i) * 2 + (pickStore(l, i) == 0 ? 1 : 0);
    memory.copy(tmp, l.picks + <usize>i * PICK_BYTES, PICK_BYTES);
    let j = i - 1;
    while (j >= 0 && pickHead(l, j) * 2 + (pickStore(l, j) == 0 ? 1 : 0) > key) {
      memory.copy(l.picks + <usize>(j + 1) * PICK_BYTES, l.picks + <usize>j * PICK_BYTES, PICK_BYTES);
      j--;
    }
    memory.copy(l.picks + <usize>(j + 1) * PICK_BYTES, tmp, PICK_BYTES);
  }
}

/** Label a row trains on: the stored label, or the label part of a buffer slot's class key. */
function pickLabel(l: Learner, r: i32): i32 {
  const s = pickStore(l, r);
  if (s != 0) return sampleLabel(changetype<Store>(s), pickIndex(l, r));
  return slotKey(l.buffer, pickIndex(l, r)) % l.classes;
}

/** Writes row r's values (f32) at dst. */
function pickValues(l: Learner, r: i32, dst: usize): void {
  const s = pickStore(l, r);
  if (s != 0) sampleValues(changetype<Store>(s), pickIndex(l, r), dst);
  else slotValues(l.buffer, pickIndex(l, r), dst);
}

// ---- Gradients ----

function headRange(l: Learner, head: i32): i32 { return l.model.output.paramsOf(head); }

function bodyParams(l: Learner): i32 { return l.model.output.paramBase; }

/**
 * Gradient of rows first .. end-1 (one head) into the model's gradient buffer: the backward pass, or
 * for latent replay, the layers above the cut on the frozen part's outputs and the stored latents.
 */
function groupGradient(l: Learner, first: i32, end: i32, head: i32): void {
  const model = l.model;
  const m = end - first;
  if (l.heads > 1) selectHead(model, head);
  const out = model.labels;
  for (let r = first; r < end; r++) store<i32>(out + (<usize>(r - first) << 2), pickLabel(l, r));
  if (l.strategy == STRATEGY_LATENT_REPLAY && l.frozen) {
    // Current samples go through the frozen layers; stored latents join them at the cut.
    let current = 0;
    const size = model.input.size;
    for (let r = first; r < end && pickStore(l, r) != 0; r++) {
      pickValues(l, r, model.input.data + (<usize>(current * size) << 2));
      current++;
    }
    const cutLayer = model.layer(l.cut);
    if (current > 0) {
      roundActivations(model.ctx, model.input.data, current * size);
      forwardLayers(model, current, true, 0, l.cut);
    }
    const latent = cutLayer.input.size;
    for (let r = first + current; r < end; r++) slotValues(l.buffer, pickIndex(l, r), cutLayer.input.data + (<usize>((r - first) * latent) << 2));
    forwardLayers(model, m, true, l.cut, model.layerCount);
    const loss = softmaxCrossEntropy(model.output.output.data, model.labels, m, model.classes, model.predictions, model.errorA, model.lossScale);
    countTraining(model, m, loss);
    l.lastLoss += loss;
    propagate(model, m, l.cut);
    return;
  }
  const size = model.input.size;
  for (let r = first; r < end; r++) pickValues(l, r, model.input.data + (<usize>((r - first) * size) << 2));
  if (l.strategy == STRATEGY_LWF && l.ended > 0) {
    distil(l, m, head);
    return;
  }
  const before = load<f64>(model.ctx.telemetry + (<usize>T_TRAIN_LOSS_SUM << 3));
  backward(model, m);
  l.lastLoss += load<f64>(model.ctx.telemetry + (<usize>T_TRAIN_LOSS_SUM << 3)) - before;
}

function countTraining(model: Model, m: i32, loss: f64): void {
  let correct = 0;
  for (let s = 0; s < m; s++) if (load<i32>(model.predictions + (<usize>s << 2)) == load<i32>(model.labels + (<usize>s << 2))) correct++;
  count(model.ctx, T_TRAIN_SAMPLES, m);
  count(model.ctx, T_TRAIN_LOSS_SUM, loss);
  count(model.ctx, T_TRAIN_CORRECT, correct);
}

/** Softmax of logits / temperature, in f64, into out (f64 x classes). */
function softmaxT(logits: usize, classes: i32, temperature: f64, out: usize): void {
  let largest = -Infinity;
  for (let j = 0; j < classes; j++) largest = max(largest, <f64>load<f32>(logits + (<usize>j << 2)));
  let sum: f64 = 0;
  for (let j = 0; j < classes; j++) {
    const e = Math.exp((<f64>load<f32>(logits + (<usize>j << 2)) - largest) / temperature);
    store<f64>(out + (<usize>j << 3), e);
    sum += e;
  }
  for (let j = 0; j < classes; j++) store<f64>(out + (<usize>j << 3), load<f64>(out + (<usize>j << 3)) / sum);
}

/** The old model's logits of the batch in model.input on `head`, into l.teacher. */
function teacherLogits(l: Learner, m: i32, head: i32): void {
  const model = l.model;
  const ctx = model.ctx;
  const own = ctx.weights;
  // The snapshot is in the weights' stored form: the forward pass reads it in their place.
  ctx.weights = l.snapshot;
  if (l.heads > 1) selectHead(model, head);
  const keep = l.scratch;
  memory.copy(keep, model.input.data, <usize>(m * model.input.size) << 2);
  forward(model, m, false);
  memory.copy(l.teacher, model.output.output.data, <usize>(m * model.classes) << 2);
  memory.copy(model.input.data, keep, <usize>(m * model.input.size) << 2);
  ctx.weights = own;
}

/**
 * LwF (Li & Hoiem 2017, as van de Ven & Tolias 2019 run it): cross-entropy on the current head plus
 * alpha x T^2 x the KL divergence from the old model's softened outputs (temperature T) on the same
 * inputs; in the task scenario the old outputs are the earlier experiences' heads. The gradients of
 * all the groups add up in l.acc.
 */
function distil(l: Learner, m: i32, head: i32): void {
  const model = l.model;
  const classes = model.classes;
  const T = <f64>l.gamma;
  const alpha = <f64>l.lambda;
  const scale = <f64>model.lossScale / <f64>m;
  const p = l.scratch + (<usize>(m * model.input.size) << 2);
  const q = p + (<usize>classes << 3);
  // One head: one group, labels and distillation on the same outputs. Several heads: each earlier
  // experience's head is distilled, then the current head learns its labels.
  const oldHeads = l.heads > 1 ? min(l.ended, l.heads) : 0;
  for (let g = 0; g <= oldHeads; g++) {
    const h = g == oldHeads ? head : g;
    if (g < oldHeads && h == head) continue;
    const hard = g == oldHeads;
    const soft = l.heads == 1 || !hard;
    if (soft) teacherLogits(l, m, h);
    if (l.heads > 1) selectHead(model, h);
    forward(model, m, true);
    const logits = model.output.output.data;
    if (hard) {
      const loss = softmaxCrossEntropy(logits, model.labels, m, classes, model.predictions, model.errorA, model.lossScale);
      countTraining(model, m, loss);
      l.lastLoss += loss;
    } else {
      memory.fill(model.errorA, 0, <usize>(m * classes) << 2);
    }
    if (soft) {
      const weight = l.heads > 1 ? alpha / <f64>max(oldHeads, 1) : alpha;
      for (let s = 0; s < m; s++) {
        softmaxT(logits + (<usize>(s * classes) << 2), classes, T, p);
        softmaxT(l.teacher + (<usize>(s * classes) << 2), classes, T, q);
        const row = model.errorA + (<usize>(s * classes) << 2);
        // d/dz of T^2 KL(q_T || p_T) = T (p_T - q_T).
        for (let j = 0; j < classes; j++) {
          const d = weight * T * (load<f64>(p + (<usize>j << 3)) - load<f64>(q + (<usize>j << 3))) * scale;
          store<f32>(row + (<usize>j << 2), load<f32>(row + (<usize>j << 2)) + <f32>d);
        }
      }
    }
    propagate(model, m);
    accumulate(l, h, 1);
  }
  copyBack(l);
}

/** acc += weight x gradients, over the body and head h; marks h touched. */
function accumulate(l: Learner, h: i32, weight: f32): void {
  const grads = l.model.ctx.grads;
  const body = bodyParams(l);
  for (let i = 0; i < body; i++) {
    const at = <usize>i << 2;
    store<f32>(l.acc + at, load<f32>(l.acc + at) + weight * load<f32>(grads + at));
  }
  const first = headRange(l, h), n = l.model.output.paramsPerHead;
  for (let i = first; i < first + n; i++) {
    const at = <usize>i << 2;
    store<f32>(l.acc + at, load<f32>(l.acc + at) + weight * load<f32>(grads + at));
  }
  store<u8>(l.touched + <usize>h, 1);
}

/** The summed gradients back into the gradient buffer. */
function copyBack(l: Learner): void {
  memory.copy(l.model.ctx.grads, l.acc, <usize>l.params << 2);
}

/**
 * Gradient of rows 0..n-1 in the gradient buffer (loss scale included), their heads marked touched.
 * The accumulator is zeroed first when there is more than one group.
 */
function batchGradient(l: Learner, n: i32): void {
  if (l.heads > 1) sortPicks(l, n);
  memory.fill(l.touched, 0, <usize>l.heads);
  if (l.strategy == STRATEGY_LWF && l.ended > 0) {
    memory.fill(l.acc, 0, <usize>l.params << 2);
    groupGradient(l, 0, n, pickHead(l, 0));
    return;
  }
  if (l.heads == 1 || pickHead(l, 0) == pickHead(l, n - 1)) {
    groupGradient(l, 0, n, pickHead(l, 0));
    store<u8>(l.touched + <usize>pickHead(l, 0), 1);
    return;
  }
  memory.fill(l.acc, 0, <usize>l.params << 2);
  let first = 0;
  while (first < n) {
    const h = pickHead(l, first);
    let end = first + 1;
    while (end < n && pickHead(l, end) == h) end++;
    groupGradient(l, first, end, h);
    accumulate(l, h, <f32>(end - first) / <f32>n);
    first = end;
  }
  copyBack(l);
}

// ---- The update ----

function unscaleRange(l: Learner, first: i32, n: i32): bool {
  const grads = l.model.ctx.grads;
  const scale = l.model.lossScale;
  let ok = true;
  for (let i = first; i < first + n; i++) {
    const p = grads + (<usize>i << 2);
    const g = load<f32>(p) / scale;
    if (g - g != 0) ok = false;
    store<f32>(p, g);
  }
  return ok;
}

/** True when parameter i may move in this step. */
// @ts-ignore: decorator
@inline function movable(l: Learner, i: i32): bool {
  return l.owners == 0 || <i32>load<u8>(l.owners + <usize>i) == l.trainOwner;
}

/** Updates parameters first .. first+n-1, skipping frozen ones; SI integrates its path as it goes. */
function updateParams(l: Learner, first: i32, n: i32): void {
  const model = l.model;
  const ctx = model.ctx, opt = model.optimizer;
  const start = max(first, l.firstTrainable);
  const end = first + n;
  if (start >= end) return;
  if (l.strategy == STRATEGY_SI) {
    const q = l.quad;
    for (let i = start; i < end; i++) {
      const before = currentWeight(ctx, opt, i);
      let g = load<f32>(ctx.grads + (<usize>i << 2));
      if (q.active) g -= penaltyGradient(q, i, before);
      updateRange(ctx, opt, i, 1);
      const omega = q.running + (<usize>i << 2);
      store<f32>(omega, load<f32>(omega) - g * (currentWeight(ctx, opt, i) - before));
    }
    return;
  }
  if (l.owners == 0) {
    updateRange(ctx, opt, start, end - start);
    return;
  }
  let i = start;
  while (i < end) {
    while (i < end && !movable(l, i)) i++;
    const run = i;
    while (i < end && movable(l, i)) i++;
    if (i > run) updateRange(ctx, opt, run, i - run);
  }
}

/** Unscales and applies the gradients of the body and the touched heads (nn's step, over several heads). */
function update(l: Learner): bool {
  const model = l.model;
  const ctx = model.ctx;
  const body = bodyParams(l);
  const perHead = model.output.paramsPerHead;
  // Frozen layers (latent replay) keep stale gradients: only the trainable part is unscaled and checked.
  let ok = unscaleRange(l, l.firstTrainable, max(0, body - l.firstTrainable));
  for (let h = 0; h < l.heads; h++) if (load<u8>(l.touched + <usize>h) != 0) ok = unscaleRange(l, headRange(l, h), perHead) && ok;
  if (!ok) {
    count(ctx, T_SKIPPED_STEPS, 1);
    if (model.lossScaleKind == LOSS_SCALE_DYNAMIC) {
      model.lossScale = max(model.lossScale * 0.5, SCALE_MIN);
      model.cleanSteps = 0;
    }
    return false;
  }
  beginStep(model.optimizer);
  updateParams(l, 0, body);
  for (let h = 0; h < l.heads; h++) if (load<u8>(l.touched + <usize>h) != 0) updateParams(l, headRange(l, h), perHead);
  count(ctx, T_STEPS, 1);
  if (model.lossScaleKind == LOSS_SCALE_DYNAMIC && ++model.cleanSteps >= model.scaleInterval) {
    model.lossScale = min(model.lossScale * 2, SCALE_MAX);
    model.cleanSteps = 0;
  }
  return true;
}

/**
 * A-GEM (Chaudhry et al., ICLR 2019): when the gradient g and the reference gradient r of a buffer batch
 * point apart (g.r < 0), g becomes g - (g.r / r.r) r, which has g.r = 0. Sums in f64.
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

/** One optimiser step on rows 0..n-1; returns false when the step was skipped (overflow). */
function trainStep(l: Learner, n: i32): bool {
  const model = l.model;
  l.lastLoss = 0;
  if (l.strategy == STRATEGY_AGEM && l.buffer.size > 0) {
    // The reference gradient first, from a buffer batch drawn after the current rows.
    const r = min(min(l.replayBatch, l.buffer.size), model.maxBatch);
    memory.copy(l.scratch, l.picks, <usize>n * PICK_BYTES);
    for (let k = 0; k < r; k++) {
      const slot = below(l.rng, <u64>l.buffer.size);
      setPick(l, k, 0, slot, slotKey(l.buffer, slot) / l.classes);
    }
    batchGradient(l, r);
    const refTouched = l.scratch + <usize>model.maxBatch * PICK_BYTES;
    memory.copy(refTouched, l.touched, <usize>l.heads);
    memory.copy(l.ref, model.ctx.grads, <usize>l.params << 2);
    memory.copy(l.picks, l.scratch, <usize>n * PICK_BYTES);
    l.lastLoss = 0;
    batchGradient(l, n);
    // The reference gradient's heads take part in the projection and the update.
    for (let h = 0; h < l.heads; h++) if (load<u8>(refTouched + <usize>h) != 0) store<u8>(l.touched + <usize>h, 1);
    if (l.heads > 1) {
      // Untouched heads hold stale values in either buffer: zero them so the dot products see only this step.
      for (let h = 0; h < l.heads; h++) {
        const first = headRange(l, h), size = model.output.paramsPerHead;
        if (load<u8>(refTouched + <usize>h) == 0) memory.fill(l.ref + (<usize>first << 2), 0, <usize>size << 2);
      }
    }
    agemProject(model.ctx.grads, l.ref, l.params);
  } else {
    batchGradient(l, n);
  }
  if (l.quad != changetype<Quadratic>(0)) addPenaltyGradients(l.quad, model, 0, l.params, model.lossScale);
  return update(l);
}

// ---- Experiences ----

/** Fills rows from a seeded permutation of `pool` samples (stores of experiences listed in the scratch). */
@final @unmanaged
class Pool {
  stores: usize = 0;
  storeCount: i32 = 0;
  total: i32 = 0;
  order: usize = 0;
  position: i32 = 0;
}

const pool = memory.data(offsetof<Pool>());

function poolOf(): Pool { return changetype<Pool>(pool); }

/** Fisher-Yates shuffle of 0..n-1 into order (i32), drawing from rng. */
function shuffle(order: usize, n: i32, rng: Rng): void {
  for (let i = 0; i < n; i++) store<i32>(order + (<usize>i << 2), i);
  for (let i = n - 1; i > 0; i--) {
    const j = below(rng, <u64>i + 1);
    const a = load<i32>(order + (<usize>i << 2));
    store<i32>(order + (<usize>i << 2), load<i32>(order + (<usize>j << 2)));
    store<i32>(order + (<usize>j << 2), a);
  }
}

/** Sample k of the pool: its store and index. */
function poolSample(k: i32, outIndex: usize): Store {
  const p = poolOf();
  for (let s = 0; s < p.storeCount; s++) {
    const st = changetype<Store>(load<usize>(p.stores + (<usize>s << alignof<usize>())));
    if (k < st.count) {
      store<i32>(outIndex, k);
      return st;
    }
    k -= st.count;
  }
  return changetype<Store>(0);
}

function headOf(l: Learner, experience: i32): i32 {
  return l.heads > 1 ? experience : 0;
}

/**
 * Bytes of command scratch TRAIN and the end of an experience need, for a pool of n samples: the pool
 * (store list, permutation), then the step's scratch (a copy of the input batch and two softmax rows,
 * or A-GEM's saved rows), and room for a sample, a Fisher permutation, a layer's magnitudes (PackNet)
 * or GDumb's buffer permutation.
 */
export function trainScratchBytes(l: Learner, n: i32): u64 {
  const model = l.model;
  const m = <u64>model.maxBatch;
  const step = max<u64>((m * <u64>model.input.size << 2) + (<u64>model.classes << 4), 2 * m * PICK_BYTES + <u64>l.heads);
  const capacity = l.buffer != changetype<ReplayBuffer>(0) ? <u64>l.buffer.capacity : 0;
  let largestLayer: u64 = 0;
  if (l.strategy == STRATEGY_PACKNET) {
    for (let i = 0; i < model.layerCount; i++) largestLayer = max<u64>(largestLayer, <u64>model.layer(i).weightCount);
  }
  const boundary = max<u64>(max<u64>(<u64>model.input.size, largestLayer), capacity) << 2;
  return (<u64>n << 2) + (<u64>CL_MAX_EXPERIENCES << alignof<usize>()) + step + boundary + 256;
}

/** Sets up the pool of samples an experience trains on (cumulative: every stored experience so far). */
function buildPool(l: Learner, experience: i32, scratch: usize): void {
  const p = poolOf();
  p.stores = scratch;
  p.storeCount = 0;
  p.total = 0;
  const from = l.strategy == STRATEGY_CUMULATIVE ? 0 : experience;
  for (let e = from; e <= experience; e++) {
    const st = storeAt(e, SPLIT_TRAIN);
    if (st.count == 0) continue;
    store<usize>(p.stores + (<usize>p.storeCount << alignof<usize>()), changetype<usize>(st));
    p.storeCount++;
    p.total += st.count;
  }
  p.order = scratch + (<usize>CL_MAX_EXPERIENCES << alignof<usize>());
  p.position = p.total;
}

/** Fills rows 0..batch-1 from the pool's permutation, reshuffling when it runs out. */
function fillCurrent(l: Learner, batch: i32, head: i32, experience: i32): void {
  const p = poolOf();
  const index = l.scratch;
  for (let r = 0; r < batch; r++) {
    if (p.position >= p.total) {
      shuffle(p.order, p.total, l.rng);
      p.position = 0;
    }
    const k = load<i32>(p.order + (<usize>(p.position++) << 2));
    const st = poolSample(k, index);
    // Cumulative training in the task scenario: a stored sample's head is its experience's.
    let h = head;
    if (l.heads > 1) for (let e = 0; e <= experience; e++) if (storeAt(e, SPLIT_TRAIN) == st) h = e;
    setPick(l, r, changetype<usize>(st), load<i32>(index), h);
  }
}

/** Appends up to replayBatch buffer slots (uniform, with replacement) after rows 0..n-1; returns the rows. */
function fillReplay(l: Learner, n: i32): i32 {
  if (l.buffer == changetype<ReplayBuffer>(0) || l.buffer.size == 0) return n;
  const r = min(l.replayBatch, l.model.maxBatch - n);
  for (let k = 0; k < r; k++) {
    const slot = below(l.rng, <u64>l.buffer.size);
    setPick(l, n + k, 0, slot, slotKey(l.buffer, slot) / l.classes);
  }
  return n + r;
}

/** Reseeds the strategy's streams for a TRAIN request. */
export function seedTrain(l: Learner, seed: u32): void {
  l.rng.key = streamKey(seed, STREAM_SHUFFLE);
  l.rng.counter = 0;
  if (l.buffer != changetype<ReplayBuffer>(0)) {
    l.buffer.rng.key = streamKey(seed, STREAM_BUFFER);
    l.buffer.rng.counter = 0;
  }
}

/** Runs `iterations` steps on the experience's pool (l.scratch must be set); returns the mean step loss. */
export function trainIterations(l: Learner, experience: i32, iterations: i32, batch: i32, scratch: usize): f64 {
  const head = headOf(l, experience);
  if (l.current != experience) {
    l.current = experience;
    if (l.strategy == STRATEGY_SI && !l.quad.active && l.ended == 0) anchorAtCurrent(l.quad, l.model);
  }
  buildPool(l, experience, scratch);
  const p = poolOf();
  l.scratch = p.order + (<usize>p.total << 2);
  l.scratch = (l.scratch + 15) & ~<usize>15;
  let lossSum: f64 = 0;
  for (let it = 0; it < iterations; it++) {
    fillCurrent(l, batch, head, experience);
    let n = batch;
    if (l.strategy == STRATEGY_REPLAY || l.strategy == STRATEGY_LATENT_REPLAY) n = fillReplay(l, batch);
    trainStep(l, n);
    l.lastLoss /= <f64>n;
    lossSum += l.lastLoss;
  }
  return iterations > 0 ? lossSum / <f64>iterations : 0;
}

/** Offers every training sample of the experience to the buffer (latent replay: their latents). */
function fillBuffer(l: Learner, experience: i32, scratch: usize): void {
  const st = storeAt(experience, SPLIT_TRAIN);
  const b = l.buffer;
  const head = headOf(l, experience);
  const model = l.model;
  if (l.strategy != STRATEGY_LATENT_REPLAY) {
    for (let i = 0; i < st.count; i++) {
      sampleValues(st, i, scratch);
      offer(b, scratch, head * l.classes + sampleLabel(st, i));
    }
    return;
  }
  const size = model.input.size;
  const cutInput = model.layer(l.cut).input;
  const latent = cutInput.size;
  for (let first = 0; first < st.count; first += model.maxBatch) {
    const m = min(model.maxBatch, st.count - first);
    for (let k = 0; k < m; k++) sampleValues(st, first + k, model.input.data + (<usize>(k * size) << 2));
    roundActivations(model.ctx, model.input.data, m * size);
    forwardLayers(model, m, false, 0, l.cut);
    for (let k = 0; k < m; k++) offer(b, cutInput.data + (<usize>(k * latent) << 2), head * l.classes + sampleLabel(st, first + k));
  }
}

/**
 * Diagonal Fisher information of the experience (van de Ven & Tolias's EWC: the model's own predicted
 * label, one sample per backward pass) over `fisherSamples` samples of a seeded permutation, into
 * quad.running.
 */
function estimateFisher(l: Learner, experience: i32, scratch: usize): void {
  const st = storeAt(experience, SPLIT_TRAIN);
  const model = l.model;
  const n = l.fisherSamples == 0 ? st.count : min(l.fisherSamples, st.count);
  const order = scratch;
  shuffle(order, st.count, l.rng);
  if (l.heads > 1) selectHead(model, headOf(l, experience));
  const running = l.quad.running;
  const scale = model.lossScale;
  for (let k = 0; k < n; k++) {
    const i = load<i32>(order + (<usize>k << 2));
    sampleValues(st, i, model.input.data);
    store<i32>(model.labels, 0);
    forward(model, 1, false);
    // The predicted class (the first largest logit) is the label whose log-likelihood is differentiated.
    let best = 0;
    const logits = model.output.output.data;
    for (let j = 1; j < model.classes; j++) if (load<f32>(logits + (<usize>j << 2)) > load<f32>(logits + (<usize>best << 2))) best = j;
    sampleValues(st, i, model.input.data);
    store<i32>(model.labels, best);
    backward(model, 1);
    const body = bodyParams(l);
    const hf = headRange(l, headOf(l, experience)), hn = model.output.paramsPerHead;
    for (let p = 0; p < l.params; p++) {
      if (p >= body && (p < hf || p >= hf + hn)) continue;
      const g = load<f32>(model.ctx.grads + (<usize>p << 2)) / scale;
      if (g - g != 0) continue;
      const at = running + (<usize>p << 2);
      store<f32>(at, load<f32>(at) + g * g / <f32>n);
    }
  }
}

// ---- PackNet (Mallya & Lazebnik, CVPR 2018) ----

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
function packnetAssign(l: Learner, experience: i32, scratch: usize): void {
  const model = l.model;
  const ctx = model.ctx, opt = model.optimizer;
  const owner = <u8>(experience + 1);
  for (let li = 0; li < model.layerCount; li++) {
    const layer = model.layer(li);
    if (layer.kind != LAYER_LINEAR && layer.kind != LAYER_CONV) continue;
    const head = layer.heads > 1 ? headOf(l, experience) : 0;
    const first = layer.paramsOf(head);
    const weights = layer.weightCount;
    let free = 0;
    for (let i = first; i < first + weights; i++) {
      if (load<u8>(l.owners + <usize>i) == 0) store<f32>(scratch + (<usize>(free++) << 2), Mathf.abs(currentWeight(ctx, opt, i)));
    }
    const pruned = <i32>Math.floor(<f64>l.prune * <f64>free);
    let threshold: f32 = -1;
    let tiesToPrune = 0;
    if (pruned > 0) {
      threshold = select(scratch, free, pruned - 1);
      let below = 0;
      for (let k = 0; k < free; k++) if (load<f32>(scratch + (<usize>k << 2)) < threshold) below++;
      tiesToPrune = pruned - below;
    }
    for (let i = first; i < first + weights; i++) {
      if (load<u8>(l.owners + <usize>i) != 0) continue;
      const a = Mathf.abs(currentWeight(ctx, opt, i));
      if (a < threshold || (a == threshold && tiesToPrune-- > 0)) setWeight(ctx, opt, i, 0);
      else store<u8>(l.owners + <usize>i, owner);
    }
    for (let i = first + weights; i < first + layer.paramsPerHead; i++) {
      if (load<u8>(l.owners + <usize>i) == 0) store<u8>(l.owners + <usize>i, owner);
    }
  }
}

/** Ends an experience: the strategy acts at the boundary. */
export function endExperience(l: Learner, experience: i32, iterations: i32, batch: i32, scratch: usize): void {
  const strategy = l.strategy;
  if (strategy == STRATEGY_EWC || strategy == STRATEGY_ONLINE_EWC) {
    estimateFisher(l, experience, scratch);
    if (strategy == STRATEGY_EWC) consolidateEwc(l.quad, l.model);
    else consolidateOnlineEwc(l.quad, l.model, l.gamma);
  } else if (strategy == STRATEGY_SI) {
    consolidateSi(l.quad, l.model, l.gamma);
  } else if (strategy == STRATEGY_REPLAY || strategy == STRATEGY_AGEM) {
    fillBuffer(l, experience, scratch);
  } else if (strategy == STRATEGY_LATENT_REPLAY) {
    if (!l.frozen) {
      l.frozen = true;
      l.firstTrainable = l.model.layer(l.cut).paramBase;
      // Layers without parameters at the cut: the next layer with them starts the trainable part.
      for (let i = l.cut; i < l.model.layerCount; i++) {
        const layer = l.model.layer(i);
        if (layer.kind == LAYER_LINEAR || layer.kind == LAYER_CONV) {
          l.firstTrainable = layer.paramBase;
          break;
        }
      }
    }
    fillBuffer(l, experience, scratch);
  } else if (strategy == STRATEGY_LWF) {
    memory.copy(l.snapshot, l.model.ctx.weights, <usize>l.model.modelBytes);
  } else if (strategy == STRATEGY_PACKNET) {
    packnetAssign(l, experience, scratch);
    if (l.retrain > 0) {
      l.trainOwner = experience + 1;
      trainIterations(l, experience, l.retrain, batch, scratch);
      l.trainOwner = 0;
    }
  }
  l.ended = max(l.ended, experience + 1);
}

/** GDumb: the experience's samples go to the buffer, then the model is trained from scratch on the buffer alone. */
export function gdumbTrain(l: Learner, experience: i32, iterations: i32, batch: i32, scratch: usize): f64 {
  fillBuffer(l, experience, scratch);
  const model = l.model;
  const ctx = model.ctx, opt = model.optimizer;
  memory.copy(ctx.weights, l.initWeights, <usize>model.modelBytes);
  if (l.initMaster != 0) memory.copy(opt.master, l.initMaster, <usize>model.masterBytes);
  const stateBytes = <usize>l.params * <usize>ctx.optimizer.bytes;
  if (opt.state1 != 0) memory.fill(opt.state1, 0, stateBytes);
  if (opt.state2 != 0) memory.fill(opt.state2, 0, stateBytes);
  opt.steps = 0;
  opt.beta1Power = 1;
  opt.beta2Power = 1;
  const b = l.buffer;
  if (b.size == 0) return 0;
  const order = scratch;
  l.scratch = (scratch + (<usize>b.size << 2) + 15) & ~<usize>15;
  let position = b.size;
  let lossSum: f64 = 0;
  const n = min(batch, model.maxBatch);
  for (let it = 0; it < iterations; it++) {
    for (let r = 0; r < n; r++) {
      if (position >= b.size) {
        shuffle(order, b.size, l.rng);
        position = 0;
      }
      const slot = load<i32>(order + (<usize>(position++) << 2));
      setPick(l, r, 0, slot, slotKey(b, slot) / l.classes);
    }
    l.lastLoss = 0;
    trainStep(l, n);
    lossSum += l.lastLoss / <f64>n;
  }
  l.ended = max(l.ended, experience + 1);
  return iterations > 0 ? lossSum / <f64>iterations : 0;
}

// ---- Evaluation ----

/**
 * Evaluates the experience's test samples; returns correct predictions and adds the loss to *lossOut.
 * With taskMask and PackNet, weights of later experiences (and free ones) read as zero, as PackNet
 * evaluates a task with its own mask.
 */
export function evaluateExperience(l: Learner, experience: i32, taskMask: bool, scratch: usize, lossOut: usize): i32 {
  const model = l.model;
  const st = storeAt(experience, SPLIT_TEST);
  const masked = taskMask && l.strategy == STRATEGY_PACKNET && experience < l.ended;
  const ctx = model.ctx;
  if (masked) {
    memory.copy(l.snapshot, ctx.weights, <usize>model.modelBytes);
    const keep = <u8>(experience + 1);
    for (let i = 0; i < l.params; i++) {
      const o = load<u8>(l.owners + <usize>i);
      if (o == 0 || o > keep) storeRounded(ctx.weight, ctx.weights, i, 0);
    }
  }
  if (l.heads > 1) selectHead(model, headOf(l, experience));
  const size = model.input.size;
  let correct = 0;
  let loss: f64 = 0;
  for (let first = 0; first < st.count; first += model.maxBatch) {
    const m = min(model.maxBatch, st.count - first);
    for (let k = 0; k < m; k++) {
      sampleValues(st, first + k, model.input.data + (<usize>(k * size) << 2));
      store<i32>(model.labels + (<usize>k << 2), sampleLabel(st, first + k));
    }
    const lossBefore = load<f64>(ctx.telemetry + (<usize>T_EVAL_LOSS_SUM << 3));
    correct += evaluate(model, m);
    loss += load<f64>(ctx.telemetry + (<usize>T_EVAL_LOSS_SUM << 3)) - lossBefore;
  }
  if (masked) memory.copy(ctx.weights, l.snapshot, <usize>model.modelBytes);
  store<f64>(lossOut, loss);
  return correct;
}

export function newLearner(): Learner {
  const l = new Learner();
  l.rng = new Rng();
  return l;
}

