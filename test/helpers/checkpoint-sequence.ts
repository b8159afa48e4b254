// The checkpoint sequence of the power-loss sweeps (test/board/flash-power.test.ts for the simulated
// flash, test/firmware/flash-power.test.ts for the firmware's C flash): three experiences of a small
// real run on the simulated board with the device module, a CHECKPOINT after each (slots 0, 1, then 0
// again over its older image) and RESTOREs in between. Every write the flash makes to its storage is
// recorded, with the steps that made it.
import { readFileSync } from "node:fs";
import { Flash, MemoryStorage } from "../../board/sim/flash.js";
import type { BoardManifest } from "../../host/manifest/manifest.js";
import { modulePath } from "../../host/device/module.js";
import { connectInProcess, manifest as boardManifest } from "./board.js";
import { FEATURES, learner, separable } from "./learner.js";

/** A storage that keeps a copy of every write, in order: the operations a power cut can fall between. */
export class RecordingStorage extends MemoryStorage {
  readonly writes: Array<{ offset: number; bytes: Uint8Array }> = [];
  override write(offset: number, bytes: Uint8Array): void {
    this.writes.push({ offset, bytes: bytes.slice() });
    super.write(offset, bytes);
  }
}

export interface SequenceStep {
  request: "CHECKPOINT" | "RESTORE";
  slot: number;
  /** The storage writes this step made: writes[firstWrite .. endWrite). */
  firstWrite: number;
  endWrite: number;
  /** CHECKPOINT: the image handed to the flash. */
  image?: Uint8Array;
  /** The board's reply (bytes and CRC-32 of the image). */
  reply: { bytes: number; crc: number };
  /** TELEMETRY's modelChecksum right after the step. */
  modelChecksum: number;
}

export interface CheckpointSequence {
  manifest: BoardManifest;
  storage: RecordingStorage;
  steps: SequenceStep[];
  /** DEPLOY's parts, to bring a rebooted board to the same deployment. */
  deployment: { config: Uint8Array; module: Uint8Array };
}

export const SEQUENCE_BOARD = "sim-noaccel";

/** Runs the sequence on an in-process simulated board over a recording in-memory flash. */
export async function recordCheckpointSequence(): Promise<CheckpointSequence> {
  const manifest = boardManifest(SEQUENCE_BOARD);
  const storage = new RecordingStorage(manifest.memory.flashBytes);
  const flash = new Flash(manifest.memory.flashBytes, storage);
  const images: Uint8Array[] = [];
  const write = flash.write.bind(flash);
  flash.write = (slot, image) => {
    images.push(image.slice());
    return write(slot, image);
  };
  const { client } = connectInProcess({ manifest, flash }, 60_000);
  const hello = await client.hello();
  const deployment = { config: learner({ hidden: "16", memoryLimit: hello.memoryLimit }), module: new Uint8Array(readFileSync(modulePath(false))) };
  await client.deploy(deployment);
  const steps: SequenceStep[] = [];
  const step = async (request: SequenceStep["request"], slot: number) => {
    const firstWrite = storage.writes.length;
    const imagesBefore = images.length;
    const reply = request === "CHECKPOINT" ? await client.checkpoint(slot) : await client.restore(slot);
    const { modelChecksum } = await client.telemetry();
    steps.push({ request, slot, firstWrite, endWrite: storage.writes.length, image: images[imagesBefore], reply, modelChecksum });
  };
  for (const [experience, slot] of [[0, 0], [1, 1], [2, 0]]) {
    await client.data({ experience, split: "train", ...separable(48, `train-${experience}`), features: FEATURES });
    await client.train({ experience, iterations: 20, batchSize: 8, seed: 100 + experience });
    await step("CHECKPOINT", slot);
    if (experience === 1) {
      await step("RESTORE", 0);
      await step("RESTORE", 1);
    }
  }
  await step("RESTORE", 0);
  return { manifest, storage, steps, deployment };
}
