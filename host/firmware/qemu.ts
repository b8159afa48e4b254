// Starts and stops qemu-system-riscv32 on a firmware image. The UART is either this process's pipe
// (stdio) or a TCP connection QEMU opens to a socket the host already listens on, so nothing the board
// prints before the host is ready is lost.
import { execFileSync, spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from "node:child_process";
import { closeSync, existsSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { RunError, expected } from "../errors.js";
import { tiedToHost } from "../transport/tied.js";
import { requireToolchain } from "./toolchain.js";

/**
 * Where the UART goes. With `inputPort`, the host's bytes go to the board on a virtio console that
 * connects to that port instead (firmware/src/virtio_console.h): QEMU's 16550 takes at most 14 bytes
 * per turn of its event loop, a virtio console 4 KiB; the board still answers on the UART.
 */
export type SerialTarget = { kind: "stdio" } | { kind: "tcp"; host: string; port: number; inputPort?: number };

export interface QemuImage {
  elf: string;
  ramMb: number;
}

/** How the machine runs besides its image and UART. */
export interface QemuOptions {
  /**
   * Backing file of the first flash bank (the firmware's checkpoint slots, after a boot sector): a raw
   * file of QEMU_FLASH_BANK_BYTES, created erased when missing, kept across runs. Without it the bank
   * lives in QEMU's memory for one run.
   */
  flashFile?: string;
  /** Runs QEMU with `-icount shift=N`: one instruction takes 2^N ns of virtual time, so time is reproducible. */
  icountShift?: number;
  /**
   * The accelerator's device process (firmware/device/, built as <image dir>/edgecl-accel-device): QEMU
   * then runs with its RAM in a shared file and an ivshmem-doorbell device whose server the process is
   * (it serves the BAR and the doorbells). It starts before QEMU and stops after it; if it dies first,
   * QEMU is stopped and the exit names it (`fault`).
   */
  accelDevice?: string;
  /** Where the device process writes its counters and a line per START (JSON) when it is stopped. */
  accelStatsFile?: string;
  /** The verilated RTL's harness (hw/verilate.ts) the device process computes Z on: its `--rtl`, for a board whose engine is "rtl". */
  accelRtl?: string;
  /**
   * Off by default. QEMU's log of every MMIO access (trace events memory_region_ops_read and
   * memory_region_ops_write: address, value, size and the region's name) goes to this file
   * (docs/boards.md says how to read it). It grows by a line per access: for short runs.
   */
  traceFile?: string;
}

/** QEMU's trace events that record every load and store reaching an MMIO region (QEMU's system/memory.c). */
export const QEMU_MMIO_TRACE_EVENTS = ["memory_region_ops_read", "memory_region_ops_write"] as const;

/** The files QEMU shares with the accelerator's device process. */
export interface SharedMemory {
  /** Guest RAM (memory-backend-file, share=on), ramMb MiB. */
  ramFile: string;
  /** The ivshmem device's BAR2: the register block and the board's words. */
  barFile: string;
  barBytes: number;
  /** The device process's ivshmem server socket, which hands QEMU the BAR and the eventfds. */
  socket: string;
  /** Interrupt vectors per peer (ivshmem's `vectors`), as the device process says. */
  vectors: number;
}

/** QEMU hw/riscv/virt.c: each of the two CFI flash banks is 32 MiB. */
export const QEMU_FLASH_BANK_BYTES = 32 * 1024 * 1024;

export interface QemuExit {
  /** QEMU's exit status: the firmware's exit() status through semihosting; null when killed. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Why the board failed besides QEMU itself: the accelerator's device process ended under it. */
  fault?: string;
}

export interface QemuProcess {
  readonly pid: number;
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<QemuExit>;
  /** Everything QEMU wrote on stderr so far (its own diagnostics, never the UART). */
  stderr(): string;
  /** Ends QEMU (SIGTERM, then SIGKILL after graceMs) and resolves when it has exited. */
  stop(graceMs?: number): Promise<QemuExit>;
}

/** The machine: `virt` without firmware (the ELF is the whole program), semihosting on so exit() ends QEMU. */
export function qemuArgs(image: QemuImage, serial: SerialTarget, options: QemuOptions = {}, shared?: SharedMemory): string[] {
  const machine = shared ? "virt,memory-backend=guest-ram" : "virt";
  const args = ["-machine", machine, "-bios", "none", "-m", `${image.ramMb}M`, "-display", "none", "-monitor", "none", "-no-reboot"];
  if (shared) {
    // Guest RAM and the accelerator's BAR in files the device process maps too (its DMA and its registers).
    args.push("-object", `memory-backend-file,id=guest-ram,size=${image.ramMb}M,mem-path=${shared.ramFile},share=on`);
    // The BAR comes from the server, with the doorbells' eventfds (the device interrupts through MSI-X,
    // firmware/src/mmio.c). ioeventfd=off: a Doorbell write then reaches ivshmem's MMIO handler, which
    // QEMU traces, rather than an eventfd QEMU signals before any handler or trace event runs.
    args.push("-chardev", `socket,id=accel-server,path=${shared.socket}`);
    args.push("-device", `ivshmem-doorbell,chardev=accel-server,vectors=${shared.vectors},ioeventfd=off`);
  }
  if (options.traceFile !== undefined) {
    for (const event of QEMU_MMIO_TRACE_EVENTS) args.push("-trace", `enable=${event}`);
    args.push("-D", options.traceFile);
  }
  args.push("-semihosting-config", "enable=on,target=native");
  if (options.icountShift !== undefined) {
    if (!Number.isInteger(options.icountShift) || options.icountShift < 0 || options.icountShift > 10) throw expected("an icount shift 0..10", options.icountShift);
    args.push("-icount", `shift=${options.icountShift}`);
  }
  // Unit 0, the bank at 0x20000000: a drive on unit 1 would tell QEMU 7.2's virt.c to leave -kernel
  // unloaded (S-mode firmware in flash); with unit 0 backed, reset jumps to the boot stub in its first word.
  if (options.flashFile !== undefined) args.push("-drive", `if=pflash,unit=0,format=raw,file=${options.flashFile}`);
  if (serial.kind === "stdio") args.push("-serial", "stdio");
  else if (serial.kind === "tcp") {
    for (const port of [serial.port, ...(serial.inputPort === undefined ? [] : [serial.inputPort])]) {
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw expected("a TCP port 1..65535", port);
    }
    args.push("-chardev", `socket,id=uart0,host=${serial.host},port=${serial.port},server=off,nodelay=on`, "-serial", "chardev:uart0");
    if (serial.inputPort !== undefined) {
      args.push("-chardev", `socket,id=input0,host=${serial.host},port=${serial.inputPort},server=off,nodelay=on`);
      args.push("-device", "virtio-serial-device", "-device", "virtconsole,chardev=input0");
    }
  } else throw expected('serial kind "stdio" or "tcp"', (serial as { kind: unknown }).kind);
  args.push("-kernel", image.elf);
  return args;
}

/** Whether a process runs (or is a zombie) with this id. */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Tmpfs when there is one: guest RAM in a file, never written back to a disk. The folder's name carries
 * the host's pid, so the folders of hosts that were killed before they could remove theirs are removed here.
 */
function sharedDir(): string {
  const base = existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
  for (const name of readdirSync(base)) {
    const owner = /^edgecl-accel-(\d+)-/.exec(name);
    if (owner && !running(Number(owner[1]))) rmSync(join(base, name), { recursive: true, force: true });
  }
  return mkdtempSync(join(base, `edgecl-accel-${process.pid}-`));
}

function sizedFile(file: string, bytes: number): void {
  const fd = openSync(file, "w");
  try {
    ftruncateSync(fd, bytes);
  } finally {
    closeSync(fd);
  }
}

/** A running accelerator device process and the files it shares with QEMU. */
interface AccelDevice {
  child: ChildProcess;
  shared: SharedMemory;
  dir: string;
  /** Set when the process has ended: what to tell the user if the host did not stop it. */
  fault?: string;
  stoppedByHost?: boolean;
  closed: Promise<void>;
}

/** A positive integer the device binary prints for `option` (its own constants, src/accel_device.h). */
function deviceConstant(binary: string, option: string): number {
  const value = Number(execFileSync(binary, [option], { encoding: "utf8" }).trim());
  if (!Number.isInteger(value) || value <= 0) throw new RunError(`${binary} ${option} printed no positive integer`);
  return value;
}

/** How long the device process may take to listen on its socket (it maps RAM and makes its engine). */
const DEVICE_LISTEN_TIMEOUT_MS = 20_000;

/**
 * Waits, blocking, until the device process listens (its socket appears only then): QEMU connects to
 * it while it starts, so it must be there first. A process that ends first is a zombie or gone.
 */
function awaitListening(socket: string, pid: number, logFile: string, binary: string): void {
  const tick = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + DEVICE_LISTEN_TIMEOUT_MS;
  while (!existsSync(socket)) {
    let state = "";
    try {
      state = /\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, "utf8"))?.[1] ?? "";
    } catch {
      state = running(pid) ? "" : "X";
    }
    const log = () => (existsSync(logFile) ? readFileSync(logFile, "utf8").trim() : "");
    if (state === "Z" || state === "X") throw new RunError(`the accelerator's device process (${binary}) ended before it served${log() ? `: ${log()}` : ""}`);
    if (Date.now() > deadline) throw new RunError(`the accelerator's device process (${binary}, pid ${pid}) did not listen on ${socket} within ${DEVICE_LISTEN_TIMEOUT_MS} ms${log() ? `: ${log()}` : ""}`);
    Atomics.wait(tick, 0, 0, 2);
  }
}

