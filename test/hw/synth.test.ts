// `edgecl hw synth` on a small unit, both targets (a smoke test; the full tables come from
// `npm run bench -- hw`): the iCE40 flow places, routes and packs a bitstream; the standard-cell flow's
// area equals the sum of the netlist's cells' areas read from the liberty file itself, and its Fmax is
// the inverse of its critical path. `edgecl hw generate` writes the configuration a manifest gives.
import { describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { edgeclSources } from "../helpers/cli.js";
import { libertyAreas } from "./liberty";

const TIMEOUT = 240_000;

function synth(target: string, out: string): Record<string, any> {
  const r = edgeclSources(["hw", "synth", "--board", "sim", "--target", target, "--unit", "sr-xorshift", "-o", out, "--json"], { timeoutMs: TIMEOUT });
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

describe("edgecl hw synth, a small unit", () => {
  it("ice40: fits the UP5K, is placed and routed with an Fmax, and packs into a bitstream", () => {
    const out = mkdtempSync(join(tmpdir(), "edgecl-synth-"));
    const result = synth("ice40", out);
    expect(result).toMatchObject({ board: "sim", unit: "sr-xorshift", target: "ice40" });
    const r = result.ice40;
    // 32 state flip-flops plus the wrapper's shift registers; the xor layers need LUTs.
    expect(r.flipFlops).toBeGreaterThanOrEqual(32);
    expect(r.luts).toBeGreaterThan(32);
    expect(r.fits).toBe(true);
    expect(r.fmaxMHz).toBeGreaterThan(1);
    expect(statSync(r.bitstream).size).toBeGreaterThan(1000);
    expect(JSON.parse(readFileSync(join(out, "synth.json"), "utf8"))).toEqual(result);
  }, TIMEOUT);

  it("asic: area from the liberty file's cell areas, Fmax = 1 / critical path, energy = power / clock", () => {
    const out = mkdtempSync(join(tmpdir(), "edgecl-synth-"));
    const r = synth("asic", out).asic;
    const areas = libertyAreas();
    const netlist = readFileSync(r.netlist, "utf8");
    let area = 0, cells = 0;
    for (const m of netlist.matchAll(/^\s*([A-Z][A-Z0-9]+)\s+\S+\s*\(/gm)) {
      expect(areas.has(m[1]), m[1]).toBe(true);
      area += areas.get(m[1])!;
      cells++;
    }
    expect(cells).toBe(r.cells);
    expect(r.areaUm2).toBeCloseTo(area, 0);
    expect(r.flipFlops).toBe(32);
    expect(r.criticalPathNs).toBeGreaterThan(0.1);
    expect(r.fmaxMHz).toBeCloseTo(1000 / r.criticalPathNs, 6);
    expect(r.voltage).toBe(1.8);
    expect(r.activity.source).toMatch(/default/);
    expect(r.energyPerCyclePj).toBeCloseTo((r.powerW.total / (r.clockMHz * 1e6)) * 1e12, 6);
    expect(r.powerW.total).toBeGreaterThan(0);
  }, TIMEOUT);

  it("refuses an unknown target and a board without an accelerator, in one line with exit code 2", () => {
    const bad = edgeclSources(["hw", "synth", "--board", "sim", "--target", "xc7"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('edgecl: expected --target ice40 or asic, received "xc7"');
    const none = edgeclSources(["hw", "generate", "--board", "sim-noaccel"]);
    expect(none.code).toBe(2);
    expect(none.stderr.trim().split("\n")).toHaveLength(1);
  });
});

describe("edgecl hw generate", () => {
  it("two manifests, two designs: array size and capabilities as the manifest says", () => {
    const dir = mkdtempSync(join(tmpdir(), "edgecl-gen-"));
    const base = JSON.parse(readFileSync(join(import.meta.dirname, "../../board/sim.json"), "utf8"));
    const manifests = {
      sr8: { ...base.accelerator, rows: 2, cols: 3, productFormats: ["e4m3"], accumulatorFormats: ["fp16"], rounding: ["sr"], fma: false, fast: false },
      fp16: { ...base.accelerator, rows: 8, cols: 1, productFormats: ["fp16"], accumulatorFormats: ["fp32"], rounding: ["rne"], fma: true, fast: false },
    };
    const headers: Record<string, string> = {};
    for (const [name, accelerator] of Object.entries(manifests)) {
      const file = join(dir, `${name}.json`);
      writeFileSync(file, JSON.stringify({ ...base, accelerator }));
      const r = edgeclSources(["hw", "generate", "--board", file, "-o", join(dir, name), "--json"]);
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.top).toBe("edgecl_accel");
      for (const f of out.files) expect(existsSync(f)).toBe(true);
      headers[name] = readFileSync(join(dir, name, "edgecl_config.svh"), "utf8");
    }
    // CAPS words worked out from docs/accelerator.md: format bits e4m3 0, fp16 2, fp32 4; rounding codes rne 0, sr 6.
    expect(headers.sr8).toContain("ROWS = 2;");
    expect(headers.sr8).toContain("COLS = 3;");
    expect(headers.sr8).toContain("CAPS_FORMATS_VALUE = 32'h00040001;");
    expect(headers.sr8).toContain("CAPS_MODES_VALUE = 32'h00000040;");
    expect(headers.fp16).toContain("CAPS_ARRAY_VALUE = 32'h00000108;");
    expect(headers.fp16).toContain("CAPS_FORMATS_VALUE = 32'h00100004;");
    expect(headers.fp16).toContain("CAPS_MODES_VALUE = 32'h00000101;");
  }, 60_000);
});
