// The BoardClient against a scripted board: resending what the board could not read, ignoring stray
// replies, giving up with the board's error, DATA split to the board's frames, and bad input.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { BoardClient } from "../../host/client/client.js";
import { BoardCorruptRepliesError, BoardError, BoardProtocolError } from "../../host/client/errors.js";
import {
  decodePayload,
  encodeErrorReply,
  encodeFrame,
  encodeResult,
  ErrorCode,
  FrameDecoder,
  MessageType,
  NO_SEQUENCE,
  type Frame,
} from "../../host/protocol/index.js";
import { transportPair, type Transport } from "../../host/transport/transport.js";

type Script = (frame: Frame, index: number) => Uint8Array[];

/** A board that answers each frame it receives with the bytes `script` returns; it records the frames. */
function scriptedBoard(script: Script, clientOptions: Partial<ConstructorParameters<typeof BoardClient>[1]> = {}) {
  const [host, board]: [Transport, Transport] = transportPair();
  const received: Frame[] = [];
  const decoder = new FrameDecoder({ maxFrameSize: 1 << 20 });
  board.onData((bytes) => {
    for (const r of decoder.push(bytes)) {
      if (!("ok" in r)) throw new Error(r.detail);
      received.push(r.ok);
      for (const out of script(r.ok, received.length - 1)) board.write(out);
    }
  });
  const client = new BoardClient(host, { board: "scripted", timeoutMs: 2000, ...clientOptions });
  return { client, received };
}

const telemetryBody = {
  timeUs: 1, macs: 2, cycles: 0, energyJ: 0, memoryUsed: 0, memoryPeak: 0, memoryLimit: 0, accelJobs: 0,
  energyAcceleratorJ: 0, energyMemoryJ: 0, energyCpuJ: 0, accelMacs: 0, accelUnits: 0,
  fallbackNoAccelerator: 0, fallbackFormat: 0, fallbackRounding: 0, fallbackMode: 0, fallbackEmpty: 0, fallbackRefused: 0,
  cpuMacsExact: 0, cpuMacsExactSr: 0, cpuMacsFast: 0, optimizerSteps: 0, lossScaleSkips: 0,
  macsByFormat: [], modelChecksum: 0, health: [],
};
const telemetryReply = (seq: number) => encodeFrame({ type: MessageType.RESULT, seq, payload: encodeResult("TELEMETRY", telemetryBody) });
const unreadable = () => encodeFrame({ type: MessageType.ERROR, seq: NO_SEQUENCE, payload: encodeErrorReply(0, ErrorCode.BAD_CRC, "expected CRC-32 0x1, received 0x2") });

