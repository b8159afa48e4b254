// The OSU 0.18 um cells' areas read straight from the liberty file, to price a netlist independently of yosys.
import { readFileSync } from "node:fs";
import { OSU018_LIBERTY } from "../../hw/synth";

/** Cell areas from the liberty file: `cell (NAME) { ... area : A; ...`. */
export function libertyAreas(): Map<string, number> {
  const areas = new Map<string, number>();
  const text = readFileSync(OSU018_LIBERTY, "utf8");
  for (const m of text.matchAll(/cell\s*\(\s*"?(\w+)"?\s*\)\s*\{[^}]*?area\s*:\s*([\d.]+)/g)) areas.set(m[1], Number(m[2]));
  return areas;
}
