// The firmware's framing (firmware/src/frame.c, crc32.c) built for the host with gcc, under address
// and undefined-behaviour sanitizers, and held to the same table and the same decisions as the
// TypeScript decoder: identical accept/reject decisions and error codes on every stream, and
// byte-identical encodings.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeFrame, FrameDecoder, type DecodeResult, type Frame } from "../../host/protocol/frame.js";
import { MESSAGE_NAMES, type MessageTypeCode } from "../../host/protocol/generated.js";
import { frameCases, hello, type Expected } from "./cases.js";
import { rawFrame, toHex, wire } from "./reference.js";

const root = join(import.meta.dirname, "..", "..");
const CFLAGS = ["-std=c99", "-pedantic", "-Wall", "-Wextra", "-Wconversion", "-Werror", "-g", "-fsanitize=address,undefined", "-fno-sanitize-recover=all"];
const sources = ["firmware/src/frame.c", "firmware/src/crc32.c", "test/protocol/frame_harness.c"].map((s) => join(root, s));
const includes = ["-I", join(root, "firmware/include"), "-I", join(root, "firmware/src")];
const env = { ...process.env, ASAN_OPTIONS: "detect_leaks=0" };

let dir = "";
let harness = "";

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "edgecl-frame-c-"));
  harness = join(dir, "frame_harness");
  execFileSync("gcc", [...CFLAGS, ...includes, ...sources, "-o", harness], { stdio: "pipe" });
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function runHarness(args: string[], input: Uint8Array | string): string[] {
  const out = spawnSync(harness, args, { input, env, maxBuffer: 64 << 20 });
  if (out.status !== 0) throw new Error(`frame_harness ${args.join(" ")} exited ${out.status}: ${out.stderr.toString()}`);
  return out.stdout.toString().split("\n").filter((l) => l.length > 0);
}

/** A decoder result in the harness's line format. */
function line(r: DecodeResult | Expected): string {
  if ("ok" in r) return `ok ${r.ok.type} ${r.ok.seq} ${r.ok.payload.length ? toHex(r.ok.payload) : "-"}`;
  return r.seq === undefined ? `err ${r.error} - -` : `err ${r.error} ${r.seq} ${r.type}`;
}

const knownTypes = Object.keys(MESSAGE_NAMES).map(Number) as MessageTypeCode[];
const frameArb: fc.Arbitrary<Frame> = fc.record({
  type: fc.constantFrom(...knownTypes),
  seq: fc.integer({ min: 0, max: 0xffff }),
  payload: fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.array(fc.constantFrom(0, 0xff, 1), { maxLength: 300 }).map((a) => Uint8Array.from(a))),
});

// Valid frames, frames corrupted in every way the decoder distinguishes, and garbage, in one stream.
const pieceArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  frameArb.map((f) => encodeFrame(f)),
  fc.tuple(frameArb, fc.array(fc.nat(), { minLength: 1, maxLength: 3 })).map(([f, flips]) => {
    const b = encodeFrame(f);
    for (const x of flips) b[(x >>> 3) % b.length] ^= 1 << (x & 7);
    return b;
  }),
  fc.tuple(frameArb, fc.nat()).map(([f, cut]) => {
    const b = encodeFrame(f);
    return Uint8Array.from([...b.subarray(0, cut % b.length), 0]);
  }),
  fc.tuple(frameArb, fc.integer({ min: 0, max: 0xffffffff })).map(([f, length]) => wire(rawFrame({ ...f, length }))),
  fc.tuple(frameArb, fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 })).map(([f, type, version]) => wire(rawFrame({ ...f, type, version }))),
  fc.uint8Array({ maxLength: 400 }),
);

describe("firmware framing (C)", () => {
  it('computes the CRC-32 check value of "123456789"', () => {
    expect(runHarness(["crc"], "123456789")).toEqual(["cbf43926"]);
  });

  it("gives the result the table expects for every hand-built frame", () => {
    const stream = Uint8Array.from(frameCases.flatMap(([, b]) => [...b]));
    expect(runHarness(["decode", "64"], stream)).toEqual(frameCases.map(([, , expected]) => line(expected)));
  });

  it("makes the same decision as the TypeScript decoder on random streams", () => {
    const streams = fc.sample(fc.array(pieceArb, { maxLength: 20 }), { seed: 0xc0de, numRuns: 150 });
    for (const maxFrameSize of [64, 300]) {
      const stream = Uint8Array.from(streams.flatMap((pieces) => pieces.flatMap((p) => [...p])));
      const expected = new FrameDecoder({ maxFrameSize }).push(stream).map(line);
      const received = runHarness(["decode", String(maxFrameSize)], stream);
      expect(received.length).toBe(expected.length);
      expect(received).toEqual(expected);
      // The streams must really exercise both outcomes and several error codes.
      expect(new Set(expected.map((l) => l.split(" ").slice(0, 2).join(" "))).size).toBeGreaterThan(6);
    }
  });

  it("reports an endless frame once and resynchronises", () => {
    const stream = Uint8Array.from([...new Uint8Array(10000).fill(0x41), 0, ...encodeFrame(hello)]);
    expect(runHarness(["decode", "64"], stream)).toEqual(["err 6 - -", line({ ok: hello })]);
  });

  it("encodes every frame byte for byte as the TypeScript encoder does", () => {
    const frames = fc.sample(frameArb, { seed: 0xe4c0, numRuns: 300 });
    // Frames whose last run of non-zero bytes is a whole number of full COBS blocks: there the
    // canonical encoding has no empty block at the end, where a careless encoder adds one.
    let fullBlockEndings = 0;
    for (let n = 230; n <= 530; n++) {
      const frame: Frame = { type: knownTypes[2], seq: 0x0101, payload: new Uint8Array(n).fill(0x11) };
      const packed = rawFrame(frame);
      const run = packed.length - 1 - packed.lastIndexOf(0);
      if (run % 254 === 0) fullBlockEndings++;
      frames.push(frame);
    }
    expect(fullBlockEndings).toBeGreaterThan(0);
    const input = frames.map((f) => `${f.type} ${f.seq} ${f.payload.length ? toHex(f.payload) : "-"}`).join("\n") + "\n";
    expect(runHarness(["encode"], input)).toEqual(frames.map((f) => toHex(encodeFrame(f))));
  });
});

describe("generated C header", () => {
  it("compiles as C11, where the size checks are _Static_assert", () => {
    execFileSync("gcc", ["-std=c11", "-pedantic", "-Wall", "-Wextra", "-Werror", ...includes, "-fsyntax-only", join(root, "firmware/src/frame.c")], { stdio: "pipe" });
  });

  it.each(["c99", "c11"])("stops a %s build when a layout constant is edited by hand", (std) => {
    const header = readFileSync(join(root, "firmware/include/edgecl_protocol.h"), "utf8");
    const tampered = header.replace("#define EDGECL_TRAIN_FLAGS_OFFSET 12u", "#define EDGECL_TRAIN_FLAGS_OFFSET 13u");
    expect(tampered).not.toBe(header);
    const bad = join(dir, `tampered-${std}`);
    execFileSync("mkdir", ["-p", bad]);
    writeFileSync(join(bad, "edgecl_protocol.h"), tampered);
    writeFileSync(join(bad, "use.c"), '#include "edgecl_protocol.h"\nint edgecl_unused;\n');
    const result = spawnSync("gcc", [`-std=${std}`, "-fsyntax-only", "-I", bad, join(bad, "use.c")]);
    expect(result.status).not.toBe(0);
    if (std === "c11") expect(result.stderr.toString()).toContain("TRAIN layout is contiguous");
  });
});
