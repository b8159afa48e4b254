// Generates every view of the host<->board protocol from spec/protocol.json:
//   host/protocol/generated.ts        TypeScript consts and layout tables (host, simulated board)
//   firmware/include/edgecl_protocol.h C enums, #defines and static size checks (firmware)
//   assembly/generated/protocol.ts     AssemblyScript consts (device code)
//   docs/protocol.md                   the tables between <!-- generated:NAME --> markers
// Usage: node scripts/gen-protocol.mjs [--check]
//   --check  write nothing; exit 1 if any file differs from what would be written.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cell, docView, generatedNotice, markdownTable, runGenerator } from "./lib/generated.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const SPEC = "spec/protocol.json";
const GENERATOR = "scripts/gen-protocol.mjs";
const OUTPUTS = {
  ts: "host/protocol/generated.ts",
  c: "firmware/include/edgecl_protocol.h",
  as: "assembly/generated/protocol.ts",
  docs: "docs/protocol.md",
};
const NOTICE = generatedNotice(SPEC, GENERATOR);

const FIXED_SIZES = { u8: 1, u16: 2, u32: 4, i32: 4, f32: 4, f64: 8 };
const VARIABLE_TYPES = new Set(["str", "text", "bytes", "rest", "list"]);

// ---------------------------------------------------------------------------------------------
// Reading and checking the spec: every mistake names the path in the spec and what is allowed.

function fail(where, what, received) {
  throw new Error(`${SPEC}: ${where}: expected ${what}, received ${JSON.stringify(received)}`);
}

function checkName(where, name, pattern, what) {
  if (typeof name !== "string" || !pattern.test(name)) fail(where, what, name);
}

function checkInt(where, value, min, max) {
  if (!Number.isInteger(value) || value < min || value > max) fail(where, `an integer in [${min}, ${max}]`, value);
}

function checkUnique(where, items, key) {
  const seen = new Set();
  for (const item of items) {
    if (seen.has(item[key])) fail(where, `unique ${key}s`, item[key]);
    seen.add(item[key]);
  }
}

/** Who writes a reply field the device lays out: the device (the default) or the board, over what the device wrote there. */
const FILLERS = ["device", "board"];

/** The reply fields the board fills, by request name (only requests with any). */
function boardFilled(spec) {
  return spec.messages
    .filter((m) => m.reply?.some((f) => f.filledBy === "board"))
    .map((m) => [m.name, m.reply.filter((f) => f.filledBy === "board").map((f) => f.name)]);
}

function checkFields(where, fields, enums, { allowList = true } = {}) {
  if (!Array.isArray(fields)) fail(where, "an array of fields", fields);
  checkUnique(where, fields, "name");
  fields.forEach((field, i) => {
    const at = `${where}[${i}]`;
    checkName(`${at}.name`, field.name, /^[a-z][A-Za-z0-9]*$/, "a camelCase field name");
    const allowed = Object.keys(FIXED_SIZES).concat([...VARIABLE_TYPES].filter((t) => allowList || t !== "list"));
    if (!allowed.includes(field.type)) fail(`${at}.type`, `one of ${allowed.join(", ")}`, field.type);
    if (typeof field.meaning !== "string" || field.meaning.length === 0) fail(`${at}.meaning`, "a description", field.meaning);
    if (field.type === "rest" && i !== fields.length - 1) fail(`${at}.type`, "rest only as the last field", field.type);
    if (field.type === "list") checkFields(`${at}.of`, field.of, enums, { allowList: false });
    else if (field.of !== undefined) fail(`${at}.of`, "no item fields on a non-list field", field.of);
    if (field.filledBy !== undefined && !FILLERS.includes(field.filledBy)) fail(`${at}.filledBy`, FILLERS.join(" or "), field.filledBy);
    if (field.enum !== undefined) {
      if (!(field.enum in enums)) fail(`${at}.enum`, `one of ${Object.keys(enums).join(", ")}`, field.enum);
      if (!(field.type in FIXED_SIZES) || field.type.startsWith("f")) fail(`${at}.type`, "an integer type for an enum field", field.type);
    }
  });
}

