// The C accelerator model (firmware/src/accel_model.c) with the device process's engine (the device
// module's gemm translated for the host, firmware/device/gemm_engine.c) against the TypeScript model
// (board/accel/): the same bus script (test/firmware/accel_model_script.ts) runs on both, and every read
// (registers, error codes, counters, energy), every Z element and the final memory must agree bit for
// bit. The C side is compiled with the host's gcc, twice: -O2 reaching memory through a base pointer,
// and -O0 through load32/store32. Jobs are random but seeded: several hundred per run
// over four accelerator configurations, with odd sizes, padded strides, transposes, accumulation,
// every format pair and rounding mode, SR with the same keys, NaN, infinities, overflow, and bad jobs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AcceleratorConfig, DEFAULT_ACCELERATOR, acceleratorConfigFrom } from "../../board/accel/model";
import { HOROWITZ_2014 } from "../../board/accel/energy";
import { ACCEL_FORMATS } from "../../host/generated/regmap";
import { TestRandom, hex, showF32, structuredBits } from "../helpers/bits";
import { BusScript, HARNESS_BUILDS, HarnessBuild, buildHarness, engineLibrary, runHarness } from "./accel_model_script";
import { loadBoard } from "../../host/manifest/manifest.js";
import { buildQemuBoardImage } from "../../host/firmware/index.js";

const BASE = 0x40000000;
const spec = JSON.parse(readFileSync(new URL("../../spec/regmap.json", import.meta.url), "utf8"));
const OFFSET: Record<string, number> = Object.fromEntries(
  spec.registers.map((r: { name: string; offset: string }) => [r.name, Number.parseInt(r.offset, 16)]),
);
const at = (name: string) => BASE + OFFSET[name];
const COUNTERS = ["CYCLES_LO", "CYCLES_HI", "MACS_LO", "MACS_HI", "BYTES_READ_LO", "BYTES_READ_HI", "BYTES_WRITTEN_LO", "BYTES_WRITTEN_HI", "ENERGY_FJ_LO", "ENERGY_FJ_HI", "JOBS"];
const WORD = Object.fromEntries(ACCEL_FORMATS.map((f) => [f.id, f.word]));
const MODE_NAMES = ["rne", "rna", "rz", "ru", "rd", "ro", "sr"];
const FP32 = WORD.fp32;
// Storage formats X_FMT / W_FMT may name (any float word): e2m1, e3m2, tf32, fp32 with options.
const OPERAND_WORDS = [WORD.fp32, WORD.e4m3, WORD.e5m2, WORD.fp16, WORD.bf16, 0x00010210, 0x00020320, 0x000a0800, WORD.fp32 | 0xc0];

const simManifest = JSON.parse(readFileSync(new URL("../../board/sim.json", import.meta.url), "utf8"));

/** Four configurations: every mode, the sim board's manifest, and two odd shapes with their own energy figures (one without packed operands, with the circuit's cycles). */
const CONFIGS: Array<[string, AcceleratorConfig]> = [
  ["every format and mode", {
    ...DEFAULT_ACCELERATOR,
    productFormats: ["e4m3", "e5m2", "fp16", "bf16", "fp32"],
    accumulatorFormats: ["e4m3", "e5m2", "fp16", "bf16", "fp32"],
    rounding: MODE_NAMES,
  }],
  ["board/sim.json", acceleratorConfigFrom(simManifest.accelerator, simManifest.energy, "board/sim.json")],
  ["3 x 5 array, 3.7 B/cycle, busy for 3 polls, three unsorted multiply anchors", {
    ...DEFAULT_ACCELERATOR,
    rows: 3, cols: 5, bandwidthBytesPerCycle: 3.7, setupCycles: 7, busyPolls: 3,
    productFormats: ["e4m3", "fp16", "fp32"], accumulatorFormats: ["e5m2", "bf16", "fp32"],
    rounding: ["rne", "rna", "ru", "rd", "sr"], fma: true, fast: false,
    energy: {
      ...HOROWITZ_2014,
      multiply: [{ format: "fp32", p: 24, bits: 32, pj: 3.7 }, { format: "e4m3", p: 4, bits: 8, pj: 0.21 }, { format: "fp16", p: 11, bits: 16, pj: 1.1 }],
      add: [{ format: "x", p: 0, bits: 12, pj: 0.33 }],
      srDrawPj: 1.3, srAddPjPerBit: 0.0071, memoryPjPer64Bits: 13.1,
    },
  }],
  ["255 x 1 array, 0.3 B/cycle, f32 containers only, the circuit's cycles", {
    ...DEFAULT_ACCELERATOR,
    rows: 255, cols: 1, bandwidthBytesPerCycle: 0.3, setupCycles: 0, busyPolls: 1, cycleModel: "rtl",
    productFormats: ["bf16", "e5m2"], accumulatorFormats: ["fp32", "fp16"],
    rounding: ["rz", "ro", "sr", "rne"], fma: false, fast: true, packed: false,
    energy: {
      ...HOROWITZ_2014,
      multiply: [{ format: "bf16", p: 8, bits: 16, pj: 0.6 }],
      add: [{ format: "fp32", p: 24, bits: 32, pj: 0.9 }, { format: "e5m2", p: 3, bits: 8, pj: 0.05 }, { format: "fp16", p: 11, bits: 16, pj: 0.4 }],
      memoryPjPer64Bits: 2600,
    },
  }],
];

