import { Command, Option } from "commander";
import { readFileSync } from "node:fs";
import { loadDevice } from "../../device/module.js";
import { quantizeValues } from "../../device/formats.js";
import { parseFormat, parseRounding, roundingName } from "../../formats/parse.js";
import { hexCode, parseF32, shortestF32 } from "../../formats/text.js";
import { expected } from "../../errors.js";

interface QuantizeOptions {
  format: string;
  rounding: string;
  seed: string;
  srBits?: string;
  saturate?: boolean;
  subnormals: boolean;
  json?: boolean;
}

function parseInteger(text: string, what: string, min: number, max: number): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < min || Number(text) > max) throw expected(`${what}: an integer in ${min}..${max}`, text);
  return Number(text);
}

export function quantizeCommand(): Command {
  return new Command("quantize")
    .description("Round values to a number format in the device module; one line per value: <input> <output> 0x<code>")
    .argument("[values...]", "values to quantize (default: read stdin, one per line)")
    .requiredOption("--format <format>", "number format, e.g. e4m3, bf16, e3m4, fixed16.8, mxfp4 (see: edgecl formats)")
    .addOption(new Option("--rounding <mode>", "rounding mode: rne, rna, rz, ru, rd, ro, sr").default("rne"))
    .option("--seed <n>", "seed of the stochastic-rounding stream", "0")
    .option("--sr-bits <r>", "random bits per stochastic rounding, 1..32 (default: every discarded bit, up to 32)")
    .option("--saturate", "overflow to the largest finite value instead of inf/NaN")
    .option("--no-subnormals", "round values below the smallest normal to 0 or the smallest normal")
    .option("--json", "print one JSON object per value")
    .allowUnknownOption() // lets "-inf" and "-nan" through as values; anything else unknown fails as a value
    .action((args: string[], options: QuantizeOptions) => {
      const spec = parseFormat(options.format, { saturate: options.saturate, subnormals: options.subnormals });
      const mode = parseRounding(options.rounding);
      const seed = parseInteger(options.seed, "--seed", 0, 0xffffffff);
      const srBits = options.srBits === undefined ? 0 : parseInteger(options.srBits, "--sr-bits", 1, 32);
      const texts = args.length > 0 ? args : readFileSync(0, "utf8").split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "");
      const values = texts.map((t) => {
        const v = parseF32(t);
        if (v === null) throw expected("a number (decimal, 0x hex integer, nan, inf or -inf)", t);
        return v;
      });
      const device = loadDevice();
      const result = quantizeValues(device, spec, mode, srBits, seed, values);
      const bits = spec.kind === "mxfloat" ? 1 + spec.e + spec.m : spec.kind === "mxint" ? spec.e : spec.kind === "fixed" ? spec.e : 1 + spec.e + spec.m;
      const out: string[] = [];
      for (let i = 0; i < values.length; i++) {
        const block = Math.floor(i / 32);
        const scale = result.scales?.[block];
        const output = shortestF32(result.values[i]);
        const code = hexCode(result.codes[i], bits);
        if (options.json) {
          const record: Record<string, unknown> = { input: texts[i], output, code, format: spec.id, rounding: roundingName(mode) };
          if (scale !== undefined) Object.assign(record, { block, scale: hexCode(scale, 8), scaleExp: scale === 255 ? null : scale - 127 });
          out.push(JSON.stringify(record));
          continue;
        }
        if (scale !== undefined && i % 32 === 0) {
          out.push(`# block ${block} scale ${hexCode(scale, 8)} (${scale === 255 ? "NaN" : `2^${scale - 127}`})`);
        }
        out.push(`${texts[i]} ${output} ${code}`);
      }
      process.stdout.write(out.length ? out.join("\n") + "\n" : "");
    });
}
