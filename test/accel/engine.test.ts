// The accelerator model's two functional engines (board/accel/engine.ts) on the same jobs: the wasm engine
// (the device's own gemm in a private instance) must leave every bit of memory and every register exactly
// as the reference engine (the model's TypeScript GEMM, itself held to the BigInt reference in
// model.test.ts) does: a few hundred seeded random jobs over every op, MAC mode, format pair, rounding mode
// (sr with the same key), odd sizes, strides, transposes, accumulation and NaN / inf / overflow operands.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AcceleratorModel, AcceleratorConfig, DEFAULT_ACCELERATOR, acceleratorConfigFrom } from "../../board/accel/model";
import { WasmGemmEngine } from "../../board/accel/engine";
import { parseFormat } from "../../host/formats/parse";

const regmap = JSON.parse(readFileSync(join(import.meta.dirname, "../../spec/regmap.json"), "utf8"));
const BASE = 0x40000000;
const OFFSET: Record<string, number> = Object.fromEntries(regmap.registers.map((r: { name: string; offset: string }) => [r.name, Number.parseInt(r.offset, 16)]));
const SPAN = Math.max(...Object.values(OFFSET)) + 4;
const word = (name: string) => parseFormat(name).word;

const MODES = ["rne", "rna", "rz", "ru", "rd", "ro", "sr"];
/** Every mode and MAC variant on, so the random jobs reach every path of both engines. */
const CONFIG: AcceleratorConfig = { ...DEFAULT_ACCELERATOR, rounding: MODES, busyPolls: 0 };
const PRODUCT = CONFIG.productFormats;
const ACCUMULATOR = CONFIG.accumulatorFormats;

/** xorshift32 from a seed: every job below follows from SEED. */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s;
  };
  return {
    u32: next,
    int: (lo: number, hi: number) => lo + (next() % (hi - lo + 1)),
    pick: <T>(list: readonly T[]): T => list[next() % list.length],
    chance: (p: number) => next() / 2 ** 32 < p,
  };
}
type Rng = ReturnType<typeof rng>;

const f32 = new Float32Array(1);
const f32Bits = new Uint32Array(f32.buffer);

/** One operand word: mostly values near the formats' grids and ranges, some raw f32 bits and specials. */
function operand(r: Rng, style: number): number {
  if (r.chance(0.02)) {
    return r.pick([0x7fc00000, 0xffc00001, 0x7f800001, 0x7f800000, 0xff800000, 0x80000000, 0, 0x7f7fffff, 0xff7fffff, 0x00000001, 0x807fffff]);
  }
  switch (style) {
    case 0: // short significands over the fp8 / fp16 ranges (products overflow e4m3 and fp16 now and then)
      f32[0] = (r.chance(0.5) ? -1 : 1) * r.int(8, 15) * 2 ** r.int(-16, 9);
      return f32Bits[0];
    case 1: // full f32 significands of moderate size
      f32[0] = (r.chance(0.5) ? -1 : 1) * (1 + r.u32() / 2 ** 32) * 2 ** r.int(-6, 6);
      return f32Bits[0];
    case 2: // tiny: subnormal products and sums in every format
      f32[0] = (r.chance(0.5) ? -1 : 1) * r.int(1, 255) * 2 ** r.int(-40, -20);
      return f32Bits[0];
    default: { // any finite f32
      const bits = r.u32();
      return ((bits >>> 23) & 0xff) === 0xff ? bits & 0xbfffffff : bits;
    }
  }
}

interface Job {
  regs: Record<string, number>;
  /** Words of the memory image before the job. */
  image: Uint32Array;
}

const MEMORY_BYTES = 1 << 17;

