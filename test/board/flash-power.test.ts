// Power-loss sweep of the simulated board's flash (board/sim/flash.ts), after littlefs's emulated block
// device: the checkpoint sequence of a small real run (checkpoint-sequence.ts) is recorded write by
// write; for every cut point N the flash is rebuilt from the first N writes, whole, and with a part of
// write N (a random subset of its bytes, and a prefix of them, as a write torn by a power cut leaves
// it). A board booted on what is left is deployed afresh and RESTOREs every slot: each must give the
// last checkpoint fully written to it bit for bit (the image, its CRC-32 by zlib and the model checksum
// TELEMETRY reported after that CHECKPOINT), or say no checkpoint exists; never another image. A
// failure names the cut and part that replay it (EDGECL_POWER_CUT=N:PART runs that one alone).
import { crc32 as zlibCrc32 } from "node:zlib";
import { beforeAll, describe, expect, test } from "vitest";
import { Flash, FLASH_SLOTS, MemoryStorage } from "../../board/sim/flash.js";
import { BoardError } from "../../host/client/errors.js";
import { ErrorCode } from "../../host/protocol/index.js";
import { recordCheckpointSequence, type CheckpointSequence, type SequenceStep } from "../helpers/checkpoint-sequence.js";
import { connectInProcess } from "../helpers/board.js";

let sequence: CheckpointSequence;
beforeAll(async () => {
  sequence = await recordCheckpointSequence();
}, 120_000);

type Part = "whole" | "some bytes" | "a prefix";
const PARTS: Part[] = ["whole", "some bytes", "a prefix"];

/** A small seeded generator (mulberry32), so a cut and part always tear a write the same way. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The flash after the first `cut` writes, and part of write `cut` unless `part` is "whole". */
function flashAfter(cut: number, part: Part): Uint8Array {
  const bytes = new Uint8Array(sequence.manifest.memory.flashBytes).fill(0xff);
  const writes = sequence.storage.writes;
  for (const w of writes.slice(0, cut)) bytes.set(w.bytes, w.offset);
  if (part !== "whole" && cut < writes.length) {
    const torn = writes[cut];
    const next = random(cut * 8 + PARTS.indexOf(part));
    const prefix = Math.floor(next() * torn.bytes.length);
    torn.bytes.forEach((b, i) => {
      if (part === "a prefix" ? i < prefix : next() < 0.5) bytes[torn.offset + i] = b;
    });
  }
  return bytes;
}

/** What a slot may read as after `cut` whole writes (and maybe a part of the next): its last complete CHECKPOINT, and the one under way. */
function expectations(slot: number, cut: number, part: Part): { complete: SequenceStep | null; underWay: SequenceStep | null } {
  const checkpoints = sequence.steps.filter((s) => s.request === "CHECKPOINT" && s.slot === slot);
  const complete = checkpoints.filter((s) => s.endWrite <= cut).at(-1) ?? null;
  const started = (s: SequenceStep) => s.firstWrite < cut || (part !== "whole" && s.firstWrite === cut);
  const underWay = checkpoints.find((s) => started(s) && s.endWrite > cut) ?? null;
  return { complete, underWay };
}

const hex = (crc: number) => `0x${(crc >>> 0).toString(16).padStart(8, "0")}`;
const describeStep = (s: SequenceStep | null) =>
  s ? `the ${s.reply.bytes}-byte checkpoint of step ${sequence.steps.indexOf(s)} (model checksum ${hex(s.modelChecksum)})` : "no checkpoint";

