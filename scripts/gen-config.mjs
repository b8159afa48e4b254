// Generates the views of spec/config.json: assembly/nn/abi.ts (the model blob, nn telemetry slots and
// status codes), assembly/cl/abi.ts (the strategy blob and strategy ids) and the tables of docs/config.md. Each holds integer constants
// only, so it compiles unchanged as AssemblyScript and as TypeScript and both sides import the same file.
// Usage: node scripts/gen-config.mjs [--check]   (--check: exit 1 if a generated file is stale)
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { fillDocSections, generatedNotice, runGenerator } from "./lib/generated.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const spec = JSON.parse(readFileSync(join(root, "spec/config.json"), "utf8"));

const fail = (message) => {
  throw new Error(`spec/config.json: ${message}`);
};

/** The constants of one section, in order: [name, value, meaning] rows, and title rows [null, null, title]. */
function constants(section, where) {
  const rows = [];
  const values = new Map();
  const define = (name, value, meaning) => {
    if (!/^[A-Z][A-Z0-9_]*$/.test(name)) fail(`${where}: expected an upper-case constant name, received ${JSON.stringify(name)}`);
    if (values.has(name)) fail(`${where}: expected each name once, received ${name} twice`);
    if (!Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 31) fail(`${where}.${name}: expected an i32, received ${value}`);
    values.set(name, value);
    rows.push([name, value, meaning]);
  };
  // Groups first (the blob's sizes may name their constants), then the blob words before them.
  const groupRows = [];
  for (const [i, group] of section.groups.entries()) {
    const start = rows.length;
    if (group.constants) for (const c of group.constants) define(c.name, c.value, c.meaning);
    if (group.enum) {
      let next = 0;
      for (const v of group.values) {
        const value = v.value ?? next;
        define(`${group.enum}${v.name}`, value, v.meaning);
        next = value + (group.step ?? 1);
      }
      if (group.count) define(group.count, group.values.length, undefined);
    }
    if (rows.length === start) fail(`${where}.groups[${i}]: expected constants or an enum, received neither`);
    groupRows.push([null, null, group.title], ...rows.splice(start));
  }
  const size = (expr, word) => {
    if (expr === undefined) return 1;
    if (Number.isInteger(expr)) return expr;
    return String(expr).split("*").reduce((product, term) => {
      const t = term.trim();
      const v = /^\d+$/.test(t) ? Number(t) : values.get(t);
      if (v === undefined) fail(`${where}.blob.${word}.size: expected numbers and constant names, received ${JSON.stringify(t)}`);
      return product * v;
    }, 1);
  };
  const blob = section.blob;
  let index = 0;
  define(section.version.name, section.version.value, section.version.meaning);
  rows.push([null, null, blob.title]);
  for (const word of blob.words) {
    define(`${blob.prefix}${word.name}`, index, word.meaning);
    index += size(word.size, word.name);
  }
  if (blob.count) define(blob.count, index, undefined);
  return [...rows, ...groupRows];
}

function render(section, where) {
  const lines = [
    "// Generated from spec/config.json by scripts/gen-config.mjs. Do not edit.",
    ...section.about.map((l) => `// ${l}`),
    "// Integer constants only: this file compiles unchanged as AssemblyScript (each constant an i32) and as",
    "// TypeScript.",
  ];
  for (const [name, value, meaning] of constants(section, where)) {
    if (name === null) {
      lines.push("");
      if (meaning) lines.push(`// ---- ${meaning} ----`);
      continue;
    }
    if (meaning) lines.push(`/** ${meaning} */`);
    lines.push(`export const ${name} = ${value};`);
  }
  return lines.join("\n") + "\n";
}

const cell = (s) => String(s ?? "").replace(/\|/g, "\\|");

/** docs/config.md's tables of one section: the blob's words, then every other constant group. */
function docTables(section, where) {
  const rows = constants(section, where);
  const blob = section.blob;
  const words = new Set(blob.words.map((w) => `${blob.prefix}${w.name}`));
  const sizes = new Map(blob.words.map((w) => [`${blob.prefix}${w.name}`, w.size]));
  const lines = [`${blob.title} Version: \`${section.version.name}\` = ${section.version.value}.`, "", "| word | name | meaning |", "|---|---|---|"];
  for (const [name, value, meaning] of rows) {
    if (name !== null && words.has(name)) lines.push(`| ${value}${sizes.get(name) ? ` (${cell(sizes.get(name))} words)` : ""} | \`${name}\` | ${cell(meaning)} |`);
  }
  let open = false;
  for (const [name, value, meaning] of rows) {
    if (name === null) {
      if (meaning === blob.title) continue;
      lines.push("", ...(meaning ? [meaning, ""] : []), "| name | value | meaning |", "|---|---|---|");
      open = true;
    } else if (open && !words.has(name) && name !== section.version.name && name !== blob.count) {
      lines.push(`| \`${name}\` | ${value} | ${cell(meaning)} |`);
    }
  }
  return lines.join("\n") + "\n";
}

runGenerator({
  name: "gen-config",
  root,
  spec: "spec/config.json",
  generator: "scripts/gen-config.mjs",
  produce: (read) => ({
    ...Object.fromEntries(["model", "strategy"].map((s) => [spec[s].file, render(spec[s], s)])),
    "docs/config.md": fillDocSections(
      "docs/config.md",
      read("docs/config.md"),
      { model: docTables(spec.model, "model"), strategy: docTables(spec.strategy, "strategy") },
      generatedNotice("spec/config.json", "scripts/gen-config.mjs"),
    ),
  }),
});
