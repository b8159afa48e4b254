// Allocation for a bump allocator that never frees (assembly/runtime/arena.ts): everything a model needs
// is taken when it is built. Objects are created with `new`, which runs their field initialisers; raw
// blocks (allocZeroed) hold only numbers. A check in test/assembly/objects.test.ts keeps objects from
// being made out of raw blocks.
import { arenaTop, blockBytes, cover } from "../runtime/arena";

export { blockBytes };

/** A zeroed block of `bytes` (16-byte aligned). */
export function allocZeroed(bytes: usize): usize {
  const p = heap.alloc(bytes);
  memory.fill(p, 0, bytes);
  return p;
}

/** Bytes the blocks taken since planReset() take (or would take, in a dry run). */
let planned: u64 = 0;

export function planReset(): void {
  planned = 0;
}

export function plannedBytes(): u64 {
  return planned;
}

/**
 * The one allocator of a layout that can run dry: a zeroed block of `bytes`, or with `dry` no block at
 * all, only its bytes counted. A layout written once with it is both the build and its footprint.
 */
export function take(dry: bool, bytes: u64): usize {
  planned += blockBytes(bytes);
  return dry ? 0 : allocZeroed(<usize>bytes);
}

/** The allocator's high-water mark. */
export function heapTop(): usize {
  return arenaTop();
}

/**
 * Makes sure linear memory holds `bytes` more past the heap top, growing it by exactly the pages missing.
 * False when the runtime refuses.
 */
export function reserve(bytes: u64): bool {
  return cover(<u64>arenaTop() + bytes);
}
