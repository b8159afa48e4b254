// The example frames in docs/protocol.md are right: their CRC is zlib's, their wire bytes are what an
// independent COBS encoder gives, and the decoder reads them back.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { crc32 as zlibCrc32 } from "node:zlib";
import { encodeFrame, FrameDecoder } from "../../host/protocol/frame.js";
import { MessageType } from "../../host/protocol/generated.js";
import { decodePayload, decodeResult } from "../../host/protocol/payload.js";
import { fromHex, referenceCobs, toHex } from "./reference.js";

const doc = readFileSync(join(import.meta.dirname, "..", "..", "docs/protocol.md"), "utf8");
const examples = [...doc.matchAll(/^(\w+) seq (\d+)\nbefore COBS: ([0-9a-f ]+)\non the wire: ([0-9a-f ]+)$/gm)].map((m) => ({
  name: m[1],
  seq: Number(m[2]),
  packed: fromHex(m[3]),
  wire: fromHex(m[4]),
}));

describe("docs/protocol.md examples", () => {
  it("has the HELLO, TRAIN and RESULT examples", () => {
    expect(examples.map((e) => `${e.name} ${e.seq}`)).toEqual(["HELLO 1", "TRAIN 2", "RESULT 2"]);
  });

  it.each(examples)("$name seq $seq: CRC, COBS and decoding agree", ({ name, seq, packed, wire }) => {
    const body = packed.subarray(0, packed.length - 4);
    expect(new DataView(packed.buffer).getUint32(packed.length - 4, true)).toBe(zlibCrc32(body));
    expect(toHex(wire)).toBe(toHex(Uint8Array.from([...referenceCobs(packed), 0])));
    const payload = packed.slice(8, packed.length - 4);
    const frame = { type: MessageType[name as keyof typeof MessageType], seq, payload };
    expect(new FrameDecoder().push(wire)).toEqual([{ ok: frame }]);
    expect(toHex(encodeFrame(frame))).toBe(toHex(wire));
  });

  it("says what the prose says about them", () => {
    const [hello, train, result] = examples;
    expect(zlibCrc32(hello.packed.subarray(0, 8))).toBe(0xc4a307e6);
    expect(decodePayload("TRAIN", train.packed.slice(8, -4))).toEqual({ ok: { experience: 0, iterations: 2000, batchSize: 128, seed: 42, flags: 0 } });
    expect(decodeResult("TRAIN", result.packed.slice(8, -4))).toEqual({ ok: { iterations: 2000, meanLoss: 0.5, lastLoss: 0.25, precisionSwitches: 0, switches: [] } });
  });
});
