// Independent references for the firmware self-test transcripts (firmware/src/selftest.c), shared by
// the wasm2c and WAMR suites: bit patterns and expected values worked out in the host's own arithmetic,
// the steps every runtime prints, and how a transcript is read and judged.
import { execFileSync } from "node:child_process";
import { expect } from "vitest";
import type { QemuRun } from "../../host/firmware/index.js";

export const f32Bits = (x: number): number => {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, x, true);
  return view.getUint32(0, true);
};
export const fromBits = (bits: number): number => {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, bits, true);
  return view.getFloat32(0, true);
};
export const hex8 = (bits: number) => `0x${bits.toString(16).padStart(8, "0")}`;
export const f32 = (x: number) => `f32 ${hex8(f32Bits(x))}`;
export const i32 = (x: number) => `i32 ${x | 0}`;
export const bytes = (b: Uint8Array) => [...b].map((v) => v.toString(16).padStart(2, "0")).join(" ");
export const le32 = (x: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(x >>> 0);
  return b;
};

// 1 + 2^-12, and -(1 + 2^-11): (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24 is a tie at f32 precision and rounds
// to even, 1 + 2^-11, so the two-rounding result is exactly 0; one rounding (an FMA) would give 2^-24.
export const ONE_PLUS_2M12 = 0x3f800800;
export const MINUS_ONE_PLUS_2M11 = 0xbf801000;
const a = fromBits(ONE_PLUS_2M12);
const c = fromBits(MINUS_ONE_PLUS_2M11);
export const mulAddTwoRoundings = Math.fround(Math.fround(a * a) + c);

export type Outcome = string | RegExp;
export const PAGE = 65536;
/** The fixture's data segment. */
export const data = new Uint8Array([0x01, 0x02, 0x03, 0xfa]);

/** The trap kinds the self-test provokes, by the export that traps. */
export type TrapKind = "unreachable" | "divide-by-zero" | "integer-overflow" | "out-of-bounds" | "stack-exhausted";

/**
 * The steps every runtime's self-test prints, in order, with what each must print. A trap's outcome
 * ends in the runtime's own message: `trapMessages` gives it where the suite knows it, else any text.
 */
