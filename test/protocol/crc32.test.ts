import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { crc32 as zlibCrc32 } from "node:zlib";
import { crc32 } from "../../host/protocol/crc32.js";
import { CRC32_CHECK } from "../../host/protocol/generated.js";

const ascii = (s: string) => new TextEncoder().encode(s);

describe("crc32", () => {
  it('gives the catalogue check value 0xCBF43926 for "123456789"', () => {
    // Check value of CRC-32/ISO-HDLC in the CRC RevEng catalogue (Greg Cook).
    expect(crc32(ascii("123456789"))).toBe(0xcbf43926);
    expect(CRC32_CHECK).toBe(0xcbf43926);
  });

  it.each([
    ["", 0x00000000],
    ["a", 0xe8b7be43],
    ["abc", 0x352441c2],
    ["The quick brown fox jumps over the lazy dog", 0x414fa339],
  ])("matches the published value for %j", (text, expected) => {
    expect(crc32(ascii(text))).toBe(expected);
  });

  it("matches zlib.crc32 on random inputs, whole and continued", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.nat(600), (bytes, cut) => {
        const at = Math.min(cut, bytes.length);
        expect(crc32(bytes)).toBe(zlibCrc32(bytes));
        expect(crc32(bytes.subarray(at), crc32(bytes.subarray(0, at)))).toBe(zlibCrc32(bytes));
      }),
      { seed: 0x0c4c32, numRuns: 300 },
    );
  });
});