describe("BoardClient", () => {
  test("the first bytes it sends are a lone delimiter, then HELLO with sequence number 1", async () => {
    const { client, received } = scriptedBoard((f) => [
      encodeFrame({ type: MessageType.RESULT, seq: f.seq, payload: encodeResult("HELLO", { protocolVersion: 1, maxFrameSize: 128, memoryLimit: 65536, flashSize: 0, accelPresent: 0, accelFormats: 0, runtime: "wamr", board: "x" }) }),
    ]);
    await client.hello();
    expect(received[0]).toMatchObject({ type: MessageType.HELLO, seq: 1 });
    expect(client.maxFrameSize).toBe(128);
  });

  test("a request the board could not read (ERROR, sequence 0) is sent again, identical", async () => {
    const { client, received } = scriptedBoard((f, i) => (i === 0 ? [unreadable()] : [telemetryReply(f.seq)]));
    expect(await client.telemetry()).toMatchObject({ macs: 2 });
    expect(received).toHaveLength(2);
    expect(received[1]).toEqual(received[0]);
  });

  test("a corrupt reply makes the client ask again; the board's repeat answer is taken", async () => {
    const { client, received } = scriptedBoard((f, i) => {
      const reply = telemetryReply(f.seq);
      if (i === 0) reply[5] ^= 0x40; // a flipped bit on the line
      return [reply];
    });
    expect(await client.telemetry()).toMatchObject({ macs: 2 });
    expect(received).toHaveLength(2);
  });

  test("a reply with another sequence number is ignored", async () => {
    const { client } = scriptedBoard((f) => [telemetryReply((f.seq + 7) & 0xffff), telemetryReply(f.seq)]);
    expect(await client.telemetry()).toMatchObject({ macs: 2 });
  });

  test("after its resends the client gives up with the board's own error", async () => {
    const { client, received } = scriptedBoard(() => [unreadable()], { resends: 2 });
    const failed = client.telemetry();
    await expect(failed).rejects.toBeInstanceOf(BoardError);
    await expect(failed).rejects.toThrow("board scripted: TELEMETRY failed with BAD_CRC: expected CRC-32 0x1, received 0x2");
    expect(received).toHaveLength(3);
  });

  test("a RESULT answering another request is a protocol error naming both", async () => {
    const { client } = scriptedBoard((f) => [encodeFrame({ type: MessageType.RESULT, seq: f.seq, payload: encodeResult("RESET", {}) })]);
    await expect(client.telemetry()).rejects.toThrow(new BoardProtocolError("scripted", "TELEMETRY", "expected a RESULT answering TELEMETRY, received one answering RESET").message);
  });

  test("a board of another protocol version is refused at HELLO", async () => {
    const { client } = scriptedBoard((f) => [
      encodeFrame({ type: MessageType.RESULT, seq: f.seq, payload: encodeResult("HELLO", { protocolVersion: 2, maxFrameSize: 128, memoryLimit: 0, flashSize: 0, accelPresent: 0, accelFormats: 0, runtime: "v8", board: "x" }) }),
    ]);
    await expect(client.hello()).rejects.toThrow("expected protocol version 1, received 2");
  });

  test("DATA is split into messages that fit the board's frames; only the first clears", async () => {
    const { client, received } = scriptedBoard((f) => [
      encodeFrame({ type: MessageType.RESULT, seq: f.seq, payload: encodeResult("DATA", { stored: 0, memoryUsed: 0 }) }),
    ], { maxFrameSize: 100 });
    // 100-byte frames: 100 - 12 (frame) - 13 (DATA header) = 75 bytes; a sample is 2 + 3 * 4 = 14 bytes: 5 per message.
    const inputs = Float32Array.from({ length: 12 * 3 }, (_, i) => i / 64);
    const labels = Array.from({ length: 12 }, (_, i) => i % 3);
    await client.data({ experience: 2, split: "test", inputs, labels, features: 3 });
    const data = received.map((f) => decodePayload("DATA", f.payload)).map((d) => ("ok" in d ? d.ok : null));
    expect(data.map((d) => [d?.count, d?.flags, d?.experience, d?.split])).toEqual([
      [5, 1, 2, 1],
      [5, 0, 2, 1],
      [2, 0, 2, 1],
    ]);
    // Labels first (u16), then the values (f32), little-endian, sample after sample.
    const last = new DataView(data[2]!.samples.buffer);
    expect([last.getUint16(0, true), last.getUint16(2, true)]).toEqual([labels[10], labels[11]]);
    expect(last.getFloat32(4, true)).toBe(inputs[30]);
    expect(last.getFloat32(4 + 5 * 4, true)).toBe(inputs[35]);
  });

  test("the u8 encoding sends round(v * 255) and refuses values outside [0, 1]", async () => {
    const { client, received } = scriptedBoard((f) => [
      encodeFrame({ type: MessageType.RESULT, seq: f.seq, payload: encodeResult("DATA", { stored: 1, memoryUsed: 0 }) }),
    ]);
    await client.data({ experience: 0, split: "train", inputs: Float32Array.of(0, 0.5, 1, 0.2), labels: [3], features: 4, encoding: "u8" });
    const sent = decodePayload("DATA", received[0].payload);
    expect("ok" in sent && [...sent.ok.samples]).toEqual([3, 0, 0, 128, 255, 51]);
    await expect(client.data({ experience: 0, split: "train", inputs: Float32Array.of(1.5), labels: [0], features: 1, encoding: "u8" })).rejects.toThrow(
      "expected input value 0 in [0, 1] for the u8 encoding, received 1.5",
    );
    await expect(client.data({ experience: 0, split: "train", inputs: Float32Array.of(1, 2), labels: [0], features: 1 })).rejects.toThrow(
      "expected 1 x 1 = 1 input values, received 2",
    );
  });

  test("line noise before the reply never breaks the client: it resends and takes the reply (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ minLength: 1, maxLength: 40 }), { maxLength: 6 }), async (noise) => {
        const { client, received } = scriptedBoard((f) => [...noise.map((n) => Uint8Array.from([...n, 0])), telemetryReply(f.seq)]);
        expect(await client.telemetry()).toMatchObject({ macs: 2 });
        // Every resend is the same frame again.
        expect(received.every((f) => f.seq === received[0].seq && f.type === MessageType.TELEMETRY)).toBe(true);
      }),
      { numRuns: 100, seed: 0x5eed09 },
    );
  });

  test("after its resends a client hearing only corrupt frames waits, then says it received corrupt frames, naming the board and the request", async () => {
    const noise = Uint8Array.of(9, 9, 9, 0);
    const { client, received } = scriptedBoard(() => [noise], { resends: 2, timeoutMs: 200 });
    const failed = client.telemetry();
    await expect(failed).rejects.toBeInstanceOf(BoardCorruptRepliesError);
    // Three sends, each answered by one corrupt frame; COBS reads 9 9 9 as a block longer than the frame.
    await expect(failed).rejects.toThrow(/^board scripted sent 3 corrupt frames and no readable reply to TELEMETRY within 200 ms \(last: .+\); the link is damaging/);
    expect(received).toHaveLength(3);
  });

  test("a reply whose CRC fails says so at the timeout: a corrupt frame, not a board that did not answer", async () => {
    const { client } = scriptedBoard((f) => {
      const frame = telemetryReply(f.seq);
      frame[3] ^= 0x40; // a changed byte inside the COBS data: the frame decodes, its CRC-32 does not match
      return [frame];
    }, { resends: 0, timeoutMs: 200 });
    await expect(client.telemetry()).rejects.toThrow(/^board scripted sent 1 corrupt frame and no readable reply to TELEMETRY within 200 ms \(last: .*CRC.*\)/);
  });

  test("silence is still a board that did not answer", async () => {
    const { client } = scriptedBoard(() => [], { timeoutMs: 200 });
    const failed = client.telemetry();
    await expect(failed).rejects.toThrow("board scripted did not answer TELEMETRY within 200 ms");
    await expect(failed).rejects.not.toBeInstanceOf(BoardCorruptRepliesError);
  });
});
