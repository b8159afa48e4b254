// The firmware serving the protocol on QEMU (ENTRY=serve, wasm2c): what the board answers itself
// (HELLO from the manifest compiled into the image), a whole session held byte for byte to the
// simulated board running the same device module, traps in the module, oversize and foreign DEPLOYs,
// chunked transfers both ways, repeats, and error messages the device writes. Expected values come from
// the manifest read by host/manifest, the simulated board (board/sim), and references worked out here
// (FNV-1a, the fixture's documented answers). Needs the Debian packages of the firmware toolchain.
import { describe, expect, test } from "vitest";
import { join } from "node:path";
import { BoardClient } from "../../host/client/client.js";
import { loadAccelerator } from "../../board/sim/mmio.js";
import { type BoardManifest } from "../../host/manifest/manifest.js";
import { parseFormat } from "../../host/formats/parse.js";
import { NAMED_FORMATS } from "../../host/generated/formats.js";
import { buildQemuBoardImage, qemuArgs, qemuSettings, type QemuTransport } from "../../host/firmware/index.js";
import { decodeErrorReply, decodeResult, encodeFrame, encodePayload, ErrorCode, MessageType, PROTOCOL_VERSION, splitIntoChunks, type Frame } from "../../host/protocol/index.js";
import { batch } from "../helpers/board.js";
import { boardError, bootBoard, derivedManifest, expectSameReply, FirmwareSuite, fnv1a, FrameLink, protocolBoards, SimReference } from "./helpers.js";

let rv32: BoardManifest;
let tiny: BoardManifest;
let rv32Fixture: BoardManifest;

const suite = new FirmwareSuite("serve", async () => {
  ({ rv32, tiny } = await protocolBoards(suite));
  rv32Fixture = derivedManifest(suite.dir, "qemu-rv32", "qemu-rv32-fixture", {});
  await buildQemuBoardImage(rv32Fixture, { wasm: suite.fixture.file, buildDir: join(suite.dir, "rv32-fixture") });
}, { timeoutMs: 600_000 }); // three images built from scratch: minutes on a loaded machine

function client(transport: QemuTransport, board: string): BoardClient {
  return new BoardClient(transport, { board, timeoutMs: 10_000 });
}

/** HELLO's accelFormats from the manifest, by the formats' index in spec/formats.json's named list. */
function expectedFormats(manifest: BoardManifest): number {
  if (!manifest.accelerator.present) return 0;
  let bits = 0;
  for (const name of [...(manifest.accelerator.productFormats ?? []), ...(manifest.accelerator.accumulatorFormats ?? [])]) {
    bits |= 1 << NAMED_FORMATS.findIndex((f) => f.id === parseFormat(name).id);
  }
  return bits >>> 0;
}

const train = (iterations: number) => encodePayload("TRAIN", { experience: 0, iterations, batchSize: 2, seed: 1, flags: 0 });
const evalPayload = (experience: number) => encodePayload("EVAL", { experience, flags: 0 });

describe("HELLO answers from the board manifest compiled into the image", () => {
  test("qemu-rv32: protocol version, frame size, memory and flash, accelerator formats, runtime and board id", async () => {
    await suite.withBoard(rv32, suite.standin.file, "rv32-standin", async (transport) => {
      const hello = await client(transport, "qemu-rv32").hello();
      expect(hello).toEqual({
        protocolVersion: PROTOCOL_VERSION,
        maxFrameSize: rv32.transport.maxFrameSize,
        memoryLimit: rv32.memory.linearMemoryBytes,
        flashSize: rv32.memory.flashBytes,
        accelPresent: 1,
        accelFormats: expectedFormats(rv32),
        runtime: "wasm2c",
        board: "qemu-rv32",
      });
      // e4m3, e5m2, fp16, bf16 (products) and fp32 (accumulator): indices 5, 4, 3, 2 and 0.
      expect(hello.accelFormats).toBe(0b111101);
    });
  });

  test("a board without accelerator and 64-byte frames says so", async () => {
    await suite.withBoard(tiny, suite.fixture.file, "tiny-fixture", async (transport) => {
      const hello = await client(transport, "qemu-tiny").hello();
      expect(hello).toMatchObject({ maxFrameSize: 64, accelPresent: 0, accelFormats: 0, runtime: "wasm2c", board: "qemu-tiny" });
      expect(hello.memoryLimit).toBe(tiny.memory.linearMemoryBytes);
    });
  });
});

