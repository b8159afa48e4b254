// Register-level behaviour of the accelerator model (spec/regmap.json, docs/accelerator.md) and its GEMM
// against the exact reference of test/helpers/gemm-reference.ts. Expected register values are worked out here by
// hand from the spec's tables; expected results come from the BigInt reference.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AcceleratorModel, DEFAULT_ACCELERATOR, AcceleratorConfig, acceleratorConfigFrom } from "../../board/accel/model";
import { parseFormat } from "../../host/formats/parse";
import { Fmt, MODE_NAMES, referenceGemm } from "../helpers/gemm-reference";

import { ROUND_RNE as RNE, ROUND_RNA as RNA, ROUND_RZ as RZ, ROUND_RU as RU, ROUND_RD as RD, ROUND_RO as RO, ROUND_SR as SR } from "../../host/generated/formats";
import { hex, isNaNBits, showF32 } from "../helpers/bits";
import { sweepFormats } from "../helpers/formats";
import { refFormat } from "../helpers/reference";

const spec = JSON.parse(readFileSync(join(import.meta.dirname, "../../spec/regmap.json"), "utf8"));
const BASE = 0x40000000;
const reg = (name: string): number => {
  const r = spec.registers.find((x: { name: string }) => x.name === name);
  if (!r) throw new Error(`no register ${name}`);
  return BASE + Number.parseInt(r.offset, 16);
};
const ERR: Record<string, number> = Object.fromEntries(spec.errors.map((e: { name: string; code: number }) => [e.name, e.code]));
const word = (name: string) => parseFormat(name).word;

/** A model over its own memory, with helpers to place f32 arrays and program jobs by register name. */
function rig(config: AcceleratorConfig = DEFAULT_ACCELERATOR, bytes = 1 << 16) {
  let memory = new ArrayBuffer(bytes);
  const model = new AcceleratorModel(config, () => memory);
  let next = 64;
  return {
    model,
    grow(to: number) {
      const bigger = new ArrayBuffer(to);
      new Uint8Array(bigger).set(new Uint8Array(memory));
      memory = bigger;
    },
    get memory() { return memory; },
    place(values: Float32Array): number {
      const at = next;
      new Float32Array(memory, at, values.length).set(values);
      next += values.length * 4 + 64;
      return at;
    },
    f32(at: number, n: number) { return new Float32Array(memory, at, n); },
    write(name: string, value: number) { model.write32(reg(name), value); },
    read(name: string) { return model.read32(reg(name)) >>> 0; },
    program(job: Record<string, number>) {
      for (const [name, value] of Object.entries(job)) model.write32(reg(name), value);
    },
  };
}

const STATUS_DONE = 2, STATUS_BUSY = 1;
const errorOf = (status: number) => (status >>> 8) & 0xff;

/** A valid 3 x 5 x 4 job in memory, as register values. */
function validJob(r: ReturnType<typeof rig>) {
  const x = r.place(new Float32Array(3 * 4).fill(1));
  const w = r.place(new Float32Array(4 * 5).fill(2));
  const z = r.place(new Float32Array(3 * 5));
  return { X_ADDR: x, W_ADDR: w, Z_ADDR: z, M: 3, N: 5, K: 4, LDX: 4, LDW: 5, LDZ: 5 };
}

describe("reset values", () => {
  it("every register reads its reset value from spec/regmap.json; CAPS follow the configuration", () => {
    const r = rig();
    for (const register of spec.registers) {
      if (register.reset === "config") continue;
      expect(hex(r.model.read32(BASE + Number.parseInt(register.offset, 16)) >>> 0), register.name).toBe(hex(Number.parseInt(register.reset, 16)));
    }
    // Default: products e4m3, e5m2, fp16, bf16, fp32 (bits 0-4), sums fp16, bf16, fp32 (bits 2-4).
    expect(hex(r.read("CAPS_FORMATS"))).toBe(hex(0x001c001f));
    expect(hex(r.read("CAPS_ARRAY"))).toBe(hex(0x0404)); // 4 rows, 4 columns
    // rne (0), rz (2), sr (6) -> 0x45; fma bit 8, fast bit 9, packed operands bit 10.
    expect(hex(r.read("CAPS_MODES"))).toBe(hex(0x745));
    expect(hex(rig({ ...DEFAULT_ACCELERATOR, packed: false }).read("CAPS_MODES"))).toBe(hex(0x345));
    expect(hex(r.read("ID"))).toBe(hex(0xedc10101));
  });

  it("reads outside the block return all ones; CTRL and unmapped offsets read 0; read-only registers ignore writes", () => {
    const r = rig();
    expect(r.model.read32(BASE - 4) >>> 0).toBe(0xffffffff);
    expect(r.model.read32(BASE + 0x1000) >>> 0).toBe(0xffffffff);
    expect(r.model.read32(BASE + 0x5c)).toBe(0);
    expect(r.model.read32(BASE + 0xffc)).toBe(0);
    r.write("CTRL", 0);
    expect(r.read("CTRL")).toBe(0);
    r.write("ID", 0x12345678);
    r.write("STATUS", 0xffff);
    r.write("CYCLES_LO", 99);
    expect(hex(r.read("ID"))).toBe(hex(0xedc10101));
    expect(r.read("STATUS")).toBe(0);
    expect(r.read("CYCLES_LO")).toBe(0);
  });

  it("CLEAR returns job registers, STATUS, ERROR_INFO and counters to reset", () => {
    const r = rig();
    r.program(validJob(r));
    r.write("CTRL", 1);
    expect(r.read("STATUS")).toBe(STATUS_DONE);
    expect(r.read("MACS_LO")).toBe(60);
    r.program({ SR_KEY: 77, OP: 1, ROUND: 0x66 });
    r.write("CTRL", 2);
    for (const name of ["M", "N", "K", "X_ADDR", "SR_KEY", "OP", "ROUND", "STATUS", "ERROR_INFO", "MACS_LO", "CYCLES_LO", "ENERGY_FJ_LO", "JOBS"]) {
      expect(r.read(name), name).toBe(0);
    }
    expect(hex(r.read("MUL_FMT"))).toBe(hex(word("fp32")));
  });
});

