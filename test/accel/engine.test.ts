// The accelerator model's functional engine (board/accel/engine.ts: the device's own gemm in a private
// instance) against the exact oracle of test/helpers/gemm-reference.ts: every word of memory after a few
// hundred seeded random jobs over every op, MAC mode, format pair, rounding mode (sr with the job's key),
// odd sizes, strides, transposes, accumulation, NaN / inf / overflow operands, and Z written over X or W
// (the array reads what earlier outputs wrote, in row order).
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AcceleratorModel, AcceleratorConfig, DEFAULT_ACCELERATOR, acceleratorConfigFrom } from "../../board/accel/model";
import { WasmGemmEngine } from "../../board/accel/engine";
import { parseFormat } from "../../host/formats/parse";
import { Job, MODES, f32, f32Bits, randomJob, rng } from "../helpers/accel-jobs";
import { MODE_NAMES, fmtOfWord, fp32Fmt, referenceGemm } from "../helpers/gemm-reference";
import { showF32 } from "../helpers/bits";

const regmap = JSON.parse(readFileSync(join(import.meta.dirname, "../../spec/regmap.json"), "utf8"));
const BASE = 0x40000000;
const OFFSET: Record<string, number> = Object.fromEntries(regmap.registers.map((r: { name: string; offset: string }) => [r.name, Number.parseInt(r.offset, 16)]));
const word = (name: string) => parseFormat(name).word;
const STATUS_DONE = 2;

/** Every mode and MAC variant on, so the random jobs reach every path of the engine. */
const CONFIG: AcceleratorConfig = { ...DEFAULT_ACCELERATOR, rounding: MODES, busyPolls: 0 };
const MEMORY_BYTES = 1 << 17;
const SPACE = { productFormats: CONFIG.productFormats, accumulatorFormats: CONFIG.accumulatorFormats, modes: MODES, memoryBytes: MEMORY_BYTES, inPlace: 0.08 };

/** Runs a job on a fresh copy of its memory image; returns the memory after it and STATUS. */
function runOn(model: AcceleratorModel, memory: { buffer: ArrayBuffer }, job: Job) {
  new Uint32Array(memory.buffer).set(job.image);
  for (const [name, value] of Object.entries(job.regs)) model.write32(BASE + OFFSET[name], value >>> 0);
  model.write32(BASE + OFFSET.CTRL, 1);
  return { words: new Uint32Array(memory.buffer).slice(), status: model.read32(BASE + OFFSET.STATUS) };
}

/** What the job leaves in memory by the oracle: each output computed and stored in row order. */
function expected(job: Job): Uint32Array {
  const r = job.regs;
  const words = job.image.slice();
  const values = new Float32Array(words.buffer);
  const m = r.M, n = r.N, k = r.K;
  const accumulate = (r.OP & 1) !== 0, transX = (r.OP & 2) !== 0, transW = (r.OP & 4) !== 0;
  const fma = r.MAC === 1, fast = r.MAC === 2;
  const x0 = r.X_ADDR / 4, w0 = r.W_ADDR / 4, z0 = r.Z_ADDR / 4;
  const zAt = (i: number, j: number) => z0 + i * r.LDZ + j;
  const z = Float32Array.from({ length: m * n }, (_, o) => values[zAt(Math.floor(o / n), o % n)]);
  referenceGemm(
    {
      // Without rounded products (fma, fast) MUL_FMT and ROUND.MUL mean nothing.
      mul: fma || fast ? fp32Fmt : fmtOfWord(r.MUL_FMT), mulMode: fma || fast ? "rne" : MODE_NAMES[r.ROUND & 15],
      acc: fmtOfWord(r.ACC_FMT), accMode: MODE_NAMES[(r.ROUND >>> 4) & 15], fma, fast,
      srBits: r.SR_BITS === 0 ? 32 : r.SR_BITS, srKey: r.SR_KEY >>> 0,
    },
    {
      m, n, k, z, accumulate,
      x: (i, kk) => values[x0 + (transX ? kk * r.LDX + i : i * r.LDX + kk)],
      w: (kk, j) => values[w0 + (transW ? j * r.LDW + kk : kk * r.LDW + j)],
      store: (i, j, bits) => (words[zAt(i, j)] = bits),
    },
  );
  return words;
}

