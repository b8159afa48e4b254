// Builds everything a checkout needs: generated sources, the device modules, the host. Each step runs
// only when its inputs changed since it last succeeded (a SHA-256 of their contents in build/stamps.json)
// or its outputs are missing, so `npm start` and `npm test` on a built tree decide in well under 2 s.
// Usage: node scripts/build.mjs [--wasm-only] [--force]
//   --force   run every step whatever the stamps say
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const wasmOnly = process.argv.includes("--wasm-only");
const force = process.argv.includes("--force");
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: "inherit" });

mkdirSync(join(root, "build"), { recursive: true });
const stampsFile = join(root, "build", "stamps.json");
let stamps = {};
try {
  stamps = JSON.parse(readFileSync(stampsFile, "utf8"));
} catch {
  stamps = {};
}

/** Every file under the given paths (folders recursively), sorted, as paths relative to the root. */
function files(paths) {
  const out = [];
  const walk = (rel) => {
    const full = join(root, rel);
    if (!existsSync(full)) return;
    if (statSync(full).isDirectory()) {
      for (const name of readdirSync(full)) walk(join(rel, name));
    } else {
      out.push(relative(root, full));
    }
  };
  for (const path of paths) walk(path);
  return out.sort();
}

/** SHA-256 over the names and contents of the inputs. */
function digest(inputs) {
  const hash = createHash("sha256");
  for (const file of files(inputs)) {
    hash.update(file);
    hash.update("\0");
    hash.update(readFileSync(join(root, file)));
    hash.update("\0");
  }
  return hash.digest("hex");
}

/** Runs `action` unless the inputs are those of its last success and every output exists. */
async function step(name, inputs, outputs, action) {
  const hash = digest(inputs);
  if (!force && stamps[name] === hash && outputs.every((out) => existsSync(join(root, out)))) {
    console.log(`${name}: up to date`);
    return;
  }
  delete stamps[name];
  writeFileSync(stampsFile, JSON.stringify(stamps, null, 2) + "\n");
  await action();
  stamps[name] = hash;
  writeFileSync(stampsFile, JSON.stringify(stamps, null, 2) + "\n");
}

// Generated views of shared data (register map, protocol, formats) come first: every build reads them.
const generators = readdirSync(join(root, "scripts")).filter((f) => f.startsWith("gen-")).sort();
await step("generated", ["spec", "scripts/lib", ...generators.map((g) => join("scripts", g))], [], () => {
  for (const gen of generators) run(process.execPath, [join("scripts", gen)]);
});

const modules = ["build/device.wasm", "build/device-simd.wasm"];
await step("device modules", ["assembly", "asconfig.json", "node_modules/assemblyscript/package.json"], modules, async () => {
  const asc = join(root, "node_modules", ".bin", "asc");
  for (const target of ["release", "simd"]) run(asc, ["assembly/device/index.ts", "--target", target]);
  await checkImports();
});

if (!wasmOnly) {
  await step("host", ["host", "board", "hw", "assembly", "tsconfig.json", "node_modules/typescript/package.json"], ["dist/host/cli/main.js"], () => {
    run(join(root, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.json"]);
  });
}

/** Boards provide only these imports; anything else would fail to link on the firmware. */
async function checkImports() {
  const { default: binaryen } = await import("binaryen");
  const allowedImports = new Set(["env.mmio_read32", "env.mmio_write32"]);
  for (const file of modules) {
    const bytes = readFileSync(join(root, file));
    const mod = binaryen.readBinary(bytes);
    mod.setFeatures(binaryen.Features.All);
    if (!mod.validate()) throw new Error(`${file} failed validation`);
    const imports = [];
    for (let i = 0; i < mod.getNumFunctions(); i++) {
      const info = binaryen.getFunctionInfo(mod.getFunctionByIndex(i));
      if (info.module) imports.push(`${info.module}.${info.base}`);
    }
    const unexpected = imports.filter((name) => !allowedImports.has(name));
    if (unexpected.length) throw new Error(`${file} imports ${unexpected.join(", ")}; boards provide only ${[...allowedImports].join(", ")}`);
    console.log(`${file}: ${bytes.length} bytes, imports: ${imports.join(", ") || "none"}`);
    mod.dispose();
  }
}
