// Where the command loop keeps things in linear memory (the arena, assembly/runtime/arena.ts):
//   [module data][resident][deployment: base .. rest][stored samples: store.ts][request][scratch]
// and the memory figures it reports: in use, the peak since the deployment, the declared limit.
import { arenaResident, arenaClose, arenaTop, arenaMove, blockStart, cover } from "../runtime/arena";
import { storesReset, dataEnd } from "./store";
import { noRoomForScratch } from "./messages";

/**
 * Bytes of the resident range: room for four objects the size of a Format (today one, MX encoding's
 * scaled format, is created on first use). 432 also kept the deployment base where the layout before
 * the arena put it.
 */
const RESIDENT_BYTES: usize = 432;
let started = false;
/** Where deployments start, and where the arena top rests between commands (the deployment's end). */
export let base: usize = 0;
export let rest: usize = 0;
/** The request buffer handed out by cmd_buffer, and its size. */
export let request: usize = 0;
export let requestBytes: usize = 0;
/** The linear-memory limit the deployment declared (bytes; 0xffff0000 when none). */
export let memoryLimit: u64 = 0;
export let peak: u64 = 0;
/** Deployment bytes (model, optimiser, strategy state). */
export let deploymentBytes: u64 = 0;

export function start(): void {
  if (started) return;
  started = true;
  // Room for the objects lower layers create on first use, whichever command that is (runtime/arena.ts).
  arenaResident(RESIDENT_BYTES);
  arenaClose(true);
  base = arenaTop();
  rest = base;
  storesReset(base + 16);
  memoryLimit = 0xffff_0000;
  peak = <u64>base;
}

export function notePeak(end: u64): void { if (end > peak) peak = end; }

export function used(): u64 { return max<u64>(<u64>dataEnd, <u64>rest); }

/** Room past the limit's check: false when the limit or the runtime refuses `end`. */
export function fits(end: u64): bool { return end <= memoryLimit && cover(end); }

/** The request buffer for `bytes` above the stored samples, or 0 when memory cannot hold it. */
export function requestBuffer(bytes: u32): usize {
  const at = ((dataEnd + 15) & ~<usize>15) + 16;
  const end = <u64>at + <u64>bytes + 64;
  if (!fits(end)) return 0;
  notePeak(<u64>at + <u64>bytes);
  request = at;
  requestBytes = bytes;
  return at;
}

/** Where a command's working memory starts: above its payload of `length` bytes. */
export function aboveRequest(length: usize): usize {
  return blockStart(request + length + 16);
}

/** The deployment that ends at the arena's top, from base; the stores start above it. */
export function deploymentPlaced(limit: u64): void {
  memoryLimit = limit;
  rest = arenaTop();
  deploymentBytes = <u64>(rest - base);
  storesReset(rest + 16);
  // Peak memory is a figure of this deployment, from its creation on (not of whatever an earlier one
  // stored, nor of the request that replaced it).
  peak = <u64>rest + 16;
}

/** No deployment: everything from base on is free. */
export function deploymentDropped(): void {
  rest = base;
  arenaMove(base);
  storesReset(base + 16);
  deploymentBytes = 0;
  peak = <u64>base + 16;
}

/** `bytes` of working memory above a payload of `length` bytes, or 0 after writing why not. */
export function scratchFor(length: u32, bytes: u64): usize {
  const at = aboveRequest(<usize>length) + 16;
  const end = <u64>at + bytes + 64;
  if (!fits(end)) {
    noRoomForScratch(bytes, at, memoryLimit);
    return 0;
  }
  notePeak(end);
  arenaMove(blockStart(<usize>end));
  return at;
}
