// The generated views of spec/protocol.json: current (gen-protocol --check), able to notice drift,
// and in agreement with the spec in all three languages. Expected values are read from the spec
// itself and the layout offsets are summed here from the field sizes, not taken from the generator.
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkTests, generatorHarness, root } from "../helpers/generator.js";
import * as generated from "../../host/protocol/generated.js";

const spec = JSON.parse(readFileSync(join(root, "spec/protocol.json"), "utf8"));
const FILES = ["scripts/gen-protocol.mjs", "scripts/lib/generated.mjs", "spec/protocol.json", "host/protocol/generated.ts", "firmware/include/edgecl_protocol.h", "assembly/generated/protocol.ts", "docs/protocol.md"];
const SIZES: Record<string, number> = { u8: 1, u16: 2, u32: 4, i32: 4, f32: 4, f64: 8 };
const upperSnake = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();

interface SpecField { name: string; type: string }
interface SpecMessage { name: string; code: number; payload: SpecField[]; reply?: SpecField[] }

/** [constant suffix, offset] for every field at a fixed offset, and the fixed size, summed from the spec. */
function offsets(fields: SpecField[]): { fields: Array<[string, number]>; fixed: number } {
  const out: Array<[string, number]> = [];
  let at = 0;
  for (const f of fields) {
    out.push([upperSnake(f.name), at]);
    if (!(f.type in SIZES)) return { fields: out, fixed: at };
    at += SIZES[f.type];
  }
  return { fields: out, fixed: at };
}

const harness = generatorHarness("scripts/gen-protocol.mjs", FILES.slice(2));
const { copyWithSpec, gen, scratch } = harness;

describe("gen-protocol", () => {
  checkTests(harness, {
    view: "firmware/include/edgecl_protocol.h", from: "EDGECL_MSG_TRAIN = 0x04", to: "EDGECL_MSG_TRAIN = 0x05", untouched: "host/protocol/generated.ts",
    spec: "spec/protocol.json", change: (s) => s.errors.push({ name: "NEW_ERROR", code: 99, layer: "device", meaning: "a new error" }), views: FILES.slice(2),
  });

  it.each([
    ["a repeated message code", (s: typeof spec) => (s.messages[1].code = s.messages[0].code), 'messages: expected unique codes, received 1'],
    ["an unknown field type", (s: typeof spec) => (s.messages[3].payload[0].type = "u24"), 'messages.TRAIN.payload[0].type: expected one of u8, u16, u32, i32, f32, f64, str, text, bytes, rest, list, received "u24"'],
    ["rest before the last field", (s: typeof spec) => s.messages[1].payload.reverse(), "messages.DEPLOY.payload[0].type: expected rest only as the last field, received \"rest\""],
    ["an error code above u16", (s: typeof spec) => (s.errors[0].code = 70000), "errors.BAD_ENCODING.code: expected an integer in [1, 65535], received 70000"],
    ["an unknown enum", (s: typeof spec) => (s.messages[2].payload[1].enum = "Splits"), 'messages.DATA.payload[1].enum: expected one of Split, SampleEncoding'],
  ])("refuses a spec with %s, naming where", (_, edit, message) => {
    const result = gen(copyWithSpec(`bad-${_.replace(/\W+/g, "-")}`, "spec/protocol.json", edit));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`spec/protocol.json: ${message}`);
  });

  it("starts every generated file with a do-not-edit notice naming the source", () => {
    for (const f of ["host/protocol/generated.ts", "firmware/include/edgecl_protocol.h", "assembly/generated/protocol.ts"]) {
      expect(readFileSync(join(root, f), "utf8").split("\n")[0]).toMatch(/Generated from spec\/protocol\.json by scripts\/gen-protocol\.mjs\. Do not edit/);
    }
  });
});

