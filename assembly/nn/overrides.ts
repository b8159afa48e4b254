// Per-layer precision (docs/precision.md, Per-layer roles): a layer may run a compute role (activation,
// error, gradient, mul, acc) or store its weights in its own format, whatever the run's spec or
// precision state says. Each layer with overrides gets a role set: its own Role for an overridden role,
// the model's Role object for the others, so a precision switch of the model's roles reaches every role
// a layer does not pin. The passes make a layer's set current while the layer runs (useLayer) and put
// the model's back after. With a layer's own weight format, the weight store is laid out layer by layer
// (segments), each layer's parameters in its own width, and every access by parameter index finds its
// layer's segment.
import {
  CFG_OVERRIDE_COUNT, CFG_OVERRIDES, CFG_MAX_OVERRIDES, OVERRIDE_WORDS, ROLE_COUNT, ROLE_WORDS, ROLE_WEIGHT, ROLE_ACTIVATION,
  ROLE_ERROR, ROLE_GRADIENT, ROLE_MUL, ROLE_ACC, CFG_ROLES, LAYER_LINEAR, LAYER_CONV, GEMM_FMA, GEMM_FAST, NN_OK,
  NN_BAD_OVERRIDE, MUL_FORMATS_MAX,
} from "./abi";
import { stateRole, storeChanges, copyRole } from "./switch";
import { allocZeroed } from "./alloc";
import { Context, roleAt, configureMac } from "./context";
import { Role, newRole, readRole, loadStored, storeRounded, roundOne, decodeStored } from "./precision";
import { Model } from "./model";
import { accelOfferPackedW } from "../accel/driver";

@final @unmanaged
export class LayerRoles {
  /** Per layer: 0, or ROLE_COUNT Role pointers (the layer's own where it overrides, the model's elsewhere). */
  sets: usize = 0;
  /** The model's own Role objects, in ROLE_* order, put back after a layer ran. */
  base: usize = 0;
  gemmFlags: u32 = 0;
  /** The layer whose set is current (-1: the model's). */
  current: i32 = -1;
  /** With a layer's own weight format: per layer with parameters a Segment, and the one last found. */
  segments: usize = 0;
  segmentCount: i32 = 0;
  cursor: i32 = 0;
}

/** Parameters first .. end-1 (one layer's), stored from byte `offset` of the weight store in `role`. */
@final @unmanaged
export class Segment {
  first: i32 = 0;
  end: i32 = 0;
  offset: usize = 0;
  role: Role = changetype<Role>(0);
}

function overridable(role: i32): bool {
  return role == ROLE_WEIGHT || role == ROLE_ACTIVATION || role == ROLE_ERROR || role == ROLE_GRADIENT || role == ROLE_MUL || role == ROLE_ACC;
}

// @ts-ignore: decorator
@inline function slot(table: usize, i: i32): usize { return table + (<usize>i << alignof<usize>()); }

/** Reads CFG_OVERRIDES once the layers are known; leaves ctx.layers at 0 without overrides. */
export function readOverrides(config: usize, model: Model, gemmFlags: u32): i32 {
  const count = <i32>load<u32>(config + (<usize>CFG_OVERRIDE_COUNT << 2));
  if (count < 0 || count > CFG_MAX_OVERRIDES) return NN_BAD_OVERRIDE;
  if (count == 0) return NN_OK;
  const ctx = model.ctx;
  const roles = newLayerRoles(model, gemmFlags);
  for (let o = 0; o < count; o++) {
    const at = config + (<usize>(CFG_OVERRIDES + o * OVERRIDE_WORDS) << 2);
    const index = <i32>load<u32>(at), r = <i32>load<u32>(at + 4);
    if (index < 0 || index >= model.layerCount || !overridable(r)) return NN_BAD_OVERRIDE;
    const layer = model.layer(index);
    if (layer.kind != LAYER_LINEAR && layer.kind != LAYER_CONV) return NN_BAD_OVERRIDE;
    const set = layerSet(roles, index);
    // readRole reads role r at CFG_ROLES + r * ROLE_WORDS: the override's words through a moved base.
    const role = newRole();
    const status = readRole(at + 8 - (<usize>(CFG_ROLES + r * ROLE_WORDS) << 2), r, role);
    if (status != NN_OK) return status;
    store<usize>(slot(set, r), changetype<usize>(role));
  }
  ctx.layers = roles;
  return layOutSegments(model, roles);
}

