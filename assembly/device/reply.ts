// The reply of the command in progress: a RESULT body, or the error message a failing command wrote
// (text.ts). A body's fixed fields are written at their generated *_REPLY_*_OFFSET (set*), so a change
// in spec/protocol.json moves them; a variable-length tail is appended from its generated start (put*). The board reads it through cmd_reply_ptr and cmd_reply_len.
import { messagePtr, messageLength } from "./text";

export const OK: i32 = 0;
const REPLY_CAPACITY: i32 = 256;
const replyBuffer = memory.data(REPLY_CAPACITY);
export let replyPtr: usize = 0;
export let replyLen: u32 = 0;

export function replyStart(): void {
  replyPtr = replyBuffer;
  replyLen = 0;
}
/** Starts a RESULT body of `fixedSize` bytes (the generated *_REPLY_FIXED_SIZE), its fields set at their offsets. */
export function replyFixed(fixedSize: i32): void {
  replyPtr = replyBuffer;
  replyLen = <u32>fixedSize;
}
export function setU16(offset: i32, v: u32): void { store<u16>(replyBuffer + <usize>offset, <u16>v); }
export function setU32(offset: i32, v: u32): void { store<u32>(replyBuffer + <usize>offset, v); }
export function setF32(offset: i32, v: f32): void { store<f32>(replyBuffer + <usize>offset, v); }
export function setF64(offset: i32, v: f64): void { store<f64>(replyBuffer + <usize>offset, v); }

/** A variable-length tail starts at its generated offset; put* append to it. */
export function replyTail(offset: i32): void { replyLen = <u32>offset; }
export function putU8(v: u32): void { store<u8>(replyBuffer + replyLen, <u8>v); replyLen += 1; }
export function putU16(v: u32): void { store<u16>(replyBuffer + replyLen, <u16>v); replyLen += 2; }
export function putU32(v: u32): void { store<u32>(replyBuffer + replyLen, v); replyLen += 4; }
export function putF32(v: f32): void { store<f32>(replyBuffer + replyLen, v); replyLen += 4; }
export function putF64(v: f64): void { store<f64>(replyBuffer + replyLen, v); replyLen += 8; }

/** A reply that lies elsewhere in linear memory (a checkpoint image). */
export function replyAt(ptr: usize, bytes: u32): void {
  replyPtr = ptr;
  replyLen = bytes;
}

/** Ends a failing command: the error message (already written with text/num) becomes the reply. */
export function fail(code: i32): i32 {
  replyPtr = messagePtr();
  replyLen = messageLength();
  return code;
}

export function clampU32(x: u64): u32 { return x > 0xffff_ffff ? 0xffff_ffff : <u32>x; }
