// The device module as tests drive it, loaded in the test's own process:
// - ArithDevice, for the number-format and GEMM suites: formats by name, arrays in and out of linear
//   memory (copied out, since the memory may grow), and status codes checked on every call;
// - accelDevice, the module wired to an accelerator model as the simulated board wires them;
// - CommandBoard, the device command loop fed requests as a board feeds them.
import { AcceleratorModel, type AcceleratorConfig } from "../../board/accel/model.js";
import { loadDevice, type Device } from "../../host/device/module.js";
import { formatWord, parseFormat, parseRounding, type FormatOptions } from "../../host/formats/parse.js";
import { decodeFields, ERROR_NAMES, MessageType, REPLY_LAYOUTS } from "../../host/protocol/index.js";
import type { RefSpec } from "./reference.js";

export const MODES = ["rne", "rna", "rz", "ru", "rd", "ro", "sr"] as const;
export type ModeName = (typeof MODES)[number];

export const modeCode = (mode: ModeName): number => parseRounding(mode);

/** A format both the module (its word) and the reference (its spec) understand. */
export interface TestFormat {
  label: string;
  word: number;
  spec: RefSpec;
}

/** A named or generic format through the project's own parser, as the CLI resolves it. */
export function testFormat(name: string, options: FormatOptions = {}): TestFormat {
  const parsed = parseFormat(name, options);
  if (parsed.kind !== "float" && parsed.kind !== "fixed") throw new Error(`${name} is a block format`);
  const label = `${parsed.id}${parsed.saturate ? " saturate" : ""}${parsed.subnormals ? "" : " no-subnormals"}`;
  return {
    label,
    word: parsed.word,
    spec: { kind: parsed.kind, e: parsed.e, m: parsed.m, specials: parsed.specials, subnormals: parsed.subnormals, saturate: parsed.saturate },
  };
}

/** A float format by its fields, for the words no name reaches (e.g. an IEEE-like e4m3). */
export function floatFormat(e: number, m: number, specials: RefSpec["specials"], subnormals = true, saturate = false): TestFormat {
  const sat = saturate || specials === "none";
  return {
    label: `e${e}m${m} ${specials}${sat ? " saturate" : ""}${subnormals ? "" : " no-subnormals"}`,
    word: formatWord("float", e, m, specials, subnormals, sat),
    spec: { kind: "float", e, m, specials, subnormals, saturate: sat },
  };
}

export class ArithDevice {
  readonly x: Record<string, any>;
  private formats = new Map<number, number>();
  private buffers: { ptr: number; bytes: number }[] = [];

  constructor(readonly device: Device) {
    this.x = device.exports;
  }

  /** A fresh instance of build/device(-simd).wasm, as this class or a subclass. */
  static load<T extends ArithDevice>(this: new (device: Device) => T, simd = false): T {
    return new this(loadDevice({ simd }));
  }

  /** The module's format for a word (made once per word: the module never frees memory). */
  format(word: number): number {
    let fmt = this.formats.get(word);
    if (fmt === undefined) {
      fmt = this.x.fmt_new(word >>> 0) >>> 0;
      if (fmt === 0) throw new Error(`fmt_new refused word ${word.toString(16)} (fmt_validate ${this.x.fmt_validate(word >>> 0)})`);
      this.formats.set(word, fmt);
    }
    return fmt!;
  }

  rng(seed: number, stream = 0): number {
    return this.x.rng_new(seed >>> 0, stream >>> 0) >>> 0;
  }

  /** Reusable working buffer `slot` of at least `bytes` (reallocated only when it must grow). */
  buffer(slot: number, bytes: number): number {
    const b = this.buffers[slot];
    if (b && b.bytes >= bytes) return b.ptr;
    const size = Math.max(bytes, 64, (b?.bytes ?? 0) * 2);
    const ptr = this.device.alloc(size);
    this.buffers[slot] = { ptr, bytes: size };
    return ptr;
  }

  protected memory(): ArrayBuffer {
    return this.x.memory.buffer as ArrayBuffer;
  }

  private putBits(slot: number, bits: Uint32Array): number {
    const ptr = this.buffer(slot, bits.length * 4);
    new Uint32Array(this.memory(), ptr, bits.length).set(bits);
    return ptr;
  }

  protected check(status: number, what: string): void {
    if (status !== 0) throw new Error(`${what} returned status ${status}`);
  }

  /** round_array over f32 bit patterns; returns the result bits. */
  round(fmt: number, mode: number, input: Uint32Array, options: { srBits?: number; rng?: number } = {}): Uint32Array {
    const src = this.putBits(0, input);
    const dst = this.buffer(1, input.length * 4);
    this.check(this.x.round_array(fmt, mode, options.srBits ?? 0, options.rng ?? 0, src, dst, input.length), "round_array");
    return new Uint32Array(this.memory(), dst, input.length).slice();
  }

