// The figures as a reader sees them: rendered in headless Chromium (Debian's chromium, driven by
// playwright-core), with their titles, axis titles, captions and colour bar present as text inside the
// SVG; curves of 12 experiences stay apart; comparisons label, warn and aggregate seeds; and the PNG and
// PDF exports decode to the size asked for.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { comparisonFigures, reportFigures } from "../../host/report/figures.js";
import { renderComparison } from "../../host/report/html.js";
import { svgSize } from "../../host/report/export.js";
import type { Report } from "../../host/report/types.js";
import { edgeclSources } from "../helpers/cli.js";
import { completeReport } from "./fixtures.js";

const CHROMIUM = "/usr/bin/chromium";
let dir: string;
let browser: Browser;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "edgecl-figures-"));
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu", "--no-first-run"] });
});
afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** An SVG figure alone in a page, as a figure file opened in a browser. */
async function show(svg: string): Promise<Page> {
  const page = await browser.newPage();
  await page.setContent(`<!DOCTYPE html><body style="margin:0">${svg}</body>`);
  return page;
}

const texts = (page: Page, selector: string) => page.locator(selector).allTextContents();

/** A report of T experiences whose accuracies lie between 60% and 98%. */
function longReport(T: number): Report {
  const r = completeReport();
  r.status = { complete: true, experiencesPlanned: T, experiencesCompleted: T };
  r.accuracy = Array.from({ length: T }, (_, i) => Array.from({ length: T }, (_, j) => (j <= i ? 0.98 - 0.03 * (i - j) - 0.005 * j : 0)));
  r.telemetry = [];
  delete r.energy;
  return r;
}

describe("one run's figures", () => {
  test("the heat map: title, axis titles, caption and colour bar inside the SVG, in one font family", async () => {
    const heat = reportFigures(completeReport()).find((f) => f.name === "accuracy-matrix")!;
    const page = await show(heat.svg);
    const svg = page.locator("svg.heatmap");
    expect(await svg.getAttribute("font-family")).toContain("DejaVu Sans");
    expect(await texts(page, "svg text.figure-title")).toEqual(["Accuracy matrix: split-mnist replay fp8-mixed seed 1"]);
    expect(await texts(page, "svg .axis-title")).toEqual(["test set of experience j", "after training experience i", "accuracy (%)"]);
    expect((await texts(page, "svg text.caption tspan")).join(" ")).toContain("after training experience i (rows)");
    expect(await texts(page, "svg g.colorbar text.tick")).toEqual(["0", "25", "50", "75", "100"]);
    // The colour bar stands right of the cells, is drawn light at the top (100%) and dark at the bottom.
    const cells = (await page.locator("rect.cell").evaluateAll((els) => els.map((e) => e.getBoundingClientRect().right))) as number[];
    const bar = (await page.locator("g.colorbar").boundingBox())!;
    expect(bar.x).toBeGreaterThan(Math.max(...cells));
    const fills = await page.locator("g.colorbar rect[fill^='rgb']").evaluateAll((els) => els.map((e) => [e.getBoundingClientRect().top, e.getAttribute("fill")] as const));
    const luminance = (rgb: string) => rgb.match(/\d+/g)!.map(Number).reduce((a, v, i) => a + v * [0.2126, 0.7152, 0.0722][i], 0);
    const byTop = [...fills].sort((a, b) => a[0] - b[0]);
    expect(luminance(byTop[0][1]!)).toBeGreaterThan(luminance(byTop.at(-1)![1]!));
    // Everything lies inside the figure: the title is not cut off.
    const box = (await svg.boundingBox())!;
    const title = (await page.locator("text.figure-title").boundingBox())!;
    expect(title.x).toBeGreaterThanOrEqual(box.x);
    expect(title.x + title.width).toBeLessThanOrEqual(box.x + box.width);
    await page.close();
  });

  test("accuracy curves of 12 experiences: zoomed axis, one direct label per curve, none overlapping, the last point visible", async () => {
    const curves = reportFigures(longReport(12)).find((f) => f.name === "accuracy-curves")!;
    const page = await show(curves.svg);
    expect(await texts(page, "svg .axis-title")).toEqual(["after training experience i", "accuracy on experience j (%)"]);
    const yTicks = (await page.locator("svg text.tick").allTextContents()).map(Number);
    // Data span 60..98%: the axis starts well above 0 and ends at 100 at most.
    expect(Math.min(...yTicks.filter((v) => v > 20))).toBeGreaterThanOrEqual(55);
    expect(await texts(page, "text.direct-label")).toEqual(Array.from({ length: 12 }, (_, j) => `e${j}`));
    const boxes = await page.locator("text.direct-label").evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((r) => ({ top: r.top, bottom: r.bottom })));
    const sorted = [...boxes].sort((a, b) => a.top - b.top);
    for (let k = 1; k < sorted.length; k++) expect(sorted[k].top).toBeGreaterThanOrEqual(sorted[k - 1].bottom - 1);
    // The newest experience has a single point; at its centre the browser finds that very marker.
    const last = page.locator('.point[data-experience="11"]');
    expect(await last.count()).toBe(1);
    const b = (await last.boundingBox())!;
    const hit = await page.evaluate(([x, y]) => document.elementFromPoint(x, y)?.getAttribute("data-experience"), [b.x + b.width / 2, b.y + b.height / 2]);
    expect(hit).toBe("11");
    // Markers differ in shape as well as colour.
    expect(new Set(await page.locator(".point").evaluateAll((els) => els.map((e) => e.getAttribute("class"))))).toEqual(
      new Set(["point marker-circle", "point marker-square", "point marker-triangle", "point marker-diamond", "point marker-cross"]),
    );
    await page.close();
    const full = await show(reportFigures(longReport(12), { fullScale: true }).find((f) => f.name === "accuracy-curves")!.svg);
    const fullTicks = await texts(full, "svg text.tick");
    expect(fullTicks).toContain("0");
    expect(fullTicks).toContain("100");
    await full.close();
  });
});

