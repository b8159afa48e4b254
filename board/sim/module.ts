// Checks a device module before the board instantiates it, and caps its linear memory at the board's
// limit. The device module defines and exports its memory, so the board cannot hand it a
// WebAssembly.Memory with a maximum; instead the board rewrites the memory's limits in the binary
// (WebAssembly core spec 5.3.8 "Limits", 5.5.8 "Memory Section"): with a maximum, memory.grow past
// the limit returns -1 inside the module, which the device sees and refuses, as a real runtime would.
import { ErrorCode, type ErrorCodeValue } from "../../host/protocol/index.js";

export const WASM_PAGE_BYTES = 65536;
const MEMORY_SECTION = 5;
const IMPORT_SECTION = 2;
const LIMITS_MIN = 0x00;
const LIMITS_MIN_MAX = 0x01;

/** Functions every device module exports: the command loop the board drives (assembly/device/loop.ts). */
export const REQUIRED_EXPORTS = ["cmd_buffer", "cmd_run", "cmd_reply_ptr", "cmd_reply_len"] as const;
/** Imports every board provides; a module asking for anything else could not link on the firmware either. */
export const PROVIDED_IMPORTS = ["env.mmio_read32", "env.mmio_write32"] as const;

export interface PreparedModule {
  module: WebAssembly.Module;
  /** Initial linear memory the module declares, bytes. */
  initialBytes: number;
  /** The maximum the board set, bytes. */
  maximumBytes: number;
}

export type PrepareResult = { ok: PreparedModule } | { error: ErrorCodeValue; detail: string };

class ModuleFormatError extends Error {}

/** Reads an unsigned LEB128 u32 (WebAssembly core spec 5.2.2) at `at`; returns the value and the next offset. */
function readU32(bytes: Uint8Array, at: number): [number, number] {
  let result = 0;
  let shift = 0;
  for (let i = 0; i < 5; i++) {
    if (at >= bytes.length) throw new ModuleFormatError(`expected a LEB128 integer at byte ${at}, received the end of the module`);
    const byte = bytes[at++];
    result += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [result, at];
    shift += 7;
  }
  throw new ModuleFormatError(`expected a LEB128 u32 of at most 5 bytes at byte ${at - 5}`);
}

