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
// energy figures and the model-blob words the simulated board's energy estimate reads: those come from
// board/accel/energy.ts (energyParamsFrom: the manifest's `energy` group, its defaults and checks) and
// assembly/nn/abi.ts, transpiled on the fly with the project's `typescript` package, so the firmware
// never carries a second copy of them.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { crc32 } from "node:zlib";

const here = dirname(fileURLToPath(import.meta.url));
const WASM_PAGE_BYTES = 65536;
// docs/protocol.md: MIN_MAX_FRAME_SIZE and MAX_MAX_FRAME_SIZE.
const spec = JSON.parse(readFileSync(join(here, "..", "spec", "protocol.json"), "utf8"));

function fail(message) {
  process.stderr.write(`board_config: ${message}\n`);
  process.exit(1);
}

function readJson(file, what) {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    return fail(`expected ${what} at ${file}, received ${err.code === "ENOENT" ? "no such file" : err.message}`);
  }
}

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
  const formats = readJson(join(here, "..", "spec", "formats.json"), "the format table");
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

/** A double as a C literal that reads back as the same value (shortest round trip, always with a point or exponent). */
function cDouble(x) {
  if (!Number.isFinite(x)) fail(`expected finite numbers in the energy figures, received ${x}`);
  const text = String(x);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

/** A TypeScript file of the repository without imports of its own, transpiled and imported. */
async function importTs(relative) {
  let ts;
  try {
    ts = (await import("typescript")).default;
  } catch {
    fail("the typescript package is missing: run `npm ci` in the repository first");
  }
  const source = readFileSync(join(here, "..", relative), "utf8");
  if (/^\s*import\s/m.test(source)) fail(`${relative}: expected a file without imports, received one that imports`);
  const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 } });
  const out = mkdtempSync(join(tmpdir(), "edgecl-board-config-"));
  try {
    const file = join(out, basename(relative).replace(/\.ts$/, ".mjs"));
    writeFileSync(file, outputText);
    return await import(pathToFileURL(file).href);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** The CPU path's energy (board/sim/energy.ts EnergyModel.cpuJ) and the config words gemmModeOf reads. */
async function energyLines(boardFile, manifest) {
  const { energyParamsFrom } = await importTs("board/accel/energy.ts");
  const abi = await importTs("assembly/nn/abi.ts");
  let params;
  try {
    params = energyParamsFrom(manifest.energy, `${boardFile}: energy`);
  } catch (err) {
    fail(err.message);
  }
  const word = (name) => {
    if (!Number.isInteger(abi[name])) fail(`assembly/nn/abi.ts: expected an integer constant ${name}, received ${abi[name]}`);
    return `#define EDGECL_${name.startsWith("NN_") ? "" : "NN_"}${name} ${abi[name]}u`;
  };
  const perMac = params.cpuInstructionsPerMac;
  return [
    "/* The simulated board's energy estimate of the CPU path (board/sim/energy.ts, docs/energy.md): MACs the",
    " * accelerator did not run x instructions per MAC (by GEMM mode) x pJ per instruction. The manifest's",
    " * energy group as board/accel/energy.ts energyParamsFrom reads it, defaults included. */",
    `#define EDGECL_ENERGY_CPU_PJ_PER_INSTRUCTION ${cDouble(params.cpuPjPerInstruction)}`,
    `#define EDGECL_ENERGY_CPU_INSTRUCTIONS_PER_MAC_EXACT ${cDouble(perMac.exact)}`,
    `#define EDGECL_ENERGY_CPU_INSTRUCTIONS_PER_MAC_EXACT_SR ${cDouble(perMac.exactSr)}`,
    `#define EDGECL_ENERGY_CPU_INSTRUCTIONS_PER_MAC_FAST ${cDouble(perMac.fast)}`,
    "",
    "/* The model config blob's words that give the GEMM mode (assembly/nn/abi.ts; board/sim/energy.ts gemmModeOf). */",
    ...["NN_ABI_VERSION", "CFG_VERSION", "CFG_ROLES", "ROLE_WORDS", "ROLE_MUL", "ROLE_ACC", "CFG_GEMM", "CFG_LAYERS", "GEMM_FMA", "GEMM_FAST"].map(word),
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
