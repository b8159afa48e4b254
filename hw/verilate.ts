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
  const scratch = join(root, "build", "hw", `${boardId}-gen`);
  const rtl0 = generateRtl(config, scratch);
  const key = createHash("sha256").update(rtl0.hash).update(readFileSync(HARNESS)).update(options.trace ? "trace" : "").digest("hex").slice(0, 12);
  const dir = join(root, "build", "hw", `verilated-${key}`);
  const binary = join(dir, "obj", "edgecl_tb");
  const rtl = generateRtl(config, join(dir, "rtl"));
  rmSync(scratch, { recursive: true, force: true });
  if (existsSync(binary)) return { binary, rtl, built: false };
  mkdirSync(dir, { recursive: true });
  const obj = join(dir, "obj.tmp");
  rmSync(obj, { recursive: true, force: true });
  const args = [
    "--cc", "--exe", "--build", "-j", "2", "-O3", "--x-assign", "fast", "--x-initial", "fast",
    "-Wno-fatal", "-Wno-WIDTH", "-Wno-LATCH",
    "--top-module", rtl.top, "-I" + rtl.dir, "--Mdir", obj, "-o", "edgecl_tb",
    "-CFLAGS", `-O1 -DEDGECL_REG_STATUS=0x${R.ACCEL_STATUS_OFFSET.toString(16)}${options.trace ? " -DEDGECL_TRACE" : ""}`,
    ...(options.trace ? ["--trace"] : []),
    ...rtl.files, HARNESS,
  ];
  try {
    execFileSync("verilator", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    const e = error as { stderr?: Buffer; stdout?: Buffer };
    throw new Error(`verilator failed for board ${boardId}:\n${(e.stderr ?? e.stdout ?? "").toString().slice(-4000)}`);
  }
  // Renamed into place only when complete, so an interrupted build is never taken for a finished one.
  rmSync(join(dir, "obj"), { recursive: true, force: true });
  renameSync(obj, join(dir, "obj"));
  return { binary, rtl, built: true };
}
