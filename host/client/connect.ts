// Opens a link to a board named on the command line (--board):
//   <id> or a manifest path   the manifest's transport: "process" starts the simulated board as a child
//                             process; "tcp" connects to transport.host:transport.port; "serial" opens
//                             transport.path at transport.baudRate; "qemu" builds the firmware image and
//                             starts QEMU (host/firmware/board.ts)
//   tcp:<host>:<port>         a board on a TCP socket (a simulated board started with --tcp, QEMU's UART)
//   serial:<path>[@<baud>]    a real board on a serial port
// With tcp: and serial:, --manifest names the board's manifest (for its timeout); HELLO tells the rest.
import { join } from "node:path";
import { loadBoard, type BoardManifest } from "../manifest/manifest.js";
import { RunError, UsageError, expected } from "../errors.js";
import { parseSerialTarget, SerialTransport } from "../transport/serial.js";
import { spawnSimBoard } from "../transport/sim.js";
import { parseTcpAddress, TcpTransport } from "../transport/tcp.js";
import type { Transport } from "../transport/transport.js";
import { BoardClient } from "./client.js";

export interface OpenBoardOptions {
  /** Manifest id or path for tcp: and serial: boards. */
  manifest?: string;
  /** Directory of a simulated or QEMU board's flash file (<dir>/<board>.bin). */
  flashDir?: string;
  /** Overrides the manifest's transport.timeoutMs. */
  timeoutMs?: number;
  log?: (line: string) => void;
  /** QEMU boards with the accelerator: where its device process writes its counters (JSON) when the board stops. */
  accelStatsFile?: string;
}

export interface OpenedBoard {
  client: BoardClient;
  transport: Transport;
  /** The manifest, when the board was named by one. */
  manifest: BoardManifest | null;
  /** How the board is named in messages. */
  name: string;
}

function numberKey(manifest: BoardManifest, key: string): number {
  const value = manifest.transport[key];
  if (typeof value !== "number") throw new UsageError(`${manifest.file}: missing key "transport.${key}" (a number) for a ${manifest.transport.kind} board`);
  return value;
}

function stringKey(manifest: BoardManifest, key: string): string {
  const value = manifest.transport[key];
  if (typeof value !== "string") throw new UsageError(`${manifest.file}: missing key "transport.${key}" (a string) for a ${manifest.transport.kind} board`);
  return value;
}

export async function openBoard(spec: string, options: OpenBoardOptions = {}): Promise<OpenedBoard> {
  if (typeof spec !== "string" || spec.trim() === "") throw expected("a board: an id, a manifest path, tcp:HOST:PORT or serial:PATH", spec);
  let manifest: BoardManifest | null = null;
  let transport: Transport;
  let name: string;
  try {
    if (spec.startsWith("tcp:")) {
      manifest = options.manifest ? loadBoard(options.manifest) : null;
      const address = parseTcpAddress(spec.slice(4));
      transport = await TcpTransport.connect(address);
      name = manifest?.id ?? spec;
    } else if (spec.startsWith("serial:")) {
      manifest = options.manifest ? loadBoard(options.manifest) : null;
      const baud = manifest && typeof manifest.transport.baudRate === "number" ? manifest.transport.baudRate : undefined;
      transport = await SerialTransport.open(parseSerialTarget(spec.slice(7), baud));
      name = manifest?.id ?? spec;
    } else {
      manifest = loadBoard(spec);
      name = manifest.id;
      switch (manifest.transport.kind) {
        case "process":
          transport = spawnSimBoard({ board: manifest.file, flashDir: options.flashDir });
          break;
        case "tcp":
          transport = await TcpTransport.connect({ host: stringKey(manifest, "host"), port: numberKey(manifest, "port") });
          break;
        case "serial":
          transport = await SerialTransport.open({ path: stringKey(manifest, "path"), baudRate: numberKey(manifest, "baudRate") });
          break;
        case "qemu": {
          // The firmware tools build the image if needed and start QEMU with its UART on a loopback socket.
          const { openQemuBoard } = await import("../firmware/board.js");
          transport = await openQemuBoard(manifest, { flashFile: options.flashDir ? join(options.flashDir, `${manifest.id}.bin`) : undefined, log: options.log, accelStatsFile: options.accelStatsFile });
          break;
        }
        default:
          throw new UsageError(`${manifest.file}: key "transport.kind": expected process, tcp, serial or qemu, received ${JSON.stringify(manifest.transport.kind)}`);
      }
    }
  } catch (err) {
    if (err instanceof UsageError || err instanceof RunError) throw err;
    throw new RunError(`could not open board ${spec}: ${(err as Error).message}`);
  }
  const client = new BoardClient(transport, {
    board: name,
    timeoutMs: options.timeoutMs ?? manifest?.transport.timeoutMs,
    log: options.log,
  });
  return { client, transport, manifest, name };
}
