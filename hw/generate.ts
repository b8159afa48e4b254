// The RTL generator: Verilog for the accelerator a board manifest configures. The register block comes
// from the register map (spec/regmap.json, through its generated view), the array size, formats, rounding
// modes and MAC modes from the board's accelerator group; the arithmetic modules in hw/rtl/ are the
// templates every configuration shares. Generated files are build outputs (build/hw/<board>/rtl).
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import * as R from "../host/generated/regmap.js";
import { loadBoard } from "../host/manifest/manifest.js";
import { UsageError } from "../host/errors.js";
import { AcceleratorConfig, AcceleratorModel, acceleratorConfigFrom } from "../board/accel/model.js";

/** The repository root, from hw/ (sources) or dist/hw/ (compiled). */
export function repoRoot(): string {
  const up = fileURLToPath(new URL("..", import.meta.url));
  return basename(up) === "dist" ? join(up, "..") : up;
}

export const RTL_TEMPLATES = join(repoRoot(), "hw", "rtl");
export const TOP_MODULE = "edgecl_accel";

export interface GeneratedRtl {
  dir: string;
  /** Every source, the top module's file last (the order yosys and verilator read them). */
  files: string[];
  top: string;
  config: AcceleratorConfig;
  /** Hash of every generated file: names a build of this exact RTL. */
  hash: string;
}

const hex = (value: number, digits = 8) => (value >>> 0).toString(16).toUpperCase().padStart(digits, "0");

/** The register map as SystemVerilog localparams, included inside the top module. */
export function regmapHeader(): string {
  const lines = [
    "// Generated from spec/regmap.json by hw/generate.ts. Do not edit.",
  ];
  for (const r of R.REGISTERS) {
    lines.push(`localparam logic [11:0] REG_${r.name} = 12'h${hex(r.offset, 3)};`);
    for (const f of r.fields) lines.push(`localparam int ${r.name}_${f.name}_LSB = ${f.lsb};`);
  }
  lines.push(`localparam logic [31:0] RST_ID = 32'h${hex(R.ACCEL_ID_RESET)};`);
  for (const e of R.ACCEL_ERRORS) lines.push(`localparam logic [7:0] ERR_${e.name} = 8'd${e.code};`);
  for (const f of R.ACCEL_FORMATS) lines.push(`localparam logic [31:0] FMT_${f.id.toUpperCase()}_WORD = 32'h${hex(f.word)};`);
  const rw = R.REGISTERS.filter((r) => r.access === "rw");
  lines.push(`localparam int RW_COUNT = ${rw.length};`);
  rw.forEach((r, i) => lines.push(`localparam int RW_${r.name} = ${i};`));
  // Packed tables, entry i at bits [i*w +: w] (yosys 0.23 takes no unpacked parameter arrays).
  const packed = (width: number, values: number[]) => `{${values.map((v) => `${width}'h${hex(v, width / 4)}`).reverse().join(", ")}}`;
  lines.push(`localparam logic [${rw.length * 12 - 1}:0] RW_OFFSETS = ${packed(12, rw.map((r) => r.offset))};`);
  lines.push(`localparam logic [${rw.length * 32 - 1}:0] RW_RESETS = ${packed(32, rw.map((r) => r.reset!))};`);
  // A format word matches a table entry when kind, specials, e and m agree (docs/accelerator.md).
  lines.push("function automatic logic [15:0] format_bit(input logic [31:0] word);");
  lines.push("  format_bit = 16'd0;");
  for (const f of R.ACCEL_FORMATS) {
    lines.push(`  if ((word & 32'h00FFFF3F) == (32'h${hex(f.word)} & 32'h00FFFF3F)) format_bit = 16'd1 << ${f.bit};`);
  }
  lines.push("endfunction");
  return lines.join("\n") + "\n";
}

/** The board's configuration as localparams; the capability values are read from the model itself. */
export function configHeader(config: AcceleratorConfig): string {
  // The circuit reads f32 containers only, so it never advertises packed operands, whatever the
  // manifest lets the model do.
  const model = new AcceleratorModel({ ...config, packed: false }, () => new ArrayBuffer(0)); // never runs a job: no engine is made
  const formats = model.read32(R.ACCEL_CAPS_FORMATS_OFFSET);
  const array = model.read32(R.ACCEL_CAPS_ARRAY_OFFSET);
  const modes = model.read32(R.ACCEL_CAPS_MODES_OFFSET);
  const bit = (value: number, shift: number) => (value >>> shift) & 1;
  return [
    // The board is not named: one configuration is one design (and one build), whichever board holds it.
    "// Generated from a board manifest's accelerator group by hw/generate.ts. Do not edit.",
    `localparam int ROWS = ${config.rows};`,
    `localparam int COLS = ${config.cols};`,
    `localparam logic [31:0] CAPS_FORMATS_VALUE = 32'h${hex(formats)};`,
    `localparam logic [31:0] CAPS_ARRAY_VALUE = 32'h${hex(array)};`,
    `localparam logic [31:0] CAPS_MODES_VALUE = 32'h${hex(modes)};`,
    `localparam logic [15:0] PRODUCT_MASK = 16'h${hex((formats >>> R.ACCEL_CAPS_FORMATS_PRODUCT_SHIFT) & 0xffff, 4)};`,
    `localparam logic [15:0] ACCUMULATOR_MASK = 16'h${hex((formats >>> R.ACCEL_CAPS_FORMATS_ACCUMULATOR_SHIFT) & 0xffff, 4)};`,
    `localparam logic [7:0] ROUND_MASK = 8'h${hex((modes >>> R.ACCEL_CAPS_MODES_ROUNDING_SHIFT) & 0xff, 2)};`,
    `localparam logic FMA_OK = 1'b${bit(modes, R.ACCEL_CAPS_MODES_FMA_SHIFT)};`,
    `localparam logic FAST_OK = 1'b${bit(modes, R.ACCEL_CAPS_MODES_FAST_SHIFT)};`,
  ].join("\n") + "\n";
}

/** The accelerator configuration of a board id or manifest path; a board without one is a usage error. */
export function boardAccelerator(board: string): { id: string; config: AcceleratorConfig } {
  const manifest = loadBoard(board);
  if (!manifest.accelerator.present) {
    throw new UsageError(`expected a board with an accelerator, received ${JSON.stringify(board)} (accelerator.present is false)`);
  }
  return { id: manifest.id, config: acceleratorConfigFrom(manifest.accelerator, manifest.energy, manifest.file) };
}

/** Writes the RTL of a configuration into `dir`: the templates and the two generated headers. */
export function generateRtl(config: AcceleratorConfig, dir: string): GeneratedRtl {
  mkdirSync(dir, { recursive: true });
  const hash = createHash("sha256");
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    hash.update(name).update(text);
  };
  write("edgecl_regmap.svh", regmapHeader());
  write("edgecl_config.svh", configHeader(config));
  const templates = readdirSync(RTL_TEMPLATES).filter((f) => f.endsWith(".sv")).sort();
  for (const name of templates) {
    copyFileSync(join(RTL_TEMPLATES, name), join(dir, name));
    hash.update(name).update(readFileSync(join(RTL_TEMPLATES, name)));
  }
  const top = `${TOP_MODULE}.sv`;
  const files = [...templates.filter((f) => f !== top), top].map((f) => join(dir, f));
  return { dir, files, top: TOP_MODULE, config, hash: hash.digest("hex").slice(0, 16) };
}
