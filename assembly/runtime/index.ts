// The build's runtime (asconfig.json "runtime"): what the compiler calls to allocate, all served by the
// device's arena (arena.ts). Nothing is exported: a runtime file is compiled as an entry, so an export
// here would become an export of the .wasm.
//
// The compiler treats a runtime given by path like its incremental GC and would give it a 32 KiB shadow
// stack; asconfig.json sets "stackSize" to -1 (0 means "the default") because nothing here collects.
import { take } from "./arena";

// @ts-ignore: decorator
@inline const HEADER: usize = 4;
// Object header of managed objects (`new` of a class that is not @unmanaged), as the compiler lays it:
// gcInfo, gcInfo2, rtId, rtSize after the block's size word.
// @ts-ignore: decorator
@inline const OBJECT_OVERHEAD: usize = 16;

// ---- The runtime interface of AssemblyScript 0.28 ----

// @ts-ignore: decorator
@unsafe @global
function __alloc(size: usize): usize {
  return take(size);
}

// @ts-ignore: decorator
@unsafe @global
function __realloc(ptr: usize, size: usize): usize {
  const had = <usize>load<u32>(ptr - HEADER);
  if (size <= had) return ptr;
  const moved = take(size);
  memory.copy(moved, ptr, had);
  return moved;
}

/** Blocks are never freed one at a time (arenaMove drops ranges). */
// @ts-ignore: decorator
@unsafe @global
function __free(ptr: usize): void {}

// @ts-ignore: decorator
@unsafe @global
function __reset(): void {}

// @ts-ignore: decorator
@unsafe @global
function __new(size: usize, id: u32): usize {
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
function __renew(oldPtr: usize, size: usize): usize {
  const ptr = __realloc(oldPtr - OBJECT_OVERHEAD, OBJECT_OVERHEAD + size);
  store<u32>(ptr - HEADER, <u32>size, 16);
  return ptr + OBJECT_OVERHEAD;
}

// @ts-ignore: decorator
@global @unsafe
function __link(parentPtr: usize, childPtr: usize, expectMultiple: bool): void {}

// @ts-ignore: decorator
@global @unsafe
function __pin(ptr: usize): usize {
  return ptr;
}

// @ts-ignore: decorator
@global @unsafe
function __unpin(ptr: usize): void {}

// @ts-ignore: decorator
@global @unsafe
function __visit(ptr: usize, cookie: u32): void {}

// @ts-ignore: decorator
@global @unsafe
function __collect(): void {}
