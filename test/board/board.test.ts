// The simulated board in this process, driven through a BoardClient or raw frames, with the stand-in
// device module (test/board/fixtures/standin.ts): what the board answers itself, what it hands to the
// device, and that a failed request leaves the previous deployment and its data working.
import { beforeAll, describe, expect, test } from "vitest";
import { SimBoard, type BoardLink } from "../../board/sim/board.js";
import { Flash } from "../../board/sim/flash.js";
import { Bus, loadAccelerator } from "../../board/sim/mmio.js";
import { BoardError } from "../../host/client/errors.js";
import {
  decodeErrorReply,
  decodeResult,
  encodeFrame,
  encodePayload,
  encodeResult,
  ErrorCode,
  FrameDecoder,
  MessageType,
  NO_SEQUENCE,
  cobsEncode,
  packFrame,
  splitIntoChunks,
  type Frame,
} from "../../host/protocol/index.js";
import { ACCEL_ABSENT, ACCEL_BASE, ACCEL_ID_RESET } from "../../host/generated/regmap.js";
import { batch, connectInProcess, manifest, standinWasm } from "../helpers/board.js";

const utf8 = (text: string) => new TextEncoder().encode(text);
let module: Uint8Array;
let bigModule: Uint8Array;
beforeAll(() => {
  module = standinWasm(1);
  bigModule = standinWasm(5); // 5 pages = 320 KiB: more than sim-tiny's 256 KiB
});

/** Sends one frame over a link and decodes every frame the board sends back. */
function exchange(link: BoardLink, frame: Frame | Uint8Array): Frame[] {
  const bytes = frame instanceof Uint8Array ? frame : encodeFrame(frame);
  const decoder = new FrameDecoder({ maxFrameSize: 1 << 20 });
  const out: Frame[] = [];
  for (const wire of link.receive(bytes)) {
    for (const r of decoder.push(wire)) {
      if (!("ok" in r)) throw new Error(`the board sent a bad frame: ${r.detail}`);
      out.push(r.ok);
    }
  }
  return out;
}

async function deployed(id = "sim-noaccel", overrides: Parameters<typeof manifest>[1] = {}, options: { flash?: Flash } = {}) {
  const { board, client } = connectInProcess({ manifest: manifest(id, overrides), flash: options.flash });
  await client.hello();
  await client.deploy({ config: { format: "fp32", modelBytes: 4096, id: 1 }, module });
  const b = batch(8);
  await client.data({ experience: 0, split: "train", ...b, features: 4 });
  await client.data({ experience: 0, split: "test", ...b, features: 4 });
  await client.train({ experience: 0, iterations: 3, batchSize: 2, seed: 1 });
  return { board, client };
}

/** The stand-in's state as the host sees it: EVAL's correct = min(test samples, iterations so far). */
async function state(client: Awaited<ReturnType<typeof deployed>>["client"]) {
  const evaluated = await client.eval({ experience: 0 });
  const telemetry = await client.telemetry();
  return { correct: evaluated.correct, total: evaluated.total, macs: telemetry.macs };
}

describe("HELLO", () => {
  test("answers from the manifest: limits, runtime, board id; no accelerator on sim-noaccel", async () => {
    const { client } = connectInProcess({ manifest: manifest("sim-noaccel") });
    expect(await client.hello()).toEqual({
      protocolVersion: 1,
      maxFrameSize: 65536,
      memoryLimit: 4194304,
      flashSize: 4194304,
      accelPresent: 0,
      accelFormats: 0,
      runtime: "v8",
      board: "sim-noaccel",
    });
  });

  test("on sim the accelerator model is present; its formats are bits of spec/formats.json's named list", async () => {
    const m = manifest("sim");
    const { client } = connectInProcess({ manifest: m, accelerator: await loadAccelerator(m) });
    const hello = await client.hello();
    expect(hello.accelPresent).toBe(1);
    // named: fp32 0, tf32 1, bf16 2, fp16 3, e5m2 4, e4m3 5; board/sim.json lists e4m3, e5m2, fp16, bf16, fp16, fp32.
    expect(hello.accelFormats).toBe((1 << 5) | (1 << 4) | (1 << 3) | (1 << 2) | (1 << 0));
  });
});

