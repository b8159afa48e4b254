// Runs the edgecl CLI from its TypeScript sources in a separate process (so tests exercise the sources,
// not a possibly stale dist/): exit code, stdout and stderr, as a user sees them.
import { spawnSync } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const MAIN = pathToFileURL(fileURLToPath(new URL("../../host/cli/main.ts", import.meta.url))).href;

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function edgeclSources(args: string[], options: { cwd?: string; timeoutMs?: number } = {}): CliRun {
  const script = `import { main } from ${JSON.stringify(MAIN)}; process.exitCode = await main(["node", "edgecl", ...JSON.parse(process.env.EDGECL_TEST_ARGS)]);`;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, EDGECL_TEST_ARGS: JSON.stringify(args) },
    encoding: "utf8",
    timeout: options.timeoutMs ?? 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
