// The accelerator of qemu-rv32 as a device on the emulated PCIe bus, served by a host process
// (firmware/device/accel_device.c): a run's GEMMs are the device process's (its own job count equals the
// report's accelerator jobs), the firmware's loads and stores reach it through the BAR (the STATUS reads
// the firmware counts in the BAR arrive in the process's stats), the driver sees BUSY; and the process
// dying mid-run is a board fault naming it, with the partial report saved and QEMU gone.
// Needs the firmware toolchain, the host's gcc and QEMU.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { BoardClient } from "../../host/client/client.js";
import { modulePath } from "../../host/device/module.js";
import { loadBoard } from "../../host/manifest/manifest.js";
import { buildQemuBoardImage, openQemuBoard, requireToolchain } from "../../host/firmware/index.js";
import { dataPayload, deployConfig, trainPayload } from "../helpers/learner.js";
import { alive, childrenWith, completed, edgeclBackground, until } from "../helpers/run-process.js";

let dir = "";
let setupError: unknown;
beforeAll(async () => {
  try {
    requireToolchain();
    dir = mkdtempSync(join(tmpdir(), "edgecl-accel-device-"));
    await buildQemuBoardImage(loadBoard("qemu-rv32"));
  } catch (err) {
    setupError = err;
  }
}, 300_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// Three experiences of a few steps: the first one's partial report is saved before the fault.
const RUN = ["run", "--board", "qemu-rv32", "--model", "mlp:16", "--experiences", "3", "--iterations", "4", "--train-samples", "32", "--test-samples", "16", "--quiet"];

interface DeviceStats {
  jobs: number;
  refused: number;
  macs: number;
  doorbells: number;
  statusReads: number;
  busyReads: number;
  busyJobs: number;
}

describe("qemu-rv32: the accelerator is a device process behind a PCIe BAR", () => {
  test("the device process runs every accelerated GEMM; the firmware's accesses reach it through the BAR; BUSY is seen", async () => {
    if (setupError) throw setupError;
    const stats = join(dir, "stats.json");
    const manifest = loadBoard("qemu-rv32");
    const board = new BoardClient(await openQemuBoard(manifest, { accelStatsFile: stats }), { board: manifest.id, timeoutMs: 120_000 });
    let jobs = 0;
    let macs = 0;
    try {
      await board.hello();
      const config = deployConfig({ strategy: "naive", scenario: "task", model: "mlp:64", precision: "fp8-mixed", batch: 16, memoryLimit: manifest.memory.linearMemoryBytes });
      await board.deploy({ config, module: new Uint8Array(readFileSync(modulePath())) });
      await board.request("DATA", dataPayload("task", 0, "train", 32));
      await board.telemetry({ resetCounters: true });
      await board.request("TRAIN", trainPayload(0, 2, 16));
      const telemetry = await board.telemetry();
      jobs = telemetry.accelJobs;
      macs = telemetry.accelMacs;
    } finally {
      await board.close();
    }
    // Written by the device process when the host stopped it.
    const device = JSON.parse(readFileSync(stats, "utf8")) as DeviceStats;
    expect(jobs).toBeGreaterThan(0);
    expect(device.jobs).toBe(jobs);
    expect(device.macs).toBe(macs);
    expect(device.refused).toBe(0);
    // Every job: a CLEAR and a START doorbell (the driver clears before each job), at least one STATUS read.
    expect(device.doorbells).toBeGreaterThanOrEqual(2 * jobs);
    expect(device.statusReads).toBeGreaterThanOrEqual(jobs);
    expect(device.busyJobs).toBeGreaterThan(0);
    expect(device.busyJobs).toBeLessThanOrEqual(jobs);
    expect(device.busyReads).toBeGreaterThanOrEqual(device.busyJobs);
  }, 600_000);

  test("the device process dying mid-run is a board fault naming it; the partial report is saved and QEMU is gone", async () => {
    if (setupError) throw setupError;
    const report = join(dir, "fault.json");
    const run = edgeclBackground([...RUN, "--json", report]);
    let qemu: number[] = [];
    let device: number[] = [];
    try {
      expect(await until(() => (qemu = childrenWith(run.child.pid!, "qemu-system-riscv32")).length > 0, 600_000, 200)).toBe(true);
      device = childrenWith(run.child.pid!, "edgecl-accel-device");
      expect(device.length).toBe(1);
      expect(await until(() => completed(report) >= 1, 600_000, 200)).toBe(true);
      process.kill(device[0], "SIGKILL");
      const ended = await run.done;
      expect(ended.code).not.toBe(0);
      expect(ended.stderr).toMatch(/the accelerator's device process \(.*edgecl-accel-device, pid \d+\) was killed by SIGKILL/);
      const saved = JSON.parse(readFileSync(report, "utf8"));
      expect(saved.status.experiencesCompleted).toBeGreaterThanOrEqual(1);
      expect(saved.status.lost.reason).toMatch(/accelerator's device process/);
      expect(await until(() => qemu.every((pid) => !alive(pid)), 10_000)).toBe(true);
    } finally {
      run.child.kill("SIGKILL");
    }
  }, 900_000);

  test("the device process dies with the host; the files it shared are removed by the next board", async () => {
    if (setupError) throw setupError;
    const run = edgeclBackground([...RUN, "--json", join(dir, "killed.json")]);
    let device: number[] = [];
    try {
      expect(await until(() => (device = childrenWith(run.child.pid!, "edgecl-accel-device")).length > 0, 600_000, 200)).toBe(true);
      const host = run.child.pid!;
      run.child.kill("SIGKILL");
      await run.done;
      expect(await until(() => device.every((pid) => !alive(pid)), 10_000)).toBe(true);
      // The killed host could not remove the files it shared with QEMU; the next board does.
      const left = () => readdirSync("/dev/shm").filter((name) => name.startsWith(`edgecl-accel-${host}-`));
      expect(left().length).toBe(1);
      await (await openQemuBoard(loadBoard("qemu-rv32"))).close();
      expect(left()).toEqual([]);
    } finally {
      run.child.kill("SIGKILL");
    }
  }, 900_000);
});
