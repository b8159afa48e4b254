import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { cobsDecode, cobsEncode, cobsMaxEncodedLength } from "../../host/protocol/cobs.js";
import { fromHex, referenceCobs, toHex } from "./reference.js";

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => (from + i) & 0xff);

// The examples of the "Consistent Overhead Byte Stuffing" article on Wikipedia (encoded form shown
// there with its trailing 0x00 delimiter, which cobsEncode leaves out).
const vectors: Array<[string, number[], number[]]> = [
  ["a single zero", [0x00], [0x01, 0x01]],
  ["two zeros", [0x00, 0x00], [0x01, 0x01, 0x01]],
  ["zero, byte, zero", [0x00, 0x11, 0x00], [0x01, 0x02, 0x11, 0x01]],
  ["a zero in the middle", [0x11, 0x22, 0x00, 0x33], [0x03, 0x11, 0x22, 0x02, 0x33]],
  ["no zero", [0x11, 0x22, 0x33, 0x44], [0x05, 0x11, 0x22, 0x33, 0x44]],
  ["trailing zeros", [0x11, 0x00, 0x00, 0x00], [0x02, 0x11, 0x01, 0x01, 0x01]],
  ["254 non-zero bytes", range(0x01, 0xfe), [0xff, ...range(0x01, 0xfe)]],
  ["a zero then 254 non-zero bytes", [0x00, ...range(0x01, 0xfe)], [0x01, 0xff, ...range(0x01, 0xfe)]],
  ["255 non-zero bytes", range(0x01, 0xff), [0xff, ...range(0x01, 0xfe), 0x02, 0xff]],
  ["254 non-zero bytes then a zero", [...range(0x02, 0xff), 0x00], [0xff, ...range(0x02, 0xff), 0x01, 0x01]],
  ["253 non-zero bytes, a zero, a byte", [...range(0x03, 0xff), 0x00, 0x01], [0xfe, ...range(0x03, 0xff), 0x02, 0x01]],
];

describe("COBS", () => {
  it.each(vectors)("encodes %s as on Wikipedia", (_, data, encoded) => {
    expect(toHex(cobsEncode(Uint8Array.from(data)))).toBe(toHex(Uint8Array.from(encoded)));
  });

  it.each(vectors)("decodes %s as on Wikipedia", (_, data, encoded) => {
    expect(cobsDecode(Uint8Array.from(encoded))).toEqual({ ok: Uint8Array.from(data) });
  });

  it("encodes the empty frame as one code byte", () => {
    expect(toHex(cobsEncode(new Uint8Array(0)))).toBe("01");
    expect(cobsDecode(fromHex("01"))).toEqual({ ok: new Uint8Array(0) });
  });

  it("also accepts the form with an empty block after a final full block", () => {
    expect(cobsDecode(Uint8Array.from([0xff, ...range(0x01, 0xfe), 0x01]))).toEqual({ ok: Uint8Array.from(range(0x01, 0xfe)) });
  });

  it("rejects a frame cut inside a block and a zero inside the encoding", () => {
    expect(cobsDecode(fromHex("05112233"))).toEqual({ error: expect.stringContaining("expected 1 more byte(s)") });
    expect(cobsDecode(fromHex("031100"))).toEqual({ error: expect.stringContaining("offset 2") });
  });

  it("agrees with the segment-wise reference encoder, round-trips, and never uses 0x00", () => {
    // Bias towards zeros and runs near 254 bytes, where the block rules change.
    const data = fc.oneof(
      fc.uint8Array({ maxLength: 700 }),
      fc.array(fc.constantFrom(0, 0, 1, 0xff), { maxLength: 600 }).map((a) => Uint8Array.from(a)),
      fc.tuple(fc.integer({ min: 250, max: 260 }), fc.integer({ min: 0, max: 3 })).map(([run, zeros]) =>
        Uint8Array.from([...Array(run).fill(7), ...Array(zeros).fill(0), ...Array(run).fill(9)]),
      ),
    );
    fc.assert(
      fc.property(data, (bytes) => {
        const encoded = cobsEncode(bytes);
        expect(toHex(encoded)).toBe(toHex(referenceCobs(bytes)));
        expect(encoded.includes(0)).toBe(false);
        expect(encoded.length).toBeLessThanOrEqual(cobsMaxEncodedLength(bytes.length));
        expect(cobsDecode(encoded)).toEqual({ ok: bytes });
      }),
      { seed: 0xc0b5, numRuns: 300 },
    );
  });
});