describe("every error code on a bad job", () => {
  // [error, register named in ERROR_INFO, what to change in a valid job]
  const cases: Array<[string, string, (job: Record<string, number>) => void, Partial<AcceleratorConfig>?]> = [
    ["ZERO_DIMENSION", "M", (j) => (j.M = 0)],
    ["ZERO_DIMENSION", "N", (j) => (j.N = 0)],
    ["ZERO_DIMENSION", "K", (j) => (j.K = 0)],
    ["UNSUPPORTED_FORMAT", "MUL_FMT", (j) => (j.MUL_FMT = word("e2m1"))],
    ["UNSUPPORTED_FORMAT", "MUL_FMT", (j) => (j.MUL_FMT = word("fixed8.4"))],
    ["UNSUPPORTED_FORMAT", "ACC_FMT", (j) => (j.ACC_FMT = word("e4m3"))],
    ["UNSUPPORTED_FORMAT", "ACC_FMT", (j) => (j.ACC_FMT = word("mxfp8"))],
    ["UNSUPPORTED_FORMAT", "X_FMT", (j) => (j.X_FMT = 0xff)],
    ["UNSUPPORTED_FORMAT", "W_FMT", (j) => (j.W_FMT = word("fixed8.4"))],
    ["UNSUPPORTED_ROUNDING", "ROUND", (j) => (j.ROUND = RNA)],
    ["UNSUPPORTED_ROUNDING", "ROUND", (j) => (j.ROUND = RO << 4)],
    ["UNSUPPORTED_ROUNDING", "ROUND", (j) => (j.ROUND = 7)],
    ["UNSUPPORTED_ROUNDING", "ROUND", (j) => (j.ROUND = 0x100)],
    ["UNSUPPORTED_ROUNDING", "SR_BITS", (j) => (j.SR_BITS = 33)],
    ["OUT_OF_BOUNDS", "X_ADDR", (j) => (j.X_ADDR = (1 << 16) - 16)],
    ["OUT_OF_BOUNDS", "W_ADDR", (j) => (j.W_ADDR = 0xfffffff0)],
    ["OUT_OF_BOUNDS", "Z_ADDR", (j) => (j.LDZ = 100000)],
    ["BAD_OP", "OP", (j) => (j.OP = 0x40)],
    ["BAD_OP", "OP", (j) => (j.OP = 8), { packed: false }],
    ["BAD_OP", "OP", (j) => (j.OP = 16), { packed: false }],
    ["BAD_OP", "OP", (j) => (j.OP = 32), { packed: false }],
    ["BAD_OP", "MAC", (j) => (j.MAC = 4)],
    ["BAD_OP", "MAC", (j) => (j.MAC = 3)],
    ["BAD_OP", "MAC", (j) => (j.MAC = 1), { fma: false }],
    ["BAD_OP", "MAC", (j) => (j.MAC = 2), { fast: false }],
    ["BAD_STRIDE", "LDX", (j) => (j.LDX = 3)],
    ["BAD_STRIDE", "LDX", (j) => { j.OP = 2; j.LDX = 2; }],
    ["BAD_STRIDE", "LDW", (j) => (j.LDW = 4)],
    ["BAD_STRIDE", "LDW", (j) => { j.OP = 4; j.LDW = 3; }],
    ["BAD_STRIDE", "LDZ", (j) => (j.LDZ = 4)],
    ["MISALIGNED", "X_ADDR", (j) => (j.X_ADDR += 2)],
    ["MISALIGNED", "W_ADDR", (j) => (j.W_ADDR += 2)],
    ["MISALIGNED", "Z_ADDR", (j) => (j.Z_ADDR += 1)],
    // Packed operands align to their storage width: 2 bytes for fp16 and bf16, 4 for formats above 16 bits.
    ["MISALIGNED", "X_ADDR", (j) => { j.OP = 8; j.X_FMT = word("fp16"); j.X_ADDR += 1; }],
    ["MISALIGNED", "W_ADDR", (j) => { j.OP = 16; j.W_FMT = word("bf16"); j.W_ADDR += 3; }],
    ["MISALIGNED", "W_ADDR", (j) => { j.OP = 16; j.W_FMT = word("tf32"); j.W_ADDR += 2; }],
    // Z holds f32 containers whatever X and W hold, unless packed itself: then ACC_FMT's codes, 2 bytes for fp16.
    ["MISALIGNED", "Z_ADDR", (j) => { j.OP = 24; j.X_FMT = word("e4m3"); j.W_FMT = word("e4m3"); j.Z_ADDR += 2; }],
    ["MISALIGNED", "Z_ADDR", (j) => { j.OP = 32; j.ACC_FMT = word("fp16"); j.Z_ADDR += 1; }],
    ["MISALIGNED", "Z_ADDR", (j) => { j.OP = 32; j.Z_ADDR += 2; }], // ACC_FMT fp32: a packed Z is still 4 bytes an element
    // 3 x 5 bf16 codes take 30 bytes, 28 are left.
    ["OUT_OF_BOUNDS", "Z_ADDR", (j) => { j.OP = 32; j.ACC_FMT = word("bf16"); j.Z_ADDR = (1 << 16) - 28; }],
    // A packed operand's extent counts its own width: 3 x 4 fp16 codes take 24 bytes, 20 are left.
    ["OUT_OF_BOUNDS", "X_ADDR", (j) => { j.OP = 8; j.X_FMT = word("fp16"); j.X_ADDR = (1 << 16) - 20; }],
  ];
  it.each(cases)("%s at %s", (error, register, change, config) => {
    const r = rig({ ...DEFAULT_ACCELERATOR, ...config });
    const job: Record<string, number> = validJob(r);
    const z = job.Z_ADDR;
    change(job);
    r.program(job);
    r.write("CTRL", 1);
    const status = r.read("STATUS");
    expect(errorOf(status), `status ${hex(status)}`).toBe(ERR[error]);
    expect(status & STATUS_DONE).toBe(STATUS_DONE);
    expect(hex(r.read("ERROR_INFO"))).toBe(hex(reg(register) - BASE));
    // Nothing computed, nothing counted.
    expect(r.read("MACS_LO")).toBe(0);
    expect(r.read("JOBS")).toBe(0);
    expect(Array.from(r.f32(z, 15))).toEqual(new Array(15).fill(0));
  });

  it("FMA ignores MUL_FMT and ROUND.MUL: an unsupported product format is no error there", () => {
    const r = rig();
    r.program({ ...validJob(r), MAC: 1, MUL_FMT: word("e2m1"), ROUND: RNA });
    r.write("CTRL", 1);
    expect(r.read("STATUS")).toBe(STATUS_DONE);
  });

  it("BUSY: writes and START while a job runs are refused with BUSY; the job completes", () => {
    const r = rig({ ...DEFAULT_ACCELERATOR, busyPolls: 3 });
    const job = validJob(r);
    r.program(job);
    r.write("CTRL", 1);
    expect(r.read("STATUS")).toBe(STATUS_BUSY);
    r.write("M", 1);
    expect(r.read("M")).toBe(3);
    r.write("CTRL", 1);
    const status = r.read("STATUS");
    expect(errorOf(status)).toBe(ERR.BUSY);
    expect(status & STATUS_BUSY).toBe(STATUS_BUSY);
    expect(hex(r.read("ERROR_INFO"))).toBe(hex(reg("CTRL") - BASE));
    expect(r.read("STATUS") & STATUS_BUSY).toBe(STATUS_BUSY); // the third of busyPolls = 3 reads
    const final = r.read("STATUS");
    expect(final & (STATUS_BUSY | STATUS_DONE)).toBe(STATUS_DONE);
    expect(r.read("JOBS")).toBe(1); // the refused START ran nothing
    expect(Array.from(r.f32(job.Z_ADDR, 15))).toEqual(new Array(15).fill(8)); // 4 products of 1 * 2
  });
});

