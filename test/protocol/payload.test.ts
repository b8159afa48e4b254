import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  decodeErrorReply,
  decodeFields,
  decodePayload,
  decodeResult,
  encodeErrorReply,
  encodeFields,
  encodePayload,
  encodeResult,
  type FieldSpec,
} from "../../host/protocol/payload.js";
import { ENUMS, ErrorCode, MessageType, PAYLOAD_LAYOUTS, REPLY_LAYOUTS } from "../../host/protocol/generated.js";
import { fromHex, toHex } from "./reference.js";

describe("payload layouts, hand-worked bytes", () => {
  it("TRAIN: experience 1, 2000 iterations, batch 128, seed 42, CONTINUE", () => {
    const values = { experience: 1, iterations: 2000, batchSize: 128, seed: 42, flags: 1 };
    // 0001 | 000007D0 | 0080 | 0000002A | 01, each little-endian.
    const expected = "0100" + "d0070000" + "8000" + "2a000000" + "01";
    expect(toHex(encodePayload("TRAIN", values))).toBe(expected);
    expect(decodePayload("TRAIN", fromHex(expected))).toEqual({ ok: values });
  });

  it("HELLO reply inside RESULT, with two strings", () => {
    const values = { protocolVersion: 1, maxFrameSize: 4096, memoryLimit: 4 * 1024 * 1024, flashSize: 65536, accelPresent: 1, accelFormats: 0b101, runtime: "v8", board: "sim" };
    const hex =
      "01" + // requestType HELLO
      "01" + // protocolVersion
      "00100000" + // maxFrameSize 4096
      "00004000" + // memoryLimit 4 MiB = 0x00400000
      "00000100" + // flashSize 65536 = 0x00010000
      "01" + // accelPresent
      "05000000" + // accelFormats
      "0200" + "7638" + // "v8"
      "0300" + "73696d"; // "sim"
    expect(toHex(encodeResult("HELLO", values))).toBe(hex);
    expect(decodeResult("HELLO", fromHex(hex))).toEqual({ ok: values });
  });

  it("TELEMETRY reply with a list and NaN energy", () => {
    const values = {
      timeUs: 1.5, macs: 2 ** 40, cycles: 0, energyJ: NaN, memoryUsed: 1000, memoryPeak: 2000, memoryLimit: 262144, accelJobs: 3,
      energyAcceleratorJ: NaN, energyMemoryJ: NaN, energyCpuJ: NaN, accelMacs: 0.25, accelUnits: 16,
      fallbackNoAccelerator: 1, fallbackFormat: 2, fallbackRounding: 3, fallbackMode: 4, fallbackEmpty: 5, fallbackRefused: 6,
      cpuMacsExact: 7, cpuMacsExactSr: 2 ** 33 + 1, cpuMacsFast: 0.5, optimizerSteps: 3, lossScaleSkips: 1,
      macsByFormat: [{ format: 0x0305, macs: 10 }, { format: 0x0a0400, macs: 0.5 }],
      modelChecksum: 0xcbf43926,
      health: [{ layer: 2, role: 1, format: 0x0305, values: 10, overflows: 1, underflows: 2, updates: 0, swamped: 0, maxAbs: 448, rangeUsed: 0.5 }],
    };
    const bytes = encodeResult("TELEMETRY", values);
    // requestType + 4 f64 + 4 u32 + 4 f64 + 7 u32 + 5 f64 + u16 count + 2 x (u32 format word + f64) + u32 checksum
    // + u16 count + 1 x (u16 layer + u8 role + u32 format + 7 f64)
    expect(bytes.length).toBe(1 + 32 + 16 + 32 + 28 + 40 + 2 + 2 * 12 + 4 + 2 + 63);
    expect(toHex(bytes.subarray(73, 81))).toBe("000000000000d03f"); // accelMacs 0.25 = 0x3FD0000000000000
    expect(toHex(bytes.subarray(81, 109))).toBe("10000000" + "01000000" + "02000000" + "03000000" + "04000000" + "05000000" + "06000000");
    // CPU MACs by kernel: 7 = 0x401C000000000000, 2^33 + 1 = 0x4200000000080000, 0.5 = 0x3FE0000000000000
    expect(toHex(bytes.subarray(109, 133))).toBe("0000000000001c40" + "0000080000000042" + "000000000000e03f");
    // Steps 3 = 0x4008000000000000 and skips 1 = 0x3FF0000000000000
    expect(toHex(bytes.subarray(133, 149))).toBe("0000000000000840" + "000000000000f03f");
    expect(toHex(bytes.subarray(149, 151))).toBe("0200");
    expect(toHex(bytes.subarray(151, 163))).toBe("05030000" + "0000000000002440"); // 10.0 = 0x4024000000000000
    expect(toHex(bytes.subarray(175, 179))).toBe("2639f4cb"); // modelChecksum after the list, little-endian
    // The health list: one item, layer 2, role 1, the format word, then values 10.0 first of its f64s.
    expect(toHex(bytes.subarray(179, 196))).toBe("0100" + "0200" + "01" + "05030000" + "0000000000002440");
    expect(toHex(bytes.subarray(236, 244))).toBe("000000000000e03f"); // rangeUsed 0.5, the item's last field
    expect(decodeResult("TELEMETRY", bytes)).toEqual({ ok: values });
  });

  it("ERROR reply: request type, code, message", () => {
    const bytes = encodeErrorReply(MessageType.DEPLOY, ErrorCode.UNKNOWN_FORMAT, "expected a format, received \"e9m9\"");
    expect(toHex(bytes.subarray(0, 5))).toBe("02" + "2300" + "2200"); // DEPLOY, code 35, 34 bytes of message
    expect(decodeErrorReply(bytes)).toEqual({ ok: { requestType: 2, code: 35, message: "expected a format, received \"e9m9\"" } });
  });

  it("DEPLOY: length-prefixed config bytes, then the module to the end", () => {
    const bytes = encodePayload("DEPLOY", { config: Uint8Array.from([1, 0, 0, 0, 0xff, 0xfe]), module: Uint8Array.from([0, 0x61, 0x73, 0x6d]) });
    // u32 count 6, the six bytes, then the module with no count.
    expect(toHex(bytes)).toBe("06000000" + "01000000fffe" + "0061736d");
  });
});

