// The simulated board's flash: `memory.flashBytes` of the manifest, erased to 0xFF, split into
// FLASH_SLOTS equal checkpoint slots. A slot holds a 16-byte header (magic, layout version, image
// length, CRC-32 of the image) and the image. A write first erases the header, then writes the image,
// then the header, so a write cut short leaves a slot that reads as empty, never a wrong image.
// Backed by a file (kept across board processes, as flash is across power cycles) or by memory.
import { closeSync, existsSync, fstatSync, fsyncSync, mkdirSync, openSync, readSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { crc32 } from "../../host/protocol/index.js";

export const FLASH_SLOTS = 4;
export const SLOT_HEADER_BYTES = 16;
/** "ECKP" read as a little-endian u32. */
export const SLOT_MAGIC = 0x504b4345;
export const SLOT_LAYOUT_VERSION = 1;
const ERASED = 0xff;

/** Byte storage under the flash: a file or an array (or, in the power-loss sweep, one that records every write). */
export interface FlashStorage {
  read(offset: number, length: number): Uint8Array;
  write(offset: number, bytes: Uint8Array): void;
  close(): void;
}

export class MemoryStorage implements FlashStorage {
  readonly bytes: Uint8Array;
  /** `size` erased bytes, or a copy of `bytes` (a flash's contents after a power cut). */
  constructor(size: number | Uint8Array) {
    this.bytes = typeof size === "number" ? new Uint8Array(size).fill(ERASED) : size.slice();
  }
  read(offset: number, length: number): Uint8Array {
    return this.bytes.slice(offset, offset + length);
  }
  write(offset: number, bytes: Uint8Array): void {
    this.bytes.set(bytes, offset);
  }
  close(): void {}
}

class FileStorage implements FlashStorage {
  private readonly fd: number;
  constructor(readonly path: string, size: number) {
    mkdirSync(dirname(path), { recursive: true });
    const fresh = !existsSync(path);
    this.fd = openSync(path, fresh ? "w+" : "r+");
    // A file of another size belongs to another flash layout: start from erased flash.
    if (fresh || fstatSync(this.fd).size !== size) {
      const erased = new Uint8Array(Math.min(size, 1 << 20)).fill(ERASED);
      for (let at = 0; at < size; at += erased.length) writeSync(this.fd, erased, 0, Math.min(erased.length, size - at), at);
      fsyncSync(this.fd);
    }
  }
  read(offset: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    readSync(this.fd, out, 0, length, offset);
    return out;
  }
  write(offset: number, bytes: Uint8Array): void {
    writeSync(this.fd, bytes, 0, bytes.length, offset);
    fsyncSync(this.fd);
  }
  close(): void {
    closeSync(this.fd);
  }
}

export type FlashWrite = { ok: { bytes: number; crc: number } } | { problem: "slot" | "too-large"; detail: string };
export type FlashRead = { ok: { image: Uint8Array; crc: number } } | { problem: "slot" | "empty"; detail: string };

export class Flash {
  readonly slotBytes: number;
  private readonly storage: FlashStorage;

  /** `where`: the flash file (created erased when missing) or a storage; without it the flash lives in memory. */
  constructor(readonly sizeBytes: number, where?: string | FlashStorage) {
    this.slotBytes = Math.floor(sizeBytes / FLASH_SLOTS);
    this.storage = typeof where === "string" ? new FileStorage(where, sizeBytes) : (where ?? new MemoryStorage(sizeBytes));
  }

  /** Largest image one slot holds. */
  get slotCapacity(): number {
    return Math.max(0, this.slotBytes - SLOT_HEADER_BYTES);
  }

  private checkSlot(slot: number): string | null {
    return Number.isInteger(slot) && slot >= 0 && slot < FLASH_SLOTS ? null : `expected a flash slot 0..${FLASH_SLOTS - 1}, received ${slot}`;
  }

  write(slot: number, image: Uint8Array): FlashWrite {
    const bad = this.checkSlot(slot);
    if (bad) return { problem: "slot", detail: bad };
    if (image.length > this.slotCapacity) {
      return { problem: "too-large", detail: `expected a checkpoint of at most ${this.slotCapacity} bytes (flash slot ${slot}), received ${image.length}` };
    }
    const base = slot * this.slotBytes;
    const crc = crc32(image);
    this.storage.write(base, new Uint8Array(SLOT_HEADER_BYTES).fill(ERASED));
    this.storage.write(base + SLOT_HEADER_BYTES, image);
    const header = new Uint8Array(SLOT_HEADER_BYTES);
    const view = new DataView(header.buffer);
    view.setUint32(0, SLOT_MAGIC, true);
    view.setUint32(4, SLOT_LAYOUT_VERSION, true);
    view.setUint32(8, image.length, true);
    view.setUint32(12, crc, true);
    this.storage.write(base, header);
    return { ok: { bytes: image.length, crc } };
  }

  read(slot: number): FlashRead {
    const bad = this.checkSlot(slot);
    if (bad) return { problem: "slot", detail: bad };
    const base = slot * this.slotBytes;
    const view = new DataView(this.storage.read(base, SLOT_HEADER_BYTES).buffer);
    const magic = view.getUint32(0, true);
    const version = view.getUint32(4, true);
    const length = view.getUint32(8, true);
    const stored = view.getUint32(12, true);
    if (magic !== SLOT_MAGIC || version !== SLOT_LAYOUT_VERSION) {
      return { problem: "empty", detail: `expected a checkpoint in flash slot ${slot}, received an empty slot` };
    }
    if (length > this.slotCapacity) {
      return { problem: "empty", detail: `expected a checkpoint of at most ${this.slotCapacity} bytes in flash slot ${slot}, received a header declaring ${length}` };
    }
    const image = this.storage.read(base + SLOT_HEADER_BYTES, length);
    const crc = crc32(image);
    if (crc !== stored) {
      return {
        problem: "empty",
        detail: `expected CRC-32 0x${stored.toString(16).padStart(8, "0")} of the ${length}-byte checkpoint in flash slot ${slot}, received 0x${crc.toString(16).padStart(8, "0")}`,
      };
    }
    return { ok: { image, crc } };
  }

  /** Erases every slot. */
  erase(): void {
    for (let slot = 0; slot < FLASH_SLOTS; slot++) this.storage.write(slot * this.slotBytes, new Uint8Array(SLOT_HEADER_BYTES).fill(ERASED));
  }

  close(): void {
    this.storage.close();
  }
}
