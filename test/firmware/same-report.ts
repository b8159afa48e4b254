// What a qemu board's report must share with its simulated board's, bit for bit, and what may differ.
import { expect } from "vitest";
import type { Report } from "../../host/report/types.js";

/**
 * The report as JSON, without what legitimately differs between the boards: device time (measured),
 * the board's identity and limits (HELLO, and the board named in config), the module (the simulated
 * board runs the SIMD build, device-simd.wasm, whose static data take other addresses, so its linear
 * memory figures differ by that; the SIMD and scalar builds give the same bits, test/nn).
 */
export function boardSpecific(report: Report): unknown {
  const drop = new Set(["timeUs", "memoryUsedBytes", "memoryPeakBytes"]);
  const json = JSON.parse(JSON.stringify(report, (key, value) => (drop.has(key) ? undefined : value)));
  delete json.board;
  // When and how each run was made, and which board answered: the provenance differs by design.
  delete json.provenance;
  delete json.config.board;
  delete json.config.module;
  delete json.memory.peakLinearMemoryBytes;
  delete json.memory.linearMemoryLimitBytes;
  return json;
}

/** The headline fields first, for a readable failure; then everything else but what boardSpecific drops. */
export function expectSameReport(onQemu: Report, onSim: Report): void {
  expect(onQemu.accuracy).toEqual(onSim.accuracy);
  expect(onQemu.untrained).toEqual(onSim.untrained);
  expect(onSim.modelChecksum).toMatch(/^[0-9a-f]{8}$/);
  expect(onQemu.modelChecksum).toBe(onSim.modelChecksum);
  expect(onQemu.accelerator).toEqual(onSim.accelerator);
  expect(onQemu.energy).toEqual(onSim.energy);
  expect(onSim.energy?.totalJ).toBeGreaterThan(0);
  expect(boardSpecific(onQemu)).toEqual(boardSpecific(onSim));
}