export function selftestSteps(trapMessages?: Record<TrapKind, string>): [string, Outcome][] {
  const trap = (kind: TrapKind, fn: string): Outcome =>
    trapMessages ? `error trap ${kind}: trap in export '${fn}': ${trapMessages[kind]}` : new RegExp(`^error trap ${kind}: trap in export '${fn}': `);
  return [
    ["instantiate", "ok"],
    ["memory size", String(1 * PAGE)],
    ["call add(i32 2, i32 40)", i32(42)],
    ["call add(i32 2147483647, i32 1)", i32(-(2 ** 31))],
    [`call mul_add(f32 ${hex8(ONE_PLUS_2M12)}, f32 ${hex8(ONE_PLUS_2M12)}, f32 ${hex8(MINUS_ONE_PLUS_2M11)})`, f32(mulAddTwoRoundings)],
    ["call div(f32 0x3f800000, f32 0x40400000)", f32(1 / 3)],
    ["call sqrt(f32 0x40000000)", f32(Math.SQRT2)],
    ["call boom()", trap("unreachable", "boom")],
    ["call add(i32 -7, i32 7)", i32(0)],
    ["call div_s(i32 7, i32 0)", trap("divide-by-zero", "div_s")],
    ["call div_s(i32 -2147483648, i32 -1)", trap("integer-overflow", "div_s")],
    ["call div_s(i32 -7, i32 2)", i32(Math.trunc(-7 / 2))],
    ["call peek(i32 65536)", trap("out-of-bounds", "peek")],
    ["call peek(i32 65532)", i32(0)],
    ["call peek(i32 65533)", trap("out-of-bounds", "peek")],
    ["call recurse(i32 0)", trap("stack-exhausted", "recurse")],
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
}

/** The transcript's non-empty lines. */
export function lines(output: string): string[] {
  return output.split("\n").map((l) => l.replace(/\r$/, "")).filter((l) => l.length > 0);
}

/** "<step> -> <outcome>" lines after the banner, as [step, outcome]. */
export function steps(output: string): [string, string][] {
  return lines(output)
    .filter((l) => l.includes(" -> "))
    .map((l) => {
      const at = l.indexOf(" -> ");
      return [l.slice(0, at), l.slice(at + 4)];
    });
}

/** The transcript prints exactly these steps, in order, each with its outcome. */
export function expectTranscript(output: string, transcript: [string, Outcome][]): void {
  const got = steps(output);
  expect(got.map(([step]) => step)).toEqual(transcript.map(([step]) => step));
  transcript.forEach(([step, want], i) => {
    const outcome = got[i][1];
    const message = `step ${i} "${step}": printed "${outcome}", expected ${want}`;
    if (typeof want === "string") expect(outcome, message).toBe(want);
    else expect(outcome, message).toMatch(want);
  });
}

/** The self-test ran to its end: the banner naming the runtime, "selftest done", QEMU's exit status 0. */
export function expectCompleteRun(run: QemuRun, runtime: "wasm2c" | "wamr", timeoutMs: number): void {
  expect(run.timedOut, `QEMU did not exit within ${timeoutMs} ms; output:\n${run.output}`).toBe(false);
  expect(run.exit.code, `stderr: ${run.stderr}\noutput:\n${run.output}`).toBe(0);
  const all = lines(run.output);
  expect(all[0]).toBe(`edgecl selftest: runtime ${runtime}, memory limit 512 pages`);
  expect(all.at(-1)).toBe("selftest done");
}

/** mul_add printed the two-rounding result (exactly 0), checked against the host's own f32 arithmetic. */
export function expectTwoRoundings(output: string): void {
  expect(mulAddTwoRoundings).toBe(0);
  expect(f32Bits(Math.fround(1 / 3))).toBe(0x3eaaaaab);
  expect(f32Bits(Math.fround(Math.SQRT2))).toBe(0x3fb504f3);
  const got = new Map(steps(output));
  expect(got.get(`call mul_add(f32 ${hex8(ONE_PLUS_2M12)}, f32 ${hex8(ONE_PLUS_2M12)}, f32 ${hex8(MINUS_ONE_PLUS_2M11)})`)).toBe("f32 0x00000000");
}

// libgcc's i64 <-> f32/f64 conversions on rv32 split the integer into 32-bit halves and join them with
// one fused operation in binary64, which is how they round once (hi x 2^32 is exact); nothing else may fuse.
const FUSED_ON_PURPOSE = /^__(float(un)?di[sd]f|fix(uns)?[sd]fdi)$/;

/**
 * The image is built for hardware floating point (firmware/Makefile: rv32imafdc, ilp32d): F and D in
 * its RISC-V attributes, the double-float ABI in its ELF flags, no libgcc soft-float routine linked,
 * and no fused multiply-add (WebAssembly rounds a product and a sum apart: -ffp-contract=off).
 */
export function expectHardFloat(elf: string): void {
  const attributes = execFileSync("riscv64-unknown-elf-readelf", ["-A", "-h", elf], { encoding: "utf8" });
  const arch = /Tag_RISCV_arch: "([^"]+)"/.exec(attributes)?.[1] ?? "";
  // e.g. "rv32i2p1_m2p0_a2p1_f2p2_d2p2_c2p0_zicsr2p0_zmmul1p0" -> i, m, a, f, d, c, zicsr, zmmul
  const extensions = arch.replace(/^rv32/, "").split("_").map((ext) => ext.replace(/\d+p\d+$/, ""));
  expect(extensions.slice(0, 6), arch).toEqual(["i", "m", "a", "f", "d", "c"]);
  expect(attributes).toMatch(/Flags:.*double-float ABI/);
  const symbols = execFileSync("riscv64-unknown-elf-nm", [elf], { encoding: "utf8" });
  for (const routine of ["__addsf3", "__mulsf3", "__divsf3", "__adddf3", "__muldf3", "__divdf3"]) expect(symbols).not.toMatch(new RegExp(` T ${routine}$`, "m"));
  const code = execFileSync("riscv64-unknown-elf-objdump", ["-d", "--no-show-raw-insn", elf], { encoding: "utf8", maxBuffer: 256 << 20 });
  const fused: string[] = [];
  let fn = "";
  for (const line of code.split("\n")) {
    const label = /^[0-9a-f]+ <(.+)>:$/.exec(line);
    if (label) fn = label[1];
    else if (/\sf(n)?m(add|sub)\.[sdh]\s/.test(line) && !FUSED_ON_PURPOSE.test(fn)) fused.push(`${fn}: ${line.trim()}`);
  }
  expect(fused).toEqual([]);
}

/** The six trapping steps print a trap each, and the steps after them still answer. */
export function expectTrapsAnswered(output: string): void {
  const got = steps(output);
  const traps = got.filter(([, outcome]) => outcome.startsWith("error trap "));
  expect(traps.map(([step]) => step)).toEqual([
    "call boom()",
    "call div_s(i32 7, i32 0)",
    "call div_s(i32 -2147483648, i32 -1)",
    "call peek(i32 65536)",
    "call peek(i32 65533)",
    "call recurse(i32 0)",
  ]);
  const after = (step: string) => got[got.findIndex(([s]) => s === step) + 1];
  expect(after("call boom()")).toEqual(["call add(i32 -7, i32 7)", "i32 0"]);
  expect(after("call recurse(i32 0)")).toEqual(["call add(i32 20, i32 22)", "i32 42"]);
}
