// Runs a spec generator (scripts/gen-*.mjs) the way the build does, in the repository or in a scratch
// copy of the files it reads and writes, so a test can edit a copy without touching the checkout.
import { afterAll, beforeAll, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export const root = join(import.meta.dirname, "..", "..");

/** Registers the scratch directory's lifetime with the calling suite. */
export function generatorHarness(generator: string, files: readonly string[]) {
  let dir = "";
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "edgecl-gen-"));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const gen = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [join(cwd, generator), ...args], { cwd, encoding: "utf8" });
  return {
    /** A fresh copy of `files` (plus the shared generator library) named `name`. */
    copyProject(name: string): string {
      const to = join(dir, name);
      for (const f of [generator, "scripts/lib/generated.mjs", ...files]) {
        mkdirSync(dirname(join(to, f)), { recursive: true });
        cpSync(join(root, f), join(to, f));
      }
      return to;
    },
    /** The suite's scratch directory. */
    scratch: () => dir,
    gen,
    /** The test every generator's suite starts with: --check finds the repository's generated files current. */
    itFindsEveryViewCurrent(): void {
      it("--check finds every generated file current", () => {
        const result = gen(root, "--check");
        expect(result.stderr).toBe("");
        expect(result.status).toBe(0);
      });
    },
  };
}
