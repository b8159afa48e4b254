// Generates every view of the accelerator's register map from spec/regmap.json:
//   assembly/generated/regmap.ts        AssemblyScript constants (the driver)
//   host/generated/regmap.ts            TypeScript constants and tables (the model, the host)
//   firmware/include/edgecl_regmap.h    C #defines, a register struct and static offset/size checks
//   docs/accelerator.md                 the tables between <!-- generated:NAME --> markers
// Usage: node scripts/gen-regmap.mjs [--check]
//   --check  write nothing; exit 1 if any file differs from what would be written.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cell, docView, generatedNotice, markdownTable, runGenerator } from "./lib/generated.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const SPEC = "spec/regmap.json";
const FORMATS_SPEC = "spec/formats.json";
const GENERATOR = "scripts/gen-regmap.mjs";
const OUTPUTS = {
  as: "assembly/generated/regmap.ts",
  ts: "host/generated/regmap.ts",
  c: "firmware/include/edgecl_regmap.h",
  docs: "docs/accelerator.md",
};
const NOTICE = generatedNotice(SPEC, GENERATOR);
const ACCESS = ["ro", "rw", "wo"];

// ---------------------------------------------------------------------------------------------
// Reading and checking the spec: every mistake names the path in the spec and what is allowed.

function fail(where, what, received) {
  throw new Error(`${SPEC}: ${where}: expected ${what}, received ${JSON.stringify(received)}`);
}

function hexValue(where, text, max) {
  if (typeof text !== "string" || !/^0x[0-9A-Fa-f]+$/.test(text)) fail(where, "a hex string such as \"0x1F\"", text);
  const value = Number.parseInt(text.slice(2), 16);
  if (value > max) fail(where, `at most 0x${max.toString(16)}`, text);
  return value;
}

function checkInt(where, value, min, max) {
  if (!Number.isInteger(value) || value < min || value > max) fail(where, `an integer in [${min}, ${max}]`, value);
}

function checkName(where, name) {
  if (typeof name !== "string" || !/^[A-Z][A-Z0-9_]*$/.test(name)) fail(where, "an UPPER_SNAKE name", name);
}

function checkMeaning(where, meaning) {
  if (typeof meaning !== "string" || meaning.length === 0) fail(where, "a description", meaning);
}

