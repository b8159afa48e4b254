// Shared pieces of the firmware tests: one test file's setup (a scratch directory, the fixture modules,
// the images it boots), images built for a board manifest around a fixture module, a frame-level link to the firmware on QEMU (every reply frame, chunked replies reassembled),
// the simulated board as the reference for the same bytes, and independent references (FNV-1a, the
// pattern image of fixtures/serve.wat).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect } from "vitest";
import { BoardError } from "../../host/client/errors.js";
import { loadBoard, readManifest, type BoardManifest } from "../../host/manifest/manifest.js";
import { buildQemuBoardImage, openQemuBoard, requireToolchain, type QemuBoardOptions, type QemuTransport } from "../../host/firmware/index.js";
import {
  ChunkAssembler,
  decodeErrorReply,
  decodePayload,
  FIELD_SIZES,
  FrameDecoder,
  MessageType,
  REPLY_LAYOUTS,
  type Frame,
  type RequestName,
} from "../../host/protocol/index.js";
import type { Transport } from "../../host/transport/transport.js";
import { SimBoard, type BoardLink } from "../../board/sim/board.js";
import type { AcceleratorFactory } from "../../board/sim/mmio.js";
import { standinWasm } from "../helpers/board.js";

export const SERVE_WAT = fileURLToPath(new URL("./fixtures/serve.wat", import.meta.url));
/** Every exchange with QEMU is answered in milliseconds; this only bounds a hang. */
export const REPLY_TIMEOUT_MS = 10_000;

/** A scratch directory for one test file's images and fixtures. */
export function scratch(name: string): string {
  requireToolchain(["build", "run"]);
  return mkdtempSync(join(tmpdir(), `edgecl-${name}-`));
}

export interface Wasm {
  file: string;
  bytes: Uint8Array;
}

/** A WebAssembly text file assembled with wat2wasm (Debian package wabt) into dir. */
export function assemble(dir: string, source: string, name: string): Wasm {
  const file = join(dir, `${name}.wasm`);
  execFileSync("wat2wasm", [source, "-o", file]);
  return { file, bytes: new Uint8Array(readFileSync(file)) };
}

/** A module written in WebAssembly text, assembled into dir/<name>.wasm. */
export function wat(dir: string, name: string, text: string): Wasm {
  const source = join(dir, `${name}.wat`);
  writeFileSync(source, text);
  return assemble(dir, source, name);
}

/** fixtures/serve.wat assembled. */
export function serveWasm(dir: string): Wasm {
  return assemble(dir, SERVE_WAT, "serve");
}

/**
 * One test file's setup: a scratch directory holding fixtures/serve.wat and the stand-in device module,
 * then `build` (the images the file boots). A setup that failed (a toolchain package missing, a build
 * broken) fails every test with its message, through ready(); `skip` leaves the setup out altogether.
 */
export class FirmwareSuite {
  dir = "";
  fixture!: Wasm;
  standin!: Wasm;
  private error: unknown;

  constructor(name: string, build: (suite: FirmwareSuite) => Promise<void> | void = () => {}, options: { timeoutMs?: number; skip?: boolean } = {}) {
    beforeAll(async () => {
      if (options.skip) return;
      try {
        this.dir = scratch(name);
        this.fixture = serveWasm(this.dir);
        this.standin = { file: join(this.dir, "standin.wasm"), bytes: standinWasm(1) };
        writeFileSync(this.standin.file, this.standin.bytes);
        await build(this);
      } catch (err) {
        this.error = err;
      }
    }, options.timeoutMs ?? 120_000);
    afterAll(() => {
      if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    });
  }

  ready(): void {
    if (this.error) throw this.error;
  }

  /** Runs `body` against a booted board (its image in dir/<image>) and always stops QEMU. */
  async withBoard<T>(manifest: BoardManifest, wasm: string, image: string, body: (transport: QemuTransport) => Promise<T>, options: QemuBoardOptions = {}): Promise<T> {
    this.ready();
    const transport = await bootBoard(manifest, wasm, this.dir, image, options);
    try {
      return await body(transport);
    } finally {
      await transport.close();
    }
  }
}

/**
 * The two boards the protocol suites talk to, their images built in the suite's folder: qemu-rv32 around
 * the stand-in device module (image "rv32-standin"), and qemu-rv32-noaccel at 64-byte frames, the
 * protocol's minimum, so that every message but HELLO's request travels in CHUNKs, around
 * fixtures/serve.wat (image "tiny-fixture").
 */
/**
 * Builds board `id`'s firmware image before the file's tests run; the function returned throws what the
 * build threw (a missing toolchain names its packages), for each test to call first.
 */
export function boardImageBuilt(id: string): () => void {
  let setupError: unknown;
  beforeAll(async () => {
    try {
      requireToolchain();
      await buildQemuBoardImage(loadBoard(id));
    } catch (err) {
      setupError = err;
    }
  }, 300_000);
  return () => {
    if (setupError) throw setupError;
  };
}

