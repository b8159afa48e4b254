// Device objects are created with `new`, which runs their field initialisers. An object made out of a
// raw block (changetype of an allocation) silently starts with every field zero: that is how Adam lost
// its bias correction (beta powers 0 instead of 1) and SI its first anchor (current experience 0
// instead of -1). This check reads the device sources and fails on any way back to that.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(__dirname, "..", "..", "assembly");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith(".ts") ? [path] : [];
  });
}

const files = sources(root).map((path) => ({ path: relative(root, path), text: readFileSync(path, "utf8") }));

/** Every class body of the device sources, by name. */
function classes(): Map<string, string> {
  const found = new Map<string, string>();
  for (const { text } of files) {
    for (const match of text.matchAll(/class (\w+)[^{]*\{([\s\S]*?)\n\}/g)) found.set(match[1], match[2]);
  }
  return found;
}

/** Field initialisers other than a zero, false, null or a null pointer (what a zeroed block holds). */
function nonZeroInitialisers(body: string): string[] {
  const fields = [...body.matchAll(/^\s+(\w+)\s*:\s*[\w<>]+\s*=\s*([^;]+);/gm)];
  return fields
    .filter(([, , value]) => !/^(0|0\.0|false|null|changetype<\w+>\(0\)|STORAGE_F32)$/.test(value.trim()))
    .map(([, name, value]) => `${name} = ${value.trim()}`);
}

describe("device objects are created with their field initialisers", () => {
  it("finds the classes whose initialisers are not all zero (the check has something to guard)", () => {
    const guarded = [...classes()].filter(([, body]) => nonZeroInitialisers(body).length > 0).map(([name]) => name);
    expect(guarded).toEqual(expect.arrayContaining(["Optimizer", "Learner", "Role", "Model", "Layer"]));
  });

  it("no object is made out of a raw allocation", () => {
    const offenders: string[] = [];
    for (const { path, text } of files) {
      for (const match of text.matchAll(/changetype<\w+>\(\s*(heap\.alloc|allocZeroed|__alloc|__new)\b/g)) {
        offenders.push(`${path}: ${match[0]}`);
      }
      if (/\ballocObject\b/.test(text)) offenders.push(`${path}: allocObject (creates objects without their initialisers)`);
    }
    expect(offenders, "use `new T()`: it runs the field initialisers").toEqual([]);
  });

  it("static tables viewed as objects hold only classes whose initialisers are all zero", () => {
    // memory.data(...) starts zeroed and never runs a constructor: fine only where zero is the initial state.
    const byName = classes();
    const views: string[] = [];
    const offenders: string[] = [];
    for (const { path, text } of files) {
      for (const [, name] of text.matchAll(/memory\.data\([^;]*offsetof<(\w+)>\(\)/g)) {
        views.push(name);
        const initialisers = nonZeroInitialisers(byName.get(name) ?? "");
        if (initialisers.length > 0) offenders.push(`${path}: a memory.data table of ${name}, which has ${initialisers.join(", ")}`);
      }
    }
    expect(views.length).toBeGreaterThan(0);
    expect(offenders).toEqual([]);
  });
});
