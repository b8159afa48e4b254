// The device's memory: one arena, a bump allocator the device owns. It is the build's runtime
// (asconfig.json "runtime"), so every `new` and heap.alloc of the device code takes its blocks here, and
// the command loop moves its top with the calls below instead of leaning on a runtime's private details.
//
//   [module data][resident][deployment: model, optimiser, strategy][stored samples][request, scratch]
// Between commands the top rests at the deployment's end (stored samples are placed explicitly above
// it, assembly/device/store.ts); a command's request and scratch lie above the samples and are dropped when
// it ends, by moving the top back.
//
// A block is a 4-byte size word, then the payload, 16-byte aligned (the layout of AssemblyScript's stub
// runtime, which this replaced: every address, and so every memory figure a board reports, stays as it
// was). Nothing is freed one block at a time: the top moves back over whole ranges.
//
// While the arena is closed (arenaClose: the command loop serving a command that builds nothing), an
// allocation comes from the resident range instead of the top: lower layers create some objects on first
// use (the scaled format of MX encoding), and those must outlive the command that happened to create
// them. A resident range too small to hold one traps instead of handing out memory the top may reuse.
//
// Imports nothing: it is the layer below every other. The functions the compiler calls (__alloc, __new,
// ...) are in runtime/index.ts, the file asconfig.json names as the runtime.

// @ts-ignore: decorator
@inline const ALIGN_MASK: usize = 15;
// @ts-ignore: decorator
@inline const HEADER: usize = 4;
/** Largest block: a 32-bit address space, less a page. */
// @ts-ignore: decorator
@inline const MAX_BLOCK: usize = 0xffff_0000;

// @ts-ignore: decorator
@lazy let top: usize = ((__heap_base + HEADER + ALIGN_MASK) & ~ALIGN_MASK) - HEADER;
// @ts-ignore: decorator
@lazy let residentNext: usize = 0;
// @ts-ignore: decorator
@lazy let residentEnd: usize = 0;
// @ts-ignore: decorator
@lazy let closed: bool = false;

/** Bytes a block of `bytes` takes (its size word, the payload, the alignment). */
export function blockBytes(bytes: u64): u64 {
  return (bytes + <u64>HEADER + <u64>ALIGN_MASK) & ~<u64>ALIGN_MASK;
}

/** Rounds an address up to where a block may start (so that its payload is 16-byte aligned). */
export function blockStart(address: usize): usize {
  return ((address + HEADER + ALIGN_MASK) & ~ALIGN_MASK) - HEADER;
}

/** Linear memory covers [0, end), growing it by exactly the pages missing; false when the runtime refuses. */
export function cover(end: u64): bool {
  const have = <u64>memory.size() << 16;
  if (end <= have) return true;
  if (end > <u64>MAX_BLOCK) return false;
  return memory.grow(<i32>((end - have + 0xffff) >>> 16)) >= 0;
}

/** Where the next block starts: the arena's high-water mark. */
export function arenaTop(): usize {
  return top;
}

/**
 * Moves the top to `to` (a value of arenaTop(), or blockStart() of an address): down drops every block
 * above it, up takes the range as one block's worth of room. False when memory cannot grow that far.
 */
export function arenaMove(to: usize): bool {
  if (to > top && !cover(<u64>to + 16)) return false;
  top = to;
  return true;
}

/** Sets `bytes` aside at the top as the resident range; call once, before anything builds above it. */
export function arenaResident(bytes: usize): void {
  residentNext = top;
  residentEnd = top + bytes;
  top = residentEnd;
  cover(<u64>top + 16);
}

/** Allocations come from the resident range (close) or from the top (open, the initial state). */
export function arenaClose(close: bool): void {
  closed = close;
}

/** A block of `size` bytes: from the top, or from the resident range while the arena is closed. */
export function take(size: usize): usize {
  if (size > MAX_BLOCK) unreachable();
  const bytes = <usize>blockBytes(<u64>size);
  if (closed) {
    const block = residentNext;
    if (block + bytes > residentEnd) unreachable(); // a first-use object the resident range cannot hold
    residentNext = block + bytes;
    store<u32>(block, <u32>(bytes - HEADER));
    return block + HEADER;
  }
  const block = top;
  if (!cover(<u64>block + <u64>bytes)) unreachable(); // out of memory
  top = block + bytes;
  store<u32>(block, <u32>(bytes - HEADER));
  return block + HEADER;
}
