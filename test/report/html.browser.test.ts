// The HTML reports in headless Chromium (Debian's chromium, driven by playwright-core): they load with
// no console errors, and their plots hold the expected number of cells, curves, bars and points.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { renderComparison, renderHtml } from "../../host/report/html.js";
import { completeReport, partialReport, plainReport } from "./fixtures.js";

const CHROMIUM = "/usr/bin/chromium";
let dir: string;
let context: BrowserContext;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "edgecl-html-"));
  context = await chromium.launchPersistentContext(join(dir, "profile"), {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

afterAll(async () => {
  await context?.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Opens a page written to a file, expects it to raise no console error, page error or failed request,
 * runs `check` on it and closes it.
 */
async function inPage(name: string, html: string, check: (page: Page) => Promise<void>): Promise<void> {
  const file = join(dir, name);
  writeFileSync(file, html);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (err) => errors.push(err.message));
  page.on("requestfailed", (request) => errors.push(`request failed: ${request.url()}`));
  try {
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
    expect(errors).toEqual([]);
    await check(page);
  } finally {
    await page.close();
  }
}

const countOf = (page: Page, selector: string) => page.locator(selector).count();

describe("a run's HTML report in Chromium", () => {
  test("a complete run: 3 x 3 heat-map cells, 3 curves of 3, 2 and 1 points, 3 energy bars, no console errors", async () => {
    await inPage("complete.html", renderHtml(completeReport()), async (page) => {
      expect(await countOf(page, "svg.heatmap rect.cell")).toBe(9);
      expect(await countOf(page, "svg.curves path.curve")).toBe(3);
      expect(await countOf(page, "svg.curves .point")).toBe(3 + 2 + 1);
      expect(await countOf(page, "svg.energy g.bar")).toBe(3);
      const box = await page.locator("svg.heatmap").boundingBox();
      expect(box!.width).toBeGreaterThan(100);
      // The best cell (99%) is drawn lighter than the worst (0%): viridis runs dark to light.
      const fill = (row: number, col: number) => page.locator(`svg.heatmap rect.cell[data-row="${row}"][data-col="${col}"]`).getAttribute("fill");
      const luminance = (rgb: string | null) => rgb!.match(/\d+/g)!.map(Number).reduce((a, v, i) => a + v * [0.2126, 0.7152, 0.0722][i], 0);
      expect(luminance(await fill(0, 0))).toBeGreaterThan(luminance(await fill(0, 1)));
      expect(await page.locator(".status").textContent()).toBe("complete: 3 of 3 experiences");
    });
  });

  test("a run that lost experience 1: one row of cells, the rest marked missing, one curve and one bar", async () => {
    await inPage("partial.html", renderHtml(partialReport()), async (page) => {
      expect(await countOf(page, "svg.heatmap rect.cell")).toBe(3);
      expect(await countOf(page, "svg.heatmap rect.missing")).toBe(6);
      expect(await countOf(page, "svg.curves path.curve")).toBe(1);
      expect(await countOf(page, "svg.energy g.bar")).toBe(1);
      expect(await page.locator(".status.incomplete").textContent()).toContain("experience 1 was lost");
    });
  });

  test("a run without energy: no energy plot, a note instead", async () => {
    await inPage("plain.html", renderHtml(plainReport()), async (page) => {
      expect(await countOf(page, "svg.energy")).toBe(0);
      expect(await page.getByText("The board reported no energy estimate.").count()).toBe(1);
      expect(await countOf(page, "svg.heatmap rect.cell")).toBe(9);
    });
  });
});

describe("the comparison page in Chromium", () => {
  test("one point per finished run; runs without energy stay off the energy plot", async () => {
    const cheap = completeReport();
    cheap.energy!.totalJ = 0.0002;
    cheap.memory.modelBytes = 40_000;
    cheap.config.precision = "fp8";
    const runs = [
      { label: "fp8-mixed", report: completeReport() },
      { label: "fp8", report: cheap },
      { label: "no-energy", report: plainReport() },
      { label: "lost", report: partialReport() },
    ];
    await inPage("compare.html", renderComparison(runs), async (page) => {
      expect(await countOf(page, "svg.accuracy-energy g.point")).toBe(2);
      expect(await countOf(page, "svg.accuracy-memory g.point")).toBe(3);
      expect(await countOf(page, "table.runs tbody tr")).toBe(4);
      expect(await page.getByText("Not plotted (the run did not finish): lost.").count()).toBe(1);
      // Lower energy sits further left on the plot.
      const x = async (run: number) => (await page.locator(`svg.accuracy-energy g.point[data-run="${run}"] circle`).boundingBox())!.x;
      expect(await x(1)).toBeLessThan(await x(0));
    });
  });
});