describe("counters match the job", () => {
  it("5 x 6 x 7 fp32 on the 4 x 4 array: cycles, MACs, bytes and energy worked by hand", () => {
    const r = rig();
    const x = r.place(new Float32Array(5 * 7).fill(0.5));
    const w = r.place(new Float32Array(7 * 6).fill(0.25));
    const z = r.place(new Float32Array(5 * 6));
    r.program({ X_ADDR: x, W_ADDR: w, Z_ADDR: z, M: 5, N: 6, K: 7, LDX: 7, LDW: 6, LDZ: 6 });
    r.write("CTRL", 1);
    expect(r.read("STATUS")).toBe(STATUS_DONE);
    // Tiles: ceil(5/4) * ceil(6/4) = 4, each 7 steps: 28 compute cycles.
    // Reads: X 5*7 elements once per tile column (2) and W 7*6 once per tile row (2), 4 bytes each:
    // 280 + 336 = 616 bytes; writes 5*6*4 = 120 bytes. At 16 bytes/cycle: ceil(736/16) = 46 > 28 cycles,
    // plus 20 setup = 66.
    expect(r.read("MACS_LO")).toBe(210);
    expect(r.read("BYTES_READ_LO")).toBe(616);
    expect(r.read("BYTES_WRITTEN_LO")).toBe(120);
    expect(r.read("CYCLES_LO")).toBe(66);
    expect(r.read("JOBS")).toBe(1);
    // Energy: 210 MACs * (3.7 + 0.9) pJ = 966 pJ; memory (616/8 + 120/8) = 92 accesses * 100 pJ = 9200 pJ.
    expect(r.read("ENERGY_FJ_LO")).toBe((966 + 9200) * 1000);
    expect(r.read("ENERGY_FJ_HI")).toBe(0);
    expect(Array.from(r.f32(z, 30))).toEqual(new Array(30).fill(0.875));
    expect(r.model.lastJob!.utilisation).toBeCloseTo(210 / (16 * 66), 12);
  });

  // The job both tests below run: 8 x 8 x 8 of ones, Z += X·W from zeros, e4m3 products, fp16 sums with sr.
  const onesJob = (r: ReturnType<typeof rig>, x: number, w: number, z: number, op: number) => ({
    X_ADDR: x, W_ADDR: w, Z_ADDR: z, M: 8, N: 8, K: 8, LDX: 8, LDW: 8, LDZ: 8, OP: op,
    MUL_FMT: word("e4m3"), ACC_FMT: word("fp16"), ROUND: RNE | (SR << 4), SR_BITS: 8, X_FMT: word("e4m3"), W_FMT: word("e4m3"),
  });
  // 512 MACs: e4m3 multiply 1.1 * (4/11)^2, fp16 add 0.4, one SR per MAC (an 8-bit LFSR step and an
  // 8-bit add, Horowitz's 8-bit integer add 0.03 pJ each); memory at 100 pJ per 64-bit access.
  const onesPj = (accesses: number) => 512 * (1.1 * (4 / 11) ** 2 + 0.4 + 2 * 0.03) + accesses * 100;

  it("e4m3 operands packed as codes: one byte per element read; Z in f32 containers; SR draws change the bill", () => {
    const r = rig();
    // 1.0 in e4m3 (bias 7): sign 0, exponent field 0111, mantissa 000 = 0x38. X at an odd address: bytes align anywhere.
    const codes = r.place(new Float32Array(40));
    new Uint8Array(r.memory, codes + 1, 128).fill(0x38);
    const z = r.place(new Float32Array(8 * 8));
    r.program(onesJob(r, codes + 1, codes + 65, z, 1 | 8 | 16));
    r.write("CTRL", 1);
    expect(r.read("STATUS")).toBe(STATUS_DONE);
    // Reads: X 64 * 2 tile columns * 1 byte + W 64 * 2 tile rows * 1 byte + Z 64 * 4 bytes (accumulate) = 512.
    expect(r.read("BYTES_READ_LO")).toBe(512);
    expect(r.read("BYTES_WRITTEN_LO")).toBe(256);
    // Compute: 4 tiles * 8 = 32 cycles; memory ceil(768 / 16) = 48; + 20 setup.
    expect(r.read("CYCLES_LO")).toBe(68);
    expect(r.read("ENERGY_FJ_LO")).toBe(Math.round(onesPj((512 + 256) / 8) * 1000));
    // Every output is 8 ones summed: exact in fp16, so sr leaves it.
    expect(Array.from(r.f32(z, 64))).toEqual(new Array(64).fill(8));
  });

  it("e4m3 operands in f32 containers: 4 bytes per element read, whatever X_FMT and W_FMT say", () => {
    const r = rig();
    const x = r.place(new Float32Array(8 * 8).fill(1));
    const w = r.place(new Float32Array(8 * 8).fill(1));
    const z = r.place(new Float32Array(8 * 8));
    r.program(onesJob(r, x, w, z, 1));
    r.write("CTRL", 1);
    expect(r.read("STATUS")).toBe(STATUS_DONE);
    // Reads: (64 * 2 + 64 * 2) * 4 bytes + Z 64 * 4 = 1280; memory ceil(1536 / 16) = 96 cycles > 32, + 20.
    expect(r.read("BYTES_READ_LO")).toBe(1280);
    expect(r.read("BYTES_WRITTEN_LO")).toBe(256);
    expect(r.read("CYCLES_LO")).toBe(116);
    expect(r.read("ENERGY_FJ_LO")).toBe(Math.round(onesPj((1280 + 256) / 8) * 1000));
    expect(Array.from(r.f32(z, 64))).toEqual(new Array(64).fill(8));
  });

  it("64-bit counters carry into the high word", () => {
    const r = rig(DEFAULT_ACCELERATOR, 1 << 22);
    // A 256 x 256 x 64 fp32 job costs more than 2^32 fJ (4.3 nJ).
    const x = r.place(new Float32Array(256 * 256));
    const w = r.place(new Float32Array(256 * 256));
    const z = r.place(new Float32Array(256 * 256));
    r.program({ X_ADDR: x, W_ADDR: w, Z_ADDR: z, M: 256, N: 256, K: 64, LDX: 64, LDW: 256, LDZ: 256 });
    r.write("CTRL", 1);
    const fj = r.read("ENERGY_FJ_HI") * 2 ** 32 + r.read("ENERGY_FJ_LO");
    expect(r.read("ENERGY_FJ_HI")).toBeGreaterThan(0);
    expect(fj).toBe(Math.round(r.model.lastJob!.energyPj.total * 1000));
  });
});

