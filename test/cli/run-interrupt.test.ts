// edgecl run stopped midway (SIGTERM, SIGINT, SIGKILL after some experiences) and resumed with
// --resume: the partial report is on disk, no board process outlives the host, and the resumed run's
// report equals an uninterrupted run's, apart from provenance and measured time. Also the output
// paths, checked before a run starts, and the folders every writer creates.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { edgecl } from "../helpers/cli.js";
import { boardCopy, comparableReport, completed, edgeclBackground, processesWith, until } from "../helpers/run-process.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "edgecl-run-interrupt-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Three experiences long enough that a signal sent once the first is in the report lands before the last.
const RUN = ["--experiences", "3", "--iterations", "150", "--batch", "16", "--train-samples", "300", "--test-samples", "60", "--quiet"];

const comparable = (path: string): unknown => comparableReport(JSON.parse(readFileSync(path, "utf8")));

let reference: unknown;
let board: string;

describe("an interrupted run, resumed", () => {
  beforeAll(() => {
    board = boardCopy("sim-noaccel", dir, `interrupt-board-${process.pid}`);
    const r = edgecl(["run", "--board", board, ...RUN, "--json", join(dir, "uninterrupted.json")], { timeoutMs: 300_000 });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    reference = comparable(join(dir, "uninterrupted.json"));
  }, 300_000);

  test.each(["SIGTERM", "SIGINT", "SIGKILL"] as const)(
    "%s after an experience: the partial report is saved, no board process is left, and --resume finishes it as if never stopped",
    async (signal) => {
      const report = join(dir, `run-${signal}.json`);
      const run = edgeclBackground(["run", "--board", board, ...RUN, "--json", report]);
      expect(await until(() => completed(report) >= 1, 240_000)).toBe(true);
      run.child.kill(signal);
      const ended = await run.done;
      const partial = JSON.parse(readFileSync(report, "utf8"));
      const k = partial.status.experiencesCompleted;
      expect(k).toBeGreaterThanOrEqual(1);
      expect(k).toBeLessThan(3);
      expect(partial.status.complete).toBe(false);
      if (signal === "SIGKILL") {
        expect(ended.signal).toBe("SIGKILL");
      } else {
        expect(ended.code).toBe(1);
        expect(ended.stderr).toBe(
          `edgecl: interrupted by ${signal}: ${k} of 3 experiences completed, the partial report is saved in ${report}; continue with: edgecl run --resume ${report}\n`,
        );
        expect(partial.status.lost).toMatchObject({ experience: k, reason: `interrupted by ${signal}` });
      }
      // The board process dies with its host, however the host ends.
      expect(await until(() => processesWith(board).length === 0, 5000)).toBe(true);

      const resumed = edgecl(["run", "--resume", report, "--quiet"], { timeoutMs: 300_000 });
      expect(resumed.stderr).toBe("");
      expect(resumed.code).toBe(0);
      expect(comparable(report)).toEqual(reference);
    },
    300_000,
  );

  test("a complete report, or one made with other settings, is not resumed", () => {
    const done = edgecl(["run", "--resume", join(dir, "uninterrupted.json"), "--quiet"]);
    expect(done.code).toBe(1);
    expect(done.stderr).toBe("edgecl: expected a report of an unfinished run, received one with all 3 experiences completed; nothing to resume\n");

    const partial = JSON.parse(readFileSync(join(dir, "uninterrupted.json"), "utf8"));
    partial.status = { complete: false, experiencesPlanned: 3, experiencesCompleted: 1 };
    partial.accuracy = partial.accuracy.slice(0, 1);
    partial.telemetry = partial.telemetry.slice(0, 1);
    const file = join(dir, "other-settings.json");
    writeFileSync(file, JSON.stringify(partial));
    const other = edgecl(["run", "--resume", file, "--seed", "2", "--quiet"]);
    expect(other.code).toBe(1);
    expect(other.stderr).toBe("edgecl: expected a report made with the same settings as this run, received one whose config differs; resume it with its own flags\n");
  });
});

describe("output paths", () => {
  test("a --json path through a file is refused before the run starts", () => {
    const file = join(dir, "a-file");
    writeFileSync(file, "not a folder");
    const r = edgecl(["run", "--experiences", "1", "--iterations", "2", "--json", join(file, "report.json")]);
    expect(r.code).toBe(2);
    // One line and nothing else: no board was started, no progress printed.
    expect(r.stderr).toBe(`edgecl: expected --json ${join(file, "report.json")} under a folder, received a path through the file ${file}\n`);
  });

  test("a folder given as --csv is refused before the run starts", () => {
    const r = edgecl(["run", "--experiences", "1", "--iterations", "2", "--csv", dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`edgecl: expected --csv to name a file, received the folder ${dir}\n`);
  });

  test("--json, --csv and --html create missing folders alike", () => {
    const out = (name: string) => join(dir, "missing", name, `report.${name}`);
    const r = edgecl(["run", "--experiences", "1", "--iterations", "2", "--train-samples", "50", "--test-samples", "20", "--quiet", "--json", out("json"), "--csv", out("csv"), "--html", out("html")], { timeoutMs: 120_000 });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(["json", "csv", "html"].map((n) => existsSync(out(n)))).toEqual([true, true, true]);
  });
});
