// Independent reference for building frames in tests: zlib's CRC-32, a DataView header written by
// hand, and a COBS encoder written from the segment view of the algorithm (split at zeros, cut each
// segment into runs of at most 254), unlike host/protocol/cobs.ts which walks bytes one at a time.
import { crc32 as zlibCrc32 } from "node:zlib";

export interface RawFrame {
  version?: number;
  type: number;
  seq: number;
  payload: Uint8Array;
  /** Payload length written in the header; defaults to the real length. */
  length?: number;
  /** CRC written after the payload; defaults to the correct one. */
  crc?: number;
}

/** Header, payload and CRC, as the protocol lays them out (before COBS). */
export function rawFrame(f: RawFrame): Uint8Array {
  const bytes = new Uint8Array(8 + f.payload.length + 4);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, f.version ?? 1);
  view.setUint8(1, f.type);
  view.setUint16(2, f.seq, true);
  view.setUint32(4, f.length ?? f.payload.length, true);
  bytes.set(f.payload, 8);
  view.setUint32(8 + f.payload.length, f.crc ?? zlibCrc32(bytes.subarray(0, 8 + f.payload.length)), true);
  return bytes;
}

export function referenceCobs(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  const segments: number[][] = [[]];
  for (const b of data) {
    if (b === 0) segments.push([]);
    else segments[segments.length - 1].push(b);
  }
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    let rest = segment;
    let blocks = 0;
    while (rest.length >= 254) {
      out.push(0xff, ...rest.slice(0, 254));
      rest = rest.slice(254);
      blocks++;
    }
    // A zero-terminated segment always ends with a short block (its zero); the last segment only if
    // bytes remain or it produced no block at all.
    if (!last || rest.length > 0 || blocks === 0) out.push(rest.length + 1, ...rest);
  });
  return Uint8Array.from(out);
}

/** Bytes on the wire for a raw frame: COBS plus the 0x00 delimiter. */
export function wire(bytes: Uint8Array): Uint8Array {
  return Uint8Array.from([...referenceCobs(bytes), 0]);
}

export const fromHex = (s: string): Uint8Array => Uint8Array.from((s.replace(/\s+/g, "").match(/../g) ?? []).map((h) => parseInt(h, 16)));
export const toHex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
