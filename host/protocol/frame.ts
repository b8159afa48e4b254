// Frames on the wire: COBS(header | payload | CRC-32) followed by one 0x00 delimiter.
// Header (little-endian): version u8, type u8, seq u16, payload length u32. The CRC covers header
// and payload. docs/protocol.md gives the byte layout and the order of the checks below, which the
// firmware's frame.c follows too, so both sides reject a bad frame with the same error code.
import { cobsEncode, cobsMaxEncodedLength, CobsDecoder } from "./cobs.js";
import { crc32 } from "./crc32.js";
import {
  DEFAULT_MAX_FRAME_SIZE,
  ErrorCode,
  FRAME_OVERHEAD,
  HEADER_SIZE,
  MAX_MAX_FRAME_SIZE,
  MESSAGE_NAMES,
  MIN_MAX_FRAME_SIZE,
  PROTOCOL_VERSION,
  type ErrorCodeValue,
  type MessageTypeCode,
} from "./generated.js";

export interface Frame {
  type: MessageTypeCode;
  seq: number;
  payload: Uint8Array;
}

/** A rejected frame. `seq` and `type` are present when the header passed the CRC check and can be trusted. */
export interface FrameError {
  error: ErrorCodeValue;
  detail: string;
  seq?: number;
  type?: number;
}

export type DecodeResult = { ok: Frame } | FrameError;

export const hex = (n: number, digits = 2): string => `0x${n.toString(16).toUpperCase().padStart(digits, "0")}`;

const KNOWN_TYPES = Object.entries(MESSAGE_NAMES).map(([code, name]) => `${hex(Number(code))} ${name}`).join(", ");

/** Checks a maximum frame size against the protocol's limits; throws a RangeError naming the value. */
export function checkMaxFrameSize(maxFrameSize: number): number {
  if (!Number.isInteger(maxFrameSize) || maxFrameSize < MIN_MAX_FRAME_SIZE || maxFrameSize > MAX_MAX_FRAME_SIZE) {
    throw new RangeError(`expected a maximum frame size that is an integer in [${MIN_MAX_FRAME_SIZE}, ${MAX_MAX_FRAME_SIZE}], received ${maxFrameSize}`);
  }
  return maxFrameSize;
}

/** Header, payload and CRC of a frame, before COBS. */
export function packFrame(frame: Frame): Uint8Array {
  if (!Number.isInteger(frame.type) || MESSAGE_NAMES[frame.type] === undefined) {
    throw new RangeError(`expected a message type (${KNOWN_TYPES}), received ${String(frame.type)}`);
  }
  if (!Number.isInteger(frame.seq) || frame.seq < 0 || frame.seq > 0xffff) {
    throw new RangeError(`expected a sequence number that is an integer in [0, 65535], received ${String(frame.seq)}`);
  }
  if (!(frame.payload instanceof Uint8Array)) throw new TypeError(`expected a Uint8Array payload, received ${typeof frame.payload}`);
  const length = frame.payload.length;
  const bytes = new Uint8Array(length + FRAME_OVERHEAD);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, PROTOCOL_VERSION);
  view.setUint8(1, frame.type);
  view.setUint16(2, frame.seq, true);
  view.setUint32(4, length, true);
  bytes.set(frame.payload, HEADER_SIZE);
  view.setUint32(HEADER_SIZE + length, crc32(bytes.subarray(0, HEADER_SIZE + length)), true);
  return bytes;
}

/**
 * The bytes to send for one frame: COBS-encoded, with the trailing 0x00 delimiter. With
 * `maxFrameSize`, a frame larger than the receiver accepts is refused here (split it with
 * splitIntoChunks instead).
 */
export function encodeFrame(frame: Frame, options: { maxFrameSize?: number } = {}): Uint8Array {
  const packed = packFrame(frame);
  if (options.maxFrameSize !== undefined && packed.length > checkMaxFrameSize(options.maxFrameSize)) {
    throw new RangeError(
      `expected a frame of at most ${options.maxFrameSize} bytes, received ${packed.length} (${MESSAGE_NAMES[frame.type]} with a ${frame.payload.length}-byte payload); send it as CHUNK messages`,
    );
  }
  const encoded = cobsEncode(packed);
  const out = new Uint8Array(encoded.length + 1);
  out.set(encoded);
  return out; // the last byte is already 0x00, the delimiter
}

