// Energy from the circuit: a board manifest's `energy.synthesis` names a synthesis result (edgecl hw synth
// --unit lane --target asic) whose per-cycle energy becomes the accelerator's energy per MAC, in place of
// Horowitz's table; the source (file, library, voltage, clock, activity) travels to reports.
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { energyParamsFrom, HOROWITZ_2014 } from "../../board/accel/energy";
import { circuitEnergy } from "../../board/accel/circuit";
import { jobCost } from "../../board/accel/cost";
import { floatFormat } from "../../board/accel/format";
import { parseFormat } from "../../host/formats/parse";

const result = (energyPerCyclePj: number, unit = "lane") => ({
  board: "sim-rtl", unit, top: "edgecl_lane_fixed", fixed: "fp16:rne,fp16:sr", target: "asic",
  asic: { library: "OSU 0.18 um", voltage: 1.8, clockMHz: 40, energyPerCyclePj, activity: { activity: 0.21, source: "Verilator VCD of board sim-rtl" } },
});

function file(data: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), "edgecl-energy-")), "lane.json");
  writeFileSync(path, JSON.stringify(data));
  return path;
}

const fp16 = floatFormat(parseFormat("fp16").word);
const e4m3 = floatFormat(parseFormat("e4m3").word);
const shape = { rows: 4, cols: 4, bandwidthBytesPerCycle: 16, setupCycles: 20 };
const job = { m: 8, n: 8, k: 16, accumulate: false, mul: fp16, mulMode: 0, acc: fp16, accMode: 6, fma: false, fast: false, srBits: 32, xFormat: e4m3, wFormat: e4m3 };

describe("energy from a synthesis result", () => {
  it("charges every MAC the lane's energy per cycle, and nothing more for adds and SR draws", () => {
    const params = energyParamsFrom({ synthesis: file(result(12.5)) }, "board/x.json: energy", circuitEnergy);
    const cost = jobCost(shape, params, job);
    expect(cost.energyPj.multiply).toBe(8 * 8 * 16 * 12.5);
    expect(cost.energyPj.add).toBe(0);
    expect(cost.energyPj.sr).toBe(0);
    // Memory is still the table's: 64-bit accesses at 100 pJ (docs/energy.md).
    expect(cost.energyPj.memory).toBe(jobCost(shape, HOROWITZ_2014, job).energyPj.memory);
    expect(params.source).toMatch(/^synthesis .*lane\.json: lane fp16:rne,fp16:sr, OSU 0\.18 um, 1\.8 V, 40\.0 MHz, activity 0\.21 \(Verilator VCD of board sim-rtl\)$/);
  });

  it("the table's source otherwise; a manifest may name its own", () => {
    expect(energyParamsFrom(undefined, "x").source).toMatch(/Horowitz/);
    expect(energyParamsFrom({}, "x").source).toMatch(/Horowitz/);
    expect(energyParamsFrom({ source: "my measurements" }, "x").source).toBe("my measurements");
  });

  it("refuses a result that is not a lane's standard-cell synthesis, and a missing file, naming the key", () => {
    expect(() => energyParamsFrom({ synthesis: file(result(3, "sr-counter")) }, "board/x.json: energy", circuitEnergy))
      .toThrow(/^board\/x\.json: energy\.synthesis: expected the result of edgecl hw synth --unit lane --target asic, received unit "sr-counter"/);
    expect(() => energyParamsFrom({ synthesis: "/nonexistent/lane.json" }, "board/x.json: energy", circuitEnergy))
      .toThrow(/^board\/x\.json: energy\.synthesis: expected a readable synthesis result/);
    expect(() => energyParamsFrom({ synthesis: 3 }, "board/x.json: energy", circuitEnergy)).toThrow(/expected a file path/);
  });
});
