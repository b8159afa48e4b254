// edgecl report from the command line: summary, CSV, one page per run, a comparison, and bad input.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { edgeclSources } from "../board/edgecl.js";
import { completeReport, partialReport, plainReport } from "./fixtures.js";

let dir: string;
const file = (name: string) => join(dir, name);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "edgecl-report-cli-"));
  writeFileSync(file("fp8.json"), JSON.stringify(completeReport()));
  writeFileSync(file("plain.json"), JSON.stringify(plainReport()));
  writeFileSync(file("lost.json"), JSON.stringify(partialReport()));
  const broken = completeReport() as unknown as { accuracy: unknown[][] };
  broken.accuracy[0][1] = "high";
  writeFileSync(file("broken.json"), JSON.stringify(broken));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("edgecl report", () => {
  test("one report: the summary, a CSV and an HTML page", () => {
    const r = edgeclSources(["report", file("fp8.json"), "--csv", file("out/fp8.csv"), "--html", file("out/fp8.html")]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("  after 2    25.00  50.00  97.00");
    expect(r.stdout).toContain(`wrote ${file("out/fp8.csv")}, ${file("out/fp8.html")}`);
    expect(readFileSync(file("out/fp8.csv"), "utf8").split("\r\n")[1]).toMatch(/^fp8,0,true,100,/);
    expect(readFileSync(file("out/fp8.html"), "utf8")).toContain("<title>edgecl report: fp8</title>");
  });

  test("--csv - writes only the CSV on stdout, every run's rows", () => {
    const r = edgeclSources(["report", file("fp8.json"), file("lost.json"), "--csv", "-"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\r\n");
    expect(lines[0]).toMatch(/^run,experience,complete,/);
    expect(lines.slice(1, -1).map((l) => l.split(",").slice(0, 2).join(","))).toEqual(["fp8,0", "fp8,1", "fp8,2", "lost,0"]);
  });

  test("several reports and -o: one line per run and a comparison page", () => {
    const r = edgeclSources(["report", file("fp8.json"), file("plain.json"), file("lost.json"), "-o", file("cmp.html")]);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")).toEqual([
      "fp8: average accuracy 57.33%; complete: 3 of 3 experiences",
      "plain: average accuracy 57.33%; complete: 3 of 3 experiences",
      "lost: average accuracy –; INCOMPLETE: 1 of 3 experiences; experience 1 was lost (TRAIN (experience 1)): board sim was lost",
      `wrote ${file("cmp.html")}`,
      "",
    ]);
    const html = readFileSync(file("cmp.html"), "utf8");
    expect(html).toContain("<title>edgecl run comparison</title>");
    expect(html).toContain('class="plot scatter accuracy-energy"');
  });

  test("--html with several reports is a usage error (exit 2, one line)", () => {
    const r = edgeclSources(["report", file("fp8.json"), file("plain.json"), "--html", file("x.html")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("edgecl: expected one report with --html, received 2; use -o FILE for a comparison of several runs\n");
    expect(existsSync(file("x.html"))).toBe(false);
  });

  test("a report that breaks the schema names the file and the key (exit 2)", () => {
    const r = edgeclSources(["report", file("broken.json")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`edgecl: ${file("broken.json")}: key "accuracy[0][1]": expected a number in [0, 1], received "high"\n`);
  });

  test("a missing file (exit 2)", () => {
    const r = edgeclSources(["report", file("nope.json")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`edgecl: expected a readable report file, received "${file("nope.json")}" (ENOENT)\n`);
  });
});
