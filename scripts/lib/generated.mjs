// What every generator of shared views does the same way: fill a hand-written document's marked
// sections, and write the outputs that changed (or, with --check, name the stale ones and fail).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** The first line (or doc comment) of every generated file: where it comes from and how to change it. */
export const generatedNotice = (spec, generator) => `Generated from ${spec} by ${generator}. Do not edit: change the spec and run \`npm run build\`.`;

/** Replaces each <!-- generated:NAME --> ... <!-- /generated:NAME --> block of `current` with sections[NAME]. */
export function fillDocSections(docPath, current, sections, notice) {
  if (current === null) throw new Error(`${docPath}: expected the hand-written document with generated-table markers, received no file`);
  const used = new Set();
  const out = current.replace(/(<!-- generated:([a-z-]+) -->\n)[\s\S]*?(<!-- \/generated:\2 -->)/g, (_, open, name, close) => {
    if (!(name in sections)) throw new Error(`${docPath}: expected a section name among ${Object.keys(sections).join(", ")}, received ${JSON.stringify(name)}`);
    used.add(name);
    return `${open}<!-- ${notice} -->\n\n${sections[name]}\n${close}`;
  });
  const missing = Object.keys(sections).filter((n) => !used.has(n));
  if (missing.length) throw new Error(`${docPath}: expected markers <!-- generated:NAME --> ... <!-- /generated:NAME --> for ${missing.join(", ")}, received none`);
  return out;
}

/** Reads a repository file, or null when it does not exist. */
export function reader(root) {
  return (rel) => (existsSync(join(root, rel)) ? readFileSync(join(root, rel), "utf8") : null);
}

/**
 * Parses the generator's arguments (none, or --check), computes the wanted outputs and writes the stale
 * ones; with --check, exits 1 naming them instead. A generator either gives `produce(read)`, returning
 * { path: text }, or `load()` for its checked spec and `views` { path: (spec, current) => text }, where
 * `current` is the file as it stands (for documents whose marked sections alone are generated).
 * A mistake in the spec (a thrown error) is printed after the generator's name and exits 1.
 */
export function runGenerator({ name, root, spec, generator, produce, load, views }) {
  const check = process.argv.includes("--check");
  const unknown = process.argv.slice(2).filter((a) => a !== "--check");
  if (unknown.length) {
    console.error(`${name}: expected no argument or --check, received ${unknown.join(" ")}`);
    process.exit(2);
  }
  const read = reader(root);
  let wanted;
  try {
    wanted = produce ? produce(read) : viewsOf(load(), views, read);
  } catch (err) {
    console.error(`${name}: ${err.message}`);
    process.exit(1);
  }
  const stale = Object.entries(wanted).filter(([rel, text]) => read(rel) !== text).map(([rel]) => rel);
  if (check) {
    if (stale.length) {
      console.error(`${name}: out of date with ${spec}: ${stale.join(", ")}; run node ${generator}`);
      process.exit(1);
    }
    return;
  }
  for (const rel of stale) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), wanted[rel]);
    console.log(`${name}: wrote ${rel}`);
  }
}

function viewsOf(spec, views, read) {
  return Object.fromEntries(Object.entries(views).map(([rel, view]) => [rel, view(spec, read(rel))]));
}

/** A table cell's text: a | would end the cell and a newline the row. */
export const cell = (text) => String(text).replace(/\|/g, "\\|").replace(/\n/g, " ");

/** A Markdown table, ending in a newline: the header, then row(item) (cells already escaped) per item. */
export function markdownTable(columns, items, row) {
  const line = (cells) => `| ${cells.join(" | ")} |`;
  return [line(columns), `|${columns.map(() => "---").join("|")}|`].concat(items.map((item) => line(row(item)))).join("\n") + "\n";
}

/** The view of a hand-written document whose marked sections (see fillDocSections) are sections(spec). */
export function docView(docPath, sections, notice) {
  return (spec, current) => fillDocSections(docPath, current, sections(spec), notice);
}
