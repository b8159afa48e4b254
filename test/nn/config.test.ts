// The generated views of spec/config.json (assembly/nn/abi.ts, assembly/cl/abi.ts, docs/config.md): current, renumbered
// when the spec moves a word, and a bad spec is refused naming what is wrong.
import { describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generatorHarness, itFindsCurrent, root } from "../helpers/generator";

const GENERATED = ["assembly/nn/abi.ts", "assembly/cl/abi.ts", "docs/config.md"];
const harness = generatorHarness("scripts/gen-config.mjs", ["spec/config.json", ...GENERATED]);

/** The `export const NAME = VALUE;` lines of a generated view, as a map. */
function constants(file: string): Map<string, number> {
  const text = readFileSync(file, "utf8");
  return new Map([...text.matchAll(/^export const ([A-Z0-9_]+) = (-?\d+);$/gm)].map((m) => [m[1], Number(m[2])]));
}

function editSpec(copy: string, edit: (spec: any) => void): void {
  const path = join(copy, "spec/config.json");
  const spec = JSON.parse(readFileSync(path, "utf8"));
  edit(spec);
  writeFileSync(path, JSON.stringify(spec, null, 2));
}

const { copyProject, gen } = harness;

describe("gen-config", () => {
  itFindsCurrent(harness);

  it("lays the model blob out: 16 scalar words, 9 roles of 3 words, 8 precision states of 9 roles, 32 layer overrides of 5 words, then the layers", () => {
    const nn = constants(join(root, "assembly/nn/abi.ts"));
    expect(nn.get("CFG_ROLES")).toBe(16);
    expect(nn.get("CFG_GEMM")).toBe(16 + 9 * 3);
    expect(nn.get("CFG_STATES")).toBe(16 + 9 * 3 + 5);
    expect(nn.get("CFG_OVERRIDES")).toBe(16 + 9 * 3 + 5 + 8 * 9 * 3 + 1);
    expect(nn.get("CFG_LAYERS")).toBe(16 + 9 * 3 + 5 + 8 * 9 * 3 + 1 + 32 * 5 + 1);
    expect([nn.get("NN_BAD_VERSION"), nn.get("NN_BAD_CONFIG"), nn.get("NN_BAD_MODEL")]).toEqual([-20, -21, -30]);
    const cl = constants(join(root, "assembly/cl/abi.ts"));
    // 13 strategy words, then the precision policy: 6 words, 16 schedule changes of 3 words, adaptive's 7 words (roles, swamp, underflow, overflow, range, widen, narrow) and boundary's drift window and k.
    expect(cl.get("CL_WORD_COUNT")).toBe(13 + 6 + 16 * 3 + 7 + 2);
    expect(cl.get("STRATEGY_COUNT")).toBe(11);
  });

  it("a word inserted in the spec moves every later word and leaves the other view alone", () => {
    const copy = copyProject("inserted");
    editSpec(copy, (spec) => spec.model.blob.words.splice(2, 0, { name: "EXTRA" }));
    const check = gen(copy, "--check");
    expect(check.status).toBe(1);
    expect(check.stderr).toContain("assembly/nn/abi.ts");
    expect(check.stderr).not.toContain("assembly/cl/abi.ts");
    expect(gen(copy).status).toBe(0);
    const before = constants(join(root, "assembly/nn/abi.ts"));
    const after = constants(join(copy, "assembly/nn/abi.ts"));
    expect(after.get("CFG_EXTRA")).toBe(2);
    expect(after.get("CFG_SEED")).toBe(before.get("CFG_SEED"));
    for (const name of ["CFG_MAX_BATCH", "CFG_ROLES", "CFG_GEMM", "CFG_LAYERS"]) expect(after.get(name), name).toBe(before.get(name)! + 1);
  });

  it("refuses a name given twice and a size naming an unknown constant", () => {
    const twice = copyProject("twice");
    editSpec(twice, (spec) => spec.strategy.blob.words.push({ name: "LAMBDA" }));
    const r = gen(twice);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("expected each name once, received CL_LAMBDA twice");
    const unknown = copyProject("unknown");
    editSpec(unknown, (spec) => (spec.model.blob.words.find((w: any) => w.name === "ROLES").size = "ROLE_COUNT * NO_SUCH"));
    const u = gen(unknown);
    expect(u.status).not.toBe(0);
    expect(u.stderr).toContain('model.blob.ROLES.size: expected numbers and constant names, received "NO_SUCH"');
  });
});
