// Builds the verilated accelerator with the bus harness (hw/tb/edgecl_tb.cpp), once per exact RTL:
// the build directory is named by the hash of the generated sources and the harness.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import * as R from "../host/generated/regmap.js";
import { AcceleratorConfig } from "../board/accel/model.js";
import { GeneratedRtl, generateRtl, repoRoot } from "./generate.js";

export const HARNESS = join(repoRoot(), "hw", "tb", "edgecl_tb.cpp");
/** The harness's command codes, generated from spec/rtl-harness.json. */
const HARNESS_HEADER_DIR = join(repoRoot(), "firmware", "include");
const HARNESS_HEADER = join(HARNESS_HEADER_DIR, "edgecl_harness.h");

export interface VerilatedModel {
  binary: string;
  rtl: GeneratedRtl;
  /** True when this call compiled it (false: an earlier build of the same sources was reused). */
  built: boolean;
}

/** Fails with a one-line message naming the missing tool and the package that provides it. */
export function requireTool(tool: string, debianPackage: string): void {
  try {
    execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
  } catch {
    throw new Error(`expected ${tool} on PATH, received none: apt-get install ${debianPackage}`);
  }
}

/**
 * The RTL of a configuration, generated under build/hw/verilated-<hash>/, verilated and compiled. The
 * directory is named by the hash of the sources and the harness alone, so every user of one configuration
 * (a test, a board's engine, a benchmark) shares one build.
 */
export function verilate(config: AcceleratorConfig, boardId: string, options: { trace?: boolean } = {}): VerilatedModel {
  requireTool("verilator", "verilator");
  const root = repoRoot();
  const scratch = join(root, "build", "hw", `${boardId}-gen-${process.pid}`);
  const rtl0 = generateRtl(config, scratch);
  const key = createHash("sha256").update(rtl0.hash).update(readFileSync(HARNESS)).update(readFileSync(HARNESS_HEADER)).update(options.trace ? "trace" : "").digest("hex").slice(0, 12);
  const dir = join(root, "build", "hw", `verilated-${key}`);
  const binary = join(dir, "obj", "edgecl_tb");
  const rtl = generateRtl(config, join(dir, "rtl"));
  rmSync(scratch, { recursive: true, force: true });
  if (existsSync(binary)) return { binary, rtl, built: false };
  // Test files in parallel may build the same configuration at once: each builds from its own copy of
  // the sources in its own folder, and the first to finish moves its objects into place.
  const work = join(dir, `build-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  const own = generateRtl(config, join(work, "rtl"));
  const obj = join(work, "obj");
  const args = [
    "--cc", "--exe", "--build", "-j", "2", "-O3", "--x-assign", "fast", "--x-initial", "fast",
    "-Wno-fatal", "-Wno-WIDTH", "-Wno-LATCH",
    "--top-module", own.top, "-I" + own.dir, "--Mdir", obj, "-o", "edgecl_tb",
    "-CFLAGS", `-O1 -I${HARNESS_HEADER_DIR} -DEDGECL_REG_STATUS=0x${R.ACCEL_STATUS_OFFSET.toString(16)}${options.trace ? " -DEDGECL_TRACE" : ""}`,
    ...(options.trace ? ["--trace"] : []),
    ...own.files, HARNESS,
  ];
  try {
    execFileSync("verilator", args, { cwd: work, stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    rmSync(work, { recursive: true, force: true });
    const e = error as { stderr?: Buffer; stdout?: Buffer };
    throw new Error(`verilator failed for board ${boardId}:\n${(e.stderr ?? e.stdout ?? "").toString().slice(-4000)}`);
  }
  // Renamed into place only when complete, so an interrupted build is never taken for a finished one.
  try {
    renameSync(obj, join(dir, "obj"));
  } catch (error) {
    // Another process put the same build in place first; its binary is this one's.
    if (!existsSync(binary)) throw error;
  }
  rmSync(work, { recursive: true, force: true });
  return { binary, rtl, built: true };
}
