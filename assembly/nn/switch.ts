// Precision states and the switch between them at a step boundary (docs/precision.md, Policies).
// State 0 is the run's precision spec (CFG_ROLES); states 1..STATE_COUNT are the role sets of CFG_STATES,
// read and checked when the model is built. Every stored role (weight, master copy, optimizer state) is
// laid out for its widest state, so a switch never allocates: it re-encodes the stores whose format
// changes in place and takes the new roles (the replay buffer, a learner's, is re-encoded by
// cl/policy.ts). Whether a master copy exists is the same in every state: a copy cannot appear mid-run.
import { Rng } from "../arith";
import {
  CFG_STATE_COUNT, CFG_ROLES, CFG_STATES, ROLE_COUNT, ROLE_WORDS, ROLE_WEIGHT, ROLE_MASTER, ROLE_OPTIMIZER, ROLE_REPLAY,
  PRECISION_MAX_STATES, GEMM_FMA, GEMM_FAST, NN_OK, NN_BAD_STATE,
} from "./abi";
import { allocZeroed } from "./alloc";
import { Context, roleAt, configureMac } from "./context";
import { Role, newRole, readRole, loadStored, storeRounded, roundOne } from "./precision";
import { Model } from "./model";
import { weightStoreBytes } from "./overrides";

/** Random stream of the re-encoding on a switch (stochastic rounding when a store narrows). */
export const STREAM_SWITCH: u32 = 11;

@final @unmanaged
export class PrecisionStates {
  /** States besides state 0, and the state the model runs in now. */
  count: i32 = 0;
  current: i32 = 0;
  /** (count + 1) x ROLE_COUNT Role pointers, state by state in ROLE_* order. */
  roles: usize = 0;
  gemmFlags: u32 = 0;
  rng: Rng = changetype<Rng>(0);
}

/** Role `index` of state `s`. */
export function stateRole(states: PrecisionStates, s: i32, index: i32): Role {
  return changetype<Role>(load<usize>(states.roles + (<usize>(s * ROLE_COUNT + index) << alignof<usize>())));
}

function sameRole(a: Role, b: Role): bool {
  return a.word == b.word && a.mode == b.mode && a.srBits == b.srBits;
}

/**
 * Reads CFG_STATE_COUNT and the states after the context's own roles are read (state 0 is their copy).
 * Leaves ctx.states at 0 without states: a static run builds nothing more.
 */
export function readStates(config: usize, ctx: Context, gemmFlags: u32): i32 {
  const count = <i32>load<u32>(config + (<usize>CFG_STATE_COUNT << 2));
  if (count < 0 || count > PRECISION_MAX_STATES) return NN_BAD_STATE;
  if (count == 0) return NN_OK;
  const states = new PrecisionStates();
  states.count = count;
  states.gemmFlags = gemmFlags;
  states.rng = Rng.create(ctx.seed, STREAM_SWITCH);
  states.roles = allocZeroed(<usize>((count + 1) * ROLE_COUNT) << alignof<usize>());
  for (let r = 0; r < ROLE_COUNT; r++) {
    const role = newRole();
    copyRole(role, roleAt(ctx, r));
    store<usize>(states.roles + (<usize>r << alignof<usize>()), changetype<usize>(role));
  }
  // readRole reads role r at CFG_ROLES + r * ROLE_WORDS: state s is read through a base moved by its offset.
  for (let s = 1; s <= count; s++) {
    const shifted = config + (<usize>(CFG_STATES + (s - 1) * ROLE_COUNT * ROLE_WORDS - CFG_ROLES) << 2);
    for (let r = 0; r < ROLE_COUNT; r++) {
      const role = newRole();
      const status = readRole(shifted, r, role);
      if (status != NN_OK) return status;
      store<usize>(states.roles + (<usize>(s * ROLE_COUNT + r) << alignof<usize>()), changetype<usize>(role));
    }
    if (stateRole(states, s, ROLE_MASTER).present != ctx.master.present) return NN_BAD_STATE;
  }
  ctx.states = states;
  return NN_OK;
}

/** Bytes per value a stored role's buffer is laid out for: its widest state. */
export function storeBytes(ctx: Context, index: i32): i32 {
  let bytes = roleAt(ctx, index).bytes;
  const states = ctx.states;
  if (changetype<usize>(states) == 0) return bytes;
  for (let s = 0; s <= states.count; s++) bytes = max(bytes, stateRole(states, s, index).bytes);
  return bytes;
}