function loadSpec() {
  const spec = JSON.parse(readFileSync(join(root, SPEC), "utf8"));
  checkInt("version", spec.version, 1, 255);
  if (spec.byteOrder !== "little-endian") fail("byteOrder", '"little-endian"', spec.byteOrder);
  if (spec.framing?.delimiter !== 0) fail("framing.delimiter", "0 (COBS removes only zero bytes)", spec.framing?.delimiter);
  if (spec.framing.crc?.size !== 4) fail("framing.crc.size", "4", spec.framing.crc?.size);

  const headerNames = spec.header.map((f) => `${f.name}:${f.type}`).join(",");
  if (headerNames !== "version:u8,type:u8,seq:u16,length:u32") fail("header", "version:u8,type:u8,seq:u16,length:u32", headerNames);

  for (const [name, limit] of Object.entries(spec.limits)) {
    checkName(`limits.${name}`, name, /^[a-z][A-Za-z0-9]*$/, "a camelCase name");
    checkInt(`limits.${name}.value`, limit.value, 0, 2 ** 32 - 1);
  }

  for (const [name, en] of Object.entries(spec.enums)) {
    checkName(`enums.${name}`, name, /^[A-Z][A-Za-z0-9]*$/, "a PascalCase enum name");
    if (en.kind !== "values" && en.kind !== "flags") fail(`enums.${name}.kind`, '"values" or "flags"', en.kind);
    checkUnique(`enums.${name}.values`, en.values, "name");
    checkUnique(`enums.${name}.values`, en.values, "value");
    for (const v of en.values) {
      checkName(`enums.${name}.${v.name}`, v.name, /^[A-Z][A-Z0-9_]*$/, "an UPPER_SNAKE name");
      checkInt(`enums.${name}.${v.name}.value`, v.value, 0, 255);
      if (en.kind === "flags" && (v.value === 0 || (v.value & (v.value - 1)) !== 0)) fail(`enums.${name}.${v.name}.value`, "a single bit", v.value);
    }
  }

  checkUnique("messages", spec.messages, "name");
  checkUnique("messages", spec.messages, "code");
  for (const m of spec.messages) {
    const at = `messages.${m.name}`;
    checkName(at, m.name, /^[A-Z][A-Z0-9_]*$/, "an UPPER_SNAKE message name");
    checkInt(`${at}.code`, m.code, 1, 255);
    if (!["request", "reply", "both"].includes(m.direction)) fail(`${at}.direction`, "request, reply or both", m.direction);
    checkFields(`${at}.payload`, m.payload, spec.enums);
    if (m.direction === "reply") {
      if (m.reply !== undefined) fail(`${at}.reply`, "no reply layout on a reply", m.reply);
    } else {
      checkFields(`${at}.reply`, m.reply, spec.enums);
    }
  }
  for (const name of ["CHUNK", "RESULT", "ERROR"]) {
    if (!spec.messages.some((m) => m.name === name)) fail("messages", `a ${name} message`, spec.messages.map((m) => m.name));
  }

  checkUnique("errors", spec.errors, "name");
  checkUnique("errors", spec.errors, "code");
  for (const e of spec.errors) {
    checkName(`errors.${e.name}`, e.name, /^[A-Z][A-Z0-9_]*$/, "an UPPER_SNAKE error name");
    checkInt(`errors.${e.name}.code`, e.code, 1, 65535);
    if (!["frame", "message", "device"].includes(e.layer)) fail(`errors.${e.name}.layer`, "frame, message or device", e.layer);
  }
  return spec;
}

// ---------------------------------------------------------------------------------------------
// Derived facts shared by every view.

const upperSnake = (camel) => camel.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
const sentence = (s) => `${s[0].toUpperCase()}${s.slice(1)}.`;
const hex2 = (n) => `0x${n.toString(16).padStart(2, "0").toUpperCase()}`;

/** Offsets of every field whose offset is fixed: all fields up to and including the first variable-length one. */
function fixedOffsets(fields) {
  const out = [];
  let offset = 0;
  for (const field of fields) {
    out.push({ field, offset });
    if (!(field.type in FIXED_SIZES)) return { offsets: out, fixedSize: offset, allFixed: false };
    offset += FIXED_SIZES[field.type];
  }
  return { offsets: out, fixedSize: offset, allFixed: true };
}

