// Runs a spec generator (scripts/gen-*.mjs) the way the build does, in the repository or in a scratch
// copy of the files it reads and writes, so a test can edit a copy without touching the checkout.
import { afterAll, beforeAll, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export const root = join(import.meta.dirname, "..", "..");

export type GeneratorHarness = ReturnType<typeof generatorHarness>;

/** Registers the scratch directory's lifetime with the calling suite. */
export function generatorHarness(generator: string, files: readonly string[]) {
  let dir = "";
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "edgecl-gen-"));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  /** A fresh copy of `files` (plus the shared generator library) named `name`. */
  const copyProject = (name: string): string => {
    const to = join(dir, name);
    for (const f of [generator, "scripts/lib/generated.mjs", ...files]) {
      mkdirSync(dirname(join(to, f)), { recursive: true });
      cpSync(join(root, f), join(to, f));
    }
    return to;
  };
  return {
    copyProject,
    /** A fresh copy named `name` whose JSON `spec` file was changed by `edit`. */
    copyWithSpec(name: string, spec: string, edit: (spec: any) => void): string {
      const copy = copyProject(name);
      const path = join(copy, spec);
      const data = JSON.parse(readFileSync(path, "utf8"));
      edit(data);
      writeFileSync(path, JSON.stringify(data, null, 2));
      return copy;
    },
    /** The suite's scratch directory. */
    scratch: () => dir,
    gen: (cwd: string, ...args: string[]) => spawnSync(process.execPath, [join(cwd, generator), ...args], { cwd, encoding: "utf8" }),
  };
}

/** The first test of every generator's suite: --check finds the checkout's generated files current. */
export function itFindsCurrent(harness: GeneratorHarness): void {
  it("--check finds every generated file current", () => {
    const result = harness.gen(root, "--check");
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
  });
}

/**
 * The tests every generator has: --check passes on the checkout; a view edited by hand (`view`, `from`
 * replaced by `to`) fails --check, which names it and not the `untouched` view, and a run restores it;
 * a change to the spec (`change` on `spec`) fails --check naming every one of `views`.
 */
export function checkTests(
  harness: GeneratorHarness,
  edit: { view: string; from: string; to: string; untouched: string; spec: string; change: (spec: any) => void; views: readonly string[] },
): void {
  itFindsCurrent(harness);

  it("--check fails on a hand-edited view and names it; a run repairs it", () => {
    const copy = harness.copyProject("edited");
    const file = join(copy, edit.view);
    const text = readFileSync(file, "utf8");
    expect(text).toContain(edit.from);
    writeFileSync(file, text.replace(edit.from, edit.to));
    const check = harness.gen(copy, "--check");
    expect(check.status).toBe(1);
    expect(check.stderr).toContain(edit.view);
    expect(check.stderr).not.toContain(edit.untouched);
    expect(harness.gen(copy).status).toBe(0);
    expect(harness.gen(copy, "--check").status).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(readFileSync(join(root, edit.view), "utf8"));
  });

  it("--check names every view when the spec changes", () => {
    const check = harness.gen(harness.copyWithSpec("changed", edit.spec, edit.change), "--check");
    expect(check.status).toBe(1);
    for (const f of edit.views) expect(check.stderr).toContain(f);
  });
}