describe("packed operands: codes decoded as the format's definition gives", () => {
  // Codes of each swept float format (all of them up to 8 bits; for 16 bits a spread and the edges of
  // the exponent field) read packed as X (M x 1 against W = [1]) and as W (1 x N against X = [1]), from
  // an address that is not a multiple of 4. Each output is -0 + code value · 1: the value itself, signed
  // zeros included, so Z shows the model's decoding, held to the exact reference (test/helpers/reference.ts).
  const ONE = 0x3f800000, NEG_ZERO = 0x80000000;
  const codesOf = (bits: number): number[] => {
    if (bits <= 8) return Array.from({ length: 2 ** bits }, (_, c) => c);
    const spread = Array.from({ length: 1024 }, (_, i) => (i * 0x9e37) & 0xffff);
    return [...spread, 0x0000, 0x8000, 0x0001, 0x8001, 0x7fff, 0xffff, 0x7c00, 0xfc00, 0x7f80, 0xff80, 0x03ff, 0x0400, 0x7bff, 0x7f7f];
  };
  const formats = sweepFormats().filter((f) => f.spec.kind === "float");

  it.each(formats.map((f) => [f.label, f] as const))("%s", (_, format) => {
    const ref = refFormat(format.spec);
    const width = ref.bits <= 8 ? 1 : 2;
    const codes = codesOf(ref.bits);
    for (const operand of ["X", "W"] as const) {
      const r = rig();
      const n = codes.length;
      const region = r.place(new Float32Array(Math.ceil((n * width) / 4) + 1));
      const at = region + width; // a multiple of the width, not of 4
      const view = new DataView(r.memory);
      codes.forEach((c, i) => (width === 1 ? view.setUint8(at + i, c) : view.setUint16(at + 2 * i, c, true)));
      const one = r.place(new Float32Array([1]));
      const z = r.place(new Float32Array(n));
      new Uint32Array(r.memory, z, n).fill(NEG_ZERO);
      const job = operand === "X"
        ? { X_ADDR: at, W_ADDR: one, M: n, N: 1, LDX: 1, LDW: 1, LDZ: 1, OP: 1 | 8, X_FMT: format.word }
        : { X_ADDR: one, W_ADDR: at, M: 1, N: n, LDX: 1, LDW: n, LDZ: n, OP: 1 | 16, W_FMT: format.word };
      r.program({ ...job, Z_ADDR: z, K: 1 });
      r.write("CTRL", 1);
      expect(hex(r.read("STATUS")), `${operand} ${format.label}`).toBe(hex(STATUS_DONE));
      const got = new Uint32Array(r.memory, z, n);
      const wrong = codes.flatMap((c, i) => {
        const want = ref.decode(c);
        // A NaN keeps neither sign nor payload through the arithmetic (the gemm gives its canonical NaN).
        const same = isNaNBits(want) ? isNaNBits(got[i]) : got[i] === want;
        return same ? [] : [`${operand} code ${hex(c, width * 2)} of ${format.label}: got ${showF32(got[i])}, expected ${showF32(want)}`];
      });
      expect(wrong.slice(0, 5).join("\n")).toBe("");
      // The bytes read: the codes (one tile column or row), the container [1] once per tile, Z (accumulating).
      expect(r.read("BYTES_READ_LO"), `${operand} ${format.label}`).toBe(n * width + 4 * Math.ceil(n / 4) + 4 * n);
    }
  });

  it("a packed operand ends sooner: 12 e4m3 codes fit in the last 12 bytes of memory, 12 f32 containers do not", () => {
    const r = rig();
    const job = validJob(r);
    const end = r.memory.byteLength - 12;
    new Uint8Array(r.memory, end, 12).fill(0x38); // 1.0 in e4m3
    r.program({ ...job, X_ADDR: end, X_FMT: word("e4m3"), OP: 8 });
    r.write("CTRL", 1);
    expect(hex(r.read("STATUS"))).toBe(hex(STATUS_DONE));
    // X (3 x 4 ones) times W (4 x 5 twos): every output 8.
    expect(Array.from(r.f32(job.Z_ADDR, 15))).toEqual(new Array(15).fill(8));
    r.program({ OP: 0 });
    r.write("CTRL", 1);
    expect(errorOf(r.read("STATUS"))).toBe(ERR.OUT_OF_BOUNDS);
    expect(hex(r.read("ERROR_INFO"))).toBe(hex(reg("X_ADDR") - BASE));
  });

  it("a board without packed operands refuses PACK_X, PACK_W and PACK_Z (BAD_OP at OP); the RTL engine has none", () => {
    for (const op of [8, 16, 32]) {
      const r = rig({ ...DEFAULT_ACCELERATOR, packed: false });
      r.program({ ...validJob(r), OP: op });
      r.write("CTRL", 1);
      expect(errorOf(r.read("STATUS"))).toBe(ERR.BAD_OP);
      expect(hex(r.read("ERROR_INFO"))).toBe(hex(reg("OP") - BASE));
    }
    expect(acceleratorConfigFrom({ engine: "rtl" }, undefined, "board/x.json").packed).toBe(false);
    expect(() => acceleratorConfigFrom({ engine: "rtl", packed: true }, undefined, "board/x.json"))
      .toThrow('board/x.json: accelerator.packed: expected false with engine "rtl" (the RTL reads f32 containers only), received true');
  });
});