const JOBS_PER_CONFIG = 110;
const MEMORY_BYTES = 1 << 18;

let tmp = "";
const harnesses: Array<{ build: HarnessBuild; exe: string }> = [];
let setupError: unknown;

let engine = "";

beforeAll(async () => {
  try {
    tmp = mkdtempSync(join(tmpdir(), "edgecl-accel-model-"));
    // The device process's engine (the device module's gemm, for the host) is built with qemu-rv32's image.
    engine = engineLibrary((await buildQemuBoardImage(loadBoard("qemu-rv32"))).elf);
    for (const build of HARNESS_BUILDS) harnesses.push({ build, exe: buildHarness(tmp, engine, build) });
  } catch (err) {
    const { stderr } = err as { stderr?: Buffer };
    setupError = new Error(`could not compile the C model (Debian packages gcc, wabt and the firmware toolchain): ${stderr?.toString() || (err as Error).message}`);
  }
}, 300_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function ready(): void {
  if (setupError) throw setupError;
}

/** Values that exercise rounding: narrow grids, wide ranges, and NaN, inf, zeros, overflowing or vanishing magnitudes. */
function operandBits(r: TestRandom): number {
  const family = r.int(0, 9);
  const sign = r.u32() & 1 ? -1 : 1;
  const f32 = (v: number) => {
    const b = Buffer.alloc(4);
    b.writeFloatLE(v);
    return b.readUInt32LE(0);
  };
  if (family <= 2) return f32(sign * r.int(8, 15) * 2 ** r.int(-14, 0)); // e4m3-sized values: exact products, ties
  if (family <= 5) return f32(sign * (1 + r.u32() / 2 ** 32) * 2 ** r.int(-30, 30));
  if (family <= 7) return structuredBits(r, 1, -20, 20)[0];
  const pick = r.int(0, 9);
  if (pick === 0) return 0x7fc00000;
  if (pick === 1) return 0x7fa00001; // a signalling NaN with payload
  if (pick === 2) return f32(sign * Infinity);
  if (pick === 3) return sign < 0 ? 0x80000000 : 0;
  if (pick === 4) return f32(sign * 3e30);
  if (pick === 5) return f32(sign * 2e-30);
  if (pick === 6) return f32(sign * 70000);
  if (pick === 7) return f32(sign * 500); // past e4m3's 448
  return structuredBits(r, 1, -150, 128)[0];
}

type Breakage = "none" | "misaligned" | "out of bounds" | "stride" | "zero" | "op bits" | "mac bits" | "format" | "bad word" | "round" | "sr bits" | "clear and start";
const BREAKAGES: Breakage[] = ["misaligned", "out of bounds", "stride", "zero", "op bits", "mac bits", "format", "bad word", "round", "sr bits", "clear and start"];

/** Programs one random job (valid or broken one way), runs it, and reads back everything both models report. */
function randomJob(s: BusScript, r: TestRandom, index: number): void {
  const cfg = s.config;
  const size = () => (r.int(0, 5) === 0 ? r.int(10, 19) : r.int(1, 9));
  let m = size(), n = size(), k = size();
  const transX = r.int(0, 1) === 1, transW = r.int(0, 1) === 1, accumulate = r.int(0, 1) === 1;
  let ldx = (transX ? m : k) + r.int(0, 2), ldw = (transW ? k : n) + r.int(0, 2), ldz = n + r.int(0, 2);
  // Mostly what the configuration supports; now and then anything (the refusal must agree too).
  const macModes = [0, 0, ...(cfg.fma ? [1] : []), ...(cfg.fast ? [2] : [])];
  let mac = r.int(0, 9) === 0 ? r.int(0, 2) : r.pick(macModes);
  const flags = () => (r.int(0, 3) === 0 ? r.pick([0x40, 0x80, 0xc0]) : 0); // no-subnormals and saturate options
  let mulWord = (WORD[r.pick(cfg.productFormats)] | flags()) >>> 0;
  let accWord = (WORD[r.pick(cfg.accumulatorFormats)] | flags()) >>> 0;
  const mode = () => (r.int(0, 9) === 0 ? r.int(0, 6) : MODE_NAMES.indexOf(r.pick(cfg.rounding)));
  let round = mode() | (mode() << 4);
  let srBits = r.pick([0, 0, 32, r.int(1, 32), r.int(1, 8)]);
  const key = r.u32();
  let xFmt = r.pick(OPERAND_WORDS), wFmt = r.pick(OPERAND_WORDS);
  // Operands packed in their storage width (OP.PACK_X, OP.PACK_W, OP.PACK_Z): mostly where the
  // configuration reads them, now and then where it does not (the BAD_OP refusal must agree too).
  const pack = () => (cfg.packed ? r.int(0, 2) === 0 : r.int(0, 19) === 0);
  const packX = pack(), packW = pack(), packZ = pack();
  let op = (accumulate ? 1 : 0) | (transX ? 2 : 0) | (transW ? 4 : 0) | (packX ? 8 : 0) | (packW ? 16 : 0) | (packZ ? 32 : 0);
  // Bytes per element: a packed operand's storage width (1 + e + m bits in 1, 2 or 4 bytes), else a container's 4.
  const width = (word: number, packed: boolean) => {
    const bits = 1 + ((word >>> 8) & 0xff) + ((word >>> 16) & 0xff);
    return !packed || bits > 16 ? 4 : bits > 8 ? 2 : 1;
  };
  const xWidth = width(xFmt, packX), wWidth = width(wFmt, packW), zWidth = width(accWord, packZ);
  const breakage: Breakage = r.int(0, 9) === 0 ? r.pick(BREAKAGES) : "none";

  // Operands at random aligned places, with gaps, inside the memory.
  const xElems = (transX ? k - 1 : m - 1) * ldx + (transX ? m : k);
  const wElems = (transW ? n - 1 : k - 1) * ldw + (transW ? k : n);
  const zElems = (m - 1) * ldz + n;
  let cursor = 64 + 4 * r.int(0, 4000);
  const place = (elems: number) => {
    const here = cursor;
    cursor += 4 * (elems + r.int(0, 16));
    return here;
  };
  // An operand of codes starts at any multiple of its width inside its aligned region, filled with random codes.
  const operand = (elems: number, bytes: number) => {
    const here = place(elems + 2);
    if (bytes === 4) {
      for (let i = 0; i < elems; i++) s.poke(here + 4 * i, operandBits(r));
      return here;
    }
    const start = here + bytes * r.int(0, 3);
    for (let a = here; a < start + elems * bytes; a += 4) s.poke(a, r.u32());
    return start;
  };
  let x = operand(xElems, xWidth), w = operand(wElems, wWidth);
  // Z including the padding between rows, which must stay untouched: f32 values, or random codes.
  const zPadded = m * ldz;
  let z = operand(zPadded, zWidth);
  if (r.int(0, 49) === 0) z = x; // Z over X: both models compute in place, element by element
  const zPlaced = z, ldzPlaced = ldz;

  switch (breakage) {
    case "misaligned": if (r.int(0, 1)) x += 2; else z += 1; break;
    case "out of bounds": if (r.int(0, 1)) w = s.memoryBytes - 4 * r.int(0, 3); else ldz = 1 << 20; break;
    case "stride": if (r.int(0, 1)) ldx = (transX ? m : k) - 1; else ldw = (transW ? k : n) - 1; break;
    case "zero": if (r.int(0, 2) === 0) m = 0; else if (r.int(0, 1)) n = 0; else k = 0; break;
    case "op bits": op |= 0x40 << r.int(0, 25); break;
    case "mac bits": mac = r.pick([3, 4, 0x100]); break;
    case "format": mulWord = r.pick([0x00010210, 0x00030410 ^ 0x100, WORD.fp32 + 0x10000]); mac = 0; break;
    case "bad word": if (r.int(0, 1)) xFmt = r.pick([0xff, 0x01000000 | FP32, 0x00180800]); else accWord = 0x00000901; break;
    case "round": round = r.pick([0x07, 0x70, 0x100, 0x87]); break;
    case "sr bits": srBits = r.int(33, 40); break;
    default: break;
  }
  s.context = `job ${index} (${breakage === "none" ? "valid" : `broken: ${breakage}`}): m=${m} n=${n} k=${k} ldx=${ldx} ldw=${ldw} ldz=${ldz} ` +
    `op=${op} mac=${mac} mul=${hex(mulWord)} acc=${hex(accWord)} round=${hex(round, 2)} srBits=${srBits} key=${hex(key)} ` +
    `xFmt=${hex(xFmt)} wFmt=${hex(wFmt)} x=${x} w=${w} z=${z}`;

  if (r.int(0, 4) !== 0) s.write(at("CTRL"), 2); // now and then the counters run on across jobs
  const registers: Array<[string, number]> = [
    ["X_ADDR", x], ["W_ADDR", w], ["Z_ADDR", z], ["M", m], ["N", n], ["K", k], ["LDX", ldx], ["LDW", ldw], ["LDZ", ldz],
    ["OP", op], ["MUL_FMT", mulWord], ["ACC_FMT", accWord], ["ROUND", round], ["MAC", mac], ["SR_BITS", srBits],
    ["SR_KEY", key], ["X_FMT", xFmt], ["W_FMT", wFmt],
  ];
  for (const [name, value] of registers) s.write(at(name), value);
  s.write(at("CTRL"), breakage === "clear and start" ? 3 : 1);
  if (cfg.busyPolls > 0 && r.int(0, 2) === 0) {
    s.write(at(r.pick(["M", "SR_KEY", "OP"])), 5); // refused: BUSY, ERROR_INFO names the register
    s.read(at("STATUS"), "STATUS after a write while busy");
    s.read(at("ERROR_INFO"), "ERROR_INFO after a write while busy");
    s.write(at("CTRL"), 1); // START while busy: refused too
  }
  for (let polls = 0; polls < 100; polls++) {
    if ((s.read(at("STATUS"), `STATUS poll ${polls}`) & 1) === 0) break;
  }
  s.read(at("ERROR_INFO"), "ERROR_INFO");
  for (const name of COUNTERS) s.read(at(name), name);
  if (zWidth === 4) {
    for (let i = 0; i < zPadded && zPlaced + 4 * i + 4 <= s.memoryBytes; i++) {
      s.peek(zPlaced + 4 * i, `Z[${Math.floor(i / ldzPlaced)}][${i % ldzPlaced}]${i % ldzPlaced >= n ? " (padding)" : ""}`);
    }
  } else {
    // Codes: the words that hold them (the final memory comparison checks every byte too).
    for (let a = zPlaced & ~3; a < zPlaced + zWidth * zPadded && a + 4 <= s.memoryBytes; a += 4) s.peek(a, `Z codes at byte ${a - zPlaced}`);
  }
}

/** Runs the script on every harness build and fails with the first differences, labelled. */
function expectSame(s: BusScript, name: string): void {
  for (const harness of harnesses) {
    const c = runHarness(harness.exe, s, tmp, `${name}-${harnesses.indexOf(harness)}`);
    const lines: string[] = [];
    expect(c.results.length, `${harness.build.name}: number of results`).toBe(s.expected.length);
    for (let i = 0; i < s.expected.length && lines.length < 8; i++) {
      if (c.results[i] === s.expected[i]) continue;
      const { what, context } = s.labels[i];
      const show = what.startsWith("Z[") || what.startsWith("round") ? showF32 : (v: number) => `${v} (${hex(v)})`;
      lines.push(`${context}\n    ${what}: C model ${show(c.results[i])}, TypeScript model ${show(s.expected[i])}`);
    }
    expect(lines.join("\n"), `${harness.build.name}: reads that differ`).toBe("");
    const want = s.finalMemory();
    expect(c.memory.length, `${harness.build.name}: memory size`).toBe(want.length);
    let firstDiff = -1;
    for (let i = 0; i < want.length; i++) if (c.memory[i] !== want[i]) { firstDiff = i; break; }
    expect(firstDiff, `${harness.build.name}: first memory byte that differs`).toBe(-1);
  }
}

describe("the C model answers every bus access as the TypeScript model does", () => {
  it.each(CONFIGS.map(([name, config], i) => [name, config, i] as const))("%s", (name, config, i) => {
    ready();
    const s = new BusScript(config, MEMORY_BYTES);
    const r = new TestRandom(0xacce1 + i);
    s.context = "reset values";
    for (const register of spec.registers) s.read(BASE + Number.parseInt(register.offset, 16), register.name);
    for (const address of [BASE - 4, BASE + 0x1000, BASE + 0x5c, BASE + 0xffc, BASE + 0x11, 0x64, 0x1000, 0]) s.read(address);
    s.write(at("ID"), 0x12345678);
    s.write(at("CYCLES_LO"), 99);
    s.read(at("ID"), "ID after a write");
    let valid = 0;
    for (let j = 0; j < JOBS_PER_CONFIG; j++) {
      if (j === JOBS_PER_CONFIG / 2) {
        s.context = "memory.grow";
        s.resize(MEMORY_BYTES + 65536);
      }
      randomJob(s, r, j);
      if (!s.context.includes("broken")) valid++;
    }
    expect(valid).toBeGreaterThan(JOBS_PER_CONFIG * 0.8);
    // The TypeScript model really ran most jobs (not all refused by an error in the generator).
    expect(s.model.totals.jobs).toBeGreaterThan(JOBS_PER_CONFIG * 0.7);
    expectSame(s, `config${i}`);
  });

  it("a job whose operands lie past the memory runs once the memory has grown", () => {
    ready();
    const s = new BusScript(CONFIGS[0][1], 4096);
    s.context = "Z past the end, then memory.grow";
    s.resize(8192);
    for (let i = 0; i < 4; i++) s.poke(64 + 4 * i, 0x3f800000 + (i << 20));
    s.resize(4096);
    const program = () => {
      s.write(at("CTRL"), 2);
      for (const [name, value] of [["X_ADDR", 64], ["W_ADDR", 64], ["Z_ADDR", 4096 + 64], ["M", 2], ["N", 2], ["K", 2], ["LDX", 2], ["LDW", 2], ["LDZ", 2]] as const) s.write(at(name), value);
      s.write(at("CTRL"), 1);
      return [s.read(at("STATUS"), "STATUS"), s.read(at("ERROR_INFO"), "ERROR_INFO")];
    };
    expect(program()).toEqual([2 | (3 << 8), OFFSET.Z_ADDR]); // OUT_OF_BOUNDS at Z_ADDR, by the spec's table
    s.resize(8192);
    expect(program()).toEqual([2, 0]);
    for (let i = 0; i < 4; i++) s.peek(4096 + 64 + 4 * i, `Z[${i}]`);
    expectSame(s, "grow");
  });
});

describe("the firmware's configuration: firmware/src/accel_config.mjs reads a manifest as board/accel/model.ts does", () => {
  const generator = new URL("../../firmware/src/accel_config.mjs", import.meta.url).pathname;
  const generate = (command: string, file: string) => execFileSync("node", [generator, command, file], { stdio: ["ignore", "pipe", "pipe"] }).toString();
  const custom = {
    accelerator: {
      present: true, rows: 7, cols: 2, productFormats: ["e5m2", "fp16"], accumulatorFormats: ["bf16"], rounding: ["ru", "rd", "sr"],
      fma: false, fast: true, bandwidthBytesPerCycle: 5.5, setupCycles: 3, busyPolls: 2, packed: false,
    },
    energy: {
      multiply: [{ format: "fp32", p: 24, bits: 32, pj: 4.1 }, { format: "fp16", p: 11, bits: 16, pj: 0.9 }, { format: "fp8", p: 4, bits: 8, pj: 0.3 }],
      add: [{ format: "fp16", p: 11, bits: 16, pj: 0.37 }],
      srDrawPj: 0.61, memoryPjPer64Bits: 20,
    },
  };

  it.each(["board/qemu-rv32.json", "board/sim-rtl.json", "board/sim.json", "custom"])("%s: the generated header configures the C model to answer as the TypeScript model", (which) => {
    ready();
    const file = which === "custom" ? join(tmp, "custom.json") : new URL(`../../${which}`, import.meta.url).pathname;
    if (which === "custom") writeFileSync(file, JSON.stringify(custom));
    const manifest = JSON.parse(readFileSync(file, "utf8"));
    const header = join(tmp, `${which.replace(/\W/g, "_")}.h`);
    writeFileSync(header, generate("header", file));
    expect(generate("present", file)).toBe("1\n");
    const exe = buildHarness(tmp, engine, { name: "configured by the header", flags: ["-O2", `-DHARNESS_CONFIG_HEADER="${header}"`] }, `harness-${which.replace(/\W/g, "_")}`);
    // The engine computes Z only (the device's gemm or the RTL, the same bits): the TypeScript side takes the device's.
    const config = { ...acceleratorConfigFrom(manifest.accelerator, manifest.energy, which), engine: "wasm" as const };
    const s = new BusScript(config, MEMORY_BYTES);
    const r = new TestRandom(0xc0f19);
    s.context = "capabilities";
    for (const name of ["ID", "CAPS_FORMATS", "CAPS_ARRAY", "CAPS_MODES"]) s.read(at(name), name);
    for (let j = 0; j < 40; j++) randomJob(s, r, j);
    const c = runHarness(exe, s, tmp, `header-${which.replace(/\W/g, "_")}`);
    const differ = s.expected.flatMap((want, i) => (c.results[i] === want ? [] : [`${s.labels[i].context}: ${s.labels[i].what}: C ${c.results[i]}, TypeScript ${want}`]));
    expect(differ.slice(0, 5).join("\n")).toBe("");
    expect(c.results.length).toBe(s.expected.length);
  });

  it("a manifest the TypeScript model refuses is refused with its message; no header for a board without the accelerator", () => {
    ready();
    const fail = (command: string, manifest: unknown) => {
      const file = join(tmp, "bad.json");
      writeFileSync(file, JSON.stringify(manifest));
      try {
        generate(command, file);
      } catch (err) {
        return String((err as { stderr?: Buffer }).stderr);
      }
      return "no error";
    };
    expect(fail("header", { accelerator: { present: true, rows: 0 } })).toContain(`${join(tmp, "bad.json")}: accelerator.rows: expected an integer in [1, 255], received 0`);
    expect(fail("header", { accelerator: { present: true, rounding: ["rne", "nearest-ish"] } })).toContain('expected names among rne, rna, rz, ru, rd, ro, sr, received "nearest-ish"');
    expect(fail("header", { accelerator: { present: true }, energy: { multiply: Array(9).fill({ format: "x", p: 4, bits: 8, pj: 1 }) } })).toContain("expected at most 8 anchors, received 9");
    expect(fail("present", { accelerator: {} })).toContain('key "accelerator.present": expected true or false, received undefined');
    expect(fail("header", { accelerator: { present: false } })).toContain("build with ACCEL=0");
    expect(generate("present", new URL("../../board/qemu-rv32-noaccel.json", import.meta.url).pathname)).toBe("0\n");
  });
});

describe("configuration", () => {
  it("a configuration the model cannot take is refused with what was expected", () => {
    ready();
    const s = new BusScript({ ...DEFAULT_ACCELERATOR, rows: 0 }, 64);
    let message = "";
    try {
      runHarness(harnesses[0].exe, s, tmp, "bad-config");
    } catch (err) {
      message = String((err as { stderr?: Buffer }).stderr);
    }
    expect(message).toContain("expected accelerator rows in 1..255");
  });

  it("the C sources build without warnings as C99 and C11 with -Wconversion", () => {
    ready();
    for (const std of ["c99", "c11"]) {
      execFileSync("gcc", [`-std=${std}`, "-O2", "-ffp-contract=off", "-Wall", "-Wextra", "-Wpedantic", "-Wconversion", "-Werror",
        "-I", "firmware/include", "-I", "firmware/src", "-c", "firmware/src/accel_model.c", "-o", join(tmp, `accel_model_${std}.o`)],
      { cwd: new URL("../../", import.meta.url).pathname, stdio: ["ignore", "pipe", "pipe"] });
    }
  });
});
