// Figures to files: SVG as drawn, or PNG and PDF rendered by a headless Chromium (playwright-core
// drives the browser the system has, e.g. Debian's chromium; nothing is downloaded).
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RunError, UsageError } from "../errors.js";
import type { Figure } from "./figures.js";

export const FIGURE_FORMATS = ["svg", "png", "pdf"] as const;
export type FigureFormat = (typeof FIGURE_FORMATS)[number];

export const DEFAULT_CHROMIUM = process.env.EDGECL_CHROMIUM ?? "/usr/bin/chromium";

/** Width and height of an SVG figure as drawn (its root's width and height attributes). */
export function svgSize(svg: string): { width: number; height: number } {
  const root = /<svg\b[^>]*>/.exec(svg)?.[0] ?? "";
  const width = Number(/\bwidth="([\d.]+)"/.exec(root)?.[1]);
  const height = Number(/\bheight="([\d.]+)"/.exec(root)?.[1]);
  if (!(width > 0 && height > 0)) throw new RunError("a figure without a width and height: cannot export it");
  return { width, height };
}

export interface ExportOptions {
  format: FigureFormat;
  /** PNG: pixels per SVG unit (2 gives a 1120-pixel-wide image of a 560-unit figure). */
  scale?: number;
  /** The Chromium binary for PNG and PDF. */
  chromium?: string;
}

/** Writes each figure to `dir`/<name>.<format>; returns the paths written. */
export async function writeFigures(figures: Figure[], dir: string, options: ExportOptions): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const paths = figures.map((f) => join(dir, `${f.name}.${options.format}`));
  if (options.format === "svg") {
    figures.forEach((f, i) => writeFileSync(paths[i], `<?xml version="1.0" encoding="UTF-8"?>\n${f.svg}\n`));
    return paths;
  }
  const executablePath = options.chromium ?? DEFAULT_CHROMIUM;
  if (!existsSync(executablePath)) {
    throw new UsageError(`expected a Chromium at ${executablePath} for --format ${options.format}, received no file there; install Debian's chromium or pass --chromium PATH`);
  }
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
  try {
    for (const [i, figure] of figures.entries()) {
      const { width, height } = svgSize(figure.svg);
      const context = await browser.newContext({ viewport: { width: Math.ceil(width), height: Math.ceil(height) }, deviceScaleFactor: options.scale ?? 2 });
      const page = await context.newPage();
      await page.setContent(`<!DOCTYPE html><html><head><style>html,body{margin:0;padding:0;background:#fff}svg{display:block}@page{size:${width}px ${height}px;margin:0}</style></head><body>${figure.svg}</body></html>`);
      if (options.format === "png") await page.screenshot({ path: paths[i], clip: { x: 0, y: 0, width, height } });
      else await page.pdf({ path: paths[i], width: `${width}px`, height: `${height}px`, printBackground: true, pageRanges: "1" });
      await context.close();
    }
  } finally {
    await browser.close();
  }
  return paths;
}