describe("numeric health figures (runs with --health)", () => {
  test("range used, values lost and updates swamped: title, axis titles, caption, one cell per row and experience", async () => {
    const figures = reportFigures(completeReport());
    expect(figures.map((f) => f.name).filter((n) => n.startsWith("health-"))).toEqual(["health-range", "health-lost", "health-swamped"]);
    const page = await show(figures.find((f) => f.name === "health-swamped")!.svg);
    expect(await texts(page, "svg text.figure-title")).toEqual(["Weight updates lost to swamping in training: split-mnist replay fp8-mixed seed 1"]);
    expect(await texts(page, "svg .axis-title")).toEqual(["experience (training)", "layer.role (format)", "updates swamped (%)"]);
    expect((await texts(page, "svg text.caption tspan")).join(" ")).toContain("left the updated copy");
    // Only the master copy's row has updates: 300 e of 3000 swamped in experience e.
    const values = await page.locator("rect.cell").evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-value"))));
    expect(values).toEqual([0, 0.1, 0.2]);
    await page.close();
    const lost = await show(figures.find((f) => f.name === "health-lost")!.svg);
    // Rows by layer, then role: 0.activation, 0.master, 2.error; activation loses (2e + 128) of 12800.
    const cells = await lost.locator("rect.cell").evaluateAll((els) => els.map((e) => [e.getAttribute("data-row"), e.getAttribute("data-col"), Number(e.getAttribute("data-value"))]));
    expect(cells.filter(([row]) => row === "0").map(([, , v]) => v)).toEqual([0, 1, 2].map((e) => (2 * e + 128) / 12800));
    expect(cells.filter(([row]) => row === "2").map(([, , v]) => v)).toEqual([400 / 1600, 400 / 1600, 400 / 1600]);
    await lost.close();
  });
});

test("no text in any figure is smaller than 12 units, as the browser computes it", async () => {
  const figures = [...reportFigures(completeReport()), ...reportFigures(longReport(12)), ...comparisonFigures([completeReport(), { ...completeReport(), config: { ...completeReport().config, seed: 2 } }])];
  for (const figure of figures) {
    const page = await show(figure.svg);
    const sizes = await page.locator("svg text, svg tspan").evaluateAll((els) => els.map((e) => parseFloat(getComputedStyle(e).fontSize)));
    expect(Math.min(...sizes), figure.name).toBeGreaterThanOrEqual(12);
    const family = await page.locator("svg text").first().evaluate((e) => getComputedStyle(e).fontFamily);
    expect(family).toContain("DejaVu Sans");
    await page.close();
  }
});

