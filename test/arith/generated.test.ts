// The generated views of spec/formats.json are current, and a stale one is named.
import { describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkTests, generatorHarness } from "../support/generator";

const GENERATED = ["assembly/generated/formats.ts", "host/generated/formats.ts", "firmware/include/edgecl_formats.h"];
const harness = generatorHarness("scripts/gen-formats.mjs", ["spec/formats.json", ...GENERATED]);
const { copyProject, gen } = harness;

describe("gen-formats", () => {
  checkTests(harness, { view: "firmware/include/edgecl_formats.h", from: "#define EDGECL_ROUND_SR 6", to: "#define EDGECL_ROUND_SR 7", untouched: "host/generated/formats.ts" });

  it("--check names every view when the spec changes", () => {
    const copy = copyProject("changed");
    const path = join(copy, "spec/formats.json");
    const spec = JSON.parse(readFileSync(path, "utf8"));
    spec.mx.blockSize = 16;
    writeFileSync(path, JSON.stringify(spec, null, 2));
    const check = gen(copy, "--check");
    expect(check.status).toBe(1);
    for (const f of GENERATED) expect(check.stderr).toContain(f);
  });
});
