// edgecl run --checkpoint-every experience, stopped by SIGTERM and resumed with --resume: the board
// process is gone, but its flash file (--flash-dir) holds the checkpoint written after the last
// completed experience; the resumed run restores it instead of running those experiences again, says
// so, and its report equals an uninterrupted run's, apart from provenance and measured time.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { edgecl } from "../helpers/cli.js";
import { boardCopy, comparableReport, completed, edgeclBackground, processesWith, until } from "../helpers/run-process.js";

let dir: string;
let board: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "edgecl-run-resume-checkpoint-"));
  board = boardCopy("sim", dir, `checkpoint-board-${process.pid}`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Three experiences long enough that a signal sent once the first is in the report lands before the last.
const RUN = ["--experiences", "3", "--iterations", "150", "--batch", "16", "--train-samples", "300", "--test-samples", "60", "--checkpoint-every", "experience"];

const comparable = (path: string): unknown => comparableReport(JSON.parse(readFileSync(path, "utf8")));

test("SIGTERM after an experience, then --resume: restored from the board's checkpoint, the uninterrupted run's report", async () => {
  const whole = edgecl(["run", "--board", board, ...RUN, "--flash-dir", join(dir, "flash-whole"), "--quiet", "--json", join(dir, "whole.json")], { timeoutMs: 300_000 });
  expect(whole.stderr).toBe("");
  expect(whole.code).toBe(0);

  const report = join(dir, "stopped.json");
  const run = edgeclBackground(["run", "--board", board, ...RUN, "--flash-dir", join(dir, "flash"), "--quiet", "--json", report]);
  expect(await until(() => completed(report) >= 1, 240_000)).toBe(true);
  run.child.kill("SIGTERM");
  expect((await run.done).code).toBe(1);
  const partial = JSON.parse(readFileSync(report, "utf8"));
  const k = partial.status.experiencesCompleted;
  expect(k).toBeGreaterThanOrEqual(1);
  expect(k).toBeLessThan(3);
  expect(partial.status.checkpoint).toMatchObject({ slot: 0, experience: k - 1 });
  expect(await until(() => processesWith(board).length === 0, 5000)).toBe(true);

  // The resumed run takes --checkpoint-every and --flash-dir from the report, as every other flag.
  const resumed = edgecl(["run", "--resume", report], { timeoutMs: 300_000 });
  expect(resumed.code).toBe(0);
  expect(resumed.stderr).toMatch(new RegExp(`resuming from the board's checkpoint of experience ${k - 1} \\(flash slot 0, \\d+ bytes, model checksum [0-9a-f]{8}\\)`));
  expect(resumed.stderr).not.toMatch(/running experiences .* again/);
  expect(comparable(report)).toEqual(comparable(join(dir, "whole.json")));
}, 600_000);

test("--checkpoint-every takes never or experience; --train-chunk a positive number of steps", () => {
  const bad = edgecl(["run", "--checkpoint-every", "epoch", "--quiet"]);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toBe('edgecl: expected --checkpoint-every to be one of never, experience, received "epoch"\n');
  const chunk = edgecl(["run", "--train-chunk", "0", "--quiet"]);
  expect(chunk.code).toBe(2);
  expect(chunk.stderr).toBe('edgecl: expected --train-chunk to be an integer from 1 to 2147483647, received "0"\n');
});
