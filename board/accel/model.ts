// The accelerator model behind a board's mmio_read32 / mmio_write32: the register semantics of
// spec/regmap.json (docs/accelerator.md), job validation and the cost model (cost.ts); Z is computed by
// the device's own gemm (engine.ts). Jobs run synchronously at START; `busyPolls` lets a board keep STATUS.BUSY up for a
// few polls so drivers exercise their wait loop.
import * as R from "../../host/generated/regmap.js";
import { ROUNDING, ROUND_SR } from "../../host/generated/formats.js";
import { FloatFormat, floatFormat, floatWordProblem } from "./format.js";
import { EngineName, ENGINE_NAMES, GemmEngine, makeEngine } from "./engine.js";
import { ArrayShape, CYCLE_MODELS, CycleModel, JobCost, elementBytes, jobCost } from "./cost.js";
import { EnergyParams, HOROWITZ_2014, energyParamsFrom } from "./energy.js";
import { circuitEnergy } from "./circuit.js";

export interface AcceleratorConfig extends ArrayShape {
  clockHz: number;
  /** Format ids (spec/regmap.json formats) products and the running sum may be rounded to. */
  productFormats: string[];
  accumulatorFormats: string[];
  /** Rounding mode names (spec/formats.json). */
  rounding: string[];
  fma: boolean;
  fast: boolean;
  /** Operands packed in their storage width (OP.PACK_X, OP.PACK_W, OP.PACK_Z) are read and written; false: f32 containers only. */
  packed: boolean;
  /** STATUS reads that still show BUSY after a START (0: DONE at once). */
  busyPolls: number;
  energy: EnergyParams;
  /** What computes each job's Z (engine.ts): the device's gemm, or the verilated RTL; the same bits. */
  engine: EngineName;
}

/** A board manifest's engine when its accelerator group names none. */
export const BOARD_ENGINE: EngineName = "wasm";

/** The sim board's accelerator: a 4 x 4 array at 100 MHz (the default board). */
export const DEFAULT_ACCELERATOR: AcceleratorConfig = {
  rows: 4,
  cols: 4,
  clockHz: 100_000_000,
  bandwidthBytesPerCycle: 16,
  setupCycles: 20,
  productFormats: ["e4m3", "e5m2", "fp16", "bf16", "fp32"],
  accumulatorFormats: ["fp16", "bf16", "fp32"],
  rounding: ["rne", "rz", "sr"],
  fma: true,
  fast: true,
  packed: true,
  busyPolls: 0,
  energy: HOROWITZ_2014,
  engine: "wasm",
};

/** Running totals since the model was made (a soft clear resets the registers' counters, not these). */
export interface AcceleratorTotals {
  jobs: number;
  refused: number;
  macs: number;
  cycles: number;
  bytesRead: number;
  bytesWritten: number;
  energyPj: { multiply: number; add: number; sr: number; memory: number; total: number };
}

const RW_REGISTERS = R.REGISTERS.filter((r) => r.access === "rw");
const FORMAT_BY_ID = new Map(R.ACCEL_FORMATS.map((f) => [f.id, f]));
const ROUND_CODE = new Map<string, number>(ROUNDING.map((r) => [r.name, r.code]));
const MATCH_MASK = 0x00ffff3f; // kind, specials, e, m: the saturate and no-subnormals options are free
const TWO32 = 2 ** 32;
const FP32 = floatFormat(R.ACCEL_FMT_FP32_WORD);

class JobError extends Error {
  constructor(readonly code: number, readonly register: number) {
    super(`accelerator error ${code} at register 0x${register.toString(16)}`);
  }
}