describe("the MMIO bus", () => {
  test("without an accelerator every read is ACCEL_ABSENT (0xFFFFFFFF) and writes are ignored", () => {
    const bus = new Bus(null);
    bus.write32(ACCEL_BASE + 0x10, 5);
    expect(bus.read32(ACCEL_BASE)).toBe(0xffffffff);
    expect(bus.read32(ACCEL_BASE + 0x10)).toBe(ACCEL_ABSENT);
    expect(bus.read32(0x1000)).toBe(ACCEL_ABSENT);
  });

  test("with the accelerator model, its block answers at ACCEL_BASE and other addresses stay absent", async () => {
    const m = manifest("sim");
    const factory = await loadAccelerator(m);
    expect(factory).not.toBeNull();
    const memory = new WebAssembly.Memory({ initial: 1 });
    const bus = new Bus(factory!(() => memory));
    expect(bus.read32(ACCEL_BASE)).toBe(ACCEL_ID_RESET);
    expect(bus.read32(ACCEL_BASE - 4)).toBe(ACCEL_ABSENT);
  });

  test("counters survive the driver's soft clears: the bus adds what each clear wiped", () => {
    // A register block whose counters the test sets: CYCLES_LO 0x80, MACS_LO 0x88, MACS_HI 0x8C, ENERGY_FJ_LO 0xA0, JOBS 0xA8.
    const regs = new Map<number, number>();
    const block = { read32: (o: number) => regs.get(o) ?? 0, write32: (o: number, v: number) => (o === 0x60 && v & 2 ? regs.clear() : regs.set(o, v)) };
    const bus = new Bus(block);
    regs.set(0x80, 100).set(0x88, 64).set(0x8c, 1).set(0xa0, 2_000_000).set(0xa8, 1);
    bus.write32(ACCEL_BASE + 0x60, 2); // CTRL.CLEAR
    regs.set(0x80, 50).set(0x88, 36).set(0xa0, 1_000_000).set(0xa8, 2);
    // A block without the model's energy by part: no memory share to report.
    expect(bus.totals()).toEqual({ cycles: 150, macs: 2 ** 32 + 100, energyJ: 3_000_000 * 1e-15, memoryJ: 0, jobs: 3 });
    bus.resetTotals();
    regs.set(0x80, 70);
    expect(bus.totals()).toEqual({ cycles: 20, macs: 0, energyJ: 0, memoryJ: 0, jobs: 0 });
  });
});

describe("the accelerator behind a board", () => {
  async function acceleratedBoard(id: string) {
    const m = manifest(id);
    const { client } = connectInProcess({ manifest: m, accelerator: await loadAccelerator(m) });
    await client.deploy({ config: { format: "fp32", accel: true }, module });
    const b = batch(4);
    await client.data({ experience: 0, split: "train", ...b, features: 4 });
    await client.telemetry({ resetCounters: true });
    return client;
  }
  const train = { experience: 0, iterations: 1, batchSize: 1, seed: 0 };

  test("TELEMETRY counts the model's jobs, cycles and energy, across the driver's soft clears", async () => {
    const client = await acceleratedBoard("sim");
    await client.train(train);
    const one = await client.telemetry({ resetCounters: true });
    expect(one.accelJobs).toBe(1);
    expect(one.cycles).toBeGreaterThan(0);
    expect(one.energyJ).toBeGreaterThan(0);
    // The same job twice costs twice as much, though the driver cleared the counters after each.
    await client.train(train);
    await client.train(train);
    const two = await client.telemetry();
    expect(two).toMatchObject({ accelJobs: 2, cycles: 2 * one.cycles });
    expect(two.energyJ).toBeCloseTo(2 * one.energyJ, 18);
  });

  test("the MACs the accelerator did not run are charged to the CPU path", async () => {
    const withAccel = await acceleratedBoard("sim");
    await withAccel.train(train);
    const a = await withAccel.telemetry();
    // 10 MACs of the stand-in's own and the job's 8 are counted; the job's ran on the accelerator.
    expect(a.macs).toBe(18);
    const withoutAccel = await acceleratedBoard("sim-noaccel");
    await withoutAccel.train(train);
    const t = await withoutAccel.telemetry();
    expect(t).toMatchObject({ accelJobs: 0, cycles: 0, macs: 18 });
    expect(t.energyJ).toBeCloseTo(18 * 60 * 70e-12, 20);
    // With the accelerator: its job's energy, and 10 MACs on the CPU path.
    expect(a.energyJ - 10 * 60 * 70e-12).toBeGreaterThan(0);
  });
});

