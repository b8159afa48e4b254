// Hand-built frames and the result a decoder with maxFrameSize 64 must give for each: shared by the
// TypeScript decoder's tests and the C decoder's (frame-c.test.ts), so both sides are held to one table.
import { ErrorCode, MessageType } from "../../host/protocol/generated.js";
import { rawFrame, wire } from "./reference.js";

const bytes = (...b: number[]) => Uint8Array.from(b);

export const hello = { type: MessageType.HELLO, seq: 7, payload: new Uint8Array(0) };
export const eval5 = { type: MessageType.EVAL, seq: 9, payload: bytes(5, 0, 1) };
/** A decoded frame, or the error code (with seq and type when the header passed its CRC). */
export type Expected = { ok: { type: number; seq: number; payload: Uint8Array } } | { error: number; seq?: number; type?: number };

export const frameCases: Array<[string, Uint8Array, Expected]> = [
  ["a HELLO", wire(rawFrame(hello)), { ok: hello }],
  ["an EVAL with payload", wire(rawFrame(eval5)), { ok: eval5 }],
  ["a payload of 52 bytes: exactly the maximum", wire(rawFrame({ type: MessageType.DATA, seq: 3, payload: new Uint8Array(52).fill(1) })), { ok: { type: MessageType.DATA, seq: 3, payload: new Uint8Array(52).fill(1) } }],
  ["a delimiter inside a COBS block", bytes(0x05, 0x11, 0x22, 0x00), { error: ErrorCode.BAD_ENCODING }],
  ["a frame shorter than header and CRC", wire(bytes(1, 1, 7, 0, 0, 0, 0, 0, 1, 2, 3)), { error: ErrorCode.TRUNCATED }],
  ["a wrong CRC", wire(rawFrame({ ...hello, crc: 0x12345678 })), { error: ErrorCode.BAD_CRC }],
  ["a flipped payload bit", wire((() => { const f = rawFrame(eval5); f[9] ^= 0x04; return f; })()), { error: ErrorCode.BAD_CRC }],
  ["version 2", wire(rawFrame({ ...hello, version: 2 })), { error: ErrorCode.BAD_VERSION, seq: 7, type: MessageType.HELLO }],
  ["version 0", wire(rawFrame({ ...hello, version: 0 })), { error: ErrorCode.BAD_VERSION, seq: 7, type: MessageType.HELLO }],
  ["type 0x00", wire(rawFrame({ ...hello, type: 0x00 })), { error: ErrorCode.UNKNOWN_TYPE, seq: 7, type: 0 }],
  ["type 0x42", wire(rawFrame({ ...hello, type: 0x42 })), { error: ErrorCode.UNKNOWN_TYPE, seq: 7, type: 0x42 }],
  ["type 0xFF", wire(rawFrame({ ...hello, type: 0xff })), { error: ErrorCode.UNKNOWN_TYPE, seq: 7, type: 0xff }],
  ["a declared length beyond the maximum", wire(rawFrame({ ...hello, length: 53 })), { error: ErrorCode.OVERSIZE, seq: 7, type: MessageType.HELLO }],
  ["a declared length of 4 GiB - 1", wire(rawFrame({ ...hello, length: 0xffffffff })), { error: ErrorCode.OVERSIZE, seq: 7, type: MessageType.HELLO }],
  ["a declared length one short", wire(rawFrame({ ...eval5, length: 2 })), { error: ErrorCode.BAD_LENGTH, seq: 9, type: MessageType.EVAL }],
  ["a declared length one long", wire(rawFrame({ ...eval5, length: 4 })), { error: ErrorCode.BAD_LENGTH, seq: 9, type: MessageType.EVAL }],
  ["a frame of 65 bytes", wire(rawFrame({ type: MessageType.DATA, seq: 3, payload: new Uint8Array(53).fill(1) })), { error: ErrorCode.OVERSIZE }],
];

