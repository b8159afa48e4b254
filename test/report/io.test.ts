// Output files: checked before any work (checkOutputPath), written whole with their folders (writeOutput).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { checkOutputPath, writeOutput } from "../../host/report/io.js";
import { RunError, UsageError } from "../../host/errors.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "edgecl-io-"));
  writeFileSync(join(dir, "a-file"), "x");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("checkOutputPath", () => {
  test.each([
    ["a new file in an existing folder", () => join(dir, "r.json")],
    ["a file in folders yet to be made", () => join(dir, "new", "deeper", "r.json")],
    ["an existing file", () => join(dir, "a-file")],
  ])("accepts %s and creates nothing", (_what, path) => {
    expect(() => checkOutputPath(path(), "--json")).not.toThrow();
    expect(readdirSync(dir).sort()).toEqual(["a-file"]);
  });

  test("refuses a folder, and a path through a file, with a usage error naming the flag", () => {
    expect(() => checkOutputPath(dir, "--csv")).toThrow(new UsageError(`expected --csv to name a file, received the folder ${dir}`));
    const through = join(dir, "a-file", "x", "r.json");
    expect(() => checkOutputPath(through, "--html")).toThrow(new UsageError(`expected --html ${through} under a folder, received a path through the file ${join(dir, "a-file")}`));
  });
});

describe("writeOutput", () => {
  test("creates the folders and leaves no temporary file", () => {
    const path = join(dir, "out", "sub", "r.csv");
    writeOutput(path, "a,b\n", "CSV report");
    expect(readFileSync(path, "utf8")).toBe("a,b\n");
    expect(readdirSync(join(dir, "out", "sub"))).toEqual(["r.csv"]);
    rmSync(join(dir, "out"), { recursive: true });
  });

  test("a path it cannot write is a run error naming the file and what it is", () => {
    const path = join(dir, "a-file", "r.html");
    expect(() => writeOutput(path, "<html>", "HTML report")).toThrow(RunError);
    expect(() => writeOutput(path, "<html>", "HTML report")).toThrow(`cannot write the HTML report to ${path}: `);
  });
});
