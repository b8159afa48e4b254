// Optimizers as one general step: read the gradient and the weight, update the state, move the weight.
// SGD (momentum, L2 weight decay, as torch.optim.SGD) and Adam (Kingma & Ba 2015, Algorithm 1, with L2
// weight decay added to the gradient, as torch.optim.Adam). State is kept in the optimizer format and
// rounded after every update; the new weight goes to the master copy (when there is one), and the
// weight store gets it rounded to the weight format.
import { Context } from "./context";
import { loadStored, storeRounded, roundOne } from "./precision";
import { weightAt, putWeight, segmented, layerRole, weightsF32 } from "./overrides";
import { OPTIMIZER_SGD, ROLE_WEIGHT, ROLE_MASTER, ROLE_OPTIMIZER } from "./abi";
import { encodeArray } from "../arith/kernels";
import { ROUND_SR } from "../generated/formats";
import { Health, Tally, healthRow, tallyStart, tallyValue, largestFinite, tally } from "./health";

/** Parameters per run of the vector update with a master copy, and the run's rounded values. */
const UPDATE_RUN: i32 = 256;
const updateScratch = memory.data(UPDATE_RUN << 2, 16);

@final @unmanaged
export class Optimizer {
  kind: i32 = 0;
  lr: f32 = 0;
  momentum: f32 = 0;
  weightDecay: f32 = 0;
  beta1: f32 = 0;
  beta2: f32 = 0;
  epsilon: f32 = 0;
  /** SGD: momentum buffer (0 without momentum). Adam: first moment. */
  state1: usize = 0;
  /** Adam: second moment. */
  state2: usize = 0;
  /** Master copy (0 without one). */
  master: usize = 0;
  steps: i32 = 0;
  /** Adam bias corrections 1 - beta^t of the current step. */
  correction1: f32 = 1;
  correction2: f32 = 1;
  beta1Power: f64 = 1;
  beta2Power: f64 = 1;
  /**
   * The model's numeric health (a Health, health.ts), 0 when not counted. Kept here, where every update
   * reaches it, because this object has four bytes to spare in its block: no memory figure moves.
   */
  health: usize = 0;
}

export function newOptimizer(): Optimizer {
  return new Optimizer();
}

/** How many state buffers the optimizer keeps per parameter. */
export function stateBuffers(kind: i32, momentum: f32): i32 {
  if (kind == OPTIMIZER_SGD) return momentum != 0 ? 1 : 0;
  return 2;
}

export function beginStep(opt: Optimizer): void {
  opt.steps++;
  opt.beta1Power *= <f64>opt.beta1;
  opt.beta2Power *= <f64>opt.beta2;
  opt.correction1 = <f32>(1 - opt.beta1Power);
  opt.correction2 = <f32>(1 - opt.beta2Power);
}

/** Weight i as the optimizer sees it: the master copy when there is one. */
// @ts-ignore: decorator
@inline export function currentWeight(ctx: Context, opt: Optimizer, i: i32): f32 {
  return ctx.master.present ? loadStored(ctx.master, opt.master, i) : weightAt(ctx, i);
}

/** Sets master weight i (when there is a master copy) to v rounded to its format; returns what it holds. */
// @ts-ignore: decorator
@inline function putMaster(ctx: Context, opt: Optimizer, i: i32, v: f32): f32 {
  if (!ctx.master.present) return v;
  const w = roundOne(ctx.master, ctx.masterRng, v);
  storeRounded(ctx.master, opt.master, i, w);
  return w;
}

/** Sets weight i (master and stored weight) to v, rounding to each role. */
// @ts-ignore: decorator
@inline export function setWeight(ctx: Context, opt: Optimizer, i: i32, v: f32): void {
  putWeight(ctx, i, putMaster(ctx, opt, i, v));
}

/**
 * Adam with fp32 state and weights and no master copy (SIMD build): the scalar step's f32 operations in
 * the same order, four parameters per vector (IEEE add, multiply, divide and square root round each lane
 * exactly as the scalar operation does). Parameters first .. first+count-1, count a multiple of 4.
 */
