// A whole run in a separate process with a real board process: the board dies or hangs in the middle,
// and the run exits non-zero, says which board, request and experience, and leaves the partial report.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { checkReport } from "../../host/report/io.js";
import { standinWasm } from "../helpers/board.js";

const SCRIPT = fileURLToPath(new URL("./fixtures/fake-run.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
let dir: string;
let standin: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "edgecl-fake-run-"));
  standin = join(dir, "standin.wasm");
  writeFileSync(standin, standinWasm(1));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fakeRun(fault: string, timeoutMs = 20000) {
  const report = join(dir, `${fault || "ok"}.json`);
  const r = spawnSync(process.execPath, ["--import", "tsx", SCRIPT], {
    cwd: ROOT,
    env: { ...process.env, STANDIN: standin, REPORT: report, FAULT: fault, TIMEOUT_MS: String(timeoutMs) },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, report };
}

describe("a scripted run with a board process", () => {
  test("without a fault it completes and exits 0", () => {
    const r = fakeRun("");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(checkReport(JSON.parse(readFileSync(r.report, "utf8"))).status.complete).toBe(true);
  });

  test("the board killed during experience 1: exit 1, the experience named, the partial report saved", () => {
    const r = fakeRun("kill");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^edgecl: board sim-noaccel was lost while waiting for the reply to TRAIN \(experience 1\): simulated board .* was killed by SIGKILL/);
    expect(r.stderr).toContain(`experience 1 was lost, 1 of 3 experiences completed; the partial report is saved in ${r.report}`);
    const saved = checkReport(JSON.parse(readFileSync(r.report, "utf8")));
    expect(saved.accuracy).toHaveLength(1);
    expect(saved.status.lost?.experience).toBe(1);
  });

  test("the board hanging during experience 1: exit 1 after the timeout, naming the board and the request", () => {
    // Long enough that a board on a loaded machine answers HELLO and the first experience in time.
    const r = fakeRun("stop", 8000);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^edgecl: board sim-noaccel did not answer TRAIN \(experience 1\) within 8000 ms/);
    expect(r.stderr).toContain("experience 1 was lost");
    expect(existsSync(r.report)).toBe(true);
  });
});