describe("the three views agree with the spec", () => {
  it("gives every named format of spec/formats.json a bit in the HELLO accelFormats mask (u32)", () => {
    const formats = JSON.parse(readFileSync(join(root, "spec/formats.json"), "utf8"));
    const field = spec.messages.find((m: SpecMessage) => m.name === "HELLO").reply.find((f: SpecField) => f.name === "accelFormats");
    expect(field.type).toBe("u32");
    expect(formats.named.length).toBeLessThanOrEqual(32);
  });

  it("TypeScript: message types, error codes, enums, version", () => {
    expect(generated.PROTOCOL_VERSION).toBe(spec.version);
    for (const m of spec.messages) expect(generated.MessageType[m.name as keyof typeof generated.MessageType]).toBe(m.code);
    for (const e of spec.errors) expect(generated.ErrorCode[e.name as keyof typeof generated.ErrorCode]).toBe(e.code);
    for (const [name, en] of Object.entries<{ values: Array<{ name: string; value: number }> }>(spec.enums)) {
      expect(generated.ENUMS[name as keyof typeof generated.ENUMS].values).toEqual(Object.fromEntries(en.values.map((v) => [v.name, v.value])));
    }
  });

  it("AssemblyScript: the compiled module exports the spec's values", () => {
    const wasm = join(scratch(), "protocol.wasm");
    execFileSync(join(root, "node_modules/.bin/asc"), [join(root, "assembly/generated/protocol.ts"), "--outFile", wasm, "--runtime", "stub"], { cwd: scratch(), stdio: "pipe" });
    const { exports } = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(wasm)), {});
    const value = (name: string) => (exports[name] as WebAssembly.Global | undefined)?.value;
    const expected: Record<string, number> = { PROTOCOL_VERSION: spec.version, HEADER_SIZE: 8, CRC_SIZE: 4, FRAME_OVERHEAD: 12, CHUNK_HEADER_SIZE: 17 };
    for (const m of spec.messages as SpecMessage[]) {
      expected[`MSG_${m.name}`] = m.code;
      for (const [suffix, fields] of [["", m.payload], ["_REPLY", m.reply]] as const) {
        if (!fields) continue;
        const o = offsets(fields);
        for (const [field, at] of o.fields) expected[`${m.name}${suffix}_${field}_OFFSET`] = at;
        expected[`${m.name}${suffix}_FIXED_SIZE`] = o.fixed;
      }
    }
    for (const e of spec.errors) expected[`ERR_${e.name}`] = e.code;
    for (const [name, en] of Object.entries<{ values: Array<{ name: string; value: number }> }>(spec.enums)) {
      for (const v of en.values) expected[`${upperSnake(name)}_${v.name}`] = v.value;
    }
    for (const [name, limit] of Object.entries<{ value: number }>(spec.limits)) expected[upperSnake(name)] = limit.value;
    const received = Object.fromEntries(Object.keys(expected).map((k) => [k, value(k)]));
    expect(received).toEqual(expected);
  });

  it("C: the compiled header gives the spec's values", () => {
    const lines: string[] = [];
    const expected: string[] = [];
    for (const m of spec.messages as SpecMessage[]) {
      lines.push(`printf("MSG_${m.name} %d\\n", (int)EDGECL_MSG_${m.name});`);
      expected.push(`MSG_${m.name} ${m.code}`);
      for (const [suffix, fields] of [["", m.payload], ["_REPLY", m.reply]] as const) {
        if (!fields) continue;
        const o = offsets(fields);
        for (const [field, at] of [...o.fields.map(([f, a]) => [`${f}_OFFSET`, a] as const), ["FIXED_SIZE", o.fixed] as const]) {
          const name = `EDGECL_${m.name}${suffix}_${field}`;
          lines.push(`printf("${name} %u\\n", (unsigned)${name});`);
          expected.push(`${name} ${at}`);
        }
      }
    }
    for (const e of spec.errors) {
      lines.push(`printf("ERR_${e.name} %d\\n", (int)EDGECL_ERR_${e.name});`);
      expected.push(`ERR_${e.name} ${e.code}`);
    }
    lines.push(`#define X(name, code, meaning) printf("X %s %d %s\\n", #name, code, meaning);`, "EDGECL_ERRORS(X)");
    for (const e of spec.errors) expected.push(`X ${e.name} ${e.code} ${e.meaning}`);
    const source = `#include <stdio.h>\n#include "edgecl_protocol.h"\nint main(void) {\n${lines.join("\n")}\nreturn 0;\n}\n`;
    writeFileSync(join(scratch(), "values.c"), source);
    execFileSync("gcc", ["-std=c99", "-pedantic", "-Wall", "-Werror", "-I", join(root, "firmware/include"), join(scratch(), "values.c"), "-o", join(scratch(), "values")], { stdio: "pipe" });
    expect(execFileSync(join(scratch(), "values"), { encoding: "utf8" }).trim().split("\n")).toEqual(expected);
  });
});
