// Builds everything a checkout needs: generated sources, the device modules, the host.
// Usage: node scripts/build.mjs [--wasm-only]
import { execFileSync } from "node:child_process";
import { readFileSync, mkdirSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import binaryen from "binaryen";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const wasmOnly = process.argv.includes("--wasm-only");
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: "inherit" });

mkdirSync(join(root, "build"), { recursive: true });

// Generated views of shared data (register map, protocol, formats) come first: every build reads them.
for (const gen of readdirSync(join(root, "scripts")).filter((f) => f.startsWith("gen-")).sort()) {
  run(process.execPath, [join("scripts", gen)]);
}

const asc = join(root, "node_modules", ".bin", "asc");
for (const target of ["release", "simd"]) {
  run(asc, ["assembly/device.ts", "--target", target]);
}

// Boards provide only these imports; anything else would fail to link on the firmware.
const allowedImports = new Set(["env.mmio_read32", "env.mmio_write32"]);
for (const file of ["device.wasm", "device-simd.wasm"]) {
  const bytes = readFileSync(join(root, "build", file));
  const mod = binaryen.readBinary(bytes);
  mod.setFeatures(binaryen.Features.All);
  if (!mod.validate()) throw new Error(`build/${file} failed validation`);
  const imports = [];
  for (let i = 0; i < mod.getNumFunctions(); i++) {
    const info = binaryen.getFunctionInfo(mod.getFunctionByIndex(i));
    if (info.module) imports.push(`${info.module}.${info.base}`);
  }
  const unexpected = imports.filter((name) => !allowedImports.has(name));
  if (unexpected.length) throw new Error(`build/${file} imports ${unexpected.join(", ")}; boards provide only ${[...allowedImports].join(", ")}`);
  console.log(`build/${file}: ${bytes.length} bytes, imports: ${imports.join(", ") || "none"}`);
  mod.dispose();
}

if (!wasmOnly) run(join(root, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.json"]);