/** Largest number of bytes one frame of `maxFrameSize` takes on the wire, delimiter included. */
export function maxWireLength(maxFrameSize: number): number {
  return cobsMaxEncodedLength(maxFrameSize) + 1;
}

/**
 * Turns a byte stream into frames. Each 0x00-terminated frame gives exactly one result: the frame,
 * or an error with its code; the next frame is decoded from the byte after the delimiter. Bytes
 * before the first delimiter are decoded like any other frame, so garbage there gives one error and
 * no frame. Empty frames (two delimiters in a row) are skipped: a sender may send 0x00 first to end
 * whatever noise the receiver holds. At most `maxFrameSize` decoded bytes are held: a longer frame
 * is reported as OVERSIZE as soon as it overflows, and its bytes are dropped up to the next delimiter.
 * push never throws.
 */
export class FrameDecoder {
  readonly maxFrameSize: number;
  private readonly cobs: CobsDecoder;
  private discarding = false;

  constructor(options: { maxFrameSize?: number } = {}) {
    this.maxFrameSize = checkMaxFrameSize(options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE);
    this.cobs = new CobsDecoder(this.maxFrameSize);
  }

  /** Decoded bytes held for the frame in progress (never more than maxFrameSize). */
  get buffered(): number {
    return this.cobs.length;
  }

  push(chunk: Uint8Array): DecodeResult[] {
    const results: DecodeResult[] = [];
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (byte === 0) {
        if (!this.discarding && this.cobs.received > 0) results.push(this.finish());
        this.discarding = false;
        this.cobs.reset();
      } else if (!this.discarding && !this.cobs.push(byte)) {
        results.push({
          error: ErrorCode.OVERSIZE,
          detail: `expected a frame of at most ${this.maxFrameSize} bytes, received more before a delimiter; dropping bytes up to the next delimiter`,
        });
        this.discarding = true;
        this.cobs.reset();
      }
    }
    return results;
  }

  /** Checks one complete frame, in the order docs/protocol.md gives. */
  private finish(): DecodeResult {
    const cobs = this.cobs;
    if (!cobs.complete) {
      return { error: ErrorCode.BAD_ENCODING, detail: `expected ${cobs.missing} more byte(s) to finish a COBS block, received the delimiter` };
    }
    const n = cobs.length;
    if (n < FRAME_OVERHEAD) {
      return { error: ErrorCode.TRUNCATED, detail: `expected a frame of at least ${FRAME_OVERHEAD} bytes (header and CRC), received ${n}` };
    }
    const bytes = cobs.buffer;
    const view = new DataView(bytes.buffer, bytes.byteOffset, n);
    const stored = view.getUint32(n - 4, true);
    const computed = crc32(bytes.subarray(0, n - 4));
    if (stored !== computed) {
      return { error: ErrorCode.BAD_CRC, detail: `expected CRC-32 ${hex(computed, 8)} over ${n - 4} bytes, received ${hex(stored, 8)}` };
    }
    const version = view.getUint8(0);
    const type = view.getUint8(1);
    const seq = view.getUint16(2, true);
    const length = view.getUint32(4, true);
    if (version !== PROTOCOL_VERSION) {
      return { error: ErrorCode.BAD_VERSION, detail: `expected protocol version ${PROTOCOL_VERSION}, received ${version}`, seq, type };
    }
    if (MESSAGE_NAMES[type] === undefined) {
      return { error: ErrorCode.UNKNOWN_TYPE, detail: `expected a message type (${KNOWN_TYPES}), received ${hex(type)}`, seq, type };
    }
    if (length > this.maxFrameSize - FRAME_OVERHEAD) {
      return {
        error: ErrorCode.OVERSIZE,
        detail: `expected a payload of at most ${this.maxFrameSize - FRAME_OVERHEAD} bytes (maximum frame ${this.maxFrameSize}), received a header declaring ${length}`,
        seq,
        type,
      };
    }
    if (length !== n - FRAME_OVERHEAD) {
      return { error: ErrorCode.BAD_LENGTH, detail: `expected a payload of ${length} bytes as the header declares, received ${n - FRAME_OVERHEAD}`, seq, type };
    }
    return { ok: { type: type as MessageTypeCode, seq, payload: bytes.slice(HEADER_SIZE, n - 4) } };
  }
}
