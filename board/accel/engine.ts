// The accelerator model's functional engines: what computes Z for a validated job. Registers, validation,
// counters, cycles and energy belong to the model (model.ts); an engine only turns X, W (and Z) into Z.
// The arithmetic itself is written once, in the device code (DESIGN.md):
//   wasm  a private instance of the device module (build/device-simd.wasm) running its `gemm` export
//         (assembly/arith/mac/gemm.ts) on copies of the operands: the one implementation every board runs,
//         held to the exact oracle of test/helpers/gemm-reference.ts by test/accel/engine.test.ts.
//   rtl   the verilated RTL of the board's configuration (hw/, docs/hardware.md), driven through its
//         registers: the circuit itself, held to the wasm engine bit for bit by test/hw/rtl.test.ts.
// What the array computes (docs/gemm.md), one output at a time in row order, k ascending:
//   exact:  p = round_mul(x·w), sum = round_acc(sum + p)       per MAC, two draws (the product's, the sum's)
//   fma:    sum = round_acc(sum + x·w)                          per MAC, the second of two draws
//   fast:   sum = f32(sum + f32(x·w)), then round_acc(sum)      per output, one draw
// where the draws come from the output's lane stream, seeded by its position i·n + j (docs/gemm.md).
import { readFileSync } from "node:fs";
import { modulePath } from "../../host/device/module.js";
import { ROUND_RNE, ROUND_SR } from "../../host/generated/formats.js";
import type { CostJob } from "./cost.js";
import { floatFormat } from "./format.js";
import type { AcceleratorConfig } from "./model.js";

export const ENGINE_NAMES = ["wasm", "rtl"] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

/**
 * A validated job: what the cost model reads, plus the operands (byte offsets in linear memory). X, W and
 * Z hold xBytes / wBytes / zBytes per element: codes of xFormat / wFormat / acc when packed (1 or 2 bytes;
 * 4 is the f32 value itself), f32 containers otherwise; each address is a multiple of its width.
 */
export interface GemmJob extends CostJob {
  xBytes: number;
  wBytes: number;
  zBytes: number;
  x: number;
  ldx: number;
  transX: boolean;
  w: number;
  ldw: number;
  transW: boolean;
  z: number;
  ldz: number;
  srKey: number;
}

export interface GemmEngine {
  readonly name: EngineName;
  /** Runs a job the model validated (every operand lies inside `memory`). */
  run(memory: ArrayBuffer, job: GemmJob): void;
}

/** Compiled device modules by path: compiling is the slow part, each model instantiates its own. */
const compiled = new Map<string, WebAssembly.Module>();

function deviceModule(simd: boolean): WebAssembly.Module {
  const path = modulePath(simd);
  let module = compiled.get(path);
  if (!module) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch {
      throw new Error(`accelerator engine "wasm": device module ${path} is missing; run npm run build`);
    }
    module = new WebAssembly.Module(new Uint8Array(bytes));
    compiled.set(path, module);
  }
  return module;
}

interface GemmExports {
  memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  fmt_new(word: number): number;
  mac_spec_new(mulFmt: number, mulMode: number, accFmt: number, accMode: number, fma: number, fast: number, srBits: number, srKey: number): number;
  gemm(m: number, n: number, k: number, x: number, ldx: number, transX: number, w: number, ldw: number, transW: number, z: number, ldz: number, accumulate: number, spec: number): number;
  decode_array(fmt: number, src: number, dst: number, n: number): number;
  encode_array(fmt: number, mode: number, srBits: number, rng: number, src: number, dst: number, n: number): number;
}

const REQUIRED = ["memory", "alloc", "fmt_new", "mac_spec_new", "gemm", "decode_array", "encode_array"] as const;

/** Elements an operand spans: (stored rows - 1) * stride + row length. */
const span = (rows: number, stride: number, row: number) => (rows - 1) * stride + row;
const align4 = (elements: number) => (elements + 3) & ~3; // 16-byte aligned regions

/**
 * The device's own GEMM in a private instance. X and W are copied as they lie (same strides), Z compactly
 * (row stride n), into one region of the instance's memory that grows when a job needs more (the device
 * runtime never frees, so the region is reused). A packed operand of 1- or 2-byte codes is copied as
 * codes and decoded to f32 by the device's own codec (decode_array, the decoder the learner's weight store
 * uses), so it reaches gemm as the values its f32 containers would hold; a packed Z is decoded the same
 * way before an accumulating job and encoded (encode_array: Z's values are already rounded to ACC_FMT, so
 * this is exact) after it. A job whose Z overlaps X or W
 * runs output by output in the array's order (`inOrder` counts them, runInOrder says how).
 */
