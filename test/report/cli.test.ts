// edgecl report from the command line: summary, CSV, one page per run, a comparison, and bad input.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { edgeclSources } from "../helpers/cli.js";
import { completeReport, partialReport, plainReport } from "./fixtures.js";

let dir: string;
const file = (name: string) => join(dir, name);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "edgecl-report-cli-"));
  writeFileSync(file("fp8.json"), JSON.stringify(completeReport()));
  // The runs differ in their settings as compared runs do: labels name what differs.
  const plain = plainReport();
  plain.config.precision = "fp32";
  writeFileSync(file("plain.json"), JSON.stringify(plain));
  const lost = partialReport();
  lost.config.seed = 2;
  writeFileSync(file("lost.json"), JSON.stringify(lost));
  const broken = completeReport() as unknown as { accuracy: unknown[][] };
  broken.accuracy[0][1] = "high";
  writeFileSync(file("broken.json"), JSON.stringify(broken));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("edgecl report", () => {
  test("one report: the summary, a CSV and an HTML page", () => {
    const r = edgeclSources(["report", file("fp8.json"), "--csv", file("out/fp8.csv"), "--html", file("out/fp8.html")]);
    // What was written is a note on stderr; stdout holds the summary alone.
    expect(r.stderr).toBe(`wrote ${file("out/fp8.csv")}, ${file("out/fp8.html")}\n`);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("  after 2    25.00  50.00  97.00");
    expect(r.stdout).not.toContain("wrote");
    // A lone run is named by what it is, not by its file (nor "run").
    expect(readFileSync(file("out/fp8.csv"), "utf8").split("\r\n")[1]).toMatch(/^split-mnist replay fp8-mixed seed 1,0,true,100,/);
    expect(readFileSync(file("out/fp8.html"), "utf8")).toContain("<title>edgecl report: split-mnist replay fp8-mixed seed 1</title>");
    expect(edgeclSources(["report", file("fp8.json"), "--csv", file("out/q.csv"), "--quiet"]).stderr).toBe("");
  });

  test("--csv - writes only the CSV on stdout, every run's rows", () => {
    const r = edgeclSources(["report", file("fp8.json"), file("lost.json"), "--csv", "-"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\r\n");
    expect(lines[0]).toMatch(/^run,experience,complete,/);
    expect(lines.slice(1, -1).map((l) => l.split(",").slice(0, 2).join(","))).toEqual(["seed=1,0", "seed=1,1", "seed=1,2", "seed=2,0"]);
  });

  test("several reports and -o: one line per run and a comparison page", () => {
    const r = edgeclSources(["report", file("fp8.json"), file("plain.json"), file("lost.json"), "-o", file("cmp.html")]);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")).toEqual([
      "precision=fp8-mixed seed=1: average accuracy 57.33%; complete: 3 of 3 experiences",
      "precision=fp32 seed=1: average accuracy 57.33%; complete: 3 of 3 experiences",
      "precision=fp8-mixed seed=2: average accuracy –; INCOMPLETE: 1 of 3 experiences; experience 1 was lost (TRAIN (experience 1)): board sim was lost",
      "",
    ]);
    expect(r.stderr).toBe(`wrote ${file("cmp.html")}\n`);
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