/** Boots a board on `bytes`, deploys, RESTOREs every slot; returns one line per slot that read wrong. */
async function judgeCut(cut: number, part: Part): Promise<string[]> {
  const flash = new Flash(sequence.manifest.memory.flashBytes, new MemoryStorage(flashAfter(cut, part)));
  const { client } = connectInProcess({ manifest: sequence.manifest, flash }, 60_000);
  await client.hello();
  await client.deploy(sequence.deployment);
  const problems: string[] = [];
  for (let slot = 0; slot < FLASH_SLOTS; slot++) {
    const { complete, underWay } = expectations(slot, cut, part);
    const restored = await client.restore(slot).then(
      (reply) => ({ reply }),
      (err: unknown) => ({ err }),
    );
    const where = `cut ${cut} (${part}; replay: EDGECL_POWER_CUT=${cut}:${PARTS.indexOf(part)}), slot ${slot}`;
    const allowed = `expected ${describeStep(complete)}${underWay ? ` (or no checkpoint, or ${describeStep(underWay)})` : ""}`;
    if ("err" in restored) {
      const noCheckpoint = restored.err instanceof BoardError && restored.err.code === ErrorCode.NO_CHECKPOINT;
      if (!noCheckpoint || (complete && !underWay)) problems.push(`${where}: ${allowed}, received ${String(restored.err)}`);
      continue;
    }
    const image = (flash.read(slot) as { ok: { image: Uint8Array } }).ok.image;
    const { modelChecksum } = await client.telemetry();
    const match = [complete, underWay].find(
      (s) => s?.image && Buffer.from(s.image).equals(Buffer.from(image)) && s.reply.crc === zlibCrc32(image) >>> 0 && s.modelChecksum === modelChecksum,
    );
    if (!match || restored.reply.crc !== match.reply.crc || restored.reply.bytes !== match.reply.bytes) {
      problems.push(`${where}: ${allowed}, received a ${image.length}-byte image ${hex(zlibCrc32(image))} and model checksum ${hex(modelChecksum)}`);
    }
  }
  return problems;
}

describe("power cut at every write of the simulated flash", () => {
  test("the sequence writes three checkpoints, three writes each (header erase, image, header)", () => {
    const checkpoints = sequence.steps.filter((s) => s.request === "CHECKPOINT");
    expect(checkpoints.map((s) => s.slot)).toEqual([0, 1, 0]);
    expect(checkpoints.map((s) => s.endWrite - s.firstWrite)).toEqual([3, 3, 3]);
    expect(sequence.steps.filter((s) => s.request === "RESTORE").every((s) => s.endWrite === s.firstWrite)).toBe(true);
    // The slot-0 RESTORE after experience 1 brings back experience 0's model.
    expect(sequence.steps[2].modelChecksum).toBe(sequence.steps[0].modelChecksum);
    expect(sequence.steps[0].modelChecksum).not.toBe(sequence.steps[1].modelChecksum);
    for (const s of checkpoints) expect(s.reply).toEqual({ bytes: s.image!.length, crc: zlibCrc32(s.image!) >>> 0 });
  });

  test("every cut point, whole and torn: RESTORE gives the last complete checkpoint bit for bit or none, never another image", async () => {
    const only = process.env.EDGECL_POWER_CUT?.split(":").map(Number);
    const cuts = only ? [only[0]] : Array.from({ length: sequence.storage.writes.length + 1 }, (_, i) => i);
    const problems: string[] = [];
    let judged = 0;
    for (const cut of cuts) {
      for (const part of only ? [PARTS[only[1]]] : PARTS) {
        problems.push(...(await judgeCut(cut, part)));
        judged++;
      }
    }
    expect(problems).toEqual([]);
    expect(judged).toBe(only ? 1 : 3 * (sequence.storage.writes.length + 1));
  }, 120_000);

  test("a flipped bit in the stored image: RESTORE refuses it, naming the stored CRC-32", async () => {
    const writes = sequence.storage.writes.length;
    const bytes = flashAfter(writes, "whole");
    const last = sequence.steps.filter((s) => s.request === "CHECKPOINT").at(-1)!;
    // Slot 0's image starts after its 16-byte header at offset 0.
    bytes[16 + Math.floor(last.image!.length / 2)] ^= 0x20;
    const flash = new Flash(sequence.manifest.memory.flashBytes, new MemoryStorage(bytes));
    const { client } = connectInProcess({ manifest: sequence.manifest, flash }, 60_000);
    await client.hello();
    await client.deploy(sequence.deployment);
    const refused = client.restore(0);
    await expect(refused).rejects.toMatchObject({ code: ErrorCode.NO_CHECKPOINT });
    await expect(refused).rejects.toThrow(`expected CRC-32 ${hex(zlibCrc32(last.image!))} of the ${last.image!.length}-byte checkpoint in flash slot 0`);
  }, 60_000);
});
