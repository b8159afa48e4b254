// Builds the firmware image with firmware/Makefile and reports its section sizes.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { RunError, expected } from "../errors.js";
import { onPath } from "../transport/tied.js";
import { requireToolchain } from "./toolchain.js";

const run = promisify(execFile);

export type FirmwareEntry = "serve" | "selftest";
export type FirmwareRuntime = "wasm2c" | "wamr";

/** RAM the image is linked for and QEMU is given, in MiB (QEMU's `virt` default). */
export const DEFAULT_RAM_MB = 128;

export interface FirmwareBuildOptions {
  /** Directory for generated C, objects and the image; created if missing. */
  outDir: string;
  /** The module to translate with wasm2c and link in (wasm2c), or to embed as the built-in module (WAMR). */
  wasm: string;
  entry: FirmwareEntry;
  /** "wasm2c" (default) or "wamr" (needs wamrRoot). */
  runtime?: FirmwareRuntime;
  /** A WAMR source tree (tested with the WAMR-2.4.5 release), for runtime "wamr". */
  wamrRoot?: string;
  /** Where CMake builds WAMR's libvmlib.a; images with the same WAMR settings may share one. */
  wamrBuildDir?: string;
  /** The board manifest file compiled into an ENTRY=serve image (default board/qemu-rv32.json). */
  board?: string;
  ramMb?: number;
  /** Largest linear memory the module may have, in 64 KiB pages (default: the board's, or 512 for selftest). */
  memoryLimitPages?: number;
}

/** Berkeley-style sizes, as riscv64-unknown-elf-size prints them: text includes read-only data. */
export interface SectionSizes {
  text: number;
  data: number;
  bss: number;
}

export interface FirmwareImage {
  elf: string;
  entry: FirmwareEntry;
  runtime: FirmwareRuntime;
  ramMb: number;
  /** The whole image. */
  sizes: SectionSizes;
  /** The module's part: the translated module (wasm2c, obj/device.o) or its embedded bytes (WAMR, obj/builtin_module.o). */
  moduleSizes: SectionSizes;
  /** The accelerator's device process (host code), built beside an image whose board has the accelerator. */
  accelDevice?: string;
  /** The verilated RTL's harness the device process runs its jobs on (a board whose accelerator engine is "rtl"). */
  accelRtl?: string;
}

export function firmwareDir(): string {
  // Works from host/firmware (sources, under vitest) and dist/host/firmware (compiled).
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, "firmware", "Makefile"))) return join(dir, "firmware");
    dir = dirname(dir);
  }
  throw new RunError(`firmware/Makefile not found above ${fileURLToPath(import.meta.url)}`);
}

/** Parses `size` (Berkeley format) output: a header line, then "text data bss dec hex filename". */
export function parseSizeOutput(output: string): Map<string, SectionSizes> {
  const sizes = new Map<string, SectionSizes>();
  const lines = output.trim().split("\n");
  if (!/^\s*text\s+data\s+bss\s+dec\s+hex\s+filename\s*$/.test(lines[0] ?? ""))
    throw new RunError(`unexpected output from riscv64-unknown-elf-size: ${JSON.stringify(lines[0])}`);
  for (const line of lines.slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 6) throw new RunError(`unexpected line from riscv64-unknown-elf-size: ${JSON.stringify(line)}`);
    const [text, data, bss] = fields.slice(0, 3).map(Number);
    sizes.set(fields.slice(5).join(" "), { text, data, bss });
  }
  return sizes;
}

export async function readSizes(...files: string[]): Promise<SectionSizes[]> {
  const { stdout } = await run("riscv64-unknown-elf-size", files);
  const byFile = parseSizeOutput(stdout);
  return files.map((file) => {
    const sizes = byFile.get(file);
    if (!sizes) throw new RunError(`riscv64-unknown-elf-size printed nothing for ${file}`);
    return sizes;
  });
}

export async function buildFirmware(options: FirmwareBuildOptions): Promise<FirmwareImage> {
  const ramMb = options.ramMb ?? DEFAULT_RAM_MB;
  const runtime = options.runtime ?? "wasm2c";
  if (!Number.isInteger(ramMb) || ramMb < 1) throw expected("ramMb as a positive whole number of MiB", ramMb);
  if (options.memoryLimitPages !== undefined && (!Number.isInteger(options.memoryLimitPages) || options.memoryLimitPages < 0))
    throw expected("memoryLimitPages as a whole number of 64 KiB pages", options.memoryLimitPages);
  if (options.entry !== "serve" && options.entry !== "selftest") throw expected('entry "serve" or "selftest"', options.entry);
  if (runtime !== "wasm2c" && runtime !== "wamr") throw expected('runtime "wasm2c" or "wamr"', runtime);
  if (runtime === "wamr" && !options.wamrRoot)
    throw expected("a WAMR source tree (wamrRoot, or WAMR_ROOT) for the wamr runtime", options.wamrRoot, "check out the WAMR-2.4.5 release and point WAMR_ROOT at it");
  const wasm = resolve(options.wasm);
  if (!existsSync(wasm)) throw expected("a .wasm module to build the firmware from", options.wasm, "run `npm run build` first");
  if (options.board !== undefined && !existsSync(options.board)) throw expected("a board manifest file", options.board);
  requireToolchain(["build"]);

  const outDir = resolve(options.outDir);
  const vars = [`O=${outDir}`, `WASM=${wasm}`, `ENTRY=${options.entry}`, `RAM_MB=${ramMb}`, `RUNTIME=${runtime}`];
  if (options.board !== undefined) vars.push(`BOARD=${resolve(options.board)}`);
  if (options.memoryLimitPages !== undefined) vars.push(`MEMORY_LIMIT_PAGES=${options.memoryLimitPages}`);
  if (runtime === "wamr") {
    vars.push(`WAMR_ROOT=${resolve(options.wamrRoot as string)}`);
    if (options.wamrBuildDir) vars.push(`WAMR_BUILD_DIR=${resolve(options.wamrBuildDir)}`);
  }
  // Two processes building the same image at once (two runs, parallel test files) take turns: flock
  // (util-linux) holds a lock next to the build folder while make runs, released however make ends.
  const make = ["make", "-C", firmwareDir(), "-j2", ...vars];
  const locked = onPath("flock") ? ["flock", `${outDir}.lock`, ...make] : make;
  mkdirSync(dirname(outDir), { recursive: true });
  try {
    await run(locked[0], locked.slice(1), { maxBuffer: 64 << 20 });
  } catch (err) {
    const { stderr, message } = err as { stderr?: string; message: string };
    const tail = (stderr || message).trim().split("\n").slice(-12).join("\n");
    throw new RunError(`firmware build failed (make ${vars.join(" ")}):\n${tail}`);
  }
  const elf = join(outDir, "edgecl.elf");
  const moduleObject = join(outDir, "obj", runtime === "wamr" ? "builtin_module.o" : "device.o");
  const [sizes, moduleSizes] = await readSizes(elf, moduleObject);
  const device = join(outDir, "edgecl-accel-device");
  // A stale binary from an earlier build with the accelerator must not count for one without it.
  const accelDevice = existsSync(device) && statSync(device).mtimeMs >= statSync(join(outDir, "config")).mtimeMs ? device : undefined;
  return { elf, entry: options.entry, runtime, ramMb, sizes, moduleSizes, ...(accelDevice ? { accelDevice } : {}) };
}