function startAccelDevice(binary: string, ramMb: number, statsFile: string | undefined, rtl: string | undefined): AccelDevice {
  if (!existsSync(binary)) throw expected("the accelerator's device process (built with the image by firmware/Makefile)", binary, "rebuild the image");
  // The BAR's size and the vectors are the device's own (src/accel_device.h): it says them, the host and QEMU use them.
  const barBytes = deviceConstant(binary, "--bar-bytes");
  const vectors = deviceConstant(binary, "--vectors");
  const dir = sharedDir();
  const shared = { ramFile: join(dir, "ram"), barFile: join(dir, "bar"), barBytes, socket: join(dir, "server"), vectors };
  sizedFile(shared.ramFile, ramMb * 1024 * 1024);
  sizedFile(shared.barFile, barBytes);
  const args = ["--ram", shared.ramFile, "--bar", shared.barFile, "--socket", shared.socket, ...(statsFile ? ["--stats", statsFile] : []), ...(rtl ? ["--rtl", rtl] : [])];
  const tied = tiedToHost(binary, args);
  // Its messages go to a file, which can be read while the host waits for the socket without an event loop.
  const logFile = join(dir, "device.log");
  const log = openSync(logFile, "w");
  let child: ChildProcess;
  try {
    child = spawn(tied.command, tied.args, { stdio: ["ignore", "ignore", log], detached: tied.detached });
  } finally {
    closeSync(log);
  }
  const stderr = () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : "");
  const device: AccelDevice = { child, shared, dir, closed: Promise.resolve() };
  device.closed = new Promise<void>((resolveClosed) => {
    child.once("error", (err) => {
      device.fault = `the accelerator's device process ${binary} could not start: ${err.message}`;
      resolveClosed();
    });
    child.once("close", (code, signal) => {
      const how = signal ? `was killed by ${signal}` : `exited with status ${code}`;
      const said = stderr().trim();
      device.fault = `the accelerator's device process (${binary}, pid ${child.pid}) ${how}${said ? `: ${said}` : ""}`;
      resolveClosed();
    });
  });
  try {
    if (child.pid === undefined) throw new RunError(`could not start the accelerator's device process ${binary}`);
    awaitListening(shared.socket, child.pid, logFile, binary);
  } catch (err) {
    child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return device;
}

