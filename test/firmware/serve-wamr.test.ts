// The firmware serving the protocol on WAMR (RUNTIME=wamr): DEPLOY loads a module sent over the wire;
// a module WAMR refuses (not WebAssembly, foreign imports, initial memory over the board's limit)
// leaves the previous deployment answering with its state, and so does a module whose configuration
// fails (the new one is staged beside the old one); a trap becomes an ERROR; and a session with the
// stand-in device module, deployed over the wire, gives the simulated board's replies.
// WAMR is in no package registry: these tests need WAMR_ROOT (firmware/README.md, section WAMR) and
// are skipped, saying so, without it.
import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { BoardClient } from "../../host/client/client.js";
import { loadBoard, type BoardManifest } from "../../host/manifest/manifest.js";
import { buildQemuBoardImage, type QemuTransport } from "../../host/firmware/index.js";
import { encodeFrame, encodePayload, ErrorCode, MessageType } from "../../host/protocol/index.js";
import { modulePath } from "../../host/device/module.js";
import { batch } from "../helpers/board.js";
import { deployConfig } from "../helpers/learner.js";
import { boardError, expectSameReply, FirmwareSuite, FrameLink, SimReference, wat as watFile } from "./helpers.js";
import { CL_STRATEGY, CL_WORD_COUNT } from "../../assembly/cl/abi.js";

const WAMR_ROOT = process.env.WAMR_ROOT;
const SKIP_REASON = "needs WAMR_ROOT=<a WAMR source tree> (see firmware/README.md, section WAMR)";
if (!WAMR_ROOT) console.warn(`test/firmware/serve-wamr.test.ts: WAMR protocol tests skipped: ${SKIP_REASON}`);

let manifest: BoardManifest;

const suite = new FirmwareSuite("serve-wamr", async () => {
  manifest = loadBoard("qemu-rv32");
  // The image's built-in module is the stand-in; the tests deploy others over the wire.
  await buildQemuBoardImage(manifest, { wasm: suite.standin.file, buildDir: join(suite.dir, "image"), runtime: "wamr", wamrRoot: resolve(WAMR_ROOT!) });
}, { timeoutMs: 600_000, skip: !WAMR_ROOT });

/** A small module assembled with wat2wasm. */
const wat = (name: string, text: string): Uint8Array => watFile(suite.dir, name, text).bytes;

function withBoard(body: (transport: QemuTransport) => Promise<void>): Promise<void> {
  return suite.withBoard(manifest, suite.standin.file, "image", body, { runtime: "wamr", wamrRoot: resolve(WAMR_ROOT ?? "") });
}

const evalPayload = encodePayload("EVAL", { experience: 0, flags: 0 });
const oneSample = encodePayload("DATA", { experience: 0, split: 0, encoding: 1, flags: 0, count: 1, features: 1, samples: Uint8Array.of(0, 0, 9) });

