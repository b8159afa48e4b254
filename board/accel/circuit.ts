// The per-MAC energy of a synthesized MAC lane, read from the file `edgecl hw synth --json` writes
// (docs/hardware.md), for a manifest whose energy group names it (`energy.synthesis`).
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { BOARDS_DIR } from "../../host/manifest/manifest.js";

/**
 * The per-MAC energy of a synthesis result file (docs/hardware.md): one MAC lane for the standard cells,
 * with its library, voltage, clock and activity source named in the result.
 */
export function circuitEnergy(file: string, where: string): { macPj: number; source: string } {
  let result: Record<string, any>;
  try {
    result = JSON.parse(readFileSync(resolve(BOARDS_DIR, file), "utf8"));
  } catch (error) {
    throw new Error(`${where}.synthesis: expected a readable synthesis result (edgecl hw synth --json), received ${JSON.stringify(file)} (${(error as Error).message})`);
  }
  const asic = result.asic;
  if (result.unit !== "lane" || result.target !== "asic" || !asic || !(asic.energyPerCyclePj > 0)) {
    throw new Error(`${where}.synthesis: expected the result of edgecl hw synth --unit lane --target asic, received unit ${JSON.stringify(result.unit)}, target ${JSON.stringify(result.target)} in ${JSON.stringify(file)}`);
  }
  const lane = result.fixed ? `lane ${result.fixed}` : "lane (every format at run time)";
  return {
    macPj: asic.energyPerCyclePj,
    source: `synthesis ${file}: ${lane}, ${asic.library}, ${asic.voltage} V, ${asic.clockMHz.toFixed(1)} MHz, activity ${asic.activity.activity} (${asic.activity.source})`,
  };
}
