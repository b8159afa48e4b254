// An experience's steps split over several TRAIN requests (CONTINUE, FOLLOWS) on the RISC-V firmware
// under QEMU give the report of one request per experience: the device code keeps its place across the
// requests, and the firmware adds the accelerator's work of a CONTINUE request to the next one's, so the
// energy sums keep one request's grouping (test/board/train-split.test.ts does every strategy on sim).
import { describe, expect, test } from "vitest";
import { runContinual } from "../../host/cl/run.js";
import { boardImageBuilt } from "./helpers.js";
import { comparableReport } from "../helpers/run-process.js";
import { smallRun } from "../helpers/run-options.js";

// Replay: its steps draw buffer rows from the strategy's stream too. 2 steps of 16 rows take 32 of the
// pool's 40 samples, so the second request picks up inside a shuffled pool.
const RUN = smallRun({ strategy: "replay", seed: 4, iterations: 5, experiences: 2, trainSamples: 40, testSamples: 16, board: "qemu-rv32" });

const ready = boardImageBuilt("qemu-rv32");

describe("qemu-rv32: an experience in TRAIN requests of 2, 2 and 1 steps", () => {
  test("gives the report of one request per experience", async () => {
    ready();
    const trains = (counted: number[]) => ({ onStep: (s: { request: string }) => void (s.request === "TRAIN" && counted.push(1)) });
    const wholeTrains: number[] = [];
    const splitTrains: number[] = [];
    const whole = await runContinual({ ...RUN, trainChunk: 5, hooks: trains(wholeTrains) });
    const split = await runContinual({ ...RUN, trainChunk: 2, hooks: trains(splitTrains) });
    expect([wholeTrains.length, splitTrains.length]).toEqual([2, 6]);
    expect(whole.status.complete).toBe(true);
    expect(whole.accelerator?.jobs).toBeGreaterThan(0);
    expect(split.modelChecksum).toBe(whole.modelChecksum);
    expect(comparableReport(split)).toEqual(comparableReport(whole));
  }, 600_000);
});
