// Property tests of the board's frame handling (fast-check, fixed seeds): random bytes, truncated
// frames, flipped bits, oversize lengths, unknown types and versions. In every case the board answers
// with an ERROR or drops the frame, nothing escapes as an exception, the next valid frame after a
// delimiter is answered, and the device's state (read with HELLO, EVAL and TELEMETRY) is unchanged.
import fc from "fast-check";
import { beforeAll, describe, expect, test } from "vitest";
import { SimBoard, type BoardLink } from "../../board/sim/board.js";
import {
  ChunkAssembler,
  cobsEncode,
  crc32,
  decodeErrorReply,
  decodeResult,
  encodeFrame,
  encodePayload,
  ErrorCode,
  FrameDecoder,
  MESSAGE_NAMES,
  MessageType,
  needsChunking,
  NO_SEQUENCE,
  splitIntoChunks,
  type Frame,
} from "../../host/protocol/index.js";
import { batch, manifest, standinWasm } from "../helpers/board.js";

const FRAME_ERRORS: number[] = [ErrorCode.BAD_ENCODING, ErrorCode.TRUNCATED, ErrorCode.BAD_CRC, ErrorCode.BAD_VERSION, ErrorCode.UNKNOWN_TYPE, ErrorCode.OVERSIZE, ErrorCode.BAD_LENGTH];
const UNTRUSTED_HEADER: number[] = [ErrorCode.BAD_ENCODING, ErrorCode.TRUNCATED, ErrorCode.BAD_CRC, ErrorCode.OVERSIZE];

let module: Uint8Array;
beforeAll(() => {
  module = standinWasm(1);
});

/** A deployed board with data and some training, and a session on one link that checks every reply. */
class Session {
  readonly board: SimBoard;
  readonly link: BoardLink;
  private seq = 100;
  private readonly decoder = new FrameDecoder({ maxFrameSize: 1 << 20 });
  private readonly chunks = new ChunkAssembler();

  constructor(maxFrameSize = 65536) {
    this.board = new SimBoard({ manifest: manifest("sim-noaccel", { maxFrameSize }) });
    this.link = this.board.openLink();
    this.ok("DEPLOY", encodePayload("DEPLOY", { config: new TextEncoder().encode(JSON.stringify({ format: "fp32", modelBytes: 256 })), module }));
    const b = batch(16);
    const samples = new Uint8Array(16 * 2 + 16 * 4 * 4);
    const view = new DataView(samples.buffer);
    b.labels.forEach((label, k) => view.setUint16(2 * k, label, true));
    b.inputs.forEach((v, i) => view.setFloat32(32 + 4 * i, v, true));
    for (const split of [0, 1]) this.ok("DATA", encodePayload("DATA", { experience: 0, split, encoding: 0, flags: 1, count: 16, features: 4, samples }));
    this.ok("TRAIN", this.trainPayload(3));
  }

  trainPayload(iterations: number): Uint8Array {
    return encodePayload("TRAIN", { experience: 0, iterations, batchSize: 2, seed: 0, flags: 0 });
  }

  nextSeq(): number {
    this.seq = this.seq >= 0xffff ? 1 : this.seq + 1;
    return this.seq;
  }

  /**
   * Feeds bytes; every frame the board sends must decode. Returns the replies, a reply the board sent
   * as CHUNKs (larger than its maximum frame) reassembled into one.
   */
  send(bytes: Uint8Array): Frame[] {
    const replies: Frame[] = [];
    for (const wire of this.link.receive(bytes)) {
      for (const r of this.decoder.push(wire)) {
        if (!("ok" in r)) throw new Error(`the board sent a frame that does not decode: ${r.detail}`);
        if (r.ok.type !== MessageType.CHUNK) {
          replies.push(r.ok);
          continue;
        }
        const piece = this.chunks.push(r.ok.payload);
        if ("error" in piece) throw new Error(`the board sent a bad chunked reply: ${piece.detail}`);
        if ("ok" in piece) replies.push({ type: piece.ok.type, seq: r.ok.seq, payload: piece.ok.payload });
      }
    }
    return replies;
  }

  /** A valid request that must succeed; returns its RESULT body decoded. */
  ok<N extends "HELLO" | "DEPLOY" | "DATA" | "TRAIN" | "EVAL" | "TELEMETRY">(name: N, payload: Uint8Array) {
    let seq = this.nextSeq();
    let replies: Frame[];
    if (needsChunking(payload.length, this.board.maxFrameSize)) {
      const chunks = splitIntoChunks(MessageType[name], payload, this.board.maxFrameSize);
      replies = this.send(encodeFrame({ type: MessageType.CHUNK, seq, payload: chunks[0] }));
      for (const chunk of chunks.slice(1)) replies = this.send(encodeFrame({ type: MessageType.CHUNK, seq: (seq = this.nextSeq()), payload: chunk }));
    } else {
      replies = this.send(encodeFrame({ type: MessageType[name], seq, payload }));
    }
    expect(replies).toHaveLength(1);
    expect(replies[0].seq).toBe(seq);
    const reply = replies[0].payload;
    const result = decodeResult(name, reply);
    if ("error" in result) throw new Error(`${name} failed: ${JSON.stringify(decodeErrorReply(reply))}`);
    return result.ok;
  }