export class WasmGemmEngine implements GemmEngine {
  readonly name = "wasm";
  readonly simd: boolean;
  /** Jobs whose Z overlaps X or W, run output by output. */
  inOrder = 0;
  private readonly exports: GemmExports;
  private region = 0;
  private regionBytes = 0;
  private readonly formats = new Map<number, number>();
  private readonly specs = new Map<string, number>();
  /** Byte offset of srKey inside a spec, found by probing (-1: make a spec per stochastic job). */
  private readonly keyOffset: number;

  constructor(options: { simd?: boolean } = {}) {
    this.simd = options.simd ?? true;
    const module = deviceModule(this.simd);
    // The engine's instance has no accelerator behind its bus: it only runs gemm, which never touches it.
    const instance = new WebAssembly.Instance(module, {
      env: { mmio_read32: () => 0xffffffff | 0, mmio_write32: () => {} },
    });
    const exports = instance.exports as Record<string, unknown>;
    const missing = REQUIRED.filter((name) => !(name in exports));
    if (missing.length) throw new Error(`accelerator engine "wasm": ${modulePath(this.simd)}: expected exports ${REQUIRED.join(", ")}, received none for ${missing.join(", ")}`);
    this.exports = exports as unknown as GemmExports;
    this.keyOffset = this.probeKeyOffset();
  }

  /**
   * Where a MacSpec keeps srKey: the one word that holds each of two specs' distinct keys. Writing
   * the key there lets one spec per setting serve every job, instead of allocating a spec per job.
   */
  private probeKeyOffset(): number {
    const keys = [0x9e3779b9, 0x6a09e667];
    const specs = keys.map((key) => this.exports.mac_spec_new(0, ROUND_RNE, 0, ROUND_RNE, 0, 0, 32, key | 0) >>> 0);
    if (specs.some((s) => s === 0)) return -1;
    // Compare no further than the second spec's start (the allocator places it right after the first).
    const length = Math.min(16, Math.floor(Math.abs(specs[1] - specs[0]) / 4));
    const words = specs.map((s) => new Uint32Array(this.exports.memory.buffer, s, length));
    let found = -1;
    for (let i = 0; i < length; i++) {
      if (words[0][i] === keys[0] && words[1][i] === keys[1]) {
        if (found >= 0) return -1;
        found = i * 4;
      }
    }
    return found;
  }

  /** True when one spec per setting serves every job (the srKey word was found), so jobs allocate nothing. */
  get reusesSpecs(): boolean {
    return this.keyOffset >= 0;
  }

  private format(word: number): number {
    let pointer = this.formats.get(word);
    if (pointer === undefined) {
      pointer = this.exports.fmt_new(word) >>> 0;
      this.formats.set(word, pointer);
    }
    return pointer;
  }

  /** The spec for a job (the model validated its formats and modes, which the device accepts too). */
  private spec(job: GemmJob): number {
    // Without rounded products (fma, fast) the MUL registers mean nothing: fp32 with rne, as the model takes them.
    const usesMul = !job.fma && !job.fast;
    const mulWord = usesMul ? job.mul.word : 0;
    const mulMode = usesMul ? job.mulMode : ROUND_RNE;
    const mul = usesMul ? this.format(mulWord) : 0;
    const acc = this.format(job.acc.word);
    if ((usesMul && mul === 0) || acc === 0) return 0;
    const args = [mul, mulMode, acc, job.accMode, job.fma ? 1 : 0, job.fast ? 1 : 0, job.srBits] as const;
    const usesSr = job.accMode === ROUND_SR || (usesMul && mulMode === ROUND_SR);
    if (usesSr && this.keyOffset < 0) return this.exports.mac_spec_new(...args, job.srKey | 0) >>> 0;
    const key = args.join(",");
    let spec = this.specs.get(key);
    if (spec === undefined) {
      spec = this.exports.mac_spec_new(...args, 0) >>> 0;
      this.specs.set(key, spec);
    }
    if (spec !== 0 && this.keyOffset >= 0) new Uint32Array(this.exports.memory.buffer, spec + this.keyOffset, 1)[0] = job.srKey >>> 0;
    return spec;
  }

