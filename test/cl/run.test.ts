// Small end-to-end runs through the protocol (an in-process simulated board), each well under a minute:
// the scenarios behave as the literature says on a reduced budget, and a seed fixes every bit.
import { describe, expect, it } from "vitest";
import { planRun, runContinual, type ClRunOptions } from "../../host/cl/run.js";
import type { Deployment } from "../../host/client/runner.js";
import type { HelloReply } from "../../host/client/client.js";
import { CL_MEMORY_LIMIT, CL_WORD_COUNT } from "../../assembly/cl/abi.js";
import { defaultOptimizer } from "../../host/train/config.js";
import type { Report } from "../../host/report/types.js";
import { expectValidReport } from "../helpers/report-schema.js";

const base: ClRunOptions = {
  benchmark: "split-mnist",
  scenario: "class",
  strategy: "naive",
  precision: "fp32",
  seed: 1,
  model: "mlp:100,100",
  iterations: 100,
  batch: 64,
  optimizer: defaultOptimizer("adam"),
  board: "inline",
  memoryLimit: 64 << 20,
};

/** The report without the board's wall-clock times and its start time, the only values that differ between identical runs. */
function withoutTimes(report: Report): unknown {
  return JSON.parse(JSON.stringify(report, (key, value) => (key === "timeUs" || key === "createdAt" ? undefined : value)));
}

describe("split-mnist on a reduced budget (fp32, MLP 2x100, 100 steps of 64 per experience)", () => {
  it("task-incremental naive fine-tuning keeps average accuracy >= 85%", async () => {
    const report = await runContinual({ ...base, scenario: "task" });
    expect(report.metrics.avgAccuracy).toBeGreaterThanOrEqual(0.85);
  }, 60_000);

  it("class-incremental: naive forgets (<= 30%) while replay remembers (>= 70%)", async () => {
    const naive = await runContinual({ ...base });
    const replay = await runContinual({ ...base, strategy: "replay", strategyOptions: { bufferBytes: 1 << 20 } });
    expect(naive.metrics.avgAccuracy).toBeLessThanOrEqual(0.3);
    expect(replay.metrics.avgAccuracy).toBeGreaterThanOrEqual(0.7);
    // The accuracy matrix and the metrics agree (last row mean).
    const last = replay.accuracy[4];
    expect(replay.metrics.avgAccuracy).toBeCloseTo(last.reduce((a, b) => a + b, 0) / 5, 12);
  }, 60_000);
});

describe("determinism", () => {
  const small: ClRunOptions = { ...base, strategy: "replay", precision: "fp8-mixed", model: "mlp:16", iterations: 10, batch: 16, experiences: 3, strategyOptions: { bufferBytes: 65536 } };

  it("gives bit-identical reports for the same seed and different ones for different seeds", async () => {
    const a = await runContinual({ ...small, seed: 7 });
    const b = await runContinual({ ...small, seed: 7 });
    const c = await runContinual({ ...small, seed: 8 });
    expect(JSON.stringify(withoutTimes(a))).toBe(JSON.stringify(withoutTimes(b)));
    expect(JSON.stringify(withoutTimes(a.accuracy))).not.toBe(JSON.stringify(withoutTimes(c.accuracy)));
    expect(a.config.seed).toBe(7);
    expect(a.macs).toHaveProperty("fp16");
    expect(a.memory.replayBytes).toBe(65536);
    for (const report of [a, b, c]) expectValidReport(report);
  }, 60_000);
});

describe("the memory limit a deployment declares", () => {
  const memoryWord = (config: Uint8Array, modelWords: number) => new DataView(config.buffer, config.byteOffset).getUint32((modelWords + CL_MEMORY_LIMIT) * 4, true);
  const hello = (memoryLimit: number) => ({ memoryLimit }) as unknown as HelloReply;
  const deployOf = (options: Partial<ClRunOptions>) => {
    const { plan } = planRun({ ...base, iterations: 1, ...options });
    return plan.deploy as ((h: HelloReply) => Deployment) | Deployment;
  };
  // The strategy blob is the last CL_WORD_COUNT words of the config.
  const limitIn = (config: Uint8Array) => memoryWord(config, config.length / 4 - CL_WORD_COUNT);

  it("a board named by a manifest declares the manifest's limit", () => {
    const deploy = deployOf({ board: "sim-tiny" });
    expect(typeof deploy).toBe("object");
    expect(limitIn((deploy as Deployment).config as Uint8Array)).toBe(262144);
  });

  it("a tcp: or serial: board declares what HELLO reports, or the smaller of HELLO's and --manifest's", () => {
    for (const board of ["tcp:127.0.0.1:9", "serial:/dev/ttyUSB9"]) {
      const deploy = deployOf({ board });
      expect(typeof deploy).toBe("function");
      expect(limitIn((deploy as (h: HelloReply) => Deployment)(hello(3 << 20)).config as Uint8Array)).toBe(3 << 20);
      const withManifest = deployOf({ board, manifest: "sim-tiny" }) as (h: HelloReply) => Deployment;
      expect(limitIn(withManifest(hello(3 << 20)).config as Uint8Array)).toBe(262144);
      expect(limitIn(withManifest(hello(100_000)).config as Uint8Array)).toBe(100_000);
    }
  });
});
