// LwF (Li & Hoiem 2017, as van de Ven & Tolias 2019 run it): cross-entropy on the current head plus
// alpha x T^2 x the KL divergence from the old model's softened outputs (temperature T) on the same
// inputs; the old model is the weights at the last experience's end. In the task scenario the old
// outputs are the earlier experiences' heads.
import { forward, propagate, selectHead } from "../../nn/model";
import { softmaxCrossEntropy } from "../../nn/loss";
import { take } from "../../nn/alloc";
import { addRegion } from "../../device/image";
import { CL_LAMBDA, CL_GAMMA } from "../abi";
import { Learner, accumulate, copyBack, countTraining } from "../learner";
import { pickHead, pickValues } from "../rows";
import { Strategy, blobReal } from "../strategy";

@final @unmanaged
class Lwf {
  /** The weights at the last experience's end (stored form). */
  snapshot: usize = 0;
  /** The old model's logits of the batch. */
  teacher: usize = 0;
  alpha: f32 = 0;
  temperature: f32 = 0;
}

// @ts-ignore: decorator
@inline function state(l: Learner): Lwf { return changetype<Lwf>(l.state); }

function layout(l: Learner, blob: usize, dry: bool): void {
  const model = l.model;
  const s = new Lwf();
  s.alpha = blobReal(blob, CL_LAMBDA);
  s.temperature = blobReal(blob, CL_GAMMA);
  s.snapshot = take(dry, <u64>model.modelBytes);
  s.teacher = take(dry, <u64>(model.maxBatch * model.classes) << 2);
  l.state = changetype<usize>(s);
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

/** The old model's logits of the batch in model.input on `head`, into the teacher buffer. */
function teacherLogits(l: Learner, m: i32, head: i32): void {
  const model = l.model;
  const ctx = model.ctx;
  const own = ctx.weights;
  // The snapshot is in the weights' stored form: the forward pass reads it in their place.
  ctx.weights = state(l).snapshot;
  if (l.heads > 1) selectHead(model, head);
  const keep = l.scratch;
  memory.copy(keep, model.input.data, <usize>(m * model.input.size) << 2);
  forward(model, m, false);
  memory.copy(state(l).teacher, model.output.output.data, <usize>(m * model.classes) << 2);
  memory.copy(model.input.data, keep, <usize>(m * model.input.size) << 2);
  ctx.weights = own;
}

/** The batch's gradients (one group, every head it needs), summed in the accumulator. */
function distil(l: Learner, m: i32, head: i32): void {
  const model = l.model;
  const s = state(l);
  const classes = model.classes;
  const T = <f64>s.temperature;
  const alpha = <f64>s.alpha;
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
      for (let k = 0; k < m; k++) {
        softmaxT(logits + (<usize>(k * classes) << 2), classes, T, p);
        softmaxT(s.teacher + (<usize>(k * classes) << 2), classes, T, q);
        const row = model.errorA + (<usize>(k * classes) << 2);
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

/** Before the first experience ends there is no old model: the plain gradient. (A step's rows share one head.) */
function groupGradient(l: Learner, first: i32, end: i32): bool {
  if (l.ended == 0) return false;
  memory.fill(l.acc, 0, <usize>l.params << 2);
  const model = l.model;
  const size = model.input.size;
  for (let r = first; r < end; r++) pickValues(l, r, model.input.data + (<usize>((r - first) * size) << 2));
  distil(l, end - first, pickHead(l, first));
  return true;
}

function end(l: Learner, experience: i32, batch: i32, scratch: usize): void {
  memory.copy(state(l).snapshot, l.model.ctx.weights, <usize>l.model.modelBytes);
}

export function lwf(): Strategy {
  const s = new Strategy("lwf");
  s.gammaAboveZero = true;
  s.accumulates = true;
  s.keepsWeights = true;
  s.layout = layout;
  s.groupGradient = groupGradient;
  s.endExperience = end;
  s.regions = (l: Learner): void => { addRegion(state(l).snapshot, <usize>l.model.modelBytes); };
  return s;
}