  /** encode_array; returns the bytes written (fmt_encoded_bytes of them). */
  encode(fmt: number, mode: number, input: Uint32Array, options: { srBits?: number; rng?: number } = {}): Uint8Array {
    const src = this.putBits(0, input);
    const bytes = this.encodedBytes(fmt, input.length);
    const dst = this.buffer(2, bytes);
    this.check(this.x.encode_array(fmt, mode, options.srBits ?? 0, options.rng ?? 0, src, dst, input.length), "encode_array");
    return new Uint8Array(this.memory(), dst, bytes).slice();
  }

  /** decode_array of n values from the bytes; returns f32 bits. */
  decode(fmt: number, encoded: Uint8Array, n: number): Uint32Array {
    const src = this.buffer(2, encoded.length);
    new Uint8Array(this.memory(), src, encoded.length).set(encoded);
    const dst = this.buffer(1, n * 4);
    this.check(this.x.decode_array(fmt, src, dst, n), "decode_array");
    return new Uint32Array(this.memory(), dst, n).slice();
  }

  encodedBytes(fmt: number, n: number): number {
    return this.x.fmt_encoded_bytes(fmt, n);
  }

  /** round_one with an explicit draw; NaN comes back as a JS NaN, so its sign is not observable here. */
  roundOne(fmt: number, mode: number, srBits: number, draw: number, x: number): number {
    return this.x.round_one(fmt, mode, srBits, draw >>> 0, x);
  }
}

export interface AccelDevice extends Device {
  model: AcceleratorModel | null;
  /** Bus transactions the module made: [read or write, offset, value]. */
  trace: Array<["r" | "w", number, number]>;
}

const ACCEL_EXPORTS = ["accel_present", "accel_gemm", "gemm_on_backend", "accel_path_jobs", "accel_path_macs", "accel_last_error", "accel_stats_reset", "accel_set_operand_formats", "gemm", "mac_spec_new", "fmt_new"];
const MMIO_BASE = 0x40000000;

/** The device module with an accelerator model behind its bus (config null: no accelerator, reads all ones). */
export function accelDevice(config: AcceleratorConfig | null, simd = false): AccelDevice {
  let model: AcceleratorModel | null = null;
  const trace: AccelDevice["trace"] = [];
  const device = loadDevice({
    simd,
    mmio: {
      read32: (address) => {
        const value = model ? model.read32(address) >>> 0 : 0xffffffff;
        trace.push(["r", address - MMIO_BASE, value]);
        return value;
      },
      write32: (address, value) => {
        trace.push(["w", address - MMIO_BASE, value]);
        model?.write32(address, value);
      },
    },
  });
  const missing = ACCEL_EXPORTS.filter((n) => !(n in device.exports));
  if (missing.length) throw new Error(`the device module lacks ${missing.join(", ")}: assembly/device.ts must export * from "./api/accel" (and ./api/gemm)`);
  if (config) model = new AcceleratorModel(config, () => device.exports.memory.buffer);
  return { ...device, model, trace };
}

export type Reply = { ok: Uint8Array } | { error: string; message: string };

/** A board in the test's own process: requests go through cmd_buffer and cmd_run, as a board sends them. */
export class CommandBoard {
  readonly device: Device;
  constructor() {
    this.device = loadDevice();
  }

  run(name: keyof typeof MessageType, payload: Uint8Array): Reply {
    const e = this.device.exports;
    const ptr = e.cmd_buffer(payload.length) >>> 0;
    if (ptr === 0) return { error: "DOES_NOT_FIT", message: "no request buffer" };
    this.device.u8(ptr, payload.length).set(payload);
    const code = e.cmd_run(MessageType[name], payload.length);
    const body = this.device.u8(e.cmd_reply_ptr() >>> 0, e.cmd_reply_len() >>> 0).slice();
    if (code === 0) return { ok: body };
    return { error: ERROR_NAMES[code] ?? String(code), message: new TextDecoder().decode(body) };
  }

  ok(name: keyof typeof MessageType, payload: Uint8Array): Record<string, unknown> {
    const reply = this.run(name, payload);
    if ("error" in reply) throw new Error(`${name} failed with ${reply.error}: ${reply.message}`);
    const decoded = decodeFields(REPLY_LAYOUTS[name as "TRAIN"], reply.ok, `${name} reply`);
    if ("error" in decoded) throw new Error(decoded.detail);
    return decoded.ok as Record<string, unknown>;
  }
}