function writeU32(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

interface Section {
  id: number;
  /** Offset of the section id byte. */
  start: number;
  /** Offset of the section contents. */
  contentStart: number;
  end: number;
}

function sections(bytes: Uint8Array): Section[] {
  const magic = [0x00, 0x61, 0x73, 0x6d];
  if (bytes.length < 8 || magic.some((b, i) => bytes[i] !== b)) {
    throw new ModuleFormatError(`expected a WebAssembly module (starting with \\0asm), received ${bytes.length} bytes that do not`);
  }
  const out: Section[] = [];
  let at = 8;
  while (at < bytes.length) {
    const start = at;
    const id = bytes[at++];
    const [size, contentStart] = readU32(bytes, at);
    const end = contentStart + size;
    if (end > bytes.length) throw new ModuleFormatError(`expected section ${id} of ${size} bytes at byte ${start}, received ${bytes.length - contentStart}`);
    out.push({ id, start, contentStart, end });
    at = end;
  }
  return out;
}

/** True when the import section imports a memory (import kind 0x02). */
function importsMemory(bytes: Uint8Array, section: Section): boolean {
  let [count, at] = readU32(bytes, section.contentStart);
  for (let i = 0; i < count; i++) {
    let len: number;
    [len, at] = readU32(bytes, at);
    at += len;
    [len, at] = readU32(bytes, at);
    at += len;
    const kind = bytes[at++];
    switch (kind) {
      case 0x00: // function: type index
        [, at] = readU32(bytes, at);
        break;
      case 0x01: {
        // table: reference type, limits
        at++;
        const flags = bytes[at++];
        [, at] = readU32(bytes, at);
        if (flags & 1) [, at] = readU32(bytes, at);
        break;
      }
      case 0x02:
        return true;
      case 0x03: // global: value type, mutability
        at += 2;
        break;
      case 0x04: // tag: attribute, type index
        at++;
        [, at] = readU32(bytes, at);
        break;
      default:
        throw new ModuleFormatError(`expected an import kind 0..4, received ${kind}`);
    }
  }
  return false;
}

/**
 * Validates a device module, refuses one whose initial memory exceeds `limitBytes` (DOES_NOT_FIT) or
 * whose imports and exports are not a device's (BAD_CONFIG), and compiles it with its memory's maximum
 * set to the limit. Never throws.
 */
export function prepareModule(bytes: Uint8Array, limitBytes: number): PrepareResult {
  const limitPages = Math.floor(limitBytes / WASM_PAGE_BYTES);
  try {
    if (!WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)) {
      let reason = "it does not validate";
      try {
        new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
      } catch (err) {
        reason = (err as Error).message;
      }
      return { error: ErrorCode.BAD_CONFIG, detail: `expected a valid WebAssembly module, received ${bytes.length} bytes: ${reason}` };
    }
    const all = sections(bytes);
    const imports = all.find((s) => s.id === IMPORT_SECTION);
    if (imports && importsMemory(bytes, imports)) {
      return { error: ErrorCode.BAD_CONFIG, detail: "expected a module that defines and exports its linear memory, received one that imports it" };
    }
    const memory = all.find((s) => s.id === MEMORY_SECTION);
    if (!memory) return { error: ErrorCode.BAD_CONFIG, detail: "expected a module that defines a linear memory, received one without a memory section" };
    let [count, at] = readU32(bytes, memory.contentStart);
    if (count !== 1) return { error: ErrorCode.BAD_CONFIG, detail: `expected a module with one linear memory, received ${count}` };
    const flags = bytes[at++];
    if (flags !== LIMITS_MIN && flags !== LIMITS_MIN_MAX) {
      return { error: ErrorCode.BAD_CONFIG, detail: `expected an unshared 32-bit linear memory (limits flag 0 or 1), received limits flag ${flags}` };
    }
    let initialPages: number;
    [initialPages, at] = readU32(bytes, at);
    let declaredMax = Infinity;
    if (flags === LIMITS_MIN_MAX) [declaredMax, at] = readU32(bytes, at);
    if (initialPages > limitPages) {
      return {
        error: ErrorCode.DOES_NOT_FIT,
        detail: `expected a module whose initial linear memory fits the board's ${limitPages * WASM_PAGE_BYTES} bytes, received one declaring ${initialPages * WASM_PAGE_BYTES} bytes (${initialPages} pages)`,
      };
    }
    const maximumPages = Math.min(declaredMax, limitPages);
    const content = [...writeU32(1), LIMITS_MIN_MAX, ...writeU32(initialPages), ...writeU32(maximumPages), ...bytes.subarray(at, memory.end)];
    const section = [MEMORY_SECTION, ...writeU32(content.length), ...content];
    const rewritten = new Uint8Array(bytes.length - (memory.end - memory.start) + section.length);
    rewritten.set(bytes.subarray(0, memory.start), 0);
    rewritten.set(section, memory.start);
    rewritten.set(bytes.subarray(memory.end), memory.start + section.length);

    const module = new WebAssembly.Module(rewritten);
    const functions = new Set(WebAssembly.Module.exports(module).filter((e) => e.kind === "function").map((e) => e.name));
    const missing = REQUIRED_EXPORTS.filter((name) => !functions.has(name));
    if (missing.length) {
      return { error: ErrorCode.BAD_CONFIG, detail: `expected a device module exporting ${REQUIRED_EXPORTS.join(", ")}, received one without ${missing.join(", ")}` };
    }
    if (!WebAssembly.Module.exports(module).some((e) => e.kind === "memory" && e.name === "memory")) {
      return { error: ErrorCode.BAD_CONFIG, detail: 'expected a device module exporting its linear memory as "memory", received one that does not' };
    }
    const unknown = WebAssembly.Module.imports(module)
      .map((i) => `${i.module}.${i.name}`)
      .filter((name) => !(PROVIDED_IMPORTS as readonly string[]).includes(name));
    if (unknown.length) {
      return { error: ErrorCode.BAD_CONFIG, detail: `expected a module importing only ${PROVIDED_IMPORTS.join(", ")}, received imports ${unknown.join(", ")}` };
    }
    return { ok: { module, initialBytes: initialPages * WASM_PAGE_BYTES, maximumBytes: maximumPages * WASM_PAGE_BYTES } };
  } catch (err) {
    if (err instanceof ModuleFormatError) return { error: ErrorCode.BAD_CONFIG, detail: err.message };
    return { error: ErrorCode.BAD_CONFIG, detail: `expected a valid WebAssembly module: ${(err as Error).message}` };
  }
}
