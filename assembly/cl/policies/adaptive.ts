// adaptive: a controller on numeric health (docs/precision.md, Policies). Every layer with weights holds
// each controlled role (weight, activation, error, gradient) in its own Role, on a ladder of rungs: rung
// 0 is the run's format, rung k >= 1 the role's format in precision state k. After each training step
// the role's figures of that step alone (nn/health.ts rows, read before and after the step) decide:
//   widen step:  swamped / updates > POLICY_SWAMP  or  underflows / values > POLICY_UNDERFLOW
//                or  overflows / values > POLICY_OVERFLOW
//   narrow step: no overflow, swamped / updates <= POLICY_SWAMP / 2,
//                underflows / values <= POLICY_UNDERFLOW / 2, range used < POLICY_RANGE
// POLICY_WIDEN widen steps in a row move the role one rung up, POLICY_NARROW narrow steps in a row one
// rung down; a step where the role counted no value leaves both runs as they are. Hysteresis as in
// dynamic loss scaling (Micikevicius et al., "Mixed Precision Training", ICLR 2018: back off at once,
// grow back only after a run of clean steps); precision moved during training as in FracTrain / CPT.
// Compute roles re-encode nothing on a move. The weights are stored layer by layer, each in the container
// of the widest rung (nn/overrides.ts segmentWeights), and a layer's move re-encodes its own values in
// place: exact when widening, rounded as the new rung says when narrowing (stream 11's draws for sr).
import { Model } from "../../nn/model";
import { Health, healthRow, rangeUsed } from "../../nn/health";
import { layerRole, ownLayerRole, segmentWeights } from "../../nn/overrides";
import { stateRole, copyRole, storeBytes, reencode } from "../../nn/switch";
import { roleAt } from "../../nn/context";
import { take } from "../../nn/alloc";
import {
  ROLE_WEIGHT, ROLE_ACTIVATION, ROLE_ERROR, ROLE_GRADIENT, ROLE_COUNT, LAYER_LINEAR, LAYER_CONV, H_VALUES,
  H_OVERFLOWS, H_UNDERFLOWS, H_UPDATES, H_SWAMPED, H_MAX_ABS,
} from "../../nn/abi";
import { text, num, real } from "../../device/text";
import { Policy, PolicyRun, outOfRange, layerSwitched } from "../policy";

/** Roles the controller may move: those numeric health counts a layer's own figures for. */
const CONTROLLABLE: u32 = (1 << ROLE_WEIGHT) | (1 << ROLE_ACTIVATION) | (1 << ROLE_ERROR) | (1 << ROLE_GRADIENT);

// One entry per (layer with weights, controlled role), ENTRY_BYTES each: its place, its rung and runs of
// steps, and the step's starting figures.
const ENTRY_BYTES: usize = 80;
const E_LAYER = 0, E_ROLE = 4, E_LEVEL = 8, E_ABOVE = 12, E_BELOW = 16;
const E_VALUES = 24, E_UNDER = 32, E_OVER = 40, E_MAX = 48, E_UPDATES = 56, E_SWAMPED = 64;

function weighted(model: Model, i: i32): bool {
  const kind = model.layer(i).kind;
  return kind == LAYER_LINEAR || kind == LAYER_CONV;
}

function controlled(run: PolicyRun, r: i32): bool {
  return (run.roles & (1 << r)) != 0;
}

function share(what: string, value: f32): bool {
  text("expected an adaptive ");
  text(what);
  text(" share from 0 to 1, received ");
  real(<f64>value);
  return false;
}