  /** What a host can see of the board and device: unchanged by any rejected frame. */
  observe() {
    const hello = this.ok("HELLO", new Uint8Array(0));
    const evaluated = this.ok("EVAL", encodePayload("EVAL", { experience: 0, flags: 0 }));
    const t = this.ok("TELEMETRY", encodePayload("TELEMETRY", { flags: 0 }));
    return { hello, evaluated, macs: t.macs, memoryUsed: t.memoryUsed, memoryPeak: t.memoryPeak, macsByFormat: t.macsByFormat, deployed: this.board.deployed };
  }
}

/** Asserts that every reply is a frame-level ERROR; untrusted headers are answered with sequence 0 and type 0. */
function expectRejections(replies: Frame[]): void {
  for (const reply of replies) {
    expect(reply.type).toBe(MessageType.ERROR);
    const error = decodeErrorReply(reply.payload);
    if ("error" in error) throw new Error(error.detail);
    expect(FRAME_ERRORS).toContain(error.ok.code);
    if (UNTRUSTED_HEADER.includes(error.ok.code) && error.ok.code !== ErrorCode.OVERSIZE) {
      expect(reply.seq).toBe(NO_SEQUENCE);
      expect(error.ok.requestType).toBe(0);
    }
  }
}

/** Header + payload + CRC for any header values, the CRC computed right (as zlib's CRC-32 would). */
function rawFrame(version: number, type: number, seq: number, length: number, payload: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(8 + payload.length + 4);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, version);
  view.setUint8(1, type);
  view.setUint16(2, seq, true);
  view.setUint32(4, length, true);
  bytes.set(payload, 8);
  view.setUint32(8 + payload.length, crc32(bytes.subarray(0, 8 + payload.length)), true);
  return Uint8Array.from([...cobsEncode(bytes), 0]);
}

const RUNS = { numRuns: 150 };

/** Checks `check` over RUNS cases from `seed` and, after every case, that the host sees the board as before. */
function unchanged<Ts extends unknown[]>(s: Session, seed: number, arbitraries: { [K in keyof Ts]: fc.Arbitrary<Ts[K]> }, check: (...values: Ts) => void): void {
  const before = s.observe();
  fc.assert(
    fc.property(fc.tuple(...arbitraries) as fc.Arbitrary<Ts>, (values) => {
      check(...values);
      expect(s.observe()).toEqual(before);
    }),
    { ...RUNS, seed },
  );
}