function newLayerRoles(model: Model, gemmFlags: u32): LayerRoles {
  const roles = new LayerRoles();
  roles.gemmFlags = gemmFlags;
  roles.sets = allocZeroed(<usize>model.layerCount << alignof<usize>());
  roles.base = allocZeroed(<usize>ROLE_COUNT << alignof<usize>());
  for (let r = 0; r < ROLE_COUNT; r++) store<usize>(slot(roles.base, r), changetype<usize>(roleAt(model.ctx, r)));
  return roles;
}

/** Layer `index`'s role set, made (every slot the model's role) when it has none. */
function layerSet(roles: LayerRoles, index: i32): usize {
  let set = load<usize>(slot(roles.sets, index));
  if (set == 0) {
    set = allocZeroed(<usize>ROLE_COUNT << alignof<usize>());
    memory.copy(set, roles.base, <usize>ROLE_COUNT << alignof<usize>());
    store<usize>(slot(roles.sets, index), set);
  }
  return set;
}

/**
 * Gives layer `index` its own Role for role r, a copy of the model's (a policy that moves each layer's
 * role by itself, cl/policies/adaptive.ts), and returns it; false-y (0) when a layer<N>.<role> item
 * already pins that role.
 */
export function ownLayerRole(model: Model, index: i32, r: i32, gemmFlags: u32): Role {
  const ctx = model.ctx;
  if (changetype<usize>(ctx.layers) == 0) ctx.layers = newLayerRoles(model, gemmFlags);
  const roles = ctx.layers;
  const set = layerSet(roles, index);
  if (load<usize>(slot(set, r)) != load<usize>(slot(roles.base, r))) return changetype<Role>(0);
  const role = newRole();
  copyRole(role, roleAt(ctx, r));
  store<usize>(slot(set, r), changetype<usize>(role));
  return role;
}

/**
 * The weight store layer by layer when some layer stores its weights in its own format. The model's
 * weight format may then not switch (a precision state that changes it is refused): the store stays one
 * run of bytes, which readParams, the checksum and the strategies' snapshots copy whole.
 */
function layOutSegments(model: Model, roles: LayerRoles): i32 {
  let pinned = false;
  for (let i = 0; i < model.layerCount; i++) {
    const set = load<usize>(slot(roles.sets, i));
    if (set != 0 && load<usize>(slot(set, ROLE_WEIGHT)) != load<usize>(slot(roles.base, ROLE_WEIGHT))) pinned = true;
  }
  if (!pinned) return NN_OK;
  if (storeChanges(model.ctx, ROLE_WEIGHT)) return NN_BAD_OVERRIDE;
  addSegments(model, roles, 0);
  return NN_OK;
}

/** A Segment per layer with parameters, in order, each `widest` bytes a value (0: its own weight role's). */
function addSegments(model: Model, roles: LayerRoles, widest: i32): void {
  let count = 0;
  for (let i = 0; i < model.layerCount; i++) if (model.layer(i).paramsPerHead > 0) count++;
  roles.segments = allocZeroed(<usize>count << alignof<usize>());
  let offset: usize = 0;
  for (let i = 0; i < model.layerCount; i++) {
    const layer = model.layer(i);
    if (layer.paramsPerHead == 0) continue;
    const s = new Segment();
    s.first = layer.paramBase;
    s.end = layer.paramBase + layer.paramsPerHead * layer.heads;
    s.offset = offset;
    s.role = layerRole(model.ctx, i, ROLE_WEIGHT);
    offset += <usize>(s.end - s.first) * <usize>(widest > 0 ? widest : s.role.bytes);
    store<usize>(slot(roles.segments, roles.segmentCount++), changetype<usize>(s));
  }
}

/**
 * The weight store layer by layer for a policy that moves each layer's weight format by itself
 * (cl/policies/adaptive.ts): every layer's values in the container of the widest state (`widest` bytes
 * a value: the store as laid out), so a layer's format changes within its own place and the store keeps
 * one run of bytes. The values, stored at DEPLOY in the model's weight role, move to that container
 * (the same format, so exactly; from the last value down, as the container only widens); each layer's
 * own weight Role (ownLayerRole) takes the container's width. Nothing is moved with `dry`.
 */