function check(model: Model, run: PolicyRun, states: i32): bool {
  if (states < 1) return outOfRange("precision states for adaptive (its rungs above the run's spec)", 1, 8, states);
  if (run.roles == 0 || (run.roles & ~CONTROLLABLE) != 0) {
    text("expected adaptive roles among weight (bit 0), activation (bit 1), error (bit 2) and gradient (bit 3), received the mask ");
    num(run.roles);
    return false;
  }
  if (!(run.swamp >= 0 && run.swamp <= 1)) return share("swamp", run.swamp);
  if (!(run.underflow >= 0 && run.underflow <= 1)) return share("underflow", run.underflow);
  if (!(run.overflow >= 0 && run.overflow <= 1)) return share("overflow", run.overflow);
  if (!(run.range >= 0 && run.range <= 1)) return share("range", run.range);
  if (run.widen < 1) return outOfRange("adaptive widening steps", 1, 0x7fff_ffff, run.widen);
  if (run.narrow < 1) return outOfRange("adaptive narrowing steps", 1, 0x7fff_ffff, run.narrow);
  if (model.optimizer.health == 0) {
    text("expected a model deployed with FLAG_HEALTH for adaptive (it reads the numeric health), received one without");
    return false;
  }
  const ctx = model.ctx;
  for (let i = 0; i < model.layerCount; i++) {
    if (!weighted(model, i)) continue;
    for (let r = 0; r < ROLE_COUNT; r++) {
      if (controlled(run, r) && layerRole(ctx, i, r) != roleAt(ctx, r)) {
        text("expected adaptive to control roles no layer<N>.<role> item pins, received an item for layer ");
        num(i);
        text(" role ");
        num(r);
        return false;
      }
    }
  }
  return true;
}

function layout(run: PolicyRun, model: Model, dry: bool): void {
  let n = 0;
  for (let i = 0; i < model.layerCount; i++) {
    if (!weighted(model, i)) continue;
    for (let r = 0; r < ROLE_COUNT; r++) if (controlled(run, r)) n++;
  }
  run.ownBytes = <usize>n * ENTRY_BYTES;
  run.own = take(dry, <u64>run.ownBytes);
  const gemmFlags = model.ctx.states.gemmFlags;
  const widest = storeBytes(model.ctx, ROLE_WEIGHT);
  let e = run.own;
  for (let i = 0; i < model.layerCount; i++) {
    if (!weighted(model, i)) continue;
    for (let r = 0; r < ROLE_COUNT; r++) {
      if (!controlled(run, r)) continue;
      const role = ownLayerRole(model, i, r, gemmFlags);
      if (r == ROLE_WEIGHT) role.bytes = widest;
      if (!dry) {
        store<i32>(e + E_LAYER, i);
        store<i32>(e + E_ROLE, r);
      }
      e += ENTRY_BYTES;
    }
  }
  if (controlled(run, ROLE_WEIGHT)) segmentWeights(model, widest, dry);
}

/** Layer `layer`'s role r takes rung `level`; a weight role keeps the store's container and re-encodes the layer's values. */
function takeRung(run: PolicyRun, model: Model, layer: i32, r: i32, level: i32, reencoding: bool): void {
  const ctx = model.ctx;
  const role = layerRole(ctx, layer, r);
  if (r != ROLE_WEIGHT) {
    copyRole(role, stateRole(ctx.states, level, r));
    return;
  }
  const widest = role.bytes;
  const before = run.replayBefore;
  copyRole(before, role);
  copyRole(role, stateRole(ctx.states, level, r));
  role.bytes = widest;
  if (!reencoding) return;
  const l = model.layer(layer);
  const first = l.paramBase;
  reencode(before, role, ctx.weights + <usize>first * <usize>widest, l.paramsPerHead * l.heads, ctx.states.rng);
}

function rowOf(model: Model, e: usize): usize {
  return healthRow(changetype<Health>(model.optimizer.health).rows, load<i32>(e + E_LAYER), load<i32>(e + E_ROLE));
}

