// The board fuzzer (host/client/fuzz.ts): a seeded sample of every mutation against the simulated board
// with the device module finds no crash, hang, undecodable reply or unexplained model change, and the
// board's error replies name the frame problems the mutations make; and the fuzzer itself reports a
// board that dies, one that stops answering, and a model that changes with no valid request to explain it.
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { fuzzBoard, FrameMutator, MUTATIONS, type FuzzOptions } from "../../host/client/fuzz.js";
import { modulePath } from "../../host/device/module.js";
import { DataFlag, decodePayload, encodePayload, FrameDecoder, MessageType, SampleEncoding, Split } from "../../host/protocol/index.js";
import { connectInProcess, manifest } from "../helpers/board.js";
import { FEATURES, separable, setUpLearner } from "../helpers/learner.js";

const module = () => new Uint8Array(readFileSync(modulePath(false)));


/** Fuzz options against in-process simulated boards (a new one on each open); `boards` collects them. */
function simTarget(boards: Array<ReturnType<typeof connectInProcess>>, overrides: Partial<FuzzOptions> = {}): FuzzOptions {
  const wasm = module();
  return {
    frames: 640,
    seed: 11,
    timeoutMs: 5_000,
    open: async () => {
      const connected = connectInProcess({ manifest: manifest("sim-noaccel", { maxFrameSize: 4096 }) }, 30_000);
      boards.push(connected);
      return { client: connected.client, transport: connected.client.transport };
    },
    setUp: (client) => setUpLearner(client, wasm),
    ...overrides,
  };
}

