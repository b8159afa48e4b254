// CPFloat (https://github.com/north-numerical-computing/cpfloat) from a source tree the user points at:
// bench/peers/cpfloat_round.c built with gcc into a temporary directory and run on given f32 inputs. Used by
// `bench compare` and by test/bench/cpfloat.test.ts (its rne results as an independent reference).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ROUNDING_CASES } from "./quantize.mjs";

const peers = join(dirname(fileURLToPath(import.meta.url)), "..", "peers");

/** Why CPFloat cannot be compared here, or null when CPFLOAT_ROOT is a CPFloat tree and gcc is installed. */
export function cpfloatSkip(root) {
  if (!root) return "CPFLOAT_ROOT is not set; point it at a CPFloat source tree (https://github.com/north-numerical-computing/cpfloat) to compare";
  if (!existsSync(join(root, "src", "cpfloat_binary32.h"))) {
    return `expected a CPFloat source tree at CPFLOAT_ROOT, received ${root} (no src/cpfloat_binary32.h)`;
  }
  const gcc = spawnSync("gcc", ["--version"], { encoding: "utf8" });
  if (gcc.error || gcc.status !== 0) return "gcc not found; install gcc to build the CPFloat driver";
  return null;
}

/**
 * CPFloat's rates (values/s by "format mode": the best pass of at least 30 and `minSeconds` of CPU time)
 * and its rne results on `inputs` (a Float32Array), from bench/peers/cpfloat_round.c built -O3 in a
 * temporary directory against `root`/src, with the PCG library when the tree has it built
 * (deps/pcg-c/src/libpcg_random.a, CPFloat's `make libpcg`; otherwise its sr draws come from libc's
 * rand()), or { skipped: reason }.
 */
export function cpfloatRun(root, inputs, minSeconds) {
  const skipped = cpfloatSkip(root);
  if (skipped) return { skipped };
  const dir = mkdtempSync(join(tmpdir(), "edgecl-cpfloat-"));
  try {
    const pcgHeader = join(root, "deps", "pcg-c", "include", "pcg_variants.h");
    const pcgLib = join(root, "deps", "pcg-c", "src", "libpcg_random.a");
    const pcg = existsSync(pcgHeader) && existsSync(pcgLib);
    const flags = ["-O3", "-march=native", "-std=gnu99"];
    const binary = join(dir, "cpfloat_round");
    const build = spawnSync("gcc", [...flags, "-I", join(root, "src"), ...(pcg ? ["-include", pcgHeader] : []),
      "-o", binary, join(peers, "cpfloat_round.c"), ...(pcg ? [pcgLib] : []), "-lm"], { encoding: "utf8" });
    if (build.status !== 0) {
      const error = build.stderr.split("\n").find((line) => line.includes("error")) ?? build.stderr.trim().split("\n").pop();
      return { skipped: `gcc could not build bench/peers/cpfloat_round.c against ${root}/src: ${error}` };
    }
    const file = join(dir, "inputs.f32");
    writeFileSync(file, new Uint8Array(inputs.buffer, inputs.byteOffset, inputs.byteLength));
    const run = spawnSync(binary, [file, String(inputs.length), dir, String(minSeconds)], { encoding: "utf8" });
    if (run.status !== 0) throw new Error(`the CPFloat driver exited with ${run.status}: ${run.stderr.trim()}`);
    const rates = {};
    for (const line of run.stdout.trim().split("\n")) {
      const { format, mode, valuesPerSecond } = JSON.parse(line);
      rates[`${format} ${mode}`] = valuesPerSecond;
    }
    const rne = {};
    for (const [format] of ROUNDING_CASES) {
      const bytes = readFileSync(join(dir, `${format}-rne.f32`));
      rne[format] ??= new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    }
    const rng = pcg ? "PCG32 from deps/pcg-c" : "libc rand() (no deps/pcg-c/src/libpcg_random.a: run CPFloat's make libpcg)";
    return { rates, rne, built: `gcc ${flags.join(" ")}, sr draws from ${rng}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
