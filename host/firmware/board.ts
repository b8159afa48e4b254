// A qemu board (board manifest with transport.kind "qemu"): builds the ENTRY=serve firmware image for
// the manifest if it is not up to date, listens on a loopback TCP port, starts qemu-system-riscv32 with
// its UART connected to that port (QEMU connects, the host listens: nothing the board sends is lost),
// and hands back the link as a Transport. Closing the transport stops QEMU; QEMU exiting closes it.
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { dirname, join, resolve } from "node:path";
import type { BoardManifest } from "../manifest/manifest.js";
import { acceleratorConfigFrom } from "../../board/accel/model.js";
import { verilate } from "../../hw/verilate.js";
import { RunError, UsageError, expected } from "../errors.js";
import { BaseTransport } from "../transport/transport.js";
import { buildFirmware, firmwareDir, type FirmwareImage, type FirmwareRuntime } from "./build.js";
import { startQemu, type QemuOptions, type QemuProcess } from "./qemu.js";

const LOOPBACK = "127.0.0.1";
/** How long QEMU may take to start, connect its UART and boot the firmware. */
const DEFAULT_CONNECT_TIMEOUT_MS = 20_000;
const KEPT_STDERR_CHARS = 4000;

export interface QemuBoardOptions {
  /** The device module the image is built with (default build/device.wasm). */
  wasm?: string;
  /** Overrides the manifest's runtime.kind ("wasm2c" or "wamr"). */
  runtime?: FirmwareRuntime;
  /** A WAMR source tree for the wamr runtime (default: the WAMR_ROOT environment variable). */
  wamrRoot?: string;
  /** Where the image is built (default build/firmware/<board>-<runtime> in the repository). */
  buildDir?: string;
  /** Backing file of the board's flash (checkpoints survive restarts); without it flash lasts one run. */
  flashFile?: string;
  /** How long QEMU may take to start and the firmware to boot (default 20 s). */
  connectTimeoutMs?: number;
  /** Progress lines (building, starting). */
  log?: (line: string) => void;
  /** Where the accelerator's device process writes its counters (JSON) when the board stops. */
  accelStatsFile?: string;
  /** Off by default: QEMU's trace of every MMIO access goes to this file (QemuOptions.traceFile). */
  traceFile?: string;
  /** Overrides the manifest's transport.input: the channel the host's bytes take to the board (the image is the same). */
  input?: "uart" | "virtio";
}

/**
 * The manifest's qemu settings: transport.ramMb (default 128), transport.icount (a shift, or
 * false/absent) and transport.input ("uart", the default, or "virtio": the host's bytes go to the board
 * on a virtio console, which QEMU feeds 4 KiB at a time where its 16550 takes 14 bytes).
 */
export function qemuSettings(manifest: BoardManifest): { ramMb: number; icountShift?: number; input: "uart" | "virtio" } {
  const { ramMb = 128, icount, input = "uart" } = manifest.transport as { ramMb?: unknown; icount?: unknown; input?: unknown };
  if (typeof ramMb !== "number" || !Number.isInteger(ramMb) || ramMb < 1) {
    throw new UsageError(`${manifest.file}: key "transport.ramMb": expected a whole number of MiB, received ${JSON.stringify(ramMb)}`);
  }
  if (input !== "uart" && input !== "virtio") {
    throw new UsageError(`${manifest.file}: key "transport.input": expected "uart" or "virtio", received ${JSON.stringify(input)}`);
  }
  if (icount === undefined || icount === false) return { ramMb, input };
  if (typeof icount !== "number" || !Number.isInteger(icount) || icount < 0 || icount > 10) {
    throw new UsageError(`${manifest.file}: key "transport.icount": expected an icount shift 0..10 or false, received ${JSON.stringify(icount)}`);
  }
  return { ramMb, icountShift: icount, input };
}

function repoRoot(): string {
  return dirname(firmwareDir());
}

