// The RISC-V firmware on QEMU: builds the self-test image around test/firmware/fixtures/selftest.wat,
// boots it, and judges the transcript it prints on the UART against values worked out here
// independently (JavaScript's IEEE-754 arithmetic, two's complement by hand, the WebAssembly spec's
// trap rules). Needs the Debian packages gcc-riscv64-unknown-elf, picolibc-riscv64-unknown-elf,
// qemu-system-misc and wabt: without them every test fails and names what to install.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildFirmware, requireToolchain, runQemu, startQemu, type FirmwareImage, type QemuRun, type SectionSizes } from "../../host/firmware/index.js";
import { f32Bits, hex8, f32, i32, bytes, le32, ONE_PLUS_2M12, MINUS_ONE_PLUS_2M11, mulAddTwoRoundings, PAGE, data, type Outcome } from "./selftest-reference";

const fixture = fileURLToPath(new URL("./fixtures/selftest.wat", import.meta.url));
const deviceWasm = fileURLToPath(new URL("../../build/device.wasm", import.meta.url));
const QEMU_TIMEOUT_MS = 20_000;

let tmp = "";
let fixtureWasm = "";
let image: FirmwareImage;
let run: QemuRun;
let setupError: unknown;

beforeAll(async () => {
  try {
    // "firmware toolchain incomplete: missing ... (Debian package ...)" when a package is absent.
    requireToolchain(["build", "run"]);
    tmp = mkdtempSync(join(tmpdir(), "edgecl-firmware-"));
    fixtureWasm = join(tmp, "selftest.wasm");
    execFileSync("wat2wasm", [fixture, "-o", fixtureWasm]);
    image = await buildFirmware({ outDir: join(tmp, "selftest"), wasm: fixtureWasm, entry: "selftest" });
    run = await runQemu(image, QEMU_TIMEOUT_MS);
  } catch (err) {
    setupError = err;
  }
});

/** Every test fails, with the setup's message, when the toolchain is missing or the build broke. */
function ready(): void {
  if (setupError) throw setupError;
}

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});


// The self-test's steps in order (firmware/src/selftest.c), with what each must print.
const transcript: [string, Outcome][] = [
  ["instantiate", "ok"],
  ["memory size", String(1 * PAGE)],
  ["call add(i32 2, i32 40)", i32(42)],
  ["call add(i32 2147483647, i32 1)", i32(-(2 ** 31))],
  [`call mul_add(f32 ${hex8(ONE_PLUS_2M12)}, f32 ${hex8(ONE_PLUS_2M12)}, f32 ${hex8(MINUS_ONE_PLUS_2M11)})`, f32(mulAddTwoRoundings)],
  ["call div(f32 0x3f800000, f32 0x40400000)", f32(1 / 3)],
  ["call sqrt(f32 0x40000000)", f32(Math.SQRT2)],
  ["call boom()", /^error trap unreachable: trap in export 'boom': /],
  ["call add(i32 -7, i32 7)", i32(0)],
  ["call div_s(i32 7, i32 0)", /^error trap divide-by-zero: trap in export 'div_s': /],
  ["call div_s(i32 -2147483648, i32 -1)", /^error trap integer-overflow: trap in export 'div_s': /],
  ["call div_s(i32 -7, i32 2)", i32(Math.trunc(-7 / 2))],
  ["call peek(i32 65536)", /^error trap out-of-bounds: trap in export 'peek': /],
  ["call peek(i32 65532)", i32(0)],
  ["call peek(i32 65533)", /^error trap out-of-bounds: trap in export 'peek': /],
  ["call recurse(i32 0)", /^error trap stack-exhausted: trap in export 'recurse': /],
  ["call add(i32 20, i32 22)", i32(42)],
  ["memory read 16 5", bytes(Buffer.from("hello"))],
  [`memory write 256 ${bytes(data)}`, "ok"],
  ["call sum_bytes(i32 256, i32 4)", i32(data.reduce((s, v) => s + v, 0))],
  [`call poke(i32 512, i32 ${0x11223344})`, "void"],
  ["memory read 512 4", bytes(le32(0x11223344))],
  ["memory read 65534 4", /^error bounds none: expected a range inside 65536 bytes of linear memory, received offset 65534 length 4$/],
  [`memory write 65535 ${bytes(data.subarray(0, 2))}`, /^error bounds none: .*received offset 65535 length 2$/],
  ["call grow(i32 1)", i32(1)],
  ["memory size", String(2 * PAGE)],
  ["memory read 256 4", bytes(data)],
  ["call peek(i32 65536)", i32(0)],
  ["call grow(i32 10)", i32(-1)],
  ["call probe(i32 4096)", i32(0xffffffff)],
  ["call missing(i32 1)", /^error no-export none: expected an exported function, received 'missing'$/],
  ["call add(i32 1)", /^error signature none: export 'add' expects 2 arguments/],
  ["call add(i32 1, f32 0x3f800000)", /^error signature none: export 'add' argument 1: expected i32, received f32$/],
];

