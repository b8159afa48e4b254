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
import { Job, MODES, f32, f32Bits, randomJob, rng } from "../helpers/accel-jobs";

const regmap = JSON.parse(readFileSync(join(import.meta.dirname, "../../spec/regmap.json"), "utf8"));
const BASE = 0x40000000;
const OFFSET: Record<string, number> = Object.fromEntries(regmap.registers.map((r: { name: string; offset: string }) => [r.name, Number.parseInt(r.offset, 16)]));
const SPAN = Math.max(...Object.values(OFFSET)) + 4;
const word = (name: string) => parseFormat(name).word;

/** Every mode and MAC variant on, so the random jobs reach every path of both engines. */
const CONFIG: AcceleratorConfig = { ...DEFAULT_ACCELERATOR, rounding: MODES, busyPolls: 0 };
const MEMORY_BYTES = 1 << 17;
const SPACE = { productFormats: CONFIG.productFormats, accumulatorFormats: CONFIG.accumulatorFormats, modes: MODES, memoryBytes: MEMORY_BYTES, inPlace: 0.08 };

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
      const job = randomJob(r, SPACE);
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
      .toThrow('board/x.json: accelerator.engine: expected one of "wasm", "reference", "rtl", received "fast"');
  });
});
