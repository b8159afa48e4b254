// The generated views of spec/formats.json are current, and a stale one is named.
import { describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generatorHarness, root } from "../support/generator";

const GENERATED = ["assembly/generated/formats.ts", "host/generated/formats.ts", "firmware/include/edgecl_formats.h"];
const { copyProject, gen, itFindsEveryViewCurrent } = generatorHarness("scripts/gen-formats.mjs", ["spec/formats.json", ...GENERATED]);

describe("gen-formats", () => {
  itFindsEveryViewCurrent();

  it("--check names a hand-edited view; a run repairs it", () => {
    const copy = copyProject("edited");
    const header = join(copy, "firmware/include/edgecl_formats.h");
    writeFileSync(header, readFileSync(header, "utf8").replace("#define EDGECL_ROUND_SR 6", "#define EDGECL_ROUND_SR 7"));
    const check = gen(copy, "--check");
    expect(check.status).toBe(1);
    expect(check.stderr).toContain("firmware/include/edgecl_formats.h");
    expect(check.stderr).not.toContain("host/generated/formats.ts");
    expect(gen(copy).status).toBe(0);
    expect(readFileSync(header, "utf8")).toBe(readFileSync(join(root, "firmware/include/edgecl_formats.h"), "utf8"));
  });

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
