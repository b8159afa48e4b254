// The HTML reports in headless Chromium (Debian's chromium, driven by playwright-core): they load with
// no console errors, and their plots hold the expected number of cells, curves, bars and points.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { renderComparison, renderHtml } from "../../host/report/html.js";
import type { Report } from "../../host/report/types.js";
import { runOn } from "../helpers/cl-run.js";
import { smallRun } from "../helpers/run-options.js";
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
      // fp8 is as accurate as fp8-mixed (the same fixture) at 0.2 mJ against 7.5 mJ: the front is fp8 alone.
      expect(cheap.metrics.avgAccuracy).toBe(runs[0].report.metrics.avgAccuracy);
      expect(await page.locator("svg.accuracy-energy g.point.on-front").evaluateAll((gs) => gs.map((g) => g.getAttribute("data-run")))).toEqual(["1"]);
      expect(await countOf(page, "svg.accuracy-energy path.front")).toBe(1);
    });
  });
});

/**
 * What a precision timeline should show, computed from the report alone: for each role the timeline
 * names (or a layer's own item in the spec names), the format from step to step, starting from the
 * role's format in the run's full spec (config.precisionSpec) or the layer's resolved roles.
 */
function expectedTimeline(report: Report, layers: Array<number | "all">): Map<string, Array<[number, number, string]>> {
  const specRole = (role: string) => new RegExp(`(?:^|,)${role}=([^:,]+)`).exec(String(report.config.precisionSpec))![1];
  const own = [...String(report.config.precision).matchAll(/layer(\d+)\.(\w+)=([^:,]+)/g)].map((m) => ({ layer: Number(m[1]), role: m[2], format: m[3] }));
  const total = report.telemetry.reduce((n, t) => n + t.train.iterations, 0);
  // Each switch once: a training request that follows others may list its experience's switches again.
  const rows = [...new Map(report.telemetry.flatMap((t) => t.precision?.timeline ?? []).map((r) => [JSON.stringify(r), r])).values()];
  const roles = new Set([...rows.map((r) => r.role), ...own.map((o) => o.role)]);
  const out = new Map<string, Array<[number, number, string]>>();
  for (const layer of layers) {
    for (const role of roles) {
      const fixed = own.find((o) => o.layer === layer && o.role === role);
      if (!fixed && !rows.some((r) => r.role === role && (r.layer === "all" || r.layer === layer))) continue;
      let at = 0;
      let format = fixed ? fixed.format : specRole(role);
      const segments: Array<[number, number, string]> = [];
      for (const r of fixed ? [] : rows.filter((r) => r.role === role && (r.layer === "all" || r.layer === layer))) {
        if (r.step > at) segments.push([at, r.step, format]);
        at = r.step;
        format = r.format;
      }
      segments.push([at, total, format]);
      out.set(`${layer}.${role}`, segments);
    }
  }
  return out;
}

async function drawnTimeline(page: Page): Promise<Map<string, Array<[number, number, string]>>> {
  const out = new Map<string, Array<[number, number, string]>>();
  for (const row of await page.locator("svg.timeline g.timeline-row").all()) {
    const key = `${await row.getAttribute("data-layer")}.${await row.getAttribute("data-role")}`;
    const segments: Array<[number, number, string]> = [];
    for (const rect of await row.locator("rect.segment").all()) {
      segments.push([Number(await rect.getAttribute("data-from")), Number(await rect.getAttribute("data-to")), (await rect.getAttribute("data-format"))!]);
    }
    out.set(key, segments);
  }
  return out;
}

describe("the precision timeline of a real run", () => {
  test("cyclic: weight and activation step through e4m1, e4m2 and e4m3 as the report's timeline says, every switch ticked", async () => {
    const { report } = await runOn("sim", smallRun({ precisionPolicy: "cyclic:6-8:5", iterations: 12 }));
    const expected = expectedTimeline(report, ["all"]);
    expect([...expected.keys()].sort()).toEqual(["all.activation", "all.weight"]);
    // CPT's period of 5 over 24 steps: widths 6, 6, 7, 8, 8 repeating, so the run starts in e4m1.
    expect(expected.get("all.weight")![0]).toEqual([0, 2, "e4m1"]);
    await inPage("timeline-cyclic.html", renderHtml(report), async (page) => {
      expect(await drawnTimeline(page)).toEqual(expected);
      const switches = new Set(report.telemetry.flatMap((t) => t.precision!.timeline.map((r) => r.step)));
      switches.delete(0);
      expect(await countOf(page, 'svg.timeline g.timeline-row[data-role="weight"] line.switch')).toBe(switches.size);
      expect(await countOf(page, "svg.timeline line.experience-start")).toBe(2);
      expect(await page.locator("svg.timeline g.legend").evaluateAll((gs) => gs.map((g) => g.getAttribute("data-format")))).toEqual(["e4m1", "e4m2", "e4m3"]);
    });
  });

  test("per-layer precision: layer 0 keeps its own weight format through boundary's switches, each layer's acc switches", async () => {
    const { report } = await runOn("sim", smallRun({ precision: "fp8-mixed,layer0.weight=e5m2:sr", precisionPolicy: "boundary:3@acc=fp32", iterations: 8 }));
    const expected = expectedTimeline(report, [0, 2]);
    expect(expected.get("0.weight")).toEqual([[0, 16, "e5m2"]]);
    expect(expected.get("2.acc")).toEqual([[0, 3, "fp32"], [3, 8, "fp16"], [8, 11, "fp32"], [11, 16, "fp16"]]);
    await inPage("timeline-layers.html", renderHtml(report), async (page) => {
      expect(await drawnTimeline(page)).toEqual(expected);
    });
  });

  test("adaptive: each layer's roles move on their own, one row per layer and role that moved", async () => {
    const { report } = await runOn("sim", smallRun({ precisionPolicy: "adaptive:activation+error+gradient:fp16>fp32:underflow=0.003,range=0.62,widen=1,narrow=3", iterations: 12 }));
    const rows = report.telemetry.flatMap((t) => t.precision!.timeline);
    const layers = [...new Set(rows.map((r) => r.layer))].sort();
    expect(layers.length).toBeGreaterThan(0);
    expect(layers.every((l) => typeof l === "number")).toBe(true);
    const expected = expectedTimeline(report, layers);
    await inPage("timeline-adaptive.html", renderHtml(report), async (page) => {
      expect(await drawnTimeline(page)).toEqual(expected);
    });
  });

  test("training in requests of 2 steps: each switch drawn once, the stretches tiling the run without overlap", async () => {
    const { report } = await runOn("sim", smallRun({ precisionPolicy: "boundary:3@acc=fp32", iterations: 8, trainChunk: 2 }));
    const expected = expectedTimeline(report, ["all"]);
    expect(expected.get("all.acc")).toEqual([[0, 3, "fp32"], [3, 8, "fp16"], [8, 11, "fp32"], [11, 16, "fp16"]]);
    await inPage("timeline-chunks.html", renderHtml(report), async (page) => {
      expect(await drawnTimeline(page)).toEqual(expected);
      expect(await countOf(page, "svg.timeline line.switch")).toBe(3);
    });
  });

  test("a static run without per-layer precision draws no timeline", async () => {
    const { report } = await runOn("sim", smallRun({ iterations: 4 }));
    await inPage("timeline-static.html", renderHtml(report), async (page) => {
      expect(await countOf(page, "svg.timeline")).toBe(0);
    });
  });
});