/** Builds (or brings up to date) the ENTRY=serve image of a qemu board. */
export async function buildQemuBoardImage(manifest: BoardManifest, options: QemuBoardOptions = {}): Promise<FirmwareImage> {
  if (manifest.transport.kind !== "qemu") throw expected(`a board whose transport is "qemu"`, `${manifest.id} (transport "${manifest.transport.kind}")`);
  const runtime = options.runtime ?? manifest.runtime.kind;
  if (runtime !== "wasm2c" && runtime !== "wamr") {
    throw new UsageError(`${manifest.file}: key "runtime.kind": expected wasm2c or wamr for a qemu board, received ${JSON.stringify(runtime)}`);
  }
  const { ramMb } = qemuSettings(manifest);
  const wamrRoot = options.wamrRoot ?? process.env.WAMR_ROOT;
  if (runtime === "wamr" && !wamrRoot) {
    throw new UsageError(
      `board ${manifest.id} runs the device module on WAMR, which is in no package registry: set WAMR_ROOT to a WAMR source tree (firmware/README.md names the release tested), or use a wasm2c board such as qemu-rv32`,
    );
  }
  const wasm = resolve(options.wasm ?? join(repoRoot(), "build", "device.wasm"));
  const outDir = resolve(options.buildDir ?? join(repoRoot(), "build", "firmware", `${manifest.id}-${runtime}`));
  options.log?.(`building the ${runtime} firmware image for ${manifest.id} in ${outDir}`);
  const image = await buildFirmware({
    outDir,
    wasm,
    entry: "serve",
    runtime,
    wamrRoot,
    board: manifest.file,
    ramMb,
  });
  return manifest.accelerator.present ? { ...image, ...accelRtl(manifest, options) } : image;
}

/**
 * The verilated RTL of the board's accelerator when its engine is "rtl": built by hw/verilate.ts once per
 * exact RTL (build/hw/, shared with sim-rtl's engine and test/hw), which the device process then runs.
 */
function accelRtl(manifest: BoardManifest, options: QemuBoardOptions): { accelRtl?: string } {
  const config = acceleratorConfigFrom(manifest.accelerator, manifest.energy, manifest.file);
  if (config.engine !== "rtl") return {};
  options.log?.(`verilating the accelerator of ${manifest.id} (hw/verilate.ts)`);
  try {
    return { accelRtl: verilate(config, manifest.id).binary };
  } catch (err) {
    throw new RunError(`${manifest.file}: accelerator engine "rtl": ${(err as Error).message}`);
  }
}

/** The link to a firmware image running on QEMU: its UART over one TCP connection. */
export class QemuTransport extends BaseTransport {
  readonly description: string;
  private closing = false;

