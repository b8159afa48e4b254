// The board configuration compiled into an ENTRY=serve image, generated from the board manifest
// (board/<id>.json) at build time by firmware/Makefile, and the identity (length, CRC-32) of the
// module the image is built with.
//
//   node board_config.mjs header BOARD.json MODULE.wasm > board_config.h
//   node board_config.mjs memory-limit-pages BOARD.json          (the Makefile's MEMORY_LIMIT_PAGES)
//
// memory-limit-pages is plain Node: the Makefile runs it before anything is compiled. Format names
// resolve through spec/formats.json (ids and aliases), the same table host/formats reads, so HELLO's
// accelFormats bits are the indices of the named formats there. header also writes the CPU path's
// energy figures: the manifest's `energy` group as board/accel/energy.ts energyParamsFrom reads it
// (defaults and checks included), taken from the host build (dist/).
import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { crc32 } from "node:zlib";
import { cDouble, failer, importBuilt, readJson as readJsonOr, root } from "./build_lib.mjs";

const WASM_PAGE_BYTES = 65536;
const fail = failer("board_config");
const readJson = (file, what) => readJsonOr(file, what, fail);
// docs/protocol.md: MIN_MAX_FRAME_SIZE and MAX_MAX_FRAME_SIZE.
const spec = readJson(join(root, "spec", "protocol.json"), "the protocol spec");

function at(manifest, file, path) {
  let node = manifest;
  for (const key of path.split(".")) {
    if (node === null || typeof node !== "object" || !(key in node)) fail(`${file}: missing key "${path}"`);
    node = node[key];
  }
  return node;
}

function integer(manifest, file, path, min, max) {
  const value = at(manifest, file, path);
  if (!Number.isInteger(value) || value < min || value > max) fail(`${file}: key "${path}": expected a whole number in [${min}, ${max}], received ${JSON.stringify(value)}`);
  return value;
}

function limit(name) {
  const value = spec.limits?.[name]?.value;
  if (!Number.isInteger(value)) fail(`spec/protocol.json: missing key "limits.${name}.value"`);
  return value;
}

/** Bit of each named format (its index in spec/formats.json "named"), by id and alias, lower case. */
function formatBits() {
  const formats = readJson(join(root, "spec", "formats.json"), "the format table");
  const bits = new Map();
  formats.named.forEach((format, index) => {
    for (const name of [format.id, ...(format.aliases ?? [])]) bits.set(String(name).toLowerCase(), index);
  });
  return { bits, ids: formats.named.map((f) => f.id) };
}

function readBoard(file) {
  const manifest = readJson(file, "a board manifest");
  const memoryLimit = integer(manifest, file, "memory.linearMemoryBytes", WASM_PAGE_BYTES, 0xffff0000);
  if (memoryLimit % WASM_PAGE_BYTES !== 0) fail(`${file}: key "memory.linearMemoryBytes": expected a multiple of ${WASM_PAGE_BYTES} (whole WebAssembly pages), received ${memoryLimit}`);
  const board = {
    id: basename(file, ".json"),
    maxFrameSize: integer(manifest, file, "transport.maxFrameSize", limit("minMaxFrameSize"), limit("maxMaxFrameSize")),
    memoryLimit,
    flashBytes: integer(manifest, file, "memory.flashBytes", 0, 0xffffffff),
    accelPresent: at(manifest, file, "accelerator.present"),
    accelFormats: 0,
    accelNames: [],
    manifest,
  };
  if (typeof board.accelPresent !== "boolean") fail(`${file}: key "accelerator.present": expected true or false, received ${JSON.stringify(board.accelPresent)}`);
  if (board.accelPresent) {
    const { bits, ids } = formatBits();
    for (const path of ["accelerator.productFormats", "accelerator.accumulatorFormats"]) {
      const names = at(manifest, file, path);
      if (!Array.isArray(names)) fail(`${file}: key "${path}": expected a list of format names, received ${JSON.stringify(names)}`);
      for (const name of names) {
        const bit = bits.get(String(name).toLowerCase());
        if (bit === undefined || bit >= 32) fail(`${file}: key "${path}": expected a named format (${ids.join(", ")}), received ${JSON.stringify(name)}`);
        board.accelFormats = (board.accelFormats | (1 << bit)) >>> 0;
        if (!board.accelNames.includes(ids[bit])) board.accelNames.push(ids[bit]);
      }
    }
  }
  return board;
}

