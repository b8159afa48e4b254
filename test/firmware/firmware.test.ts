// The RISC-V firmware on QEMU: builds the self-test image around test/firmware/fixtures/selftest.wat,
// boots it, and judges the transcript it prints on the UART against values worked out here
// independently (JavaScript's IEEE-754 arithmetic, two's complement by hand, the WebAssembly spec's
// trap rules). Needs the Debian packages gcc-riscv64-unknown-elf, picolibc-riscv64-unknown-elf,
// qemu-system-misc and wabt: without them every test fails and names what to install.
import { describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { createServer, type AddressInfo, type Socket } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildFirmware, runQemu, startQemu, type FirmwareImage, type QemuRun } from "../../host/firmware/index.js";
import { assemble, elfSizes, FirmwareSuite, wat as watFile } from "./helpers.js";
import { expectCompleteRun, expectHardFloat, expectTranscript, expectTrapsAnswered, expectTwoRoundings, lines, selftestSteps, steps } from "./selftest-reference.js";

const fixture = fileURLToPath(new URL("./fixtures/selftest.wat", import.meta.url));
const deviceWasm = fileURLToPath(new URL("../../build/device.wasm", import.meta.url));
const QEMU_TIMEOUT_MS = 20_000;

let fixtureWasm = "";
let image: FirmwareImage;
let run: QemuRun;

// "firmware toolchain incomplete: missing ... (Debian package ...)" when a package is absent.
const suite = new FirmwareSuite("firmware", async () => {
  fixtureWasm = assemble(suite.dir, fixture, "selftest").file;
  image = await buildFirmware({ outDir: join(suite.dir, "selftest"), wasm: fixtureWasm, entry: "selftest" });
  run = await runQemu(image, QEMU_TIMEOUT_MS);
});

// The self-test's steps in order (firmware/src/selftest.c), with what each must print.
const transcript = selftestSteps();

describe("firmware on QEMU virt (wasm2c runtime)", () => {
  it("boots, runs the self-test to the end and leaves QEMU with exit status 0", () => {
    suite.ready();
    expectCompleteRun(run, "wasm2c", QEMU_TIMEOUT_MS);
  });

  it("prints the expected outcome of every step, in order", () => {
    suite.ready();
    expectTranscript(run.output, transcript);
  });

  it("rounds f32 like WebAssembly: product and sum rounded separately, never fused", () => {
    suite.ready();
    expectTwoRoundings(run.output);
  });

  it("is built for the F and D extensions: no soft-float routine, no fused multiply-add", () => {
    suite.ready();
    expectHardFloat(image.elf);
  });

  it("turns each trap into an error and keeps answering", () => {
    suite.ready();
    expectTrapsAnswered(run.output);
  });

  it("reports the image's text, data and bss as the ELF section headers give them", () => {
    suite.ready();
    expect(image.sizes).toEqual(elfSizes(image.elf));
    expect(image.sizes.text).toBeGreaterThan(image.moduleSizes.text);
    expect(image.moduleSizes.text).toBeGreaterThan(0);
    for (const sizes of [image.sizes, image.moduleSizes])
      for (const n of [sizes.text, sizes.data, sizes.bss]) expect(Number.isInteger(n) && n >= 0).toBe(true);
  });

  it("carries the same UART output over a TCP socket the host listens on", async () => {
    suite.ready();
    const server = createServer();
    let received = Buffer.alloc(0);
    const closed = new Promise<void>((resolveClosed) => {
      server.once("connection", (socket: Socket) => {
        socket.on("data", (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
        socket.once("close", () => resolveClosed());
      });
    });
    await new Promise<void>((resolveListen) => server.listen(0, "127.0.0.1", resolveListen));
    const { port } = server.address() as AddressInfo;
    const qemu = startQemu(image, { kind: "tcp", host: "127.0.0.1", port });
    const timer = setTimeout(() => void qemu.stop(), QEMU_TIMEOUT_MS);
    try {
      const exit = await qemu.exited;
      await closed;
      expect(exit.code, qemu.stderr()).toBe(0);
      expect(received.toString("latin1")).toBe(run.output);
    } finally {
      clearTimeout(timer);
      await qemu.stop();
      server.close();
    }
  });

  it("refuses a module whose memory exceeds the board's limit, with an error and a non-zero exit", async () => {
    suite.ready();
    const small = await buildFirmware({ outDir: join(suite.dir, "limit0"), wasm: fixtureWasm, entry: "selftest", memoryLimitPages: 0 });
    const refused = await runQemu(small, QEMU_TIMEOUT_MS);
    expect(refused.timedOut).toBe(false);
    expect(lines(refused.output)).toEqual([
      "edgecl selftest: runtime wasm2c, memory limit 0 pages",
      "instantiate -> error memory-limit none: expected initial linear memory <= 0 pages (board limit), received 1 pages",
    ]);
    expect(refused.exit.code).toBe(3);
  });

  it.each([
    ["an import boards do not provide", '(module (import "env" "abort" (func)) (func (export "f")))', "the module imports env.abort; boards provide only env.mmio_read32, env.mmio_write32"],
  ])("refuses to build a module with %s, naming it", async (_what, wat, message) => {
    suite.ready();
    const name = `refused-${message.length}`;
    const refused = watFile(suite.dir, name, wat);
    await expect(buildFirmware({ outDir: join(suite.dir, name), wasm: refused.file, entry: "selftest" })).rejects.toThrow(message);
  });

  it("leaves out exports with i64/f64 values, naming them, and builds the rest", async () => {
    suite.ready();
    const wide = watFile(suite.dir, "wide", '(module (func (export "f") (param i64)) (func (export "g") (result i32) i32.const 7))');
    await buildFirmware({ outDir: join(suite.dir, "wide"), wasm: wide.file, entry: "selftest" });
    const glue = readFileSync(join(suite.dir, "wide", "gen", "module_glue.c"), "utf8");
    expect(glue).toContain("/* left out: parameter 1 of export 'f' has C type u64");
    expect(glue).toMatch(/"g"/);
    expect(glue).not.toMatch(/"f"/);
  });

  it("translates, links and instantiates the real device module (build/device.wasm)", async () => {
    suite.ready();
    expect(existsSync(deviceWasm), "build/device.wasm is missing: run `npm run build`").toBe(true);
    const device = await buildFirmware({ outDir: join(suite.dir, "device"), wasm: deviceWasm, entry: "selftest" });
    const booted = await runQemu(device, QEMU_TIMEOUT_MS);
    expect(booted.timedOut).toBe(false);
    expect(lines(booted.output).slice(0, 2)).toEqual(["edgecl selftest: runtime wasm2c, memory limit 512 pages", "instantiate -> ok"]);
    expect(booted.exit.code).toBe(0);
    expect(device.moduleSizes.text).toBeGreaterThan(0);
    expectHardFloat(device.elf);
  });
});
