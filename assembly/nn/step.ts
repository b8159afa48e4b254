// The optimiser step under loss scaling (Micikevicius et al., ICLR 2018): gradients are unscaled and
// checked, an overflow skips the step, and a dynamic scale halves on overflow and doubles after
// `interval` clean steps in a row. The continual learner (assembly/cl/learner.ts) takes the same step
// over several heads with these pieces.
import { pow2 } from "../arith";
import { T_STEPS, T_SKIPPED_STEPS, LOSS_SCALE_DYNAMIC } from "./abi";
import { Model } from "./model";
import { count } from "./context";
import { beginStep, updateRange } from "./optim";

/** Scales a dynamic loss scale never leaves: 2^-64 .. 2^64. */
const SCALE_MIN: f32 = pow2(-64);
const SCALE_MAX: f32 = pow2(64);

/** Divides gradients first .. first+n-1 by the loss scale; false when one of them is not finite. */
export function unscale(model: Model, first: i32, n: i32): bool {
  const scale = model.lossScale;
  const p = model.ctx.grads + (<usize>first << 2);
  const end = p + (<usize>n << 2);
  // A scale of 1 (no loss scaling, as fp32 runs have) leaves every finite value as it is: only the check runs.
  return scale == 1 ? unscaleRun(p, end, scale, false) : unscaleRun(p, end, scale, true);
}

/** unscale's loop over [p, end), with or without the division (a literal at each call). */
// @ts-ignore: decorator
@inline function unscaleRun(p: usize, end: usize, scale: f32, divide: bool): bool {
  let ok = true;
  if (ASC_FEATURE_SIMD) {
    // The same division lane by lane; g - g is NaN exactly where g is not finite.
    const vScale = f32x4.splat(scale), vZero = f32x4.splat(0);
    let notFinite = vZero;
    for (; p + 16 <= end; p += 16) {
      const g = divide ? f32x4.div(v128.load(p), vScale) : v128.load(p);
      notFinite = v128.or(notFinite, f32x4.ne(f32x4.sub(g, g), vZero));
      if (divide) v128.store(p, g);
    }
    ok = !v128.any_true(notFinite);
  }
  for (; p < end; p += 4) {
    const g = divide ? load<f32>(p) / scale : load<f32>(p);
    if (g - g != 0) ok = false;
    if (divide) store<f32>(p, g);
  }
  return ok;
}

/** Counts a step skipped for overflow; a dynamic scale halves. */
export function stepSkipped(model: Model): void {
  count(model.ctx, T_SKIPPED_STEPS, 1);
  if (model.lossScaleKind == LOSS_SCALE_DYNAMIC) {
    model.lossScale = max(model.lossScale * 0.5, SCALE_MIN);
    model.cleanSteps = 0;
  }
}

/** Counts an applied step; a dynamic scale doubles after `interval` clean steps in a row. */
export function stepApplied(model: Model): void {
  count(model.ctx, T_STEPS, 1);
  if (model.lossScaleKind == LOSS_SCALE_DYNAMIC && ++model.cleanSteps >= model.scaleInterval) {
    model.lossScale = min(model.lossScale * 2, SCALE_MAX);
    model.cleanSteps = 0;
  }
}

/**
 * Unscales the gradients of the last backward pass (the body and the selected head) and applies the
 * optimizer step. Returns true when the step was applied.
 */
export function step(model: Model): bool {
  const ctx = model.ctx;
  const out = model.output;
  const bodyParams = out.paramBase;
  const headFirst = out.paramsOf(model.head);
  let ok = unscale(model, 0, bodyParams);
  ok = unscale(model, headFirst, out.paramsPerHead) && ok;
  if (!ok) {
    stepSkipped(model);
    return false;
  }
  const opt = model.optimizer;
  beginStep(opt);
  updateRange(ctx, opt, 0, bodyParams);
  updateRange(ctx, opt, headFirst, out.paramsPerHead);
  stepApplied(model);
  return true;
}