function adamPlain32x4(ctx: Context, opt: Optimizer, first: i32, count: i32, params: usize): void {
  const vLr = f32x4.splat(opt.lr), vDecay = f32x4.splat(opt.weightDecay);
  const vBeta1 = f32x4.splat(opt.beta1), vBeta2 = f32x4.splat(opt.beta2);
  const vRest1 = f32x4.splat(1 - opt.beta1), vRest2 = f32x4.splat(1 - opt.beta2);
  const vCorrection1 = f32x4.splat(opt.correction1), vCorrection2 = f32x4.splat(opt.correction2);
  const vEpsilon = f32x4.splat(opt.epsilon);
  const decay = opt.weightDecay != 0;
  const start = <usize>first << 2, end = <usize>(first + count) << 2;
  const grads = ctx.grads, weights = params, m1 = opt.state1, m2 = opt.state2;
  for (let at = start; at < end; at += 16) {
    let g = v128.load(grads + at);
    const w = v128.load(weights + at);
    if (decay) g = f32x4.add(g, f32x4.mul(vDecay, w));
    const m = f32x4.add(f32x4.mul(vBeta1, v128.load(m1 + at)), f32x4.mul(vRest1, g));
    const v = f32x4.add(f32x4.mul(vBeta2, v128.load(m2 + at)), f32x4.mul(f32x4.mul(vRest2, g), g));
    v128.store(m1 + at, m);
    v128.store(m2 + at, v);
    const step = f32x4.div(f32x4.div(m, vCorrection1), f32x4.add(f32x4.sqrt(f32x4.div(v, vCorrection2)), vEpsilon));
    v128.store(weights + at, f32x4.sub(w, f32x4.mul(vLr, step)));
  }
}

/**
 * Updates parameters first .. first+n-1 from their (unscaled) gradients. With health counted, the range
 * is updated layer by layer, in the same order, so each layer's rows get its own counts.
 */
export function updateRange(ctx: Context, opt: Optimizer, first: i32, n: i32): void {
  if (opt.health == 0) {
    updateSpan<NotCounting>(ctx, opt, first, n, 0, -1);
    return;
  }
  const health = changetype<Health>(opt.health);
  const ends = health.paramEnds;
  const end = first + n;
  let i = first, layer = 0;
  while (i < end) {
    while (load<i32>(ends + (<usize>layer << 2)) <= i) layer++;
    const stop = min(end, load<i32>(ends + (<usize>layer << 2)));
    updateSpan<Counting>(ctx, opt, i, stop - i, health.rows, layer);
    i = stop;
  }
}

/**
 * The two instances of updateSpan: isInteger<T>() is known when compiling, so the plain update carries
 * no trace of the counting one (a shared loop made it 40 % slower).
 */
type Counting = i32;
type NotCounting = f32;

/**
 * updateRange's loop; counting, the parameters are `layer`'s and its rows in `rows` count the update.
 * A role whose format is fp32 itself rounds nothing: it cannot overflow or underflow, and its largest
 * magnitude is read after the loop from what it stored.
 */
