// Child processes that die with the host. On Linux a child started through util-linux's
// `setpriv --pdeathsig KILL` gets SIGKILL from the kernel as soon as the host process ends, however it
// ends (a normal exit, Ctrl-C, SIGTERM, SIGKILL, a crash) and whatever the child is busy with: a
// simulated board in the middle of a long TRAIN, or QEMU, which never watches its parent. Without
// setpriv (other systems) the command runs as given: the simulated board still stops when the pipe
// on its stdin closes, once its current request has ended.
import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

let setpriv: string | null | undefined;

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** setpriv's path when it is on PATH and knows --pdeathsig (util-linux 2.33 and later), else null. */
export function pdeathsigTool(): string | null {
  if (setpriv !== undefined) return setpriv;
  setpriv = null;
  const candidate = process.platform === "linux" ? onPath("setpriv") : null;
  if (candidate) {
    const help = spawnSync(candidate, ["--help"], { encoding: "utf8" });
    if (`${help.stdout}${help.stderr}`.includes("--pdeathsig")) setpriv = candidate;
  }
  return setpriv;
}

/** The executable `command` names (a path, or a name looked up on PATH), or null. */
export function onPath(command: string): string | null {
  if (command.includes("/")) return executable(command) ? command : null;
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const candidate = join(dir || ".", command);
    if (executable(candidate)) return candidate;
  }
  return null;
}

/**
 * The command and arguments that start `command args` so that it dies with this process. A command
 * that cannot be found is left as it is, so that starting it fails as it would (ENOENT), not setpriv.
 * `detached` (spawn's option) puts the child in a process group of its own: Ctrl-C at a terminal then
 * reaches the host alone, which stops its children itself, rather than killing a board under a host
 * that has not yet seen the signal (which would take a Ctrl-C for a lost board).
 */
export function tiedToHost(command: string, args: readonly string[]): { command: string; args: string[]; detached: true } {
  const tool = pdeathsigTool();
  const tied = tool && onPath(command) ? { command: tool, args: ["--pdeathsig", "KILL", "--", command, ...args] } : { command, args: [...args] };
  return { ...tied, detached: true };
}
