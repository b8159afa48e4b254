// How a sweep starts one run: this Node.js and this checkout's `edgecl` entry, with the run's
// arguments. Both engines use it, so a run under Slurm is the very command a local run is.
import { existsSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { RunError } from "../errors.js";

/** The checkout's root: host/sweep (sources) or dist/host/sweep (compiled) are two or three levels down. */
function rootDir(): string {
  const up = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..");
  return basename(up) === "dist" ? join(up, "..") : up;
}

/** node, the CLI entry, and `run` with the run's arguments. */
export function edgeclRunCommand(args: string[]): { command: string; args: string[] } {
  const bin = join(rootDir(), "bin", "edgecl.js");
  if (!existsSync(join(rootDir(), "dist", "host", "cli", "main.js"))) throw new RunError(`the edgecl CLI is not built (${bin} needs dist/); run npm run build`);
  return { command: process.execPath, args: [bin, "run", ...args] };
}