/** Builds a config from a board manifest's `accelerator` and `energy` groups; errors name the file and key. */
export function acceleratorConfigFrom(accelerator: unknown, energy: unknown, file: string): AcceleratorConfig {
  if (typeof accelerator !== "object" || accelerator === null) throw new Error(`${file}: accelerator: expected an object, received ${JSON.stringify(accelerator)}`);
  const g = accelerator as Record<string, unknown>;
  const where = (key: string) => `${file}: accelerator.${key}`;
  const integer = (key: string, min: number, max: number, fallback: number): number => {
    const v = g[key] ?? fallback;
    if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) throw new Error(`${where(key)}: expected an integer in [${min}, ${max}], received ${JSON.stringify(g[key])}`);
    return v as number;
  };
  const names = (key: string, allowed: string[], fallback: string[]): string[] => {
    const v = g[key] ?? fallback;
    if (!Array.isArray(v) || v.length === 0) throw new Error(`${where(key)}: expected a non-empty list of ${allowed.join(", ")}, received ${JSON.stringify(g[key])}`);
    for (const name of v) if (!allowed.includes(name)) throw new Error(`${where(key)}: expected names among ${allowed.join(", ")}, received ${JSON.stringify(name)}`);
    return v as string[];
  };
  const flag = (key: string, fallback: boolean): boolean => {
    const v = g[key] ?? fallback;
    if (typeof v !== "boolean") throw new Error(`${where(key)}: expected true or false, received ${JSON.stringify(g[key])}`);
    return v;
  };
  const d = DEFAULT_ACCELERATOR;
  const formatIds = R.ACCEL_FORMATS.map((f) => f.id);
  const positive = (key: string, fallback: number): number => {
    const v = g[key] ?? fallback;
    if (typeof v !== "number" || !(v > 0) || !Number.isFinite(v)) throw new Error(`${where(key)}: expected a number > 0, received ${JSON.stringify(g[key])}`);
    return v;
  };
  const engine = engineName(g.engine, where("engine"));
  // The generated RTL fetches 32-bit words and has no code decoder: it reads f32 containers only.
  const packed = flag("packed", engine !== "rtl");
  if (packed && engine === "rtl") throw new Error(`${where("packed")}: expected false with engine "rtl" (the RTL reads f32 containers only), received true`);
  return {
    rows: integer("rows", 1, 255, d.rows),
    cols: integer("cols", 1, 255, d.cols),
    clockHz: positive("clockHz", d.clockHz),
    bandwidthBytesPerCycle: positive("bandwidthBytesPerCycle", d.bandwidthBytesPerCycle),
    setupCycles: integer("setupCycles", 0, 1_000_000, d.setupCycles),
    productFormats: names("productFormats", formatIds, d.productFormats),
    accumulatorFormats: names("accumulatorFormats", formatIds, d.accumulatorFormats),
    rounding: names("rounding", [...ROUND_CODE.keys()], d.rounding),
    fma: flag("fma", d.fma),
    fast: flag("fast", d.fast),
    packed,
    busyPolls: integer("busyPolls", 0, 1000, d.busyPolls),
    cycleModel: cycleModel(g.cycleModel, where("cycleModel")),
    engine,
    energy: energyParamsFrom(energy, `${file}: energy`, circuitEnergy),
  };
}

function cycleModel(value: unknown, where: string): CycleModel {
  if (value === undefined) return "overlapped";
  if (!CYCLE_MODELS.includes(value as CycleModel)) throw new Error(`${where}: expected one of ${CYCLE_MODELS.map((c) => JSON.stringify(c)).join(", ")}, received ${JSON.stringify(value)}`);
  return value as CycleModel;
}

function engineName(value: unknown, where: string): EngineName {
  if (value === undefined) return BOARD_ENGINE;
  if (!ENGINE_NAMES.includes(value as EngineName)) throw new Error(`${where}: expected one of ${ENGINE_NAMES.map((e) => JSON.stringify(e)).join(", ")}, received ${JSON.stringify(value)}`);
  return value as EngineName;
}

/** How a board makes the model: its manifest (board/<id>.json) and the device instance's memory. */
export interface BoardAccelerator {
  manifest: { id: string; accelerator: unknown; energy?: unknown };
  memory: () => WebAssembly.Memory;
}

export class AcceleratorModel {
  readonly config: AcceleratorConfig;
  private readonly memory: () => ArrayBuffer;
  private readonly regs = new Map<number, number>();
  private status = 0;
  private errorInfo = 0;
  private pollsLeft = 0;
  // Counters since the last soft clear (registers), as exact integers in f64 (< 2^53).
  private counters = { cycles: 0, macs: 0, bytesRead: 0, bytesWritten: 0, energyFj: 0, jobs: 0 };
  private readonly caps: { formats: number; array: number; modes: number };
  private readonly productMask: number;
  private readonly accumulatorMask: number;
  private readonly roundingMask: number;
  readonly totals: AcceleratorTotals = { jobs: 0, refused: 0, macs: 0, cycles: 0, bytesRead: 0, bytesWritten: 0, energyPj: { multiply: 0, add: 0, sr: 0, memory: 0, total: 0 } };
  private engineInstance: GemmEngine | null = null;
  /** The cost of the last job that ran, for telemetry. */
  lastJob: JobCost | null = null;

