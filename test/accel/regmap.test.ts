// The generated views of spec/regmap.json: current (gen-regmap --check), able to notice drift, refusing
// bad specs with the path of the mistake, and agreeing with the spec in TypeScript, AssemblyScript and C.
// Expected values are read from the spec here, not from the generator.
import { describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkTests, generatorHarness, root } from "../helpers/generator.js";
import * as generated from "../../host/generated/regmap";

const spec = JSON.parse(readFileSync(join(root, "spec/regmap.json"), "utf8"));
const formats = JSON.parse(readFileSync(join(root, "spec/formats.json"), "utf8"));
const GENERATED = ["assembly/generated/regmap.ts", "host/generated/regmap.ts", "firmware/include/edgecl_regmap.h", "docs/accelerator.md"];
const FILES = ["scripts/gen-regmap.mjs", "scripts/lib/generated.mjs", "spec/regmap.json", "spec/formats.json", ...GENERATED];
const num = (hex: string) => Number.parseInt(hex, 16);

/** Every constant the views must define, computed from the spec. */
function expectedConstants(): Record<string, number> {
  const out: Record<string, number> = {
    ACCEL_BASE: num(spec.base), ACCEL_SPAN: num(spec.span), ACCEL_ID_MAGIC: num(spec.id.magic),
    ACCEL_ID_MAJOR: spec.id.major, ACCEL_ID_MINOR: spec.id.minor, ACCEL_ABSENT: num(spec.absent.value),
  };
  for (const r of spec.registers) {
    out[`ACCEL_${r.name}_OFFSET`] = num(r.offset);
    if (r.reset !== "config") out[`ACCEL_${r.name}_RESET`] = num(r.reset);
    for (const f of r.fields ?? []) {
      out[`ACCEL_${r.name}_${f.name}_SHIFT`] = f.lsb;
      out[`ACCEL_${r.name}_${f.name}_MASK`] = 2 ** f.bits - 1;
    }
  }
  for (const e of spec.errors) out[`ACCEL_ERR_${e.name}`] = e.code;
  for (const f of spec.formats.list) {
    const named = formats.named.find((n: { id: string }) => n.id === f.id);
    const specials = ["ieee", "fn", "none"].indexOf(named.specials);
    const id = f.id.toUpperCase();
    out[`ACCEL_FMT_${id}_BIT`] = f.bit;
    // Word layout from docs/formats.md: kind 0-3, specials 4-5, e 8-15, m 16-23 (kind float = 0).
    out[`ACCEL_FMT_${id}_WORD`] = (specials << 4) | (named.e << 8) | (named.m << 16);
  }
  return out;
}

const harness = generatorHarness("scripts/gen-regmap.mjs", FILES.slice(2));
const { copyWithSpec, gen, scratch } = harness;

describe("gen-regmap", () => {
  checkTests(harness, {
    view: "firmware/include/edgecl_regmap.h", from: "EDGECL_ACCEL_M_OFFSET 0x0000001Cu", to: "EDGECL_ACCEL_M_OFFSET 0x00000020u", untouched: "host/generated/regmap.ts",
    spec: "spec/regmap.json", change: (s) => s.errors.push({ name: "NEW_ERROR", code: 99, meaning: "a new error" }), views: GENERATED,
  });

  it.each([
    ["two registers at one offset", (s: any) => (s.registers[5].offset = s.registers[4].offset), 'registers: expected unique offsets, received 16'],
    ["an unaligned offset", (s: any) => (s.registers[4].offset = "0x011"), 'registers.X_ADDR.offset: expected a multiple of 4, received "0x011"'],
    ["overlapping fields", (s: any) => (s.registers[0].fields[1].lsb = 4), 'registers.ID.MAJOR: expected fields that do not overlap, received "bits 4..11"'],
    ["a field past bit 31", (s: any) => (s.registers[0].fields[2].bits = 17), "registers.ID.MAGIC.bits: expected an integer in [1, 16], received 17"],
    ["a repeated error code", (s: any) => (s.errors[2].code = 1), "errors: expected unique codes, received 1"],
    ["an unknown format", (s: any) => (s.formats.list[0].id = "fp8"), 'formats.list[0].id: expected a float format of spec/formats.json'],
    ["a config reset on a writable register", (s: any) => (s.registers[4].reset = "config"), 'registers.X_ADDR.reset: expected a hex value (only read-only registers take theirs from the configuration), received "config"'],
    ["an ID reset that disagrees with id", (s: any) => (s.id.minor = 3), "registers.ID.reset: expected 0xEDC10103 (from id), received \"0xEDC10101\""],
  ])("refuses a spec with %s, naming where", (name, edit, message) => {
    const result = gen(copyWithSpec(`bad-${name.replace(/\W+/g, "-")}`, "spec/regmap.json", edit));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`spec/regmap.json: ${message}`);
  });

  it("starts every generated file with a do-not-edit notice naming the source", () => {
    for (const f of GENERATED.slice(0, 3)) {
      expect(readFileSync(join(root, f), "utf8").split("\n")[0]).toMatch(/Generated from spec\/regmap\.json by scripts\/gen-regmap\.mjs\. Do not edit/);
    }
  });
});

