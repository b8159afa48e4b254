// A slow but alive board is not taken for a hung one: a TRAIN's reply timeout is the base timeout plus
// its work at the board's slowest MAC rate (host/client/timeouts.ts). Here the board is the simulated
// one in this process, with every TRAIN reply held back longer than the base timeout.
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { BoardClient } from "../../host/client/client.js";
import { BoardTimeoutError } from "../../host/client/errors.js";
import { runExperiences, RunInterruptedError } from "../../host/client/runner.js";
import { planRun } from "../../host/cl/run.js";
import { defaultOptimizer } from "../../host/train/config.js";
import { transportPair } from "../../host/transport/transport.js";
import { FrameDecoder, MessageType } from "../../host/protocol/index.js";
import { SimBoard } from "../../board/sim/board.js";
import { manifest } from "../helpers/board.js";

const SIM = JSON.parse(readFileSync(new URL("../../board/sim.json", import.meta.url), "utf8"));

/** The sim board in this process, answering TRAIN `delayMs` late and everything else at once. */
function slowTrainBoard(delayMs: number): BoardClient {
  const board = new SimBoard({ manifest: manifest("sim") });
  const [host, end] = transportPair(["host", "slow board"]);
  const link = board.openLink();
  const peek = new FrameDecoder({ maxFrameSize: 1 << 20 });
  end.onData((bytes) => {
    const train = peek.push(bytes).some((r) => "ok" in r && r.ok.type === MessageType.TRAIN);
    const frames = link.receive(bytes);
    const send = () => frames.forEach((f) => end.open && end.write(f));
    if (train) setTimeout(send, delayMs);
    else send();
  });
  // Requests other than TRAIN keep a generous timeout: this test is about TRAIN's.
  return new BoardClient(host, { board: "slow", timeoutMs: 60_000 });
}

const OPTIONS = { scenario: "class", strategy: "naive", precision: "fp32", seed: 1, model: "mlp:16", iterations: 4, batch: 8, optimizer: defaultOptimizer("sgd"), experiences: 1, trainSamples: 40, testSamples: 20, board: "sim" };

describe("reply timeouts that scale with the work", () => {
  test("a TRAIN is given the base timeout plus its MACs at the manifest's slowest rate", () => {
    const { plan } = planRun({ ...OPTIONS, timeoutMs: 250 });
    const { params, rowsPerStep } = plan.config as { params: number; rowsPerStep: number };
    // Forward, backward data and backward weights: 3 MACs per parameter and row, at the manifest's rate.
    const ms = (steps: number) => 250 + Math.ceil(((steps * 3 * params * rowsPerStep) / SIM.transport.slowestMacsPerSecond) * 1000);
    const timeout = plan.trainTimeoutMs as (steps: number) => number;
    expect([timeout(1), timeout(4), timeout(10_000)]).toEqual([ms(1), ms(4), ms(10_000)]);
    // Without --timeout the base is the manifest's.
    expect((planRun(OPTIONS).plan.trainTimeoutMs as (steps: number) => number)(0)).toBe(SIM.transport.timeoutMs);
  });

  test("an experience goes in TRAIN requests of 10 s of work at the slowest rate; --train-chunk sets the steps; GDumb's take one", () => {
    const { plan } = planRun({ ...OPTIONS, iterations: 5000 });
    const { params, rowsPerStep } = plan.config as { params: number; rowsPerStep: number };
    expect(plan.stepsPerRequest).toBe(Math.floor((10 * SIM.transport.slowestMacsPerSecond) / (3 * params * rowsPerStep)));
    expect(plan.stepsPerRequest).toBeGreaterThan(1);
    expect(plan.stepsPerRequest).toBeLessThan(5000);
    // Fewer steps than a request holds: one request.
    expect(planRun({ ...OPTIONS, iterations: 3 }).plan.stepsPerRequest).toBe(3);
    expect(planRun({ ...OPTIONS, iterations: 5000, trainChunk: 7 }).plan.stepsPerRequest).toBe(7);
    expect(planRun({ ...OPTIONS, iterations: 5000, strategy: "gdumb" }).plan.stepsPerRequest).toBe(5000);
    expect(() => planRun({ ...OPTIONS, trainChunk: 0 })).toThrow(/steps per TRAIN request \(--train-chunk\) to be a positive integer, received 0/);
  });

  test("a board slower than the base timeout but within its work's allowance finishes the run", async () => {
    const { plan } = planRun({ ...OPTIONS, timeoutMs: 250, iterations: 2000 });
    // 2000 steps of an mlp:16 at 20 M MAC/s: seconds of allowance, far more than the 600 ms delay.
    const report = await runExperiences(slowTrainBoard(600), plan);
    expect(report.status.complete).toBe(true);
  }, 60_000);

  test("the same board under a fixed timeout (no rate in the manifest) is declared dead", async () => {
    const { plan } = planRun({ ...OPTIONS, timeoutMs: 250 });
    plan.trainTimeoutMs = 250;
    const failure = await runExperiences(slowTrainBoard(600), plan).catch((err) => err);
    expect(failure).toBeInstanceOf(RunInterruptedError);
    expect((failure as RunInterruptedError).cause).toBeInstanceOf(BoardTimeoutError);
    expect((failure as Error).message).toMatch(/did not answer TRAIN \(experience 0\) within 250 ms/);
  }, 60_000);
});