describe("requests before and after DEPLOY", () => {
  test("DATA, TRAIN, EVAL, CHECKPOINT and RESTORE need a deployment; TELEMETRY and RESET do not", async () => {
    const { client } = connectInProcess({ manifest: manifest("sim-noaccel") });
    await client.hello();
    const b = batch(2);
    await expect(client.data({ experience: 0, split: "train", ...b, features: 4 })).rejects.toMatchObject({ codeName: "NOT_DEPLOYED" });
    await expect(client.train({ experience: 0, iterations: 1, batchSize: 1, seed: 0 })).rejects.toMatchObject({ codeName: "NOT_DEPLOYED" });
    await expect(client.eval({ experience: 0 })).rejects.toThrow(/board sim-noaccel: EVAL \(experience 0\) failed with NOT_DEPLOYED/);
    await expect(client.checkpoint(0)).rejects.toMatchObject({ codeName: "NOT_DEPLOYED" });
    expect((await client.telemetry()).memoryLimit).toBe(4194304);
    await client.reset();
  });

  test("a configuration alone cannot be the first DEPLOY", async () => {
    const { client } = connectInProcess({ manifest: manifest("sim-noaccel") });
    await expect(client.deploy({ config: { format: "fp32" } })).rejects.toThrow(/expected a module in the first DEPLOY/);
  });

  test("a deployment stores data and trains; the DEPLOY reply carries the board's memory limit", async () => {
    const { client } = connectInProcess({ manifest: manifest("sim-tiny") });
    const reply = await client.deploy({ config: { format: "e4m3", modelBytes: 8000 }, module });
    expect(reply).toMatchObject({ parameters: 2000, modelBytes: 8000, memoryLimit: 262144 });
    const b = batch(10);
    expect(await client.data({ experience: 1, split: "test", ...b, features: 4 })).toMatchObject({ stored: 10 });
    expect(await client.data({ experience: 1, split: "test", ...b, features: 4, clear: false })).toMatchObject({ stored: 20 });
    await client.data({ experience: 1, split: "train", ...b, features: 4 });
    expect(await client.train({ experience: 1, iterations: 7, batchSize: 4, seed: 3 })).toMatchObject({ iterations: 7 });
    expect(await client.eval({ experience: 1 })).toMatchObject({ correct: 7, total: 20 });
  });

  test("TELEMETRY: board time and memory limit, device MACs by format; RESET_COUNTERS zeroes them", async () => {
    const { client } = await deployed();
    const t = await client.telemetry({ resetCounters: true });
    expect(t.timeUs).toBeGreaterThan(0);
    expect(t.macs).toBe(3 * 2 * 10);
    expect(t.macsByFormat).toEqual([{ format: 0x00170800, macs: 60 }]);
    // The CPU path's GEMMs (docs/energy.md): 60 instructions per MAC in exact mode, 70 pJ per instruction.
    expect(t.energyJ).toBeCloseTo(60 * 60 * 70e-12, 20);
    expect(t.memoryLimit).toBe(4194304);
    const after = await client.telemetry();
    expect(after.macs).toBe(0);
    expect(after.timeUs).toBeLessThan(t.timeUs + 1e6);
  });
});

