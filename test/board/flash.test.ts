// The simulated board's flash: slots, the CRC check, erasure, a file that outlives the process, and a
// write cut short.
import { mkdtempSync, openSync, readSync, rmSync, writeSync, closeSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32 as zlibCrc32 } from "node:zlib";
import { afterEach, describe, expect, test } from "vitest";
import { Flash, FLASH_SLOTS, SLOT_HEADER_BYTES } from "../../board/sim/flash.js";

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), "edgecl-flash-"));
  dirs.push(dir);
  return join(dir, "sub", "board.bin");
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const image = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

describe("Flash", () => {
  test("a slot gives back the image written, with zlib's CRC-32 of it", () => {
    const flash = new Flash(4096);
    const data = image(300);
    const written = flash.write(2, data);
    expect(written).toEqual({ ok: { bytes: 300, crc: zlibCrc32(data) } });
    expect(flash.read(2)).toEqual({ ok: { image: data, crc: zlibCrc32(data) } });
  });

  test("slots are independent and start empty", () => {
    const flash = new Flash(4096);
    flash.write(0, image(10, 1));
    flash.write(3, image(20, 2));
    expect(flash.read(1)).toMatchObject({ problem: "empty" });
    expect(flash.read(0)).toMatchObject({ ok: { image: image(10, 1) } });
    expect(flash.read(3)).toMatchObject({ ok: { image: image(20, 2) } });
  });

  test("capacity: a quarter of the flash less the header; one byte more does not fit", () => {
    const flash = new Flash(4096);
    expect(flash.slotCapacity).toBe(4096 / FLASH_SLOTS - SLOT_HEADER_BYTES);
    expect(flash.write(1, image(flash.slotCapacity))).toHaveProperty("ok");
    const refused = flash.write(1, image(flash.slotCapacity + 1));
    expect(refused).toMatchObject({ problem: "too-large" });
    expect("detail" in refused && refused.detail).toMatch(/at most 1008 bytes.*received 1009/);
  });

  test.each([-1, 4, 1.5])("slot %s is refused naming the allowed slots", (slot) => {
    const flash = new Flash(4096);
    expect(flash.write(slot, image(4))).toMatchObject({ problem: "slot", detail: `expected a flash slot 0..3, received ${slot}` });
    expect(flash.read(slot)).toMatchObject({ problem: "slot" });
  });

  test("erase empties every slot", () => {
    const flash = new Flash(4096);
    for (let s = 0; s < FLASH_SLOTS; s++) flash.write(s, image(8, s));
    flash.erase();
    for (let s = 0; s < FLASH_SLOTS; s++) expect(flash.read(s)).toMatchObject({ problem: "empty" });
  });

  test("a file-backed flash is created erased at its size and keeps its slots for the next board process", () => {
    const path = tempFile();
    const first = new Flash(8192, path);
    expect(statSync(path).size).toBe(8192);
    first.write(1, image(100));
    first.close();
    const second = new Flash(8192, path);
    expect(second.read(1)).toMatchObject({ ok: { image: image(100) } });
    second.close();
  });

  test("a flipped bit in a stored image reads as no checkpoint, naming both CRCs", () => {
    const path = tempFile();
    const flash = new Flash(4096, path);
    flash.write(0, image(64));
    flash.close();
    const fd = openSync(path, "r+");
    const byte = new Uint8Array(1);
    readSync(fd, byte, 0, 1, SLOT_HEADER_BYTES + 10);
    byte[0] ^= 0x04;
    writeSync(fd, byte, 0, 1, SLOT_HEADER_BYTES + 10);
    closeSync(fd);
    const reopened = new Flash(4096, path);
    const read = reopened.read(0);
    expect(read).toMatchObject({ problem: "empty" });
    expect("detail" in read && read.detail).toMatch(/expected CRC-32 0x[0-9a-f]{8} of the 64-byte checkpoint in flash slot 0, received 0x[0-9a-f]{8}/);
    reopened.close();
  });

  test("a write cut short after the header was erased leaves an empty slot, not the old image", () => {
    const path = tempFile();
    const flash = new Flash(4096, path);
    flash.write(2, image(50, 7));
    flash.close();
    // What a power cut between the header erase and the new header leaves: 0xFF header, new data.
    const fd = openSync(path, "r+");
    const base = 2 * 1024;
    writeSync(fd, new Uint8Array(SLOT_HEADER_BYTES).fill(0xff), 0, SLOT_HEADER_BYTES, base);
    writeSync(fd, image(50, 9), 0, 50, base + SLOT_HEADER_BYTES);
    closeSync(fd);
    const reopened = new Flash(4096, path);
    expect(reopened.read(2)).toMatchObject({ problem: "empty" });
    reopened.close();
  });
});

