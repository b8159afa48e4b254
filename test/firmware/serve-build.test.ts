// `edgecl firmware build` and the board configuration compiled into an ENTRY=serve image: the sizes it
// reports equal the ELF's section headers read here (Berkeley semantics), the generated header carries
// the manifest's values, the module's length and zlib CRC-32 and the energy figures (docs/energy.md's
// defaults, or the manifest's own), and bad boards are refused with the key at fault.
import { describe, expect, test } from "vitest";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { edgeclInProcess } from "../helpers/cli.js";
import { loadBoard } from "../../host/manifest/manifest.js";
import { firmwareDir } from "../../host/firmware/index.js";
import { derivedManifest, elfSizes, FirmwareSuite } from "./helpers.js";

const suite = new FirmwareSuite("serve-build");

/** Runs the CLI in this process; returns its exit code and what it printed. */
async function edgecl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  suite.ready();
  return edgeclInProcess(args);
}

describe("edgecl firmware build", () => {
  test("builds a qemu board's image and reports the sizes its ELF headers give; the board configuration is the manifest's", async () => {
    suite.ready();
    const manifest = derivedManifest(suite.dir, "qemu-rv32-noaccel", "qemu-small", { maxFrameSize: 1000 }, { linearMemoryBytes: 40 * 65536, flashBytes: 2 * 1024 * 1024 });
    const out = join(suite.dir, "image");
    const r = await edgecl("firmware", "build", "--board", manifest.file, "--wasm", suite.fixture.file, "--out", out, "--json");
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ board: "qemu-small", runtime: "wasm2c", elf: join(out, "edgecl.elf"), ramMb: 128 });
    expect(report.sizes).toEqual(elfSizes(join(out, "edgecl.elf")));
    expect(report.moduleSizes).toEqual(elfSizes(join(out, "obj", "device.o")));

    const header = readFileSync(join(out, "gen", "board_config.h"), "utf8");
    const define = (name: string) => new RegExp(`^#define ${name} (.*?)(?: /\\*.*)?$`, "m").exec(header)?.[1];
    expect(define("EDGECL_BOARD_NAME")).toBe('"qemu-small"');
    expect(define("EDGECL_BOARD_MAX_FRAME_SIZE")).toBe("1000u");
    expect(define("EDGECL_BOARD_MEMORY_LIMIT_BYTES")).toBe(`${40 * 65536}u`);
    expect(define("EDGECL_BOARD_FLASH_BYTES")).toBe(`${2 * 1024 * 1024}u`);
    expect(define("EDGECL_BOARD_ACCEL_PRESENT")).toBe("0u");
    expect(define("EDGECL_BUILTIN_MODULE_BYTES")).toBe(`${suite.fixture.bytes.length}u`);
    expect(define("EDGECL_BUILTIN_MODULE_CRC32")).toBe(`0x${(crc32(suite.fixture.bytes) >>> 0).toString(16).toUpperCase().padStart(8, "0")}u`);
    // The runtime's memory limit follows the manifest: 40 pages.
    expect(readFileSync(join(out, "config"), "utf8")).toMatch(/ 40 /);
    // No energy group: docs/energy.md's defaults, 70 pJ per instruction and 60 / 90 / 6 instructions per MAC.
    expect(["PJ_PER_INSTRUCTION", "INSTRUCTIONS_PER_MAC_EXACT", "INSTRUCTIONS_PER_MAC_EXACT_SR", "INSTRUCTIONS_PER_MAC_FAST"].map((n) => define(`EDGECL_ENERGY_CPU_${n}`))).toEqual(["70.0", "60.0", "90.0", "6.0"]);
    // The board reads the CPU kernels' MACs from the device's TELEMETRY: nothing of the model blob's layout.
    expect(header).not.toMatch(/EDGECL_NN_/);

    const text = await edgecl("firmware", "build", "--board", manifest.file, "--wasm", suite.fixture.file, "--out", out);
    expect(text.code, text.stderr).toBe(0);
    const image = text.stdout.split("\n").find((l) => l.startsWith("image"))?.trim().split(/\s+/).map(Number).slice(1);
    const sizes = report.sizes;
    expect(image).toEqual([sizes.text, sizes.data, sizes.bss, sizes.text + sizes.data + sizes.bss]);
  });

  test("refuses a board that is not a qemu board, and a manifest the firmware cannot take, naming the key", async () => {
    const sim = await edgecl("firmware", "build", "--board", "sim");
    expect(sim.code).toBe(2);
    expect(sim.stderr).toBe('edgecl: expected a board whose transport is qemu (qemu-rv32, qemu-rv32-noaccel), received "sim (transport process)"\n');

    const odd = derivedManifest(suite.dir, "qemu-rv32-noaccel", "qemu-odd", {}, { linearMemoryBytes: 100_000 });
    const r = await edgecl("firmware", "build", "--board", odd.file, "--wasm", suite.fixture.file, "--out", join(suite.dir, "odd"));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${odd.file}: key "memory.linearMemoryBytes": expected a multiple of 65536 (whole WebAssembly pages), received 100000`);

    const flash = derivedManifest(suite.dir, "qemu-rv32-noaccel", "qemu-flash-odd", {}, { flashBytes: 3.5 * 1024 * 1024 });
    const f = await edgecl("firmware", "build", "--board", flash.file, "--wasm", suite.fixture.file, "--out", join(suite.dir, "flash-odd"));
    expect(f.code).toBe(1);
    expect(f.stderr).toContain("memory.flashBytes is a multiple of 4 slots of 256 KiB sectors");

    const runtime = await edgecl("firmware", "build", "--board", "qemu-rv32", "--runtime", "v8");
    expect(runtime.code).toBe(2);
    expect(runtime.stderr).toBe('edgecl: expected --runtime wasm2c or wamr, received "v8"\n');
  });

  test("the energy figures are the manifest's energy group, read with its defaults and checks", () => {
    suite.ready();
    const source = JSON.parse(readFileSync(loadBoard("qemu-rv32").file, "utf8"));
    const header = (energy: unknown) => {
      const file = join(suite.dir, "energy.json");
      writeFileSync(file, JSON.stringify({ ...source, energy }));
      return spawnSync("node", ["board_config.mjs", "header", file, suite.fixture.file], { cwd: firmwareDir(), encoding: "utf8" });
    };
    const custom = header({ ...source.energy, cpuPjPerInstruction: 55.5, cpuInstructionsPerMac: { fast: 7 } });
    expect(custom.status, custom.stderr).toBe(0);
    const define = (name: string) => new RegExp(`^#define ${name} (.*)$`, "m").exec(custom.stdout)?.[1];
    expect(["PJ_PER_INSTRUCTION", "INSTRUCTIONS_PER_MAC_EXACT", "INSTRUCTIONS_PER_MAC_EXACT_SR", "INSTRUCTIONS_PER_MAC_FAST"].map((n) => define(`EDGECL_ENERGY_CPU_${n}`))).toEqual(["55.5", "60.0", "90.0", "7.0"]);
    const bad = header({ cpuPjPerInstruction: -1 });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('energy.json: energy.cpuPjPerInstruction: expected a number >= 0, received -1');
  });
});