describe("a failed DEPLOY keeps the previous deployment working", () => {
  test.each([
    ["a module whose initial memory exceeds the board's", "sim-tiny", () => ({ config: { format: "fp32" }, module: bigModule }), "DOES_NOT_FIT", /262144 bytes.*327680 bytes/],
    ["a model larger than the board's memory (the memory maximum refuses the growth)", "sim-tiny", () => ({ config: { format: "fp32", modelBytes: 300_000 }, module }), "DOES_NOT_FIT", /300000 bytes/],
    ["a configuration with an unknown format", "sim-tiny", () => ({ config: { format: "e9m9" } }), "UNKNOWN_FORMAT", /received "e9m9"/],
    ["an unknown format with a new module", "sim-tiny", () => ({ config: { format: "bogus" }, module }), "UNKNOWN_FORMAT", /received "bogus"/],
    ["a configuration the device rejects", "sim-noaccel", () => ({ config: { format: "fp32", bad: true }, module }), "BAD_CONFIG", /without "bad"/],
    ["a module that traps while deploying", "sim-noaccel", () => ({ config: { format: "fp32", trap: true }, module }), "TRAP", /trapped in DEPLOY: unreachable/],
    ["bytes that are not a module", "sim-noaccel", () => ({ config: { format: "fp32" }, module: new Uint8Array([0, 0x61, 0x73, 0x6d, 9, 9, 9, 9]) }), "BAD_CONFIG", /valid WebAssembly module/],
  ])("%s", async (_, id, request, codeName, message) => {
    const { client } = await deployed(id);
    const before = await state(client);
    const failure = client.deploy(request());
    await expect(failure).rejects.toBeInstanceOf(BoardError);
    await expect(failure).rejects.toMatchObject({ codeName, board: id, request: "DEPLOY" });
    await expect(failure).rejects.toThrow(message);
    expect(await state(client)).toEqual(before);
    // Training goes on from where it was: 3 iterations before, 2 now.
    await client.train({ experience: 0, iterations: 2, batchSize: 2, seed: 1 });
    expect((await client.eval({ experience: 0 })).correct).toBe(5);
  });

  test("a DEPLOY payload larger than the board's memory is refused at its first chunk", async () => {
    const { client } = await deployed("sim-tiny");
    const before = await state(client);
    const huge = new Uint8Array(300_000).fill(1);
    await expect(client.deploy({ config: { format: "fp32" }, module: huge })).rejects.toMatchObject({ codeName: "DOES_NOT_FIT" });
    expect(await state(client)).toEqual(before);
  });

  test("a new module that deploys replaces the old one (and its stored data)", async () => {
    const { client } = await deployed();
    await client.deploy({ config: { format: "fp32", id: 2 }, module });
    await expect(client.eval({ experience: 0 })).rejects.toMatchObject({ codeName: "NO_DATA" });
  });
});