describe("packed Z: codes of ACC_FMT written, and read when accumulating", () => {
  // Every fp16 and bf16 accumulator variant (saturating, without subnormals). Z is M x 1 with LDZ 2, so a
  // code of padding lies between outputs and must stay as it was; Z starts 2 bytes past a multiple of 4.
  const formats = sweepFormats().filter((f) => f.spec.kind === "float" && ((f.spec.e === 5 && f.spec.m === 10) || (f.spec.e === 8 && f.spec.m === 7)));
  const PAD = 0xa5a5;
  const codes = [
    ...Array.from({ length: 512 }, (_, i) => (i * 0x9e37 + 11) & 0xffff),
    0x0000, 0x8000, 0x0001, 0x8001, 0x03ff, 0x0400, 0x3c00, 0x7bff, 0x7c00, 0xfc00, 0x7e00, 0x3f80, 0x7f7f, 0x7f80, 0xff80, 0x7fc0,
  ];

  const F32_INF = 0x7f800000;
  const f32Bits = (v: number) => new Uint32Array(Float32Array.of(v).buffer)[0];
  const valueOf = (bits: number) => new Float32Array(Uint32Array.of(bits).buffer)[0];
  /** What an accumulator of `ref` holds after summing to `bits` (f32, exact here): rne, flushing where the format has no subnormals, saturating where it saturates (inf too). */
  const held = (ref: ReturnType<typeof refFormat>, bits: number) => ref.round(bits, "rne");

  /** A rig with Z's codes (n of them, LDZ 2, padding between) at an address that is 2 mod 4; returns Z's address. */
  function zCodes(r: ReturnType<typeof rig>, values: number[]): number {
    const region = r.place(new Float32Array(values.length + 2));
    const at = region + 2;
    const view = new Uint16Array(r.memory, at, 2 * values.length);
    values.forEach((c, i) => { view[2 * i] = c; view[2 * i + 1] = PAD; });
    return at;
  }

  it.each(formats.map((f) => [f.label, f] as const))("%s: Z = X·[1] writes the code of each X value (an independent decoder reads them)", (_, format) => {
    const ref = refFormat(format.spec);
    // X: every value a code of the format stands for (so the sum, X·1, is already in ACC_FMT).
    const values = codes.map((c) => ref.decode(c));
    const r = rig();
    const x = r.place(new Float32Array(Uint32Array.from(values).buffer));
    const one = r.place(new Float32Array([1]));
    const n = values.length;
    const z = zCodes(r, new Array(n).fill(0x1234));
    r.program({ X_ADDR: x, W_ADDR: one, Z_ADDR: z, M: n, N: 1, K: 1, LDX: 1, LDW: 1, LDZ: 2, OP: 32, ACC_FMT: format.word });
    r.write("CTRL", 1);
    expect(hex(r.read("STATUS"))).toBe(hex(STATUS_DONE));
    const got = new Uint16Array(r.memory, z, 2 * n);
    // The sum starts from +0, so -0 comes out +0.
    const wrong = values.map((v) => held(ref, f32Bits(0 + valueOf(v)))).flatMap((want, i) => {
      const back = ref.decode(got[2 * i]);
      const same = isNaNBits(want) ? isNaNBits(back) : back === want;
      const padded = got[2 * i + 1] === PAD;
      return same && padded ? [] : [`output ${i}: code ${hex(got[2 * i], 4)} = ${showF32(back)}, expected ${showF32(want)}${padded ? "" : `; padding now ${hex(got[2 * i + 1], 4)}`}`];
    });
    expect(wrong.slice(0, 5).join("\n")).toBe("");
    // Written: 2 bytes an output, not 4.
    expect(r.read("BYTES_WRITTEN_LO")).toBe(2 * n);
  });

  it.each(formats.map((f) => [f.label, f] as const))("%s: Z += X·W starts from Z's codes; the result's codes are read back", (_, format) => {
    const ref = refFormat(format.spec);
    const r = rig();
    const n = codes.length;
    // x = 1 for the first half of the finite starts (z + 1, rounded rne); else -0 (z + -0·1 is z, -0 included).
    const half = n >> 1;
    const starts = codes.map((c) => ref.decode(c));
    const xs = starts.map((b, i) => (i < half && (b & 0x7fffffff) < F32_INF ? 1 : -0));
    const x = r.place(Float32Array.from(xs));
    const one = r.place(new Float32Array([1]));
    const z = zCodes(r, codes);
    r.program({ X_ADDR: x, W_ADDR: one, Z_ADDR: z, M: n, N: 1, K: 1, LDX: 1, LDW: 1, LDZ: 2, OP: 1 | 32, ACC_FMT: format.word });
    r.write("CTRL", 1);
    expect(hex(r.read("STATUS"))).toBe(hex(STATUS_DONE));
    const got = new Uint16Array(r.memory, z, 2 * n);
    const wrong = codes.flatMap((c, i) => {
      const start = starts[i];
      const want = held(ref, xs[i] === 1 ? f32Bits(valueOf(start) + 1) : start);
      const back = ref.decode(got[2 * i]);
      const same = isNaNBits(want) ? isNaNBits(back) : back === want;
      return same && got[2 * i + 1] === PAD ? [] : [`Z code ${hex(c, 4)} (${showF32(start)}) + ${xs[i] === 1 ? "1" : "-0"}: code ${hex(got[2 * i], 4)} = ${showF32(back)}, expected ${showF32(want)}`];
    });
    expect(wrong.slice(0, 5).join("\n")).toBe("");
    // Read: X (4 bytes) and W once per tile ([1], 4 bytes each), Z 2 bytes an output.
    expect(r.read("BYTES_READ_LO")).toBe(4 * n + 4 * Math.ceil(n / 4) + 2 * n);
  });
});

