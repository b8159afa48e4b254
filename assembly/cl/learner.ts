// The continual learner on the device: a model (assembly/nn), a strategy (a row of hooks, strategy.ts)
// with its state, and what the commands ask of them: train on an experience's samples, end an
// experience (where strategies act), evaluate. docs/strategies.md describes each strategy.
//
// One training step: the batch's rows (current samples, then replayed ones: rows.ts) are grouped by
// output head (task scenario: one head per experience; otherwise one group), each group's gradient is
// computed by the model's backward pass and the groups are summed with their share of the batch as
// weight. The strategy then changes the gradient (penalties) and its update moves the parameters it may.
import { Rng, streamKey } from "../arith";
import { T_TRAIN_SAMPLES, T_TRAIN_LOSS_SUM, T_TRAIN_CORRECT, T_EVAL_LOSS_SUM } from "../nn/abi";
import { Model, backward, evaluate, selectHead } from "../nn/model";
import { count } from "../nn/context";
import { beginStep } from "../nn/optim";
import { unscale, stepSkipped, stepApplied } from "../nn/step";
import { take } from "../nn/alloc";
import { CL_REPLAY_BATCH, CL_MAX_EXPERIENCES } from "./abi";
import { ReplayBuffer } from "./buffer";
import { storeAt, sampleLabel, sampleValues } from "../device/store";
import { SPLIT_TEST } from "../generated/protocol";
import { Strategy, blobWord } from "./strategy";
import { PolicyRun, newPolicyRun, policyBeforeStep, policyAfterStep, policyTrainStarts, policyTrains } from "./policy";
import { policies } from "./policies";
import { PICK_BYTES, pickHead, pickLabel, pickValues, sortPicks, poolOf, buildPool, fillCurrent, headOf } from "./rows";

/** Random streams of the strategies under a TRAIN seed (streamKey(seed, id)); the model's own are 1..10. */
export const STREAM_SHUFFLE: u32 = 32;
export const STREAM_REPLAY_DRAW: u32 = 33;
export const STREAM_BUFFER: u32 = 34;

@final @unmanaged
export class Learner {
  model: Model = changetype<Model>(0);
  /** The strategy's hooks, and its own state (an object of its file, 0 when it has none). */
  hooks: Strategy = changetype<Strategy>(0);
  state: usize = 0;
  params: i32 = 0;
  heads: i32 = 1;
  classes: i32 = 0;
  /** Buffer rows a step replays (replay) or draws for its reference gradient (A-GEM). */
  replayBatch: i32 = 0;
  /** Rows may come from this buffer's slots (0 without one). */
  buffer: ReplayBuffer = changetype<ReplayBuffer>(0);
  /** Gradient sum over the groups of a step (several heads, or a strategy that accumulates; params f32). */
  acc: usize = 0;
  picks: usize = 0;
  /** One flag byte per head: its gradients are part of this step. */
  touched: usize = 0;
  rng: Rng = changetype<Rng>(0);
  /** Experiences ended so far; the experience trained last. */
  ended: i32 = 0;
  current: i32 = -1;
  /** The first parameter that trains (latent replay freezes the layers below its cut). */
  firstTrainable: i32 = 0;
  /** Scratch in linear memory for a command (above the payload), set by the command loop. */
  scratch: usize = 0;
  /** Loss of the last step. */
  lastLoss: f64 = 0;
  /** The precision policy's run (policy.ts); 0 with the static policy. */
  precision: PolicyRun = changetype<PolicyRun>(0);
}

/**
 * The learner for a model and the strategy blob at `blob`, its state laid out by the strategy's hook:
 * with `dry`, objects are created but every block is only counted (nn/alloc.ts take).
 */
export function newLearner(model: Model, hooks: Strategy, blob: usize, dry: bool): Learner {
  const l = new Learner();
  l.rng = new Rng();
  l.model = model;
  l.hooks = hooks;
  l.params = model.params;
  l.heads = model.heads;
  l.classes = model.classes;
  l.replayBatch = <i32>blobWord(blob, CL_REPLAY_BATCH);
  l.picks = take(dry, <u64>(2 * model.maxBatch) * PICK_BYTES);
  l.touched = take(dry, <u64>model.heads);
  if (model.heads > 1 || hooks.accumulates) l.acc = take(dry, <u64>model.params << 2);
  hooks.layout(l, blob, dry);
  l.precision = newPolicyRun(blob, dry, model, policies);
  return l;
}