describe("the QEMU board's link", () => {
  test("closing the link stops QEMU; QEMU ending ends the link, and a request waiting fails naming the board", async () => {
    suite.ready();
    const first = await bootBoard(tiny, suite.fixture.file, suite.dir, "tiny-fixture");
    await first.close();
    expect(first.qemu.child.exitCode !== null || first.qemu.child.signalCode !== null).toBe(true);
    expect(first.open).toBe(false);

    const second = await bootBoard(tiny, suite.fixture.file, suite.dir, "tiny-fixture");
    try {
      const board = client(second, "qemu-tiny");
      await board.hello();
      const closed = new Promise<string>((resolve) => second.onClose((c) => resolve(c.reason)));
      second.qemu.child.kill("SIGKILL");
      expect(await closed).toMatch(/^qemu-tiny on QEMU \(pid \d+\) was stopped by SIGKILL$/);
      const lost = await board.hello().then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(lost?.message).toMatch(/^board qemu-tiny was lost/);
    } finally {
      await second.close();
    }
  });

  test("transport.input names the channel of the host's bytes: a virtio console beside the UART, or the UART alone", () => {
    const image = { elf: "edgecl.elf", ramMb: 128 };
    const uart = qemuArgs(image, { kind: "tcp", host: "127.0.0.1", port: 5000 });
    expect(uart.join(" ")).toContain("-chardev socket,id=uart0,host=127.0.0.1,port=5000,server=off,nodelay=on -serial chardev:uart0");
    expect(uart).not.toContain("virtconsole,chardev=input0");
    const virtio = qemuArgs(image, { kind: "tcp", host: "127.0.0.1", port: 5000, inputPort: 5001 });
    expect(virtio.join(" ")).toContain("-chardev socket,id=input0,host=127.0.0.1,port=5001,server=off,nodelay=on -device virtio-serial-device -device virtconsole,chardev=input0");
    expect(() => qemuArgs(image, { kind: "tcp", host: "127.0.0.1", port: 5000, inputPort: 70000 })).toThrow("expected a TCP port 1..65535, received 70000");
    expect(qemuSettings(derivedManifest(suite.dir, "qemu-rv32", "qemu-no-input", { input: undefined })).input).toBe("uart");
    const bad = derivedManifest(suite.dir, "qemu-rv32", "qemu-bad-input", { input: "usb" });
    expect(() => qemuSettings(bad)).toThrow(`${bad.file}: key "transport.input": expected "uart" or "virtio", received "usb"`);
  });
});

