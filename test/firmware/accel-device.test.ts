// The accelerator of qemu-rv32 as a device on the emulated PCIe bus, served by a host process
// (firmware/device/accel_device.c): a run's GEMMs are the device process's (its own job count equals the
// report's accelerator jobs), the firmware's loads and stores reach it through the BAR (the STATUS reads
// the firmware counts in the BAR arrive in the process's stats), and QEMU's own trace of the bus shows
// one Doorbell write in the device's BAR0 per START and the device's interrupts waking the firmware;
// every job that ran long in the device process was seen BUSY by the driver; and the process dying
// mid-run is a board fault naming it, with the partial report saved and QEMU gone.
// Needs the firmware toolchain, the host's gcc and QEMU.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { BoardClient } from "../../host/client/client.js";
import { modulePath } from "../../host/device/module.js";
import { loadBoard } from "../../host/manifest/manifest.js";
import { buildQemuBoardImage, openQemuBoard, qemuArgs, requireToolchain } from "../../host/firmware/index.js";
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
  irqWaits: number;
  irqWakes: number;
  /** One per START: nanoseconds the device process worked on it, whether the model ran it, whether the driver saw BUSY. */
  starts: { ns: number; ran: boolean; sawBusy: boolean }[];
}

interface Access {
  op: "read" | "write";
  cpu: number;
  addr: number;
  value: number;
  size: number;
  region: string;
}

// QEMU's log trace backend, one line per access (trace-events of QEMU's softmmu: memory_region_ops_read/write):
// "memory_region_ops_write cpu 0 mr 0x55... addr 0x4001000c value 0x10000 size 4 name 'ivshmem-mmio'".
const TRACE_LINE = /memory_region_ops_(read|write) cpu (-?\d+) mr \S+ addr 0x([0-9a-f]+) value 0x([0-9a-f]+) size (\d+) name '([^']*)'/;

function accesses(file: string): Access[] {
  const lines = readFileSync(file, "utf8").split("\n").filter((line) => line.includes("memory_region_ops_"));
  return lines.map((line) => {
    const m = TRACE_LINE.exec(line);
    if (!m) throw new Error(`unreadable trace line: ${line}`);
    return { op: m[1] as "read" | "write", cpu: Number(m[2]), addr: parseInt(m[3], 16), value: parseInt(m[4], 16), size: Number(m[5]), region: m[6] };
  });
}

// ivshmem's BAR0 (QEMU docs/specs/ivshmem-spec.rst): the Doorbell register at offset 12, written as
// peer id << 16 | vector. The device process is peer 1; its vector 0 is rung only for a START.
const DOORBELL = 0x0c;
const START_DOORBELL = (1 << 16) | 0;
// QEMU hw/riscv/virt.c: the CLINT's MSIP word of hart 0, where the firmware aims the device's MSI-X message.
const MSIP0 = 0x0200_0000;

/** Trains `steps` steps of `model` on qemu-rv32 with the device's stats (and QEMU's trace when given); the board's accelerator telemetry. */
async function train(model: string, batch: number, steps: number, stats: string, traceFile?: string): Promise<{ jobs: number; macs: number }> {
  const manifest = loadBoard("qemu-rv32");
  const board = new BoardClient(await openQemuBoard(manifest, { accelStatsFile: stats, traceFile }), { board: manifest.id, timeoutMs: 300_000 });
  try {
    await board.hello();
    const config = deployConfig({ strategy: "naive", scenario: "task", model, precision: "fp8-mixed", batch, memoryLimit: manifest.memory.linearMemoryBytes });
    await board.deploy({ config, module: new Uint8Array(readFileSync(modulePath())) });
    await board.request("DATA", dataPayload("task", 0, "train", batch * steps));
    await board.telemetry({ resetCounters: true });
    await board.request("TRAIN", trainPayload(0, steps, batch));
    const telemetry = await board.telemetry();
    return { jobs: telemetry.accelJobs, macs: telemetry.accelMacs };
  } finally {
    await board.close();
  }
}

