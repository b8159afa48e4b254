// TELEMETRY's modelChecksum: the device's CRC-32 of the stored weights, checked against zlib's crc32
// (an independent implementation) over the same bytes read out of linear memory; and how a run's
// report carries it.
import { crc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { runContinual } from "../../host/cl/run.js";
import { encodePayload } from "../../host/protocol/index.js";
import { checkReport } from "../../host/report/io.js";
import { smallRun } from "../helpers/run-options.js";
import { CommandBoard } from "../helpers/device.js";
import { dataPayload, deployPayload, trainPayload } from "../helpers/learner.js";

const telemetry = encodePayload("TELEMETRY", { flags: 0 });

/** The weights as the device stores them (cl_weights_ptr, cl_weights_bytes). */
function storedWeights(board: CommandBoard): Uint8Array {
  const e = board.device.exports as unknown as { cl_weights_ptr(): number; cl_weights_bytes(): number };
  return board.device.u8(e.cl_weights_ptr() >>> 0, e.cl_weights_bytes()).slice();
}

const checksum = (board: CommandBoard) => board.ok("TELEMETRY", telemetry).modelChecksum as number;

describe("modelChecksum", () => {
  it("is 0 before anything is deployed", () => {
    expect(checksum(new CommandBoard())).toBe(0);
  });

  it.each([
    ["fp8-mixed", 1],
    ["fp32", 4],
  ])("is zlib's CRC-32 of the stored weights (%s, %i-byte weights), after DEPLOY and after TRAIN", (precision, bytesPerWeight) => {
    const board = new CommandBoard();
    const deployed = board.ok("DEPLOY", deployPayload({ strategy: "naive", precision, model: "mlp:16" }));
    const weights = storedWeights(board);
    expect(weights.length).toBe((deployed.parameters as number) * bytesPerWeight);
    expect(checksum(board)).toBe(crc32(weights) >>> 0);

    board.ok("DATA", dataPayload("class", 0, "train", 64));
    board.ok("TRAIN", trainPayload(0, 3, 16));
    const trained = storedWeights(board);
    expect(Buffer.compare(Buffer.from(trained), Buffer.from(weights))).not.toBe(0);
    expect(checksum(board)).toBe(crc32(trained) >>> 0);
  });

  it("covers every stored byte: seeded bytes written over the weights give zlib's CRC-32 of them", () => {
    const board = new CommandBoard();
    board.ok("DEPLOY", deployPayload({ strategy: "naive", precision: "fp8-mixed", model: "mlp:16" }));
    const e = board.device.exports as unknown as { cl_weights_ptr(): number; cl_weights_bytes(): number };
    const stored = board.device.u8(e.cl_weights_ptr() >>> 0, e.cl_weights_bytes());
    // xorshift32, seed 0x2545F491: arbitrary bytes, including the first and last of the region.
    let x = 0x2545f491;
    for (let i = 0; i < stored.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      stored[i] = x & 0xff;
    }
    const expected = crc32(stored.slice()) >>> 0;
    expect(checksum(board)).toBe(expected);
    stored[stored.length - 1] ^= 1;
    expect(checksum(board)).toBe(crc32(stored.slice()) >>> 0);
    expect(checksum(board)).not.toBe(expected);
  });

  it("is 0 again after RESET", () => {
    const board = new CommandBoard();
    board.ok("DEPLOY", deployPayload({ strategy: "naive", model: "mlp:16" }));
    expect(checksum(board)).not.toBe(0);
    board.ok("RESET", encodePayload("RESET", { flags: 0 }));
    expect(checksum(board)).toBe(0);
  });
});

describe("the report's modelChecksum", () => {
  const small = smallRun({ iterations: 5, trainSamples: 100, testSamples: 20, board: "inline", memoryLimit: 16 << 20 });

  it("is the last reading's, per phase as read, 8 hex digits, and changes with the training", async () => {
    const report = await runContinual(small);
    const phases = report.telemetry.flatMap((t) => [t.train.modelChecksum, t.eval.modelChecksum]);
    for (const c of phases) expect(c).toMatch(/^[0-9a-f]{8}$/);
    // Evaluation leaves the weights alone; training experience 1 changes them.
    expect(report.telemetry.map((t) => t.eval.modelChecksum)).toEqual(report.telemetry.map((t) => t.train.modelChecksum));
    expect(phases[2]).not.toBe(phases[0]);
    expect(report.modelChecksum).toBe(phases[3]);
    expect(checkReport(JSON.parse(JSON.stringify(report)))).toBeTruthy();
    expect(() => checkReport({ ...report, modelChecksum: "0x1234" }, "r.json")).toThrow(
      'r.json: key "modelChecksum": expected a CRC-32 as 8 lower-case hex digits, received "0x1234"',
    );
  }, 60_000);
});
