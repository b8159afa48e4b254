// The generated views of spec/rtl-harness.json (the RTL bus harness's command codes): current
// (gen-harness --check), able to notice drift, refusing a spec with a repeated code, and used by every
// party: the harness answers each command in its switch, hw/rtl-sim.ts and the device process's RTL
// engine send them by name, so no code is written out twice.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { checkTests, generatorHarness, root } from "../helpers/generator.js";

const FILES = ["spec/rtl-harness.json", "host/generated/harness.ts", "firmware/include/edgecl_harness.h"] as const;
const spec = JSON.parse(readFileSync(join(root, "spec/rtl-harness.json"), "utf8")) as { commands: { name: string; code: number }[] };
const harness = generatorHarness("scripts/gen-harness.mjs", FILES);

describe("gen-harness", () => {
  checkTests(harness, {
    view: "firmware/include/edgecl_harness.h", from: "EDGECL_HARNESS_RUN 5u", to: "EDGECL_HARNESS_RUN 9u", untouched: "host/generated/harness.ts",
    spec: "spec/rtl-harness.json", change: (s) => s.commands.push({ name: "reset", code: 8, args: [], reply: [], meaning: "a new command" }), views: FILES.slice(1),
  });

  it("refuses a spec with a repeated code, naming the command", () => {
    const result = harness.gen(harness.copyWithSpec("repeated", "spec/rtl-harness.json", (s) => (s.commands[1].code = s.commands[0].code)));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`command ${spec.commands[1].name}: expected a code not used before, received ${spec.commands[0].code}`);
  });

  it("the harness answers every command by its generated name, and no party writes a code out", () => {
    const tb = readFileSync(join(root, "hw/tb/edgecl_tb.cpp"), "utf8");
    for (const c of spec.commands) expect(tb).toContain(`case EDGECL_HARNESS_${c.name.toUpperCase()}:`);
    expect(tb).not.toMatch(/case \d+:/);
    const engine = readFileSync(join(root, "firmware/device/rtl_engine.c"), "utf8");
    expect(engine).toContain('#include "edgecl_harness.h"');
    expect(engine).not.toMatch(/CMD_[A-Z]+ = \d/);
    const sim = readFileSync(join(root, "hw/rtl-sim.ts"), "utf8");
    expect(sim).toContain("HARNESS_COMMANDS");
    expect(sim).not.toMatch(/quit: 0/);
  });
});
