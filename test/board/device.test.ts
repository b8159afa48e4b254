// The simulated board with the real device module (build/device.wasm, assembly/device/): a learner
// deployed from config blobs learns a separable task, a DEPLOY too large for sim-tiny or with an unknown
// format is refused while the previous deployment keeps working, a checkpoint comes back bit for bit,
// and a whole run goes through the runner into a report.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, test, vi } from "vitest";
import { CL_BUFFER_BYTES, CL_REPLAY_BATCH, CL_STRATEGY, STRATEGY_REPLAY } from "../../assembly/cl/abi.js";
import { CFG_ROLES } from "../../assembly/nn/abi.js";
import { loadAccelerator } from "../../board/sim/mmio.js";
import { DeviceInstance } from "../../board/sim/device.js";
import { BOARD_FILLED, decodeFields, IMAGE_PIECE_SIZE, MessageType, REPLY_LAYOUTS } from "../../host/protocol/index.js";
import { runExperiences } from "../../host/client/runner.js";
import type { BoardClient } from "../../host/client/client.js";
import { modulePath } from "../../host/device/module.js";
import { connectInProcess, manifest } from "../helpers/board.js";
import { FEATURES, learner, separable } from "../helpers/learner.js";

let module: Uint8Array;
beforeAll(() => {
  module = new Uint8Array(readFileSync(modulePath(false)));
});

async function trained(id: string, hidden = "16", linearMemoryBytes?: number) {
  const m = manifest(id, linearMemoryBytes ? { linearMemoryBytes } : {});
  const { client } = connectInProcess({ manifest: m, accelerator: await loadAccelerator(m) }, 60_000);
  const hello = await client.hello();
  await client.deploy({ config: learner({ hidden, memoryLimit: hello.memoryLimit }), module });
  await client.data({ experience: 0, split: "train", ...separable(64, "train"), features: FEATURES });
  await client.data({ experience: 0, split: "test", ...separable(40, "test"), features: FEATURES });
  await client.train({ experience: 0, iterations: 100, batchSize: 8, seed: 3 });
  return { client, hello };
}

const accuracy = async (client: BoardClient) => {
  const r = await client.eval({ experience: 0 });
  return r.correct / r.total;
};