/** Bytes of one item of each list field: [field, size] (items hold fixed-size fields only). */
function listItems(fields) {
  return fields.filter((field) => field.type === "list").map((field) => [field, field.of.reduce((n, f) => n + FIXED_SIZES[f.type], 0)]);
}

function facts(spec) {
  const headerSize = spec.header.reduce((n, f) => n + FIXED_SIZES[f.type], 0);
  const crcSize = spec.framing.crc.size;
  const chunk = spec.messages.find((m) => m.name === "CHUNK");
  return { headerSize, crcSize, overhead: headerSize + crcSize, chunkHeaderSize: fixedOffsets(chunk.payload).fixedSize };
}

// ---------------------------------------------------------------------------------------------
// TypeScript view.

function tsFields(fields, indent) {
  const pad = " ".repeat(indent);
  if (fields.length === 0) return "[]";
  const items = fields.map((f) => {
    const parts = [`name: "${f.name}"`, `type: "${f.type}"`];
    if (f.enum) parts.push(`enum: "${f.enum}"`);
    if (f.of) parts.push(`of: ${tsFields(f.of, indent + 2)}`);
    return `${pad}  { ${parts.join(", ")} },`;
  });
  return `[\n${items.join("\n")}\n${pad}]`;
}

function genTs(spec) {
  const f = facts(spec);
  const L = [];
  L.push(`// ${NOTICE}`, "");
  L.push("/** Protocol version carried in every frame header. */");
  L.push(`export const PROTOCOL_VERSION = ${spec.version};`);
  L.push(`export const HEADER_SIZE = ${f.headerSize};`);
  L.push(`export const CRC_SIZE = ${f.crcSize};`);
  L.push("/** Header and CRC: the bytes of a frame that are not payload. */");
  L.push(`export const FRAME_OVERHEAD = ${f.overhead};`);
  L.push(`export const DELIMITER = ${spec.framing.delimiter};`);
  L.push(`export const CRC32_POLY_REFLECTED = ${spec.framing.crc.polynomialReflected.toLowerCase()};`);
  L.push(`/** CRC-32 of the ASCII bytes "123456789". */`);
  L.push(`export const CRC32_CHECK = ${spec.framing.crc.check.toLowerCase()};`);
  L.push("/** Fixed part of a CHUNK payload, before its data. */");
  L.push(`export const CHUNK_HEADER_SIZE = ${f.chunkHeaderSize};`);
  for (const [name, limit] of Object.entries(spec.limits)) {
    L.push(`/** ${sentence(limit.meaning)} */`);
    L.push(`export const ${upperSnake(name)} = ${limit.value};`);
  }
  L.push("");
  L.push("export const MessageType = {");
  for (const m of spec.messages) L.push(`  ${m.name}: ${hex2(m.code)},`);
  L.push("} as const;");
  L.push("export type MessageTypeName = keyof typeof MessageType;");
  L.push("export type MessageTypeCode = (typeof MessageType)[MessageTypeName];");
  L.push("export const MESSAGE_NAMES: Readonly<Record<number, MessageTypeName>> = {");
  for (const m of spec.messages) L.push(`  ${m.code}: "${m.name}",`);
  L.push("};");
  L.push("/** Messages sent as requests (each answered by one RESULT or ERROR). */");
  L.push(`export const REQUEST_NAMES = [${spec.messages.filter((m) => m.direction !== "reply").map((m) => `"${m.name}"`).join(", ")}] as const;`);
  L.push("export type RequestName = (typeof REQUEST_NAMES)[number];");
  L.push("export const MESSAGE_DIRECTIONS: Readonly<Record<MessageTypeName, \"request\" | \"reply\" | \"both\">> = {");
  for (const m of spec.messages) L.push(`  ${m.name}: "${m.direction}",`);
  L.push("};");
  L.push("");
  L.push("export const ErrorCode = {");
  for (const e of spec.errors) L.push(`  ${e.name}: ${e.code},`);
  L.push("} as const;");
  L.push("export type ErrorCodeName = keyof typeof ErrorCode;");
  L.push("export type ErrorCodeValue = (typeof ErrorCode)[ErrorCodeName];");
  L.push("export const ERROR_NAMES: Readonly<Record<number, ErrorCodeName>> = {");
  for (const e of spec.errors) L.push(`  ${e.code}: "${e.name}",`);
  L.push("};");
  L.push("export const ERROR_MEANINGS: Readonly<Record<ErrorCodeName, string>> = {");
  for (const e of spec.errors) L.push(`  ${e.name}: ${JSON.stringify(e.meaning)},`);
  L.push("};");
  L.push("");
  for (const [name, en] of Object.entries(spec.enums)) {
    L.push(`/** ${sentence(en.meaning)} Kind: ${en.kind}. */`);
    L.push(`export const ${name} = {`);
    for (const v of en.values) L.push(`  ${v.name}: ${v.value},`);
    L.push("} as const;");
  }
  L.push("export const ENUMS = {");
  for (const [name, en] of Object.entries(spec.enums)) L.push(`  ${name}: { kind: "${en.kind}", values: ${name} },`);
  L.push("} as const;");
  L.push("export type EnumName = keyof typeof ENUMS;");
  L.push("");
  L.push("export const FIELD_SIZES = {");
  for (const [type, size] of Object.entries(FIXED_SIZES)) L.push(`  ${type}: ${size},`);
  L.push("} as const;");
  L.push(`export const HEADER_LAYOUT = ${tsFields(spec.header, 0)} as const;`);
  L.push("");
  L.push("/** Layout of each message's frame payload. */");
  L.push("export const PAYLOAD_LAYOUTS = {");
  for (const m of spec.messages) L.push(`  ${m.name}: ${tsFields(m.payload, 2)},`);
  L.push("} as const;");
  L.push("/** Layout of the RESULT body that answers each request. */");
  L.push("export const REPLY_LAYOUTS = {");
  for (const m of spec.messages.filter((m) => m.direction !== "reply")) L.push(`  ${m.name}: ${tsFields(m.reply, 2)},`);
  L.push("} as const;");
  L.push("/** Reply fields the board fills over what the device wrote (filledBy in the spec); the device fills the rest. */");
  L.push("export const BOARD_FILLED = {");
  for (const [name, fields] of boardFilled(spec)) L.push(`  ${name}: ${JSON.stringify(fields)},`);
  L.push("} as const;");
  return L.join("\n") + "\n";
}