describe("GEMM: model == exact reference", () => {
  const all: AcceleratorConfig = {
    ...DEFAULT_ACCELERATOR,
    productFormats: ["e4m3", "e5m2", "fp16", "bf16", "fp32"],
    accumulatorFormats: ["fp16", "bf16", "fp32"],
    rounding: ["rne", "rna", "rz", "ru", "rd", "ro", "sr"],
  };
  const ref = (name: string): Fmt => {
    const p = parseFormat(name);
    return new Fmt({ kind: "float", e: p.e, m: p.m, specials: p.specials, subnormals: p.subnormals, saturate: p.saturate }, name);
  };
  let seed = 12345;
  const next = () => {
    seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0;
    return seed;
  };
  /** Values of e4m3 (times a power of two) so products and sums exercise rounding but stay finite. */
  const value = () => {
    const r = next();
    const mant = 8 + (r & 7);
    return (r & 8 ? -1 : 1) * mant * 2 ** (((r >>> 4) % 12) - 12);
  };
  /** Any f32 of 24 random significand bits over 2^-20..2^20: sums then need the TwoSum term to round once. */
  const wideValue = () => {
    const r = next();
    return (r & 1 ? -1 : 1) * (1 + (next() >>> 9) / 2 ** 23) * 2 ** ((r >>> 1) % 41 - 20);
  };
  const modes = [RNE, RNA, RZ, RU, RD, RO, SR];
  const pairs: Array<[string, string]> = [["e4m3", "fp16"], ["e5m2", "fp16"], ["fp16", "fp32"], ["bf16", "bf16"], ["e4m3", "fp32"], ["fp32", "fp32"], ["bf16", "fp16"]];
  for (const [mulName, accName] of pairs) {
    for (const variant of ["exact", "fma", "fast"] as const) {
      it(`${mulName} products, ${accName} sums, ${variant}: random shapes, transposes, strides, every mode`, () => {
        const r = rig(all, 1 << 20);
        for (let trial = 0; trial < 14; trial++) {
          const m = 1 + (next() % 9), n = 1 + (next() % 9), k = 1 + (next() % 13);
          const transX = (next() & 1) === 1, transW = (next() & 1) === 1, accumulate = (next() & 1) === 1;
          const ldx = (transX ? m : k) + (next() % 3), ldw = (transW ? k : n) + (next() % 3), ldz = n + (next() % 3);
          const mulMode = modes[trial % 7], accMode = modes[(trial * 3 + 1) % 7];
          const srBits = [32, 1, 7, 13][trial % 4];
          const srKey = next();
          // Wide values only where nothing can overflow: fp32/bf16 sums, and products unrounded or wide.
          const wide = trial % 2 === 1 && accName !== "fp16" && (variant !== "exact" || mulName === "fp32" || mulName === "bf16");
          const pick = wide ? wideValue : value;
          const xs = new Float32Array((transX ? k : m) * ldx).map(pick);
          const ws = new Float32Array((transW ? n : k) * ldw).map(pick);
          const zs = new Float32Array(m * ldz).map(pick);
          const want = referenceGemm(
            { mul: ref(mulName), mulMode: MODE_NAMES[mulMode], acc: ref(accName), accMode: MODE_NAMES[accMode], fma: variant === "fma", fast: variant === "fast", srBits, srKey },
            {
              m, n, k, accumulate,
              x: (i, kk) => xs[transX ? kk * ldx + i : i * ldx + kk],
              w: (kk, j) => ws[transW ? j * ldw + kk : kk * ldw + j],
              z: Float32Array.from({ length: m * n }, (_, o) => zs[Math.floor(o / n) * ldz + (o % n)]),
            },
          );
          const x = r.place(xs), w = r.place(ws), z = r.place(zs);
          r.write("CTRL", 2);
          r.program({
            X_ADDR: x, W_ADDR: w, Z_ADDR: z, M: m, N: n, K: k, LDX: ldx, LDW: ldw, LDZ: ldz,
            OP: (accumulate ? 1 : 0) | (transX ? 2 : 0) | (transW ? 4 : 0),
            MUL_FMT: word(mulName), ACC_FMT: word(accName), ROUND: mulMode | (accMode << 4),
            MAC: variant === "fma" ? 1 : variant === "fast" ? 2 : 0, SR_BITS: srBits === 32 ? 0 : srBits, SR_KEY: srKey,
          });
          r.write("CTRL", 1);
          expect(r.read("STATUS"), `trial ${trial}`).toBe(STATUS_DONE);
          const got = new Uint32Array(r.memory, z, m * ldz);
          for (let i = 0; i < m; i++) {
            for (let j = 0; j < n; j++) {
              if (got[i * ldz + j] !== want[i * n + j]) {
                throw new Error(`trial ${trial} ${m}x${n}x${k} transX=${transX} transW=${transW} acc=${accumulate} mul=${mulName}:${mulMode} acc=${accName}:${accMode} r=${srBits}: Z(${i},${j}) model ${showF32(got[i * ldz + j])}, reference ${showF32(want[i * n + j])}`);
              }
            }
            // Padding between rows of Z is untouched.
            for (let j = n; j < ldz; j++) expect(got[i * ldz + j]).toBe(new Uint32Array(zs.buffer)[i * ldz + j]);
          }
        }
      });
    }
  }

  it("the same SR key gives the same bits; another key gives others", () => {
    const run = (key: number) => {
      const r = rig(all);
      const xs = new Float32Array(6 * 9).map(value), ws = new Float32Array(9 * 7).map(value);
      seed = 999; // same operands for each run
      xs.set(new Float32Array(6 * 9).map(value));
      ws.set(new Float32Array(9 * 7).map(value));
      const x = r.place(xs), w = r.place(ws), z = r.place(new Float32Array(42));
      r.program({ X_ADDR: x, W_ADDR: w, Z_ADDR: z, M: 6, N: 7, K: 9, LDX: 9, LDW: 7, LDZ: 7, MUL_FMT: word("e4m3"), ACC_FMT: word("fp16"), ROUND: SR | (SR << 4), SR_KEY: key });
      r.write("CTRL", 1);
      return Array.from(new Uint32Array(r.memory, z, 42));
    };
    expect(run(5)).toEqual(run(5));
    expect(run(5)).not.toEqual(run(6));
  });

  it("sees memory that grew after the model was made", () => {
    const r = rig(DEFAULT_ACCELERATOR, 1 << 16);
    r.program({ X_ADDR: 1 << 16, W_ADDR: (1 << 16) + 64, Z_ADDR: (1 << 16) + 128, M: 2, N: 2, K: 2, LDX: 2, LDW: 2, LDZ: 2 });
    r.write("CTRL", 1);
    expect(errorOf(r.read("STATUS"))).toBe(ERR.OUT_OF_BOUNDS);
    r.grow(1 << 17);
    new Float32Array(r.memory, 1 << 16, 4).set([1, 2, 3, 4]);
    new Float32Array(r.memory, (1 << 16) + 64, 4).set([1, 0, 0, 1]);
    r.write("CTRL", 1);
    expect(r.read("STATUS")).toBe(STATUS_DONE);
    expect(Array.from(new Float32Array(r.memory, (1 << 16) + 128, 4))).toEqual([1, 2, 3, 4]);
  });
});