/** The step's figures start from the rows as they are; the row's largest magnitude restarts at 0. */
function stepBegins(run: PolicyRun, model: Model): void {
  for (let e = run.own; e < run.own + run.ownBytes; e += ENTRY_BYTES) {
    const row = rowOf(model, e);
    store<f64>(e + E_VALUES, load<f64>(row + (<usize>H_VALUES << 3)));
    store<f64>(e + E_UNDER, load<f64>(row + (<usize>H_UNDERFLOWS << 3)));
    store<f64>(e + E_OVER, load<f64>(row + (<usize>H_OVERFLOWS << 3)));
    store<f64>(e + E_MAX, load<f64>(row + (<usize>H_MAX_ABS << 3)));
    store<f64>(e + E_UPDATES, load<f64>(row + (<usize>H_UPDATES << 3)));
    store<f64>(e + E_SWAMPED, load<f64>(row + (<usize>H_SWAMPED << 3)));
    store<f64>(row + (<usize>H_MAX_ABS << 3), 0);
  }
}

function stepEnds(run: PolicyRun, model: Model): void {
  const ctx = model.ctx;
  const top = ctx.states.count;
  for (let e = run.own; e < run.own + run.ownBytes; e += ENTRY_BYTES) {
    const row = rowOf(model, e);
    const values = load<f64>(row + (<usize>H_VALUES << 3)) - load<f64>(e + E_VALUES);
    const under = load<f64>(row + (<usize>H_UNDERFLOWS << 3)) - load<f64>(e + E_UNDER);
    const over = load<f64>(row + (<usize>H_OVERFLOWS << 3)) - load<f64>(e + E_OVER);
    const updates = load<f64>(row + (<usize>H_UPDATES << 3)) - load<f64>(e + E_UPDATES);
    const swamped = load<f64>(row + (<usize>H_SWAMPED << 3)) - load<f64>(e + E_SWAMPED);
    const stepMax = load<f64>(row + (<usize>H_MAX_ABS << 3));
    // The row keeps its largest magnitude since the counters were reset.
    store<f64>(row + (<usize>H_MAX_ABS << 3), max(stepMax, load<f64>(e + E_MAX)));
    if (values == 0) continue;
    const layer = load<i32>(e + E_LAYER), r = load<i32>(e + E_ROLE);
    const role = layerRole(ctx, layer, r);
    const underShare = under / values, overShare = over / values;
    const swampShare = updates > 0 ? swamped / updates : 0;
    const wide = swampShare > <f64>run.swamp || underShare > <f64>run.underflow || overShare > <f64>run.overflow;
    const narrow = over == 0 && swampShare <= <f64>run.swamp * 0.5 && underShare <= <f64>run.underflow * 0.5 &&
      rangeUsed(role.format, stepMax) < <f64>run.range;
    const above = wide ? min(load<i32>(e + E_ABOVE) + 1, run.widen) : 0;
    const below = narrow ? min(load<i32>(e + E_BELOW) + 1, run.narrow) : 0;
    let level = load<i32>(e + E_LEVEL);
    let moved = false;
    if (above >= run.widen && level < top) {
      level++;
      moved = true;
    } else if (below >= run.narrow && level > 0) {
      level--;
      moved = true;
    }
    store<i32>(e + E_ABOVE, moved ? 0 : above);
    store<i32>(e + E_BELOW, moved ? 0 : below);
    if (!moved) continue;
    store<i32>(e + E_LEVEL, level);
    takeRung(run, model, layer, r, level, true);
    layerSwitched(run, layer, r, level);
  }
}

/** The restored rungs back into the layers' roles. */
function restored(run: PolicyRun, model: Model): void {
  // The image holds the weights as the restored rungs stored them: nothing to re-encode.
  for (let e = run.own; e < run.own + run.ownBytes; e += ENTRY_BYTES) {
    takeRung(run, model, load<i32>(e + E_LAYER), load<i32>(e + E_ROLE), load<i32>(e + E_LEVEL), false);
  }
}

export function adaptivePolicy(): Policy {
  const p = new Policy("adaptive");
  p.check = check;
  p.layout = layout;
  p.stepBegins = stepBegins;
  p.stepEnds = stepEnds;
  p.restored = restored;
  return p;
}
