// Runs the edgecl CLI in a separate process, as a user does: exit code, stdout and stderr.
// `edgecl` runs the built entry (bin/edgecl.js over dist/, which `npm test` builds first); `edgeclSources`
// runs host/cli/main.ts through tsx, so a test exercises the sources, not a possibly stale dist/;
// `edgeclInProcess` calls main in the test's own process, for commands that start no board.
import { execFile, spawn, spawnSync } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { vi } from "vitest";

export const BIN = fileURLToPath(new URL("../../bin/edgecl.js", import.meta.url));
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const MAIN = pathToFileURL(fileURLToPath(new URL("../../host/cli/main.ts", import.meta.url))).href;
const TIMEOUT_MS = 120_000;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Standard input (none by default). */
  input?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

function node(argv: string[], options: CliOptions, env: NodeJS.ProcessEnv = options.env ?? process.env): CliResult {
  const r = spawnSync(process.execPath, argv, { input: options.input ?? "", cwd: options.cwd ?? ROOT, env, encoding: "utf8", timeout: options.timeoutMs ?? TIMEOUT_MS });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The built CLI. */
export function edgecl(args: string[], options: CliOptions = {}): CliResult {
  return node([BIN, ...args], options);
}

/** The CLI from its TypeScript sources. */
export function edgeclSources(args: string[], options: CliOptions = {}): CliResult {
  const script = `import { main } from ${JSON.stringify(MAIN)}; process.exitCode = await main(["node", "edgecl", ...JSON.parse(process.env.EDGECL_TEST_ARGS)]);`;
  const env = { ...(options.env ?? process.env), EDGECL_TEST_ARGS: JSON.stringify(args) };
  return node(["--import", "tsx", "--input-type=module", "-e", script], options, env);
}

/** The built CLI without blocking, so several runs can go at once. */
export function edgeclAsync(args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: TIMEOUT_MS }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr });
    });
  });
}

/** The built CLI in a process group of its own, so a test can cut the power to it and its children at once. */
export function edgeclDetached(args: string[]) {
  return spawn(process.execPath, [BIN, ...args], { detached: true, stdio: ["ignore", "pipe", "pipe"] });
}

/** The CLI's main in this process: its exit code and what it printed (console.log and stdout, stderr). */
export async function edgeclInProcess(args: string[]): Promise<CliResult & { code: number }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((...parts: unknown[]) => void out.push(`${parts.join(" ")}\n`));
  const stdout = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => out.push(String(chunk)) > 0);
  const write = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => err.push(String(chunk)) > 0);
  try {
    // Loaded on first use, so the tests that spawn the CLI do not load it into their own process.
    const { main } = await import("../../host/cli/main.js");
    const code = await main(["node", "edgecl", ...args]);
    return { code, stdout: out.join(""), stderr: err.join("") };
  } finally {
    log.mockRestore();
    stdout.mockRestore();
    write.mockRestore();
  }
}