describe.skipIf(!WAMR_ROOT)(`the firmware on WAMR serving the protocol [${SKIP_REASON}]`, () => {
  test("DEPLOY switches to a module sent over the wire; refused modules leave the deployment and its state; traps are ERRORs", async () => {
    const foreignImport = wat("foreign", '(module (import "wasi" "fd_write" (func (param i32 i32 i32 i32) (result i32))) (memory (export "memory") 1))');
    const tooLarge = wat("large", `(module (memory (export "memory") ${manifest.memory.linearMemoryBytes / 65536 + 1}))`);
    const noCommands = wat("bare", '(module (memory (export "memory") 1) (func (export "cmd_buffer") (param i32) (result i32) (i32.const 0)))');
    // 520,000 bytes of code (40,000 x a 13-byte load, add, store): the bytes fit the runtime pool, the
    // loaded form (the fast interpreter's translation, more than twice as large) does not.
    const hugeCode = wat("huge", `(module (memory (export "memory") 1) (func ${"(i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.const 1))) ".repeat(40_000)}))`);
    await withBoard(async (transport) => {
      const board = new BoardClient(transport, { board: "qemu-rv32", timeoutMs: 20_000 });
      expect(await board.hello()).toMatchObject({ runtime: "wamr", board: "qemu-rv32" });
      expect(await board.deploy({ config: new Uint8Array(0), module: suite.fixture.bytes })).toEqual({ parameters: 7, modelBytes: 28, memoryUsed: 2 * 65536, memoryLimit: manifest.memory.linearMemoryBytes });
      await board.request("DATA", oneSample);
      // fixtures/serve.wat's EVAL: meanLoss counts the DATA requests of this deployment.
      const state = { correct: 0, total: 0, meanLoss: 1 };
      expect(await board.request("EVAL", evalPayload)).toEqual(state);

      for (const [what, module, code, words] of [
        ["bytes that are not WebAssembly", Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 9), ErrorCode.BAD_CONFIG, /refuses: WASM module load failed/],
        ["a module importing what the board lacks", foreignImport, ErrorCode.BAD_CONFIG, /imports wasi\.fd_write; boards provide only env\.mmio_read32, env\.mmio_write32/],
        ["a module whose memory exceeds the board's limit", tooLarge, ErrorCode.DOES_NOT_FIT, /expected initial linear memory <= 256 pages \(board limit\), received 257 pages/],
        ["a module the runtime pool cannot load", hugeCode, ErrorCode.DOES_NOT_FIT, /^expected a module that fits the board: no room in the runtime pool \(1572864 bytes, WAMR_POOL_KB\) to load a module of \d+ bytes$/],
      ] as const) {
        const err = await boardError(board.deploy({ config: new Uint8Array(0), module }));
        expect({ what, code: err.code }).toEqual({ what, code });
        expect(err.detail, what).toMatch(words);
        expect(await board.request("EVAL", evalPayload), `after ${what}`).toEqual(state);
      }

      const trap = await boardError(board.request("TRAIN", encodePayload("TRAIN", { experience: 0, iterations: 0xdead, batchSize: 1, seed: 0, flags: 0 })));
      expect(trap.code).toBe(ErrorCode.TRAP);
      expect(trap.detail).toMatch(/^the device module trapped in TRAIN: trap in export 'cmd_run': unreachable/);
      expect(await board.request("EVAL", evalPayload)).toEqual(state);

      // A valid module without the command interface is refused by name once instantiated.
      const bare = await boardError(board.deploy({ config: new Uint8Array(0), module: noCommands }));
      expect(bare.code).toBe(ErrorCode.BAD_CONFIG);
      expect(bare.detail).toBe("expected a device module exporting cmd_buffer, cmd_run, cmd_reply_ptr, cmd_reply_len, received one without cmd_run, cmd_reply_ptr, cmd_reply_len");
      expect((await board.deploy({ config: new Uint8Array(0), module: suite.fixture.bytes })).parameters).toBe(7);
    });
  });

  test("a DEPLOY whose configuration fails keeps the deployment before it and its state, with another module or the same one", async () => {
    const device = new Uint8Array(readFileSync(modulePath()));
    const text = (s: string) => new TextEncoder().encode(s);
    await withBoard(async (transport) => {
      const board = new BoardClient(transport, { board: "qemu-rv32", timeoutMs: 60_000 });
      await board.hello();
      // The stand-in with state: EVAL answers correct = min(test samples, iterations trained).
      await board.deploy({ config: text('{"format":"fp32","id":5}'), module: suite.standin.bytes });
      const u8Data = (split: number, count: number) =>
        encodePayload("DATA", { experience: 0, split, encoding: 1, flags: 1, count, features: 1, samples: new Uint8Array(3 * count) });
      await board.request("DATA", u8Data(0, 4));
      await board.request("DATA", u8Data(1, 5));
      await board.request("TRAIN", encodePayload("TRAIN", { experience: 0, iterations: 3, batchSize: 1, seed: 0, flags: 0 }));
      const state = { correct: 3, total: 5, meanLoss: 0.25 };
      expect(await board.request("EVAL", evalPayload)).toEqual(state);

      // Another module (fixtures/serve.wat) whose configuration traps, then the stand-in itself with a bad one.
      const trapped = await boardError(board.deploy({ config: text("trap"), module: suite.fixture.bytes }));
      expect(trapped.code).toBe(ErrorCode.TRAP);
      expect(await board.request("EVAL", evalPayload)).toEqual(state);
      const bad = await boardError(board.deploy({ config: text('{"format":"fp32","bad":true}'), module: suite.standin.bytes }));
      expect(bad.code).toBe(ErrorCode.BAD_CONFIG);
      expect(await board.request("EVAL", evalPayload)).toEqual(state);

      // The device module twice over the wire: a learner, then the same module with a strategy id that
      // does not exist. Both instances fit the pool at once; the learner's weights are untouched.
      const config = deployConfig({ strategy: "naive", scenario: "task", model: "mlp:16", precision: "fp8-mixed", memoryLimit: manifest.memory.linearMemoryBytes });
      await board.deploy({ config, module: device });
      const deployed = await board.telemetry();
      expect(deployed.modelChecksum).not.toBe(0);
      const wrong = config.slice();
      const words = new Uint32Array(wrong.buffer);
      words[words.length - CL_WORD_COUNT + CL_STRATEGY] = 42;
      const refused = await boardError(board.deploy({ config: wrong, module: device }));
      expect({ code: refused.code, detail: refused.detail }).toMatchObject({ code: ErrorCode.BAD_CONFIG, detail: expect.stringMatching(/expected a strategy id from 0 to 10/) });
      expect((await board.telemetry()).modelChecksum).toBe(deployed.modelChecksum);
    });
  });

  test("the stand-in deployed over the wire answers as on the simulated board", async () => {
    await withBoard(async (transport) => {
      const link = new FrameLink(transport);
      const sim = new SimReference(manifest);
      const b = batch(12);
      const samples = new Uint8Array(12 * 2 + 12 * 4 * 4);
      const view = new DataView(samples.buffer);
      b.labels.forEach((label, k) => view.setUint16(2 * k, label, true));
      b.inputs.forEach((v, i) => view.setFloat32(24 + 4 * i, v, true));
      const requests: Array<[string, number, Uint8Array]> = [
        ["DEPLOY the fixture", MessageType.DEPLOY, encodePayload("DEPLOY", { config: new Uint8Array(0), module: suite.fixture.bytes })],
        ["DEPLOY the stand-in", MessageType.DEPLOY, encodePayload("DEPLOY", { config: new TextEncoder().encode('{"format":"bf16","modelBytes":2048,"id":5}'), module: suite.standin.bytes })],
        ["DATA train", MessageType.DATA, encodePayload("DATA", { experience: 0, split: 0, encoding: 0, flags: 1, count: 12, features: 4, samples })],
        ["DATA test", MessageType.DATA, encodePayload("DATA", { experience: 0, split: 1, encoding: 0, flags: 1, count: 12, features: 4, samples })],
        ["TRAIN", MessageType.TRAIN, encodePayload("TRAIN", { experience: 0, iterations: 4, batchSize: 3, seed: 9, flags: 0 })],
        ["CHECKPOINT", MessageType.CHECKPOINT, encodePayload("CHECKPOINT", { slot: 0 })],
        ["TRAIN again", MessageType.TRAIN, encodePayload("TRAIN", { experience: 0, iterations: 4, batchSize: 3, seed: 9, flags: 0 })],
        ["RESTORE", MessageType.RESTORE, encodePayload("RESTORE", { slot: 0 })],
        ["EVAL", MessageType.EVAL, evalPayload],
        ["TELEMETRY", MessageType.TELEMETRY, encodePayload("TELEMETRY", { flags: 0 })],
      ];
      let seq = 0;
      for (const [what, type, payload] of requests) {
        const frame = encodeFrame({ type: type as never, seq: ++seq, payload });
        const [got] = await link.exchange(frame, 1);
        expectSameReply(got, sim.send(frame)[0], what);
      }
    });
  });
});