// ---------------------------------------------------------------------------------------------
// C view.

function genC(spec) {
  const f = facts(spec);
  const minFrame = spec.limits.minMaxFrameSize.value;
  const L = [];
  const define = (name, value, comment) => L.push(`#define ${name} ${value}${comment ? ` /* ${comment} */` : ""}`);
  const assert = (cond, msg) => L.push(`EDGECL_STATIC_ASSERT(${cond}, "${msg}");`);
  L.push(`/* ${NOTICE} */`);
  L.push("#ifndef EDGECL_PROTOCOL_H", "#define EDGECL_PROTOCOL_H", "");
  L.push("/* _Static_assert is C11; under C99 a negative array size stops the build instead. */");
  L.push("#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L");
  L.push("#define EDGECL_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)");
  L.push("#else");
  L.push("#define EDGECL_STATIC_ASSERT_JOIN2(a, b) a##b");
  L.push("#define EDGECL_STATIC_ASSERT_JOIN(a, b) EDGECL_STATIC_ASSERT_JOIN2(a, b)");
  L.push("#define EDGECL_STATIC_ASSERT(cond, msg) typedef char EDGECL_STATIC_ASSERT_JOIN(edgecl_static_assert_, __LINE__)[(cond) ? 1 : -1]");
  L.push("#endif", "");
  define("EDGECL_PROTOCOL_VERSION", `${spec.version}u`);
  define("EDGECL_DELIMITER", `${spec.framing.delimiter}u`);
  define("EDGECL_HEADER_SIZE", `${f.headerSize}u`);
  define("EDGECL_CRC_SIZE", `${f.crcSize}u`);
  define("EDGECL_FRAME_OVERHEAD", `${f.overhead}u`, "header and CRC");
  define("EDGECL_CRC32_POLY_REFLECTED", `${spec.framing.crc.polynomialReflected.toUpperCase().replace("0X", "0x")}u`);
  define("EDGECL_CRC32_CHECK", `${spec.framing.crc.check.toUpperCase().replace("0X", "0x")}u`, 'CRC-32 of "123456789"');
  define("EDGECL_CHUNK_HEADER_SIZE", `${f.chunkHeaderSize}u`, "fixed part of a CHUNK payload");
  for (const [name, limit] of Object.entries(spec.limits)) define(`EDGECL_${upperSnake(name)}`, `${limit.value}u`, limit.meaning);
  L.push("/* COBS adds at most one byte per 254 and one more; the delimiter adds one. */");
  define("EDGECL_COBS_MAX_ENCODED(n)", "((n) + (n) / 254u + 1u)");
  define("EDGECL_FRAME_MAX_WIRE(n)", "(EDGECL_COBS_MAX_ENCODED(n) + 1u)");
  L.push("");
  L.push("/* Header field offsets. */");
  for (const { field, offset } of fixedOffsets(spec.header).offsets) define(`EDGECL_HEADER_${upperSnake(field.name)}_OFFSET`, `${offset}u`);
  L.push("");
  L.push("enum edgecl_msg_type {");
  for (const m of spec.messages) L.push(`  EDGECL_MSG_${m.name} = ${hex2(m.code)}, /* ${m.direction} */`);
  L.push("};");
  L.push("/* X-macro over the message types: X(NAME, code). */");
  L.push("#define EDGECL_MESSAGES(X) \\");
  L.push(spec.messages.map((m) => `  X(${m.name}, ${hex2(m.code)})`).join(" \\\n"));
  L.push("");
  L.push("enum edgecl_error {");
  for (const e of spec.errors) L.push(`  EDGECL_ERR_${e.name} = ${e.code}, /* ${e.layer}: ${e.meaning} */`);
  L.push("};");
  L.push("/* X-macro over the error codes: X(NAME, code, meaning). */");
  L.push("#define EDGECL_ERRORS(X) \\");
  L.push(spec.errors.map((e) => `  X(${e.name}, ${e.code}, ${JSON.stringify(e.meaning)})`).join(" \\\n"));
  L.push("");
  for (const [name, en] of Object.entries(spec.enums)) {
    L.push(`/* ${name}: ${en.meaning} (${en.kind}). */`);
    for (const v of en.values) define(`EDGECL_${upperSnake(name)}_${v.name}`, `${v.value}u`, v.meaning);
  }
  L.push("");
  L.push("/* Payload layouts: offsets of the fields that sit at a fixed offset, and the size of that fixed part. */");
  const fixedRequests = [];
  for (const m of spec.messages) {
    const layouts = [["", m.payload]];
    if (m.reply) layouts.push(["_REPLY", m.reply]);
    for (const [suffix, fields] of layouts) {
      const { offsets, fixedSize, allFixed } = fixedOffsets(fields);
      const prefix = `EDGECL_${m.name}${suffix}`;
      for (const { field, offset } of offsets) define(`${prefix}_${upperSnake(field.name)}_OFFSET`, `${offset}u`, field.filledBy === "board" ? `${field.type}, filled by the board` : field.type);
      define(`${prefix}_FIXED_SIZE`, `${fixedSize}u`, allFixed ? "whole payload" : "before the first variable-length field");
      for (const [field, size] of listItems(fields)) define(`${prefix}_${upperSnake(field.name)}_ITEM_SIZE`, `${size}u`, `bytes of one ${field.name} item`);
      if (suffix === "" && allFixed && m.direction !== "reply") fixedRequests.push(prefix);
      // The last fixed field must end exactly where the fixed part ends.
      const lastFixed = offsets.filter(({ field }) => field.type in FIXED_SIZES).pop();
      if (lastFixed) {
        assert(`${prefix}_${upperSnake(lastFixed.field.name)}_OFFSET + ${FIXED_SIZES[lastFixed.field.type]}u == ${prefix}_FIXED_SIZE`, `${m.name}${suffix.toLowerCase().replace("_", " ")} layout is contiguous`);
      }
    }
  }
  L.push("");
  L.push("/* Static size checks. */");
  assert("EDGECL_HEADER_LENGTH_OFFSET + 4u == EDGECL_HEADER_SIZE", "the payload length ends the header");
  assert("EDGECL_FRAME_OVERHEAD == EDGECL_HEADER_SIZE + EDGECL_CRC_SIZE", "a frame is header, payload, CRC");
  assert("EDGECL_MIN_MAX_FRAME_SIZE > EDGECL_FRAME_OVERHEAD + EDGECL_CHUNK_HEADER_SIZE", "a CHUNK at the smallest frame size carries data");
  assert("EDGECL_MIN_MAX_FRAME_SIZE <= EDGECL_DEFAULT_MAX_FRAME_SIZE && EDGECL_DEFAULT_MAX_FRAME_SIZE <= EDGECL_MAX_MAX_FRAME_SIZE", "frame size limits are ordered");
  for (const prefix of fixedRequests) {
    assert(`${prefix}_FIXED_SIZE + EDGECL_FRAME_OVERHEAD <= EDGECL_MIN_MAX_FRAME_SIZE`, `${prefix.slice(7)} fits the smallest frame without chunking`);
  }
  const largest = (items) => items.reduce((a, b) => (b.code > a.code ? b : a));
  assert(`EDGECL_MSG_${largest(spec.messages).name} <= 0xFFu`, "message types fit the u8 header field");
  assert(`EDGECL_ERR_${largest(spec.errors).name} <= 0xFFFFu`, "error codes fit the u16 ERROR field");
  L.push("", "#endif /* EDGECL_PROTOCOL_H */");
  if (minFrame <= f.overhead + f.chunkHeaderSize) throw new Error(`${SPEC}: limits.minMaxFrameSize: expected more than ${f.overhead + f.chunkHeaderSize}, received ${minFrame}`);
  return L.join("\n") + "\n";
}

