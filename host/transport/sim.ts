// Starts the simulated board (board/sim/main.ts) as a child process: over its stdin/stdout, or
// listening on a loopback TCP port. From compiled code it runs dist/board/sim/main.js; from the
// TypeScript sources (tests) it runs board/sim/main.ts through tsx, so tests exercise the sources.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { RunError } from "../errors.js";
import { ProcessTransport } from "./process.js";

/** The line a board started with --tcp prints on stdout once it listens: this prefix, then host:port. */
export const SIM_LISTENING_PREFIX = "edgecl-sim listening ";

export interface SimLaunch {
  /** Board id (board/<id>.json) or manifest path. */
  board: string;
  /** Directory of the flash file <dir>/<board>.bin; without it the flash lives in the board's memory. */
  flashDir?: string;
}

const here = dirname(fileURLToPath(import.meta.url));
const fromSources = import.meta.url.endsWith(".ts");

function repoRoot(): string {
  // host/transport (sources) or dist/host/transport (compiled).
  return fromSources ? join(here, "..", "..") : join(here, "..", "..", "..");
}

/** The command that starts the simulated board with `args`. */
export function simCommand(args: string[]): { command: string; args: string[]; cwd: string } {
  const root = repoRoot();
  if (fromSources) {
    return { command: process.execPath, args: ["--import", "tsx", join(root, "board", "sim", "main.ts"), ...args], cwd: root };
  }
  const main = join(root, "dist", "board", "sim", "main.js");
  if (!existsSync(main)) throw new RunError(`the simulated board ${main} is missing; run npm run build`);
  return { command: process.execPath, args: [main, ...args], cwd: root };
}

function launchArgs(launch: SimLaunch): string[] {
  return ["--board", launch.board, ...(launch.flashDir ? ["--flash", launch.flashDir] : [])];
}

/** A simulated board speaking on its stdin/stdout. */
export function spawnSimBoard(launch: SimLaunch): ProcessTransport {
  const { command, args, cwd } = simCommand(launchArgs(launch));
  return new ProcessTransport({ command, args, cwd, label: `simulated board ${launch.board}` });
}

/**
 * A simulated board listening on a loopback TCP port; resolves with the process (close it to stop
 * the board) and the port, once the board listens.
 */
export async function spawnSimBoardTcp(launch: SimLaunch, port = 0, timeoutMs = 30_000): Promise<{ process: ProcessTransport; host: string; port: number }> {
  const { command, args, cwd } = simCommand([...launchArgs(launch), "--tcp", String(port)]);
  const child = new ProcessTransport({ command, args, cwd, label: `simulated board ${launch.board}` });
  const lines = createInterface({ input: child.child.stdout! });
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new RunError(`${child.description} did not listen within ${timeoutMs} ms`)), timeoutMs);
      child.onClose((closed) => {
        clearTimeout(timer);
        reject(new RunError(`${closed.reason} before listening${closed.diagnostics ? `: ${closed.diagnostics}` : ""}`));
      });
      lines.on("line", (line) => {
        if (!line.startsWith(SIM_LISTENING_PREFIX)) return;
        clearTimeout(timer);
        const address = line.slice(SIM_LISTENING_PREFIX.length);
        const at = address.lastIndexOf(":");
        resolve({ process: child, host: address.slice(0, at), port: Number(address.slice(at + 1)) });
      });
    });
  } catch (err) {
    await child.close();
    throw err;
  } finally {
    lines.close();
  }
}