export async function protocolBoards(suite: FirmwareSuite): Promise<{ rv32: BoardManifest; tiny: BoardManifest }> {
  const rv32 = loadBoard("qemu-rv32");
  const tiny = derivedManifest(suite.dir, "qemu-rv32-noaccel", "qemu-tiny", { maxFrameSize: 64 });
  await buildQemuBoardImage(rv32, { wasm: suite.standin.file, buildDir: join(suite.dir, "rv32-standin") });
  await buildQemuBoardImage(tiny, { wasm: suite.fixture.file, buildDir: join(suite.dir, "tiny-fixture") });
  return { rv32, tiny };
}

/** The BoardError a request must fail with. */
export async function boardError(promise: Promise<unknown>): Promise<BoardError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BoardError);
  return err as BoardError;
}

/** Berkeley sizes from an ELF's section headers (binutils size.c): allocated sections that are code or read-only count as text, other allocated ones with contents as data, those without contents as bss. */
export function elfSizes(file: string): { text: number; data: number; bss: number } {
  const elf = readFileSync(file);
  expect(elf.subarray(0, 4).toString("latin1")).toBe("\x7fELF");
  expect(elf[4]).toBe(1); // ELFCLASS32
  const shoff = elf.readUInt32LE(0x20);
  const shentsize = elf.readUInt16LE(0x2e);
  const shnum = elf.readUInt16LE(0x30);
  const sizes = { text: 0, data: 0, bss: 0 };
  const SHF_WRITE = 1, SHF_ALLOC = 2, SHF_EXECINSTR = 4, SHT_NOBITS = 8;
  for (let i = 0; i < shnum; i++) {
    const at = shoff + i * shentsize;
    const type = elf.readUInt32LE(at + 4);
    const flags = elf.readUInt32LE(at + 8);
    const size = elf.readUInt32LE(at + 20);
    if (!(flags & SHF_ALLOC)) continue;
    if (flags & SHF_EXECINSTR || !(flags & SHF_WRITE)) sizes.text += size;
    else if (type !== SHT_NOBITS) sizes.data += size;
    else sizes.bss += size;
  }
  return sizes;
}

/** A board manifest derived from board/<id>.json with some keys replaced, written to dir/<name>.json. */
export function derivedManifest(dir: string, id: string, name: string, transport: Record<string, unknown>, memory: Record<string, unknown> = {}): BoardManifest {
  const source = JSON.parse(readFileSync(loadBoard(id).file, "utf8"));
  const data = { ...source, transport: { ...source.transport, ...transport }, memory: { ...source.memory, ...memory } };
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(data, null, 2));
  return readManifest(file);
}

/** Boots the firmware for `manifest` around `wasm` (building the image in dir/<name>). */
export function bootBoard(manifest: BoardManifest, wasm: string, dir: string, name: string, options: QemuBoardOptions = {}): Promise<QemuTransport> {
  return openQemuBoard(manifest, { wasm, buildDir: join(dir, name), ...options });
}

/** FNV-1a, 32 bits (offset basis 0x811c9dc5, prime 0x01000193), as fixtures/serve.wat computes it. */
export function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

/** The CHECKPOINT image of fixtures/serve.wat: byte i is (7i + 3) mod 256. */
export function patternImage(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (7 * i + 3) & 0xff);
}

/** Collects every frame a board sends, with a board's chunked reply reassembled into one frame. */
class ReplyCollector {
  private readonly decoder = new FrameDecoder({ maxFrameSize: 1 << 24 });
  private readonly chunks = new ChunkAssembler();
  readonly frames: Frame[] = [];

  push(bytes: Uint8Array): void {
    for (const r of this.decoder.push(bytes)) {
      if (!("ok" in r)) throw new Error(`the board sent a frame that does not decode: ${r.detail}`);
      if (r.ok.type !== MessageType.CHUNK) {
        this.frames.push(r.ok);
        continue;
      }
      const piece = this.chunks.push(r.ok.payload);
      if ("error" in piece) throw new Error(`the board sent a bad chunked reply: ${piece.detail}`);
      if ("ok" in piece) this.frames.push({ type: piece.ok.type, seq: r.ok.seq, payload: piece.ok.payload });
    }
  }
}

/** Raw frames to and from the firmware: write bytes, wait for the replies. */
export class FrameLink {
  private readonly collector = new ReplyCollector();
  private failure: Error | null = null;
  private wake: (() => void) | null = null;
  /** Frames the board sent in CHUNKs, counted as they arrive (before reassembly). */
  chunkFrames = 0;

  constructor(readonly transport: Transport) {
    transport.onData((bytes) => {
      try {
        const before = this.collector.frames.length;
        this.countChunks(bytes);
        this.collector.push(bytes);
        if (this.collector.frames.length > before) this.wake?.();
      } catch (err) {
        this.failure = err as Error;
        this.wake?.();
      }
    });
    transport.onClose((closed) => {
      if (!closed.expected) this.failure = new Error(`the link closed: ${closed.reason}${closed.diagnostics ? `\n${closed.diagnostics}` : ""}`);
      this.wake?.();
    });
  }