// ---------------------------------------------------------------------------------------------
// AssemblyScript view.

function genAs(spec) {
  const f = facts(spec);
  const L = [];
  L.push(`// ${NOTICE}`, "");
  L.push(`export const PROTOCOL_VERSION: u8 = ${spec.version};`);
  L.push(`export const HEADER_SIZE: i32 = ${f.headerSize};`);
  L.push(`export const CRC_SIZE: i32 = ${f.crcSize};`);
  L.push(`export const FRAME_OVERHEAD: i32 = ${f.overhead};`);
  L.push(`export const CHUNK_HEADER_SIZE: i32 = ${f.chunkHeaderSize};`);
  for (const [name, limit] of Object.entries(spec.limits)) L.push(`export const ${upperSnake(name)}: u32 = ${limit.value};`);
  L.push("", "// Message types.");
  for (const m of spec.messages) L.push(`export const MSG_${m.name}: u8 = ${hex2(m.code)};`);
  L.push("", "// Error codes (u16 in ERROR replies).");
  for (const e of spec.errors) L.push(`export const ERR_${e.name}: u16 = ${e.code};`);
  for (const [name, en] of Object.entries(spec.enums)) {
    L.push("", `// ${name}: ${en.meaning} (${en.kind}).`);
    for (const v of en.values) L.push(`export const ${upperSnake(name)}_${v.name}: u8 = ${v.value};`);
  }
  L.push("", "// Payload layouts: offsets of fields at a fixed offset, and the size of that fixed part.");
  for (const m of spec.messages) {
    const layouts = [["", m.payload]];
    if (m.reply) layouts.push(["_REPLY", m.reply]);
    for (const [suffix, fields] of layouts) {
      const { offsets, fixedSize } = fixedOffsets(fields);
      const byBoard = fields.filter((field) => field.filledBy === "board").map((field) => field.name);
      if (byBoard.length) L.push(`// The board fills ${byBoard.join(", ")} over what the device writes (filledBy in the spec).`);
      for (const { field, offset } of offsets) L.push(`export const ${m.name}${suffix}_${upperSnake(field.name)}_OFFSET: i32 = ${offset};`);
      L.push(`export const ${m.name}${suffix}_FIXED_SIZE: i32 = ${fixedSize};`);
      for (const [field, size] of listItems(fields)) L.push(`export const ${m.name}${suffix}_${upperSnake(field.name)}_ITEM_SIZE: i32 = ${size};`);
    }
  }
  return L.join("\n") + "\n";
}