describe("payload checks", () => {
  it.each([
    ["TRAIN", { experience: 70000, iterations: 1, batchSize: 1, seed: 1, flags: 0 }, "expected TRAIN payload field experience to be an integer in [0, 65535] (u16), received 70000"],
    ["TRAIN", { experience: 1, iterations: -1, batchSize: 1, seed: 1, flags: 0 }, "field iterations to be an integer in [0, 4294967295] (u32), received -1"],
    ["EVAL", { experience: 0 }, "field flags to be an integer in [0, 255] (u8), received undefined"],
    ["EVAL", { experience: 0, flags: 2 }, "expected flags to combine only the EvalFlag bits TASK_MASK (1), received 2"],
    ["DATA", { experience: 0, split: 2, encoding: 0, flags: 0, count: 0, features: 0, samples: new Uint8Array(0) }, "expected split to be one of TRAIN (0), TEST (1), received 2"],
    ["DEPLOY", { config: 5, module: new Uint8Array(0) }, "expected DEPLOY payload field config to be a Uint8Array, received number"],
  ])("encoding %s %j throws a message naming the field", (name, values, message) => {
    expect(() => encodePayload(name as never, values as never)).toThrow(message);
  });

  it.each([
    ["a short payload", "TRAIN", "0100d007", "expected 4 byte(s) for TRAIN payload field iterations at offset 2, received 2"],
    ["trailing bytes", "EVAL", "05000000", "expected 3 bytes of EVAL payload, received 4"],
    ["an unknown split", "DATA", "0000" + "07" + "00" + "00" + "00000000" + "00000000", "expected split to be one of TRAIN (0), TEST (1), received 7"],
    ["a string length past the end", "ERROR", "01" + "0300" + "ff00" + "4142", "expected 255 byte(s) for ERROR payload field message at offset 5, received 2"],
    ["bytes that are not UTF-8", "ERROR", "01" + "0300" + "0200" + "c328", "expected ERROR payload field message to be UTF-8"],
  ])("decoding %s reports BAD_PAYLOAD", (_, name, hex, detail) => {
    expect(decodePayload(name as never, fromHex(hex))).toEqual({ error: ErrorCode.BAD_PAYLOAD, detail: expect.stringContaining(detail) });
  });

  it("refuses a RESULT answering another request", () => {
    const result = encodeResult("EVAL", { correct: 1, total: 2, meanLoss: 0.5 });
    expect(decodeResult("TRAIN", result)).toEqual({ error: ErrorCode.BAD_PAYLOAD, detail: "expected a RESULT answering TRAIN, received one answering EVAL" });
  });

});

// Arbitrary values for any layout, drawn from the layout table itself.
function valuesArb(layout: readonly FieldSpec[]): fc.Arbitrary<Record<string, unknown>> {
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  for (const field of layout) {
    if (field.enum) {
      const { kind, values } = ENUMS[field.enum];
      const allowed = Object.values(values) as number[];
      record[field.name] = kind === "values" ? fc.constantFrom(...allowed) : fc.subarray(allowed).map((bits) => bits.reduce((a, b) => a | b, 0));
      continue;
    }
    record[field.name] = {
      u8: fc.integer({ min: 0, max: 0xff }),
      u16: fc.integer({ min: 0, max: 0xffff }),
      u32: fc.integer({ min: 0, max: 0xffffffff }),
      i32: fc.integer({ min: -0x80000000, max: 0x7fffffff }),
      f32: fc.float({ noDefaultInfinity: false }),
      f64: fc.double(),
      str: fc.string({ unit: "grapheme", maxLength: 20 }),
      text: fc.string({ unit: "grapheme", maxLength: 60 }),
      bytes: fc.uint8Array({ maxLength: 40 }),
      rest: fc.uint8Array({ maxLength: 40 }),
      list: fc.array(valuesArb(field.of ?? []), { maxLength: 5 }),
    }[field.type];
  }
  return fc.record(record);
}

const layouts: Array<[string, readonly FieldSpec[]]> = [
  ...Object.entries(PAYLOAD_LAYOUTS).map(([n, l]) => [`${n} payload`, l] as [string, readonly FieldSpec[]]),
  ...Object.entries(REPLY_LAYOUTS).map(([n, l]) => [`${n} reply`, l] as [string, readonly FieldSpec[]]),
];

describe("payload properties", () => {
  it.each(layouts)("%s round-trips, and no shorter prefix throws", (name, layout) => {
    fc.assert(
      fc.property(valuesArb(layout), (values) => {
        const encoded = encodeFields(layout, values as never);
        expect(decodeFields(layout, encoded)).toEqual({ ok: values });
        const hasRest = layout.some((f) => f.type === "rest");
        for (let cut = 0; cut < encoded.length; cut++) {
          const result = decodeFields(layout, encoded.subarray(0, cut));
          // Without a trailing "rest" field, a prefix always lacks a field; with one, it may still decode.
          if (!hasRest) expect(result).toEqual({ error: ErrorCode.BAD_PAYLOAD, detail: expect.stringContaining("expected") });
          else expect("ok" in result || result.error === ErrorCode.BAD_PAYLOAD).toBe(true);
        }
      }),
      { seed: name.length * 7919, numRuns: 60 },
    );
  });
});
