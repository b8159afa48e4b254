// A scratch directory for one test file: made when the file is collected, removed after its last test.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

/** A fresh directory edgecl-<name>-XXXXXX under the system's temporary directory. */
export function tempDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `edgecl-${name}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