// ---------------------------------------------------------------------------------------------
// Docs tables, spliced between <!-- generated:NAME --> and <!-- /generated:NAME --> markers.

function fieldTable(fields) {
  if (fields.length === 0) return "_empty_\n";
  const by = fields.some((f) => f.filledBy !== undefined);
  const rows = by ? ["| offset | field | type | filled by | meaning |", "|---|---|---|---|---|"] : ["| offset | field | type | meaning |", "|---|---|---|---|"];
  let offset = 0;
  for (const field of fields) {
    let type = field.type;
    if (field.enum) type += ` (${field.enum})`;
    if (field.of) type += ` of {${field.of.map((o) => `${o.name}: ${o.type}`).join(", ")}}`;
    const meaning = field.of ? `${field.meaning}; ${field.of.map((o) => `\`${o.name}\`: ${o.meaning}`).join("; ")}` : field.meaning;
    const filler = by ? ` ${field.filledBy ?? "device"} |` : "";
    rows.push(`| ${offset === null ? "–" : offset} | \`${field.name}\` | ${cell(type)} |${filler} ${cell(meaning)} |`);
    offset = offset !== null && field.type in FIXED_SIZES ? offset + FIXED_SIZES[field.type] : null;
  }
  return rows.join("\n") + "\n";
}

