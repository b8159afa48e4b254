// The replay buffer: a byte budget of sample values stored in the precision spec's replay format
// (packed codes: an e4m3 buffer holds four times the samples of an fp32 one in the same bytes), with
// each slot's label and head kept beside it. Which samples stay is the policy's choice:
//   reservoir       Vitter's Algorithm R over every sample offered: each is kept with probability
//                   capacity / seen, so the buffer is a uniform sample of the stream;
//   class-balanced  CBRS (Chrysakis & Moens, ICML 2020): a sample of a class that is not among the
//                   largest replaces a random slot of a largest class; one of a largest class replaces
//                   a random slot of its own class with probability (its slots) / (its samples seen);
//   greedy          GDumb's sampler (Prabhu et al., ECCV 2020): like class-balanced, but a sample of a
//                   largest class is dropped.
// Every random choice is a draw of the buffer's stream (its key from the run seed, reseeded per TRAIN).
import { Rng, encodeArray, decodeArray, mxEncodeArray, mxDecodeArray } from "../arith";
import { Role } from "../nn/precision";
import { Context } from "../nn/context";
import { stateRole } from "../nn/switch";
import { ROLE_REPLAY } from "../nn/abi";
import { take } from "../nn/alloc";
import { addRegion } from "../device/image";

export const POLICY_RESERVOIR: i32 = 0;
export const POLICY_CLASS_BALANCED: i32 = 1;
export const POLICY_GREEDY: i32 = 2;

@final @unmanaged
export class ReplayBuffer {
  role: Role = changetype<Role>(0);
  policy: i32 = 0;
  /** Values per sample and bytes they take in the replay format. */
  values: i32 = 0;
  sampleBytes: i32 = 0;
  capacity: i32 = 0;
  size: i32 = 0;
  /** Class keys: head * classesPerHead + label. */
  classKeys: i32 = 0;
  /** capacity x sampleBytes of packed values. */
  data: usize = 0;
  /** Per slot: class key (u16). */
  keys: usize = 0;
  /** Per class key: slots held (i32) and samples offered (f64). */
  held: usize = 0;
  offered: usize = 0;
  /** Samples offered in all. */
  seen: f64 = 0;
  rng: Rng = changetype<Rng>(0);
  /** One sample's values as f32, for encoding. */
  scratch: usize = 0;
  /** Bytes of `data`: capacity slots of the widest replay format a precision switch may bring. */
  dataBytes: usize = 0;
  /** One sample decoded while the slots are re-encoded on a switch (0 when the replay format never switches). */
  swap: usize = 0;
}

/** Bytes one sample of `values` values takes in `role`'s storage. */
export function encodedBytes(role: Role, values: i32): i32 {
  const f = role.format;
  if (f == null) return values << 2;
  if (f.isBlock) return ((values + 31) >> 5) * f.blockBytes;
  return values * f.bytes;
}

/** Slots a budget of `bytes` holds. */
export function capacityFor(role: Role, values: i32, bytes: u32): i32 {
  return <i32>(<u64>bytes / <u64>encodedBytes(role, values));
}

/**
 * A buffer laid out with take() (nn/alloc.ts): with `dry`, its blocks are only counted. When a precision
 * policy `switches` the replay format, the budget holds `capacity` samples of the `widest` one's bytes.
 */
export function newBuffer(
  role: Role, values: i32, bytes: u32, classKeys: i32, policy: i32, dry: bool = false, widest: i32 = 0, switches: bool = false,
): ReplayBuffer {
  const b = new ReplayBuffer();
  b.role = role;
  b.policy = policy;
  b.values = values;
  b.sampleBytes = encodedBytes(role, values);
  const stride = max(b.sampleBytes, widest);
  b.capacity = <i32>(<u64>bytes / <u64>stride);
  b.classKeys = classKeys;
  b.dataBytes = <usize>b.capacity * <usize>stride;
  b.data = take(dry, <u64>b.dataBytes);
  if (switches) b.swap = take(dry, <u64>values << 2);
  b.keys = take(dry, <u64>b.capacity << 1);
  b.held = take(dry, <u64>classKeys << 2);
  b.offered = take(dry, <u64>classKeys << 3);
  b.scratch = take(dry, <u64>values << 2);
  b.rng = new Rng();
  return b;
}

/** The buffer's part of a checkpoint: its regions, and its scalars at `scalars` (16 bytes). */
export function bufferRegions(b: ReplayBuffer): void {
  addRegion(b.data, b.dataBytes);
  addRegion(b.keys, <usize>b.capacity << 1);
  addRegion(b.held, <usize>b.classKeys << 2);
  addRegion(b.offered, <usize>b.classKeys << 3);
}

export function bufferPack(b: ReplayBuffer, scalars: usize): void {
  store<i32>(scalars, b.size);
  store<f64>(scalars + 8, b.seen);
}

export function bufferUnpack(b: ReplayBuffer, scalars: usize): void {
  b.size = load<i32>(scalars);
  b.seen = load<f64>(scalars + 8);
}

/** Bytes of stored values the buffer holds now. */
export function bufferBytesUsed(b: ReplayBuffer): u64 {
  return <u64>b.size * <u64>b.sampleBytes;
}

// @ts-ignore: decorator
@inline export function slotKey(b: ReplayBuffer, slot: i32): i32 {
  return <i32>load<u16>(b.keys + (<usize>slot << 1));
}

// @ts-ignore: decorator
@inline function heldOf(b: ReplayBuffer, key: i32): i32 {
  return load<i32>(b.held + (<usize>key << 2));
}

/** A draw uniform in 0 .. n-1 (the high word of draw x n: bias below n / 2^32). */
// @ts-ignore: decorator
@inline export function below(rng: Rng, n: u64): i32 {
  return <i32>((<u64>rng.next() * n) >>> 32);
}

