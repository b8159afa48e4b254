// Precision roles on the device: one format + rounding per tensor role (DESIGN.md "Precision spec"),
// how a role rounds a run of values, and how it stores values (packed codes when <= 16 bits).
import {
  Format, makeFormat, validateWord, FORMAT_OK, Rng, roundArray, roundValue, decodeCode, encodeRounded,
  buildDecodeTable, SR_BITS_MAX, ROUND_SR,
} from "../arith";
import { ROUND_COUNT } from "../generated/formats";
import { CFG_ROLES, ROLE_WORDS, ROLE_REPLAY, ROLE_MASTER, NN_OK, NN_BAD_FORMAT, NN_BAD_ROUNDING } from "./abi";

@final @unmanaged
export class Role {
  /** The format word from the config (0 = role absent). */
  word: u32 = 0;
  /** null when values pass through unrounded: fp32 (the container's own format) or an absent role. */
  format: Format | null = null;
  present: bool = false;
  mode: i32 = 0;
  srBits: i32 = SR_BITS_MAX;
  /** Bytes per stored value: 1 or 2 for packed codes, 4 for values held in an f32 container. */
  bytes: i32 = 4;
}

/** True for fp32 itself: rounding an f32 value to it changes nothing, whatever the mode. */
function isIdentity(f: Format): bool {
  return f.isFloat && f.e == 8 && f.m == 23 && f.subnormals && !f.saturate;
}

/** Reads role `index` from the config blob; returns NN_OK or the status saying what is wrong. */
export function readRole(config: usize, index: i32, role: Role): i32 {
  const at = config + (<usize>(CFG_ROLES + index * ROLE_WORDS) << 2);
  const word = load<u32>(at);
  const mode = load<i32>(at + 4);
  const srBits = load<i32>(at + 8);
  role.word = word;
  if (word == 0) {
    // Only the master copy and the replay store may be absent.
    return index == ROLE_MASTER || index == ROLE_REPLAY ? NN_OK : NN_BAD_FORMAT;
  }
  if (validateWord(word) != FORMAT_OK) return NN_BAD_FORMAT;
  if (mode < 0 || mode >= ROUND_COUNT) return NN_BAD_ROUNDING;
  if (srBits < 0 || srBits > SR_BITS_MAX) return NN_BAD_ROUNDING;
  const f = makeFormat(word)!;
  // Block formats share a scale across 32 values: a storage format for replay, not an arithmetic one.
  if (f.isBlock && index != ROLE_REPLAY) return NN_BAD_FORMAT;
  role.present = true;
  role.mode = mode;
  role.srBits = srBits == 0 ? SR_BITS_MAX : srBits;
  if (isIdentity(f)) return NN_OK;
  role.format = f;
  role.bytes = f.isBlock || f.bits > 16 ? 4 : f.bytes;
  if (role.bytes == 1) buildDecodeTable(f);
  return NN_OK;
}

export function newRole(): Role {
  const r = new Role();
  r.srBits = SR_BITS_MAX;
  r.bytes = 4;
  return r;
}

/** Rounds n values in place; one draw per value from `rng` when the mode is sr. */
export function roundRun(role: Role, rng: Rng, ptr: usize, n: i32): void {
  if (role.format == null || n <= 0) return;
  roundArray(role.format!, role.mode, role.srBits, rng, ptr, ptr, n);
}

/** One value rounded to the role (a draw from `rng` only when the mode is sr). */
// @ts-ignore: decorator
@inline export function roundOne(role: Role, rng: Rng, x: f32): f32 {
  if (role.format == null) return x;
  return roundValue(x, role.format!, role.mode, role.srBits, role.mode == ROUND_SR ? rng.next() : 0);
}

/** Value i of a store kept in `role`'s storage. */
// @ts-ignore: decorator
@inline export function loadStored(role: Role, base: usize, i: i32): f32 {
  if (role.bytes == 4) return load<f32>(base + (<usize>i << 2));
  if (role.bytes == 1) return load<f32>(role.format!.table + (<usize>load<u8>(base + <usize>i) << 2));
  return decodeCode(load<u16>(base + (<usize>i << 1)), role.format!);
}

/** Stores a value already rounded to `role` at position i. */
// @ts-ignore: decorator
@inline export function storeRounded(role: Role, base: usize, i: i32, v: f32): void {
  if (role.bytes == 4) store<f32>(base + (<usize>i << 2), v);
  else if (role.bytes == 1) store<u8>(base + <usize>i, <u8>encodeRounded(v, role.format!));
  else store<u16>(base + (<usize>i << 1), <u16>encodeRounded(v, role.format!));
}

/** Decodes n stored values starting at value `first` into f32 at dst. */
export function decodeStored(role: Role, base: usize, first: i32, dst: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<f32>(dst + (<usize>i << 2), loadStored(role, base, first + i));
}

export { NN_OK };
