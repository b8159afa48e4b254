// Property-based tests of the frame decoder: whatever arrives, every delimited frame ends in one
// result, either an error or exactly the frame that was sent; nothing throws; and a valid frame after
// a delimiter always decodes. Fixed seeds make every run draw the same cases.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { encodeFrame, FrameDecoder, type DecodeResult, type Frame } from "../../host/protocol/frame.js";
import { ERROR_NAMES, MESSAGE_NAMES, type MessageTypeCode } from "../../host/protocol/generated.js";
import { rawFrame, wire } from "./reference.js";

const MAX = 256;
const RUNS = { numRuns: 300 };
const knownTypes = Object.keys(MESSAGE_NAMES).map(Number) as MessageTypeCode[];

const frameArb: fc.Arbitrary<Frame> = fc.record({
  type: fc.constantFrom(...knownTypes),
  seq: fc.integer({ min: 0, max: 0xffff }),
  // Zero-heavy and 0xFF-heavy payloads exercise COBS block boundaries.
  payload: fc.oneof(
    fc.uint8Array({ maxLength: MAX - 12 }),
    fc.array(fc.constantFrom(0, 0xff, 1), { maxLength: MAX - 12 }).map((a) => Uint8Array.from(a)),
  ),
});

const sentinel: Frame = { type: knownTypes[0], seq: 4242, payload: Uint8Array.from([0, 1, 2, 0]) };

function decodeAll(decoder: FrameDecoder, stream: Uint8Array, splits: number[]): DecodeResult[] {
  // Feed the stream in pieces cut at the drawn positions, as a serial port would deliver it.
  const cuts = [...new Set(splits.map((s) => s % (stream.length + 1)))].sort((a, b) => a - b);
  const out: DecodeResult[] = [];
  let from = 0;
  for (const cut of [...cuts, stream.length]) {
    out.push(...decoder.push(stream.subarray(from, cut)));
    from = cut;
  }
  return out;
}

/** Every result is a known error code with a detail, or a frame equal to `sent`. */
function expectRejectedOrIdentical(results: DecodeResult[], sent: Frame | null): void {
  for (const r of results) {
    if ("ok" in r) {
      expect(sent).not.toBeNull();
      expect(r.ok).toEqual(sent);
    } else {
      expect(ERROR_NAMES[r.error]).toBeDefined();
      expect(r.detail).toMatch(/^expected /);
    }
  }
}

/** After anything at all, a delimiter and a valid frame give that frame as the last result. */
function expectResync(decoder: FrameDecoder): void {
  const results = decoder.push(Uint8Array.from([0, ...encodeFrame(sentinel)]));
  expect(results.at(-1)).toEqual({ ok: sentinel });
  expect(decoder.buffered).toBe(0);
}

