// The accelerator configuration compiled into an ACCEL=1 image (firmware/Makefile): the `accelerator`
// and `energy` groups of a board manifest, read by board/accel/model.ts's own acceleratorConfigFrom
// (the same defaults, checks and messages as the simulated board, taken from the host build, dist/),
// written as the accel_config_t the C model (accel_model.h) takes.
//
//   node src/accel_config.mjs present BOARD.json     1 or 0: accelerator.present (the Makefile's default ACCEL)
//   node src/accel_config.mjs header BOARD.json      accel_config.h on stdout
import { basename, join } from "node:path";
import { cDouble as cDoubleOr, failer, importBuilt, readJson, root } from "../build_lib.mjs";

const ANCHORS_MAX = 8; // ACCEL_ENERGY_ANCHORS_MAX in accel_model.h
const fail = failer("accel_config");
const cDouble = (x) => cDoubleOr(x, fail);

function readManifest(file) {
  const manifest = readJson(file, "a board manifest", fail);
  const present = manifest?.accelerator?.present;
  if (typeof present !== "boolean") fail(`${file}: key "accelerator.present": expected true or false, received ${JSON.stringify(present)}`);
  return manifest;
}

async function header(file) {
  const manifest = readManifest(file);
  if (!manifest.accelerator.present) fail(`${file}: key "accelerator.present" is false: build with ACCEL=0, there is no accelerator to configure`);
  const { acceleratorConfigFrom } = await importBuilt("board/accel/model.js", fail);
  const regmap = readJson(join(root, "spec", "regmap.json"), "the register map", fail);
  const formats = readJson(join(root, "spec", "formats.json"), "the format table", fail);
  const id = basename(file, ".json");
  let config;
  try {
    config = acceleratorConfigFrom(manifest.accelerator, manifest.energy, file);
  } catch (err) {
    fail(err.message);
  }
  const icount = manifest.transport?.icount;
  if (icount !== undefined && icount !== false && !(Number.isInteger(icount) && icount >= 0 && icount <= 10))
    fail(`${file}: key "transport.icount": expected an icount shift 0..10 or false, received ${JSON.stringify(icount)}`);
  const formatBit = new Map(regmap.formats.list.map((f) => [f.id, f.bit]));
  const roundCode = new Map(formats.rounding.map((r) => [r.name, r.code]));
  const mask = (names, table) => names.reduce((m, name) => (m | (1 << table.get(name))) >>> 0, 0);
  const { energy } = config;
  for (const group of ["multiply", "add"]) {
    if (energy[group].length > ANCHORS_MAX) fail(`${file}: key "energy.${group}": expected at most ${ANCHORS_MAX} anchors, received ${energy[group].length}`);
  }
  const anchors = (list, width) => `{${list.map((a) => `{${cDouble(a[width])}, ${cDouble(a.pj)}}`).join(", ")}}`;
  const lines = [
    `/* Generated from ${basename(file)} by firmware/src/accel_config.mjs, do not edit. */`,
    "#ifndef EDGECL_ACCEL_CONFIG_H",
    "#define EDGECL_ACCEL_CONFIG_H",
    "",
    '#include "accel_model.h"',
    "",
    `/* ${id}'s accelerator and energy groups, as board/accel/model.ts reads them: a ${config.rows} x ${config.cols} array,`,
    ` * products ${config.productFormats.join(" ")}, sums ${config.accumulatorFormats.join(" ")}, rounding ${config.rounding.join(" ")}${config.fma ? ", fma" : ""}${config.fast ? ", fast" : ""}${config.packed ? ", packed operands" : ""}. */`,
    `/* The accelerator's clock (modelled cycles to device time) and whether QEMU runs with -icount (then`,
    ` * minstret counts virtual nanoseconds, the clock mtime follows). */`,
    `#define EDGECL_ACCEL_CLOCK_HZ ${cDouble(config.clockHz)}`,
    `#define EDGECL_QEMU_ICOUNT ${icount === undefined || icount === false ? 0 : 1}`,
    `/* What computes Z in the device process: 1 the verilated RTL (its harness given with --rtl), 0 the device module's gemm. */`,
    `#define EDGECL_ACCEL_ENGINE_RTL ${config.engine === "rtl" ? 1 : 0}`,
    "",
    "/* Unused where only the model's host (the device process) needs it. */",
    "static const accel_config_t edgecl_accel_config __attribute__((unused)) = {",
    `    .rows = ${config.rows}u,`,
    `    .cols = ${config.cols}u,`,
    `    .bandwidth_bytes_per_cycle = ${cDouble(config.bandwidthBytesPerCycle)},`,
    `    .setup_cycles = ${config.setupCycles}u,`,
    `    .cycle_model_rtl = ${config.cycleModel === "rtl" ? 1 : 0},`,
    `    .product_formats = 0x${mask(config.productFormats, formatBit).toString(16)}u,`,
    `    .accumulator_formats = 0x${mask(config.accumulatorFormats, formatBit).toString(16)}u,`,
    `    .rounding = 0x${mask(config.rounding, roundCode).toString(16)}u,`,
    `    .fma = ${config.fma ? 1 : 0},`,
    `    .fast = ${config.fast ? 1 : 0},`,
    `    .packed = ${config.packed ? 1 : 0},`,
    `    .busy_polls = ${config.busyPolls}u,`,
    "    .energy =",
    "        {",
    `            .multiply = ${anchors(energy.multiply, "p")},`,
    `            .multiply_count = ${energy.multiply.length}u,`,
    `            .add = ${anchors(energy.add, "bits")},`,
    `            .add_count = ${energy.add.length}u,`,
    `            .sr_draw_pj = ${cDouble(energy.srDrawPj)},`,
    `            .sr_add_pj_per_bit = ${cDouble(energy.srAddPjPerBit)},`,
    `            .memory_pj_per_64_bits = ${cDouble(energy.memoryPjPer64Bits)},`,
    "        },",
    "};",
    "",
    "#endif",
    "",
  ];
  process.stdout.write(lines.join("\n"));
}

const [command, file, ...rest] = process.argv.slice(2);
if (command === "present" && file && rest.length === 0) process.stdout.write(`${readManifest(file).accelerator.present ? 1 : 0}\n`);
else if (command === "header" && file && rest.length === 0) await header(file);
else fail(`expected "present BOARD.json" or "header BOARD.json", received ${JSON.stringify(process.argv.slice(2).join(" "))}`);