function updateSpan<T>(ctx: Context, opt: Optimizer, first: i32, n: i32, rows: usize, layer: i32): void {
  const counting = isInteger<T>();
  const state = ctx.optimizer;
  const rng = ctx.optimizerRng;
  const lr = opt.lr, decay = opt.weightDecay;
  if (!counting && ASC_FEATURE_SIMD && !segmented(ctx) && opt.kind != OPTIMIZER_SGD && state.format == null) {
    const count = n & ~3;
    if (ctx.weight.format == null && !ctx.master.present) {
      // fp32 throughout: nothing is rounded and no draw is taken, so four at a time give the same bits.
      adamPlain32x4(ctx, opt, first, count, ctx.weights);
      first += count;
      n -= count;
    } else if (ctx.master.present && ctx.master.format == null && ctx.weight.format != null && ctx.weight.mode != ROUND_SR &&
               !ctx.weight.format!.isBlock && ctx.weight.bytes <= 2 && ctx.weight.bytes == ctx.weight.format!.bytes) {
      // An fp32 master copy and weights stored as codes, rounded without draws (fp8-mixed, fp16-mixed,
      // bf16): the master moves four at a time, then the weights are its values rounded and encoded as
      // runs, the bits storeRounded gives one at a time.
      const weight = ctx.weight.format!;
      for (let done = 0; done < count; done += UPDATE_RUN) {
        const run = min(UPDATE_RUN, count - done);
        const at = first + done;
        adamPlain32x4(ctx, opt, at, run, opt.master);
        encodeArray(weight, ctx.weight.mode, ctx.weight.srBits, null, opt.master + (<usize>at << 2), ctx.weights + <usize>at * <usize>weight.bytes, run, updateScratch);
      }
      first += count;
      n -= count;
    }
  }
  const master = ctx.master.present;
  const stateRounds = state.format != null, masterRounds = ctx.master.format != null;
  const health = changetype<Health>(opt.health);
  // Counting, the span is one layer's (updateRange), its weights stored in the layer's own role.
  const weightRole = counting ? layerRole(ctx, layer, ROLE_WEIGHT) : ctx.weight;
  const stateTally = counting ? health.state : changetype<Tally>(0);
  const masterTally = counting ? health.master : changetype<Tally>(0);
  const weightTally = counting ? health.weight : changetype<Tally>(0);
  if (counting) {
    tallyStart(stateTally, state.format);
    tallyStart(masterTally, ctx.master.format);
    tallyStart(weightTally, weightRole.format);
  }
  const weightRounds = weightRole.format != null;
  let updates = 0, swamped = 0;
  for (let i = first; i < first + n; i++) {
    let g = load<f32>(ctx.grads + (<usize>i << 2));
    const w = currentWeight(ctx, opt, i);
    if (decay != 0) g += decay * w;
    let step: f32;
    if (opt.kind == OPTIMIZER_SGD) {
      if (opt.state1 != 0) {
        const exact = opt.momentum * loadStored(state, opt.state1, i) + g;
        const v = roundOne(state, rng, exact);
        if (counting && stateRounds) tallyValue(stateTally, exact, v);
        storeRounded(state, opt.state1, i, v);
        step = v;
      } else {
        step = g;
      }
    } else {
      const exactM = opt.beta1 * loadStored(state, opt.state1, i) + (1 - opt.beta1) * g;
      const m = roundOne(state, rng, exactM);
      const exactV = opt.beta2 * loadStored(state, opt.state2, i) + (1 - opt.beta2) * g * g;
      const v = roundOne(state, rng, exactV);
      if (counting && stateRounds) {
        tallyValue(stateTally, exactM, m);
        tallyValue(stateTally, exactV, v);
      }
      storeRounded(state, opt.state1, i, m);
      storeRounded(state, opt.state2, i, v);
      step = (m / opt.correction1) / (Mathf.sqrt(v / opt.correction2) + opt.epsilon);
    }
    if (!counting) {
      setWeight(ctx, opt, i, w - lr * step);
      continue;
    }
    // setWeight(w - delta), counted: each rounding's exact value against what was stored.
    const delta = lr * step;
    const exact = w - delta;
    const x = putMaster(ctx, opt, i, exact);
    if (master && masterRounds) tallyValue(masterTally, exact, x);
    const stored = putWeight(ctx, i, x);
    if (weightRounds) tallyValue(weightTally, x, stored);
    // Swamped: the copy the update goes to (the master copy when there is one) kept its value w.
    updates += <i32>(delta != 0);
    swamped += <i32>(delta != 0 && (master ? x : stored) == w);
  }
  if (!counting) return;
  const states = opt.kind == OPTIMIZER_SGD ? (opt.state1 != 0 ? 1 : 0) : 2;
  if (!stateRounds) {
    if (states >= 1) stateTally.largest = largestFinite(opt.state1 + (<usize>first << 2), n);
    if (states == 2) stateTally.largest = max(stateTally.largest, largestFinite(opt.state2 + (<usize>first << 2), n));
  }
  if (master && !masterRounds) masterTally.largest = largestFinite(opt.master + (<usize>first << 2), n);
  // An fp32 weight format stores f32 values, which weightsF32 hands over in place (no scratch).
  if (!weightRounds) weightTally.largest = largestFinite(weightsF32(ctx, first, n, 0), n);
  if (states > 0) tallyRow(healthRow(rows, layer, ROLE_OPTIMIZER), states * n, stateTally, 0, 0);
  if (master) tallyRow(healthRow(rows, layer, ROLE_MASTER), n, masterTally, updates, swamped);
  tallyRow(healthRow(rows, layer, ROLE_WEIGHT), n, weightTally, master ? 0 : updates, master ? 0 : swamped);
}

function tallyRow(row: usize, values: i32, t: Tally, updates: i32, swamped: i32): void {
  tally(row, values, t.over, t.under, t.largest, updates, swamped);
}