export function segmentWeights(model: Model, widest: i32, dry: bool): void {
  const ctx = model.ctx;
  const roles = ctx.layers;
  addSegments(model, roles, widest);
  if (!dry && ctx.weight.bytes != widest) {
    const from = ctx.weight;
    for (let i = model.params - 1; i >= 0; i--) {
      const v = loadStored(from, ctx.weights, i);
      const s = segmentOf(roles, i);
      storeRounded(s.role, segmentBase(ctx, s), i, v);
    }
  }
  model.modelBytes = <f64>weightStoreBytes(model, widest);
}

/** The segment holding parameter i (segments are in parameter order; accesses mostly go forward). */
export function segmentOf(roles: LayerRoles, i: i32): Segment {
  let k = roles.cursor;
  let s = changetype<Segment>(load<usize>(slot(roles.segments, k)));
  if (i >= s.first && i < s.end) return s;
  k = i < s.first ? 0 : k + 1;
  for (; k < roles.segmentCount; k++) {
    s = changetype<Segment>(load<usize>(slot(roles.segments, k)));
    if (i < s.end) break;
  }
  roles.cursor = k;
  return s;
}

/** True when the weights are stored layer by layer. */
// @ts-ignore: decorator
@inline export function segmented(ctx: Context): bool {
  return changetype<usize>(ctx.layers) != 0 && ctx.layers.segments != 0;
}

/** Where parameter index i of segment s is found by loadStored/storeRounded: the store's base for that layer. */
// @ts-ignore: decorator
@inline export function segmentBase(ctx: Context, s: Segment): usize {
  return ctx.weights + s.offset - <usize>s.first * <usize>s.role.bytes;
}

/** Weight i as stored. */
export function weightAt(ctx: Context, i: i32): f32 {
  if (!segmented(ctx)) return loadStored(ctx.weight, ctx.weights, i);
  const s = segmentOf(ctx.layers, i);
  return loadStored(s.role, segmentBase(ctx, s), i);
}

/**
 * Stores weight i rounded to its layer's weight format (a draw of the weight stream when it rounds by sr);
 * returns the value stored, for the health counters. Inlined: it is the optimizer's last step per parameter.
 */
// @ts-ignore: decorator
@inline export function putWeight(ctx: Context, i: i32, v: f32): f32 {
  let role = ctx.weight, base = ctx.weights;
  if (segmented(ctx)) {
    const s = segmentOf(ctx.layers, i);
    role = s.role;
    base = segmentBase(ctx, s);
  }
  const stored = roundOne(role, ctx.weightRng, v);
  storeRounded(role, base, i, stored);
  return stored;
}

/** Stores a value every weight format holds exactly (zero), without a draw. */
export function putWeightExact(ctx: Context, i: i32, v: f32): void {
  if (!segmented(ctx)) {
    storeRounded(ctx.weight, ctx.weights, i, v);
    return;
  }
  const s = segmentOf(ctx.layers, i);
  storeRounded(s.role, segmentBase(ctx, s), i, v);
}

/**
 * Offers the accelerator parameters first.. (one layer's) as the next jobs' packed W when they are stored
 * as 1- or 2-byte codes of a float format; withdraws the offer otherwise (f32 and fixed-point stores).
 */
export function offerPackedWeights(ctx: Context, first: i32): void {
  let role = ctx.weight, base = ctx.weights;
  if (segmented(ctx)) {
    const s = segmentOf(ctx.layers, first);
    role = s.role;
    base = segmentBase(ctx, s);
  }
  const f = role.format;
  if (f == null || !f.isFloat || role.bytes == 4) accelOfferPackedW(0, 0, 0);
  else accelOfferPackedW(base + <usize>first * <usize>role.bytes, role.word, <u32>role.bytes);
}

/** f32 values of parameters first .. first+n-1 (one layer's): the store itself, or decoded into `scratch`. */
export function weightsF32(ctx: Context, first: i32, n: i32, scratch: usize): usize {
  let role = ctx.weight, base = ctx.weights;
  if (segmented(ctx)) {
    const s = segmentOf(ctx.layers, first);
    role = s.role;
    base = segmentBase(ctx, s);
  }
  if (role.bytes == 4) return base + (<usize>first << 2);
  decodeStored(role, base, first, scratch, n);
  return scratch;
}