  /**
   * `memory` returns the current linear memory (it changes when the memory grows). A board may instead
   * pass its manifest and the instance's WebAssembly.Memory.
   */
  constructor(config: AcceleratorConfig | BoardAccelerator, memory?: () => ArrayBuffer) {
    if ("manifest" in config) {
      const board = config;
      this.config = acceleratorConfigFrom(board.manifest.accelerator, board.manifest.energy, `board/${board.manifest.id}.json`);
      this.memory = () => board.memory().buffer;
    } else {
      if (!memory) throw new Error("AcceleratorModel: expected a memory function, received none");
      this.config = config;
      this.memory = memory;
    }
    config = this.config;
    const bits = (ids: string[]) => ids.reduce((mask, id) => mask | (1 << FORMAT_BY_ID.get(id)!.bit), 0);
    this.productMask = bits(config.productFormats);
    this.accumulatorMask = bits(config.accumulatorFormats);
    this.roundingMask = config.rounding.reduce((mask, name) => mask | (1 << ROUND_CODE.get(name)!), 0);
    this.caps = {
      formats: ((this.productMask << R.ACCEL_CAPS_FORMATS_PRODUCT_SHIFT) | (this.accumulatorMask << R.ACCEL_CAPS_FORMATS_ACCUMULATOR_SHIFT)) >>> 0,
      array: ((config.rows << R.ACCEL_CAPS_ARRAY_ROWS_SHIFT) | (config.cols << R.ACCEL_CAPS_ARRAY_COLS_SHIFT)) >>> 0,
      modes: ((this.roundingMask << R.ACCEL_CAPS_MODES_ROUNDING_SHIFT) | ((config.fma ? 1 : 0) << R.ACCEL_CAPS_MODES_FMA_SHIFT) |
        ((config.fast ? 1 : 0) << R.ACCEL_CAPS_MODES_FAST_SHIFT) | ((config.packed ? 1 : 0) << R.ACCEL_CAPS_MODES_PACKED_SHIFT)) >>> 0,
    };
    this.reset();
  }

  /** Power-on reset: every register to its reset value. */
  reset(): void {
    for (const r of RW_REGISTERS) this.regs.set(r.offset, r.reset!);
    this.status = 0;
    this.errorInfo = 0;
    this.pollsLeft = 0;
    this.counters = { cycles: 0, macs: 0, bytesRead: 0, bytesWritten: 0, energyFj: 0, jobs: 0 };
  }

  /** The functional engine, made at the first job (a board that never starts one loads no second module). */
  get engine(): GemmEngine {
    return (this.engineInstance ??= makeEngine(this.config.engine, this.config));
  }

  private get busy(): boolean {
    return (this.status & (1 << R.ACCEL_STATUS_BUSY_SHIFT)) !== 0;
  }

  /** Offset of a bus address in the block, or -1; an offset below ACCEL_SPAN is taken as it is (a board's bus may decode the base). */
  private decode(address: number): number {
    const a = address >>> 0;
    if (a < R.ACCEL_SPAN) return a;
    const offset = a - R.ACCEL_BASE;
    return offset >= 0 && offset < R.ACCEL_SPAN ? offset : -1;
  }