function loadSpec() {
  const spec = JSON.parse(readFileSync(join(root, SPEC), "utf8"));
  const formats = JSON.parse(readFileSync(join(root, FORMATS_SPEC), "utf8"));
  const base = hexValue("base", spec.base, 0xffffffff);
  const span = hexValue("span", spec.span, 0x10000);
  if (base % span !== 0) fail("base", `a multiple of the span 0x${span.toString(16)}`, spec.base);
  if (spec.width !== 32) fail("width", "32", spec.width);
  const magic = hexValue("id.magic", spec.id.magic, 0xffff);
  checkInt("id.major", spec.id.major, 0, 255);
  checkInt("id.minor", spec.id.minor, 0, 255);
  const absent = hexValue("absent.value", spec.absent.value, 0xffffffff);

  // Format words come from spec/formats.json, so a format is described in exactly one place.
  const shift = Object.fromEntries(formats.word.fields.map((f) => [f.name, f.shift]));
  const kindCode = Object.fromEntries(formats.kinds.map((k) => [k.name, k.code]));
  const specialsCode = Object.fromEntries(formats.specials.map((s) => [s.name, s.code]));
  const accelFormats = spec.formats.list.map((entry, i) => {
    const at = `formats.list[${i}]`;
    checkInt(`${at}.bit`, entry.bit, 0, 15);
    const named = formats.named.find((f) => f.id === entry.id);
    if (!named || named.kind !== "float") fail(`${at}.id`, `a float format of ${FORMATS_SPEC} (${formats.named.filter((f) => f.kind === "float").map((f) => f.id).join(", ")})`, entry.id);
    const word = ((kindCode[named.kind] << shift.kind) | (specialsCode[named.specials] << shift.specials) | (named.e << shift.e) | (named.m << shift.m)) >>> 0;
    return { bit: entry.bit, id: named.id, e: named.e, m: named.m, specials: named.specials, word };
  });
  unique("formats.list", accelFormats, "bit");
  unique("formats.list", accelFormats, "id");

  const errors = spec.errors.map((e, i) => {
    checkName(`errors[${i}].name`, e.name);
    checkInt(`errors.${e.name}.code`, e.code, 0, 255);
    checkMeaning(`errors.${e.name}.meaning`, e.meaning);
    return { name: e.name, code: e.code, meaning: e.meaning };
  });
  unique("errors", errors, "code");
  unique("errors", errors, "name");
  if (!errors.some((e) => e.name === "NONE" && e.code === 0)) fail("errors", "NONE with code 0", errors.map((e) => e.name));

  const registers = spec.registers.map((r, i) => {
    checkName(`registers[${i}].name`, r.name);
    const at = `registers.${r.name}`;
    const offset = hexValue(`${at}.offset`, r.offset, span - 4);
    if (offset % 4 !== 0) fail(`${at}.offset`, "a multiple of 4", r.offset);
    if (!ACCESS.includes(r.access)) fail(`${at}.access`, `one of ${ACCESS.join(", ")}`, r.access);
    const reset = r.reset === "config" ? null : hexValue(`${at}.reset`, r.reset, 0xffffffff);
    if (reset === null && r.access !== "ro") fail(`${at}.reset`, "a hex value (only read-only registers take theirs from the configuration)", r.reset);
    checkMeaning(`${at}.meaning`, r.meaning);
    let used = 0;
    const fields = (r.fields ?? []).map((f, j) => {
      checkName(`${at}.fields[${j}].name`, f.name);
      checkInt(`${at}.${f.name}.lsb`, f.lsb, 0, 31);
      checkInt(`${at}.${f.name}.bits`, f.bits, 1, 32 - f.lsb);
      checkMeaning(`${at}.${f.name}.meaning`, f.meaning);
      const mask = f.bits === 32 ? 0xffffffff : ((1 << f.bits) - 1) >>> 0;
      const placed = (mask << f.lsb) >>> 0;
      if ((used & placed) !== 0) fail(`${at}.${f.name}`, "fields that do not overlap", `bits ${f.lsb}..${f.lsb + f.bits - 1}`);
      used = (used | placed) >>> 0;
      return { name: f.name, lsb: f.lsb, bits: f.bits, mask, meaning: f.meaning };
    });
    unique(`${at}.fields`, fields, "name");
    return { name: r.name, offset, access: r.access, reset, meaning: r.meaning, fields, reserved: fields.length ? (~used >>> 0) : 0 };
  });
  unique("registers", registers, "offset");
  unique("registers", registers, "name");
  const idRegister = registers.find((r) => r.name === "ID");
  const idValue = ((magic << 16) | (spec.id.major << 8) | spec.id.minor) >>> 0;
  if (!idRegister || idRegister.reset !== idValue) fail("registers.ID.reset", `0x${idValue.toString(16).toUpperCase()} (from id)`, spec.registers.find((r) => r.name === "ID")?.reset);
  registers.sort((a, b) => a.offset - b.offset);
  return { base, span, magic, major: spec.id.major, minor: spec.id.minor, absent, formats: accelFormats, errors, registers };
}

function unique(where, items, key) {
  const seen = new Set();
  for (const item of items) {
    if (seen.has(item[key])) fail(where, `unique ${key}s`, item[key]);
    seen.add(item[key]);
  }
}

const hex = (v, digits = 8) => `0x${(v >>> 0).toString(16).toUpperCase().padStart(digits, "0")}`;
const upper = (id) => id.replace(/[^A-Za-z0-9]/g, "_").toUpperCase();