describe("the board's frame handling", () => {
  test("random bytes: one ERROR per delimited frame, resynchronisation, no state change", () => {
    const s = new Session();
    unchanged(s, 0x5eed01, [fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 255 }), fc.integer({ min: 1, max: 255 })), { maxLength: 600 })], (values) => {
      const bytes = Uint8Array.from(values);
      const replies = s.send(bytes);
      // Frames are the non-empty runs between delimiters; a run left open is ended by the 0x00 below.
      let delimited = 0;
      let run = 0;
      for (const b of bytes) {
        if (b === 0) {
          if (run > 0) delimited++;
          run = 0;
        } else run++;
      }
      expect(replies).toHaveLength(delimited);
      const tail = s.send(new Uint8Array([0]));
      expect(tail).toHaveLength(run > 0 ? 1 : 0);
      expectRejections([...replies, ...tail]);
    });
  });

  test("a truncated request is rejected, and the next request is answered", () => {
    const s = new Session();
    unchanged(s, 0x5eed02, [fc.integer({ min: 1, max: 200 }), fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true })], (iterations, cut) => {
      const wire = encodeFrame({ type: MessageType.TRAIN, seq: s.nextSeq(), payload: s.trainPayload(iterations) });
      const keep = 1 + Math.floor(cut * (wire.length - 2)); // at least one byte, never the whole frame
      const replies = s.send(Uint8Array.from([...wire.subarray(0, keep), 0]));
      expect(replies).toHaveLength(1);
      expectRejections(replies);
    });
  });

  test("flipped bits in a request are rejected (one ERROR per piece the flips leave) and change nothing", () => {
    const s = new Session();
    unchanged(s, 0x5eed03, [fc.integer({ min: 1, max: 200 }), fc.array(fc.nat(), { minLength: 1, maxLength: 3 })], (iterations, flips) => {
      const wire = encodeFrame({ type: MessageType.TRAIN, seq: s.nextSeq(), payload: s.trainPayload(iterations) });
      const body = wire.slice(0, -1);
      const bits = body.length * 8;
      for (const f of flips) body[Math.floor((f % bits) / 8)] ^= 1 << (f % 8);
      if (body.every((b, i) => b === wire[i])) return; // two flips of one bit cancel out
      const replies = s.send(Uint8Array.from([...body, 0]));
      const pieces = body.reduce((n, b, i) => n + (b === 0 && i > 0 && body[i - 1] !== 0 ? 1 : 0), 0) + (body.at(-1) !== 0 ? 1 : 0);
      expect(replies).toHaveLength(pieces);
      expectRejections(replies);
    });
  });

  test("a header declaring more payload than the maximum frame is OVERSIZE, echoing its sequence number and type", () => {
    const s = new Session(1024);
    unchanged(s, 0x5eed04, [fc.integer({ min: 1024 - 12 + 1, max: 0xffffffff }), fc.integer({ min: 1, max: 0xffff }), fc.uint8Array({ maxLength: 40 })], (length, seq, payload) => {
      const replies = s.send(rawFrame(1, MessageType.TRAIN, seq, length, payload));
      expect(replies).toHaveLength(1);
      expect(replies[0].seq).toBe(seq);
      expect(decodeErrorReply(replies[0].payload)).toMatchObject({ ok: { requestType: MessageType.TRAIN, code: ErrorCode.OVERSIZE } });
    });
  });

  test("more bytes than the maximum frame before a delimiter: one OVERSIZE, the rest dropped up to the delimiter", () => {
    const s = new Session(64);
    unchanged(s, 0x5eed05, [fc.integer({ min: 66, max: 3000 }), fc.integer({ min: 1, max: 255 })], (n, fill) => {
      const replies = s.send(new Uint8Array(n).fill(fill));
      expect(replies).toHaveLength(1);
      expect(decodeErrorReply(replies[0].payload)).toMatchObject({ ok: { code: ErrorCode.OVERSIZE } });
      // A valid TRAIN glued to the flood is dropped with it: nothing runs until the delimiter.
      const train = encodeFrame({ type: MessageType.TRAIN, seq: s.nextSeq(), payload: s.trainPayload(5) });
      expect(s.send(train.subarray(0, -1))).toHaveLength(0);
      expect(s.send(new Uint8Array([0]))).toHaveLength(0);
    });
  });

  test("an unknown message type is UNKNOWN_TYPE and another version BAD_VERSION, both echoing the header", () => {
    const s = new Session();
    const unknown = fc.integer({ min: 0, max: 255 }).filter((t) => MESSAGE_NAMES[t] === undefined);
    unchanged(s, 0x5eed06, [unknown, fc.integer({ min: 0, max: 255 }).filter((v) => v !== 1), fc.integer({ min: 1, max: 0xffff }), fc.uint8Array({ maxLength: 64 })], (type, version, seq, payload) => {
      const [typeReply] = s.send(rawFrame(1, type, seq, payload.length, payload));
      expect(typeReply.seq).toBe(seq);
      expect(decodeErrorReply(typeReply.payload)).toMatchObject({ ok: { requestType: type, code: ErrorCode.UNKNOWN_TYPE } });
      const [versionReply] = s.send(rawFrame(version, MessageType.TRAIN, seq, payload.length, payload));
      expect(decodeErrorReply(versionReply.payload)).toMatchObject({ ok: { requestType: MessageType.TRAIN, code: ErrorCode.BAD_VERSION } });
    });
  });

  test("a header whose length differs from the payload received is BAD_LENGTH", () => {
    const s = new Session();
    unchanged(s, 0x5eed07, [fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 0, max: 1000 })], (payload, length) => {
      fc.pre(length !== payload.length);
      const [reply] = s.send(rawFrame(1, MessageType.TRAIN, s.nextSeq(), length, payload));
      expect(decodeErrorReply(reply.payload)).toMatchObject({ ok: { code: ErrorCode.BAD_LENGTH } });
    });
  });

  test("random payloads of every request type never crash the board: each gets one reply", () => {
    const s = new Session();
    const requests = [MessageType.HELLO, MessageType.DATA, MessageType.TRAIN, MessageType.EVAL, MessageType.TELEMETRY, MessageType.CHECKPOINT, MessageType.RESTORE, MessageType.CHUNK];
    fc.assert(
      fc.property(fc.constantFrom(...requests), fc.uint8Array({ maxLength: 80 }), (type, payload) => {
        const seq = s.nextSeq();
        const replies = s.send(encodeFrame({ type, seq, payload }));
        expect(replies).toHaveLength(1);
        expect(replies[0].seq).toBe(seq);
        expect([MessageType.RESULT, MessageType.ERROR]).toContain(replies[0].type);
      }),
      { ...RUNS, seed: 0x5eed08 },
    );
    // The board still answers after all of them.
    expect(s.observe().hello.board).toBe("sim-noaccel");
  });
});
