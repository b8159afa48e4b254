// Where a report came from: the tool and its version, the git commit of the checkout it ran from, when,
// the full command line, the device module's hash, and the board's identity as it answered HELLO.
// Enough to say which code made a figure and to run it again.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { PACKAGE_ROOT, TOOL_VERSION } from "../cli/version.js";
import type { FirmwareIdentity, Provenance } from "./types.js";

export const sha256 = (bytes: Uint8Array | string) => createHash("sha256").update(bytes).digest("hex");

function git(args: string[]): string | null {
  try {
    return execFileSync("git", args, { cwd: PACKAGE_ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 10_000 }).trim();
  } catch {
    return null;
  }
}

/** The checkout's commit and whether tracked files differ from it; nulls outside a git checkout. */
export function gitState(): { commit: string | null; dirty: boolean | null } {
  const commit = git(["rev-parse", "HEAD"]);
  if (commit === null || !/^[0-9a-f]{40}$/.test(commit)) return { commit: null, dirty: null };
  const status = git(["status", "--porcelain", "--untracked-files=no"]);
  return { commit, dirty: status === null ? null : status !== "" };
}

let cachedGit: ReturnType<typeof gitState> | undefined;

/** Provenance of a report made now by this process; the board's part is filled in once it answers HELLO. */
export function makeProvenance(options: { module?: { file: string; bytes: Uint8Array }; commandLine?: string[]; flags?: Record<string, unknown> } = {}): Provenance {
  cachedGit ??= gitState();
  return {
    tool: "edgecl",
    version: TOOL_VERSION,
    gitCommit: cachedGit.commit,
    gitDirty: cachedGit.dirty,
    createdAt: new Date().toISOString(),
    commandLine: options.commandLine ?? process.argv.slice(1),
    ...(options.flags ? { flags: options.flags } : {}),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    deviceModule: options.module ? { file: options.module.file, bytes: options.module.bytes.length, sha256: sha256(options.module.bytes) } : null,
    board: null,
  };
}

/**
 * The firmware image a board process runs, when the host built and started it (a qemu board's transport
 * carries its image): the ELF's path, runtime and SHA-256. Null for boards whose firmware the host did
 * not build (sim, tcp:, serial:): their identity is what they answer at HELLO.
 */
export function firmwareIdentity(transport: unknown): FirmwareIdentity | null {
  const image = (transport as { image?: { elf?: unknown; runtime?: unknown } } | null)?.image;
  if (!image || typeof image.elf !== "string" || typeof image.runtime !== "string") return null;
  try {
    return { elf: image.elf, runtime: image.runtime, sha256: sha256(readFileSync(image.elf)) };
  } catch {
    return null;
  }
}