/** Stops the device process (SIGTERM, so it writes its counters; SIGKILL after 2 s) and removes its files. */
async function stopDevice(device: AccelDevice): Promise<void> {
  const { child } = device;
  if (child.exitCode === null && child.signalCode === null && device.fault === undefined) {
    device.stoppedByHost = true;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 2000);
    await device.closed;
    clearTimeout(timer);
  }
  await device.closed;
  rmSync(device.dir, { recursive: true, force: true });
}

export function startQemu(image: QemuImage, serial: SerialTarget = { kind: "stdio" }, options: QemuOptions = {}): QemuProcess {
  requireToolchain(["run"]);
  if (options.flashFile !== undefined) prepareFlashFile(options.flashFile);
  const device = options.accelDevice !== undefined ? startAccelDevice(options.accelDevice, image.ramMb, options.accelStatsFile, options.accelRtl) : undefined;
  // QEMU dies with the host, however the host dies (SIGKILL included: tied.ts); and a host that
  // exits without stopping it kills it on the way out where setpriv is missing.
  const tied = tiedToHost("qemu-system-riscv32", qemuArgs(image, serial, options, device?.shared));
  const child = spawn(tied.command, tied.args, { stdio: ["pipe", "pipe", "pipe"], detached: tied.detached });
  const killOnExit = () => {
    child.kill("SIGKILL");
    device?.child.kill("SIGKILL");
  };
  process.on("exit", killOnExit);
  child.once("close", () => process.removeListener("exit", killOnExit));
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => (stderr += chunk));
  let stopping = false;
  // The device process ending under QEMU is a board fault: QEMU goes too, and its exit says why.
  void device?.closed.then(() => {
    if (!stopping && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  const qemuClosed = new Promise<QemuExit>((resolveExit, rejectExit) => {
    child.once("error", (err) => rejectExit(new RunError(`could not start qemu-system-riscv32: ${err.message}`)));
    // "close", not "exit": by then every byte the UART sent on stdout has been read.
    child.once("close", (code, signal) => resolveExit({ code, signal }));
  });
  // With a device process: it is stopped after QEMU (SIGTERM: it writes its counters), its files removed.
  const exited = device === undefined ? qemuClosed : qemuClosed.finally(() => stopDevice(device)).then((exit) => {
    const fault = device.fault !== undefined && !device.stoppedByHost ? device.fault : undefined;
    return fault ? { ...exit, fault } : exit;
  });
  const stop = async (graceMs = 2000): Promise<QemuExit> => {
    stopping = true;
    if (child.exitCode !== null || child.signalCode !== null) return exited;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  };
  if (child.pid === undefined) throw new RunError("could not start qemu-system-riscv32");
  return { pid: child.pid, child, exited, stderr: () => stderr, stop };
}

/**
 * What QEMU's reset code runs when flash bank 0 is backed by a file (it then jumps to the bank's first
 * word instead of DRAM): `lui t0, 0x80000` and `jalr x0, 0(t0)`, a jump to the image QEMU loaded at
 * 0x80000000 (RISC-V unprivileged ISA, U-type and I-type encodings), little-endian.
 */
export const QEMU_FLASH_BOOT_STUB = Uint8Array.of(0xb7, 0x02, 0x00, 0x80, 0x67, 0x80, 0x02, 0x00);

/**
 * Creates the flash bank's backing file, erased (0xFF), when it does not exist, refuses one of another
 * size, and (re)writes the boot stub at its start.
 */
export function prepareFlashFile(file: string): void {
  if (existsSync(file)) {
    const size = statSync(file).size;
    if (size !== QEMU_FLASH_BANK_BYTES) throw expected(`a flash file of ${QEMU_FLASH_BANK_BYTES} bytes (one QEMU virt flash bank)`, `${size} bytes in ${file}`, "delete it to start from erased flash");
  } else {
    mkdirSync(dirname(file), { recursive: true });
    const erased = Buffer.alloc(1 << 20, 0xff);
    const fd = openSync(file, "w");
    try {
      for (let at = 0; at < QEMU_FLASH_BANK_BYTES; at += erased.length) writeSync(fd, erased, 0, erased.length, at);
    } finally {
      closeSync(fd);
    }
  }
  const fd = openSync(file, "r+");
  try {
    writeSync(fd, QEMU_FLASH_BOOT_STUB, 0, QEMU_FLASH_BOOT_STUB.length, 0);
  } finally {
    closeSync(fd);
  }
}

/** Offset of the firmware's first checkpoint slot in the flash bank: after the 256 KiB boot sector. */
export const QEMU_FLASH_SLOTS_OFFSET = 256 * 1024;

export interface QemuRun {
  exit: QemuExit;
  /** What the firmware printed on the UART. */
  output: string;
  stderr: string;
  /** True when the image did not exit by itself within the time limit and was stopped. */
  timedOut: boolean;
}

/** Boots the image with the UART on a pipe (and options as startQemu's), collects its output until it exits, or stops it after timeoutMs. */
export async function runQemu(image: QemuImage, timeoutMs: number, options: QemuOptions = {}): Promise<QemuRun> {
  if (!(timeoutMs > 0)) throw expected("a positive timeout in milliseconds", timeoutMs);
  const qemu = startQemu(image, { kind: "stdio" }, options);
  let output = "";
  qemu.child.stdout.setEncoding("latin1");
  qemu.child.stdout.on("data", (chunk: string) => (output += chunk));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void qemu.stop();
  }, timeoutMs);
  try {
    const exit = await qemu.exited;
    return { exit, output, stderr: qemu.stderr(), timedOut };
  } finally {
    clearTimeout(timer);
  }
}
