// Renderers of the report JSON: terminal summary, CSV, report checking, format names and units.
// Expected texts are worked out by hand from the fixtures (test/report/fixtures.ts).
import { describe, expect, test } from "vitest";
import { parseFormat } from "../../host/formats/parse.js";
import { NAMED_FORMATS } from "../../host/generated/formats.js";
import { renderCsv } from "../../host/report/csv.js";
import { formatWordName } from "../../host/report/format-names.js";
import { renderComparison, renderHtml } from "../../host/report/html.js";
import { checkReport } from "../../host/report/io.js";
import { renderSummary } from "../../host/report/terminal.js";
import { bytes, count, duration, joules, percent, points } from "../../host/report/units.js";
import { completeReport, partialReport, plainReport } from "./fixtures.js";

describe("terminal summary", () => {
  test("the accuracy matrix as a table, with the untrained row, and the metrics in percent and points", () => {
    const lines = renderSummary(completeReport()).split("\n");
    expect(lines).toContain("status: complete: 3 of 3 experiences");
    const at = lines.indexOf("accuracy (%): row = after training experience i, column = test set of experience j");
    expect(lines.slice(at + 1, at + 6)).toEqual([
      "             exp 0  exp 1  exp 2",
      "  untrained  10.00  12.00   8.00",
      "  after 0    99.00   0.00   0.00",
      "  after 1    50.00  98.00   0.00",
      "  after 2    25.00  50.00  97.00",
    ]);
    // (25 + 50 + 97) / 3 = 57.33; BWT ((25 - 99) + (50 - 98)) / 2 = -61; forgetting +61; FWT ((0 - 12) + (0 - 8)) / 2 = -10.
    expect(lines).toContain("average accuracy 57.33%   BWT −61.00 pt   FWT −10.00 pt   forgetting +61.00 pt");
    expect(lines).toContain("MACs: e4m3 2.25 M, fp32 780 k");
    expect(lines).toContain("memory: model 128.0 KiB, replay 32.0 KiB, peak linear memory 244.1 KiB of 4.00 MiB");
    expect(lines).toContain("energy: 7.5 mJ in all; per experience 1.5 mJ, 2.5 mJ, 3.5 mJ");
    expect(lines).toContain("accelerator: 72 jobs, 240 k cycles");
    // Groups of settings show by their name, lists joined.
    expect(lines[0]).toBe("edgecl run benchmark=split-mnist scenario=class strategy=replay precision=fp8-mixed seed=1 board=sim classOrder=1,6,8");
  });

  test("a partial report says which experience was lost and prints the rows it has", () => {
    const text = renderSummary(partialReport());
    expect(text).toContain("status: INCOMPLETE: 1 of 3 experiences; experience 1 was lost (TRAIN (experience 1)): board sim was lost");
    expect(text).toContain("  after 0    99.00   0.00   0.00\n\n");
    expect(text).toContain("average accuracy –   BWT –   FWT –   forgetting –");
  });

  test("optional parts missing: no energy, no accelerator, no untrained row", () => {
    const text = renderSummary(plainReport());
    expect(text).toContain("energy: not reported by the board");
    expect(text).not.toContain("accelerator:");
    expect(text).not.toContain("untrained");
    expect(text).toContain("FWT –");
  });

  test("a report with no completed experience and no telemetry still renders", () => {
    const r = partialReport();
    r.accuracy = [];
    r.telemetry = [];
    r.status.experiencesCompleted = 0;
    delete r.energy;
    expect(renderSummary(r)).toContain("(no experience completed)");
  });
});

describe("CSV", () => {
  test("one row per trained experience, with its telemetry and its row of the matrix (RFC 4180 quoting)", () => {
    const csv = renderCsv([
      { label: "run a", report: completeReport() },
      { label: 'b,"x"', report: partialReport() },
    ]);
    const lines = csv.split("\r\n");
    expect(lines[0]).toBe(
      "run,experience,complete,iterations,train_mean_loss,train_last_loss,train_time_us,train_macs,train_energy_j,eval_time_us,eval_macs,eval_energy_j,accel_jobs,accel_cycles,memory_peak_bytes,model_bytes,replay_bytes,avg_accuracy_so_far,acc_0,acc_1,acc_2",
    );
    // Experience 1: accuracies 0.5 and 0.98 so far average 0.74; jobs 12 + 12, cycles 40000 + 40000.
    expect(lines[2]).toBe("run a,1,true,100,0.25,0.25,3000,1000000,0.002,3000,10000,0.0005,24,80000,250001,131072,32768,0.74,0.5,0.98,0");
    expect(lines[4]).toBe('"b,""x""",0,false,100,0.5,0.25,1500,1000000,0.001,1500,10000,0.0005,24,80000,250000,131072,32768,0.99,0.99,0,0');
    expect(lines).toHaveLength(6); // header, 3 + 1 rows, and the empty string after the last CRLF
    expect(lines[5]).toBe("");
  });

  test("values a board did not report are empty fields", () => {
    const lines = renderCsv([{ label: "p", report: plainReport() }]).split("\r\n");
    const fields = lines[1].split(",");
    expect(fields[8]).toBe(""); // train_energy_j
    expect(fields[11]).toBe(""); // eval_energy_j
  });
});

