// Tables a reader can trust: small losses in scientific notation, what was timed said in the headers,
// runs in a CSV named by what they are, and long specs that break only after their commas (in Chromium).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { renderHtml } from "../../host/report/html.js";
import { renderSummary } from "../../host/report/terminal.js";
import { real } from "../../host/report/units.js";
import { edgeclSources } from "../helpers/cli.js";
import { completeReport } from "./fixtures.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "edgecl-tables-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("numbers in tables", () => {
  test.each([
    [4.9e-6, "4.90e-6"],
    [0.1273, "0.1273"],
    [0.0012, "0.0012"],
    [0.00049, "4.90e-4"],
    [0, "0"],
    [-3.25e-7, "-3.25e-7"],
    [2.5e7, "2.50e7"],
    [null, "–"],
  ])("real(%s) = %s: never a row of zeros for a value that is not zero", (value, text) => {
    expect(real(value)).toBe(text);
  });

  test("a last loss of 4.9e-6 shows as such in the HTML table, and the time columns say whose clock", () => {
    const r = completeReport();
    r.telemetry[0].train.lastLoss = 4.9e-6;
    const html = renderHtml(r);
    expect(html).toContain("<td>4.90e-6</td>");
    expect(html).not.toContain("0.0000");
    expect(html).toContain("<th>train time (board clock)</th>");
    expect(renderSummary(r)).toContain("times: the board's clock over its commands (on sim, the host's wall clock)");
  });
});

describe("run --csv", () => {
  test("names the run by what it is, not \"run\"", () => {
    const csv = join(dir, "run.csv");
    const r = edgeclSources(["run", "--board", "inline", "--model", "mlp:8", "--iterations", "5", "--batch", "8", "--train-samples", "50", "--test-samples", "20", "--experiences", "1", "--quiet", "--csv", csv]);
    expect(r.code).toBe(0);
    expect(readFileSync(csv, "utf8").split("\r\n")[1]).toMatch(/^split-mnist replay fp8-mixed seed 1,0,true,5,/);
  });
});

describe("the configuration table in Chromium", () => {
  test("the precision spec breaks only after its commas, never inside an item", async () => {
    const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: ["--no-sandbox", "--disable-gpu"] });
    try {
      const r = completeReport();
      r.config.precisionSpec = "weight=e4m3:rne,activation=e4m3:rne,error=e5m2:rne,gradient=e5m2:rne,mul=fp16:rne,acc=fp16:sr,master=fp32:rne,optimizer=fp32:rne,replay=e4m3:rne,fma=off,gemm=exact,lossScale=dynamic:65536:2000";
      const page = await browser.newPage({ viewport: { width: 520, height: 800 } });
      await page.setContent(renderHtml(r));
      const lines = await page.evaluate(() => {
        const cell = [...document.querySelectorAll("table.config td")].find((td) => td.previousElementSibling?.textContent === "precisionSpec")!;
        const text = cell.textContent!;
        const range = document.createRange();
        const itemLines: number[] = [];
        let start = 0;
        const node = (offset: number, atEnd: boolean) => {
          // Walk the text nodes (split by <wbr>) to the one holding `offset`: an item starts in the node
          // after a boundary and ends in the node before it.
          let rest = offset;
          for (const child of cell.childNodes) {
            const length = child.textContent!.length;
            if (child.nodeType === Node.TEXT_NODE && (atEnd ? rest <= length : rest < length)) return [child, rest] as const;
            rest -= length;
          }
          throw new Error("offset beyond the cell");
        };
        for (const item of text.split(",")) {
          const [startNode, startOffset] = node(start, false);
          const [endNode, endOffset] = node(start + item.length, true);
          range.setStart(startNode, startOffset);
          range.setEnd(endNode, endOffset);
          itemLines.push(new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size);
          start += item.length + 1;
        }
        return { cellLines: Math.round(cell.getBoundingClientRect().height / parseFloat(getComputedStyle(cell).lineHeight)), itemLines };
      });
      expect(lines.cellLines).toBeGreaterThan(1); // it did wrap
      expect(lines.itemLines).toEqual(lines.itemLines.map(() => 1)); // and no item was split
    } finally {
      await browser.close();
    }
  });
});