describe("the model's GEMM against the exact oracle", () => {
  it("leaves every word of memory as the oracle says on 400 random jobs", () => {
    const r = rng(0x5eed_ac01);
    const memory = { buffer: new ArrayBuffer(MEMORY_BYTES) };
    const model = new AcceleratorModel(CONFIG, () => memory.buffer);
    let ran = 0, sr = 0, aliased = 0;
    for (let index = 0; index < 400; index++) {
      const job = randomJob(r, SPACE);
      const got = runOn(model, memory, job);
      const where = `job ${index} ${JSON.stringify(job.regs)}`;
      if (got.status !== STATUS_DONE) {
        // A refused job touches nothing.
        expect(got.words.every((w, i) => w === job.image[i]), where).toBe(true);
        continue;
      }
      ran++;
      const want = expected(job);
      const differs = got.words.findIndex((w, i) => w !== want[i]);
      if (differs >= 0) throw new Error(`${where}: word ${differs}: model ${showF32(got.words[differs])}, oracle ${showF32(want[differs])}`);
      const zEnd = job.regs.Z_ADDR + 4 * ((job.regs.M - 1) * job.regs.LDZ + job.regs.N);
      if (job.regs.Z_ADDR === job.regs.X_ADDR || (job.regs.Z_ADDR >= job.regs.W_ADDR && job.regs.Z_ADDR < job.regs.W_ADDR + 16 && zEnd > job.regs.W_ADDR)) aliased++;
      if (((job.regs.ROUND >>> 4) & 15) === 6) sr++;
    }
    // Most jobs must have run (not been refused) for the comparison to mean something.
    expect(ran).toBeGreaterThan(300);
    expect(sr).toBeGreaterThan(30);
    expect(model.engine.name).toBe("wasm");
    // The jobs with Z over X or W ran output by output; every other job allocated nothing per job.
    expect(aliased).toBeGreaterThan(10);
    expect((model.engine as WasmGemmEngine).inOrder).toBe(aliased);
    expect((model.engine as WasmGemmEngine).reusesSpecs).toBe(true);
  });

  it("gives the hand-worked results: 1.5 + 2^-11 ties to 1.5 in fp16, 256 + 256 = 512, a NaN stored as 0x7FC00000", () => {
    const memory = { buffer: new ArrayBuffer(MEMORY_BYTES) };
    const model = new AcceleratorModel(CONFIG, () => memory.buffer);
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
    const out = runOn(model, memory, job);
    expect([...out.words.subarray(32, 35)].map((w) => w.toString(16))).toEqual([(0x3fc00000).toString(16), (0x44000000).toString(16), "7fc00000"]);
  });
});

describe("engine selection", () => {
  const manifest = JSON.parse(readFileSync(join(import.meta.dirname, "../../board/sim.json"), "utf8"));
  it("a board manifest runs the wasm engine unless its accelerator group says rtl", () => {
    expect(acceleratorConfigFrom(manifest.accelerator, manifest.energy, "board/sim.json").engine).toBe("wasm");
    const { engine: _, ...without } = manifest.accelerator;
    expect(acceleratorConfigFrom(without, manifest.energy, "x.json").engine).toBe("wasm");
    expect(acceleratorConfigFrom({ ...manifest.accelerator, engine: "rtl" }, manifest.energy, "x.json").engine).toBe("rtl");
    const model = new AcceleratorModel({ manifest: { id: "sim", accelerator: manifest.accelerator, energy: manifest.energy }, memory: () => new WebAssembly.Memory({ initial: 1 }) });
    expect(model.engine.name).toBe("wasm");
  });

  it("refuses an unknown engine (the TypeScript reference engine is gone), naming the key, the allowed names and the value", () => {
    expect(() => acceleratorConfigFrom({ ...manifest.accelerator, engine: "reference" }, manifest.energy, "board/x.json"))
      .toThrow('board/x.json: accelerator.engine: expected one of "wasm", "rtl", received "reference"');
    expect(() => acceleratorConfigFrom({ ...manifest.accelerator, engine: "fast" }, manifest.energy, "board/x.json"))
      .toThrow('board/x.json: accelerator.engine: expected one of "wasm", "rtl", received "fast"');
  });
});