describe("a session with the stand-in device module", () => {
  // qemu-rv32 takes the host's bytes on a virtio console (transport.input), 4 KiB buffers that frames
  // cross; the same image on its UART alone must answer the same.
  test.each(["virtio", "uart"] as const)("input on the %s: every reply equals the simulated board's for the same frames, chunked DATA, checkpoints and repeats included", async (input) => {
    expect(rv32.transport.input).toBe("virtio");
    await suite.withBoard(rv32, suite.standin.file, "rv32-standin", async (transport) => {
      const link = new FrameLink(transport);
      const sim = new SimReference(rv32);
      let seq = 0;
      const frames: Array<[string, Uint8Array]> = [];
      const request = (what: string, type: number, payload: Uint8Array) => {
        seq++;
        if (payload.length + 12 <= rv32.transport.maxFrameSize) {
          frames.push([what, encodeFrame({ type: type as never, seq, payload })]);
          return;
        }
        splitIntoChunks(type as never, payload, rv32.transport.maxFrameSize).forEach((chunk, i, all) => {
          frames.push([`${what} (chunk ${i + 1} of ${all.length})`, encodeFrame({ type: MessageType.CHUNK, seq, payload: chunk })]);
          if (i < all.length - 1) seq++;
        });
      };
      const samples = (count: number, features: number) => {
        const b = batch(count, features);
        const bytes = new Uint8Array(2 * count + 4 * count * features);
        const view = new DataView(bytes.buffer);
        b.labels.forEach((label, k) => view.setUint16(2 * k, label, true));
        b.inputs.forEach((v, i) => view.setFloat32(2 * count + 4 * i, v, true));
        return bytes;
      };
      const data = (experience: number, split: number, count: number, features = 4) =>
        encodePayload("DATA", { experience, split, encoding: 0, flags: 1, count, features, samples: samples(count, features) });

      request("HELLO", MessageType.HELLO, new Uint8Array(0));
      request("EVAL before DEPLOY", MessageType.EVAL, evalPayload(0));
      request("DEPLOY without a module first", MessageType.DEPLOY, encodePayload("DEPLOY", { config: new TextEncoder().encode('{"format":"fp32"}'), module: new Uint8Array(0) }));
      request("DEPLOY", MessageType.DEPLOY, encodePayload("DEPLOY", { config: new TextEncoder().encode('{"format":"fp32","modelBytes":4096,"id":3}'), module: suite.standin.bytes }));
      request("DATA train", MessageType.DATA, data(0, 0, 8));
      request("DATA test", MessageType.DATA, data(0, 1, 40));
      // 3000 samples of 4 f32 values: 54,013 bytes, four CHUNKs at 16 KiB frames.
      request("DATA, chunked", MessageType.DATA, data(1, 0, 3000));
      request("TRAIN", MessageType.TRAIN, train(3));
      request("EVAL", MessageType.EVAL, evalPayload(0));
      request("TELEMETRY", MessageType.TELEMETRY, encodePayload("TELEMETRY", { flags: 0 }));
      request("CHECKPOINT slot 1", MessageType.CHECKPOINT, encodePayload("CHECKPOINT", { slot: 1 }));
      request("TRAIN more", MessageType.TRAIN, train(5));
      request("EVAL after more training", MessageType.EVAL, evalPayload(0));
      request("RESTORE slot 1", MessageType.RESTORE, encodePayload("RESTORE", { slot: 1 }));
      request("EVAL after RESTORE", MessageType.EVAL, evalPayload(0));
      request("RESTORE an empty slot", MessageType.RESTORE, encodePayload("RESTORE", { slot: 3 }));
      request("CHECKPOINT slot 4", MessageType.CHECKPOINT, encodePayload("CHECKPOINT", { slot: 4 }));
      request("DEPLOY of an unknown format", MessageType.DEPLOY, encodePayload("DEPLOY", { config: new TextEncoder().encode('{"format":"e9m9"}'), module: new Uint8Array(0) }));
      request("DEPLOY that traps in the device", MessageType.DEPLOY, encodePayload("DEPLOY", { config: new TextEncoder().encode('{"format":"fp32","trap":true}'), module: new Uint8Array(0) }));
      // With the module again: the configuration fails, and the deployment before it stays, state included.
      request("DEPLOY of the same module with a bad configuration", MessageType.DEPLOY, encodePayload("DEPLOY", { config: new TextEncoder().encode('{"format":"fp32","bad":true}'), module: suite.standin.bytes }));
      request("DEPLOY of the same module that traps in the device", MessageType.DEPLOY, encodePayload("DEPLOY", { config: new TextEncoder().encode('{"format":"fp32","trap":true}'), module: suite.standin.bytes }));
      request("EVAL after the failed DEPLOYs", MessageType.EVAL, evalPayload(0));
      request("TRAIN with an unknown flag", MessageType.TRAIN, Uint8Array.from([...train(1).subarray(0, 12), 0x80]));
      request("DATA with split 2", MessageType.DATA, Uint8Array.from([0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
      request("HELLO with a payload", MessageType.HELLO, new Uint8Array(1));
      request("a RESULT sent to the board", MessageType.RESULT, new Uint8Array([1]));
      request("TELEMETRY resetting the counters", MessageType.TELEMETRY, encodePayload("TELEMETRY", { flags: 1 }));
      request("TELEMETRY after the reset", MessageType.TELEMETRY, encodePayload("TELEMETRY", { flags: 0 }));

      let replies = 0;
      for (const [what, frame] of frames) {
        const expected = sim.send(frame);
        expect(expected.length, what).toBe(1);
        const [got] = await link.exchange(frame, 1);
        expectSameReply(got, expected[0], what);
        replies++;
      }
      expect(replies).toBe(frames.length);

      // The same TRAIN frame twice: the second is answered from the first reply, not run again.
      seq++;
      const again = encodeFrame({ type: MessageType.TRAIN, seq, payload: train(7) });
      const first = await link.exchange(again, 1);
      const second = await link.exchange(again, 1);
      expect(Buffer.from(second[0].payload)).toEqual(Buffer.from(first[0].payload));
      sim.send(again);
      seq++;
      const evalFrame = encodeFrame({ type: MessageType.EVAL, seq, payload: evalPayload(0) });
      const [afterRepeat] = await link.exchange(evalFrame, 1);
      expectSameReply(afterRepeat, sim.send(evalFrame)[0], "EVAL after a repeated TRAIN");
      // The stand-in's EVAL: correct = min(40 test samples, iterations); the checkpoint held 3
      // iterations, and TRAIN 7 run once makes 10 (twice would make 17).
      const evalReply = decodeResult("EVAL", afterRepeat.payload);
      expect("ok" in evalReply && evalReply.ok.correct).toBe(3 + 7);
    }, { input });
  });
});

describe("the accelerator's work and the energy estimate", () => {
  test("jobs, cycles and energy across the driver's soft clears equal the simulated board's, and the CPU path's share is the hand-worked one", async () => {
    await suite.withBoard(rv32, suite.standin.file, "rv32-standin", async (transport) => {
      const link = new FrameLink(transport);
      const sim = new SimReference(rv32, await loadAccelerator(rv32));
      let seq = 0;
      const exchange = async (what: string, type: number, payload: Uint8Array) => {
        const frame = encodeFrame({ type: type as never, seq: ++seq, payload });
        const [got] = await link.exchange(frame, 1);
        expectSameReply(got, sim.send(frame)[0], what);
        return got;
      };
      const telemetry = async (what: string, resetCounters: boolean) => {
        const reply = await exchange(what, MessageType.TELEMETRY, encodePayload("TELEMETRY", { flags: resetCounters ? 1 : 0 }));
        const decoded = decodeResult("TELEMETRY", reply.payload);
        if (!("ok" in decoded)) throw new Error(`${what}: ${JSON.stringify(decoded)}`);
        return decoded.ok;
      };
      const oneStep = encodePayload("TRAIN", { experience: 0, iterations: 1, batchSize: 1, seed: 0, flags: 0 });
      const data = encodePayload("DATA", { experience: 0, split: 0, encoding: 0, flags: 1, count: 1, features: 1, samples: Uint8Array.from([0, 0, 0, 0, 128, 63]) });

      await exchange("HELLO", MessageType.HELLO, new Uint8Array(0));
      await exchange("DEPLOY", MessageType.DEPLOY, encodePayload("DEPLOY", { config: new TextEncoder().encode('{"format":"fp32","accel":true,"id":5}'), module: suite.standin.bytes }));
      await exchange("DATA", MessageType.DATA, data);
      await telemetry("TELEMETRY resetting the counters", true);
      await exchange("TRAIN", MessageType.TRAIN, oneStep);
      const one = await telemetry("TELEMETRY after one TRAIN", true);
      // test/board/fixtures/standin.ts: each TRAIN step counts 10 MACs of its own and runs one 2x2x2 job
      // (8 MACs) on the accelerator, then soft-clears its counters.
      expect(one).toMatchObject({ accelJobs: 1, macs: 18 });
      expect(one.cycles).toBeGreaterThan(0);
      // The 10 MACs off the accelerator at the default 60 instructions per MAC and 70 pJ per instruction.
      expect(one.energyCpuJ).toBe(10 * 60 * 70 * 1e-12);
      expect(one.energyAcceleratorJ).toBeGreaterThan(0);
      expect(one.energyMemoryJ).toBeGreaterThan(0);
      expect(one.energyJ).toBe(one.energyAcceleratorJ + one.energyMemoryJ + one.energyCpuJ);
      await exchange("TRAIN", MessageType.TRAIN, oneStep);
      await exchange("TRAIN again", MessageType.TRAIN, oneStep);
      const two = await telemetry("TELEMETRY after two more", false);
      expect(two).toMatchObject({ accelJobs: 2, cycles: 2 * one.cycles, macs: 36 });
      expect(two.energyMemoryJ).toBe(2 * one.energyMemoryJ);
    });
  });
});

describe("traps and refusals keep the board answering (fixture module, 64-byte frames)", () => {
  test("a trap in cmd_run gives an ERROR with the TRAP code and the runtime's words, and the next request succeeds", async () => {
    await suite.withBoard(tiny, suite.fixture.file, "tiny-fixture", async (transport) => {
      const board = client(transport, "qemu-tiny");
      await board.hello();
      const deployed = await board.deploy({ config: new Uint8Array(0), module: suite.fixture.bytes });
      // fixtures/serve.wat: parameters 7, modelBytes 28, memoryUsed = its 2 pages; the limit is the board's.
      expect(deployed).toEqual({ parameters: 7, modelBytes: 28, memoryUsed: 2 * 65536, memoryLimit: tiny.memory.linearMemoryBytes });

      const unreachable = await boardError(board.request("TRAIN", train(0xdead)));
      expect(unreachable.code).toBe(ErrorCode.TRAP);
      expect(unreachable.detail).toMatch(/^the device module trapped in TRAIN: trap in export 'cmd_run': .*unreachable/i);
      expect(await board.request("TRAIN", train(5))).toEqual({ iterations: 5, meanLoss: 0.5, lastLoss: 0.25, precisionSwitches: 0, switches: [] });

      const outOfBounds = await boardError(board.request("TRAIN", train(0xbeef)));
      expect(outOfBounds.code).toBe(ErrorCode.TRAP);
      expect(outOfBounds.detail).toMatch(/out.of.bounds/i);
      expect(await board.request("TRAIN", train(6))).toEqual({ iterations: 6, meanLoss: 0.5, lastLoss: 0.25, precisionSwitches: 0, switches: [] });

      // A trap inside DEPLOY's configuration; then a DEPLOY that works.
      const inDeploy = await boardError(board.deploy({ config: new TextEncoder().encode("trap"), module: suite.fixture.bytes }));
      expect(inDeploy.code).toBe(ErrorCode.TRAP);
      expect(inDeploy.detail).toMatch(/trapped in DEPLOY/);
      expect((await board.deploy({ config: new Uint8Array(0), module: suite.fixture.bytes })).parameters).toBe(7);
      expect(await board.request("EVAL", evalPayload(0))).toEqual({ correct: 0, total: 0, meanLoss: 0 });
    });
  });

  test("an oversize DEPLOY, an oversize frame and a foreign module are refused; the deployment keeps its state", async () => {
    await suite.withBoard(tiny, suite.fixture.file, "tiny-fixture", async (transport) => {
      const link = new FrameLink(transport);
      let seq = 0;
      const exchange = async (type: number, payload: Uint8Array) => (await link.exchange(encodeFrame({ type: type as never, seq: ++seq, payload }), 1))[0];
      const ok = async (type: number, payload: Uint8Array) => {
        const reply = await exchange(type, payload);
        expect(reply.type, Buffer.from(reply.payload).toString("latin1")).toBe(MessageType.RESULT);
        return reply;
      };
      const errorOf = (reply: Frame) => {
        const e = decodeErrorReply(reply.payload);
        if (!("ok" in e)) throw new Error(e.detail);
        return e.ok;
      };
      await link.exchange(new Uint8Array([0]), 0);
      for (const chunk of splitIntoChunks(MessageType.DEPLOY, encodePayload("DEPLOY", { config: new Uint8Array(0), module: suite.fixture.bytes }), 64)) await ok(MessageType.CHUNK, chunk);
      await ok(MessageType.DATA, encodePayload("DATA", { experience: 0, split: 0, encoding: 1, flags: 0, count: 1, features: 1, samples: Uint8Array.of(0, 0, 9) }));
      const evalState = async () => decodeResult("EVAL", (await ok(MessageType.EVAL, evalPayload(0))).payload);
      expect(await evalState()).toEqual({ ok: { correct: 0, total: 0, meanLoss: 1 } });

      const limit = tiny.memory.linearMemoryBytes;
      const first = new Uint8Array(17 + 35);
      const view = new DataView(first.buffer);
      view.setUint8(0, MessageType.DEPLOY);
      view.setUint32(1, 0, true);
      view.setUint32(5, Math.ceil((limit + 1) / 35), true);
      view.setUint32(9, limit + 1, true);
      view.setUint32(13, 0, true);
      const tooLarge = await exchange(MessageType.CHUNK, first);
      expect(tooLarge.type).toBe(MessageType.ERROR);
      expect(errorOf(tooLarge)).toMatchObject({ requestType: MessageType.CHUNK, code: ErrorCode.DOES_NOT_FIT });
      expect(errorOf(tooLarge).message).toBe(`expected a message of at most ${limit} bytes, received a transfer of ${limit + 1}`);
      // The next chunk of that transfer finds no transfer open.
      view.setUint32(1, 1, true);
      view.setUint32(13, 35, true);
      expect(errorOf(await exchange(MessageType.CHUNK, first))).toMatchObject({ code: ErrorCode.BAD_CHUNK });

      // A frame longer than 64 bytes: OVERSIZE while receiving, sequence number 0.
      const long = encodeFrame({ type: MessageType.DATA, seq: ++seq, payload: new Uint8Array(60).fill(7) });
      const [oversize] = await link.exchange(long, 1);
      expect(oversize.seq).toBe(0);
      expect(errorOf(oversize)).toMatchObject({ requestType: 0, code: ErrorCode.OVERSIZE });

      // A module that is not the one built into the image: the wasm2c board says to rebuild.
      const foreign = suite.fixture.bytes.slice();
      foreign[foreign.length - 1] ^= 1;
      const chunks = splitIntoChunks(MessageType.DEPLOY, encodePayload("DEPLOY", { config: new Uint8Array(0), module: foreign }), 64);
      for (const chunk of chunks.slice(0, -1)) await ok(MessageType.CHUNK, chunk);
      const refused = errorOf(await exchange(MessageType.CHUNK, chunks[chunks.length - 1]));
      expect(refused.code).toBe(ErrorCode.BAD_CONFIG);
      expect(refused.message).toMatch(/expected the module built into this wasm2c image \(\d+ bytes, CRC-32 0x[0-9a-f]{8}\), received \d+ bytes .*rebuild the image/);

      // Through all of it the deployment kept its one DATA request, and HELLO still answers.
      expect(await evalState()).toEqual({ ok: { correct: 0, total: 0, meanLoss: 1 } });
      expect(decodeResult("HELLO", (await ok(MessageType.HELLO, new Uint8Array(0))).payload)).toMatchObject({ ok: { board: "qemu-tiny" } });
    });
  });
});

describe("chunked transfers and what the device writes", () => {
  test("a 200 KB DATA payload arrives whole in 16 KiB frames, and a 4 KB one in 64-byte frames", async () => {
    const payloadOf = (n: number) => {
      const samples = Uint8Array.from({ length: n }, (_, i) => (i * 131 + (i >> 8)) & 0xff);
      return encodePayload("DATA", { experience: 2, split: 1, encoding: 1, flags: 0, count: 0, features: 1, samples });
    };
    const big = payloadOf(200_000);
    await suite.withBoard(rv32Fixture, suite.fixture.file, "rv32-fixture", async (transport) => {
      const board = client(transport, "qemu-rv32-fixture");
      await board.hello();
      await board.deploy({ config: new Uint8Array(0), module: suite.fixture.bytes });
      const progress: number[] = [];
      const reply = await board.request("DATA", big, { onProgress: (sent) => progress.push(sent) });
      // fixtures/serve.wat answers the FNV-1a of the payload it was handed.
      expect(reply.stored).toBe(fnv1a(big));
      expect(progress.length).toBe(Math.ceil(big.length / (16384 - 12 - 17)));
      expect(reply.memoryUsed).toBe(Math.ceil((0x10000 + big.length) / 65536) * 65536);
    });
    const small = payloadOf(4000);
    await suite.withBoard(tiny, suite.fixture.file, "tiny-fixture", async (transport) => {
      const board = client(transport, "qemu-tiny");
      await board.hello();
      await board.deploy({ config: new Uint8Array(0), module: suite.fixture.bytes });
      expect((await board.request("DATA", small)).stored).toBe(fnv1a(small));
    });
  });

  test("a reply larger than a frame comes as CHUNKs; messages are cut at 2000 bytes, kept UTF-8, and unknown codes become INTERNAL", async () => {
    await suite.withBoard(tiny, suite.fixture.file, "tiny-fixture", async (transport) => {
      const board = client(transport, "qemu-tiny");
      await board.hello();
      await board.deploy({ config: new Uint8Array(0), module: suite.fixture.bytes });
      const link = new FrameLink(transport); // counts the frames of the chunked reply
      const long = await boardError(board.request("EVAL", evalPayload(999)));
      expect(long.code).toBe(ErrorCode.NO_DATA);
      expect(long.detail).toBe(`${"x".repeat(2000)}...`);
      // ERROR payload: request type, code, length, 2003 bytes of message = 2008 bytes, 35 per CHUNK.
      expect(link.chunkFrames).toBe(Math.ceil(2008 / 35));
      const notUtf8 = await boardError(board.request("EVAL", evalPayload(997)));
      expect(notUtf8.detail).toBe("?A");
      const unknown = await boardError(board.request("EVAL", evalPayload(998)));
      expect(unknown.code).toBe(ErrorCode.INTERNAL);
      expect(unknown.detail).toBe("expected a protocol error code from the device, received 77 (odd)");
      expect(await board.request("EVAL", evalPayload(0))).toEqual({ correct: 0, total: 0, meanLoss: 0 });
    });
  });
});