  read32(address: number): number {
    const offset = this.decode(address);
    if (offset < 0) return R.ACCEL_ABSENT;
    const lo = (v: number) => v % TWO32;
    const hi = (v: number) => Math.floor(v / TWO32) >>> 0;
    switch (offset) {
      case R.ACCEL_ID_OFFSET: return R.ACCEL_ID_RESET;
      case R.ACCEL_CAPS_FORMATS_OFFSET: return this.caps.formats;
      case R.ACCEL_CAPS_ARRAY_OFFSET: return this.caps.array;
      case R.ACCEL_CAPS_MODES_OFFSET: return this.caps.modes;
      case R.ACCEL_STATUS_OFFSET: return this.readStatus();
      case R.ACCEL_ERROR_INFO_OFFSET: return this.errorInfo;
      case R.ACCEL_CYCLES_LO_OFFSET: return lo(this.counters.cycles);
      case R.ACCEL_CYCLES_HI_OFFSET: return hi(this.counters.cycles);
      case R.ACCEL_MACS_LO_OFFSET: return lo(this.counters.macs);
      case R.ACCEL_MACS_HI_OFFSET: return hi(this.counters.macs);
      case R.ACCEL_BYTES_READ_LO_OFFSET: return lo(this.counters.bytesRead);
      case R.ACCEL_BYTES_READ_HI_OFFSET: return hi(this.counters.bytesRead);
      case R.ACCEL_BYTES_WRITTEN_LO_OFFSET: return lo(this.counters.bytesWritten);
      case R.ACCEL_BYTES_WRITTEN_HI_OFFSET: return hi(this.counters.bytesWritten);
      case R.ACCEL_ENERGY_FJ_LO_OFFSET: return lo(this.counters.energyFj);
      case R.ACCEL_ENERGY_FJ_HI_OFFSET: return hi(this.counters.energyFj);
      case R.ACCEL_JOBS_OFFSET: return this.counters.jobs >>> 0;
      default: return this.regs.get(offset) ?? 0; // rw registers; CTRL and unmapped offsets read 0
    }
  }

  write32(address: number, value: number): void {
    const offset = this.decode(address);
    if (offset < 0) return;
    value = value >>> 0;
    if (offset === R.ACCEL_CTRL_OFFSET) {
      if (value & (1 << R.ACCEL_CTRL_CLEAR_SHIFT)) this.reset();
      if (value & (1 << R.ACCEL_CTRL_START_SHIFT)) this.start();
      return;
    }
    if (!this.regs.has(offset)) return; // read-only and unmapped offsets ignore writes
    if (this.busy) {
      this.refuse(R.ACCEL_ERR_BUSY, offset);
      return;
    }
    this.regs.set(offset, value);
  }

  private readStatus(): number {
    const value = this.status;
    if (this.busy && --this.pollsLeft <= 0) {
      this.status = (this.status & ~(1 << R.ACCEL_STATUS_BUSY_SHIFT)) | (1 << R.ACCEL_STATUS_DONE_SHIFT);
    }
    return value >>> 0;
  }

  /** A refused write or START while busy: the error shows in STATUS; the job in flight goes on. */
  private refuse(code: number, register: number): void {
    this.status = ((this.status & ~(R.ACCEL_STATUS_ERROR_MASK << R.ACCEL_STATUS_ERROR_SHIFT)) | (code << R.ACCEL_STATUS_ERROR_SHIFT)) >>> 0;
    this.errorInfo = register;
  }

  private start(): void {
    if (this.busy) {
      this.refuse(R.ACCEL_ERR_BUSY, R.ACCEL_CTRL_OFFSET);
      return;
    }
    const done = 1 << R.ACCEL_STATUS_DONE_SHIFT;
    try {
      const job = this.validate();
      this.engine.run(this.memory(), job);
      const cost = jobCost(this.config, this.config.energy, job);
      this.account(cost);
      this.errorInfo = 0;
      if (this.config.busyPolls > 0) {
        this.status = 1 << R.ACCEL_STATUS_BUSY_SHIFT;
        this.pollsLeft = this.config.busyPolls;
      } else {
        this.status = done;
      }
    } catch (error) {
      if (!(error instanceof JobError)) throw error;
      this.totals.refused++;
      this.status = (done | (error.code << R.ACCEL_STATUS_ERROR_SHIFT)) >>> 0;
      this.errorInfo = error.register;
    }
  }

  private account(cost: JobCost): void {
    this.lastJob = cost;
    const c = this.counters;
    c.cycles += cost.cycles;
    c.macs += cost.macs;
    c.bytesRead += cost.bytesRead;
    c.bytesWritten += cost.bytesWritten;
    c.energyFj += Math.round(cost.energyPj.total * 1000);
    c.jobs++;
    const t = this.totals;
    t.jobs++;
    t.macs += cost.macs;
    t.cycles += cost.cycles;
    t.bytesRead += cost.bytesRead;
    t.bytesWritten += cost.bytesWritten;
    for (const part of ["multiply", "add", "sr", "memory", "total"] as const) t.energyPj[part] += cost.energyPj[part];
  }

