// Chunked transfers: a message whose frame would exceed the receiver's maximum frame size travels as
// CHUNK messages, each carrying the inner message type, its index and count, the whole payload's
// length and this piece's offset. The receiver rebuilds the payload and checks every piece against
// the transfer it belongs to; any inconsistency aborts the transfer (the sender restarts at index 0).
import { CHUNK_HEADER_SIZE, ErrorCode, FRAME_OVERHEAD, MESSAGE_NAMES, MessageType, type ErrorCodeValue, type MessageTypeCode } from "./generated.js";
import { checkMaxFrameSize, hex } from "./frame.js";
import { decodePayload, encodePayload } from "./payload.js";

/** Payload bytes one CHUNK carries in a frame of `maxFrameSize`. */
export function chunkCapacity(maxFrameSize: number): number {
  return checkMaxFrameSize(maxFrameSize) - FRAME_OVERHEAD - CHUNK_HEADER_SIZE;
}

/** True when a payload of `length` bytes does not fit one frame of `maxFrameSize`. */
export function needsChunking(length: number, maxFrameSize: number): boolean {
  return length + FRAME_OVERHEAD > checkMaxFrameSize(maxFrameSize);
}

/**
 * Splits the payload of an `innerType` message into CHUNK payloads whose frames are at most
 * `maxFrameSize` bytes. Send them in order, one frame each.
 */
export function splitIntoChunks(innerType: MessageTypeCode, payload: Uint8Array, maxFrameSize: number): Uint8Array[] {
  if (MESSAGE_NAMES[innerType] === undefined || innerType === MessageType.CHUNK) {
    throw new RangeError(`expected the type of a message to transfer (not CHUNK), received ${String(innerType)}`);
  }
  const capacity = chunkCapacity(maxFrameSize);
  const count = Math.max(1, Math.ceil(payload.length / capacity));
  if (count > 0xffffffff) throw new RangeError(`expected at most 4294967295 chunks, received ${count}`);
  const chunks: Uint8Array[] = [];
  for (let index = 0; index < count; index++) {
    const offset = index * capacity;
    const data = payload.subarray(offset, Math.min(offset + capacity, payload.length));
    chunks.push(encodePayload("CHUNK", { innerType, index, count, total: payload.length, offset, data }));
  }
  return chunks;
}

/** Why a chunk was refused. */
export type ChunkProblem =
  | "malformed" // the CHUNK payload does not match its layout
  | "bad-type" // the inner type is not a message type, or is CHUNK
  | "bad-index" // count is 0, or index is not below count
  | "missing" // an index was skipped
  | "duplicate" // an index arrived again
  | "mismatch" // inner type, count or total differ from the first chunk of the transfer
  | "offset" // the offset is not where the data received so far ends
  | "empty" // a chunk of a non-empty transfer carries no data
  | "overrun" // the data runs past the declared total
  | "short" // the last chunk arrived and the data falls short of the total
  | "too-large"; // the total exceeds what the receiver can hold

export type ChunkResult =
  | { pending: { received: number; total: number } }
  | { ok: { type: MessageTypeCode; payload: Uint8Array } }
  | { error: ErrorCodeValue; problem: ChunkProblem; detail: string };

interface Transfer {
  innerType: number;
  count: number;
  total: number;
  next: number;
  received: number;
  data: Uint8Array;
}

/** Rebuilds messages from their CHUNK payloads. Never throws. */
export class ChunkAssembler {
  readonly maxTotal: number;
  private transfer: Transfer | null = null;

  /** `maxTotal`: the largest whole payload accepted (the receiver's memory); larger transfers get DOES_NOT_FIT. */
  constructor(options: { maxTotal?: number } = {}) {
    this.maxTotal = options.maxTotal ?? 0xffffffff;
  }

  /** True while a transfer has started and not finished. */
  get open(): boolean {
    return this.transfer !== null;
  }

  /** Drops a transfer in progress, e.g. when another request arrives in the middle of it. */
  abort(): void {
    this.transfer = null;
  }

  push(chunkPayload: Uint8Array): ChunkResult {
    const decoded = decodePayload("CHUNK", chunkPayload);
    if ("error" in decoded) return this.fail("malformed", decoded.detail);
    const { innerType, index, count, total, offset, data } = decoded.ok;

    if (MESSAGE_NAMES[innerType] === undefined || innerType === MessageType.CHUNK) {
      return this.fail("bad-type", `expected a chunked message type other than CHUNK, received ${hex(innerType)}`);
    }
    if (count === 0 || index >= count) return this.fail("bad-index", `expected chunk index below count ${count}, received ${index}`);

    let transfer = this.transfer;
    if (transfer === null) {
      if (index !== 0) return this.fail("missing", `expected chunk 0 to start a transfer, received chunk ${index} of ${count}`);
      if (total > this.maxTotal) {
        return this.fail("too-large", `expected a message of at most ${this.maxTotal} bytes, received a transfer of ${total}`, ErrorCode.DOES_NOT_FIT);
      }
      // The buffer grows with the data received, so a forged total alone allocates nothing large.
      transfer = { innerType, count, total, next: 0, received: 0, data: new Uint8Array(Math.min(total, 65536)) };
      this.transfer = transfer;
    } else {
      if (index < transfer.next) return this.fail("duplicate", `expected chunk ${transfer.next} of ${transfer.count}, received chunk ${index} again`);
      if (index > transfer.next) return this.fail("missing", `expected chunk ${transfer.next} of ${transfer.count}, received chunk ${index}`);
      if (innerType !== transfer.innerType || count !== transfer.count || total !== transfer.total) {
        return this.fail(
          "mismatch",
          `expected chunk ${index} of a ${MESSAGE_NAMES[transfer.innerType]} transfer of ${transfer.count} chunks and ${transfer.total} bytes, received one of ${MESSAGE_NAMES[innerType]}, ${count} chunks, ${total} bytes`,
        );
      }
    }
    if (offset !== transfer.received) return this.fail("offset", `expected chunk ${index} at offset ${transfer.received}, received offset ${offset}`);
    if (data.length === 0 && total > 0) return this.fail("empty", `expected data in chunk ${index} of a ${total}-byte transfer, received none`);
    if (transfer.received + data.length > total) {
      return this.fail("overrun", `expected at most ${total - transfer.received} more byte(s) in chunk ${index}, received ${data.length}`);
    }
    if (transfer.received + data.length > transfer.data.length) {
      const grown = new Uint8Array(Math.min(total, Math.max(transfer.data.length * 2, transfer.received + data.length)));
      grown.set(transfer.data.subarray(0, transfer.received));
      transfer.data = grown;
    }
    transfer.data.set(data, transfer.received);
    transfer.received += data.length;
    transfer.next = index + 1;
    if (transfer.next < transfer.count) return { pending: { received: transfer.received, total } };
    this.transfer = null;
    if (transfer.received !== total) {
      return this.fail("short", `expected ${total} bytes when the last chunk arrived, received ${transfer.received}`);
    }
    return { ok: { type: transfer.innerType as MessageTypeCode, payload: transfer.data } };
  }

  private fail(problem: ChunkProblem, detail: string, error: ErrorCodeValue = ErrorCode.BAD_CHUNK): ChunkResult {
    this.transfer = null;
    return { error, problem, detail };
  }
}
