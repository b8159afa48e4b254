// Ctrl-C at a terminal during edgecl run: the run stops cleanly, the terminal is given back as it was
// (cursor shown, line wrap on: the progress bar turns both off) and the partial report is saved. The
// terminal is a pseudo-terminal from util-linux's `script`; Ctrl-C is the byte 0x03 typed into it, so
// the terminal sends SIGINT to its foreground process group, as a user's keyboard does.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, test } from "vitest";
import { boardCopy, completed, processesWith, until } from "../helpers/run-process.js";

const BIN = fileURLToPath(new URL("../../bin/edgecl.js", import.meta.url));
const hasScript = spawnSync("script", ["--version"]).status === 0;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "edgecl-run-terminal-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test.skipIf(!hasScript)("Ctrl-C restores the cursor and line wrap, saves the report and prints the resume command", async () => {
  const board = boardCopy("sim-noaccel", dir, `terminal-board-${process.pid}`);
  const report = join(dir, "run.json");
  const command = [process.execPath, BIN, "run", "--board", board, "--experiences", "3", "--iterations", "150", "--batch", "16", "--train-samples", "300", "--test-samples", "60", "--json", report];
  const terminal = spawn("script", ["-qfec", command.map((a) => `'${a}'`).join(" "), "/dev/null"], { stdio: ["pipe", "pipe", "pipe"] });
  let screen = "";
  terminal.stdout.setEncoding("utf8").on("data", (t: string) => (screen += t));
  const ended = new Promise<number | null>((resolve) => terminal.once("close", (code) => resolve(code)));
  try {
    expect(await until(() => completed(report) >= 1, 240_000)).toBe(true);
    terminal.stdin.write("\x03");
    await ended;
    // The bar hid the cursor and turned line wrap off; after the last of that, both come back.
    const hidden = screen.lastIndexOf("\x1b[?25l");
    expect(hidden).toBeGreaterThanOrEqual(0);
    expect(screen.indexOf("\x1b[?25h", hidden)).toBeGreaterThan(hidden);
    expect(screen.indexOf("\x1b[?7h", screen.lastIndexOf("\x1b[?7l"))).toBeGreaterThan(0);
    expect(screen).toMatch(/edgecl: interrupted by SIGINT: [12] of 3 experiences completed, the partial report is saved in .*run\.json; continue with: edgecl run --resume .*run\.json/);
    expect(JSON.parse(readFileSync(report, "utf8")).status.lost.reason).toBe("interrupted by SIGINT");
    expect(await until(() => processesWith(board).length === 0, 5000)).toBe(true);
  } finally {
    terminal.kill("SIGKILL");
  }
}, 300_000);