/** Encodes a sample (f32 at src) to `role` at dst; stochastic rounding draws from `rng`. */
function encodeSample(b: ReplayBuffer, role: Role, rng: Rng, src: usize, dst: usize): void {
  const f = role.format;
  if (f == null) memory.copy(dst, src, <usize>b.values << 2);
  else if (f.isBlock) mxEncodeArray(f, role.mode, role.srBits, rng, src, dst, b.values);
  else encodeArray(f, role.mode, role.srBits, rng, src, dst, b.values, b.scratch);
}

/** Decodes a sample stored in `role` at src to f32 at dst. */
function decodeSample(b: ReplayBuffer, role: Role, src: usize, dst: usize): void {
  const f = role.format;
  if (f == null) memory.copy(dst, src, <usize>b.values << 2);
  else if (f.isBlock) mxDecodeArray(f, src, dst, b.values);
  else decodeArray(f, src, dst, b.values);
}

/**
 * After a precision switch of the replay role (its new words already in b.role): the held slots, stored
 * in `from`, re-encoded in place to the new format (widening from the last slot down, narrowing from
 * the first up, so no slot is overwritten before it is read); stochastic rounding draws from `rng`.
 */
export function bufferReencode(b: ReplayBuffer, from: Role, rng: Rng): void {
  const oldBytes = <usize>encodedBytes(from, b.values);
  const newBytes = <usize>encodedBytes(b.role, b.values);
  const widening = newBytes > oldBytes;
  for (let k = 0; k < b.size; k++) {
    const slot = widening ? b.size - 1 - k : k;
    decodeSample(b, from, b.data + <usize>slot * oldBytes, b.swap);
    encodeSample(b, b.role, rng, b.swap, b.data + <usize>slot * newBytes);
  }
  b.sampleBytes = <i32>newBytes;
}

/** The slot stride after the replay role changed without re-encoding (a checkpoint restored in another state). */
export function bufferFollowRole(b: ReplayBuffer): void {
  b.sampleBytes = encodedBytes(b.role, b.values);
}

/** Writes sample values (f32 at src) into a slot, rounded and packed to the replay format. */
function put(b: ReplayBuffer, slot: i32, src: usize, key: i32): void {
  encodeSample(b, b.role, b.rng, src, b.data + <usize>slot * <usize>b.sampleBytes);
  if (slot < b.size) {
    const old = slotKey(b, slot);
    store<i32>(b.held + (<usize>old << 2), heldOf(b, old) - 1);
  }
  store<u16>(b.keys + (<usize>slot << 1), <u16>key);
  store<i32>(b.held + (<usize>key << 2), heldOf(b, key) + 1);
}

/** The slot of the `n`-th (0-based) sample of class `key`, scanning in slot order. */
function nthSlotOf(b: ReplayBuffer, key: i32, n: i32): i32 {
  for (let s = 0; s < b.size; s++) {
    if (slotKey(b, s) == key) {
      if (n == 0) return s;
      n--;
    }
  }
  return -1;
}

/** The class with the most slots (the smallest key among ties). */
function largestClass(b: ReplayBuffer): i32 {
  let best = 0;
  for (let k = 1; k < b.classKeys; k++) if (heldOf(b, k) > heldOf(b, best)) best = k;
  return best;
}

/** Offers one sample (f32 values at src) to the buffer; returns the slot it took, or -1. */
export function offer(b: ReplayBuffer, src: usize, key: i32): i32 {
  const seenBefore = b.seen;
  b.seen = seenBefore + 1;
  const offeredAt = b.offered + (<usize>key << 3);
  const offeredBefore = load<f64>(offeredAt);
  store<f64>(offeredAt, offeredBefore + 1);
  if (b.capacity == 0) return -1;
  if (b.size < b.capacity) {
    const slot = b.size;
    put(b, slot, src, key);
    b.size++;
    return slot;
  }
  let slot = -1;
  if (b.policy == POLICY_RESERVOIR) {
    const j = below(b.rng, <u64>seenBefore + 1);
    if (j < b.capacity) slot = j;
  } else {
    const largest = largestClass(b);
    if (heldOf(b, key) < heldOf(b, largest)) {
      slot = nthSlotOf(b, largest, below(b.rng, <u64>heldOf(b, largest)));
    } else if (b.policy == POLICY_CLASS_BALANCED) {
      const j = below(b.rng, <u64>offeredBefore + 1);
      if (j < heldOf(b, key)) slot = nthSlotOf(b, key, j);
    }
  }
  if (slot >= 0) put(b, slot, src, key);
  return slot;
}

/** Slot `slot`'s values decoded to f32 at dst. */
export function slotValues(b: ReplayBuffer, slot: i32, dst: usize): void {
  decodeSample(b, b.role, b.data + <usize>slot * <usize>b.sampleBytes, dst);
}

/** Bytes a sample of `values` takes in the widest replay format of the model's precision states. */
export function widestSampleBytes(ctx: Context, values: i32): i32 {
  let bytes = encodedBytes(ctx.replay, values);
  const states = ctx.states;
  if (changetype<usize>(states) == 0) return bytes;
  for (let s = 1; s <= states.count; s++) bytes = max(bytes, encodedBytes(stateRole(states, s, ROLE_REPLAY), values));
  return bytes;
}

/** Empties the buffer (GDumb keeps it; nothing else does): used by tests and RESET. */
export function bufferClear(b: ReplayBuffer): void {
  b.size = 0;
  b.seen = 0;
  memory.fill(b.held, 0, <usize>b.classKeys << 2);
  memory.fill(b.offered, 0, <usize>b.classKeys << 3);
}
