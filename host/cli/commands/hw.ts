// edgecl hw: the accelerator as hardware (docs/hardware.md).
//   hw generate  the Verilog of a board's accelerator (register map + the board's configuration)
//   hw synth     synthesis for an iCE40 UP5K (yosys, nextpnr-ice40, icestorm) or the OSU 0.18 um standard
//                cells (yosys + abc, OpenSTA): JSON with LUTs / DSPs / BRAM / Fmax, or area, critical path,
//                power and energy per cycle, naming library, voltage, clock and activity source.
import { Command } from "commander";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { boardAccelerator, generateRtl } from "../../../hw/generate.js";
import { UNITS, UnitName, unitSources, FixedLane } from "../../../hw/units.js";
import { prepareWrapped, synthAsic, synthIce40, ActivitySource, ModuleStat } from "../../../hw/synth.js";
import { measureActivity } from "../../../hw/activity.js";
import { parseFormat, parseRounding } from "../../formats/parse.js";
import { expected } from "../../errors.js";

const TARGETS = ["ice40", "asic"] as const;
/** Toggles per net per cycle when no measured activity is asked for: stated in every result. */
export const DEFAULT_ACTIVITY = 0.1;

function generateCommand(): Command {
  return new Command("generate")
    .description("Write the Verilog of a board's accelerator (build output; default build/hw/<board>/rtl)")
    .requiredOption("--board <board>", "a board with an accelerator (edgecl boards), or its manifest path")
    .option("-o, --out <dir>", "output directory")
    .option("--json", "print the files as JSON")
    .exitOverride()
    .action((options: { board: string; out?: string; json?: boolean }) => {
      const { id, config } = boardAccelerator(options.board);
      const rtl = generateRtl(config, resolve(options.out ?? join("build", "hw", id, "rtl")));
      if (options.json) {
        console.log(JSON.stringify({ board: id, top: rtl.top, dir: rtl.dir, files: rtl.files, hash: rtl.hash }));
        return;
      }
      console.log(`${id}: ${config.rows}x${config.cols} array, top ${rtl.top}, ${rtl.files.length} files in ${rtl.dir}`);
      for (const file of rtl.files) console.log(`  ${file}`);
    });
}

/** "e4m3:rne,fp16:sr" or "-,fp32:rne,fma": products and sum fixed for --unit lane. */
function parseFixed(text: string): FixedLane {
  const parts = text.split(",");
  const role = (part: string | undefined, what: string) => {
    const [format, mode] = (part ?? "").split(":");
    try {
      return { word: parseFormat(format).word, mode: parseRounding(mode ?? "rne") };
    } catch {
      throw expected(`--fixed MUL:MODE,ACC:MODE[,fma] (${what} a format and rounding mode)`, text);
    }
  };
  const fma = parts[2] === "fma";
  if (parts.length < 2 || parts.length > 3 || (parts.length === 3 && !fma)) throw expected("--fixed MUL:MODE,ACC:MODE[,fma]", text);
  const mul = fma ? { word: parseFormat("fp32").word, mode: 0 } : role(parts[0], "products:");
  const acc = role(parts[1], "sum:");
  return { mulWord: mul.word, mulMode: mul.mode, accWord: acc.word, accMode: acc.mode, fma };
}

interface SynthOptions {
  board: string;
  target: string;
  unit: string;
  fixed?: string;
  activity?: string;
  clockMhz?: string;
  out?: string;
  json?: boolean;
}