function lines(output: string): string[] {
  return output.split("\n").map((l) => l.replace(/\r$/, "")).filter((l) => l.length > 0);
}

/** "<step> -> <outcome>" lines after the banner, as [step, outcome]. */
function steps(output: string): [string, string][] {
  return lines(output)
    .filter((l) => l.includes(" -> "))
    .map((l) => {
      const at = l.indexOf(" -> ");
      return [l.slice(0, at), l.slice(at + 4)];
    });
}

// Berkeley size semantics (binutils size.c): allocated sections that are code or read-only count as
// text, other allocated sections with contents as data, allocated sections without contents as bss.
function elfSizes(file: string): SectionSizes {
  const elf = readFileSync(file);
  expect(elf.subarray(0, 4).toString("latin1")).toBe("\x7fELF");
  expect(elf[4]).toBe(1); // ELFCLASS32
  const shoff = elf.readUInt32LE(0x20);
  const shentsize = elf.readUInt16LE(0x2e);
  const shnum = elf.readUInt16LE(0x30);
  const sizes = { text: 0, data: 0, bss: 0 };
  const SHF_WRITE = 1, SHF_ALLOC = 2, SHF_EXECINSTR = 4, SHT_NOBITS = 8;
  for (let i = 0; i < shnum; i++) {
    const at = shoff + i * shentsize;
    const type = elf.readUInt32LE(at + 4);
    const flags = elf.readUInt32LE(at + 8);
    const size = elf.readUInt32LE(at + 20);
    if (!(flags & SHF_ALLOC)) continue;
    if (flags & SHF_EXECINSTR || !(flags & SHF_WRITE)) sizes.text += size;
    else if (type !== SHT_NOBITS) sizes.data += size;
    else sizes.bss += size;
  }
  return sizes;
}

