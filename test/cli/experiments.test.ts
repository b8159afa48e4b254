// The CLI as a researcher drives it: data sets and benchmarks by name, experiments as JSON files,
// list commands, --quiet/--verbose everywhere, provenance in every report, deploy from the run flags.
// Each row of the table that concerns the CLI is one test here.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { buildProgram } from "../../host/cli/main.js";
import { planRun } from "../../host/cl/run.js";
import { STRATEGY_NAMES } from "../../host/cl/strategies.js";
import { defaultOptimizer } from "../../host/train/config.js";
import type { Report } from "../../host/report/types.js";
import { edgeclInProcess, edgeclSources } from "../helpers/cli.js";
import { expectValidReport } from "../helpers/report-schema.js";

let dir: string;
const file = (name: string) => join(dir, name);
const SMALL = ["--board", "inline", "--model", "mlp:16", "--iterations", "10", "--batch", "16", "--train-samples", "100", "--test-samples", "40"];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "edgecl-experiments-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const readJson = (path: string) => JSON.parse(readFileSync(path, "utf8")) as Report;

describe("benchmarks and data sets", () => {
  test("run --benchmark split-har on the embedded digits: exit 2, the allowed list, nothing run", () => {
    const r = edgeclSources(["run", "--benchmark", "split-har", ...SMALL]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'edgecl: expected a benchmark over the embedded digits: split-mnist, permuted-mnist, rotated-mnist, received "split-har"; for other data give --dataset idx:DIR, csv:FILE, har:FILE\n',
    );
    expect(r.stdout).toBe("");
  });

  test("run --dataset har:FILE: Split HAR over the fixture's activities, a report that says so", () => {
    const r = edgeclSources(["run", "--dataset", "har:test/fixtures/data/har.csv", ...SMALL, "--json", file("har.json")]);
    expect(r.code).toBe(0);
    // Experiences are counted from 0 in progress, as in errors and reports (the summary's "after 0").
    const progressed = [...r.stderr.matchAll(/experience (\d+) of 0\.\.(\d+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(new Set(progressed.map(([i]) => i))).toEqual(new Set([0, 1, 2]));
    expect(progressed.every(([, last]) => last === 2)).toBe(true);
    expect(r.stdout).toContain("after 0");
    expect(r.stdout).not.toMatch(/\[\d+\/\d+\]/); // no progress on stdout
    const report = readJson(file("har.json"));
    expect(report.config.benchmark).toBe("split-har");
    expect(report.config.dataset).toBe("har:test/fixtures/data/har.csv");
    expect(report.status.experiencesPlanned).toBe(3);
    expectValidReport(report);
  });
});

describe("experiments as files", () => {
  test("run --config FILE.json: every flag as a key, kebab or camel case; flags given override the file", () => {
    const config = { dataset: "har:test/fixtures/data/har.csv", strategy: "ewc", lambda: 10, "train-samples": 30, testSamples: 10, board: "inline", model: "mlp:8", iterations: 5, batch: 8, quiet: true };
    writeFileSync(file("exp.json"), JSON.stringify(config));
    const r = edgeclSources(["run", "--config", file("exp.json"), "--strategy", "si", "--json", file("exp-report.json")]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(""); // quiet from the file
    const report = readJson(file("exp-report.json"));
    expect((report.config.strategy as { name: string }).name).toBe("si");
    expect((report.config.strategy as { lambda: number }).lambda).toBe(10); // SI's c
    expect(report.config.trainSamples).toEqual([30, 30, 30]);
    expect(report.config.model).toBe("mlp:8");
    // The report keeps the resolved flags: a config file that runs it again.
    expect(report.provenance!.flags).toMatchObject({ strategy: "si", lambda: "10", "train-samples": "30", dataset: "har:test/fixtures/data/har.csv" });
    expectValidReport(report);
  });

  test("a config key that is no flag, or a value of the wrong type: exit 2 naming it", async () => {
    writeFileSync(file("typo.json"), JSON.stringify({ strategi: "ewc" }));
    const typo = await edgeclInProcess(["run", "--config", file("typo.json")]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/^edgecl: expected keys of .*typo\.json among dataset, label, benchmark, .*, received "strategi"\n$/);
    writeFileSync(file("type.json"), JSON.stringify({ seed: [1, 2] }));
    expect((await edgeclInProcess(["run", "--config", file("type.json")])).stderr).toMatch(/expected .*type\.json key seed to be a string or a number, received "\[1,2\]"/);
    writeFileSync(file("array.json"), "[]");
    expect((await edgeclInProcess(["run", "--config", file("array.json")])).stderr).toMatch(/expected .*array\.json to hold one JSON object of flags, received "an array"/);
  });

  test("every report carries its provenance: version, commit, time, command line, module hash, board identity", () => {
    const before = Date.now();
    const r = edgeclSources(["run", ...SMALL, "--experiences", "1", "--quiet", "--json", file("prov.json")]);
    expect(r.code).toBe(0);
    // --quiet: results only, no progress and no notes.
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("status: complete");
    const p = readJson(file("prov.json")).provenance!;
    const pkg = JSON.parse(readFileSync("package.json", "utf8"));
    expect(p.tool).toBe("edgecl");
    expect(p.version).toBe(pkg.version);
    expect(p.gitCommit).toBe(execFileSync("git", ["rev-parse", "HEAD"], { encoding: "utf8" }).trim());
    expect(Date.parse(p.createdAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(p.createdAt)).toBeLessThanOrEqual(Date.now());
    expect(p.commandLine[0]).toBe("edgecl");
    expect(p.commandLine.slice(-2)).toEqual(["--json", file("prov.json")]);
    expect(p.commandLine).toContain("--experiences");
    const module = readFileSync("build/device-simd.wasm");
    expect(p.deviceModule).toEqual({ file: "device-simd.wasm", bytes: module.length, sha256: execFileSync("sha256sum", ["build/device-simd.wasm"], { encoding: "utf8" }).split(" ")[0] });
    expect(p.board).toEqual({ id: "sim", runtime: "v8", protocolVersion: expect.any(Number) });
  });
});

describe("discoverability", () => {
  test("list strategies|benchmarks|datasets|formats|boards, as tables and as JSON lines", async () => {
    const strategies = await edgeclInProcess(["list", "strategies", "--json"]);
    expect(strategies.code).toBe(0);
    expect(strategies.stdout.trim().split("\n").map((l) => JSON.parse(l).name)).toEqual([...STRATEGY_NAMES]);
    const benchmarks = (await edgeclInProcess(["list", "benchmarks", "--json"])).stdout.trim().split("\n").map((l) => JSON.parse(l).name);
    expect(benchmarks).toEqual(["split-<data>", "permuted-<data>", "rotated-<data>"]);
    expect((await edgeclInProcess(["list", "datasets"])).stdout).toMatch(/^source +meaning\nmnist +the 10,000 embedded MNIST digits/);
    const boards = (await edgeclInProcess(["list", "boards", "--json"])).stdout.trim().split("\n").map((l) => JSON.parse(l).id);
    expect(boards).toContain("sim");
    expect(buildProgram().commands.find((c) => c.name() === "list")!.commands.map((c) => c.name())).toEqual(["strategies", "benchmarks", "datasets", "formats", "boards"]);
    // A real process for the exit code of an unknown list.
    expect(edgeclSources(["list", "colours"]).code).toBe(2);
  });

  test("--quiet and --verbose on every command, and they exclude each other", async () => {
    const walk = (c: ReturnType<typeof buildProgram>): Array<ReturnType<typeof buildProgram>> => [c, ...c.commands.flatMap(walk)];
    const runnable = walk(buildProgram()).slice(1).filter((c) => c.commands.length === 0);
    expect(runnable.length).toBeGreaterThan(10);
    for (const c of runnable) {
      const flags = c.options.map((o) => o.long);
      expect([c.name(), flags.includes("--quiet"), flags.includes("--verbose")]).toEqual([c.name(), true, true]);
    }
    const both = await edgeclInProcess(["boards", "--quiet", "--verbose"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toBe("edgecl: --quiet and --verbose exclude each other; give one\n");
  });

  test("--verbose says what was resolved (--quiet: see the provenance test, whose run prints nothing on stderr)", () => {
    const verbose = edgeclSources(["run", ...SMALL, "--experiences", "1", "--verbose"]);
    expect(verbose.stderr).toContain("data: mnist (the embedded digits), benchmark split-mnist: 1 experiences, output layer 10 units");
  });
});

describe("deploy", () => {
  test("takes the model and strategy as run does, writes the blob run would deploy, progress on stderr within 100%", async () => {
    const r = edgeclSources(["deploy", "--board", "sim", "--flash-dir", file("flash"), "--model", "mlp:32", "--strategy", "ewc", "--precision", "bf16", "--write-config", file("blob.bin")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^deployed .*device-simd\.wasm .* to board sim: \d+ parameters/);
    expect(r.stdout).not.toMatch(/\[\d+\/\d+\]/);
    const steps = [...r.stderr.matchAll(/\[(\d+)\/(\d+)\]/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(steps.length).toBeGreaterThan(0);
    for (const [done, total] of steps) expect(done).toBeLessThanOrEqual(total);
    expect(steps.at(-1)![0]).toBe(steps.at(-1)![1]);
    const planned = planRun({ benchmark: "split-mnist", scenario: "class", strategy: "ewc", precision: "bf16", seed: 1, model: "mlp:32", iterations: 300, batch: 32, optimizer: defaultOptimizer("adam"), board: "sim", trainSamples: 1000, testSamples: 200 });
    const blob = (planned.plan.deploy as { config: Uint8Array }).config;
    expect(new Uint8Array(readFileSync(file("blob.bin")))).toEqual(blob);
    // The blob written is what --config sends.
    const again = edgeclSources(["deploy", "--board", "sim", "--flash-dir", file("flash"), "--config", file("blob.bin"), "--quiet"]);
    expect(again.code).toBe(0);
    expect(again.stderr).toBe("");
    const both = await edgeclInProcess(["deploy", "--board", "sim", "--config", file("blob.bin"), "--model", "mlp:8"]);
    expect([both.code, both.stderr]).toEqual([2, "edgecl: --config sends a learner configuration as it is; give it or the run flags (--model, --strategy, ..., --run-config), not both\n"]);
  });
});