describe("chunked transfers", () => {
  test("a DEPLOY of many chunks at the 64-byte minimum frame size deploys, and reports progress", async () => {
    const { client } = connectInProcess({ manifest: manifest("sim-noaccel", { maxFrameSize: 64 }) });
    await client.hello();
    expect(client.maxFrameSize).toBe(64);
    const seen: number[] = [];
    await client.deploy({ config: { format: "fp32", modelBytes: 100 }, module }, { onProgress: (sent) => seen.push(sent) });
    expect(seen.length).toBeGreaterThan(100);
    expect(seen.at(-1)).toBeGreaterThan(module.length);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    const b = batch(5, 3);
    expect(await client.data({ experience: 0, split: "test", ...b, features: 3 })).toMatchObject({ stored: 5 });
  });

  test("a chunk out of order is BAD_CHUNK and nothing is stored", async () => {
    const board = new SimBoard({ manifest: manifest("sim-noaccel", { maxFrameSize: 64 }) });
    const link = board.openLink();
    const payload = encodePayload("DEPLOY", { config: utf8("{}"), module });
    const chunks = splitIntoChunks(MessageType.DEPLOY, payload, 64);
    expect(exchange(link, { type: MessageType.CHUNK, seq: 1, payload: chunks[0] })[0].type).toBe(MessageType.RESULT);
    const [reply] = exchange(link, { type: MessageType.CHUNK, seq: 2, payload: chunks[2] });
    const error = decodeErrorReply(reply.payload);
    expect(error).toMatchObject({ ok: { requestType: MessageType.CHUNK, code: ErrorCode.BAD_CHUNK } });
    expect(board.deployed).toBe(false);
  });

  test("a reply larger than a frame comes back as CHUNKs with the request's sequence number", () => {
    const board = new SimBoard({ manifest: manifest("sim-noaccel", { maxFrameSize: 64 }) });
    const link = board.openLink();
    // An unknown format name of 200 characters makes an ERROR whose message needs several frames.
    const config = utf8(JSON.stringify({ format: "x".repeat(200) }));
    const chunks = splitIntoChunks(MessageType.DEPLOY, encodePayload("DEPLOY", { config, module }), 64);
    let replies: Frame[] = [];
    chunks.forEach((payload, i) => (replies = exchange(link, { type: MessageType.CHUNK, seq: i + 1, payload })));
    expect(replies.length).toBeGreaterThan(1);
    expect(replies.every((f) => f.type === MessageType.CHUNK && f.seq === chunks.length)).toBe(true);
  });

  test("the client reassembles a chunked reply", async () => {
    const { client } = connectInProcess({ manifest: manifest("sim-noaccel", { maxFrameSize: 64 }) });
    await client.hello();
    await expect(client.deploy({ config: { format: "y".repeat(300) }, module })).rejects.toThrow(new RegExp(`UNKNOWN_FORMAT: .*received "${"y".repeat(300)}"`));
  });
});

describe("sequence numbers and message types", () => {
  test("a repeated request is answered from the last reply, not run twice; a new one with the same number runs", async () => {
    const { board, client } = await deployed();
    // The deploying session ends first: a board takes state-changing requests from one session at a time.
    await client.close();
    await new Promise((resolve) => setImmediate(resolve));
    const link = board.openLink();
    const train = { type: MessageType.TRAIN, seq: 40, payload: encodePayload("TRAIN", { experience: 0, iterations: 5, batchSize: 1, seed: 0, flags: 0 }) } as const;
    const first = exchange(link, train);
    const again = exchange(link, train);
    expect(again).toEqual(first);
    const evalFrame = (seq: number) => ({ type: MessageType.EVAL, seq, payload: encodePayload("EVAL", { experience: 0, flags: 0 }) });
    const [evaluated] = exchange(link, evalFrame(41));
    expect(decodeResult("EVAL", evaluated.payload)).toMatchObject({ ok: { correct: 8 } }); // 3 + 5, capped at 8 samples
    const [sameSeq] = exchange(link, evalFrame(40)); // seq 40 again, but another request: it runs
    expect(sameSeq.seq).toBe(40);
    expect(decodeResult("EVAL", sameSeq.payload)).toHaveProperty("ok");
  });

  test("a RESULT or ERROR sent to the board is UNEXPECTED_TYPE, echoing the sequence number", () => {
    const link = new SimBoard({ manifest: manifest("sim-noaccel") }).openLink();
    const replies = [
      { type: MessageType.RESULT, payload: encodeResult("RESET", {}) },
      { type: MessageType.ERROR, payload: encodePayload("ERROR", { requestType: 1, code: 1, message: "x" }) },
    ] as const;
    for (const { type, payload } of replies) {
      const [reply] = exchange(link, { type, seq: 9, payload });
      expect(reply.seq).toBe(9);
      expect(decodeErrorReply(reply.payload)).toMatchObject({ ok: { requestType: type, code: ErrorCode.UNEXPECTED_TYPE } });
    }
  });

  test("a payload that does not match its layout is BAD_PAYLOAD naming the field", () => {
    const link = new SimBoard({ manifest: manifest("sim-noaccel") }).openLink();
    const [reply] = exchange(link, { type: MessageType.TRAIN, seq: 3, payload: new Uint8Array([1, 2, 3]) });
    const error = decodeErrorReply(reply.payload);
    expect(error).toMatchObject({ ok: { requestType: MessageType.TRAIN, code: ErrorCode.BAD_PAYLOAD } });
    expect("ok" in error && error.ok.message).toMatch(/TRAIN payload field iterations/);
  });

  test("a frame that fails its CRC gets an ERROR with sequence 0 and request type 0", () => {
    const link = new SimBoard({ manifest: manifest("sim-noaccel") }).openLink();
    const packed = packFrame({ type: MessageType.HELLO, seq: 5, payload: new Uint8Array(0) });
    packed[packed.length - 1] ^= 0x80;
    const [reply] = exchange(link, Uint8Array.from([...cobsEncode(packed), 0]));
    expect(reply.seq).toBe(NO_SEQUENCE);
    expect(decodeErrorReply(reply.payload)).toMatchObject({ ok: { requestType: 0, code: ErrorCode.BAD_CRC } });
  });
});