// ---- Gradients ----

export function headRange(l: Learner, head: i32): i32 { return l.model.output.paramsOf(head); }

export function bodyParams(l: Learner): i32 { return l.model.output.paramBase; }

/** Gradient of rows first .. end-1 (one head) into the model's gradient buffer. */
function groupGradient(l: Learner, first: i32, end: i32, head: i32): void {
  const model = l.model;
  const m = end - first;
  if (l.heads > 1) selectHead(model, head);
  const out = model.labels;
  for (let r = first; r < end; r++) store<i32>(out + (<usize>(r - first) << 2), pickLabel(l, r));
  if (l.hooks.groupGradient(l, first, end)) return;
  const size = model.input.size;
  for (let r = first; r < end; r++) pickValues(l, r, model.input.data + (<usize>((r - first) * size) << 2));
  const before = load<f64>(model.ctx.telemetry + (<usize>T_TRAIN_LOSS_SUM << 3));
  backward(model, m);
  l.lastLoss += load<f64>(model.ctx.telemetry + (<usize>T_TRAIN_LOSS_SUM << 3)) - before;
}

/** Training telemetry of m rows whose predictions and labels are in the model. */
export function countTraining(model: Model, m: i32, loss: f64): void {
  let correct = 0;
  for (let s = 0; s < m; s++) if (load<i32>(model.predictions + (<usize>s << 2)) == load<i32>(model.labels + (<usize>s << 2))) correct++;
  count(model.ctx, T_TRAIN_SAMPLES, m);
  count(model.ctx, T_TRAIN_LOSS_SUM, loss);
  count(model.ctx, T_TRAIN_CORRECT, correct);
}