describe("checkReport", () => {
  test("accepts the fixtures as written to JSON and back", () => {
    for (const r of [completeReport(), plainReport(), partialReport()]) expect(checkReport(JSON.parse(JSON.stringify(r)), "r.json")).toBeTruthy();
  });

  test.each([
    ["another schema", (r: any) => (r.schema = "other"), 'r.json: key "schema": expected "edgecl-report" (an edgecl run report), received "other"'],
    ["an accuracy above 1", (r: any) => (r.accuracy[1][2] = 1.5), 'r.json: key "accuracy[1][2]": expected a number in [0, 1], received 1.5'],
    ["a short row", (r: any) => r.accuracy[0].pop(), 'r.json: key "accuracy[0]": expected 3 accuracies, received "2"'],
    ["a missing memory group", (r: any) => delete r.memory, 'r.json: key "memory": expected an object, received nothing'],
    ["a MAC count that is text", (r: any) => (r.macs.e4m3 = "many"), 'r.json: key "macs.e4m3": expected a number >= 0, received "many"'],
    ["a negative energy", (r: any) => (r.telemetry[0].train.energyJ = -1), 'r.json: key "telemetry[0].train.energyJ": expected a number >= 0 or null, received -1'],
  ])("refuses %s, naming the file and the key", (_, spoil, message) => {
    const r = JSON.parse(JSON.stringify(completeReport()));
    spoil(r);
    expect(() => checkReport(r, "r.json")).toThrow(message);
  });
});

describe("format names", () => {
  test("every named format's word names it back", () => {
    for (const f of NAMED_FORMATS) expect(formatWordName(parseFormat(f.id).word)).toBe(f.id);
  });

  test("words from docs/accelerator.md's table", () => {
    expect(formatWordName(0x00030410)).toBe("e4m3");
    expect(formatWordName(0x00020500)).toBe("e5m2");
    expect(formatWordName(0x000a0500)).toBe("fp16");
    expect(formatWordName(0x00070800)).toBe("bf16");
    expect(formatWordName(0x00170800)).toBe("fp32");
  });

  test("generic formats and options", () => {
    expect(formatWordName(parseFormat("e3m4").word)).toBe("e3m4");
    expect(formatWordName(parseFormat("fixed16.8").word)).toBe("fixed16.8");
    expect(formatWordName(parseFormat("e5m2", { saturate: true }).word)).toBe("e5m2:sat");
    expect(formatWordName(parseFormat("bf16", { subnormals: false }).word)).toBe("bf16:nosub");
    expect(formatWordName(0x0000000f)).toBe("format 0x0000000f");
  });
});

describe("units", () => {
  test.each([
    [percent(0.5733333), "57.33%"],
    [percent(null), "–"],
    [points(-0.61), "−61.00 pt"],
    [points(0), "+0.00 pt"],
    [bytes(1023), "1023 B"],
    [bytes(131072), "128.0 KiB"],
    [bytes(4194304), "4.00 MiB"],
    [joules(0.0075), "7.5 mJ"],
    [joules(3.2e-7), "320 nJ"],
    [joules(12), "12 J"],
    [joules(0), "0 J"],
    [count(2_250_000), "2.25 M"],
    [count(999), "999"],
    [duration(850), "850 µs"],
    [duration(12_345), "12.3 ms"],
    [duration(4_560_000), "4.56 s"],
  ])("%s", (shown, expected) => {
    expect(shown).toBe(expected);
  });
});

describe("HTML pages", () => {
  test("are self-contained: no scripts, no links or sources outside the page", () => {
    for (const html of [renderHtml(completeReport()), renderHtml(partialReport()), renderComparison([{ label: "a", report: completeReport() }, { label: "b", report: plainReport() }])]) {
      expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
      expect(html).not.toMatch(/<script|<link|src=|href=|@import|url\(/i);
    }
  });

  test("settings groups show by name in the heading and in full in the configuration table", () => {
    const html = renderHtml(completeReport());
    expect(html).toContain("strategy <code>replay</code>");
    expect(html).toContain("<td>strategy</td><td>name=replay,<wbr> bufferBytes=32768,<wbr> bufferPolicy=reservoir</td>");
    expect(html).toContain("<td>classOrder</td><td>1,<wbr>6,<wbr>8</td>");
    expect(html).not.toContain("[object Object]");
  });

  test("text from the report is escaped", () => {
    const r = completeReport();
    r.config.strategy = "<b>replay</b>";
    const html = renderHtml(r);
    expect(html).not.toContain("<b>replay</b>");
    expect(html).toContain("&lt;b&gt;replay&lt;/b&gt;");
  });
});