describe("configuration from a board manifest", () => {
  it("reads the accelerator and energy groups, with defaults for what they leave out", () => {
    const c = acceleratorConfigFrom({ present: true, rows: 8, cols: 2, productFormats: ["e4m3"], accumulatorFormats: ["fp32"], rounding: ["rne"] }, { memoryPjPer64Bits: 20 }, "board/x.json");
    expect(c.rows).toBe(8);
    expect(c.cols).toBe(2);
    expect(c.energy.memoryPjPer64Bits).toBe(20);
    // An LFSR SR unit by default: 2 x (the fixed part of an integer add, 0.03 - 8 x 0.07 / 24 pJ).
    expect(c.energy.srGenerator).toBe("lfsr");
    expect(c.energy.srDrawPj).toBeCloseTo(2 * (0.03 - (8 * 0.07) / 24), 12);
    const model = new AcceleratorModel(c, () => new ArrayBuffer(64));
    expect(hex(model.read32(reg("CAPS_FORMATS")) >>> 0)).toBe(hex(0x00100001));
    expect(hex(model.read32(reg("CAPS_ARRAY")) >>> 0)).toBe(hex(0x0208));
  });

  it.each([
    [{ rows: 0 }, undefined, "board/x.json: accelerator.rows: expected an integer in [1, 255], received 0"],
    [{ productFormats: ["e2m1"] }, undefined, 'board/x.json: accelerator.productFormats: expected names among e4m3, e5m2, fp16, bf16, fp32, received "e2m1"'],
    [{ rounding: [] }, undefined, "board/x.json: accelerator.rounding: expected a non-empty list"],
    [{}, { memoryPjPer64Bits: -1 }, "board/x.json: energy.memoryPjPer64Bits: expected a number >= 0, received -1"],
    [{}, { dram: 3 }, "board/x.json: energy.dram: expected one of"],
  ])("refuses %j / %j naming the file and key", (accelerator, energy, message) => {
    expect(() => acceleratorConfigFrom(accelerator, energy, "board/x.json")).toThrow(message);
  });
});