describe("qemu-rv32: the accelerator is a device process behind a PCIe BAR", () => {
  test("QEMU traces MMIO only when asked, into the file given", () => {
    const image = { elf: "edgecl.elf", ramMb: 128 };
    expect(qemuArgs(image, { kind: "stdio" })).not.toContain("-trace");
    expect(qemuArgs(image, { kind: "stdio" })).not.toContain("-D");
    const traced = qemuArgs(image, { kind: "stdio" }, { traceFile: "/tmp/x/trace.log" }).join(" ");
    expect(traced).toContain("-trace enable=memory_region_ops_read -trace enable=memory_region_ops_write -D /tmp/x/trace.log");
  });

  test("the device process runs every accelerated GEMM; the firmware's accesses reach it through the BAR; QEMU's trace shows a doorbell per START and the interrupt waking the firmware", async () => {
    if (setupError) throw setupError;
    const stats = join(dir, "stats.json");
    const trace = join(dir, "trace.log");
    const { jobs, macs } = await train("mlp:64", 16, 2, stats, trace);
    // Written by the device process when the host stopped it.
    const device = JSON.parse(readFileSync(stats, "utf8")) as DeviceStats;
    expect(jobs).toBeGreaterThan(0);
    expect(device.jobs).toBe(jobs);
    expect(device.macs).toBe(macs);
    expect(device.refused).toBe(0);
    expect(device.starts.length).toBe(jobs);
    // Every job: a CLEAR and a START doorbell (the driver clears before each job), at least one STATUS read.
    expect(device.doorbells).toBeGreaterThanOrEqual(2 * jobs);
    expect(device.statusReads).toBeGreaterThanOrEqual(jobs);
    expect(device.busyJobs).toBeLessThanOrEqual(jobs);
    expect(device.busyReads).toBeGreaterThanOrEqual(device.busyJobs);
    expect(device.starts.filter((s) => s.sawBusy).length).toBe(device.busyJobs);

    // QEMU's trace: the firmware's (cpu 0) Doorbell writes in the device's BAR0, one START per job and one
    // per other doorbell the firmware counted.
    const all = accesses(trace);
    const doorbells = all.filter((a) => a.region === "ivshmem-mmio" && a.op === "write" && (a.addr & 0xff) === DOORBELL);
    expect(doorbells.every((a) => a.cpu === 0 && a.size === 4)).toBe(true);
    expect(doorbells.filter((a) => a.value === START_DOORBELL).length).toBe(jobs);
    expect(doorbells.length).toBe(device.doorbells);
    // The device's notifications: MSI-X writes of 1 to MSIP by no CPU (the device, from QEMU's main loop);
    // the firmware's completion reads find MSIP set and clear it. Every sleep ended that way, and every
    // STATUS read that saw BUSY slept: the interrupt, not polling, ended each wait.
    const msip = all.filter((a) => a.region === "riscv.aclint.swi" && a.addr === MSIP0);
    const raised = msip.filter((a) => a.op === "write" && a.cpu === -1 && a.value === 1);
    const woken = msip.filter((a) => a.op === "read" && a.cpu === 0 && a.value === 1);
    expect(woken.length).toBe(device.irqWakes);
    expect(device.irqWakes).toBe(device.irqWaits);
    expect(device.irqWaits).toBeGreaterThanOrEqual(device.busyReads);
    expect(device.irqWakes).toBeGreaterThan(0);
    expect(raised.length).toBeGreaterThanOrEqual(woken.length);
    // The register block itself is RAM shared with the device process (BAR2): QEMU traces none of it.
    expect(all.some((a) => a.addr >= 0x4000_0000 && a.addr < 0x4001_0000)).toBe(false);
  }, 600_000);

  test("every job the device process worked on longer than 50 ms was seen BUSY by the driver", async () => {
    if (setupError) throw setupError;
    const stats = join(dir, "long-jobs.json");
    // A forward GEMM of 64 x 784 x 640 MACs takes the device process well over 100 ms (its kernel skips
    // the rounding of the steps whose x is zero, most of a digit's pixels, so the layer is wide); 50 ms is
    // far above the time from the device taking START to the driver's first STATUS read, even on a loaded host.
    const { jobs } = await train("mlp:640", 64, 2, stats);
    const device = JSON.parse(readFileSync(stats, "utf8")) as DeviceStats;
    expect(device.jobs).toBe(jobs);
    const long = device.starts.filter((s) => s.ran && s.ns > 50e6);
    console.log(`device jobs over 50 ms: ${long.length} of ${device.starts.length}; longest ${(Math.max(...device.starts.map((s) => s.ns)) / 1e6).toFixed(0)} ms`);
    expect(long.length).toBeGreaterThanOrEqual(2);
    expect(long.filter((s) => !s.sawBusy)).toEqual([]);
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