/** [name, value, comment, decimal] for every constant, in the order every view lists them. */
function constants(s) {
  const out = [
    ["ACCEL_BASE", s.base, "base address of the register block"],
    ["ACCEL_SPAN", s.span, "bytes of address space the block decodes"],
    ["ACCEL_ID_MAGIC", s.magic, "ID.MAGIC on every edgecl accelerator"],
    ["ACCEL_ID_MAJOR", s.major, "register-map major version", true],
    ["ACCEL_ID_MINOR", s.minor, "register-map minor version", true],
    ["ACCEL_ABSENT", s.absent, "a read on a board without the accelerator"],
  ];
  for (const r of s.registers) {
    out.push([`ACCEL_${r.name}_OFFSET`, r.offset, r.meaning]);
    if (r.reset !== null) out.push([`ACCEL_${r.name}_RESET`, r.reset, `reset value of ${r.name}`]);
    for (const f of r.fields) {
      out.push([`ACCEL_${r.name}_${f.name}_SHIFT`, f.lsb, null, true]);
      out.push([`ACCEL_${r.name}_${f.name}_MASK`, f.mask, null]);
    }
  }
  for (const e of s.errors) out.push([`ACCEL_ERR_${e.name}`, e.code, e.meaning, true]);
  for (const f of s.formats) {
    out.push([`ACCEL_FMT_${upper(f.id)}_BIT`, f.bit, `bit of ${f.id} in CAPS_FORMATS`, true]);
    out.push([`ACCEL_FMT_${upper(f.id)}_WORD`, f.word, `format word of ${f.id}`]);
  }
  return out;
}

/** Format words by CAPS_FORMATS bit (0xFFFFFFFF where no format has the bit). */
function wordsByBit(s) {
  const words = new Array(Math.max(...s.formats.map((f) => f.bit)) + 1).fill(0xffffffff);
  for (const f of s.formats) words[f.bit] = f.word;
  return words;
}

function genAs(s) {
  const L = [`// ${NOTICE}`, ""];
  for (const [name, value, comment, decimal] of constants(s)) {
    if (comment) L.push(`/** ${comment} */`);
    L.push(`export const ${name}: u32 = ${decimal ? value : hex(value)};`);
  }
  L.push("/** Format words by CAPS_FORMATS bit (0xFFFFFFFF: no format has the bit). */");
  L.push(`export const ACCEL_FORMAT_WORDS: StaticArray<u32> = [${wordsByBit(s).map((w) => hex(w)).join(", ")}];`);
  return L.join("\n") + "\n";
}

function genTs(s) {
  const L = [`// ${NOTICE}`, ""];
  for (const [name, value, comment, decimal] of constants(s)) {
    if (comment) L.push(`/** ${comment} */`);
    L.push(`export const ${name} = ${decimal ? value : hex(value)};`);
  }
  L.push("");
  L.push("export type RegisterAccess = \"ro\" | \"rw\" | \"wo\";");
  L.push("export interface RegisterField { name: string; lsb: number; bits: number; mask: number; meaning: string }");
  L.push("/** reset is null for read-only registers whose value comes from the accelerator's configuration. */");
  L.push("export interface Register { name: string; offset: number; access: RegisterAccess; reset: number | null; reserved: number; meaning: string; fields: RegisterField[] }");
  L.push(`export const REGISTERS: readonly Register[] = ${JSON.stringify(s.registers, null, 2)};`);
  L.push(`export const ACCEL_ERRORS: readonly { name: string; code: number; meaning: string }[] = ${JSON.stringify(s.errors, null, 2)};`);
  L.push(`export const ACCEL_FORMATS: readonly { bit: number; id: string; e: number; m: number; specials: string; word: number }[] = ${JSON.stringify(s.formats, null, 2)};`);
  return L.join("\n") + "\n";
}

