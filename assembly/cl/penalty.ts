// Quadratic penalties of the regularisation strategies, one form for all three:
//   penalty = strength * sum_i A_i (theta_i - anchor_i)^2 + constant
// EWC (Kirkpatrick et al., PNAS 2017): strength lambda / 2, A = the sum of each experience's diagonal
//   Fisher information. The sum over experiences of F_t (theta - theta_t)^2 is itself one quadratic per
//   weight: a (x - p)^2 + b (x - q)^2 = (a + b)(x - (a p + b q) / (a + b))^2 + a b / (a + b) (p - q)^2,
//   so two vectors hold every experience's penalty exactly; the last term goes into `constant`.
// Online EWC (Schwarz et al., ICML 2018): A = gamma A + F, anchored at the latest weights.
// SI (Zenke et al., ICML 2017): strength c, A = sum of omega / (delta^2 + xi), anchored at the latest
//   weights; omega accumulates -g * (weight change) over the experience's steps.
import { Model } from "../nn/model";
import { currentWeight } from "../nn/optim";
import { take } from "../nn/alloc";
import { addRegion } from "../device/image";

@final @unmanaged
export class Quadratic {
  params: i32 = 0;
  strength: f32 = 0;
  /** Importance A and anchor per parameter (f32). */
  importance: usize = 0;
  anchor: usize = 0;
  /** Fisher estimate (EWC) or path integral omega (SI) of the experience in progress. */
  running: usize = 0;
  constant: f64 = 0;
  /** True once an experience has been consolidated (before that the penalty is zero). */
  active: bool = false;
}

/** A penalty laid out with take() (nn/alloc.ts): with `dry`, its vectors are only counted. */
export function newQuadratic(params: i32, strength: f32, dry: bool = false): Quadratic {
  const q = new Quadratic();
  q.params = params;
  q.strength = strength;
  q.importance = take(dry, <u64>params << 2);
  q.anchor = take(dry, <u64>params << 2);
  q.running = take(dry, <u64>params << 2);
  return q;
}

/** The penalty's part of a checkpoint: its vectors, and its scalars at `scalars` (16 bytes). */
export function quadraticRegions(q: Quadratic): void {
  addRegion(q.importance, <usize>q.params << 2);
  addRegion(q.anchor, <usize>q.params << 2);
  addRegion(q.running, <usize>q.params << 2);
}

export function quadraticPack(q: Quadratic, scalars: usize): void {
  store<f64>(scalars, q.constant);
  store<i32>(scalars + 8, q.active ? 1 : 0);
}

export function quadraticUnpack(q: Quadratic, scalars: usize): void {
  q.constant = load<f64>(scalars);
  q.active = load<i32>(scalars + 8) != 0;
}

// @ts-ignore: decorator
@inline function at(base: usize, i: i32): usize {
  return base + (<usize>i << 2);
}

/** The penalty at the model's current weights (f64 sums). */
export function penaltyValue(q: Quadratic, model: Model): f64 {
  if (!q.active) return 0;
  let sum: f64 = 0;
  const ctx = model.ctx, opt = model.optimizer;
  for (let i = 0; i < q.params; i++) {
    const a = <f64>load<f32>(at(q.importance, i));
    if (a == 0) continue;
    const d = <f64>currentWeight(ctx, opt, i) - <f64>load<f32>(at(q.anchor, i));
    sum += a * d * d;
  }
  return <f64>q.strength * sum + q.constant;
}

/** d penalty / d weight i at weight w. */
// @ts-ignore: decorator
@inline export function penaltyGradient(q: Quadratic, i: i32, w: f32): f32 {
  return 2 * q.strength * load<f32>(at(q.importance, i)) * (w - load<f32>(at(q.anchor, i)));
}

/** Adds scale * d penalty / d weight to the gradients of parameters first .. first+n-1. */
export function addPenaltyGradients(q: Quadratic, model: Model, first: i32, n: i32, scale: f32): void {
  if (!q.active) return;
  const ctx = model.ctx, opt = model.optimizer;
  for (let i = first; i < first + n; i++) {
    const a = load<f32>(at(q.importance, i));
    if (a == 0) continue;
    const p = ctx.grads + (<usize>i << 2);
    store<f32>(p, load<f32>(p) + scale * penaltyGradient(q, i, currentWeight(ctx, opt, i)));
  }
}

/** EWC: merges the Fisher in `running` (anchored at the current weights) into the penalty, exactly. */
export function consolidateEwc(q: Quadratic, model: Model): void {
  const ctx = model.ctx, opt = model.optimizer;
  for (let i = 0; i < q.params; i++) {
    const f = <f64>load<f32>(at(q.running, i));
    const a = <f64>load<f32>(at(q.importance, i));
    const p = <f64>load<f32>(at(q.anchor, i));
    const w = <f64>currentWeight(ctx, opt, i);
    const total = a + f;
    let anchor = w;
    if (a > 0 && f > 0) {
      anchor = (a * p + f * w) / total;
      q.constant += <f64>q.strength * (a * f / total) * (p - w) * (p - w);
    } else if (f == 0) {
      anchor = p;
    }
    store<f32>(at(q.importance, i), <f32>total);
    store<f32>(at(q.anchor, i), a == 0 && f == 0 ? <f32>w : <f32>anchor);
  }
  memory.fill(q.running, 0, <usize>q.params << 2);
  q.active = true;
}

/** Online EWC: A = gamma A + F, anchored at the current weights. */
export function consolidateOnlineEwc(q: Quadratic, model: Model, gamma: f32): void {
  const ctx = model.ctx, opt = model.optimizer;
  for (let i = 0; i < q.params; i++) {
    const a = load<f32>(at(q.importance, i));
    store<f32>(at(q.importance, i), gamma * a + load<f32>(at(q.running, i)));
    store<f32>(at(q.anchor, i), currentWeight(ctx, opt, i));
  }
  memory.fill(q.running, 0, <usize>q.params << 2);
  q.constant = 0;
  q.active = true;
}

/** SI: the anchor starts at the weights before the first experience. */
export function anchorAtCurrent(q: Quadratic, model: Model): void {
  const ctx = model.ctx, opt = model.optimizer;
  for (let i = 0; i < q.params; i++) store<f32>(at(q.anchor, i), currentWeight(ctx, opt, i));
}

/** SI: A += omega / ((w - anchor)^2 + xi), then the anchor moves to the current weights. */
export function consolidateSi(q: Quadratic, model: Model, xi: f32): void {
  const ctx = model.ctx, opt = model.optimizer;
  for (let i = 0; i < q.params; i++) {
    const w = currentWeight(ctx, opt, i);
    const d = w - load<f32>(at(q.anchor, i));
    const omega = load<f32>(at(q.running, i));
    // A negative path integral (the loss rose along the path) adds no importance.
    const add = max<f32>(omega, 0) / (d * d + xi);
    store<f32>(at(q.importance, i), load<f32>(at(q.importance, i)) + add);
    store<f32>(at(q.anchor, i), w);
  }
  memory.fill(q.running, 0, <usize>q.params << 2);
  q.active = true;
}
