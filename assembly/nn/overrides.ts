// Per-layer precision (docs/precision.md, Per-layer roles): a layer may run a compute role (activation,
// error, gradient, mul, acc) in its own format, whatever the run's spec or precision state says. Each
// layer with overrides gets a role set: its own Role for an overridden role, the model's Role object for
// the others, so a precision switch of the model's roles reaches every role a layer does not pin. The
// passes make a layer's set current while the layer runs (useLayer) and put the model's back after.
import {
  CFG_OVERRIDE_COUNT, CFG_OVERRIDES, CFG_MAX_OVERRIDES, OVERRIDE_WORDS, ROLE_COUNT, ROLE_WORDS, ROLE_ACTIVATION,
  ROLE_ERROR, ROLE_GRADIENT, ROLE_MUL, ROLE_ACC, CFG_ROLES, LAYER_LINEAR, LAYER_CONV, GEMM_FMA, GEMM_FAST, NN_OK,
  NN_BAD_OVERRIDE, MUL_FORMATS_MAX,
} from "./abi";
import { stateRole } from "./switch";
import { allocZeroed } from "./alloc";
import { Context, roleAt, configureMac } from "./context";
import { Role, newRole, readRole } from "./precision";
import { Model } from "./model";

@final @unmanaged
export class LayerRoles {
  /** Per layer: 0, or ROLE_COUNT Role pointers (the layer's own where it overrides, the model's elsewhere). */
  sets: usize = 0;
  /** The model's own Role objects, in ROLE_* order, put back after a layer ran. */
  base: usize = 0;
  gemmFlags: u32 = 0;
  /** The layer whose set is current (-1: the model's). */
  current: i32 = -1;
}

function overridable(role: i32): bool {
  return role == ROLE_ACTIVATION || role == ROLE_ERROR || role == ROLE_GRADIENT || role == ROLE_MUL || role == ROLE_ACC;
}

// @ts-ignore: decorator
@inline function slot(table: usize, i: i32): usize { return table + (<usize>i << alignof<usize>()); }

/** Reads CFG_OVERRIDES once the layers are known; leaves ctx.layers at 0 without overrides. */
export function readOverrides(config: usize, model: Model, gemmFlags: u32): i32 {
  const count = <i32>load<u32>(config + (<usize>CFG_OVERRIDE_COUNT << 2));
  if (count < 0 || count > CFG_MAX_OVERRIDES) return NN_BAD_OVERRIDE;
  if (count == 0) return NN_OK;
  const ctx = model.ctx;
  const roles = new LayerRoles();
  roles.gemmFlags = gemmFlags;
  roles.sets = allocZeroed(<usize>model.layerCount << alignof<usize>());
  roles.base = allocZeroed(<usize>ROLE_COUNT << alignof<usize>());
  for (let r = 0; r < ROLE_COUNT; r++) store<usize>(slot(roles.base, r), changetype<usize>(roleAt(ctx, r)));
  for (let o = 0; o < count; o++) {
    const at = config + (<usize>(CFG_OVERRIDES + o * OVERRIDE_WORDS) << 2);
    const index = <i32>load<u32>(at), r = <i32>load<u32>(at + 4);
    if (index < 0 || index >= model.layerCount || !overridable(r)) return NN_BAD_OVERRIDE;
    const layer = model.layer(index);
    if (layer.kind != LAYER_LINEAR && layer.kind != LAYER_CONV) return NN_BAD_OVERRIDE;
    let set = load<usize>(slot(roles.sets, index));
    if (set == 0) {
      set = allocZeroed(<usize>ROLE_COUNT << alignof<usize>());
      memory.copy(set, roles.base, <usize>ROLE_COUNT << alignof<usize>());
      store<usize>(slot(roles.sets, index), set);
    }
    // readRole reads role r at CFG_ROLES + r * ROLE_WORDS: the override's words through a moved base.
    const role = newRole();
    const status = readRole(at + 8 - (<usize>(CFG_ROLES + r * ROLE_WORDS) << 2), r, role);
    if (status != NN_OK) return status;
    store<usize>(slot(set, r), changetype<usize>(role));
  }
  ctx.layers = roles;
  return NN_OK;
}

function take(ctx: Context, set: usize): void {
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