describe("comparisons", () => {
  test("labelled by the settings that differ, seeds as mean ± std with error bars, distinct memory ticks", async () => {
    const run = (strategy: string, seed: number, accuracy: number, bytes: number) => {
      const r = completeReport();
      r.config = { ...r.config, strategy: { name: strategy }, seed };
      r.metrics.avgAccuracy = accuracy;
      r.memory.modelBytes = bytes;
      return r;
    };
    const reports = [run("replay", 1, 0.8, 2_040_000), run("replay", 2, 0.9, 2_040_000), run("ewc", 1, 0.3, 2_050_000), run("ewc", 2, 0.35, 2_050_000)];
    const memory = comparisonFigures(reports).find((f) => f.name === "accuracy-memory")!;
    const page = await show(memory.svg);
    expect(await texts(page, "text.point-label")).toEqual(["strategy=replay", "strategy=ewc"]);
    expect(await page.locator("path.errorbar.y").count()).toBe(2);
    // Mean 85% ± 5 for replay: the bar spans 80..90% of the axis, centred on the point.
    const title = await page.locator('g.point[data-run="0"] circle title').textContent();
    expect(title).toBe("strategy=replay: 85.00% ± 5.00, 1.945 MiB");
    const xTicks = await page.locator("text.tick").evaluateAll((els) => els.filter((e) => e.getAttribute("text-anchor") === "middle").map((e) => e.textContent));
    expect(new Set(xTicks).size).toBe(xTicks.length);
    expect(await texts(page, ".axis-title.x")).toEqual(["learner memory (MiB)"]);
    await page.close();
  });

  test("runs of different lengths or benchmarks get a warning on the page", async () => {
    const short = completeReport();
    short.config.experiences = 2;
    short.status.experiencesPlanned = 2;
    const page = await show(renderComparison([{ report: completeReport() }, { report: short }]));
    const warnings = await texts(page, "p.warning");
    expect(warnings.join(" ")).toContain("The runs have different numbers of experiences (3, 2)");
    const other = completeReport();
    other.config.benchmark = "split-har";
    const page2 = await show(renderComparison([{ report: completeReport() }, { report: other }]));
    expect((await texts(page2, "p.warning")).join(" ")).toContain("The runs differ in benchmark (split-mnist vs split-har)");
    expect(await texts(page2, "svg.accuracy-memory text.point-label")).toEqual(["benchmark=split-mnist", "benchmark=split-har"]);
    await page2.close();
    await page.close();
  });
});

/** Width and height from a PNG's IHDR chunk (PNG spec 11.2.2), read without any image library. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect([...bytes.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
  expect(bytes.subarray(12, 16).toString("latin1")).toBe("IHDR");
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe("edgecl report --figures", () => {
  test("svg, png at the scale asked for, and pdf of every figure of a run", async () => {
    writeFileSync(join(dir, "run.json"), JSON.stringify(completeReport()));
    const svg = edgeclSources(["report", join(dir, "run.json"), "--figures", join(dir, "svg"), "--quiet"]);
    expect(svg.code).toBe(0);
    const heat = readFileSync(join(dir, "svg", "accuracy-matrix.svg"), "utf8");
    expect(heat.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg')).toBe(true);
    const size = svgSize(heat);
    const png = edgeclSources(["report", join(dir, "run.json"), "--figures", join(dir, "png"), "--format", "png", "--scale", "3"], { timeoutMs: 120_000 });
    expect(png.stderr).toContain("accuracy-matrix.png");
    expect(png.code).toBe(0);
    const bytes = readFileSync(join(dir, "png", "accuracy-matrix.png"));
    expect(pngSize(bytes)).toEqual({ width: Math.ceil(size.width) * 3, height: Math.ceil(size.height) * 3 });
    // Chromium decodes it to the same size: the file is a whole image, not just a header.
    const page = await browser.newPage();
    await page.setContent(`<img src="data:image/png;base64,${bytes.toString("base64")}">`);
    await page.waitForFunction(() => (document.querySelector("img") as HTMLImageElement).complete);
    expect(await page.evaluate(() => [(document.querySelector("img") as HTMLImageElement).naturalWidth, (document.querySelector("img") as HTMLImageElement).naturalHeight])).toEqual([Math.ceil(size.width) * 3, Math.ceil(size.height) * 3]);
    await page.close();
    const pdf = edgeclSources(["report", join(dir, "run.json"), "--figures", join(dir, "pdf"), "--format", "pdf"], { timeoutMs: 120_000 });
    expect(pdf.code).toBe(0);
    const document = readFileSync(join(dir, "pdf", "accuracy-curves.pdf")).toString("latin1");
    expect(document.startsWith("%PDF-")).toBe(true);
    expect(document.match(/\/Type\s*\/Page\b/g)?.length).toBe(1);
  });

  test("an unknown format or a missing Chromium: exit 2, one line", () => {
    writeFileSync(join(dir, "one.json"), JSON.stringify(completeReport()));
    const bad = edgeclSources(["report", join(dir, "one.json"), "--figures", join(dir, "x"), "--format", "gif"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('edgecl: expected --format to be one of svg, png, pdf, received "gif"\n');
    const none = edgeclSources(["report", join(dir, "one.json"), "--figures", join(dir, "x"), "--format", "png", "--chromium", "/no/chromium"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe("edgecl: expected a Chromium at /no/chromium for --format png, received no file there; install Debian's chromium or pass --chromium PATH\n");
  });
});