describe("firmware on QEMU virt (wasm2c runtime)", () => {
  it("boots, runs the self-test to the end and leaves QEMU with exit status 0", () => {
    ready();
    expect(run.timedOut, `QEMU did not exit within ${QEMU_TIMEOUT_MS} ms; output:\n${run.output}`).toBe(false);
    expect(run.exit.code, `stderr: ${run.stderr}\noutput:\n${run.output}`).toBe(0);
    const all = lines(run.output);
    expect(all[0]).toBe("edgecl selftest: runtime wasm2c, memory limit 512 pages");
    expect(all.at(-1)).toBe("selftest done");
  });

  it("prints the expected outcome of every step, in order", () => {
    ready();
    const got = steps(run.output);
    expect(got.map(([step]) => step)).toEqual(transcript.map(([step]) => step));
    transcript.forEach(([step, want], i) => {
      const outcome = got[i][1];
      const message = `step ${i} "${step}": printed "${outcome}", expected ${want}`;
      if (typeof want === "string") expect(outcome, message).toBe(want);
      else expect(outcome, message).toMatch(want);
    });
  });

  it("rounds f32 like WebAssembly: product and sum rounded separately, never fused", () => {
    ready();
    expect(mulAddTwoRoundings).toBe(0);
    expect(f32Bits(Math.fround(1 / 3))).toBe(0x3eaaaaab);
    expect(f32Bits(Math.fround(Math.SQRT2))).toBe(0x3fb504f3);
    const mulAdd = steps(run.output).find(([step]) => step.startsWith("call mul_add("));
    expect(mulAdd?.[1]).toBe("f32 0x00000000");
  });

  it("turns each trap into an error and keeps answering", () => {
    ready();
    const got = steps(run.output);
    const traps = got.filter(([, outcome]) => outcome.startsWith("error trap "));
    expect(traps.map(([step]) => step)).toEqual([
      "call boom()",
      "call div_s(i32 7, i32 0)",
      "call div_s(i32 -2147483648, i32 -1)",
      "call peek(i32 65536)",
      "call peek(i32 65533)",
      "call recurse(i32 0)",
    ]);
    const afterBoom = got.findIndex(([step]) => step === "call boom()") + 1;
    expect(got[afterBoom]).toEqual(["call add(i32 -7, i32 7)", "i32 0"]);
    const afterRecurse = got.findIndex(([step]) => step === "call recurse(i32 0)") + 1;
    expect(got[afterRecurse]).toEqual(["call add(i32 20, i32 22)", "i32 42"]);
  });

  it("reports the image's text, data and bss as the ELF section headers give them", () => {
    ready();
    expect(image.sizes).toEqual(elfSizes(image.elf));
    expect(image.sizes.text).toBeGreaterThan(image.moduleSizes.text);
    expect(image.moduleSizes.text).toBeGreaterThan(0);
    for (const sizes of [image.sizes, image.moduleSizes])
      for (const n of [sizes.text, sizes.data, sizes.bss]) expect(Number.isInteger(n) && n >= 0).toBe(true);
  });

  it("carries the same UART output over a TCP socket the host listens on", async () => {
    ready();
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
    ready();
    const small = await buildFirmware({ outDir: join(tmp, "limit0"), wasm: fixtureWasm, entry: "selftest", memoryLimitPages: 0 });
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
    ready();
    const name = `refused-${message.length}`;
    writeFileSync(join(tmp, `${name}.wat`), wat);
    execFileSync("wat2wasm", [join(tmp, `${name}.wat`), "-o", join(tmp, `${name}.wasm`)]);
    await expect(buildFirmware({ outDir: join(tmp, name), wasm: join(tmp, `${name}.wasm`), entry: "selftest" })).rejects.toThrow(message);
  });

  it("leaves out exports with i64/f64 values, naming them, and builds the rest", async () => {
    ready();
    writeFileSync(join(tmp, "wide.wat"), '(module (func (export "f") (param i64)) (func (export "g") (result i32) i32.const 7))');
    execFileSync("wat2wasm", [join(tmp, "wide.wat"), "-o", join(tmp, "wide.wasm")]);
    await buildFirmware({ outDir: join(tmp, "wide"), wasm: join(tmp, "wide.wasm"), entry: "selftest" });
    const glue = readFileSync(join(tmp, "wide", "gen", "module_glue.c"), "utf8");
    expect(glue).toContain("/* left out: parameter 1 of export 'f' has C type u64");
    expect(glue).toMatch(/"g"/);
    expect(glue).not.toMatch(/"f"/);
  });

  it("translates, links and instantiates the real device module (build/device.wasm)", async () => {
    ready();
    expect(existsSync(deviceWasm), "build/device.wasm is missing: run `npm run build`").toBe(true);
    const device = await buildFirmware({ outDir: join(tmp, "device"), wasm: deviceWasm, entry: "selftest" });
    const booted = await runQemu(device, QEMU_TIMEOUT_MS);
    expect(booted.timedOut).toBe(false);
    expect(lines(booted.output).slice(0, 2)).toEqual(["edgecl selftest: runtime wasm2c, memory limit 512 pages", "instantiate -> ok"]);
    expect(booted.exit.code).toBe(0);
    expect(device.moduleSizes.text).toBeGreaterThan(0);
  });
});
