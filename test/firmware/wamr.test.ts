// The RISC-V firmware's WAMR build (make RUNTIME=wamr WAMR_ROOT=...) on QEMU: the self-test image
// loads test/firmware/fixtures/selftest.wat from bytes embedded in the image, must print the same
// outcomes as the wasm2c build (firmware.test.ts; values worked out independently: JavaScript's
// IEEE-754 f32, two's complement, the WebAssembly spec's trap rules), and then goes through a
// deployment: refused modules leave the running instance answering, an accepted one replaces it.
//
// WAMR is in no package registry, so these tests need a WAMR source tree named by WAMR_ROOT
// (firmware/README.md says which release was tested); without it they are skipped, and say so.
import { describe, expect, it } from "vitest";
import { execFile, execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { DEFAULT_RAM_MB, firmwareDir, requireToolchain, runQemu, type QemuImage, type QemuRun } from "../../host/firmware/index.js";
import { assemble, FirmwareSuite, wat as watFile } from "./helpers.js";
import { bytes, expectCompleteRun, expectTranscript, expectHardFloat, expectTrapsAnswered, expectTwoRoundings, i32, lines, PAGE, selftestSteps, steps, type Outcome } from "./selftest-reference.js";

const run = promisify(execFile);
const WAMR_ROOT = process.env.WAMR_ROOT;
const SKIP_REASON = "needs WAMR_ROOT=<a WAMR source tree> (see firmware/README.md, section WAMR)";
if (!WAMR_ROOT) console.warn(`test/firmware/wamr.test.ts: WAMR build tests skipped: ${SKIP_REASON}`);

const fixture = fileURLToPath(new URL("./fixtures/selftest.wat", import.meta.url));
const deviceWasm = fileURLToPath(new URL("../../build/device.wasm", import.meta.url));
const QEMU_TIMEOUT_MS = 20_000;

let tmp = "";
let fixtureWasm = "";

/** Builds a self-test image on WAMR; images of one interpreter share one build of WAMR's library. */
async function buildWamrImage(name: string, wasm: string, vars: Record<string, string> = {}): Promise<QemuImage> {
  const interp = vars.WAMR_INTERP ?? "fast";
  const args = {
    RUNTIME: "wamr",
    WAMR_ROOT: resolve(WAMR_ROOT ?? ""),
    WAMR_BUILD_DIR: join(tmp, `wamr-lib-${interp}`),
    ENTRY: "selftest",
    WASM: wasm,
    O: join(tmp, name),
    ...vars,
  };
  const list = Object.entries(args).map(([key, value]) => `${key}=${value}`);
  try {
    await run("make", ["-C", firmwareDir(), "-j2", ...list], { maxBuffer: 64 << 20 });
  } catch (err) {
    const { stderr, message } = err as { stderr?: string; message: string };
    throw new Error(`firmware build failed (make ${list.join(" ")}):\n${(stderr || message).trim().split("\n").slice(-15).join("\n")}`);
  }
  return { elf: join(tmp, name, "edgecl.elf"), ramMb: DEFAULT_RAM_MB };
}

// The steps every runtime build prints (firmware/src/selftest.c), with what each must print. Trap
// messages carry WAMR's own words (core/iwasm/common/wasm_runtime_common.c, exception_msgs[]).
const common = selftestSteps({
  "unreachable": "unreachable",
  "divide-by-zero": "integer divide by zero",
  "integer-overflow": "integer overflow",
  "out-of-bounds": "out of bounds memory access",
  "stack-exhausted": "wasm operand stack overflow",
});
// A deployment over the wire, in builds that load modules at run time.
const deploy: [string, Outcome][] = [
  ["load 8 bytes of text", /^error invalid-module none: .*magic header/],
  ["call add(i32 1, i32 2)", i32(3)],
  ["load a module importing env.abort", "error invalid-module none: the module imports env.abort; boards provide only env.mmio_read32, env.mmio_write32"],
  ["call add(i32 3, i32 4)", i32(7)],
  ["load builtin", "ok"],
  ["call add(i32 5, i32 6)", "error not-ready none: no module instantiated"],
  ["instantiate", "ok"],
  ["memory size", String(1 * PAGE)],
  ["memory read 512 4", bytes(new Uint8Array(4))],
  ["memory read 16 5", bytes(Buffer.from("hello"))],
  ["call add(i32 5, i32 6)", i32(11)],
];

const transcript: [string, Outcome][] = [["load builtin", "ok"], ...common, ...deploy];

describe("the firmware Makefile's runtime choice", () => {
  it("refuses RUNTIME=wamr without a WAMR source tree, naming WAMR_ROOT, and an unknown RUNTIME", () => {
    requireToolchain(["build"]);
    const make = (...vars: string[]) => {
      try {
        execFileSync("make", ["-C", firmwareDir(), "ENTRY=selftest", `O=${join(tmpdir(), "edgecl-never-built")}`, ...vars], { stdio: "pipe" });
      } catch (err) {
        return String((err as { stderr?: Buffer }).stderr);
      }
      throw new Error(`make ${vars.join(" ")} succeeded; expected a refusal`);
    };
    expect(make("RUNTIME=wamr", "WAMR_ROOT=")).toContain("RUNTIME=wamr needs WAMR_ROOT=/path/to/wasm-micro-runtime");
    expect(make("RUNTIME=wamr", `WAMR_ROOT=${tmpdir()}`)).toContain(
      `expected WAMR_ROOT to be a WAMR source tree with build-scripts/runtime_lib.cmake, received WAMR_ROOT=${tmpdir()}`,
    );
    expect(make("RUNTIME=wasm3")).toContain("expected RUNTIME=wasm2c or RUNTIME=wamr, received RUNTIME=wasm3");
  });
});

describe.skipIf(!WAMR_ROOT)(`firmware on QEMU virt (WAMR runtime) [${SKIP_REASON}]`, () => {
  let image: QemuImage;
  let booted: QemuRun;

  const suite = new FirmwareSuite("wamr", async () => {
    tmp = suite.dir;
    fixtureWasm = assemble(tmp, fixture, "selftest").file;
    image = await buildWamrImage("selftest", fixtureWasm);
    booted = await runQemu(image, QEMU_TIMEOUT_MS);
  });

  it("boots, loads the embedded module, runs the self-test to the end and exits with status 0", () => {
    suite.ready();
    expectCompleteRun(booted, "wamr", QEMU_TIMEOUT_MS);
  });

  it("prints the same outcome as the wasm2c build for every step, in order, then the deployment steps", () => {
    suite.ready();
    expectTranscript(booted.output, transcript);
  });

  it("rounds f32 like WebAssembly on a core with an FPU: F and D instructions, never fused", () => {
    suite.ready();
    expectTwoRoundings(booted.output);
    expectHardFloat(image.elf);
  });

  it("turns each trap into an error with WAMR's message and keeps answering", () => {
    suite.ready();
    expectTrapsAnswered(booted.output);
  });

  it("refuses a module whose memory exceeds the board's limit when loading it, with an error and exit status 4", async () => {
    suite.ready();
    const small = await buildWamrImage("limit0", fixtureWasm, { MEMORY_LIMIT_PAGES: "0" });
    const refused = await runQemu(small, QEMU_TIMEOUT_MS);
    expect(refused.timedOut).toBe(false);
    expect(lines(refused.output)).toEqual([
      "edgecl selftest: runtime wamr, memory limit 0 pages",
      "load builtin -> error memory-limit none: expected initial linear memory <= 0 pages (board limit), received 1 pages",
    ]);
    expect(refused.exit.code).toBe(4);
  });

  it("takes a module's memory size from its binary, also where WAMR folds a memory without memory.grow into one page", async () => {
    suite.ready();
    // No memory.size or memory.grow anywhere: WAMR's loader turns the 2 pages into one 128 KiB "page".
    const fixedWasm = watFile(tmp, "fixed", '(module (memory (export "memory") 2) (data (i32.const 65535) "ok"))').file;
    const refused = await runQemu(await buildWamrImage("fixed-limit1", fixedWasm, { MEMORY_LIMIT_PAGES: "1" }), QEMU_TIMEOUT_MS);
    expect(lines(refused.output).slice(1)).toEqual([
      "load builtin -> error memory-limit none: expected initial linear memory <= 1 pages (board limit), received 2 pages",
    ]);
    expect(refused.exit.code).toBe(4);
    const fits = await runQemu(await buildWamrImage("fixed-limit2", fixedWasm, { MEMORY_LIMIT_PAGES: "2" }), QEMU_TIMEOUT_MS);
    const got = new Map(steps(fits.output));
    expect(got.get("instantiate")).toBe("ok");
    expect(got.get("memory size")).toBe(String(2 * PAGE));
    expect(got.get("memory read 65534 4")).toBe(bytes(Buffer.from("\0ok\0", "latin1")));
    expect(fits.exit.code).toBe(0);
  });

  it.each([
    ["a start function that traps", "(func $start unreachable) (start $start)", "error trap unreachable: trap in instantiation (start function): unreachable"],
    ["a data segment past the end of memory", '(data (i32.const 65535) "ab")', /^error trap out-of-bounds: trap in instantiation \(data or element segments\): .*data segment does not fit$/],
  ])("reports %s as a trap at instantiation (exit status 3)", async (what, body, want) => {
    suite.ready();
    const name = what.replace(/\W+/g, "-");
    const module = watFile(tmp, name, `(module (memory (export "memory") 1) ${body})`);
    const ran = await runQemu(await buildWamrImage(name, module.file), QEMU_TIMEOUT_MS);
    const got = steps(ran.output);
    expect(got.map(([step]) => step)).toEqual(["load builtin", "instantiate"]);
    if (typeof want === "string") expect(got[1][1]).toBe(want);
    else expect(got[1][1]).toMatch(want);
    expect(ran.exit.code).toBe(3);
  });

  it("gives the same transcript on WAMR's classic interpreter", async () => {
    suite.ready();
    const classic = await buildWamrImage("classic", fixtureWasm, { WAMR_INTERP: "classic" });
    const ran = await runQemu(classic, QEMU_TIMEOUT_MS);
    expect(ran.exit.code, ran.output).toBe(0);
    expect(ran.output).toBe(booted.output);
  });

  it("loads and instantiates the real device module (build/device.wasm)", async () => {
    suite.ready();
    expect(existsSync(deviceWasm), "build/device.wasm is missing: run `npm run build`").toBe(true);
    const device = await buildWamrImage("device", deviceWasm);
    const ran = await runQemu(device, QEMU_TIMEOUT_MS);
    expect(ran.timedOut).toBe(false);
    expect(lines(ran.output).slice(0, 3)).toEqual([
      "edgecl selftest: runtime wamr, memory limit 512 pages",
      "load builtin -> ok",
      "instantiate -> ok",
    ]);
    expect(ran.exit.code).toBe(0);
  });
});
