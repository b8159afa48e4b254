import { describe, expect, it } from "vitest";
import { crc32 as zlibCrc32 } from "node:zlib";
import { encodeFrame, FrameDecoder, maxWireLength, packFrame } from "../../host/protocol/frame.js";
import { ErrorCode, MessageType } from "../../host/protocol/generated.js";
import { frameCases, hello } from "./cases.js";
import { fromHex, rawFrame, toHex, wire } from "./reference.js";

const bytes = (...b: number[]) => Uint8Array.from(b);

describe("encodeFrame", () => {
  it("lays out a HELLO as header, CRC, COBS and delimiter", () => {
    // Header 01 01 0100 00000000 (version 1, HELLO, seq 1, length 0), then CRC-32 of those 8 bytes.
    const header = fromHex("0101010000000000");
    const crc = zlibCrc32(header);
    const crcBytes = [crc & 0xff, (crc >>> 8) & 0xff, (crc >>> 16) & 0xff, crc >>> 24];
    const packed = packFrame({ type: MessageType.HELLO, seq: 1, payload: new Uint8Array(0) });
    expect(toHex(packed)).toBe(toHex(bytes(...header, ...crcBytes)));
    expect(toHex(encodeFrame({ type: MessageType.HELLO, seq: 1, payload: new Uint8Array(0) }))).toBe(toHex(wire(packed)));
  });

  it("matches the reference encoder for a payload with zeros", () => {
    const payload = bytes(0x00, 0x00, 0x10, 0x27, 0x00, 0x00, 0x80, 0x00, 0x2a, 0x00, 0x00, 0x00);
    const frame = { type: MessageType.TRAIN, seq: 0x1234, payload };
    expect(toHex(encodeFrame(frame))).toBe(toHex(wire(rawFrame(frame))));
  });

  it.each([
    [{ type: 0x42, seq: 1, payload: new Uint8Array(0) }, "expected a message type"],
    [{ type: MessageType.HELLO, seq: 70000, payload: new Uint8Array(0) }, "expected a sequence number that is an integer in [0, 65535], received 70000"],
    [{ type: MessageType.HELLO, seq: 1.5, payload: new Uint8Array(0) }, "received 1.5"],
  ])("refuses %j", (frame, message) => {
    expect(() => encodeFrame(frame as never)).toThrow(message);
  });

  it("refuses a frame larger than the receiver's maximum and names the sizes", () => {
    const frame = { type: MessageType.DEPLOY, seq: 1, payload: new Uint8Array(100) };
    expect(() => encodeFrame(frame, { maxFrameSize: 64 })).toThrow("expected a frame of at most 64 bytes, received 112");
    expect(encodeFrame(frame, { maxFrameSize: 112 }).length).toBeGreaterThan(112);
  });
});

describe("FrameDecoder", () => {
  it.each(frameCases)("decodes %s", (_, stream, expected) => {
    const results = new FrameDecoder({ maxFrameSize: 64 }).push(stream);
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject(expected);
    if ("error" in expected) expect((results[0] as { detail: string }).detail).toMatch(/^expected /);
  });

  it("leaves seq and type out of errors found before the CRC check", () => {
    const [result] = new FrameDecoder().push(wire(rawFrame({ ...hello, crc: 1 })));
    expect(result).toEqual({ error: ErrorCode.BAD_CRC, detail: expect.any(String) });
  });

  it("decodes every case of one stream in order, whatever the chunk boundaries", () => {
    const stream = Uint8Array.from(frameCases.flatMap(([, b]) => [...b]));
    const whole = new FrameDecoder({ maxFrameSize: 64 }).push(stream);
    const decoder = new FrameDecoder({ maxFrameSize: 64 });
    const byteByByte = [...stream].flatMap((b) => decoder.push(bytes(b)));
    expect(byteByByte).toEqual(whole);
    expect(whole).toHaveLength(frameCases.length);
    whole.forEach((result, i) => expect(result).toMatchObject(frameCases[i][2]));
  });

  it("reports an endless frame once, holds no more than the maximum, and resynchronises", () => {
    const decoder = new FrameDecoder({ maxFrameSize: 64 });
    const results = [];
    for (let i = 0; i < 100; i++) {
      results.push(...decoder.push(new Uint8Array(1000).fill(0x55)));
      expect(decoder.buffered).toBeLessThanOrEqual(64);
    }
    expect(results).toEqual([{ error: ErrorCode.OVERSIZE, detail: expect.stringContaining("at most 64 bytes") }]);
    expect(decoder.push(wire(rawFrame(hello)))).toEqual([]); // still inside the endless frame: dropped up to its delimiter
    expect(decoder.push(wire(rawFrame(hello)))).toEqual([{ ok: hello }]);
  });

  it("decodes a frame that follows garbage and its delimiter, and skips empty frames", () => {
    const decoder = new FrameDecoder();
    const results = decoder.push(Uint8Array.from([0x13, 0x37, 0xaa, 0x00, 0x00, 0x00, ...wire(rawFrame(hello))]));
    expect(results).toHaveLength(2);
    expect(results[0]).toHaveProperty("error");
    expect(results[1]).toEqual({ ok: hello });
  });

  it("accepts frames up to its maximum and reports the wire size bound", () => {
    const payload = new Uint8Array(4096 - 12).fill(0xab);
    const encoded = encodeFrame({ type: MessageType.DATA, seq: 65535, payload });
    expect(encoded.length).toBeLessThanOrEqual(maxWireLength(4096));
    expect(new FrameDecoder({ maxFrameSize: 4096 }).push(encoded)).toEqual([{ ok: { type: MessageType.DATA, seq: 65535, payload } }]);
  });

  it.each([0, 63, 64.5, 16777217])("refuses a maximum frame size of %s", (size) => {
    expect(() => new FrameDecoder({ maxFrameSize: size })).toThrow(`expected a maximum frame size that is an integer in [64, 16777216], received ${size}`);
  });
});