  /** A region of at least `bytes` in the instance's memory. */
  private reserve(bytes: number): number {
    if (bytes > this.regionBytes) {
      const size = Math.max(bytes, 2 * this.regionBytes);
      this.region = this.exports.alloc(size) >>> 0;
      this.regionBytes = size;
    }
    return this.region;
  }

  run(memory: ArrayBuffer, job: GemmJob): void {
    const { m, n, k, ldx, ldw, ldz, transX, transW } = job;
    // Z written over X or W: the array reads what earlier outputs wrote, in its own order.
    const zEnd = job.z + job.zBytes * span(m, ldz, n);
    const overlaps = (start: number, bytes: number) => start < zEnd && job.z < start + bytes;
    if (overlaps(job.x, job.xBytes * span(transX ? k : m, ldx, transX ? m : k)) || overlaps(job.w, job.wBytes * span(transW ? n : k, ldw, transW ? k : n))) {
      this.inOrder++;
      this.runInOrder(memory, job);
      return;
    }
    this.runCopied(memory, job, null);
  }

  /**
   * Output (i, j) after output (i, j - 1), each on the operands as the earlier ones left them. Without
   * stochastic rounding a 1 x 1 job per output gives its bits; with it the output keeps its position i·n + j
   * (the seed of its draws) as row i of an (i + 1) x n job whose other outputs are dropped (quadratic, but
   * only a misbehaving driver writes Z over its operands).
   */
  private runInOrder(memory: ArrayBuffer, job: GemmJob): void {
    const sr = job.accMode === ROUND_SR || (!job.fma && !job.fast && job.mulMode === ROUND_SR);
    for (let i = 0; i < job.m; i++) {
      for (let j = 0; j < job.n; j++) {
        if (sr) {
          this.runCopied(memory, { ...job, m: i + 1 }, { i, j });
          continue;
        }
        const x = job.x + job.xBytes * (job.transX ? i : i * job.ldx);
        const w = job.w + job.wBytes * (job.transW ? j * job.ldw : j);
        this.runCopied(memory, { ...job, m: 1, n: 1, x, w, z: job.z + job.zBytes * (i * job.ldz + j) }, { i: 0, j: 0 });
      }
    }
  }

  /**
   * `elements` of an operand at byte `from` of the board's memory as f32 at `to` in the instance: words as
   * they lie (so every NaN payload arrives as the board stored it), or codes of `word` copied to `staging`
   * and decoded there. A code is the low 1 + e + m bits of its byte or u16; the bits above are ignored.
   */
  private operandIn(memory: ArrayBuffer, from: number, elements: number, width: number, word: number, to: number, staging: number): void {
    const engine = this.exports.memory.buffer;
    if (width === 4) {
      new Uint32Array(engine, to, elements).set(new Uint32Array(memory, from, elements));
      return;
    }
    const codes = width === 1 ? new Uint8Array(engine, staging, elements) : new Uint16Array(engine, staging, elements);
    codes.set(width === 1 ? new Uint8Array(memory, from, elements) : new Uint16Array(memory, from, elements));
    const bits = floatFormat(word).bits;
    if (bits < 8 * width) codes.forEach((c, i) => (codes[i] = c & ((1 << bits) - 1)));
    const status = this.exports.decode_array(this.format(word), staging, to, elements);
    if (status !== 0) throw new Error(`accelerator engine "wasm": the device's decode_array refused format word 0x${(word >>> 0).toString(16)} (status ${status}); expected a float format the model validated`);
  }

  /**
   * Z's m x n values from the board (row stride ldz) to `to` in the instance (row stride n): words as they
   * lie, or codes gathered to `staging` and decoded there, as operandIn.
   */
  private zIn(memory: ArrayBuffer, job: GemmJob, to: number, staging: number): void {
    const { m, n, ldz, zBytes } = job;
    const engine = this.exports.memory.buffer;
    if (zBytes === 4) {
      copyRows(new Uint32Array(memory, job.z, span(m, ldz, n)), ldz, new Uint32Array(engine, to, m * n), n, m, n);
      return;
    }
    const Codes = zBytes === 1 ? Uint8Array : Uint16Array;
    copyRows(new Codes(memory, job.z, span(m, ldz, n)), ldz, new Codes(engine, staging, m * n), n, m, n);
    this.operandIn(engine, staging, m * n, zBytes, job.acc.word, to, staging);
  }