describe("CHECKPOINT and RESTORE", () => {
  test("restore brings back the checkpointed state after more training", async () => {
    const { client } = await deployed();
    const saved = await client.checkpoint(1);
    expect(saved.bytes).toBe(16 + 32 * 4);
    await client.train({ experience: 0, iterations: 4, batchSize: 1, seed: 0 });
    expect((await client.eval({ experience: 0 })).correct).toBe(7);
    expect(await client.restore(1)).toEqual(saved);
    expect((await client.eval({ experience: 0 })).correct).toBe(3);
  });

  test("an empty slot is NO_CHECKPOINT and a slot beyond the flash is BAD_PAYLOAD; the state stays", async () => {
    const { client } = await deployed();
    const before = await state(client);
    await expect(client.restore(2)).rejects.toMatchObject({ codeName: "NO_CHECKPOINT" });
    await expect(client.restore(9)).rejects.toThrow(/expected a flash slot 0..3, received 9/);
    await expect(client.checkpoint(4)).rejects.toMatchObject({ codeName: "BAD_PAYLOAD" });
    expect(await state(client)).toEqual(before);
  });

  test("a checkpoint larger than a slot does not fit", async () => {
    const { client } = await deployed("sim-noaccel", {}, { flash: new Flash(256) }); // 64-byte slots
    await expect(client.checkpoint(0)).rejects.toThrow(/DOES_NOT_FIT: expected a checkpoint of at most 48 bytes \(flash slot 0\), received 144/);
  });

  test("an image the device refuses leaves its state unchanged", async () => {
    const flash = new Flash(4096);
    const { client } = await deployed("sim-noaccel", {}, { flash });
    flash.write(3, new Uint8Array(20).fill(7)); // a valid slot holding something that is not a learner's image
    const before = await state(client);
    await expect(client.restore(3)).rejects.toMatchObject({ codeName: "BAD_PAYLOAD" });
    expect(await state(client)).toEqual(before);
  });

  test("RESET with ERASE_FLASH drops the learner and every checkpoint", async () => {
    const { client } = await deployed();
    await client.checkpoint(0);
    await client.reset({ eraseFlash: true });
    await expect(client.eval({ experience: 0 })).rejects.toMatchObject({ codeName: "NOT_DEPLOYED" });
    await client.deploy({ config: { format: "fp32" } }); // the module stays loaded: a configuration is enough
    await expect(client.restore(0)).rejects.toMatchObject({ codeName: "NO_CHECKPOINT" });
  });
});