describe("the views agree with the spec", () => {
  const expected = expectedConstants();

  it("TypeScript: constants and tables", () => {
    const received = Object.fromEntries(Object.keys(expected).map((k) => [k, (generated as Record<string, unknown>)[k]]));
    expect(received).toEqual(expected);
    expect(generated.REGISTERS.map((r) => r.name)).toEqual([...spec.registers].sort((a: any, b: any) => num(a.offset) - num(b.offset)).map((r: any) => r.name));
    expect(generated.ACCEL_ERRORS.map((e) => e.code)).toEqual(spec.errors.map((e: any) => e.code));
  });

  it("AssemblyScript: the compiled constants", () => {
    const wasm = join(scratch(), "regmap.wasm");
    execFileSync(join(root, "node_modules/.bin/asc"), [join(root, "assembly/generated/regmap.ts"), "--outFile", wasm, "--runtime", "stub"], { cwd: scratch(), stdio: "pipe" });
    const { exports } = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(wasm)), {});
    const received = Object.fromEntries(Object.keys(expected).map((k) => [k, ((exports[k] as WebAssembly.Global | undefined)?.value ?? NaN) >>> 0]));
    expect(received).toEqual(expected);
  });

  it.each(["c99", "c11"])("C (%s, -pedantic -Werror): the header compiles, its static checks hold, its values are the spec's", (std) => {
    const names = Object.keys(expected);
    const source = `#include <stdio.h>\n#include "edgecl_regmap.h"\nint main(void) {\n${names.map((n) => `printf("${n} %lu\\n", (unsigned long)EDGECL_${n});`).join("\n")}\n` +
      `printf("struct %lu\\n", (unsigned long)sizeof(edgecl_accel_regs_t));\nreturn 0;\n}\n`;
    writeFileSync(join(scratch(), `values-${std}.c`), source);
    execFileSync("gcc", [`-std=${std}`, "-pedantic", "-Wall", "-Werror", "-I", join(root, "firmware/include"), join(scratch(), `values-${std}.c`), "-o", join(scratch(), `values-${std}`)], { stdio: "pipe" });
    const lines = execFileSync(join(scratch(), `values-${std}`), { encoding: "utf8" }).trim().split("\n");
    expect(lines).toEqual([...names.map((n) => `${n} ${expected[n]}`), `struct ${num(spec.span)}`]);
  });

  it("C: a struct that disagrees with an offset stops the build", () => {
    // The static checks are live: compile the header with one offset #define changed under it.
    const header = readFileSync(join(root, "firmware/include/edgecl_regmap.h"), "utf8").replace("#define EDGECL_ACCEL_K_OFFSET 0x00000024u", "#define EDGECL_ACCEL_K_OFFSET 0x00000028u");
    mkdirSync(join(scratch(), "broken"), { recursive: true });
    writeFileSync(join(scratch(), "broken/edgecl_regmap.h"), header);
    writeFileSync(join(scratch(), "broken/main.c"), '#include "edgecl_regmap.h"\nint main(void) { return 0; }\n');
    const result = spawnSync("gcc", ["-std=c11", "-c", "-I", join(scratch(), "broken"), join(scratch(), "broken/main.c"), "-o", join(scratch(), "broken/main.o")], { encoding: "utf8" });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("K offset");
  });
});