  /** Z's values at `from` in the instance (row stride n) to the board, every output or only `only`: words, or codes of ACC_FMT. */
  private zOut(memory: ArrayBuffer, job: GemmJob, from: number, staging: number, only: { i: number; j: number } | null): void {
    const { m, n, ldz, zBytes } = job;
    const engine = this.exports.memory.buffer;
    let at = from;
    if (zBytes !== 4) {
      const status = this.exports.encode_array(this.format(job.acc.word), ROUND_RNE, 32, 0, from, staging, m * n);
      if (status !== 0) throw new Error(`accelerator engine "wasm": the device's encode_array refused format word 0x${(job.acc.word >>> 0).toString(16)} (status ${status}); expected a float format the model validated`);
      at = staging;
    }
    const Codes = zBytes === 1 ? Uint8Array : zBytes === 2 ? Uint16Array : Uint32Array;
    const z = new Codes(engine, at, m * n);
    if (only) new Codes(memory, job.z + zBytes * (only.i * ldz + only.j), 1)[0] = z[only.i * n + only.j];
    else copyRows(z, n, new Codes(memory, job.z, span(m, ldz, n)), ldz, m, n);
  }

  /** Runs the job on copies of its operands; stores every output back, or only `only`. */
  private runCopied(memory: ArrayBuffer, job: GemmJob, only: { i: number; j: number } | null): void {
    const { m, n, k, ldx, ldw, ldz, transX, transW } = job;
    const xElements = span(transX ? k : m, ldx, transX ? m : k);
    const wElements = span(transW ? n : k, ldw, transW ? k : n);
    const spec = this.spec(job);
    const zElements = m * n;
    // Packed codes wait in a staging area after Z until decoded into X's, W's or Z's place (Z's on the way out too).
    const codes = (elements: number, width: number) => (width < 4 ? align4(elements * width) / 4 : 0);
    const xCodes = codes(xElements, job.xBytes), wCodes = codes(wElements, job.wBytes), zCodes = codes(zElements, job.zBytes);
    const base = this.reserve(4 * (align4(xElements) + align4(wElements) + align4(zElements) + xCodes + wCodes + zCodes));
    const xAt = base, wAt = xAt + 4 * align4(xElements), zAt = wAt + 4 * align4(wElements);
    const xCodesAt = zAt + 4 * align4(zElements), wCodesAt = xCodesAt + 4 * xCodes, zCodesAt = wCodesAt + 4 * wCodes;
    this.operandIn(memory, job.x, xElements, job.xBytes, job.xFormat.word, xAt, xCodesAt);
    this.operandIn(memory, job.w, wElements, job.wBytes, job.wFormat.word, wAt, wCodesAt);
    if (job.accumulate) this.zIn(memory, job, zAt, zCodesAt);
    const status = spec === 0 ? -7 : this.exports.gemm(m, n, k, xAt, ldx, transX ? 1 : 0, wAt, ldw, transW ? 1 : 0, zAt, n, job.accumulate ? 1 : 0, spec);
    // The device refuses one kind of job the model lets through: stochastic rounding past 2^32 outputs,
    // whose positions would not fit a u32 (docs/gemm.md); no such job fits a 32-bit memory.
    if (status !== 0) throw new Error(`accelerator engine "wasm": the device's gemm refused a ${m} x ${n} x ${k} job (status ${status}); expected a job it runs (a stochastic one of at most 2^32 outputs)`);
    this.zOut(memory, job, zAt, zCodesAt, only);
  }
}

/** Copies an m x n block between row strides (one copy when both are dense). */
function copyRows<T extends Uint8Array | Uint16Array | Uint32Array>(from: T, fromStride: number, to: T, toStride: number, m: number, n: number): void {
  if (fromStride === n && toStride === n) {
    to.set(from.subarray(0, m * n));
    return;
  }
  for (let i = 0; i < m; i++) to.set(from.subarray(i * fromStride, i * fromStride + n), i * toStride);
}

/** Engines that live outside this folder register here when their module is loaded (hw/rtl-engine.ts). */
const registered = new Map<EngineName, (config: AcceleratorConfig) => GemmEngine>();

export function registerEngine(name: EngineName, factory: (config: AcceleratorConfig) => GemmEngine): void {
  registered.set(name, factory);
}

/** The engine a config names. */
export function makeEngine(name: EngineName, config: AcceleratorConfig): GemmEngine {
  if (name === "wasm") return new WasmGemmEngine();
  const factory = registered.get(name);
  if (!factory) throw new Error(`accelerator engine "${name}": expected its module to be loaded (hw/rtl-engine.ts, which board/sim/mmio.ts loads for such a board), received none`);
  return factory(config);
}
