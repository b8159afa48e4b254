// The simulated board as a process: `node dist/board/sim/main.js --board sim [--flash DIR] [--tcp PORT]`.
// It speaks the protocol on its stdin/stdout (the default: the host starts it as a child process) or
// on a loopback TCP port, where every connection is its own link to the same board. Diagnostics go to
// stderr only; stdout carries nothing but frames in stdio mode. The board stops when the pipe on its
// stdin closes (its host is gone), or when interrupted.
import { fstatSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { join } from "node:path";
import { Command, CommanderError } from "commander";
import { loadBoard } from "../../host/manifest/manifest.js";
import { SimBoard, type BoardLink } from "./board.js";
import { Flash } from "./flash.js";
import { loadAccelerator } from "./mmio.js";
import { SIM_LISTENING_PREFIX } from "../../host/transport/sim.js";

interface Options {
  board: string;
  flash?: string;
  tcp?: string;
  host: string;
}

function pump(link: BoardLink, input: NodeJS.ReadableStream, write: (bytes: Uint8Array) => void): void {
  input.on("data", (chunk: Buffer) => {
    for (const frame of link.receive(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))) write(frame);
  });
}

async function start(options: Options): Promise<void> {
  const manifest = loadBoard(options.board);
  const flash = new Flash(manifest.memory.flashBytes, options.flash ? join(options.flash, `${manifest.id}.bin`) : undefined);
  const board = new SimBoard({ manifest, flash, accelerator: await loadAccelerator(manifest) });

  if (options.tcp === undefined) {
    pump(board.openLink(), process.stdin, (bytes) => process.stdout.write(bytes));
    process.stdin.on("end", () => {
      flash.close();
      process.exit(0);
    });
    return;
  }
  const port = Number(options.tcp);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`expected --tcp to be a port 0..65535 (0: any free port), received ${JSON.stringify(options.tcp)}`);
  const server = createServer((socket: Socket) => {
    socket.setNoDelay(true);
    const link = board.openLink();
    pump(link, socket, (bytes) => socket.write(bytes));
    // A session that ends, however it ends, stops driving the board.
    socket.on("close", () => link.close());
    socket.on("error", (err) => process.stderr.write(`edgecl-sim: connection error: ${err.message}\n`));
  });
  server.on("error", (err) => {
    process.stderr.write(`edgecl-sim: ${err.message}\n`);
    process.exit(1);
  });
  server.listen(port, options.host, () => {
    const address = server.address();
    if (address && typeof address === "object") process.stdout.write(`${SIM_LISTENING_PREFIX}${address.address}:${address.port}\n`);
  });
  // A host that started the board through a pipe closes it to stop the board; started from a shell
  // (a terminal, /dev/null), the board serves until it is interrupted.
  if (fstatSync(0).isFIFO()) {
    process.stdin.on("end", () => {
      server.close();
      flash.close();
      process.exit(0);
    });
    process.stdin.resume();
  }
}

const program = new Command("edgecl-sim")
  .description("The simulated edgecl board: runs the device module behind the host<->board protocol")
  .requiredOption("--board <id|manifest>", "board manifest: an id of board/<id>.json or a path")
  .option("--flash <dir>", "directory of the flash file <dir>/<board>.bin (default: flash in memory, lost on exit)")
  .option("--tcp <port>", "listen on a loopback TCP port instead of stdin/stdout (0: any free port)")
  .option("--host <address>", "address to listen on with --tcp", "127.0.0.1")
  .exitOverride();

try {
  program.parse(process.argv);
  await start(program.opts<Options>());
} catch (err) {
  if (!(err instanceof CommanderError)) process.stderr.write(`edgecl-sim: ${(err as Error).message}\n`);
  process.exit(err instanceof CommanderError && err.exitCode === 0 ? 0 : 2);
}
