// Generates the AssemblyScript, TypeScript and C views of spec/formats.json.
// Usage: node scripts/gen-formats.mjs [--check]   (--check: exit 1 if a generated file is stale)
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runGenerator } from "./lib/generated.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const spec = JSON.parse(readFileSync(join(root, "spec/formats.json"), "utf8"));
const header = (c) => `${c} Generated from spec/formats.json by scripts/gen-formats.mjs. Do not edit.\n`;
const upper = (s) => s.replace(/([a-z])([A-Z])/g, "$1_$2").replace(/-/g, "_").toUpperCase();

const consts = [];
for (const f of spec.word.fields) {
  consts.push([`WORD_${upper(f.name)}_SHIFT`, f.shift]);
  consts.push([`WORD_${upper(f.name)}_MASK`, (1 << f.bits) - 1]);
}
for (const k of spec.kinds) consts.push([`KIND_${upper(k.name)}`, k.code]);
for (const s of spec.specials) consts.push([`SPECIALS_${upper(s.name)}`, s.code]);
for (const r of spec.rounding) consts.push([`ROUND_${upper(r.name)}`, r.code]);
consts.push(["MX_BLOCK_SIZE", spec.mx.blockSize], ["MX_SCALE_BIAS", spec.mx.scaleBias], ["MX_SCALE_NAN", spec.mx.scaleNaN]);
for (const [k, v] of Object.entries(spec.limits)) consts.push([`LIMIT_${upper(k)}`, v]);

const as =
  header("//") +
  consts.map(([n, v]) => `export const ${n}: i32 = ${v};`).join("\n") +
  `\nexport const ROUND_COUNT: i32 = ${spec.rounding.length};\n`;

const ts =
  header("//") +
  consts.map(([n, v]) => `export const ${n} = ${v};`).join("\n") +
  `\n\nexport const WORD_FIELDS = ${JSON.stringify(spec.word.fields.map(({ name, shift, bits }) => ({ name, shift, bits })))} as const;\n` +
  `export const KINDS = ${JSON.stringify(spec.kinds)} as const;\n` +
  `export const SPECIALS = ${JSON.stringify(spec.specials)} as const;\n` +
  `export const ROUNDING = ${JSON.stringify(spec.rounding)} as const;\n` +
  `export const NAMED_FORMATS = ${JSON.stringify(spec.named)} as const;\n` +
  `export const LIMITS = ${JSON.stringify(spec.limits)} as const;\n`;

const c =
  header("/*").replace(/\n$/, " */\n") +
  "#ifndef EDGECL_FORMATS_H\n#define EDGECL_FORMATS_H\n\n" +
  consts.map(([n, v]) => `#define EDGECL_${n} ${v}`).join("\n") +
  `\n#define EDGECL_ROUND_COUNT ${spec.rounding.length}\n\n#endif\n`;

runGenerator({
  name: "gen-formats",
  root,
  spec: "spec/formats.json",
  generator: "scripts/gen-formats.mjs",
  produce: () => ({
    "assembly/generated/formats.ts": as,
    "host/generated/formats.ts": ts,
    "firmware/include/edgecl_formats.h": c,
  }),
});