/** True when some state stores the weights in packed codes (decoding needs scratch). */
export function anyPacked(ctx: Context): bool {
  if (ctx.weight.bytes != 4) return true;
  const states = ctx.states;
  if (changetype<usize>(states) == 0) return false;
  for (let s = 1; s <= states.count; s++) if (stateRole(states, s, ROLE_WEIGHT).bytes != 4) return true;
  return false;
}

/** The widest code (1 or 2 bytes) of a float format role `index` has in some state; 0 when it has none. */
export function widestCode(ctx: Context, index: i32): i32 {
  const states = ctx.states;
  const count = changetype<usize>(states) == 0 ? 0 : states.count;
  let widest = 0;
  for (let s = 0; s <= count; s++) {
    const role = count == 0 ? roleAt(ctx, index) : stateRole(states, s, index);
    const f = role.format;
    if (f != null && f.isFloat && f.bytes < 4) widest = max(widest, f.bytes);
  }
  return widest;
}

/** True when some state stores role `index` in another format than state 0. */
export function storeChanges(ctx: Context, index: i32): bool {
  const states = ctx.states;
  if (changetype<usize>(states) == 0) return false;
  for (let s = 1; s <= states.count; s++) if (stateRole(states, s, index).word != stateRole(states, 0, index).word) return true;
  return false;
}

export function copyRole(dst: Role, src: Role): void {
  dst.word = src.word;
  dst.format = src.format;
  dst.present = src.present;
  dst.mode = src.mode;
  dst.srBits = src.srBits;
  dst.bytes = src.bytes;
}

/**
 * Values 0..n-1 of a store kept in `from` re-encoded in place to `to`: decoded, rounded to `to` (one
 * draw of `rng` per value when `to` rounds stochastically), stored. A wider store is filled from the
 * last value down and a narrower one from the first up, so no value is overwritten before it is read.
 * Exact when `to` holds every value of `from`.
 */
export function reencode(from: Role, to: Role, base: usize, n: i32, rng: Rng): void {
  if (to.bytes > from.bytes) {
    for (let i = n - 1; i >= 0; i--) storeRounded(to, base, i, roundOne(to, rng, loadStored(from, base, i)));
  } else {
    for (let i = 0; i < n; i++) storeRounded(to, base, i, roundOne(to, rng, loadStored(from, base, i)));
  }
}

/** The model takes state s's roles, its GEMM spec and memory figures; stores are not touched. */
export function adoptState(model: Model, s: i32): void {
  const ctx = model.ctx;
  const states = ctx.states;
  for (let r = 0; r < ROLE_COUNT; r++) copyRole(roleAt(ctx, r), stateRole(states, s, r));
  configureMac(ctx, (states.gemmFlags & GEMM_FMA) != 0, (states.gemmFlags & GEMM_FAST) != 0);
  states.current = s;
  const params = <f64>model.params;
  model.modelBytes = <f64>weightStoreBytes(model, ctx.weight.bytes);
  model.masterBytes = ctx.master.present ? params * <f64>ctx.master.bytes : 0;
  const opt = model.optimizer;
  const buffers = (opt.state1 != 0 ? 1 : 0) + (opt.state2 != 0 ? 1 : 0);
  model.optimizerBytes = <f64>buffers * params * <f64>ctx.optimizer.bytes;
}

/**
 * Switches the model to state s at a step boundary: the weights, the master copy and the optimizer state
 * are re-encoded where their format changes, then the model takes the state's roles.
 */
export function switchState(model: Model, s: i32): void {
  const ctx = model.ctx;
  const states = ctx.states;
  if (s == states.current) return;
  const n = model.params, opt = model.optimizer, rng = states.rng;
  const weight = stateRole(states, s, ROLE_WEIGHT);
  if (weight.word != ctx.weight.word) reencode(ctx.weight, weight, ctx.weights, n, rng);
  const master = stateRole(states, s, ROLE_MASTER);
  if (ctx.master.present && master.word != ctx.master.word) reencode(ctx.master, master, opt.master, n, rng);
  const state = stateRole(states, s, ROLE_OPTIMIZER);
  if (state.word != ctx.optimizer.word) {
    if (opt.state1 != 0) reencode(ctx.optimizer, state, opt.state1, n, rng);
    if (opt.state2 != 0) reencode(ctx.optimizer, state, opt.state2, n, rng);
  }
  adoptState(model, s);
}

/** Bytes of a stored role's buffer as laid out (params x its widest state's bytes per value). */
export function storeCapacity(model: Model, index: i32): usize {
  if (index == ROLE_WEIGHT) return <usize>weightStoreBytes(model, storeBytes(model.ctx, index));
  return <usize>model.params * <usize>storeBytes(model.ctx, index);
}
