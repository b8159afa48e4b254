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
