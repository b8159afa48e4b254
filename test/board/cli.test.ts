// edgecl deploy and edgecl monitor from the command line, against simulated board processes.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { spawnSimBoardTcp } from "../../host/transport/sim.js";
import { edgeclSources } from "../helpers/cli.js";
import { standinWasm } from "../helpers/board.js";

let dir: string;
let standin: string;
let bigStandin: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "edgecl-cli-"));
  standin = join(dir, "standin.wasm");
  bigStandin = join(dir, "standin-5-pages.wasm");
  writeFileSync(standin, standinWasm(1));
  writeFileSync(bigStandin, standinWasm(5));
  writeFileSync(join(dir, "config.json"), JSON.stringify({ format: "fp32", modelBytes: 4096 }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const flash = () => ["--flash-dir", join(dir, "flash")];

describe("edgecl deploy", () => {
  test("deploys a module and a configuration file, and says what it takes", () => {
    const r = edgeclSources(["deploy", "--board", "sim-noaccel", "--module", standin, "--config", join(dir, "config.json"), ...flash()]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    // 4096 bytes of model: 1024 parameters; the stand-in's memory is one 64 KiB page.
    expect(r.stdout.trim().split("\n").at(-1)).toBe(`deployed ${standin} (${(standinWasm(1).length / 1024).toFixed(1)} KiB) to board sim-noaccel: 1024 parameters, learner 4.0 KiB, linear memory 64.0 KiB of 4.00 MiB`);
  });

  test("--json prints the board's reply", () => {
    const r = edgeclSources(["deploy", "--board", "sim-tiny", "--module", standin, "--config", '{"format":"e4m3","modelBytes":400}', "--json", ...flash()]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ board: "sim-tiny", parameters: 100, modelBytes: 400, memoryLimit: 262144 });
  });

  test("a module too large for the board: exit 1 with the board's DOES_NOT_FIT", () => {
    const r = edgeclSources(["deploy", "--board", "sim-tiny", "--module", bigStandin, "--config", "{}", ...flash()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^edgecl: board sim-tiny: DEPLOY failed with DOES_NOT_FIT: expected a module whose initial linear memory fits the board's 262144 bytes, received one declaring 327680 bytes/);
  });

  test("a configuration the device rejects: exit 1 naming the format", () => {
    const r = edgeclSources(["deploy", "--board", "sim-noaccel", "--module", standin, "--config", '{"format":"e9m1"}', ...flash()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('edgecl: board sim-noaccel: DEPLOY failed with UNKNOWN_FORMAT: expected a format: fp32, bf16, fp16, e5m2, e4m3, received "e9m1"\n');
  });

  test.each([
    [["--config", "not json"], 'edgecl: expected --config to be a file of config blobs or an inline JSON object, received "not json"\n'],
    [["--config", "{model: 1}"], /^edgecl: expected --config to hold a JSON object, received "\{model: 1\}" \(.*JSON.*\)\n$/],
    [["--config", "{}", "--board", "nowhere"], /^edgecl: expected a board: .*sim-noaccel.* or a manifest path, received "nowhere"\n$/],
  ])("bad usage %j exits 2 with one line", (args, message) => {
    const r = edgeclSources(["deploy", "--board", "sim-noaccel", "--module", standin, ...args]);
    expect(r.code).toBe(2);
    if (typeof message === "string") expect(r.stderr).toBe(message);
    else expect(r.stderr).toMatch(message);
  });

  test("deploys to a board on TCP, which keeps the deployment for the next session", async () => {
    const { process: board, port } = await spawnSimBoardTcp({ board: "sim-noaccel" });
    try {
      const deployed = edgeclSources(["deploy", "--board", `tcp:127.0.0.1:${port}`, "--module", standin, "--config", '{"modelBytes":8192}', "--json"]);
      expect(deployed.code).toBe(0);
      expect(JSON.parse(deployed.stdout)).toMatchObject({ board: "sim-noaccel", modelBytes: 8192 });
      const watched = edgeclSources(["monitor", "--board", `tcp:127.0.0.1:${port}`, "--count", "1", "--json"]);
      expect(watched.code).toBe(0);
      expect(JSON.parse(watched.stdout)).toMatchObject({ reading: 0, memoryUsed: 65536, memoryLimit: 4194304, macsByFormat: { fp32: 0 } });
    } finally {
      await board.close();
    }
  });
});

describe("edgecl monitor", () => {
  test("prints the requested number of readings", () => {
    const r = edgeclSources(["monitor", "--board", "sim-noaccel", "--count", "3", "--interval", "10", ...flash()]);
    expect(r.code).toBe(0);
    // What is being watched is a note on stderr; stdout holds the readings alone.
    expect(r.stderr).toBe("monitoring board sim-noaccel (v8) every 10 ms\n");
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^time \d+ µs {2}MACs 0 {2}accelerator 0 jobs 0 cycles {2}energy 0 J {2}memory 0 B \(peak 0 B\) of 4\.00 MiB$/);
  });

  test("a board with the accelerator model reports an energy estimate", () => {
    const r = edgeclSources(["monitor", "--board", "sim", "--count", "1", "--json", ...flash()]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ energyJ: 0, accelJobs: 0, memoryLimit: 4194304 });
  });

  test("an interval that is not a number of milliseconds exits 2", () => {
    const r = edgeclSources(["monitor", "--board", "sim-noaccel", "--interval", "fast"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('edgecl: expected --interval in milliseconds: an integer >= 10, received "fast"\n');
  });
});
