// The built CLI as a background process, for tests that stop it midway (signals) and for finding the
// board processes it started: a run is given a board manifest copied to a path of its own, which every
// board process it starts carries on its command line.
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BIN } from "./cli.js";

const BOARDS = fileURLToPath(new URL("../../board/", import.meta.url));

export interface Background {
  child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal) and what the CLI printed. */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

export function edgeclBackground(args: string[], cwd?: string): Background {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (t: string) => (stdout += t));
  child.stderr!.setEncoding("utf8").on("data", (t: string) => (stderr += t));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

/** A copy of board/<id>.json at dir/<name>.json: its path names the board processes a run starts. */
export function boardCopy(id: string, dir: string, name: string, change: (m: Record<string, any>) => void = () => {}): string {
  const path = join(dir, `${name}.json`);
  const manifest = JSON.parse(readFileSync(join(BOARDS, `${id}.json`), "utf8"));
  change(manifest);
  writeFileSync(path, JSON.stringify(manifest, null, 2));
  return path;
}

/** Pids of live processes whose command line contains `text`. */
export function processesWith(text: string): number[] {
  return parsePs(execFileSync("ps", ["-eo", "pid=,stat=,args="], { encoding: "utf8" }), text);
}

/** Waits until `check` holds, polling; false if it did not within `limitMs`. */
export async function until(check: () => boolean, limitMs: number, everyMs = 20): Promise<boolean> {
  const end = Date.now() + limitMs;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return check();
}

/** Experiences completed in the report at `path`, 0 while there is none. */
export function completed(path: string): number {
  if (!existsSync(path)) return 0;
  try {
    return JSON.parse(readFileSync(path, "utf8")).status.experiencesCompleted;
  } catch {
    return 0;
  }
}

/** A report without what differs between two runs of the same settings: provenance and measured time. */
export function comparableReport(report: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(report));
  delete copy.provenance;
  for (const t of copy.telemetry) {
    delete t.train.timeUs;
    delete t.eval.timeUs;
  }
  return copy;
}

/** Pids of the live children of `pid` whose command line contains `text`. */
export function childrenWith(pid: number, text: string): number[] {
  let out = "";
  try {
    out = execFileSync("ps", ["-o", "pid=,stat=,args=", "--ppid", String(pid)], { encoding: "utf8" });
  } catch {
    return []; // ps exits 1 when there are none
  }
  return parsePs(out, text);
}

/** Live (not zombie) rows of `ps -o pid=,stat=,args=` whose command line contains `text`. */
function parsePs(out: string, text: string): number[] {
  return out
    .split("\n")
    .map((line) => line.trim().match(/^(\d+)\s+(\S+)\s+(.*)$/))
    .filter((m): m is RegExpMatchArray => m !== null && !m[2].startsWith("Z") && m[3].includes(text) && !m[3].startsWith("ps "))
    .map((m) => Number(m[1]));
}

/** Whether process `pid` is alive (a zombie is not). */
export function alive(pid: number): boolean {
  try {
    return !execFileSync("ps", ["-o", "stat=", "-p", String(pid)], { encoding: "utf8" }).trim().startsWith("Z");
  } catch {
    return false;
  }
}
