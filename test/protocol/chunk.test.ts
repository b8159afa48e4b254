import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ChunkAssembler, chunkCapacity, needsChunking, splitIntoChunks, type ChunkResult } from "../../host/protocol/chunk.js";
import { encodeFrame, FrameDecoder } from "../../host/protocol/frame.js";
import { ErrorCode, MessageType } from "../../host/protocol/generated.js";
import { decodePayload, encodePayload } from "../../host/protocol/payload.js";

const payloadOf = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
const chunk = (v: { innerType?: number; index: number; count: number; total: number; offset: number; data: Uint8Array }) =>
  encodePayload("CHUNK", { innerType: MessageType.DEPLOY, ...v });

function feed(assembler: ChunkAssembler, chunks: Uint8Array[]): ChunkResult[] {
  return chunks.map((c) => assembler.push(c));
}

describe("splitIntoChunks", () => {
  it("fills each 64-byte frame with 64 - 12 - 17 = 35 bytes of data", () => {
    expect(chunkCapacity(64)).toBe(35);
    const chunks = splitIntoChunks(MessageType.DEPLOY, payloadOf(100), 64);
    const fields = chunks.map((c) => decodePayload("CHUNK", c));
    // 100 bytes = 35 + 35 + 30.
    expect(fields.map((f) => ("ok" in f ? [f.ok.index, f.ok.count, f.ok.total, f.ok.offset, f.ok.data.length] : f))).toEqual([
      [0, 3, 100, 0, 35],
      [1, 3, 100, 35, 35],
      [2, 3, 100, 70, 30],
    ]);
    for (const c of chunks) expect(c.length + 12).toBeLessThanOrEqual(64);
  });

  it("says when a payload needs chunking", () => {
    expect(needsChunking(52, 64)).toBe(false);
    expect(needsChunking(53, 64)).toBe(true);
  });

  it("refuses CHUNK as the inner type and a frame size below the protocol minimum", () => {
    expect(() => splitIntoChunks(MessageType.CHUNK, payloadOf(10), 64)).toThrow("not CHUNK");
    expect(() => splitIntoChunks(MessageType.DEPLOY, payloadOf(10), 40)).toThrow("expected a maximum frame size that is an integer in [64, 16777216], received 40");
  });
});