  private reg(offset: number): number {
    return this.regs.get(offset)!;
  }

  /** The programmed job, or a JobError naming the first problem, checked in the order docs/accelerator.md gives. */
  private validate() {
    const op = this.reg(R.ACCEL_OP_OFFSET);
    const packBits = (1 << R.ACCEL_OP_PACK_X_SHIFT) | (1 << R.ACCEL_OP_PACK_W_SHIFT) | (1 << R.ACCEL_OP_PACK_Z_SHIFT);
    const opBits = (1 << R.ACCEL_OP_ACCUMULATE_SHIFT) | (1 << R.ACCEL_OP_TRANS_X_SHIFT) | (1 << R.ACCEL_OP_TRANS_W_SHIFT) | (this.config.packed ? packBits : 0);
    if ((op & ~opBits) !== 0) throw new JobError(R.ACCEL_ERR_BAD_OP, R.ACCEL_OP_OFFSET);
    const mac = this.reg(R.ACCEL_MAC_OFFSET);
    const fma = ((mac >>> R.ACCEL_MAC_FMA_SHIFT) & 1) === 1;
    const fast = ((mac >>> R.ACCEL_MAC_FAST_SHIFT) & 1) === 1;
    const macBits = (1 << R.ACCEL_MAC_FMA_SHIFT) | (1 << R.ACCEL_MAC_FAST_SHIFT);
    if ((mac & ~macBits) !== 0 || (fma && fast) || (fma && !this.config.fma) || (fast && !this.config.fast)) {
      throw new JobError(R.ACCEL_ERR_BAD_OP, R.ACCEL_MAC_OFFSET);
    }
    const accumulate = ((op >>> R.ACCEL_OP_ACCUMULATE_SHIFT) & 1) === 1;
    const transX = ((op >>> R.ACCEL_OP_TRANS_X_SHIFT) & 1) === 1;
    const transW = ((op >>> R.ACCEL_OP_TRANS_W_SHIFT) & 1) === 1;
    const packX = ((op >>> R.ACCEL_OP_PACK_X_SHIFT) & 1) === 1;
    const packW = ((op >>> R.ACCEL_OP_PACK_W_SHIFT) & 1) === 1;
    const packZ = ((op >>> R.ACCEL_OP_PACK_Z_SHIFT) & 1) === 1;

    const m = this.reg(R.ACCEL_M_OFFSET), n = this.reg(R.ACCEL_N_OFFSET), k = this.reg(R.ACCEL_K_OFFSET);
    for (const [value, offset] of [[m, R.ACCEL_M_OFFSET], [n, R.ACCEL_N_OFFSET], [k, R.ACCEL_K_OFFSET]]) {
      if (value === 0) throw new JobError(R.ACCEL_ERR_ZERO_DIMENSION, offset);
    }

    // Products are rounded only in exact, unfused mode; there MUL_FMT and ROUND.MUL must be supported.
    const usesMul = !fma && !fast;
    const mul = usesMul ? this.format(R.ACCEL_MUL_FMT_OFFSET, this.productMask) : FP32;
    const acc = this.format(R.ACCEL_ACC_FMT_OFFSET, this.accumulatorMask);
    const xFormat = this.format(R.ACCEL_X_FMT_OFFSET, -1);
    const wFormat = this.format(R.ACCEL_W_FMT_OFFSET, -1);

    const round = this.reg(R.ACCEL_ROUND_OFFSET);
    const roundBits = (R.ACCEL_ROUND_MUL_MASK << R.ACCEL_ROUND_MUL_SHIFT) | (R.ACCEL_ROUND_ACC_MASK << R.ACCEL_ROUND_ACC_SHIFT);
    const mulMode = (round >>> R.ACCEL_ROUND_MUL_SHIFT) & R.ACCEL_ROUND_MUL_MASK;
    const accMode = (round >>> R.ACCEL_ROUND_ACC_SHIFT) & R.ACCEL_ROUND_ACC_MASK;
    const supported = (mode: number) => mode <= ROUND_SR && (this.roundingMask & (1 << mode)) !== 0;
    if ((round & ~roundBits) !== 0 || !supported(accMode) || (usesMul && !supported(mulMode))) {
      throw new JobError(R.ACCEL_ERR_UNSUPPORTED_ROUNDING, R.ACCEL_ROUND_OFFSET);
    }
    const srBitsRegister = this.reg(R.ACCEL_SR_BITS_OFFSET);
    if (srBitsRegister > 32) throw new JobError(R.ACCEL_ERR_UNSUPPORTED_ROUNDING, R.ACCEL_SR_BITS_OFFSET);

    const ldx = this.reg(R.ACCEL_LDX_OFFSET), ldw = this.reg(R.ACCEL_LDW_OFFSET), ldz = this.reg(R.ACCEL_LDZ_OFFSET);
    if (ldx < (transX ? m : k)) throw new JobError(R.ACCEL_ERR_BAD_STRIDE, R.ACCEL_LDX_OFFSET);
    if (ldw < (transW ? k : n)) throw new JobError(R.ACCEL_ERR_BAD_STRIDE, R.ACCEL_LDW_OFFSET);
    if (ldz < n) throw new JobError(R.ACCEL_ERR_BAD_STRIDE, R.ACCEL_LDZ_OFFSET);

    // Elements are aligned to their own width: a packed operand's storage width, or an f32 container's.
    const x = this.reg(R.ACCEL_X_ADDR_OFFSET), w = this.reg(R.ACCEL_W_ADDR_OFFSET), z = this.reg(R.ACCEL_Z_ADDR_OFFSET);
    const xBytes = elementBytes(xFormat, packX), wBytes = elementBytes(wFormat, packW), zBytes = elementBytes(acc, packZ);
    for (const [address, width, offset] of [[x, xBytes, R.ACCEL_X_ADDR_OFFSET], [w, wBytes, R.ACCEL_W_ADDR_OFFSET], [z, zBytes, R.ACCEL_Z_ADDR_OFFSET]]) {
      if (address % width !== 0) throw new JobError(R.ACCEL_ERR_MISALIGNED, offset);
    }
    // One past the last byte each operand touches: (stored rows - 1) * stride + row length, in elements.
    const bytes = this.memory().byteLength;
    const end = (base: number, rows: number, stride: number, row: number, width: number) => base + ((rows - 1) * stride + row) * width;
    if (end(x, transX ? k : m, ldx, transX ? m : k, xBytes) > bytes) throw new JobError(R.ACCEL_ERR_OUT_OF_BOUNDS, R.ACCEL_X_ADDR_OFFSET);
    if (end(w, transW ? n : k, ldw, transW ? k : n, wBytes) > bytes) throw new JobError(R.ACCEL_ERR_OUT_OF_BOUNDS, R.ACCEL_W_ADDR_OFFSET);
    if (end(z, m, ldz, n, zBytes) > bytes) throw new JobError(R.ACCEL_ERR_OUT_OF_BOUNDS, R.ACCEL_Z_ADDR_OFFSET);

    return {
      m, n, k, x, ldx, transX, w, ldw, transW, z, ldz, accumulate,
      mul, mulMode, acc, accMode, fma, fast,
      srBits: srBitsRegister === 0 ? 32 : srBitsRegister,
      srKey: this.reg(R.ACCEL_SR_KEY_OFFSET),
      xFormat, wFormat, packX, packW, packZ, xBytes, wBytes, zBytes,
    };
  }

  /** The float format in a format register; `allowed` is a CAPS_FORMATS mask (-1: any float format). */
  private format(offset: number, allowed: number): FloatFormat {
    const word = this.reg(offset);
    if (floatWordProblem(word) !== null) throw new JobError(R.ACCEL_ERR_UNSUPPORTED_FORMAT, offset);
    if (allowed !== -1) {
      const entry = R.ACCEL_FORMATS.find((f) => ((f.word ^ word) & MATCH_MASK) === 0);
      if (!entry || (allowed & (1 << entry.bit)) === 0) throw new JobError(R.ACCEL_ERR_UNSUPPORTED_FORMAT, offset);
    }
    return floatFormat(word);
  }
}