describe("as a board makes it", () => {
  it("takes the manifest and the instance's WebAssembly.Memory, and offsets from the bus as well as addresses", () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 4 });
    const manifest = JSON.parse(readFileSync(join(import.meta.dirname, "../../board/sim.json"), "utf8"));
    const model = new AcceleratorModel({ manifest: { id: "sim", ...manifest }, memory: () => memory });
    expect(model.read32(0) >>> 0).toBe(0xedc10101);
    expect(model.read32(BASE) >>> 0).toBe(0xedc10101);
    expect(model.config.rows).toBe(manifest.accelerator.rows);
    const f32 = new Float32Array(memory.buffer);
    f32.set([1, 2, 3, 4], 16);
    f32.set([2, 0, 0, 2], 32);
    for (const [offset, value] of [[0x10, 64], [0x14, 128], [0x18, 192], [0x1c, 2], [0x20, 2], [0x24, 2], [0x28, 2], [0x2c, 2], [0x30, 2], [0x38, word("fp16")]]) model.write32(offset, value);
    model.write32(0x60, 1);
    expect(model.read32(0x64)).toBe(STATUS_DONE);
    expect(Array.from(new Float32Array(memory.buffer, 192, 4))).toEqual([2, 4, 6, 8]);
    // After the memory grows, the model sees the new buffer.
    memory.grow(1);
    model.write32(0x18, 65536 + 64);
    model.write32(0x60, 1);
    expect(model.read32(0x64)).toBe(STATUS_DONE);
    expect(Array.from(new Float32Array(memory.buffer, 65536 + 64, 4))).toEqual([2, 4, 6, 8]);
  });
});
