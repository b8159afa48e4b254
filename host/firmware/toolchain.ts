// The Debian packages the firmware needs, and which of them this machine lacks. A missing tool is
// reported with the package that provides it, never skipped.
import { accessSync, constants, existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { RunError } from "../errors.js";

export const PICOLIBC_SPECS = "/usr/lib/picolibc/riscv64-unknown-elf/picolibc.specs";
export const WASM2C_RUNTIME = "/usr/src/wasm2c/wasm-rt-impl.c";

export interface Requirement {
  /** A command looked up on PATH, or an absolute file path. */
  need: string;
  debianPackage: string;
  /** What the firmware uses it for. */
  use: "build" | "run";
}

export const REQUIREMENTS: readonly Requirement[] = [
  { need: "make", debianPackage: "make", use: "build" },
  { need: "riscv64-unknown-elf-gcc", debianPackage: "gcc-riscv64-unknown-elf", use: "build" },
  { need: "riscv64-unknown-elf-size", debianPackage: "binutils-riscv64-unknown-elf", use: "build" },
  { need: PICOLIBC_SPECS, debianPackage: "picolibc-riscv64-unknown-elf", use: "build" },
  { need: "wasm2c", debianPackage: "wabt", use: "build" },
  { need: WASM2C_RUNTIME, debianPackage: "wabt", use: "build" },
  { need: "qemu-system-riscv32", debianPackage: "qemu-system-misc", use: "run" },
  // The accelerator's device process (firmware/device/) is host code.
  { need: "gcc", debianPackage: "build-essential", use: "build" },
];

function onPath(command: string): boolean {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

function present(need: string): boolean {
  return need.startsWith("/") ? existsSync(need) : onPath(need);
}

/** Requirements for the given uses that are not installed. */
export function missingRequirements(uses: Requirement["use"][] = ["build", "run"]): Requirement[] {
  return REQUIREMENTS.filter((r) => uses.includes(r.use) && !present(r.need));
}

/** Throws a RunError naming every missing tool and the apt-get line that installs them. */
export function requireToolchain(uses: Requirement["use"][] = ["build", "run"]): void {
  const missing = missingRequirements(uses);
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map((r) => r.debianPackage))];
  const list = missing.map((r) => `${r.need} (Debian package ${r.debianPackage})`).join(", ");
  throw new RunError(`firmware toolchain incomplete: missing ${list}; install with: apt-get install ${packages.join(" ")}`);
}
