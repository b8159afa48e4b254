// Synthesis with hierarchy kept (docs/hardware.md): the array's lane is mapped once and instanced
// ROWS x COLS times, the area is yosys's own total over the instances, and the array size that fits the
// iCE40 UP5K follows from one lane's and the rest's figures.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { edgeclSources } from "../helpers/cli.js";
import { tempDir } from "../helpers/temp-dir.js";
import { libertyAreas } from "./liberty";
import { arrayThatFits, elaboratedHierarchy, Ice40Resources } from "../../hw/synth";
import { boardAccelerator, generateRtl } from "../../hw/generate";
import { ARRAY_MODULES } from "../../hw/units";

const TIMEOUT = 400_000;
const dir = tempDir("hier");

// The device as REFERENCES.md gives it (Lattice iCE40 UP5K): 5,280 LUT4s, 8 DSP blocks, 30 EBR blocks.
const UP5K_REF: Ice40Resources = { luts: 5280, dsps: 8, brams: 30 };

describe("hierarchical synthesis", () => {
  it("a 2 x 1 array elaborates to one accelerator with 2 lanes and 2 seed units", () => {
    const { config } = boardAccelerator("sim");
    const rtl = generateRtl({ ...config, rows: 2, cols: 1 }, join(dir, "rtl-2x1"));
    const modules = elaboratedHierarchy(join(dir, "elab-2x1"), rtl.files, rtl.dir, rtl.top, ARRAY_MODULES);
    const instances = Object.fromEntries(modules.map((m) => [m.module, m.instances]));
    expect(instances).toEqual({ edgecl_accel: 1, edgecl_mac_lane: 2, edgecl_sr_seed: 2 });
  }, 60_000);

  it("asic: the area is the sum over modules of instances x module area, as yosys and the liberty file say", () => {
    const out = join(dir, "sr-seed");
    const r = edgeclSources(["hw", "synth", "--board", "sim", "--target", "asic", "--unit", "sr-seed", "-o", out, "--json"], { timeoutMs: TIMEOUT });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const asic = JSON.parse(r.stdout).asic;
    const hierarchy: Array<{ module: string; instances: number; areaUm2: number }> = asic.hierarchy;
    expect(Object.fromEntries(hierarchy.map((m) => [m.module, m.instances]))).toEqual({ edgecl_sr_seed: 1, edgecl_fmix32: 2 });
    // yosys's top-module total against its per-module areas.
    const sum = hierarchy.reduce((s, m) => s + m.instances * m.areaUm2, 0);
    expect(asic.areaUm2).toBeCloseTo(sum, 3);
    // Each module's area against its cells in the written netlist, priced from the liberty file.
    const areas = libertyAreas();
    const netlist = readFileSync(asic.netlist, "utf8");
    for (const m of hierarchy) {
      const body = netlist.slice(netlist.search(new RegExp(`^module ${m.module}\\b`, "m")));
      let area = 0;
      for (const c of body.slice(0, body.indexOf("endmodule")).matchAll(/^\s*([A-Z][A-Z0-9]+)\s+\S+\s*\(/gm)) {
        expect(areas.has(c[1]), c[1]).toBe(true);
        area += areas.get(c[1])!;
      }
      expect(m.areaUm2).toBeCloseTo(area, 3);
    }
    expect(asic.criticalPathNs).toBeGreaterThan(0.1);
    expect(asic.powerW.total).toBeGreaterThan(0);
  }, TIMEOUT);
});

describe("the array size that fits the UP5K", () => {
  /** The largest n with rest + n x lane within every limit, by counting up: an independent reference. */
  const byCounting = (lane: Ice40Resources, rest: Ice40Resources) => {
    const within = (n: number) => rest.luts + n * lane.luts <= UP5K_REF.luts && rest.dsps + n * lane.dsps <= UP5K_REF.dsps && rest.brams + n * lane.brams <= UP5K_REF.brams;
    if (!within(0)) return 0;
    let n = 0;
    while (within(n + 1)) n++;
    return n;
  };
  const cases: Array<{ lane: Ice40Resources; rest: Ice40Resources; lanes: number; rows: number; cols: number; why: string }> = [
    { lane: { luts: 1000, dsps: 2, brams: 0 }, rest: { luts: 500, dsps: 0, brams: 1 }, lanes: 4, rows: 2, cols: 2, why: "LUTs allow 4 (4,780 / 1,000), DSPs 4 (8 / 2)" },
    { lane: { luts: 600, dsps: 1, brams: 0 }, rest: { luts: 400, dsps: 0, brams: 0 }, lanes: 8, rows: 2, cols: 4, why: "DSPs allow 8, LUTs 8 (4,880 / 600)" },
    { lane: { luts: 300, dsps: 0, brams: 0 }, rest: { luts: 1000, dsps: 0, brams: 2 }, lanes: 14, rows: 2, cols: 7, why: "LUTs allow 14; 2 x 7 and 1 x 14 tie, the squarer wins" },
    { lane: { luts: 1000, dsps: 0, brams: 0 }, rest: { luts: 280, dsps: 0, brams: 0 }, lanes: 5, rows: 1, cols: 5, why: "exactly 5,280 LUTs fits" },
    { lane: { luts: 100, dsps: 0, brams: 4 }, rest: { luts: 0, dsps: 0, brams: 0 }, lanes: 7, rows: 1, cols: 7, why: "BRAMs allow 7 (30 / 4); 1 x 7 uses all 7, 2 x 3 only 6" },
    { lane: { luts: 4700, dsps: 4, brams: 0 }, rest: { luts: 12000, dsps: 0, brams: 0 }, lanes: 0, rows: 0, cols: 0, why: "the rest alone exceeds the LUTs" },
    { lane: { luts: 6000, dsps: 0, brams: 0 }, rest: { luts: 100, dsps: 0, brams: 0 }, lanes: 0, rows: 0, cols: 0, why: "one lane exceeds the LUTs" },
  ];
  for (const c of cases) {
    it(c.why, () => {
      // The design synthesized as a 4 x 4 array: its total holds 16 lanes.
      const total = { luts: c.rest.luts + 16 * c.lane.luts, dsps: c.rest.dsps + 16 * c.lane.dsps, brams: c.rest.brams + 16 * c.lane.brams };
      const fit = arrayThatFits(total, 16, c.lane, UP5K_REF);
      expect(fit.lanes).toBe(byCounting(c.lane, c.rest));
      expect(fit).toMatchObject({ lanes: c.lanes, rows: c.rows, cols: c.cols, rest: c.rest });
      expect(fit.rows * fit.cols).toBeLessThanOrEqual(fit.lanes);
    });
  }
  it("refuses a lane count below 1", () => {
    expect(() => arrayThatFits({ luts: 1, dsps: 0, brams: 0 }, 0, { luts: 1, dsps: 0, brams: 0 })).toThrow(/expected a lane count >= 1, received 0/);
  });
});
