// Allocation for a bump allocator that never frees: everything a model needs is taken when it is built.
// Objects are created with `new`, which runs their field initialisers; raw blocks (allocZeroed) hold
// only numbers. A check in test/assembly/objects.test.ts keeps objects from being made out of raw blocks.

/** A zeroed block of `bytes` (16-byte aligned). */
export function allocZeroed(bytes: usize): usize {
  const p = heap.alloc(bytes);
  memory.fill(p, 0, bytes);
  return p;
}

/** Bytes heap.alloc takes for a block of `bytes` (the stub runtime's 4-byte header and 16-byte alignment). */
export function blockBytes(bytes: u64): u64 {
  return (bytes + 4 + 15) & ~<u64>15;
}

/** The allocator's high-water mark: a zero-byte probe block, given straight back. */
export function heapTop(): usize {
  const probe = heap.alloc(0);
  heap.free(probe);
  return probe - 4;
}

/**
 * Makes sure linear memory holds `bytes` more past the heap top, growing it by exactly the pages missing
 * (the stub runtime would otherwise double memory on each growth). False when the runtime refuses.
 */
export function reserve(bytes: u64): bool {
  const end = <u64>heapTop() + bytes;
  const have = <u64>memory.size() << 16;
  if (end <= have) return true;
  if (end > <u64>0xffff_0000) return false; // past what a 32-bit address space can hold
  const pages = <i32>((end - have + 0xffff) >>> 16);
  return memory.grow(pages) >= 0;
}