/** A random job: registers and a memory image holding X, W and Z at random aligned places. */
function randomJob(r: Rng): Job {
  const big = r.chance(0.15);
  const m = big ? r.int(20, 40) : r.int(1, 9);
  const n = big ? r.int(30, 70) : r.int(1, 11);
  const k = big ? r.int(10, 40) : r.int(1, 13);
  const transX = r.chance(0.4), transW = r.chance(0.4), accumulate = r.chance(0.4);
  const ldx = (transX ? m : k) + (r.chance(0.3) ? r.int(1, 5) : 0);
  const ldw = (transW ? k : n) + (r.chance(0.3) ? r.int(1, 5) : 0);
  const ldz = n + (r.chance(0.3) ? r.int(1, 5) : 0);
  const xWords = ((transX ? k : m) - 1) * ldx + (transX ? m : k);
  const wWords = ((transW ? n : k) - 1) * ldw + (transW ? k : n);
  const zWords = (m - 1) * ldz + n;
  const image = new Uint32Array(MEMORY_BYTES / 4);
  // Regions in a random order with gaps; the gaps hold a marker that must survive the job.
  image.fill(0x7fa5a5a5);
  let at = r.int(0, 64);
  const places: Record<string, number> = {};
  for (const name of r.chance(0.5) ? ["X", "W", "Z"] : ["Z", "W", "X"]) {
    places[name] = at;
    at += { X: xWords, W: wWords, Z: zWords }[name]! + r.int(0, 16);
  }
  const style = r.int(0, 3);
  const fill = (from: number, words: number) => { for (let i = 0; i < words; i++) image[from + i] = operand(r, style); };
  fill(places.X, xWords);
  fill(places.W, wWords);
  fill(places.Z, zWords);
  // Now and then Z is written over X or W, as a driver may do in place: the engines must still agree.
  if (r.chance(0.08)) places.Z = r.chance(0.5) ? places.X : places.W + r.int(0, 3);

  const mac = r.pick(["exact", "exact", "fma", "fast"]);
  const mulMode = r.pick(MODES), accMode = r.pick(MODES);
  const code = (mode: string) => MODES.indexOf(mode);
  const mul = r.pick(PRODUCT), acc = r.pick(ACCUMULATOR);
  const regs: Record<string, number> = {
    X_ADDR: places.X * 4, W_ADDR: places.W * 4, Z_ADDR: places.Z * 4, M: m, N: n, K: k, LDX: ldx, LDW: ldw, LDZ: ldz,
    OP: (accumulate ? 1 : 0) | (transX ? 2 : 0) | (transW ? 4 : 0),
    // fma and fast leave MUL_FMT and ROUND.MUL unused: sometimes out of range there, which neither engine may read.
    MUL_FMT: mac !== "exact" && r.chance(0.3) ? 0xffffffff : word(mul),
    ACC_FMT: word(acc),
    ROUND: ((mac !== "exact" && r.chance(0.3) ? 15 : code(mulMode)) << 0) | (code(accMode) << 4),
    MAC: mac === "fma" ? 1 : mac === "fast" ? 2 : 0,
    SR_BITS: r.chance(0.3) ? 0 : r.int(1, 32),
    SR_KEY: r.u32(),
    X_FMT: word(r.pick(PRODUCT)),
    W_FMT: word(r.pick(PRODUCT)),
  };
  return { regs, image };
}

/** Runs a job on a fresh copy of its memory image; returns the memory after it and every register's value. */
function runOn(model: AcceleratorModel, memory: { buffer: ArrayBuffer }, job: Job) {
  new Uint32Array(memory.buffer).set(job.image);
  for (const [name, value] of Object.entries(job.regs)) model.write32(BASE + OFFSET[name], value >>> 0);
  model.write32(BASE + OFFSET.CTRL, 1);
  const registers: number[] = [];
  for (let offset = 0; offset < SPAN; offset += 4) registers.push(model.read32(BASE + offset) >>> 0);
  return { words: new Uint32Array(memory.buffer).slice(), registers };
}

function pair(config: AcceleratorConfig = CONFIG) {
  const referenceMemory = { buffer: new ArrayBuffer(MEMORY_BYTES) };
  const wasmMemory = { buffer: new ArrayBuffer(MEMORY_BYTES) };
  const reference = new AcceleratorModel({ ...config, engine: "reference" }, () => referenceMemory.buffer);
  const wasm = new AcceleratorModel({ ...config, engine: "wasm" }, () => wasmMemory.buffer);
  return { reference, wasm, referenceMemory, wasmMemory };
}

/** The first differing word, for a message that says where. */
function firstDifference(a: Uint32Array, b: Uint32Array): string {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return `word ${i}: reference 0x${a[i].toString(16)}, wasm 0x${b[i].toString(16)}`;
  return "none";
}

