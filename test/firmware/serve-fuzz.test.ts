// The protocol's fuzz cases sent by the host to the firmware on QEMU: the hand-built frames of
// test/protocol/cases.ts (64-byte frames) and fast-check cases (fixed seeds) of random bytes, flipped
// bits, cut frames, wrong lengths, versions and CRCs, oversize frames, random CHUNKs and requests with
// random payloads. Every case is answered or rejected exactly as the simulated board answers the same
// bytes (same reply count, types, sequence numbers, error codes, RESULT bytes), and the board still
// answers HELLO afterwards.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { type BoardManifest } from "../../host/manifest/manifest.js";
import { type QemuTransport } from "../../host/firmware/index.js";
import { decodeErrorReply, decodeResult, encodeFrame, encodePayload, ERROR_NAMES, MessageType, splitIntoChunks, type Frame } from "../../host/protocol/index.js";
import { frameCases } from "../protocol/cases.js";
import { rawFrame, wire } from "../protocol/reference.js";
import { batch } from "../helpers/board.js";
import { describe as describeFrame, expectSameReply, FirmwareSuite, FrameLink, protocolBoards, SimReference } from "./helpers.js";

let rv32: BoardManifest;
let tiny: BoardManifest;

const suite = new FirmwareSuite("serve-fuzz", async () => {
  ({ rv32, tiny } = await protocolBoards(suite));
});

/** The firmware and the simulated board side by side, fed the same bytes. */
class Pair {
  readonly link: FrameLink;
  readonly sim: SimReference;
  seq = 40000;

  constructor(transport: QemuTransport, manifest: BoardManifest) {
    this.link = new FrameLink(transport);
    this.sim = new SimReference(manifest);
  }

  /** Sends bytes to both; the firmware's replies must be the simulated board's. Returns them. */
  async send(bytes: Uint8Array, what: string): Promise<Frame[]> {
    const expected = this.sim.send(bytes);
    const got = await this.link.exchange(bytes, expected.length);
    expect(got.length, what).toBe(expected.length);
    got.forEach((frame, i) => expectSameReply(frame, expected[i], `${what}, reply ${i + 1}`));
    return got;
  }

  /** A request both boards must answer with RESULT (chunked when it does not fit a frame). */
  async ok(type: number, payload: Uint8Array, maxFrameSize: number): Promise<void> {
    const pieces = payload.length + 12 <= maxFrameSize ? [{ type, payload }] : splitIntoChunks(type as never, payload, maxFrameSize).map((p) => ({ type: MessageType.CHUNK as number, payload: p }));
    for (const piece of pieces) {
      this.seq++;
      const bytes = encodeFrame({ type: piece.type as never, seq: this.seq, payload: piece.payload });
      const expected = this.sim.send(bytes);
      expect(expected.map((f) => f.type), describeFrame(expected[0])).toEqual([MessageType.RESULT]);
      const [got] = await this.link.exchange(bytes, 1);
      expectSameReply(got, expected[0], `setup request of type ${type}`);
    }
  }

  /** HELLO answered after everything else. */
  async hello(): Promise<void> {
    this.seq++;
    const [reply] = await this.link.exchange(encodeFrame({ type: MessageType.HELLO, seq: this.seq, payload: new Uint8Array(0) }), 1);
    expect(reply.seq).toBe(this.seq);
    expect(decodeResult("HELLO", reply.payload)).toMatchObject({ ok: { protocolVersion: 1 } });
  }
}

function withPair(manifest: BoardManifest, wasm: string, image: string, body: (pair: Pair) => Promise<void>): Promise<void> {
  return suite.withBoard(manifest, wasm, image, (transport) => body(new Pair(transport, manifest)));
}