describe("ChunkAssembler", () => {
  const chunks = splitIntoChunks(MessageType.DEPLOY, payloadOf(100), 64);

  it("rebuilds the message and acknowledges each piece with the bytes so far", () => {
    expect(feed(new ChunkAssembler(), chunks)).toEqual([
      { pending: { received: 35, total: 100 } },
      { pending: { received: 70, total: 100 } },
      { ok: { type: MessageType.DEPLOY, payload: payloadOf(100) } },
    ]);
  });

  it.each([
    ["a missing chunk", [chunks[0], chunks[2]], "missing", "expected chunk 1 of 3, received chunk 2"],
    ["a repeated chunk", [chunks[0], chunks[0]], "duplicate", "expected chunk 1 of 3, received chunk 0 again"],
    ["a transfer that does not start at 0", [chunks[1]], "missing", "expected chunk 0 to start a transfer"],
    ["a changed total", [chunks[0], chunk({ index: 1, count: 3, total: 101, offset: 35, data: payloadOf(35) })], "mismatch", "transfer of 3 chunks and 100 bytes"],
    ["a changed inner type", [chunks[0], chunk({ innerType: MessageType.DATA, index: 1, count: 3, total: 100, offset: 35, data: payloadOf(35) })], "mismatch", "received one of DATA"],
    ["a wrong offset", [chunks[0], chunk({ index: 1, count: 3, total: 100, offset: 36, data: payloadOf(35) })], "offset", "expected chunk 1 at offset 35, received offset 36"],
    ["data past the total", [chunk({ index: 0, count: 1, total: 10, offset: 0, data: payloadOf(11) })], "overrun", "expected at most 10 more byte(s) in chunk 0, received 11"],
    ["a last chunk short of the total", [chunk({ index: 0, count: 2, total: 10, offset: 0, data: payloadOf(4) }), chunk({ index: 1, count: 2, total: 10, offset: 4, data: payloadOf(4) })], "short", "expected 10 bytes when the last chunk arrived, received 8"],
    ["an empty chunk", [chunk({ index: 0, count: 2, total: 10, offset: 0, data: new Uint8Array(0) })], "empty", "received none"],
    ["index not below count", [chunk({ index: 3, count: 3, total: 10, offset: 0, data: payloadOf(4) })], "bad-index", "expected chunk index below count 3, received 3"],
    ["count 0", [chunk({ index: 0, count: 0, total: 10, offset: 0, data: payloadOf(4) })], "bad-index", "below count 0"],
    ["CHUNK inside CHUNK", [chunk({ innerType: MessageType.CHUNK, index: 0, count: 1, total: 1, offset: 0, data: payloadOf(1) })], "bad-type", "received 0x10"],
    ["an unknown inner type", [chunk({ innerType: 0x42, index: 0, count: 1, total: 1, offset: 0, data: payloadOf(1) })], "bad-type", "received 0x42"],
    ["a payload shorter than the CHUNK header", [Uint8Array.from([2, 0, 0])], "malformed", "CHUNK payload"],
  ])("refuses %s with BAD_CHUNK", (_, pieces, problem, detail) => {
    const assembler = new ChunkAssembler();
    const results = feed(assembler, pieces as Uint8Array[]);
    expect(results.at(-1)).toEqual({ error: ErrorCode.BAD_CHUNK, problem, detail: expect.stringContaining(detail) });
    expect(assembler.open).toBe(false);
    // The transfer is aborted: the sender starts again at chunk 0 and succeeds.
    expect(feed(assembler, chunks).at(-1)).toEqual({ ok: { type: MessageType.DEPLOY, payload: payloadOf(100) } });
  });

  it("refuses a transfer larger than the receiver holds with DOES_NOT_FIT, before storing anything", () => {
    const assembler = new ChunkAssembler({ maxTotal: 99 });
    expect(assembler.push(chunks[0])).toEqual({ error: ErrorCode.DOES_NOT_FIT, problem: "too-large", detail: "expected a message of at most 99 bytes, received a transfer of 100" });
    expect(assembler.open).toBe(false);
  });

  it("takes a forged 4 GiB total without allocating it", () => {
    const assembler = new ChunkAssembler();
    expect(assembler.push(chunk({ index: 0, count: 2, total: 0xffffffff, offset: 0, data: payloadOf(4) }))).toEqual({ pending: { received: 4, total: 0xffffffff } });
    assembler.abort();
    expect(assembler.open).toBe(false);
  });

  it("transfers an empty payload as one empty chunk", () => {
    expect(feed(new ChunkAssembler(), splitIntoChunks(MessageType.RESULT, new Uint8Array(0), 64))).toEqual([{ ok: { type: MessageType.RESULT, payload: new Uint8Array(0) } }]);
  });

  it("round-trips any payload through frames no larger than the maximum", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 64, max: 600 }), fc.nat(255), (length, maxFrameSize, seed) => {
        const payload = payloadOf(length, seed);
        const decoder = new FrameDecoder({ maxFrameSize });
        const assembler = new ChunkAssembler();
        let last: ChunkResult | undefined;
        splitIntoChunks(MessageType.DATA, payload, maxFrameSize).forEach((c, i) => {
          const [frame] = decoder.push(encodeFrame({ type: MessageType.CHUNK, seq: i + 1, payload: c }, { maxFrameSize }));
          if (!("ok" in frame)) throw new Error(frame.detail);
          last = assembler.push(frame.ok.payload);
        });
        expect(last).toEqual({ ok: { type: MessageType.DATA, payload } });
      }),
      { seed: 0xc4c, numRuns: 200 },
    );
  });

  it("never completes a transfer with a chunk dropped or repeated inside it", () => {
    fc.assert(
      fc.property(fc.integer({ min: 36, max: 2000 }), fc.nat(), fc.boolean(), (length, which, repeat) => {
        const pieces = splitIntoChunks(MessageType.DEPLOY, payloadOf(length), 64);
        const at = which % pieces.length;
        const altered = repeat ? [...pieces.slice(0, at + 1), pieces[at], ...pieces.slice(at + 1)] : [...pieces.slice(0, at), ...pieces.slice(at + 1)];
        const results = feed(new ChunkAssembler(), altered);
        if (repeat && at === pieces.length - 1) {
          // The transfer completed; its last chunk sent again is no start of a new one.
          expect(results.slice(-2)).toEqual([{ ok: { type: MessageType.DEPLOY, payload: payloadOf(length) } }, expect.objectContaining({ problem: "missing" })]);
          return;
        }
        expect(results.some((r) => "ok" in r)).toBe(false);
        if (!repeat && at === pieces.length - 1) {
          // Without its last chunk a transfer stays open: nothing tells the receiver it ended.
          expect(results.at(-1)).toHaveProperty("pending");
        } else {
          expect(results.find((r) => "error" in r)).toMatchObject({ error: ErrorCode.BAD_CHUNK, problem: repeat ? "duplicate" : "missing" });
        }
      }),
      { seed: 0xd00b, numRuns: 200 },
    );
  });
});
