// Checkpoints in the firmware's flash (QEMU virt's second CFI flash bank, backed by a file): an image
// over several 256 KiB sectors written and read back whole, its CRC-32 as zlib computes it, the image
// handed to the device on RESTORE, a slot kept across a restart of QEMU, an image too large for a slot
// refused without touching the slot, and RESET's erase. The device is fixtures/serve.wat, whose
// checkpoint image is a known pattern.
import { describe, expect, test } from "vitest";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { BoardClient } from "../../host/client/client.js";
import { BoardError } from "../../host/client/errors.js";
import type { BoardManifest } from "../../host/manifest/manifest.js";
import { buildQemuBoardImage, QEMU_FLASH_BANK_BYTES, QEMU_FLASH_SLOTS_OFFSET } from "../../host/firmware/index.js";
import { encodePayload, ErrorCode } from "../../host/protocol/index.js";
import { boardError, derivedManifest, FirmwareSuite, fnv1a, patternImage } from "./helpers.js";

let manifest: BoardManifest;

const suite = new FirmwareSuite("serve-flash", async () => {
  manifest = derivedManifest(suite.dir, "qemu-rv32-noaccel", "qemu-flash", {});
  await buildQemuBoardImage(manifest, { wasm: suite.fixture.file, buildDir: join(suite.dir, "image") });
});

const le32 = (v: number) => Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);

/** Boots the board on the flash file, deploys the fixture with a checkpoint image of `imageBytes`, runs body. */
function session(flashFile: string, imageBytes: number, body: (board: BoardClient) => Promise<void>): Promise<void> {
  return suite.withBoard(manifest, suite.fixture.file, "image", async (transport) => {
    const board = new BoardClient(transport, { board: "qemu-flash", timeoutMs: 20_000 });
    await board.hello();
    // A 4-byte configuration sets the fixture's checkpoint image length.
    await board.deploy({ config: le32(imageBytes), module: suite.fixture.bytes });
    await body(board);
  }, { flashFile });
}

async function code(promise: Promise<unknown>): Promise<number> {
  return (await boardError(promise)).code;
}

const evalState = (board: BoardClient) => board.request("EVAL", encodePayload("EVAL", { experience: 0, flags: 0 }));

describe("checkpoint flash", () => {
  test("an image over two sectors is written, read back and kept across a restart; a too-large one leaves the slot alone; RESET erases", async () => {
    const flashFile = join(suite.dir, "flash.bin");
    const slotBytes = manifest.memory.flashBytes / 4;
    const image = patternImage(300_000); // 300,016 bytes with the header: two 256 KiB sectors
    const expectedCrc = crc32(image) >>> 0;

    await session(flashFile, image.length, async (board) => {
      expect(await board.checkpoint(2)).toEqual({ bytes: image.length, crc: expectedCrc });
      expect(await board.restore(2)).toEqual({ bytes: image.length, crc: expectedCrc });
      // The fixture's EVAL reports the FNV-1a and length of the image RESTORE handed it.
      expect(await evalState(board)).toMatchObject({ correct: fnv1a(image), total: image.length });
      expect(await code(board.restore(0))).toBe(ErrorCode.NO_CHECKPOINT);
      expect(await code(board.checkpoint(4))).toBe(ErrorCode.BAD_PAYLOAD);
    });
    // The flash file is QEMU's bank, laid out as board/sim/flash.ts lays out its slots.
    const bank = readFileSync(flashFile);
    expect(statSync(flashFile).size).toBe(QEMU_FLASH_BANK_BYTES);
    const slot2 = QEMU_FLASH_SLOTS_OFFSET + 2 * slotBytes;
    const header = new DataView(bank.buffer, bank.byteOffset + slot2, 16);
    expect([header.getUint32(0, true), header.getUint32(4, true), header.getUint32(8, true), header.getUint32(12, true)]).toEqual([0x504b4345, 1, image.length, expectedCrc]);
    expect(Buffer.from(bank.subarray(slot2 + 16, slot2 + 16 + image.length)).equals(Buffer.from(image))).toBe(true);

    // A new QEMU on the same file: slot 2 restores. Then an image of a whole slot is refused
    // (the header needs 16 bytes of it) and slot 2 still holds the old image.
    await session(flashFile, slotBytes, async (board) => {
      expect(await board.restore(2)).toEqual({ bytes: image.length, crc: expectedCrc });
      expect(await code(board.checkpoint(2))).toBe(ErrorCode.DOES_NOT_FIT);
      expect(await board.restore(2)).toEqual({ bytes: image.length, crc: expectedCrc });
      expect(await evalState(board)).toMatchObject({ correct: fnv1a(image), total: image.length });
      await board.reset({ eraseFlash: true });
      expect(await code(board.restore(2))).toBe(ErrorCode.NO_CHECKPOINT);
    });
  });

  test("a slot whose image was damaged in flash reads as empty (CRC check)", async () => {
    const flashFile = join(suite.dir, "damaged.bin");
    const image = patternImage(1000);
    await session(flashFile, image.length, async (board) => {
      expect((await board.checkpoint(1)).crc).toBe(crc32(image) >>> 0);
    });
    // Flip one bit of the stored image between runs.
    const bank = readFileSync(flashFile);
    bank[QEMU_FLASH_SLOTS_OFFSET + manifest.memory.flashBytes / 4 + 16 + 500] ^= 0x10;
    writeFileSync(flashFile, bank);
    await session(flashFile, image.length, async (board) => {
      const err = await board.restore(1).then(
        () => null,
        (e: unknown) => e as BoardError,
      );
      expect(err?.code).toBe(ErrorCode.NO_CHECKPOINT);
      expect(err?.detail).toMatch(/^expected CRC-32 0x[0-9a-f]{8} of the 1000-byte checkpoint in flash slot 1, received 0x[0-9a-f]{8}$/);
    });
  });
});