describe("frames the host sends to the firmware", () => {
  test("the hand-built cases of test/protocol/cases.ts, at 64-byte frames, get the decoder's verdicts", async () => {
    await withPair(tiny, suite.fixture.file, "tiny-fixture", async (pair) => {
      await pair.ok(MessageType.DEPLOY, encodePayload("DEPLOY", { config: new Uint8Array(0), module: suite.fixture.bytes }), 64);
      for (const [what, bytes, expected] of frameCases) {
        // A lone delimiter first: each case starts a frame of its own.
        const replies = await pair.send(Uint8Array.from([0, ...bytes]), what);
        expect(replies.length, what).toBe(1);
        const [reply] = replies;
        if ("error" in expected) {
          // Held to the simulated board above; here to the table itself as well.
          const error = decodeErrorReply(reply.payload);
          expect(reply.type, what).toBe(MessageType.ERROR);
          expect("ok" in error && { code: error.ok.code, type: error.ok.requestType }, what).toEqual({ code: expected.error, type: expected.type ?? 0 });
          expect(reply.seq, what).toBe(expected.seq ?? 0);
        } else {
          expect(reply.seq, what).toBe(expected.ok.seq);
        }
      }
      await pair.hello();
    });
  });

  test("fast-check cases (seed 20240607): random bytes, damaged frames, random CHUNKs and payloads", async () => {
    const maxFrame = rv32.transport.maxFrameSize;
    // RESET is left out: the firmware gives the learner a fresh instance where the simulated board keeps
    // its grown memory, so later memoryUsed figures would differ by design.
    const requestTypes = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x10, 0x80, 0x81];
    const seqArb = fc.integer({ min: 1, max: 0xffff });
    const typeArb = fc.oneof(fc.constantFrom(...requestTypes), fc.integer({ min: 0, max: 0xff }).filter((t) => t !== 0x09));
    const frameArb = fc.record({ type: typeArb, seq: seqArb, payload: fc.uint8Array({ maxLength: 48 }) });
    const chunkArb = fc
      .record({
        inner: fc.constantFrom(...requestTypes, 0x10, 0x42),
        index: fc.nat({ max: 3 }),
        count: fc.nat({ max: 4 }),
        total: fc.nat({ max: 40 }),
        offset: fc.nat({ max: 40 }),
        data: fc.uint8Array({ maxLength: 30 }),
        seq: seqArb,
      })
      .map((c) => {
        const payload = new Uint8Array(17 + c.data.length);
        const view = new DataView(payload.buffer);
        view.setUint8(0, c.inner);
        view.setUint32(1, c.index, true);
        view.setUint32(5, c.count, true);
        view.setUint32(9, c.total, true);
        view.setUint32(13, c.offset, true);
        payload.set(c.data, 17);
        return wire(rawFrame({ type: MessageType.CHUNK, seq: c.seq, payload }));
      });
    // Well-formed requests with random fields: the device path, held to the same replies.
    const requestArb = fc.oneof(
      fc.constant({ type: MessageType.HELLO as number, payload: new Uint8Array(0) }),
      fc.record({ experience: fc.nat({ max: 2 }), flags: fc.nat({ max: 1 }) }).map((v) => ({ type: MessageType.EVAL as number, payload: encodePayload("EVAL", v) })),
      fc.nat({ max: 1 }).map((flags) => ({ type: MessageType.TELEMETRY as number, payload: encodePayload("TELEMETRY", { flags }) })),
      fc
        .record({ experience: fc.nat({ max: 2 }), iterations: fc.nat({ max: 9 }), batchSize: fc.nat({ max: 4 }), seed: fc.nat(), flags: fc.nat({ max: 1 }) })
        .map((v) => ({ type: MessageType.TRAIN as number, payload: encodePayload("TRAIN", v) })),
      fc
        .record({ experience: fc.nat({ max: 2 }), split: fc.nat({ max: 1 }), flags: fc.nat({ max: 1 }), labels: fc.uint8Array({ maxLength: 4 }) })
        .map((v) => {
          const samples = new Uint8Array(v.labels.length * 3);
          v.labels.forEach((label, k) => (samples[2 * k] = label % 10));
          return { type: MessageType.DATA as number, payload: encodePayload("DATA", { experience: v.experience, split: v.split, encoding: 1, flags: v.flags, count: v.labels.length, features: 1, samples }) };
        }),
      fc.nat({ max: 4 }).map((slot) => ({ type: MessageType.CHECKPOINT as number, payload: encodePayload("CHECKPOINT", { slot }) })),
      fc.nat({ max: 4 }).map((slot) => ({ type: MessageType.RESTORE as number, payload: encodePayload("RESTORE", { slot }) })),
    );
    const caseArb: fc.Arbitrary<[string, Uint8Array]> = fc.oneof(
      fc.tuple(requestArb, seqArb).map(([r, seq]) => ["a well-formed request", wire(rawFrame({ ...r, seq }))] as [string, Uint8Array]),
      fc
        .record({ type: fc.constantFrom(MessageType.RESULT, MessageType.ERROR), seq: seqArb, payload: fc.uint8Array({ maxLength: 20 }) })
        .map((f) => ["a reply sent to the board", wire(rawFrame(f))] as [string, Uint8Array]),
      frameArb.map((f) => ["a frame of a random type and payload", wire(rawFrame(f))] as [string, Uint8Array]),
      chunkArb.map((b) => ["a random CHUNK", b] as [string, Uint8Array]),
      fc.tuple(frameArb, fc.nat(), fc.integer({ min: 0, max: 7 })).map(([f, at, bit]) => {
        const bytes = wire(rawFrame(f));
        bytes[at % (bytes.length - 1)] ^= 1 << bit;
        return ["a frame with a flipped bit", Uint8Array.from([...bytes, 0])] as [string, Uint8Array];
      }),
      fc.tuple(frameArb, fc.nat()).map(([f, cut]) => {
        const bytes = wire(rawFrame(f));
        return ["a frame cut short", Uint8Array.from([...bytes.subarray(0, cut % (bytes.length - 1)), 0])] as [string, Uint8Array];
      }),
      fc.tuple(frameArb, fc.integer({ min: -3, max: 3 }).filter((d) => d !== 0)).map(([f, d]) => ["a wrong declared length", wire(rawFrame({ ...f, length: Math.max(0, f.payload.length + d) }))] as [string, Uint8Array]),
      fc.tuple(frameArb, fc.integer({ min: 0, max: 255 }).filter((v) => v !== 1)).map(([f, version]) => ["another version", wire(rawFrame({ ...f, version }))] as [string, Uint8Array]),
      fc.tuple(frameArb, fc.nat({ max: 0xffffffff })).map(([f, crc]) => ["a wrong CRC", wire(rawFrame({ ...f, crc }))] as [string, Uint8Array]),
      fc.uint8Array({ minLength: 1, maxLength: 80 }).map((b) => ["random bytes", Uint8Array.from([...b, 0])] as [string, Uint8Array]),
      fc.tuple(seqArb, fc.integer({ min: 1, max: 64 })).map(([seq, extra]) => ["a frame over the maximum size", wire(rawFrame({ type: MessageType.DATA, seq, payload: new Uint8Array(maxFrame - 12 + extra).fill(0x5a) }))] as [string, Uint8Array]),
      fc.tuple(seqArb, fc.nat({ max: 0xffffffff })).map(([seq, length]) => ["a header declaring any length", wire(rawFrame({ type: MessageType.EVAL, seq, payload: new Uint8Array(3), length }))] as [string, Uint8Array]),
    );
    const cases = fc.sample(caseArb, { seed: 20240607, numRuns: 250 });

    await withPair(rv32, suite.standin.file, "rv32-standin", async (pair) => {
      // The same learner on both boards: a deployment, stored samples and some training.
      await pair.ok(MessageType.DEPLOY, encodePayload("DEPLOY", { config: new TextEncoder().encode('{"format":"fp32","modelBytes":256}'), module: suite.standin.bytes }), maxFrame);
      const b = batch(16);
      const samples = new Uint8Array(16 * 2 + 16 * 4 * 4);
      const view = new DataView(samples.buffer);
      b.labels.forEach((label, k) => view.setUint16(2 * k, label, true));
      b.inputs.forEach((v, i) => view.setFloat32(32 + 4 * i, v, true));
      for (const split of [0, 1]) await pair.ok(MessageType.DATA, encodePayload("DATA", { experience: 0, split, encoding: 0, flags: 1, count: 16, features: 4, samples }), maxFrame);
      await pair.ok(MessageType.TRAIN, encodePayload("TRAIN", { experience: 0, iterations: 3, batchSize: 2, seed: 0, flags: 0 }), maxFrame);

      let replies = 0;
      const seen = new Set<string>();
      for (const [i, [what, bytes]] of cases.entries()) {
        for (const reply of await pair.send(Uint8Array.from([0, ...bytes]), `case ${i}: ${what} (${Buffer.from(bytes.subarray(0, 40)).toString("hex")})`)) {
          replies++;
          const error = decodeErrorReply(reply.payload);
          seen.add(reply.type === MessageType.RESULT ? "RESULT" : "ok" in error ? ERROR_NAMES[error.ok.code] : "?");
        }
      }
      // Reply counts were held to the simulated board's case by case (an empty frame gets none); the
      // cases reached every kind of refusal and the device path.
      expect(replies).toBeGreaterThan(cases.length / 2);
      for (const kind of ["RESULT", "BAD_ENCODING", "TRUNCATED", "BAD_CRC", "BAD_VERSION", "UNKNOWN_TYPE", "OVERSIZE", "BAD_LENGTH", "BAD_PAYLOAD", "UNEXPECTED_TYPE", "BAD_CHUNK"]) {
        expect([...seen], kind).toContain(kind);
      }
      await pair.hello();
    });
  });
});
