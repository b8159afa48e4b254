// Child boards die with the host (host/transport/tied.ts): a host process runs a simulated board busy
// with a TRAIN of a million steps, or QEMU on a firmware that loops forever, and is then killed with
// SIGKILL, SIGTERM or SIGINT; the child must be gone within seconds. The kernel's answer is the oracle:
// kill(pid, 0) fails with ESRCH once no process has the child's pid (a zombie is reaped by init).
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { pdeathsigTool } from "../../host/transport/tied.js";

const HOST = fileURLToPath(new URL("./fixtures/host.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
let dir = "";
const started: number[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "edgecl-tied-"));
});
afterAll(() => {
  // A child left behind by a failing test does not outlive the test run.
  for (const pid of started) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {}
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** True while some process has `pid` and it is not a zombie. */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return false;
  }
}

async function gone(pid: number, withinMs: number): Promise<boolean> {
  for (const end = Date.now() + withinMs; Date.now() < end; ) {
    if (!running(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !running(pid);
}

/** Starts the host fixture, waits for its child's pid, kills the host with `signal`; returns the child's pid. */
async function killHost(args: string[], signal: NodeJS.Signals): Promise<number> {
  const host = spawn(process.execPath, ["--import", "tsx", HOST, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  host.stderr.on("data", (b: Buffer) => (err += b));
  const pid = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the host printed no child pid within 60 s: ${err}`)), 60_000);
    host.stdout.on("data", (b: Buffer) => {
      out += b;
      const m = /child (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    host.once("exit", (code) => reject(new Error(`the host exited with ${code} before starting its child: ${err}`)));
  });
  started.push(pid);
  expect(running(pid)).toBe(true);
  const exited = new Promise((r) => host.once("exit", r));
  host.kill(signal);
  await exited;
  return pid;
}

describe.runIf(pdeathsigTool() !== null)("child boards die with the host (where util-linux setpriv knows --pdeathsig)", () => {
  test.each(["SIGKILL", "SIGTERM", "SIGINT"] as const)("a simulated board busy with a long TRAIN is gone after %s to its host", async (signal) => {
    const pid = await killHost(["sim"], signal);
    expect(await gone(pid, 10_000)).toBe(true);
  }, 90_000);

  test.each(["SIGKILL", "SIGTERM"] as const)("QEMU is gone after %s to its host", async (signal) => {
    // The smallest firmware: an endless loop at QEMU virt's DRAM base.
    const source = join(dir, "loop.S");
    writeFileSync(source, ".globl _start\n_start:\n  j _start\n");
    const elf = join(dir, "loop.elf");
    execFileSync("riscv64-unknown-elf-gcc", ["-march=rv32imac", "-mabi=ilp32", "-nostdlib", "-Wl,-Ttext=0x80000000", source, "-o", elf]);
    const pid = await killHost(["qemu", elf], signal);
    expect(await gone(pid, 10_000)).toBe(true);
  }, 90_000);
});
