import { Command } from "commander";
import { NAMED_FORMATS, ROUNDING } from "../../generated/formats.js";
import { loadDevice } from "../../device/module.js";
import { formatFacts, type FormatFacts } from "../../device/formats.js";
import { shortestF32 } from "../../formats/text.js";

function specialsText(f: FormatFacts): string {
  if (f.kind === "mxfloat" || f.kind === "mxint") return "scale 0xFF = NaN; elements saturate";
  if (f.kind === "fixed") return "none (saturates)";
  if (f.hasInf) return "inf + NaN";
  if (f.hasNaN) return "NaN only (no inf)";
  return "none (saturates)";
}

function storageText(f: FormatFacts): string {
  if (f.blockBytes) return `${f.bits} bits/elem, ${f.blockBytes} B per 32`;
  return `${f.bits} bits in ${f.storageBytes * 8}`;
}

export function formatsCommand(): Command {
  return new Command("formats")
    .description("List every named number format, with its limits and storage, and the rounding modes")
    .option("--json", "print one JSON object per format")
    .action((options: { json?: boolean }) => {
      // Facts come from the device module itself, the code every board runs.
      const device = loadDevice();
      const facts = NAMED_FORMATS.map((f) => ({ ...formatFacts(device, f.id), aliases: f.aliases, source: f.source }));
      if (options.json) {
        for (const f of facts) console.log(JSON.stringify({ ...f, max: shortestF32(f.max), minNormal: shortestF32(f.minNormal), minSubnormal: shortestF32(f.minSubnormal), negMax: shortestF32(f.negMax) }));
        return;
      }
      const header = ["format", "e|wl", "m|fl", "bias", "max", "min normal", "min subnormal", "inf/NaN", "storage"];
      const rows = facts.map((f) => [
        f.id, String(f.e), String(f.m), f.kind === "mxint" ? "-" : String(f.bias), shortestF32(f.max),
        f.kind === "mxint" ? "-" : shortestF32(f.minNormal),
        shortestF32(f.minSubnormal), specialsText(f), storageText(f),
      ]);
      const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
      const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i >= 7 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ").trimEnd();
      console.log(line(header));
      for (const row of rows) console.log(line(row));
      console.log("");
      console.log("MX formats: 32 elements share one E8M0 scale; limits shown are the element's before scaling.");
      console.log("e|wl, m|fl: exponent and mantissa bits, or word and fraction length for integer elements.");
      console.log("Also: e<E>m<M> (1<=E<=8, 0<=M<=23, IEEE-like inf/NaN when E>=2 and M>=1) and fixed<WL>.<FL> (two's complement, saturating).");
      console.log(`Rounding: ${ROUNDING.map((r) => `${r.name} (${r.meaning})`).join("; ")}.`);
    });
}