  private readonly counter = new FrameDecoder({ maxFrameSize: 1 << 24 });
  private countChunks(bytes: Uint8Array): void {
    for (const r of this.counter.push(bytes)) if ("ok" in r && r.ok.type === MessageType.CHUNK) this.chunkFrames++;
  }

  /** Sends bytes and waits for `count` replies (and no more, checked by the next call). */
  async exchange(bytes: Uint8Array, count: number, timeoutMs = REPLY_TIMEOUT_MS): Promise<Frame[]> {
    if (this.collector.frames.length > 0) throw new Error(`the board sent ${this.collector.frames.length} reply(ies) nobody asked for: ${describe(this.collector.frames[0])}`);
    this.transport.write(bytes);
    const deadline = Date.now() + timeoutMs;
    while (this.collector.frames.length < count) {
      if (this.failure) throw this.failure;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${count} reply(ies) within ${timeoutMs} ms, received ${this.collector.frames.length}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
    return this.collector.frames.splice(0, this.collector.frames.length);
  }
}

/**
 * The simulated board's replies to the same bytes: the reference the firmware is held to. Without an
 * accelerator factory (loadAccelerator) the simulated board has none, whatever the manifest says.
 */
export class SimReference {
  readonly board: SimBoard;
  private readonly link: BoardLink;

  constructor(manifest: BoardManifest, accelerator: AcceleratorFactory | null = null) {
    this.board = new SimBoard({ manifest, accelerator });
    this.link = this.board.openLink();
  }

  send(bytes: Uint8Array): Frame[] {
    const collector = new ReplyCollector();
    for (const wire of this.link.receive(bytes)) collector.push(wire);
    return collector.frames;
  }
}

export function describe(frame: Frame): string {
  if (frame.type === MessageType.ERROR) {
    const e = decodeErrorReply(frame.payload);
    return "ok" in e ? `ERROR seq ${frame.seq} for type ${e.ok.requestType}: code ${e.ok.code} ${e.ok.message}` : `ERROR seq ${frame.seq} (undecodable)`;
  }
  return `${frame.type === MessageType.RESULT ? "RESULT" : `type ${frame.type}`} seq ${frame.seq} (${frame.payload.length} bytes) ${Buffer.from(frame.payload.subarray(0, 24)).toString("hex")}`;
}

/** Offset of a field in the fixed part of a reply layout (spec/protocol.json through the generated tables). */
function fieldOffset(name: RequestName, field: string): number | null {
  let at = 0;
  for (const f of REPLY_LAYOUTS[name] as readonly { name: string; type: string }[]) {
    if (f.name === field) return at;
    const size = (FIELD_SIZES as Record<string, number>)[f.type];
    if (size === undefined) return null;
    at += size;
  }
  return null;
}

/** TELEMETRY fields that may differ: device time is measured. Accelerator work and energy are the simulated board's bits. */
const TELEMETRY_BOARD_OWN = ["timeUs"];

/**
 * What may differ between the boards: HELLO's board-specific fields (runtime, board name,
 * accelerator) and TELEMETRY_BOARD_OWN; nothing else.
 */
function comparableResult(payload: Uint8Array): Uint8Array {
  const envelope = decodePayload("RESULT", payload);
  if (!("ok" in envelope)) return payload;
  const { requestType, body } = envelope.ok;
  if (requestType === MessageType.HELLO) return body.subarray(0, 13); // version, max frame, memory, flash
  if (requestType === MessageType.TELEMETRY) {
    const copy = payload.slice();
    for (const field of TELEMETRY_BOARD_OWN) {
      const at = fieldOffset("TELEMETRY", field);
      if (at !== null && 1 + at + 8 <= copy.length) copy.fill(0, 1 + at, 1 + at + 8);
    }
    return copy;
  }
  return payload;
}

/** The firmware's reply equals the simulated board's: same type, sequence number, request type and error code; same RESULT bytes. */
export function expectSameReply(firmware: Frame, sim: Frame, what: string): void {
  const where = `${what}: firmware ${describe(firmware)}; simulated board ${describe(sim)}`;
  expect(firmware.type, where).toBe(sim.type);
  expect(firmware.seq, where).toBe(sim.seq);
  if (sim.type === MessageType.ERROR) {
    const a = decodeErrorReply(firmware.payload);
    const b = decodeErrorReply(sim.payload);
    expect("ok" in a, where).toBe(true);
    if ("ok" in a && "ok" in b) {
      expect(a.ok.requestType, where).toBe(b.ok.requestType);
      expect(a.ok.code, where).toBe(b.ok.code);
    }
  } else {
    expect(Buffer.from(comparableResult(firmware.payload)).toString("hex"), where).toBe(Buffer.from(comparableResult(sim.payload)).toString("hex"));
  }
}
