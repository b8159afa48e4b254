// The device's memory across commands (assembly/device/memory.ts, assembly/runtime/arena.ts): objects a
// lower layer creates on first use, during whichever command first needs them, must outlive that
// command and lie where nothing else goes. MX encoding creates its scaled element format the first time
// it encodes and rewrites it at every encoding; with a replay buffer in an MX format that first happens
// inside TRAIN, in memory that samples stored later cover. So the stored samples must stay as sent, and
// the buffer's bytes (read from a checkpoint image) must be what an independent MX reference
// (test/helpers/mx.ts) gives.
import { describe, expect, it } from "vitest";
import { encodePayload } from "../../host/protocol/index.js";
import { CommandBoard } from "../helpers/device";
import { dataPayload, deployPayload, evalPayload, splitMnist, trainPayload } from "../helpers/learner";
import { MX_BLOCK, MX_SPECS, mxExpected, mxEncodedBytes } from "../helpers/mx";

const FEATURES = 784;
const PER_EXPERIENCE = 10;
const spec = MX_SPECS["mxfp8-e4m3"];
const sampleBytes = mxEncodedBytes(spec, FEATURES);

/** A sample's bytes in the buffer: per block the scale byte, then 32 element codes (zero past the values). */
function expectedSlot(values: Float32Array): Uint8Array {
  const inputs = new Uint32Array(values.buffer.slice(0));
  const { scales, codes } = mxExpected(spec, inputs, "rne");
  const out = new Uint8Array(sampleBytes);
  scales.forEach((scale, b) => {
    out[b * (1 + MX_BLOCK)] = scale;
    for (let j = 0; j < MX_BLOCK && b * MX_BLOCK + j < values.length; j++) out[b * (1 + MX_BLOCK) + 1 + j] = codes[b * MX_BLOCK + j]!;
  });
  return out;
}

/** The values the device trains on: u8 samples read as value / 255 in f32. */
function deviceValues(experience: number, k: number): Float32Array {
  const inputs = splitMnist("class").experiences[experience].train.inputs;
  const out = new Float32Array(FEATURES);
  for (let i = 0; i < FEATURES; i++) out[i] = Math.fround(Math.round(inputs[k * FEATURES + i] * 255) / 255);
  return out;
}

describe("objects created on first use during a command", () => {
  it("outlive it and overwrite nothing stored later: an MX replay buffer, then the stored test samples", () => {
    const board = new CommandBoard();
    board.ok("DEPLOY", deployPayload({
      strategy: "replay", precision: "fp32,replay=mxfp8-e4m3", batch: 8,
      overrides: { bufferBytes: sampleBytes * 4 * PER_EXPERIENCE, replayBatch: 4 },
    }));
    board.ok("DATA", dataPayload("class", 0, "train", PER_EXPERIENCE));
    board.ok("TRAIN", trainPayload(0, 1, 8));
    // Stored samples now cover the memory where the first TRAIN's scratch lay.
    board.ok("DATA", dataPayload("class", 1, "test", 300));
    board.ok("DATA", dataPayload("class", 1, "train", PER_EXPERIENCE));
    board.ok("TRAIN", trainPayload(1, 1, 8));
    // The stored test samples are as sent: evaluating them equals evaluating a fresh copy.
    const stored = board.ok("EVAL", evalPayload(1));
    board.ok("DATA", dataPayload("class", 1, "test", 300));
    expect(board.ok("EVAL", evalPayload(1))).toEqual(stored);
    const reply = board.run("CHECKPOINT", encodePayload("CHECKPOINT", { slot: 0 }));
    if (!("ok" in reply)) throw new Error(`CHECKPOINT failed: ${reply.message}`);
    const image = reply.ok;
    // Image: a 16-byte header (its last word the bytes of regions), then the regions in order: fp32
    // weights and Adam's two fp32 states (4 bytes each per parameter; no master copy in fp32), 256 bytes
    // of scalars, then the buffer: values, a u16 class key per slot, per class key (10) an i32 and an f64.
    const regions = new DataView(image.buffer, image.byteOffset).getUint32(12, true);
    const slots = 4 * PER_EXPERIENCE;
    const bufferBytes = slots * sampleBytes + slots * 2 + 10 * 4 + 10 * 8;
    const modelPart = regions - 256 - bufferBytes;
    expect(modelPart % 12).toBe(0);
    const data = image.subarray(16 + modelPart + 256);
    for (const experience of [0, 1]) {
      for (let k = 0; k < PER_EXPERIENCE; k++) {
        const slot = experience * PER_EXPERIENCE + k;
        const got = data.subarray(slot * sampleBytes, (slot + 1) * sampleBytes);
        expect(Buffer.from(got).equals(Buffer.from(expectedSlot(deviceValues(experience, k)))), `experience ${experience} sample ${k} (slot ${slot})`).toBe(true);
      }
    }
  });
});
