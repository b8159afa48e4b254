// run --timeout sets the time a board may take to answer, over the manifest's transport.timeoutMs.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { edgecl } from "../helpers/cli.js";
import { boardCopy } from "../helpers/run-process.js";

let dir: string;
let board: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "edgecl-run-timeout-"));
  // A manifest that gives a board 1 ms to answer: no board process starts that fast.
  board = boardCopy("sim-noaccel", dir, "impatient", (m) => {
    m.transport.timeoutMs = 1;
    delete m.transport.slowestMacsPerSecond;
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RUN = ["run", "--experiences", "1", "--iterations", "2", "--train-samples", "40", "--test-samples", "20", "--quiet"];

test("the manifest's timeout applies without --timeout", () => {
  const r = edgecl([...RUN, "--board", board]);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/did not answer HELLO within 1 ms/);
});

test("--timeout overrides it", () => {
  const r = edgecl([...RUN, "--board", board, "--timeout", "60000"], { timeoutMs: 120_000 });
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
});

test("--timeout must be a whole number of milliseconds", () => {
  const r = edgecl([...RUN, "--timeout", "soon"]);
  expect(r.code).toBe(2);
  expect(r.stderr).toBe('edgecl: expected --timeout to be an integer from 1 to 2147483647, received "soon"\n');
});
