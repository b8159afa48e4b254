// One instance of the device module and its command loop (assembly/device/loop.ts):
//   cmd_buffer(bytes) -> pointer to a request buffer in linear memory (0 when it cannot be had)
//   cmd_run(type, length) -> 0 (reply RESULT) or a protocol error code (reply ERROR)
//   cmd_reply_ptr(), cmd_reply_len() -> the reply body, or the UTF-8 error message
// Every call is guarded: a trap, a reply outside linear memory, or memory past the board's limit
// becomes an error reply, never an exception in the board.
import { ERROR_NAMES, ErrorCode, MESSAGE_NAMES, type ErrorCodeValue } from "../../host/protocol/index.js";
import type { PreparedModule } from "./module.js";

export interface Mmio {
  read32(address: number): number;
  write32(address: number, value: number): void;
}

export type CommandResult = { ok: Uint8Array } | { error: ErrorCodeValue; detail: string };

interface CommandExports {
  memory: WebAssembly.Memory;
  cmd_buffer(bytes: number): number;
  cmd_run(type: number, length: number): number;
  cmd_reply_ptr(): number;
  cmd_reply_len(): number;
  /** Present when CHECKPOINT and RESTORE take the image in pieces (assembly/device/checkpoint.ts). */
  cmd_image_pieces?: () => number;
}

const utf8 = new TextDecoder("utf-8", { fatal: false });

/** Trap messages are V8's ("unreachable", "memory access out of bounds", ...); stack overflow is a RangeError. */
function isTrap(err: unknown): boolean {
  return err instanceof WebAssembly.RuntimeError || (err instanceof RangeError && /call stack/i.test(err.message));
}

export class DeviceInstance {
  private readonly exports: CommandExports;
  /** Device time spent in cmd_run, microseconds. */
  busyUs = 0;

  /** Instantiates the module; `bindMemory` receives the instance's memory (the accelerator reads operands there). */
  constructor(
    readonly prepared: PreparedModule,
    mmio: Mmio,
    readonly limitBytes: number,
    bindMemory?: (memory: WebAssembly.Memory) => void,
  ) {
    const instance = new WebAssembly.Instance(prepared.module, {
      env: {
        mmio_read32: (address: number) => mmio.read32(address >>> 0) | 0,
        mmio_write32: (address: number, value: number) => mmio.write32(address >>> 0, value >>> 0),
      },
    });
    this.exports = instance.exports as unknown as CommandExports;
    bindMemory?.(this.exports.memory);
  }

  /** Bytes of a checkpoint image per call when the module streams images; 0 when it takes them whole. */
  get imagePieceBytes(): number {
    return this.exports.cmd_image_pieces ? this.exports.cmd_image_pieces() >>> 0 : 0;
  }

  get memoryBytes(): number {
    return this.exports.memory.buffer.byteLength;
  }

  /** Runs one request of message `type` with `payload`; never throws. */
  run(type: number, payload: Uint8Array): CommandResult {
    const name = MESSAGE_NAMES[type] ?? `type ${type}`;
    const e = this.exports;
    try {
      const ptr = e.cmd_buffer(payload.length) >>> 0;
      if (ptr === 0 || ptr + payload.length > e.memory.buffer.byteLength) {
        return {
          error: ErrorCode.DOES_NOT_FIT,
          detail: `expected room for a ${payload.length}-byte ${name} request in linear memory, received none (${this.memoryBytes} of ${this.limitBytes} bytes in use)`,
        };
      }
      new Uint8Array(e.memory.buffer, ptr, payload.length).set(payload);
      const started = performance.now();
      let code: number;
      try {
        code = e.cmd_run(type, payload.length);
      } finally {
        this.busyUs += (performance.now() - started) * 1000;
      }
      if (this.memoryBytes > this.limitBytes) {
        return { error: ErrorCode.DOES_NOT_FIT, detail: `expected at most ${this.limitBytes} bytes of linear memory, received ${this.memoryBytes} after ${name}` };
      }
      const replyPtr = e.cmd_reply_ptr() >>> 0;
      const replyLen = e.cmd_reply_len() >>> 0;
      if (replyPtr + replyLen > e.memory.buffer.byteLength) {
        return { error: ErrorCode.INTERNAL, detail: `expected the ${name} reply inside linear memory, received ${replyLen} bytes at ${replyPtr} past its end ${e.memory.buffer.byteLength}` };
      }
      const body = new Uint8Array(e.memory.buffer, replyPtr, replyLen).slice();
      if (code === 0) return { ok: body };
      const message = utf8.decode(body);
      if (ERROR_NAMES[code] === undefined) {
        return { error: ErrorCode.INTERNAL, detail: `expected a protocol error code from the device, received ${code} (${message})` };
      }
      return { error: code as ErrorCodeValue, detail: message };
    } catch (err) {
      if (isTrap(err)) {
        return {
          error: ErrorCode.TRAP,
          detail: `the device module trapped in ${name}: ${(err as Error).message} (linear memory ${this.memoryBytes} of ${this.limitBytes} bytes)`,
        };
      }
      return { error: ErrorCode.INTERNAL, detail: `the board failed in ${name}: ${(err as Error)?.message ?? String(err)}` };
    }
  }
}
