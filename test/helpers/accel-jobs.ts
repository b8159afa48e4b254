// Seeded random accelerator jobs (registers and a memory image) for the tests that hold two
// implementations of the accelerator to each other: every op, MAC mode, format pair and rounding mode,
// odd sizes, padded strides, transposes, accumulation, NaN / inf / overflow / subnormal operands.
import { parseFormat } from "../../host/formats/parse";

const word = (name: string) => parseFormat(name).word;

export const MODES = ["rne", "rna", "rz", "ru", "rd", "ro", "sr"];

export interface JobSpace {
  productFormats: readonly string[];
  accumulatorFormats: readonly string[];
  /** Rounding mode names the jobs pick from. */
  modes: readonly string[];
  memoryBytes: number;
  /** Share of jobs whose Z is written over X or W (in place). */
  inPlace: number;
}

/** xorshift32 from a seed: every job below follows from SEED. */
export function rng(seed: number) {
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
export type Rng = ReturnType<typeof rng>;

export const f32 = new Float32Array(1);
export const f32Bits = new Uint32Array(f32.buffer);

/** One operand word: mostly values near the formats' grids and ranges, some raw f32 bits and specials. */
export function operand(r: Rng, style: number): number {
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

export interface Job {
  regs: Record<string, number>;
  /** Words of the memory image before the job. */
  image: Uint32Array;
}

/** A random job: registers and a memory image holding X, W and Z at random aligned places. */
export function randomJob(r: Rng, space: JobSpace): Job {
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
  const image = new Uint32Array(space.memoryBytes / 4);
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
  if (r.chance(space.inPlace)) places.Z = r.chance(0.5) ? places.X : places.W + r.int(0, 3);

  const mac = r.pick(["exact", "exact", "fma", "fast"]);
  const mulMode = r.pick(space.modes), accMode = r.pick(space.modes);
  const code = (mode: string) => MODES.indexOf(mode);
  const mul = r.pick(space.productFormats), acc = r.pick(space.accumulatorFormats);
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
    X_FMT: word(r.pick(space.productFormats)),
    W_FMT: word(r.pick(space.productFormats)),
  };
  return { regs, image };
}