describe("wasm engine against the reference engine", () => {
  it("agrees bit for bit, registers and totals included, on 400 random jobs", () => {
    const r = rng(0x5eed_ac01);
    const p = pair();
    let ran = 0, sr = 0, aliased = 0;
    for (let index = 0; index < 400; index++) {
      const job = randomJob(r);
      const a = runOn(p.reference, p.referenceMemory, job);
      const b = runOn(p.wasm, p.wasmMemory, job);
      const where = `job ${index} ${JSON.stringify(job.regs)}`;
      expect(b.registers, where).toEqual(a.registers);
      expect(firstDifference(a.words, b.words), where).toBe("none");
      const status = a.registers[OFFSET.STATUS / 4];
      if (status === 2) ran++;
      const zEnd = job.regs.Z_ADDR + 4 * ((job.regs.M - 1) * job.regs.LDZ + job.regs.N);
      if (status === 2 && (job.regs.Z_ADDR === job.regs.X_ADDR || (job.regs.Z_ADDR >= job.regs.W_ADDR && job.regs.Z_ADDR < job.regs.W_ADDR + 16 && zEnd > job.regs.W_ADDR))) aliased++;
      if (status === 2 && ((job.regs.ROUND >>> 4) & 15) === 6) sr++;
    }
    // Most jobs must have run (not been refused) for the comparison to mean something.
    expect(ran).toBeGreaterThan(300);
    expect(sr).toBeGreaterThan(30);
    expect(p.wasm.totals).toEqual(p.reference.totals);
    expect(p.wasm.lastJob).toEqual(p.reference.lastJob);
    expect(p.wasm.engine.name).toBe("wasm");
    // Only the jobs with Z over X or W go to the reference engine.
    expect(aliased).toBeGreaterThan(10);
    expect((p.wasm.engine as WasmGemmEngine).fallbacks).toBe(aliased);
    expect((p.wasm.engine as WasmGemmEngine).reusesSpecs).toBe(true);
    expect(p.reference.engine.name).toBe("reference");
  });

  it("both give the hand-worked results: 1.5 + 2^-11 ties to 1.5 in fp16, 256 + 256 = 512, a NaN stored as 0x7FC00000", () => {
    const p = pair();
    const image = new Uint32Array(MEMORY_BYTES / 4);
    const put = (at: number, values: number[]) => { values.forEach((v, i) => { f32[0] = v; image[at + i] = f32Bits[0]; }); };
    // Z[0][0] = 1*1.5 + 1*2^-11: fp16's ulp at 1.5 is 2^-10, so the exact 1.5 + 2^-11 is a tie, to even: 1.5.
    // Z[0][1] = 1*256 + 1*256 = 512, exact in fp16.
    // Z[0][2] = NaN * 1 = NaN, stored as 0x7FC00000.
    put(0, [1, 1]); // X: 1 x 2
    put(16, [1.5, 256, NaN, 2 ** -11, 256, 1]); // W: 2 x 3, row-major
    const job: Job = {
      regs: { X_ADDR: 0, W_ADDR: 64, Z_ADDR: 128, M: 1, N: 3, K: 2, LDX: 2, LDW: 3, LDZ: 3, OP: 0, MUL_FMT: word("fp16"), ACC_FMT: word("fp16"), ROUND: 0, MAC: 0, SR_BITS: 0, SR_KEY: 0, X_FMT: word("fp32"), W_FMT: word("fp32") },
      image,
    };
    image[16 + 2] = 0xffc01234; // a NaN with sign and payload
    for (const [model, memory] of [[p.reference, p.referenceMemory], [p.wasm, p.wasmMemory]] as const) {
      const out = runOn(model, memory, job);
      expect([...out.words.subarray(32, 35)].map((w) => w.toString(16))).toEqual([(0x3fc00000).toString(16), (0x44000000).toString(16), "7fc00000"]);
    }
  });
});

describe("engine selection", () => {
  const manifest = JSON.parse(readFileSync(join(import.meta.dirname, "../../board/sim.json"), "utf8"));
  it("a board manifest runs the wasm engine unless its accelerator group says reference", () => {
    expect(acceleratorConfigFrom(manifest.accelerator, manifest.energy, "board/sim.json").engine).toBe("wasm");
    const { engine: _, ...without } = manifest.accelerator;
    expect(acceleratorConfigFrom(without, manifest.energy, "x.json").engine).toBe("wasm");
    expect(acceleratorConfigFrom({ ...manifest.accelerator, engine: "reference" }, manifest.energy, "x.json").engine).toBe("reference");
    const model = new AcceleratorModel({ manifest: { id: "sim", accelerator: manifest.accelerator, energy: manifest.energy }, memory: () => new WebAssembly.Memory({ initial: 1 }) });
    expect(model.engine.name).toBe("wasm");
  });

  it("refuses an unknown engine, naming the key, the allowed names and the value", () => {
    expect(() => acceleratorConfigFrom({ ...manifest.accelerator, engine: "fast" }, manifest.energy, "board/x.json"))
      .toThrow('board/x.json: accelerator.engine: expected one of "wasm", "reference", received "fast"');
  });
});