describe("the simulated board with the device module", () => {
  test("a deployed learner learns a separable task; TELEMETRY counts its MACs in fp32 and their energy", async () => {
    const { client } = await trained("sim");
    expect(await accuracy(client)).toBeGreaterThanOrEqual(0.9);
    const t = await client.telemetry();
    expect(t.macs).toBeGreaterThan(0);
    expect(t.macsByFormat.map((f) => f.format)).toEqual([0x00170800]); // fp32, spec/formats.json
    expect(t.memoryLimit).toBe(4194304);
    expect(t.memoryUsed).toBeGreaterThan(0);
    // Every GEMM ran on the 4 x 4 accelerator: no CPU fallback, no CPU-path energy.
    expect(t.accelJobs).toBeGreaterThan(0);
    expect(t.accelMacs).toBe(t.macs);
    expect(t.accelUnits).toBe(16);
    expect([t.fallbackNoAccelerator, t.fallbackFormat, t.fallbackRounding, t.fallbackMode, t.fallbackEmpty, t.fallbackRefused]).toEqual([0, 0, 0, 0, 0, 0]);
    expect(t.energyCpuJ).toBe(0);
    expect([t.cpuMacsExact, t.cpuMacsExactSr, t.cpuMacsFast]).toEqual([0, 0, 0]);
    expect(t.energyAcceleratorJ).toBeGreaterThan(0);
    expect(t.energyMemoryJ).toBeGreaterThan(0);
    expect(t.energyJ).toBeCloseTo(t.energyAcceleratorJ + t.energyMemoryJ, 15);
  });

  test("sim-noaccel: every GEMM falls back to the CPU path, charged per MAC (fp32: the fast loop, 6 instructions at 70 pJ)", async () => {
    const { client } = await trained("sim-noaccel");
    const t = await client.telemetry();
    expect(t.accelJobs).toBe(0);
    expect(t.accelMacs).toBe(0);
    expect(t.accelUnits).toBe(0);
    expect(t.fallbackNoAccelerator).toBeGreaterThan(0);
    expect([t.fallbackFormat, t.fallbackRounding, t.fallbackMode, t.fallbackEmpty, t.fallbackRefused]).toEqual([0, 0, 0, 0, 0]);
    // Unfused fp32 products and sums: the device runs every job in its fast kernel.
    expect([t.cpuMacsExact, t.cpuMacsExactSr, t.cpuMacsFast]).toEqual([0, 0, t.macs]);
    expect(t.energyCpuJ).toBeCloseTo(t.macs * 6 * 70e-12, 12);
    expect([t.energyAcceleratorJ, t.energyMemoryJ]).toEqual([0, 0]);
    expect(t.energyJ).toBe(t.energyCpuJ);
  });

  test("TELEMETRY: the board fills the fields the spec gives it, every other field reaches the host as the device wrote it", async () => {
    // The device's own reply, as the board receives it before filling its fields in.
    const replies: Uint8Array[] = [];
    const run = DeviceInstance.prototype.run;
    const spy = vi.spyOn(DeviceInstance.prototype, "run").mockImplementation(function (this: DeviceInstance, type, payload) {
      const result = run.call(this, type, payload);
      if (type === MessageType.TELEMETRY && "ok" in result) replies.push(result.ok.slice());
      return result;
    });
    try {
      const { client } = await trained("sim-noaccel", "8");
      const board = await client.telemetry();
      expect(replies).toHaveLength(1);
      const decoded = decodeFields(REPLY_LAYOUTS.TELEMETRY, replies[0], "TELEMETRY reply");
      if ("error" in decoded) throw new Error(decoded.detail);
      const device = decoded.ok as Record<string, unknown>;
      for (const [field, value] of Object.entries(board)) {
        if (!(BOARD_FILLED.TELEMETRY as readonly string[]).includes(field)) expect(value, field).toEqual(device[field]);
      }
      expect(device.macs).toBeGreaterThan(0);
      // The device leaves time and energy to the board: it writes 0 and NaN there.
      expect([device.timeUs, device.energyJ, device.energyCpuJ]).toEqual([0, Number.NaN, Number.NaN]);
      expect(board.timeUs).toBeGreaterThan(0);
      expect(board.energyCpuJ).toBeGreaterThan(0);
      expect(board.energyJ).toBe(board.energyCpuJ);
    } finally {
      spy.mockRestore();
    }
  });

  test("sim-tiny refuses a model larger than its memory, and the previous deployment keeps working", async () => {
    const { client, hello } = await trained("sim-tiny");
    const before = await accuracy(client);
    const refused = client.deploy({ config: learner({ hidden: "4096,64", memoryLimit: hello.memoryLimit }) });
    await expect(refused).rejects.toMatchObject({ codeName: "DOES_NOT_FIT" });
    await expect(refused).rejects.toThrow(/needs .*\d+ bytes/);
    expect(await accuracy(client)).toBe(before);
  });

  // A model that fits the 1 MiB board only where the live one lies: the board must check the new
  // deployment completely before it replaces the old one.
  const ONE_MIB = 1 << 20;
  const LARGE = "300,200";

  test("a DEPLOY refused by a strategy check after the model fitted only in the old one's place keeps the old one (same EVAL, same checksum)", async () => {
    const { client, hello } = await trained("sim", LARGE, ONE_MIB);
    expect(hello.memoryLimit).toBe(ONE_MIB);
    const before = { eval: await client.eval({ experience: 0 }), checksum: (await client.telemetry()).modelChecksum };
    const refused = client.deploy({
      config: learner({
        hidden: LARGE,
        memoryLimit: ONE_MIB,
        spoilStrategy: (w) => {
          w[CL_STRATEGY] = STRATEGY_REPLAY;
          w[CL_BUFFER_BYTES] = 4096;
          w[CL_REPLAY_BATCH] = 60000;
        },
      }),
    });
    await expect(refused).rejects.toMatchObject({ codeName: "BAD_CONFIG" });
    await expect(refused).rejects.toThrow(/replay batch below the model's largest batch 16.*received 60000/);
    expect(await client.eval({ experience: 0 })).toEqual(before.eval);
    expect((await client.telemetry()).modelChecksum).toBe(before.checksum);
    // The model that fits in its place is accepted and replaces it.
    await client.deploy({ config: learner({ hidden: LARGE, memoryLimit: ONE_MIB }) });
  });

  test("a DEPLOY declaring no memory limit (0) for a model larger than the runtime allows is DOES_NOT_FIT, not a trap, and keeps the old one", async () => {
    const { client } = await trained("sim", LARGE, ONE_MIB);
    const before = { eval: await client.eval({ experience: 0 }), checksum: (await client.telemetry()).modelChecksum };
    const refused = client.deploy({ config: learner({ hidden: "600,400", memoryLimit: 0 }) });
    await expect(refused).rejects.toMatchObject({ codeName: "DOES_NOT_FIT" });
    await expect(refused).rejects.toThrow(/runtime refused/);
    expect(await client.eval({ experience: 0 })).toEqual(before.eval);
    expect((await client.telemetry()).modelChecksum).toBe(before.checksum);
  });

  test("peak memory is a figure of the deployment: a smaller one after a larger reports its own peak", async () => {
    const { client } = await trained("sim", LARGE, 4 * ONE_MIB);
    const largePeak = (await client.telemetry()).memoryPeak;
    await client.deploy({ config: learner({ hidden: "8", memoryLimit: 4 * ONE_MIB }) });
    const smallPeak = (await client.telemetry()).memoryPeak;
    expect(smallPeak).toBeLessThan(largePeak / 4);
    expect(smallPeak).toBeGreaterThan(0);
  });

  test("a config with an unknown format is UNKNOWN_FORMAT, and the previous deployment keeps working", async () => {
    const { client, hello } = await trained("sim");
    const before = await accuracy(client);
    const spoiled = learner({ hidden: "16", memoryLimit: hello.memoryLimit, spoil: (w) => (w[CFG_ROLES] = 0x0000000f) });
    await expect(client.deploy({ config: spoiled })).rejects.toMatchObject({ codeName: "UNKNOWN_FORMAT" });
    await expect(client.deploy({ config: spoiled, module })).rejects.toMatchObject({ codeName: "UNKNOWN_FORMAT" });
    expect(await accuracy(client)).toBe(before);
  });

  test("a checkpoint restores the learner bit for bit after more training", async () => {
    const { client } = await trained("sim");
    const saved = await client.checkpoint(2);
    const atCheckpoint = await client.eval({ experience: 0 });
    await client.data({ experience: 0, split: "train", ...separable(64, "more"), features: FEATURES });
    await client.train({ experience: 0, iterations: 40, batchSize: 8, seed: 9 });
    expect(await client.restore(2)).toEqual(saved);
    expect(await client.eval({ experience: 0 })).toEqual(atCheckpoint);
  });

  test("CHECKPOINT streams the image (the peak stays); RESTORE into a fresh deployment brings back the learner and its memory figures", async () => {
    const { client, hello } = await trained("sim");
    const before = await client.telemetry();
    const saved = await client.checkpoint(1);
    expect(saved.bytes).toBeGreaterThan(2 * IMAGE_PIECE_SIZE); // several pieces
    expect((await client.telemetry()).memoryPeak).toBe(before.memoryPeak);
    // The same configuration deployed again, and the same samples stored (training ended: only the test set).
    await client.deploy({ config: learner({ hidden: "16", memoryLimit: hello.memoryLimit }), module: new Uint8Array(0) });
    await client.data({ experience: 0, split: "test", ...separable(40, "test"), features: FEATURES });
    const fresh = await client.telemetry();
    expect(fresh.memoryPeak).toBeLessThan(before.memoryPeak);
    expect(fresh.modelChecksum).not.toBe(before.modelChecksum);
    await client.restore(1);
    const restored = await client.telemetry();
    expect([restored.modelChecksum, restored.memoryUsed, restored.memoryPeak]).toEqual([before.modelChecksum, before.memoryUsed, before.memoryPeak]);
  });

  test("a two-experience run through the runner fills the report", async () => {
    const m = manifest("sim-noaccel");
    const { client } = connectInProcess({ manifest: m }, 60_000);
    const report = await runExperiences(client, {
      config: { benchmark: "separable", strategy: "naive", precision: "fp32", seed: 7 },
      deploy: (hello) => ({ config: learner({ hidden: "16", memoryLimit: hello.memoryLimit }), module }),
      features: FEATURES,
      experiences: [0, 1].map((e) => ({ train: separable(48, `train-${e}`), test: separable(20, `test-${e}`) })),
      iterations: 40,
      batchSize: 8,
      trainSeed: (e) => 1000 + 10 * e,
    });
    expect(report.status.complete).toBe(true);
    expect(report.accuracy).toHaveLength(2);
    expect(report.accuracy[1][1]).toBeGreaterThanOrEqual(0.9);
    expect(Object.keys(report.macs)).toEqual(["fp32"]);
    expect(report.memory.modelBytes).toBeGreaterThan(0);
    expect(report.metrics.avgAccuracy).not.toBeNull();
  });
});