function genC(s) {
  const L = [
    `/* ${NOTICE} */`,
    "#ifndef EDGECL_REGMAP_H",
    "#define EDGECL_REGMAP_H",
    "",
    "#include <stddef.h>",
    "#include <stdint.h>",
    "",
    "/* _Static_assert is C11; under C99 a negative array size stops the build instead. */",
    "#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L",
    "#define EDGECL_REGMAP_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)",
    "#else",
    "#define EDGECL_REGMAP_ASSERT_JOIN2(a, b) a##b",
    "#define EDGECL_REGMAP_ASSERT_JOIN(a, b) EDGECL_REGMAP_ASSERT_JOIN2(a, b)",
    "#define EDGECL_REGMAP_STATIC_ASSERT(cond, msg) typedef char EDGECL_REGMAP_ASSERT_JOIN(edgecl_regmap_assert_, __LINE__)[(cond) ? 1 : -1]",
    "#endif",
    "",
  ];
  for (const [name, value, comment, decimal] of constants(s)) {
    L.push(`#define EDGECL_${name} ${decimal ? value : hex(value)}u${comment ? ` /* ${comment.replace(/\*\//g, "* /")} */` : ""}`);
  }
  L.push("", "/* The register block as a struct, for firmware that maps it at EDGECL_ACCEL_BASE. */", "typedef struct {");
  let at = 0;
  let pad = 0;
  for (const r of s.registers) {
    if (r.offset > at) L.push(`  uint32_t reserved${pad++}[${(r.offset - at) / 4}];`);
    L.push(`  ${r.access === "ro" ? "const " : ""}volatile uint32_t ${r.name}; /* ${hex(r.offset, 3)} ${r.access} */`);
    at = r.offset + 4;
  }
  if (s.span > at) L.push(`  uint32_t reserved${pad++}[${(s.span - at) / 4}];`);
  L.push("} edgecl_accel_regs_t;", "");
  for (const r of s.registers) {
    L.push(`EDGECL_REGMAP_STATIC_ASSERT(offsetof(edgecl_accel_regs_t, ${r.name}) == EDGECL_ACCEL_${r.name}_OFFSET, "${r.name} offset");`);
  }
  L.push(`EDGECL_REGMAP_STATIC_ASSERT(sizeof(edgecl_accel_regs_t) == EDGECL_ACCEL_SPAN, "register block size");`);
  L.push("", "#endif", "");
  return L.join("\n");
}

// ---------------------------------------------------------------------------------------------
// Docs tables, spliced between <!-- generated:NAME --> and <!-- /generated:NAME --> markers.

function docSections(s) {
  const sections = {};
  sections.registers = markdownTable(["offset", "name", "access", "reset", "meaning"], s.registers,
    (r) => [hex(r.offset, 3), `\`${r.name}\``, r.access, r.reset === null ? "from the configuration" : `\`${hex(r.reset)}\``, cell(r.meaning)]);
  const fields = markdownTable(["register", "field", "bits", "meaning"], s.registers.flatMap((r) => r.fields.map((f) => [r, f])),
    ([r, f]) => [`\`${r.name}\``, `\`${f.name}\``, f.bits === 1 ? `${f.lsb}` : `${f.lsb + f.bits - 1}:${f.lsb}`, cell(f.meaning)]);
  sections.fields = fields + "\nBits not listed are reserved: they read as 0, and setting one in `OP` or `MAC` is a `BAD_OP` error.\n";
  sections.errors = markdownTable(["code", "name", "meaning"], s.errors, (e) => [e.code, `\`${e.name}\``, cell(e.meaning)]);
  sections.formats = markdownTable(["bit", "format", "format word"], s.formats, (f) => [f.bit, `\`${f.id}\``, `\`${hex(f.word)}\``]);
  return sections;
}

// ---------------------------------------------------------------------------------------------

runGenerator({
  name: "gen-regmap",
  root,
  spec: SPEC,
  generator: GENERATOR,
  load: loadSpec,
  views: {
    [OUTPUTS.as]: genAs,
    [OUTPUTS.ts]: genTs,
    [OUTPUTS.c]: genC,
    [OUTPUTS.docs]: docView(OUTPUTS.docs, docSections, NOTICE),
  },
});