/** acc += weight x gradients, over the body and head h; marks h touched. */
export function accumulate(l: Learner, h: i32, weight: f32): void {
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
export function copyBack(l: Learner): void {
  memory.copy(l.model.ctx.grads, l.acc, <usize>l.params << 2);
}

/**
 * Gradient of rows 0..n-1 in the gradient buffer (loss scale included), their heads marked touched.
 * The accumulator is zeroed first when there is more than one group.
 */
export function batchGradient(l: Learner, n: i32): void {
  if (l.heads > 1) sortPicks(l, n);
  memory.fill(l.touched, 0, <usize>l.heads);
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

/** Updates parameters first .. first+n-1 that train (from firstTrainable on), as the strategy moves them. */
function updateParams(l: Learner, first: i32, n: i32): void {
  const start = max(first, l.firstTrainable);
  const end = first + n;
  if (start < end) l.hooks.update(l, start, end);
}

/** Unscales and applies the gradients of the body and the touched heads (nn's step, over several heads). */
function update(l: Learner): bool {
  const model = l.model;
  const body = bodyParams(l);
  const perHead = model.output.paramsPerHead;
  // Frozen layers (latent replay) keep stale gradients: only the trainable part is unscaled and checked.
  let ok = unscale(model, l.firstTrainable, max(0, body - l.firstTrainable));
  for (let h = 0; h < l.heads; h++) if (load<u8>(l.touched + <usize>h) != 0) ok = unscale(model, headRange(l, h), perHead) && ok;
  if (!ok) {
    stepSkipped(model);
    return false;
  }
  beginStep(model.optimizer);
  updateParams(l, 0, body);
  for (let h = 0; h < l.heads; h++) if (load<u8>(l.touched + <usize>h) != 0) updateParams(l, headRange(l, h), perHead);
  stepApplied(model);
  return true;
}

/** One optimiser step on rows 0..n-1; returns false when the step was skipped (overflow). */
export function trainStep(l: Learner, n: i32): bool {
  policyBeforeStep(l.precision, l.model, l.buffer, policies);
  l.lastLoss = 0;
  l.hooks.gradient(l, n);
  l.hooks.adjustGradient(l);
  const applied = update(l);
  policyAfterStep(l.precision, l.model, l.lastLoss / <f64>n, policies);
  return applied;
}

// ---- Experiences ----

/**
 * Bytes of command scratch TRAIN and the end of an experience need, for a pool of n samples: the pool
 * (store list, permutation), then the step's scratch (a copy of the input batch and two softmax rows,
 * or A-GEM's saved rows), and room for a sample, the buffer's slots or what the strategy asks for.
 */
export function trainScratchBytes(l: Learner, n: i32): u64 {
  const model = l.model;
  const m = <u64>model.maxBatch;
  const step = max<u64>((m * <u64>model.input.size << 2) + (<u64>model.classes << 4), 2 * m * PICK_BYTES + <u64>l.heads);
  const capacity = l.buffer != changetype<ReplayBuffer>(0) ? <u64>l.buffer.capacity : 0;
  const boundary = max<u64>(max<u64>(<u64>model.input.size, l.hooks.scratchValues(l)), capacity) << 2;
  return (<u64>n << 2) + (<u64>CL_MAX_EXPERIENCES << alignof<usize>()) + step + boundary + 256;
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

/** A TRAIN request starts (one that FOLLOWS others too): its reply lists only its own precision switches. */
export function trainRequestStarts(l: Learner): void {
  policyTrainStarts(l.precision);
}

/** Step losses summed, and steps, over the requests of the experience in training (device/train.ts). */
let lossSum: f64 = 0;
let lossSteps: i32 = 0;

/**
 * Runs `iterations` steps on the experience's pool (l.scratch must be set); returns the mean step loss
 * over them, or with `goOn` over them and the steps of the requests this one goes on from (rows.ts
 * buildPool): the sum carries on in the order of one request, so a split experience gives its bits.
 */
export function trainIterations(l: Learner, experience: i32, iterations: i32, batch: i32, scratch: usize, goOn: bool): f64 {
  const head = headOf(l, experience);
  if (l.current != experience) {
    l.current = experience;
    l.hooks.beginExperience(l, experience);
  }
  buildPool(l, experience, scratch, goOn);
  const p = poolOf();
  l.scratch = p.order + (<usize>p.total << 2);
  l.scratch = (l.scratch + 15) & ~<usize>15;
  let sum: f64 = goOn ? lossSum : 0;
  for (let it = 0; it < iterations; it++) {
    fillCurrent(l, batch, head, experience);
    const n = l.hooks.pickRows(l, batch);
    trainStep(l, n);
    l.lastLoss /= <f64>n;
    sum += l.lastLoss;
  }
  lossSum = sum;
  lossSteps = (goOn ? lossSteps : 0) + iterations;
  return lossSteps > 0 ? sum / <f64>lossSteps : 0;
}

/**
 * What TRAIN runs: the iterations (going on from the previous request with `goOn`), then (unless it
 * continues the experience) the strategy's end of the experience; a strategy that trains at the end
 * trains only then. Returns the mean step loss.
 */
export function train(l: Learner, experience: i32, iterations: i32, batch: i32, scratch: usize, endsExperience: bool, goOn: bool): f64 {
  const hooks = l.hooks;
  policyTrains(l.precision, experience);
  let meanLoss: f64 = 0;
  if (!hooks.trainsAtEnd) meanLoss = trainIterations(l, experience, iterations, batch, scratch, goOn);
  if (!endsExperience) return meanLoss;
  if (hooks.trainsAtEnd) meanLoss = hooks.trainAtEnd(l, experience, iterations, batch, scratch);
  else hooks.endExperience(l, experience, batch, scratch);
  l.ended = max(l.ended, experience + 1);
  return meanLoss;
}

// ---- Evaluation ----

/**
 * Evaluates the experience's test samples; returns correct predictions and adds the loss to *lossOut.
 * With taskMask, a strategy that masks weights per task (PackNet) evaluates the task with its mask.
 */
export function evaluateExperience(l: Learner, experience: i32, taskMask: bool, lossOut: usize): i32 {
  const model = l.model;
  const st = storeAt(experience, SPLIT_TEST);
  const masked = taskMask && l.hooks.evalMask(l, experience);
  const ctx = model.ctx;
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
  if (masked) l.hooks.evalUnmask(l);
  store<f64>(lossOut, loss);
  return correct;
}