describe("FrameDecoder properties", () => {
  it("round-trips any frame, in any chunking", () => {
    fc.assert(
      fc.property(frameArb, fc.array(fc.nat(), { maxLength: 6 }), (frame, splits) => {
        const results = decodeAll(new FrameDecoder({ maxFrameSize: MAX }), encodeFrame(frame), splits);
        expect(results).toEqual([{ ok: frame }]);
      }),
      { seed: 0xf4a3e1, ...RUNS },
    );
  });

  it("never throws on random bytes, rejects or decodes correctly, and resynchronises", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.array(fc.nat(), { maxLength: 6 }), (garbage, splits) => {
        const decoder = new FrameDecoder({ maxFrameSize: MAX });
        const results = decodeAll(decoder, garbage, splits);
        // A random frame passes CRC-32 with probability 2^-32, so with these seeds nothing decodes.
        expectRejectedOrIdentical(results, null);
        expect(decoder.buffered).toBeLessThanOrEqual(MAX);
        expectResync(decoder);
      }),
      { seed: 0x6a4ba6e, ...RUNS },
    );
  });

  it("rejects a truncated frame and decodes the next one", () => {
    fc.assert(
      fc.property(frameArb, fc.nat(), (frame, cutAt) => {
        const encoded = encodeFrame(frame);
        const cut = cutAt % (encoded.length - 1); // keep at most all but the last encoded byte
        const decoder = new FrameDecoder({ maxFrameSize: MAX });
        const results = decoder.push(Uint8Array.from([...encoded.subarray(0, cut), 0]));
        expect(results.length).toBeLessThanOrEqual(1);
        for (const r of results) expect(r).toHaveProperty("error");
        expectResync(decoder);
      }),
      { seed: 0x7e0c, ...RUNS },
    );
  });

  it("turns bit flips into errors, never into a different frame, and resynchronises", () => {
    fc.assert(
      fc.property(frameArb, fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), (frame, flips) => {
        const encoded = encodeFrame(frame);
        for (const f of flips) encoded[(f >>> 3) % encoded.length] ^= 1 << (f & 7);
        const decoder = new FrameDecoder({ maxFrameSize: MAX });
        const results = decoder.push(encoded);
        expectRejectedOrIdentical(results, frame);
        // The flips may have removed the delimiter; expectResync sends one first.
        expectResync(decoder);
      }),
      { seed: 0xb17f11, ...RUNS },
    );
  });

  it("rejects a declared length beyond the maximum with OVERSIZE", () => {
    fc.assert(
      fc.property(frameArb, fc.integer({ min: MAX - 11, max: 0xffffffff }), (frame, length) => {
        const decoder = new FrameDecoder({ maxFrameSize: MAX });
        const results = decoder.push(wire(rawFrame({ ...frame, length })));
        expect(results).toEqual([{ error: 6, detail: expect.stringContaining(`declaring ${length}`), seq: frame.seq, type: frame.type }]);
        expectResync(decoder);
      }),
      { seed: 0x0e75, ...RUNS },
    );
  });

  it("rejects frames longer than the maximum while holding at most the maximum", () => {
    fc.assert(
      fc.property(fc.integer({ min: MAX - 11, max: 3 * MAX }), fc.integer({ min: 0, max: 0xffff }), (length, seq) => {
        const decoder = new FrameDecoder({ maxFrameSize: MAX });
        const results = decoder.push(wire(rawFrame({ type: knownTypes[1], seq, payload: new Uint8Array(length).fill(0x5a) })));
        expect(results).toEqual([{ error: 6, detail: expect.any(String) }]);
        expectResync(decoder);
      }),
      { seed: 0x512e, numRuns: 100 },
    );
  });

  it("rejects unknown types with UNKNOWN_TYPE and the trusted seq", () => {
    const unknown = fc.integer({ min: 0, max: 255 }).filter((t) => MESSAGE_NAMES[t] === undefined);
    fc.assert(
      fc.property(frameArb, unknown, (frame, type) => {
        const decoder = new FrameDecoder({ maxFrameSize: MAX });
        const results = decoder.push(wire(rawFrame({ ...frame, type })));
        expect(results).toEqual([{ error: 5, detail: expect.any(String), seq: frame.seq, type }]);
        expectResync(decoder);
      }),
      { seed: 0x7e9e, ...RUNS },
    );
  });

  it("decodes every valid frame of a stream mixing valid frames and garbage", () => {
    const piece = fc.oneof(frameArb.map((f) => ({ frame: f as Frame | null, bytes: encodeFrame(f) })), fc.uint8Array({ minLength: 1, maxLength: 80 }).map((g) => ({ frame: null, bytes: Uint8Array.from([...g, 0]) })));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const stream = Uint8Array.from(pieces.flatMap((p) => [...p.bytes]));
        const decoded = new FrameDecoder({ maxFrameSize: MAX }).push(stream).filter((r): r is { ok: Frame } => "ok" in r).map((r) => r.ok);
        expect(decoded).toEqual(pieces.filter((p) => p.frame !== null).map((p) => p.frame));
      }),
      { seed: 0x313c, numRuns: 200 },
    );
  });
});