function synthCommand(): Command {
  return new Command("synth")
    .description("Synthesize a board's accelerator (or one unit of it) for an iCE40 UP5K or the OSU 0.18 um cells")
    .requiredOption("--board <board>", "a board with an accelerator (edgecl boards), or its manifest path")
    .requiredOption("--target <target>", `${TARGETS.join(" or ")}`)
    .option("--unit <unit>", `what to synthesize: ${UNITS.join(", ")}`, "accel")
    .option("--fixed <spec>", "--unit lane with fixed formats and modes, e.g. e4m3:rne,fp16:sr or -,fp32:rne,fma")
    .option("--activity <a>", `asic: toggles per net per cycle, or "vcd" to measure it in a Verilator run (default ${DEFAULT_ACTIVITY})`)
    .option("--clock-mhz <f>", "asic: clock for the power figures (default: the Fmax found)")
    .option("-o, --out <dir>", "work directory (default build/hw/<board>-synth/<target>-<unit>)")
    .option("--json", "print the result as JSON (it is also written to <out>/synth.json)")
    .exitOverride()
    .action((options: SynthOptions) => {
      if (!TARGETS.includes(options.target as (typeof TARGETS)[number])) throw expected(`--target ${TARGETS.join(" or ")}`, options.target);
      if (!UNITS.includes(options.unit as UnitName)) throw expected(`--unit ${UNITS.join(", ")}`, options.unit);
      const unit = options.unit as UnitName;
      if (options.fixed !== undefined && unit !== "lane") throw expected("--fixed only with --unit lane", `--unit ${unit}`);
      const fixed = options.fixed === undefined ? undefined : parseFixed(options.fixed);
      const clockMHz = options.clockMhz === undefined ? undefined : Number(options.clockMhz);
      if (clockMHz !== undefined && !(clockMHz > 0)) throw expected("--clock-mhz a number > 0", options.clockMhz);
      const { id, config } = boardAccelerator(options.board);
      const dir = resolve(options.out ?? join("build", "hw", `${id}-synth`, `${options.target}-${unit}${options.fixed ? "-" + options.fixed.replace(/[^\w]+/g, "_") : ""}`));
      mkdirSync(dir, { recursive: true });
      const sources = unitSources(unit, config, dir, fixed);
      const base = { board: id, unit, top: sources.top, fixed: options.fixed ?? null, rows: unit === "accel" ? config.rows : 1, cols: unit === "accel" ? config.cols : 1 };
      let result: Record<string, unknown>;
      if (options.target === "ice40") {
        const files = prepareWrapped(dir, sources.files, sources.top);
        result = { ...base, target: "ice40", ice40: synthIce40(dir, files, sources.includeDir, sources.keep) };
      } else {
        let activity: ActivitySource;
        if (options.activity === "vcd") {
          if (unit !== "accel" && unit !== "lane") throw expected("--activity vcd with --unit accel or lane", `--unit ${unit}`);
          activity = measureActivity(config, id, fixed);
        } else {
          const a = options.activity === undefined ? DEFAULT_ACTIVITY : Number(options.activity);
          if (!(a > 0 && a <= 2)) throw expected('--activity a number in (0, 2] or "vcd"', options.activity);
          activity = { activity: a, source: options.activity === undefined ? `default ${DEFAULT_ACTIVITY}` : "given" };
        }
        result = { ...base, target: "asic", asic: synthAsic(dir, sources.files, sources.includeDir, sources.top, activity, clockMHz, sources.keep) };
      }
      writeFileSync(join(dir, "synth.json"), JSON.stringify(result, null, 2) + "\n");
      if (options.json) {
        console.log(JSON.stringify(result));
        return;
      }
      printResult(result, join(dir, "synth.json"));
    });
}

function printResult(result: Record<string, unknown>, file: string): void {
  console.log(`${result.board} ${result.unit} (${result.top}) on ${result.target}: ${file}`);
  if (result.ice40) {
    const r = result.ice40 as ReturnType<typeof synthIce40>;
    console.log(`  LUTs ${r.luts}, carries ${r.carries}, flip-flops ${r.flipFlops}, DSPs ${r.dsps}, BRAM ${r.brams}; fits ${r.device}: ${r.fits ? "yes" : "no"}; Fmax ${r.fmaxMHz === null ? "n/a (not placed)" : r.fmaxMHz.toFixed(1) + " MHz"}`);
    printHierarchy(r.hierarchy, (m) => `${m.cellsByType.SB_LUT4 ?? 0} LUTs, ${m.cellsByType.SB_MAC16 ?? 0} DSPs`);
    const f = r.arrayThatFits;
    if (f) {
      const per = `a lane ${f.perLane.luts} LUTs, ${f.perLane.dsps} DSPs; the rest ${f.rest.luts} LUTs, ${f.rest.dsps} DSPs`;
      console.log(`  the array size that fits: ${f.lanes ? `${f.rows}x${f.cols} (at most ${f.lanes} lanes)` : "none (not even one lane)"}: ${per}`);
    }
  } else {
    const r = result.asic as ReturnType<typeof synthAsic>;
    console.log(`  area ${(r.areaUm2 / 1e6).toFixed(4)} mm2, ${r.cells} cells, critical path ${r.criticalPathNs.toFixed(2)} ns (Fmax ${r.fmaxMHz.toFixed(1)} MHz)`);
    printHierarchy(r.hierarchy, (m) => `${m.areaUm2?.toFixed(0)} um2`);
    console.log(`  power ${(r.powerW.total * 1e3).toFixed(3)} mW at ${r.clockMHz.toFixed(1)} MHz, ${r.voltage} V, activity ${r.activity.activity} (${r.activity.source}): ${r.energyPerCyclePj.toFixed(2)} pJ per cycle`);
  }
}

/** A kept hierarchy, one module a line: instances x one instance's own cells. */
function printHierarchy(modules: ModuleStat[] | null, figures: (m: ModuleStat) => string): void {
  for (const m of modules ?? []) console.log(`    ${String(m.instances).padStart(3)} x ${m.module}: ${m.cells} cells, ${figures(m)} each`);
}

export function hwCommand(): Command {
  return new Command("hw")
    .description("The accelerator as hardware: generate its Verilog, synthesize it (docs/hardware.md)")
    .addCommand(generateCommand())
    .addCommand(synthCommand());
}
