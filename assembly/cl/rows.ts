// The rows of a training batch: where each row's sample comes from (a store of samples, or a buffer
// slot), its head, and how a step's rows are drawn (a seeded permutation of the experience's pool, then
// replayed slots).
import { Rng } from "../arith";
import { CL_MAX_EXPERIENCES } from "./abi";
import { slotValues, slotKey, below } from "./buffer";
import { Store, storeAt, sampleLabel, sampleValues } from "../device/store";
import { SPLIT_TRAIN } from "../generated/protocol";
import { Learner } from "./learner";

/** A row of a batch: where its sample comes from (a store, or 0 for a buffer slot), its index, its head. */
export const PICK_BYTES: usize = 12;

// @ts-ignore: decorator
@inline export function pickStore(l: Learner, r: i32): usize { return load<usize>(l.picks + <usize>r * PICK_BYTES); }
// @ts-ignore: decorator
@inline export function pickIndex(l: Learner, r: i32): i32 { return load<i32>(l.picks + <usize>r * PICK_BYTES + 4); }
// @ts-ignore: decorator
@inline export function pickHead(l: Learner, r: i32): i32 { return load<i32>(l.picks + <usize>r * PICK_BYTES + 8); }

export function setPick(l: Learner, r: i32, source: usize, index: i32, head: i32): void {
  const p = l.picks + <usize>r * PICK_BYTES;
  store<usize>(p, source);
  store<i32>(p + 4, index);
  store<i32>(p + 8, head);
}

/** Row r is buffer slot `slot`, on the head its class key names. */
export function pickSlot(l: Learner, r: i32, slot: i32): void {
  setPick(l, r, 0, slot, slotKey(l.buffer, slot) / l.classes);
}

/** Stable insertion sort of rows 0..n-1 by head, current samples before replayed ones within a head. */
export function sortPicks(l: Learner, n: i32): void {
  const tmp = l.picks + <usize>l.model.maxBatch * PICK_BYTES;
  for (let i = 1; i < n; i++) {
    const key = pickHead(l, i) * 2 + (pickStore(l, i) == 0 ? 1 : 0);
    memory.copy(tmp, l.picks + <usize>i * PICK_BYTES, PICK_BYTES);
    let j = i - 1;
    while (j >= 0 && pickHead(l, j) * 2 + (pickStore(l, j) == 0 ? 1 : 0) > key) {
      memory.copy(l.picks + <usize>(j + 1) * PICK_BYTES, l.picks + <usize>j * PICK_BYTES, PICK_BYTES);
      j--;
    }
    memory.copy(l.picks + <usize>(j + 1) * PICK_BYTES, tmp, PICK_BYTES);
  }
}

/** Label a row trains on: the stored label, or the label part of a buffer slot's class key. */
export function pickLabel(l: Learner, r: i32): i32 {
  const s = pickStore(l, r);
  if (s != 0) return sampleLabel(changetype<Store>(s), pickIndex(l, r));
  return slotKey(l.buffer, pickIndex(l, r)) % l.classes;
}

/** Writes row r's values (f32) at dst. */
export function pickValues(l: Learner, r: i32, dst: usize): void {
  const s = pickStore(l, r);
  if (s != 0) sampleValues(changetype<Store>(s), pickIndex(l, r), dst);
  else slotValues(l.buffer, pickIndex(l, r), dst);
}

// ---- The pool of an experience ----

/** Fills rows from a seeded permutation of `pool` samples (stores of experiences listed in the scratch). */
@final @unmanaged
class Pool {
  stores: usize = 0;
  storeCount: i32 = 0;
  total: i32 = 0;
  order: usize = 0;
  position: i32 = 0;
}

const pool = memory.data(offsetof<Pool>());
/** The strategy stream's counter when the pool's permutation was drawn: a request that goes on draws it again. */
let shuffledAt: u32 = 0;

export function poolOf(): Pool { return changetype<Pool>(pool); }

/** Fisher-Yates shuffle of 0..n-1 into order (i32), drawing from rng. */
export function shuffle(order: usize, n: i32, rng: Rng): void {
  for (let i = 0; i < n; i++) store<i32>(order + (<usize>i << 2), i);
  for (let i = n - 1; i > 0; i--) {
    const j = below(rng, <u64>i + 1);
    const a = load<i32>(order + (<usize>i << 2));
    store<i32>(order + (<usize>i << 2), load<i32>(order + (<usize>j << 2)));
    store<i32>(order + (<usize>j << 2), a);
  }
}

/** Sample k of the pool: its store and index. */
function poolSample(k: i32, outIndex: usize): Store {
  const p = poolOf();
  for (let s = 0; s < p.storeCount; s++) {
    const st = changetype<Store>(load<usize>(p.stores + (<usize>s << alignof<usize>())));
    if (k < st.count) {
      store<i32>(outIndex, k);
      return st;
    }
    k -= st.count;
  }
  return changetype<Store>(0);
}

export function headOf(l: Learner, experience: i32): i32 {
  return l.heads > 1 ? experience : 0;
}

/** The first experience whose samples an experience trains on (every one so far for cumulative training). */
export function poolFrom(l: Learner, experience: i32): i32 {
  return l.hooks.allExperiences ? 0 : experience;
}

/**
 * Sets up the pool of samples an experience trains on. With `goOn` (a TRAIN that follows another of the
 * experience, nothing stored having changed since) the pool takes up the previous request's permutation,
 * drawn again from where it was drawn, at the place that request left it.
 */
export function buildPool(l: Learner, experience: i32, scratch: usize, goOn: bool): void {
  const p = poolOf();
  const position = p.position;
  p.stores = scratch;
  p.storeCount = 0;
  p.total = 0;
  for (let e = poolFrom(l, experience); e <= experience; e++) {
    const st = storeAt(e, SPLIT_TRAIN);
    if (st.count == 0) continue;
    store<usize>(p.stores + (<usize>p.storeCount << alignof<usize>()), changetype<usize>(st));
    p.storeCount++;
    p.total += st.count;
  }
  p.order = scratch + (<usize>CL_MAX_EXPERIENCES << alignof<usize>());
  p.position = p.total;
  if (goOn && position < p.total) {
    const now = l.rng.counter;
    l.rng.counter = shuffledAt;
    shuffle(p.order, p.total, l.rng);
    l.rng.counter = now;
    p.position = position;
  }
}

/** Fills rows 0..batch-1 from the pool's permutation, reshuffling when it runs out. */
export function fillCurrent(l: Learner, batch: i32, head: i32, experience: i32): void {
  const p = poolOf();
  const index = l.scratch;
  for (let r = 0; r < batch; r++) {
    if (p.position >= p.total) {
      shuffledAt = l.rng.counter;
      shuffle(p.order, p.total, l.rng);
      p.position = 0;
    }
    const k = load<i32>(p.order + (<usize>(p.position++) << 2));
    const st = poolSample(k, index);
    // Cumulative training in the task scenario: a stored sample's head is its experience's.
    let h = head;
    if (l.heads > 1) for (let e = 0; e <= experience; e++) if (storeAt(e, SPLIT_TRAIN) == st) h = e;
    setPick(l, r, changetype<usize>(st), load<i32>(index), h);
  }
}

/** Appends up to replayBatch buffer slots (uniform, with replacement) after rows 0..n-1; returns the rows. */
export function fillReplay(l: Learner, n: i32): i32 {
  if (l.buffer.size == 0) return n;
  const r = min(l.replayBatch, l.model.maxBatch - n);
  for (let k = 0; k < r; k++) pickSlot(l, n + k, below(l.rng, <u64>l.buffer.size));
  return n + r;
}
