// Where things live in linear memory, and moving the stub runtime's bump pointer (it never frees):
//
//   [module data][deployment: model, optimiser, strategy state]  <- the runtime heap, from `base`
//   [stored samples, one block per experience and split]        <- store.ts, from the deployment's end
//   [the current request's payload, then scratch]               <- transient, from the stores' end
//
// A new deployment (or RESET) moves the heap top back to `base`; commands allocate nothing that
// outlives them above the stores.
import { heapTop } from "../nn/alloc";

/** Linear memory covers [0, end), growing it by exactly the pages missing; false when the runtime refuses. */
export function coverTo(end: u64): bool {
  const have = <u64>memory.size() << 16;
  if (end <= have) return true;
  if (end > <u64>0xffff_0000) return false;
  return memory.grow(<i32>((end - have + 0xffff) >>> 16)) >= 0;
}

/** Rounds an address up to where the runtime's next block would start (heapTop's alignment). */
export function blockStart(address: usize): usize {
  return ((address + 4 + 15) & ~<usize>15) - 4;
}

/**
 * Moves the runtime's bump pointer to `top` (a value of heapTop(), or blockStart() of an address).
 * Lowering writes a block header spanning [top, current) and frees that block: the stub runtime
 * drops a freed block that ends at its pointer. False when memory cannot grow that far.
 */
export function setHeapTop(top: usize): bool {
  const current = heapTop();
  if (top == current) return true;
  if (top > current) {
    if (!coverTo(<u64>top + 16)) return false;
    heap.alloc(top - current - 4);
    return true;
  }
  store<u32>(top, <u32>(current - top - 4));
  heap.free(top + 4);
  return true;
}

export { heapTop };
