// Generates the TypeScript and C views of spec/rtl-harness.json: the command codes of the verilated
// accelerator's bus harness, shared by the harness itself, hw/rtl-sim.ts and the device process's RTL engine.
// Usage: node scripts/gen-harness.mjs [--check]   (--check: exit 1 if a generated file is stale)
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { generatedNotice, runGenerator } from "./lib/generated.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const SPEC = "spec/rtl-harness.json";
const notice = generatedNotice(SPEC, "scripts/gen-harness.mjs");

function load() {
  const spec = JSON.parse(readFileSync(join(root, SPEC), "utf8"));
  const codes = new Set();
  for (const c of spec.commands) {
    if (!/^[a-z]+$/.test(c.name)) throw new Error(`${SPEC}: expected a lower-case command name, received ${JSON.stringify(c.name)}`);
    if (!Number.isInteger(c.code) || c.code < 0 || codes.has(c.code)) throw new Error(`${SPEC}: command ${c.name}: expected a code not used before, received ${c.code}`);
    codes.add(c.code);
  }
  return spec;
}

const ts = (spec) =>
  `// ${notice}\n\n/** Command words of the RTL bus harness (hw/tb/edgecl_tb.cpp). */\nexport const HARNESS_COMMANDS = {\n` +
  spec.commands.map((c) => `  /** ${c.meaning}: ${["command", ...c.args].join(", ")}${c.reply.length ? ` -> ${c.reply.join(", ")}` : ""} */\n  ${c.name}: ${c.code},`).join("\n") +
  "\n} as const;\n";

const c = (spec) =>
  `/* ${notice} */\n#ifndef EDGECL_HARNESS_H\n#define EDGECL_HARNESS_H\n\n/* Command words of the RTL bus harness (hw/tb/edgecl_tb.cpp). */\n` +
  spec.commands.map((cmd) => `#define EDGECL_HARNESS_${cmd.name.toUpperCase()} ${cmd.code}u /* ${cmd.meaning} */`).join("\n") +
  "\n\n#endif\n";

runGenerator({
  name: "gen-harness",
  root,
  spec: SPEC,
  generator: "scripts/gen-harness.mjs",
  produce: () => {
    const spec = load();
    return { "host/generated/harness.ts": ts(spec), "firmware/include/edgecl_harness.h": c(spec) };
  },
});
