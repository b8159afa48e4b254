// Samples stored on the device: one block per (experience, split), packed one after another from the
// end of the deployment. A sample is a record: its label (u16), then its values as they came (u8, read
// as value / 255, or f32). Removing a block moves the blocks above it down, so memory stays packed.
import { CL_MAX_EXPERIENCES } from "../cl/abi";
import { SAMPLE_ENCODING_U8 } from "../generated/protocol";

@final @unmanaged
export class Store {
  data: usize = 0;
  count: i32 = 0;
  features: i32 = 0;
  encoding: i32 = 0;
  stride: i32 = 0;
}

const SLOTS: i32 = CL_MAX_EXPERIENCES * 2;
const table = memory.data(SLOTS * offsetof<Store>());
/** Stored samples lie in [dataBase, dataEnd). */
export let dataBase: usize = 0;
export let dataEnd: usize = 0;

// @ts-ignore: decorator
@inline export function storeAt(experience: i32, split: i32): Store {
  return changetype<Store>(table + <usize>(experience * 2 + split) * offsetof<Store>());
}

export function storesReset(base: usize): void {
  memory.fill(table, 0, <usize>SLOTS * offsetof<Store>());
  dataBase = base;
  dataEnd = base;
}

export function recordBytes(features: i32, encoding: i32): i32 {
  return 2 + features * (encoding == SAMPLE_ENCODING_U8 ? 1 : 4);
}

export function storeBytes(s: Store): usize {
  return <usize>s.count * <usize>s.stride;
}

/** Drops a block, moving the blocks above it down. */
export function storeClear(s: Store): void {
  const bytes = storeBytes(s);
  if (bytes > 0) {
    const end = s.data + bytes;
    memory.copy(s.data, end, dataEnd - end);
    for (let i = 0; i < SLOTS; i++) {
      const other = changetype<Store>(table + <usize>i * offsetof<Store>());
      if (other.data > s.data) other.data -= bytes;
    }
    dataEnd -= bytes;
  }
  s.count = 0;
  s.data = 0;
}

/**
 * Appends `count` samples from a DATA payload's `samples` field at `src` (count labels, then the values).
 * The caller has checked the memory: the payload is first moved above where the blocks will end, at
 * `moveTo`, then the blocks above this one move up and the records are written into the gap.
 */
export function storeAppend(s: Store, src: usize, srcBytes: usize, count: i32, features: i32, encoding: i32, moveTo: usize): void {
  const stride = recordBytes(features, encoding);
  if (s.count == 0) {
    s.data = dataEnd;
    s.features = features;
    s.encoding = encoding;
    s.stride = stride;
  }
  const shift = <usize>count * <usize>stride;
  memory.copy(moveTo, src, srcBytes);
  const end = s.data + storeBytes(s);
  memory.copy(end + shift, end, dataEnd - end);
  for (let i = 0; i < SLOTS; i++) {
    const other = changetype<Store>(table + <usize>i * offsetof<Store>());
    if (other != s && other.data >= end && other.count > 0) other.data += shift;
  }
  dataEnd += shift;
  const valueBytes = <usize>(stride - 2);
  const values = moveTo + (<usize>count << 1);
  for (let k = 0; k < count; k++) {
    const record = end + <usize>k * <usize>stride;
    store<u16>(record, load<u16>(moveTo + (<usize>k << 1)));
    memory.copy(record + 2, values + <usize>k * valueBytes, valueBytes);
  }
  s.count += count;
}

// @ts-ignore: decorator
@inline export function sampleLabel(s: Store, i: i32): i32 {
  return <i32>load<u16>(s.data + <usize>i * <usize>s.stride);
}

/** Sample i's values as f32 at dst. */
export function sampleValues(s: Store, i: i32, dst: usize): void {
  const record = s.data + <usize>i * <usize>s.stride + 2;
  const n = s.features;
  if (s.encoding == SAMPLE_ENCODING_U8) {
    for (let k = 0; k < n; k++) store<f32>(dst + (<usize>k << 2), <f32>load<u8>(record + <usize>k) / <f32>255);
  } else {
    memory.copy(dst, record, <usize>n << 2);
  }
}