const cString = (s) => JSON.stringify(s); // ASCII ids: JSON's escapes are C's

/** The CPU path's energy figures (board/sim/energy.ts EnergyModel.cpuJ, firmware/src/energy.c). */
async function energyLines(boardFile, manifest) {
  const { energyParamsFrom } = await importBuilt("board/accel/energy.js", fail);
  let params;
  try {
    // The CPU figures do not depend on a synthesis result: no reader for one.
    params = energyParamsFrom(manifest.energy, `${boardFile}: energy`);
  } catch (err) {
    fail(err.message);
  }
  const perMac = params.cpuInstructionsPerMac;
  const c = (x) => cDouble(x, fail);
  return [
    "/* The simulated board's energy estimate of the CPU path (board/sim/energy.ts, docs/energy.md): the MACs",
    " * the device reports each CPU kernel ran x instructions per MAC of that kernel x pJ per instruction. The",
    " * manifest's energy group as board/accel/energy.ts energyParamsFrom reads it, defaults included. */",
    `#define EDGECL_ENERGY_CPU_PJ_PER_INSTRUCTION ${c(params.cpuPjPerInstruction)}`,
    `#define EDGECL_ENERGY_CPU_INSTRUCTIONS_PER_MAC_EXACT ${c(perMac.exact)}`,
    `#define EDGECL_ENERGY_CPU_INSTRUCTIONS_PER_MAC_EXACT_SR ${c(perMac.exactSr)}`,
    `#define EDGECL_ENERGY_CPU_INSTRUCTIONS_PER_MAC_FAST ${c(perMac.fast)}`,
  ];
}

async function header(boardFile, moduleFile) {
  const board = readBoard(boardFile);
  let module;
  try {
    module = readFileSync(moduleFile);
  } catch (err) {
    return fail(`expected the module ${moduleFile}, received ${err.message}`);
  }
  if (!/^[A-Za-z0-9._-]+$/.test(board.id)) fail(`expected a board id of letters, digits, '.', '_' and '-', received ${JSON.stringify(board.id)}`);
  const hex = (v) => `0x${v.toString(16).toUpperCase().padStart(8, "0")}u`;
  const lines = [
    `/* Generated from ${basename(boardFile)} and ${basename(moduleFile)} by firmware/board_config.mjs, do not edit. */`,
    "#ifndef EDGECL_BOARD_CONFIG_H",
    "#define EDGECL_BOARD_CONFIG_H",
    "",
    "/* HELLO's answers: the board manifest's id, transport.maxFrameSize, memory and accelerator groups. */",
    `#define EDGECL_BOARD_NAME ${cString(board.id)}`,
    `#define EDGECL_BOARD_MAX_FRAME_SIZE ${board.maxFrameSize}u`,
    `#define EDGECL_BOARD_MEMORY_LIMIT_BYTES ${board.memoryLimit}u`,
    `#define EDGECL_BOARD_FLASH_BYTES ${board.flashBytes}u`,
    `#define EDGECL_BOARD_ACCEL_PRESENT ${board.accelPresent ? 1 : 0}u`,
    `#define EDGECL_BOARD_ACCEL_FORMATS ${hex(board.accelFormats)}${board.accelNames.length ? ` /* ${board.accelNames.join(", ")} */` : ""}`,
    "",
    "/* The module the image was built with: a DEPLOY of the same bytes is accepted by the wasm2c build. */",
    `#define EDGECL_BUILTIN_MODULE_BYTES ${module.length}u`,
    `#define EDGECL_BUILTIN_MODULE_CRC32 ${hex(crc32(module) >>> 0)}`,
    "",
    ...(await energyLines(boardFile, board.manifest)),
    "",
    "#endif",
    "",
  ];
  process.stdout.write(lines.join("\n"));
}

const [command, ...args] = process.argv.slice(2);
if (command === "header" && args.length === 2) await header(args[0], args[1]);
else if (command === "memory-limit-pages" && args.length === 1) process.stdout.write(`${readBoard(args[0]).memoryLimit / WASM_PAGE_BYTES}\n`);
else fail(`expected "header BOARD.json MODULE.wasm" or "memory-limit-pages BOARD.json", received ${JSON.stringify(process.argv.slice(2).join(" "))}`);
