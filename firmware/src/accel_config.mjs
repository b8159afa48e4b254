// The accelerator configuration compiled into an ACCEL=1 image (firmware/Makefile): the `accelerator`
// and `energy` groups of a board manifest, read by board/accel/model.ts's own acceleratorConfigFrom
// (the same defaults, checks and messages as the simulated board), written as the accel_config_t the
// C model (accel_model.h) takes.
//
//   node src/accel_config.mjs present BOARD.json     1 or 0: accelerator.present (the Makefile's default ACCEL)
//   node src/accel_config.mjs header BOARD.json      accel_config.h on stdout
//
// The TypeScript sources are transpiled on the fly with the project's `typescript` package, so the
// firmware never carries a second copy of the defaults.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const ANCHORS_MAX = 8; // ACCEL_ENERGY_ANCHORS_MAX in accel_model.h

function fail(message) {
  process.stderr.write(`accel_config: ${message}\n`);
  process.exit(1);
}

function readManifest(file) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    fail(`expected a board manifest at ${file}, received ${err.code === "ENOENT" ? "no such file" : err.message}`);
  }
  const present = manifest?.accelerator?.present;
  if (typeof present !== "boolean") fail(`${file}: key "accelerator.present": expected true or false, received ${JSON.stringify(present)}`);
  return manifest;
}

/** board/accel/model.ts and the modules it imports, transpiled to JavaScript in a temporary directory. */
async function loadModel() {
  let ts;
  try {
    ts = (await import("typescript")).default;
  } catch {
    fail("the typescript package is missing: run `npm ci` in the repository first");
  }
  const out = mkdtempSync(join(tmpdir(), "edgecl-accel-config-"));
  try {
    const pending = [join(root, "board", "accel", "model.ts")];
    const done = new Set();
    while (pending.length > 0) {
      const source = pending.pop();
      if (done.has(source)) continue;
      done.add(source);
      const { outputText } = ts.transpileModule(readFileSync(source, "utf8"), {
        compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
      });
      const target = join(out, relative(root, source)).replace(/\.ts$/, ".js");
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, outputText);
      for (const [, spec] of outputText.matchAll(/from\s+"(\.[^"]+)\.js"/g)) pending.push(resolve(dirname(source), `${spec}.ts`));
    }
    return await import(pathToFileURL(join(out, "board", "accel", "model.js")).href);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** A double as a C literal that reads back as the same value (shortest round trip, always with a point or exponent). */
function cDouble(x) {
  if (!Number.isFinite(x)) fail(`expected finite numbers in the configuration, received ${x}`);
  const text = String(x);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

async function header(file) {
  const manifest = readManifest(file);
  if (!manifest.accelerator.present) fail(`${file}: key "accelerator.present" is false: build with ACCEL=0, there is no accelerator to configure`);
  const { acceleratorConfigFrom } = await loadModel();
  const regmap = await import(pathToFileURL(join(root, "spec", "regmap.json")).href, { with: { type: "json" } });
  const formats = await import(pathToFileURL(join(root, "spec", "formats.json")).href, { with: { type: "json" } });
  const id = basename(file, ".json");
  let config;
  try {
    config = acceleratorConfigFrom(manifest.accelerator, manifest.energy, file);
  } catch (err) {
    fail(err.message);
  }
  const formatBit = new Map(regmap.default.formats.list.map((f) => [f.id, f.bit]));
  const roundCode = new Map(formats.default.rounding.map((r) => [r.name, r.code]));
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
    ` * products ${config.productFormats.join(" ")}, sums ${config.accumulatorFormats.join(" ")}, rounding ${config.rounding.join(" ")}${config.fma ? ", fma" : ""}${config.fast ? ", fast" : ""}. */`,
    "static const accel_config_t edgecl_accel_config = {",
    `    .rows = ${config.rows}u,`,
    `    .cols = ${config.cols}u,`,
    `    .bandwidth_bytes_per_cycle = ${cDouble(config.bandwidthBytesPerCycle)},`,
    `    .setup_cycles = ${config.setupCycles}u,`,
    `    .product_formats = 0x${mask(config.productFormats, formatBit).toString(16)}u,`,
    `    .accumulator_formats = 0x${mask(config.accumulatorFormats, formatBit).toString(16)}u,`,
    `    .rounding = 0x${mask(config.rounding, roundCode).toString(16)}u,`,
    `    .fma = ${config.fma ? 1 : 0},`,
    `    .fast = ${config.fast ? 1 : 0},`,
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