describe("fuzzing the simulated board", () => {
  test("a seeded sample of every mutation: no crash, hang, bad reply or unexplained change; the errors name the frame problems", async () => {
    const stats = await fuzzBoard(simTarget([], { frames: 3000, seed: 20261207 }));
    expect({ crashes: stats.crashes, hangs: stats.hangs, badReplies: stats.badReplies, unexplained: stats.unexplained }).toEqual({ crashes: [], hangs: [], badReplies: [], unexplained: [] });
    expect(stats.frames).toBe(3000);
    for (const m of MUTATIONS) expect(stats.byMutation[m], m).toBeGreaterThan(100);
    for (const code of ["BAD_CRC", "BAD_ENCODING", "OVERSIZE", "TRUNCATED", "BAD_VERSION", "UNKNOWN_TYPE", "BAD_LENGTH", "BAD_PAYLOAD"]) {
      expect(stats.errors[code], code).toBeGreaterThan(0);
    }
    // Valid TRAINs and RESTOREs among the frames changed the model, each explained.
    expect(stats.explainedChanges).toBeGreaterThan(0);
    expect(stats.replies).toBeGreaterThan(stats.frames / 2);
  }, 120_000);

  test("the same seed makes the same frames", () => {
    const corpus = [
      { type: MessageType.HELLO, seq: 1, payload: encodePayload("HELLO", {}) },
      { type: MessageType.TRAIN, seq: 2, payload: encodePayload("TRAIN", { experience: 0, iterations: 2, batchSize: 4, seed: 1, flags: 0 }) },
    ];
    const a = new FrameMutator(3, corpus, 4096).batch(200).map((f) => Buffer.from(f.bytes).toString("hex"));
    const b = new FrameMutator(3, corpus, 4096).batch(200).map((f) => Buffer.from(f.bytes).toString("hex"));
    const c = new FrameMutator(4, corpus, 4096).batch(200).map((f) => Buffer.from(f.bytes).toString("hex"));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  test("what a frame can explain is what the board reads in its bytes (a changed version or length can land on the right value)", () => {
    const corpus = [
      { type: MessageType.TRAIN, seq: 2, payload: encodePayload("TRAIN", { experience: 0, iterations: 2, batchSize: 4, seed: 1, flags: 0 }) },
      { type: MessageType.RESTORE, seq: 3, payload: encodePayload("RESTORE", { slot: 0 }) },
    ];
    let fieldsStillValid = 0;
    for (const f of new FrameMutator(5, corpus, 4096).batch(5000)) {
      const read = new FrameDecoder({ maxFrameSize: 4096 }).push(f.bytes).flatMap((r) => ("ok" in r ? [{ type: r.ok.type, seq: r.ok.seq }] : []));
      expect(f.readable).toEqual(read);
      if (f.mutation === "field" && read.length > 0) fieldsStillValid++;
    }
    expect(fieldsStillValid).toBeGreaterThan(0);
  });

  test("a readable TRAIN the fuzzer makes stays at most 3 steps of 16 samples", () => {
    const corpus = [{ type: MessageType.TRAIN, seq: 2, payload: encodePayload("TRAIN", { experience: 0, iterations: 2, batchSize: 4, seed: 1, flags: 0 }) }];
    const decoder = new FrameDecoder({ maxFrameSize: 1 << 20 });
    let trains = 0;
    for (const f of new FrameMutator(9, corpus, 4096).batch(2000)) {
      for (const r of decoder.push(f.bytes)) {
        if (!("ok" in r) || r.ok.type !== MessageType.TRAIN) continue;
        const fields = decodePayload("TRAIN", r.ok.payload);
        if (!("ok" in fields)) continue;
        trains++;
        expect(fields.ok.iterations).toBeLessThanOrEqual(3);
        expect(fields.ok.batchSize).toBeLessThanOrEqual(16);
      }
    }
    expect(trains).toBeGreaterThan(100);
  });
});

describe("what the fuzzer reports", () => {
  test("a board that dies is a crash; the fuzzer goes on with a new board", async () => {
    const boards: Array<ReturnType<typeof connectInProcess>> = [];
    const stats = await fuzzBoard(
      simTarget(boards, {
        frames: 256,
        onBatch: (s) => {
          if (s.batches === 1) void boards[0].boardEnd.close();
        },
      }),
    );
    expect(stats.crashes).toHaveLength(1);
    expect(stats.crashes[0]).toMatch(/^batch 1 \(frames 64\.\.127, seed 11\): .*closed/);
    expect(boards).toHaveLength(2);
    expect(stats.hangs).toEqual([]);
  }, 60_000);

  test("a board that stops answering is a hang", async () => {
    const boards: Array<ReturnType<typeof connectInProcess>> = [];
    const stats = await fuzzBoard(
      simTarget(boards, {
        frames: 192,
        timeoutMs: 300,
        onBatch: (s) => {
          if (s.batches === 1) boards[0].control.hung = true;
        },
      }),
    );
    expect(stats.hangs).toEqual(["batch 1 (frames 64..127, seed 11): no reply to HELLO, and nothing else, for 300 ms"]);
    expect(stats.crashes).toEqual([]);
  }, 60_000);

  test("a model that changes with no valid request answered is an unexplained state change", async () => {
    const boards: Array<ReturnType<typeof connectInProcess>> = [];
    const wasm = module();
    // The learner is deployed and trained before the recorded set-up, which holds no request that
    // changes the model: every change the fuzzer sees is the one made behind the link's back.
    const options = simTarget(boards, {
      frames: 320,
      open: async () => {
        const connected = connectInProcess({ manifest: manifest("sim-noaccel", { maxFrameSize: 4096 }) }, 30_000);
        boards.push(connected);
        await setUpLearner(connected.client, wasm);
        return { client: connected.client, transport: connected.client.transport };
      },
      setUp: async (client) => {
        await client.hello();
        await client.eval({ experience: 0 });
        await client.telemetry();
      },
      onBatch: (s) => {
        if (s.batches !== 2) return;
        // DATA (a TRAIN that ends an experience lets its samples go) and a TRAIN, straight to the board.
        const { inputs, labels } = separable(8, "behind-the-back");
        const samples = new Uint8Array(8 * (2 + 4 * FEATURES));
        const view = new DataView(samples.buffer);
        labels.forEach((label, i) => view.setUint16(2 * i, label, true));
        inputs.forEach((x, i) => view.setFloat32(16 + 4 * i, x, true));
        const board = boards[0].board;
        const data = { experience: 0, split: Split.TRAIN, encoding: SampleEncoding.F32, flags: DataFlag.CLEAR, count: 8, features: FEATURES, samples };
        expect(board.handle(MessageType.DATA, encodePayload("DATA", data)).type).toBe(MessageType.RESULT);
        expect(board.handle(MessageType.TRAIN, encodePayload("TRAIN", { experience: 0, iterations: 3, batchSize: 4, seed: 99, flags: 0 })).type).toBe(MessageType.RESULT);
      },
    });
    const stats = await fuzzBoard(options);
    expect(stats.unexplained).toHaveLength(1);
    expect(stats.unexplained[0]).toMatch(/^batch 2 \(frames 128\.\.191, seed 11\): model checksum \d+ became \d+ with no valid state-changing request answered$/);
    expect(stats.explainedChanges).toBe(0);
  }, 60_000);

});