/** Bytes of the weight store as laid out (its widest state's, without a layer of its own format). */
export function weightStoreBytes(model: Model, widest: i32): u64 {
  const ctx = model.ctx;
  if (!segmented(ctx)) return <u64>model.params * <u64>widest;
  let bytes: u64 = 0;
  for (let k = 0; k < ctx.layers.segmentCount; k++) {
    const s = changetype<Segment>(load<usize>(slot(ctx.layers.segments, k)));
    bytes += <u64>(s.end - s.first) * <u64>s.role.bytes;
  }
  return bytes;
}

/** True when some layer stores its weights in packed codes (decoding needs scratch). */
export function segmentsPacked(ctx: Context): bool {
  if (!segmented(ctx)) return false;
  for (let k = 0; k < ctx.layers.segmentCount; k++) {
    if (changetype<Segment>(load<usize>(slot(ctx.layers.segments, k))).role.bytes != 4) return true;
  }
  return false;
}

function take(ctx: Context, set: usize): void {
  ctx.weight = changetype<Role>(load<usize>(slot(set, ROLE_WEIGHT)));
  ctx.activation = changetype<Role>(load<usize>(slot(set, ROLE_ACTIVATION)));
  ctx.error = changetype<Role>(load<usize>(slot(set, ROLE_ERROR)));
  ctx.gradient = changetype<Role>(load<usize>(slot(set, ROLE_GRADIENT)));
  ctx.mul = changetype<Role>(load<usize>(slot(set, ROLE_MUL)));
  ctx.acc = changetype<Role>(load<usize>(slot(set, ROLE_ACC)));
}

/** Makes layer `index`'s roles current (the model's when it has no overrides). */
export function useLayer(ctx: Context, index: i32): void {
  const roles = ctx.layers;
  if (changetype<usize>(roles) == 0 || roles.current == index) return;
  let set = load<usize>(slot(roles.sets, index));
  if (set == 0) {
    if (roles.current == -1) return;
    set = roles.base;
    index = -1;
  }
  take(ctx, set);
  configureMac(ctx, (roles.gemmFlags & GEMM_FMA) != 0, (roles.gemmFlags & GEMM_FAST) != 0);
  roles.current = index;
}

/** Puts the model's roles back after a pass. */
export function useModel(ctx: Context): void {
  const roles = ctx.layers;
  if (changetype<usize>(roles) == 0 || roles.current == -1) return;
  take(ctx, roles.base);
  configureMac(ctx, (roles.gemmFlags & GEMM_FMA) != 0, (roles.gemmFlags & GEMM_FAST) != 0);
  roles.current = -1;
}

/** Role r of layer `index` as the layer runs it. */
export function layerRole(ctx: Context, index: i32, r: i32): Role {
  const roles = ctx.layers;
  if (changetype<usize>(roles) != 0) {
    const set = load<usize>(slot(roles.sets, index));
    if (set != 0) return changetype<Role>(load<usize>(slot(set, r)));
  }
  return roleAt(ctx, r);
}

/** True when the run's product formats (the model's, its states', its layers') are at most MUL_FORMATS_MAX. */
export function mulFormatsFit(model: Model): bool {
  const ctx = model.ctx;
  const seen = allocZeroed(<usize>(MUL_FORMATS_MAX + 1) << 2);
  let n = 0;
  const states = ctx.states;
  const stateCount = changetype<usize>(states) == 0 ? 0 : states.count;
  for (let s = 0; s <= stateCount; s++) {
    n = note(seen, n, s == 0 ? ctx.mul.word : stateRole(states, s, ROLE_MUL).word);
    if (n > MUL_FORMATS_MAX) return false;
  }
  const roles = ctx.layers;
  if (changetype<usize>(roles) == 0) return true;
  for (let i = 0; i < model.layerCount; i++) {
    const set = load<usize>(slot(roles.sets, i));
    if (set == 0) continue;
    n = note(seen, n, changetype<Role>(load<usize>(slot(set, ROLE_MUL))).word);
    if (n > MUL_FORMATS_MAX) return false;
  }
  return true;
}

/** Adds `word` to the n words at `seen` unless it is there; returns the new count. */
function note(seen: usize, n: i32, word: u32): i32 {
  for (let i = 0; i < n; i++) if (load<u32>(seen + (<usize>i << 2)) == word) return n;
  if (n <= MUL_FORMATS_MAX) store<u32>(seen + (<usize>n << 2), word);
  return n + 1;
}
