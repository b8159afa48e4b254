// The verilated RTL as the engine of the qemu board's device process: the small run on qemu-rv32-rtl
// (the firmware on QEMU, every accelerator job computed by the RTL behind the device process) gives
// sim-rtl's report bit for bit (the simulated board, its jobs on the same RTL through hw/rtl-engine.ts),
// and the device process's stats show the jobs ran on the RTL, jobs whose Z overlaps X or W on the
// device module's gemm. Needs the firmware toolchain's Debian packages and verilator; the harness is
// built once per exact RTL (build/hw/, shared with test/hw/rtl.test.ts and sim-rtl).
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runContinual } from "../../host/cl/run.js";
import { loadBoard } from "../../host/manifest/manifest.js";
import { buildQemuBoardImage, requireToolchain } from "../../host/firmware/index.js";
import { smallRun } from "../helpers/run-options.js";
import { expectSameReport } from "./same-report.js";

const VERILATOR = (() => {
  try {
    execFileSync("sh", ["-c", "command -v verilator"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();
if (!VERILATOR) console.warn("test/firmware/rtl-qemu.test.ts: skipped: needs verilator on PATH (apt-get install verilator)");

/** What the device process writes to --stats when the host stops it (firmware/device/accel_device.c). */
interface DeviceStats {
  jobs: number;
  refused: number;
  macs: number;
  cycles: number;
  engine: "rtl" | "wasm";
  rtlJobs: number;
  rtlFallbacks: number;
  rtlCycles: number;
}

let setupError: unknown;
let dir = "";

beforeAll(async () => {
  if (!VERILATOR) return;
  try {
    dir = mkdtempSync(join(tmpdir(), "edgecl-rtl-qemu-"));
    requireToolchain();
    const image = await buildQemuBoardImage(loadBoard("qemu-rv32-rtl"));
    expect(image.accelRtl).toMatch(/edgecl_tb$/);
  } catch (err) {
    setupError = err;
  }
}, 900_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!VERILATOR)("qemu-rv32-rtl: the device process computes Z on the verilated RTL", () => {
  test("the small run's report equals sim-rtl's bit for bit, and the device's stats count the RTL's jobs", async () => {
    if (setupError) throw setupError;
    const stats = join(dir, "stats.json");
    const onQemu = await runContinual({ ...smallRun(), board: "qemu-rv32-rtl", accelStatsFile: stats });
    const onSim = await runContinual({ ...smallRun(), board: "sim-rtl" });
    expect(onSim.status.complete).toBe(true);
    expect(onSim.accelerator!.jobs).toBeGreaterThan(0);
    expectSameReport(onQemu, onSim);

    // Written by the device process when the host stopped it: every job it ran went to the RTL or, Z over
    // X or W, to the device's gemm; the model's cycles are the circuit's (cycleModel "rtl").
    const device = JSON.parse(readFileSync(stats, "utf8")) as DeviceStats;
    expect(device.engine).toBe("rtl");
    expect(device.refused).toBe(0);
    // The report sums its train and eval phases (host/report/energy.ts acceleratorSummary); the device counts
    // every START, the untrained model's evaluations too.
    expect(device.jobs).toBeGreaterThanOrEqual(onQemu.accelerator!.jobs);
    expect(device.rtlJobs + device.rtlFallbacks).toBe(device.jobs);
    expect(device.rtlJobs).toBeGreaterThan(0);
    // The circuit's own CYCLES counter, START to done, against the model's cycle model of it, job for job summed.
    if (device.rtlFallbacks === 0) expect(device.rtlCycles).toBe(device.cycles);
    console.log(`qemu-rv32-rtl: ${device.rtlJobs} jobs on the RTL (${device.rtlCycles} of its cycles), ${device.rtlFallbacks} on the device's gemm`);
  }, 900_000);
});