function docSections(spec) {
  const f = facts(spec);
  const sections = {};
  sections.header = fieldTable(spec.header) + `\nHeader: ${f.headerSize} bytes. CRC: ${f.crcSize} bytes after the payload. Frame overhead: ${f.overhead} bytes.\n`;
  sections.types = markdownTable(["type", "bytes", "meaning"], Object.entries(spec.fieldTypes),
    ([t, d]) => [`\`${t}\``, d.size ?? "variable", cell(d.meaning)]);
  sections.limits = markdownTable(["constant", "value", "meaning"], Object.entries(spec.limits),
    ([n, l]) => [`\`${upperSnake(n)}\``, l.value, cell(l.meaning)]);
  sections["message-types"] = markdownTable(["type", "code", "direction", "meaning"], spec.messages,
    (m) => [m.name, hex2(m.code), m.direction, cell(m.meaning)]);
  const msgs = [];
  for (const m of spec.messages) {
    msgs.push(`#### ${m.name} (${hex2(m.code)}, ${m.direction})`, "", sentence(m.meaning), "", "Payload:", "", fieldTable(m.payload).trimEnd());
    if (m.reply) msgs.push("", `RESULT body (after \`requestType\` = ${hex2(m.code)}):`, "", fieldTable(m.reply).trimEnd());
    msgs.push("");
  }
  sections.messages = msgs.join("\n");
  sections.enums = Object.entries(spec.enums)
    .map(([name, en]) => `**${name}** (${en.kind}): ${sentence(en.meaning)}\n\n` +
      markdownTable(["name", "value", "meaning"], en.values, (v) => [v.name, v.value, cell(v.meaning)]))
    .join("\n");
  sections.errors = markdownTable(["code", "name", "layer", "meaning"], spec.errors, (e) => [e.code, e.name, e.layer, cell(e.meaning)]);
  return sections;
}

// ---------------------------------------------------------------------------------------------

runGenerator({
  name: "gen-protocol",
  root,
  spec: SPEC,
  generator: GENERATOR,
  load: loadSpec,
  views: {
    [OUTPUTS.ts]: genTs,
    [OUTPUTS.c]: genC,
    [OUTPUTS.as]: genAs,
    [OUTPUTS.docs]: docView(OUTPUTS.docs, docSections, NOTICE),
  },
});
