// edgecl run on qemu-rv32 stopped by SIGTERM or SIGKILL: QEMU does not outlive the host (it never
// watches its parent: the host stops it, or the kernel kills it, host/transport/tied.ts), and a SIGTERM
// leaves the partial report and the resume command. Needs the firmware toolchain and QEMU.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { requireToolchain } from "../../host/firmware/index.js";
import { alive, childrenWith, completed, edgeclBackground, until } from "../helpers/run-process.js";

let dir: string;
beforeAll(() => {
  requireToolchain();
  dir = mkdtempSync(join(tmpdir(), "edgecl-qemu-interrupt-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RUN = ["run", "--board", "qemu-rv32", "--model", "mlp:16", "--experiences", "3", "--iterations", "2", "--train-samples", "32", "--test-samples", "16", "--quiet"];

test.each(["SIGTERM", "SIGKILL"] as const)("%s after an experience: QEMU is gone with the host", async (signal) => {
  const report = join(dir, `${signal}.json`);
  const run = edgeclBackground([...RUN, "--json", report]);
  let qemu: number[] = [];
  try {
    expect(await until(() => (qemu = childrenWith(run.child.pid!, "qemu-system-riscv32")).length > 0, 600_000, 200)).toBe(true);
    expect(await until(() => completed(report) >= 1, 600_000, 200)).toBe(true);
    run.child.kill(signal);
    const ended = await run.done;
    if (signal === "SIGTERM") {
      expect(ended.code).toBe(1);
      expect(ended.stderr).toMatch(new RegExp(`^edgecl: interrupted by SIGTERM: [12] of 3 experiences completed, the partial report is saved in ${report}; continue with: edgecl run --resume ${report}\\n$`));
      expect(JSON.parse(readFileSync(report, "utf8")).status.lost.reason).toBe("interrupted by SIGTERM");
    }
    expect(await until(() => qemu.every((pid) => !alive(pid)), 10_000)).toBe(true);
  } finally {
    run.child.kill("SIGKILL");
  }
}, 900_000);