  constructor(
    readonly qemu: QemuProcess,
    private readonly socket: Socket,
    private readonly server: Server,
    readonly image: FirmwareImage,
    board: string,
    received: Uint8Array = new Uint8Array(0),
    /** The virtio console's connection, when the host's bytes go that way (transport.input "virtio"). */
    private readonly input?: { socket: Socket; server: Server },
  ) {
    super();
    input?.socket.setNoDelay(true);
    input?.socket.on("error", () => {
      // As the UART's: QEMU's exit says why the link ended.
    });
    this.description = `${board} on QEMU (pid ${qemu.pid})`;
    socket.setNoDelay(true);
    // Bytes that came before anyone could listen (the board's first delimiter) go to the first listeners.
    if (received.length > 0) setImmediate(() => this.open && this.emitData(received));
    socket.on("data", (chunk: Buffer) => this.emitData(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
    socket.on("error", () => {
      // The close below reports the end of the link; QEMU's exit says why.
    });
    socket.on("close", () => {
      if (!this.closing) void this.qemu.stop();
    });
    void qemu.exited.then(
      (exit) => {
        const how = exit.signal ? `was stopped by ${exit.signal}` : `exited with status ${exit.code}`;
        const reason = exit.fault ? `${this.description} failed: ${exit.fault}` : `${this.description} ${how}`;
        this.emitClose({ reason, expected: this.closing && !exit.fault, diagnostics: this.diagnostics() });
        server.close();
        socket.destroy();
        input?.server.close();
        input?.socket.destroy();
      },
      (err: Error) => this.emitClose({ reason: `${this.description}: ${err.message}`, expected: false }),
    );
  }

  /** What QEMU printed on stderr (its own diagnostics, never the UART), the last few thousand characters. */
  diagnostics(): string | undefined {
    const text = this.qemu.stderr().trim();
    return text ? text.slice(-KEPT_STDERR_CHARS) : undefined;
  }

  protected send(bytes: Uint8Array): void {
    (this.input?.socket ?? this.socket).write(bytes);
  }

  /** Ends the link and stops QEMU; resolves once QEMU has exited. */
  async close(): Promise<void> {
    if (this.closing) {
      await this.qemu.exited.catch(() => undefined);
      return;
    }
    this.closing = true;
    this.input?.socket.end();
    this.socket.end();
    await this.qemu.stop();
    this.server.close();
    this.input?.server.close();
  }
}

/**
 * Builds the image if needed, starts QEMU on it and returns the board's link once the firmware listens
 * (it sends a lone delimiter when it is ready; anything sent before would be lost while it resets its
 * UART). Whatever fails on the way stops QEMU and is reported with what QEMU said.
 */
export async function openQemuBoard(manifest: BoardManifest, options: QemuBoardOptions = {}): Promise<QemuTransport> {
  const image = await buildQemuBoardImage(manifest, options);
  const { icountShift, input: manifestInput } = qemuSettings(manifest);
  const input = options.input ?? manifestInput;
  if (input !== "uart" && input !== "virtio") throw expected('an input channel "uart" or "virtio"', input);
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;

  const listen = async (): Promise<{ server: Server; port: number }> => {
    const server = createServer();
    await new Promise<void>((resolveListen, rejectListen) => {
      server.once("error", rejectListen);
      server.listen(0, LOOPBACK, () => resolveListen());
    });
    return { server, port: (server.address() as AddressInfo).port };
  };
  const { server, port } = await listen();
  const inputServer = input === "virtio" ? await listen().catch((err) => (server.close(), Promise.reject(err))) : undefined;
  const closeServers = () => {
    server.close();
    inputServer?.server.close();
  };
  const qemuOptions: QemuOptions = {
    icountShift,
    flashFile: options.flashFile !== undefined ? resolve(options.flashFile) : undefined,
    traceFile: options.traceFile !== undefined ? resolve(options.traceFile) : undefined,
  };
  if (manifest.accelerator.present) {
    if (!image.accelDevice) throw new RunError(`the image in ${dirname(image.elf)} has no accelerator device process (edgecl-accel-device): rebuild it`);
    qemuOptions.accelDevice = image.accelDevice;
    qemuOptions.accelRtl = image.accelRtl;
    qemuOptions.accelStatsFile = options.accelStatsFile;
  }
  options.log?.(`starting QEMU for ${manifest.id}, UART on tcp ${LOOPBACK}:${port}${inputServer ? `, input on a virtio console on tcp ${LOOPBACK}:${inputServer.port}` : ""}`);
  let qemu: QemuProcess;
  try {
    qemu = startQemu(image, { kind: "tcp", host: LOOPBACK, port, inputPort: inputServer?.port }, qemuOptions);
  } catch (err) {
    closeServers();
    throw err;
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    // QEMU connects its chardevs before the machine runs; the firmware's first delimiter on the UART says it listens.
    const inputSocket = inputServer ? new Promise<Socket>((resolveInput) => inputServer.server.once("connection", resolveInput)) : undefined;
    const { socket, received } = await new Promise<{ socket: Socket; received: Uint8Array }>((resolveReady, rejectReady) => {
      timer = setTimeout(
        () => rejectReady(new RunError(`the firmware on QEMU (pid ${qemu.pid}) did not answer on ${LOOPBACK}:${port} within ${connectTimeoutMs} ms`)),
        connectTimeoutMs,
      );
      server.once("connection", (socket: Socket) => {
        socket.once("data", (chunk: Buffer) => resolveReady({ socket, received: new Uint8Array(chunk) }));
      });
      qemu.exited.then(
        (exit) =>
          rejectReady(
            new RunError(`QEMU exited (status ${exit.code ?? exit.signal}) before the firmware answered${exit.fault ? `: ${exit.fault}` : ""}${qemu.stderr() ? `: ${qemu.stderr().trim()}` : ""}`),
          ),
        rejectReady,
      );
    });
    // One board, one link: later connections to the port are refused.
    server.on("connection", (extra: Socket) => extra.destroy());
    const inputLink = inputServer && inputSocket ? { socket: await inputSocket, server: inputServer.server } : undefined;
    inputServer?.server.on("connection", (extra: Socket) => extra.destroy());
    return new QemuTransport(qemu, socket, server, image, manifest.id, received, inputLink);
  } catch (err) {
    await qemu.stop();
    closeServers();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
