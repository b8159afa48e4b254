// The device's memory: one arena, a bump allocator the device owns. It is the build's runtime
// (asconfig.json "runtime"), so every `new` and heap.alloc of the device code takes its blocks here, and
// the command loop moves its top with the calls below instead of leaning on a runtime's private details.
//
//   [module data][resident][deployment: model, optimiser, strategy][stored samples][request, scratch]
// Between commands the top rests at the deployment's end (stored samples are placed explicitly above
// it, assembly/cl/store.ts); a command's request and scratch lie above the samples and are dropped when
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
// The compiler treats a runtime given by path like its incremental GC and would give it a 32 KiB shadow
// stack; asconfig.json sets "stackSize" to -1 (0 means "the default") because nothing here collects.
// Imports nothing: it is the layer below every other.

// @ts-ignore: decorator
@inline const ALIGN_MASK: usize = 15;
// @ts-ignore: decorator
@inline const HEADER: usize = 4;
/** Largest block: a 32-bit address space, less a page. */
// @ts-ignore: decorator
@inline const MAX_BLOCK: usize = 0xffff_0000;
// Object header of managed objects (`new` of a class that is not @unmanaged), as the compiler lays it:
// gcInfo, gcInfo2, rtId, rtSize after the block's size word.
// @ts-ignore: decorator
@inline const OBJECT_OVERHEAD: usize = 16;

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

function take(size: usize): usize {
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

// ---- What the compiler calls (the runtime interface of AssemblyScript 0.28) ----

// @ts-ignore: decorator
@unsafe @global
export function __alloc(size: usize): usize {
  return take(size);
}

// @ts-ignore: decorator
@unsafe @global
export function __realloc(ptr: usize, size: usize): usize {
  const had = <usize>load<u32>(ptr - HEADER);
  if (size <= had) return ptr;
  const moved = take(size);
  memory.copy(moved, ptr, had);
  return moved;
}

/** Blocks are never freed one at a time (arenaMove drops ranges). */
// @ts-ignore: decorator
@unsafe @global
export function __free(ptr: usize): void {}

// @ts-ignore: decorator
@unsafe @global
export function __reset(): void {}

// @ts-ignore: decorator
@unsafe @global
export function __new(size: usize, id: u32): usize {
  const ptr = take(OBJECT_OVERHEAD + size);
  const object = ptr - HEADER;
  store<u32>(object, 0, 4); // gcInfo
  store<u32>(object, 0, 8); // gcInfo2
  store<u32>(object, id, 12); // rtId
  store<u32>(object, <u32>size, 16); // rtSize
  return ptr + OBJECT_OVERHEAD;
}

// @ts-ignore: decorator
@unsafe @global
export function __renew(oldPtr: usize, size: usize): usize {
  const ptr = __realloc(oldPtr - OBJECT_OVERHEAD, OBJECT_OVERHEAD + size);
  store<u32>(ptr - HEADER, <u32>size, 16);
  return ptr + OBJECT_OVERHEAD;
}

// @ts-ignore: decorator
@global @unsafe
export function __link(parentPtr: usize, childPtr: usize, expectMultiple: bool): void {}

// @ts-ignore: decorator
@global @unsafe
export function __pin(ptr: usize): usize {
  return ptr;
}

// @ts-ignore: decorator
@global @unsafe
export function __unpin(ptr: usize): void {}

// @ts-ignore: decorator
@global @unsafe
function __visit(ptr: usize, cookie: u32): void {}

// @ts-ignore: decorator
@global @unsafe
export function __collect(): void {}
