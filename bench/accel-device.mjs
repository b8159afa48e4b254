// CPU the accelerator's device process (edgecl-accel-device) takes on qemu-rv32: over an idle stretch
// with nothing rung, and over a short `edgecl run` (sampled from /proc every 50 ms, so it can read up
// to 50 ms low), with QEMU's CPU and the run's wall time beside it. A device process that waited by
// spinning took CPU from QEMU on a 2-core machine; one that sleeps until a doorbell takes none idle.
// Usage: npm run bench -- accel-device [--binary PATH]
//   PATH: another build of the device process to measure idle (one without --socket, an older one, is
//   started with --ram and --bar only); the run always uses this tree's.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
const bin = join(root, "bin", "edgecl.js");
const at = process.argv.indexOf("--binary");
const own = join(root, "build", "firmware", "qemu-rv32-wasm2c", "edgecl-accel-device");
const binary = at > 0 ? resolve(process.argv[at + 1]) : own;
const IDLE_S = 5;
const TICK = 100; // sysconf(_SC_CLK_TCK) on Linux
const dir = mkdtempSync(join(tmpdir(), "edgecl-bench-accel-device-"));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** CPU seconds (user + system) of a process, or null once it is gone. */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICK;
  } catch {
    return null;
  }
}

/** Processes whose command line contains `text` and whose parent (or, through setpriv, grandparent) is `ancestor`. */
function descendantsWith(ancestor, text) {
  const parent = (pid) => Number(/PPid:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
  const found = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (!readFileSync(`/proc/${name}/cmdline`, "utf8").includes(text)) continue;
      for (let pid = Number(name), hops = 0; pid > 1 && hops < 4; pid = parent(pid), hops++) if (pid === ancestor) found.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

async function idle() {
  if (!existsSync(binary)) throw new Error(`expected a built device process at ${binary}: run edgecl firmware build --board qemu-rv32`);
  const ram = join(dir, "ram");
  const bar = join(dir, "bar");
  writeFileSync(ram, "");
  truncateSync(ram, 128 * 1024 * 1024);
  writeFileSync(bar, "");
  truncateSync(bar, Number(execFileSync(binary, ["--bar-bytes"], { encoding: "utf8" })));
  const help = execFileSync("sh", ["-c", `"${binary}" --help 2>&1 || true`], { encoding: "utf8" });
  const args = ["--ram", ram, "--bar", bar, ...(help.includes("--socket") ? ["--socket", join(dir, "server")] : [])];
  const child = spawn(binary, args, { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise((r) => child.stdout.once("data", r)); // "ready"
  const before = cpuSeconds(child.pid);
  await sleep(IDLE_S * 1000);
  const after = cpuSeconds(child.pid);
  child.kill("SIGTERM");
  await new Promise((r) => child.once("close", r));
  return after - before;
}

async function run() {
  const args = ["run", "--board", "qemu-rv32", "--model", "mlp:64", "--experiences", "1", "--iterations", "20", "--train-samples", "320", "--test-samples", "64", "--quiet"];
  const child = spawn(process.execPath, [bin, ...args], { stdio: ["ignore", "ignore", "inherit"] });
  const t0 = process.hrtime.bigint();
  const last = { device: 0, qemu: 0 };
  const closed = new Promise((r) => child.once("close", r));
  let done = false;
  void closed.then(() => (done = true));
  while (!done) {
    for (const [key, text] of [["device", "edgecl-accel-device"], ["qemu", "qemu-system-riscv32"]]) {
      for (const pid of descendantsWith(child.pid, text)) last[key] = Math.max(last[key], cpuSeconds(pid) ?? 0);
    }
    await sleep(50);
  }
  const code = child.exitCode;
  if (code !== 0) throw new Error(`edgecl ${args.join(" ")} exited with ${code}`);
  return { wall: Number(process.hrtime.bigint() - t0) / 1e9, ...last };
}

try {
  console.log(`${cpus().length} cores, load ${loadavg().map((x) => x.toFixed(1)).join(" ")}`);
  console.log(`idle ${IDLE_S} s, ${binary}: ${(await idle()).toFixed(2)} s of CPU`);
  if (at < 0) {
    const r = await run();
    console.log(`edgecl run on qemu-rv32 (mlp:64, 20 steps): ${r.wall.toFixed(1)} s wall, QEMU ${r.qemu.toFixed(2)} s CPU, device process ${r.device.toFixed(2)} s CPU`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
