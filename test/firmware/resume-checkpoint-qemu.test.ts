// test/board/resume-checkpoint.test.ts on qemu-rv32, for one strategy (QEMU is slow): a run that writes
// the board's checkpoint after every experience, stopped after its first experience and resumed on the
// same flash file by a fresh QEMU, equals the uninterrupted run's report; and checkpoints leave the
// memory figures where the simulated board running the same module (device.wasm) has them, because the
// firmware passes the image between the flash and the device in pieces (docs/protocol.md, "CHECKPOINT
// and RESTORE in pieces") as the simulated board does. Needs the firmware toolchain and QEMU.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { openBoard } from "../../host/client/connect.js";
import type { RunPlan } from "../../host/client/runner.js";
import { planRun } from "../../host/cl/run.js";
import { buildQemuBoardImage, requireToolchain } from "../../host/firmware/index.js";
import { loadBoard } from "../../host/manifest/manifest.js";
import { defaultOptimizer } from "../../host/train/config.js";
import type { Report } from "../../host/report/types.js";
import { comparableReport } from "../helpers/run-process.js";
import { runStoppingAt, type StoppedRun } from "../helpers/cl-run.js";

let dir = "";
let setupError: unknown;

beforeAll(async () => {
  try {
    dir = mkdtempSync(join(tmpdir(), "edgecl-qemu-resume-"));
    requireToolchain();
    await buildQemuBoardImage(loadBoard("qemu-rv32"));
  } catch (err) {
    setupError = err;
  }
}, 600_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/**
 * The simulated board with the scalar module, the one the firmware runs (as test/firmware/run-equality.test.ts),
 * and qemu-rv32's frame size and speed, from which the host plans the requests (TRAIN split into
 * bounded requests): the same requests, whose buffers are part of the memory figures.
 */
function scalarSim(): string {
  const source = JSON.parse(readFileSync(loadBoard("sim").file, "utf8"));
  const { maxFrameSize, slowestMacsPerSecond } = loadBoard("qemu-rv32").transport;
  const file = join(dir, "sim-scalar.json");
  writeFileSync(file, JSON.stringify({ ...source, transport: { ...source.transport, maxFrameSize, slowestMacsPerSecond }, runtime: { ...source.runtime, simd: false } }));
  return file;
}

function plan(board: string): RunPlan {
  return planRun({
    scenario: "class", strategy: "ewc", precision: "fp8-mixed", seed: 7, model: "mlp:16", iterations: 6, batch: 8,
    optimizer: defaultOptimizer("adam"), experiences: 3, trainSamples: 40, testSamples: 20, board, checkpointEvery: "experience",
  }).plan;
}

/** Runs `p` on `board` with its flash in flashDir; with `stopAt`, the board is lost as experience stopAt starts. */
async function run(board: string, p: RunPlan, flashDir: string, stopAt?: number): Promise<StoppedRun> {
  const { client } = await openBoard(board, { flashDir, timeoutMs: 600_000 });
  return runStoppingAt(client, board, p, stopAt);
}

const memoryFigures = (report: Report) => ({
  modelBytes: report.memory.modelBytes,
  peak: report.memory.peakLinearMemoryBytes,
  phases: report.telemetry.map((t) => [t.train.memoryUsedBytes, t.train.memoryPeakBytes, t.eval.memoryUsedBytes, t.eval.memoryPeakBytes]),
});

test("ewc on qemu-rv32: checkpoints keep the simulated board's memory figures; stopped after 1 experience and resumed, the uninterrupted run's report", async () => {
  if (setupError) throw setupError;
  const whole = await run("qemu-rv32", plan("qemu-rv32"), join(dir, "whole"));
  expect(whole.report.status).toMatchObject({ complete: true, checkpoint: { slot: 0, experience: 2 } });
  const onSim = await run(scalarSim(), plan(scalarSim()), join(dir, "sim"));
  expect(onSim.report.status.checkpoint).toMatchObject({ slot: 0, experience: 2 });
  expect(whole.report.modelChecksum).toBe(onSim.report.modelChecksum);
  // The firmware before it passed the image in pieces: the peak after the first checkpoint 915,402 bytes, against 658,084.
  expect(memoryFigures(whole.report)).toEqual(memoryFigures(onSim.report));

  const flash = join(dir, "stopped");
  const partial = await run("qemu-rv32", plan("qemu-rv32"), flash, 1);
  expect(partial.report.status).toMatchObject({ complete: false, experiencesCompleted: 1, checkpoint: { slot: 0, experience: 0 } });
  const resumed = await run("qemu-rv32", { ...plan("qemu-rv32"), resume: partial.report }, flash);
  expect(resumed.log[0]).toMatch(/^resuming from the board's checkpoint of experience 0 \(flash slot 0, \d+ bytes, model checksum [0-9a-f]{8}\)$/);
  expect([...new Set(resumed.trained)]).toEqual([1, 2]);
  expect(comparableReport(resumed.report)).toEqual(comparableReport(whole.report));
}, 900_000);
