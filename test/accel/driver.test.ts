// The driver in the compiled device module, running against the accelerator model behind its bus: for
// every supported op, format pair, rounding mode and MAC mode the accelerator's Z equals the CPU kernel's
// (arith/mac.ts gemm in the same module) bit for bit, NaN and padding included; the backend picks the path
// and says why; the bus sees the documented sequence.
import { describe, expect, it } from "vitest";
import { accelDevice, type AccelDevice } from "../helpers/device.js";
import { DEFAULT_ACCELERATOR, AcceleratorConfig } from "../../board/accel/model";
import { parseFormat } from "../../host/formats/parse";
import { showF32 } from "../helpers/bits";

const ALL_MODES: AcceleratorConfig = {
  ...DEFAULT_ACCELERATOR,
  productFormats: ["e4m3", "e5m2", "fp16", "bf16", "fp32"],
  accumulatorFormats: ["fp16", "bf16", "fp32"],
  rounding: ["rne", "rna", "rz", "ru", "rd", "ro", "sr"],
};
const MODE_NAMES = ["rne", "rna", "rz", "ru", "rd", "ro", "sr"];
const CAP = 4096;

class Random {
  constructor(private s: number) {}
  next(): number {
    let s = this.s;
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return (this.s = s);
  }
  int(lo: number, hi: number) { return lo + (this.next() % (hi - lo + 1)); }
}

type Family = "narrow" | "wide" | "special";
function valueOf(r: Random, family: Family): number {
  const u = r.next();
  const sign = u & 1 ? -1 : 1;
  if (family === "narrow") return sign * (8 + ((u >>> 1) & 7)) * 2 ** (((u >>> 4) % 14) - 13);
  if (family === "wide") return sign * (1 + (r.next() >>> 9) / 2 ** 23) * 2 ** (((u >>> 1) % 61) - 30);
  // Mostly ordinary values; now and then NaN, inf, zeros, or magnitudes that overflow or vanish in products.
  const pick = (u >>> 1) % 40;
  if (pick === 0) return NaN;
  if (pick === 1) return sign * Infinity;
  if (pick === 2) return sign * 0;
  if (pick === 3) return sign * 3e30;
  if (pick === 4) return sign * 2e-30;
  if (pick === 5) return sign * 70000;
  return sign * (1 + (r.next() >>> 9) / 2 ** 23) * 2 ** (((u >>> 7) % 21) - 10);
}

/** Fresh spec per job; format pointers cached per word. */
function specMaker(d: AccelDevice) {
  const formats = new Map<number, number>();
  const fmt = (name: string) => {
    const word = parseFormat(name).word;
    if (!formats.has(word)) formats.set(word, d.exports.fmt_new(word) >>> 0);
    return formats.get(word)!;
  };
  return (mul: string | null, mulMode: number, acc: string | null, accMode: number, fma: boolean, fast: boolean, srBits: number, srKey: number) => {
    const spec = d.exports.mac_spec_new(mul ? fmt(mul) : 0, mulMode, acc ? fmt(acc) : 0, accMode, fma ? 1 : 0, fast ? 1 : 0, srBits, srKey) >>> 0;
    if (spec === 0) throw new Error("mac_spec_new refused the spec");
    return spec;
  };
}

interface Job { m: number; n: number; k: number; ldx: number; ldw: number; ldz: number; transX: boolean; transW: boolean; accumulate: boolean }

/** Places operands, runs `run` on one copy of Z and the CPU gemm on another; returns both. */
function compare(d: AccelDevice, buffers: { x: number; w: number; zA: number; zC: number }, job: Job, family: Family, r: Random, spec: number,
                 run: (z: number) => number) {
  const xs = (job.transX ? job.k : job.m) * job.ldx, ws = (job.transW ? job.n : job.k) * job.ldw, zs = job.m * job.ldz;
  // Through a DataView: a test may place X or W at an address that is not a multiple of 4.
  const view = new DataView(d.exports.memory.buffer);
  for (let i = 0; i < xs; i++) view.setFloat32(buffers.x + 4 * i, valueOf(r, family), true);
  for (let i = 0; i < ws; i++) view.setFloat32(buffers.w + 4 * i, valueOf(r, family), true);
  for (let i = 0; i < zs; i++) d.f32(buffers.zA, zs)[i] = valueOf(r, family);
  d.u32(buffers.zC, zs).set(d.u32(buffers.zA, zs));
  const args = (z: number) => [job.m, job.n, job.k, buffers.x, job.ldx, job.transX ? 1 : 0, buffers.w, job.ldw, job.transW ? 1 : 0, z, job.ldz, job.accumulate ? 1 : 0, spec];
  const status = run(buffers.zA);
  expect(d.exports.gemm(...args(buffers.zC))).toBe(0);
  return { status, got: new Uint32Array(d.u32(buffers.zA, zs)), want: new Uint32Array(d.u32(buffers.zC, zs)), args };
}

function randomJob(r: Random, op: number): Job {
  const m = r.int(1, 9), n = r.int(1, 9), k = r.int(1, 13);
  const transX = (op & 2) !== 0, transW = (op & 4) !== 0;
  return { m, n, k, transX, transW, accumulate: (op & 1) !== 0, ldx: (transX ? m : k) + r.int(0, 2), ldw: (transW ? k : n) + r.int(0, 2), ldz: n + r.int(0, 2) };
}

function mismatch(got: Uint32Array, want: Uint32Array): number {
  for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) return i;
  return -1;
}

const PAIRS: Array<[string, string]> = [];
for (const mul of ["e4m3", "e5m2", "fp16", "bf16", "fp32"]) for (const acc of ["fp16", "bf16", "fp32"]) PAIRS.push([mul, acc]);

describe.each([false, true])("accelerator == CPU path, bit for bit (simd=%s)", (simd) => {
  it.each(PAIRS)("%s products, %s sums: every op, rounding mode and MAC mode", (mul, acc) => {
    const d = accelDevice(ALL_MODES, simd);
    const newSpec = specMaker(d);
    const buffers = { x: d.alloc(CAP * 4), w: d.alloc(CAP * 4), zA: d.alloc(CAP * 4), zC: d.alloc(CAP * 4) };
    const r = new Random(mul.length * 131 + acc.length * 17 + (simd ? 1 : 0));
    let jobs = 0;
    for (const variant of ["exact", "fma", "fast"] as const) {
      for (let mode = 0; mode < 7; mode++) {
        for (let op = 0; op < 8; op++) {
          const job = randomJob(r, op);
          const family = (["narrow", "wide", "special"] as const)[(mode + op) % 3];
          const srBits = [32, 1, 5, 13][op % 4];
          const spec = newSpec(mul, (mode + op) % 7, acc, mode, variant === "fma", variant === "fast", srBits, r.next());
          const { status, got, want } = compare(d, buffers, job, family, r, spec, (z) =>
            d.exports.accel_gemm(job.m, job.n, job.k, buffers.x, job.ldx, job.transX ? 1 : 0, buffers.w, job.ldw, job.transW ? 1 : 0, z, job.ldz, job.accumulate ? 1 : 0, spec));
          expect(status, `accel_gemm status for ${JSON.stringify(job)}`).toBe(0);
          const at = mismatch(got, want);
          if (at >= 0) {
            throw new Error(`${mul}:${MODE_NAMES[(mode + op) % 7]} -> ${acc}:${MODE_NAMES[mode]} ${variant} r=${srBits} ${family} ${JSON.stringify(job)}: Z word ${at} accelerator ${showF32(got[at])}, CPU ${showF32(want[at])}`);
          }
          jobs++;
        }
      }
    }
    expect(d.model!.totals.jobs).toBe(jobs);
  });
});

describe("the backend", () => {
  const job: Job = { m: 5, n: 7, k: 3, ldx: 3, ldw: 7, ldz: 7, transX: false, transW: false, accumulate: true };
  const backend = (d: AccelDevice, b: { x: number; w: number }, j: Job, spec: number) => (z: number) =>
    d.exports.gemm_on_backend(j.m, j.n, j.k, b.x, j.ldx, j.transX ? 1 : 0, b.w, j.ldw, j.transW ? 1 : 0, z, j.ldz, j.accumulate ? 1 : 0, spec);
  const buffersOf = (d: AccelDevice) => ({ x: d.alloc(CAP * 4), w: d.alloc(CAP * 4), zA: d.alloc(CAP * 4), zC: d.alloc(CAP * 4) });

  it.each([
    ["the accelerator", "default", "e4m3", 0, "fp16", 6, false, false, 0],
    ["no accelerator", "absent", "e4m3", 0, "fp16", 6, false, false, 1],
    ["an unsupported product format", "default", "e2m1", 0, "fp16", 0, false, false, 2],
    ["an unsupported accumulator format", "default", "e4m3", 0, "e5m2", 0, false, false, 2],
    ["a fixed-point product format", "default", "fixed8.4", 0, "fp16", 0, false, false, 2],
    ["an unsupported rounding", "default", "e4m3", 1, "fp16", 0, false, false, 3],
    ["an unsupported rounding of the sum", "default", "e4m3", 0, "fp16", 4, false, false, 3],
    ["fma on an accelerator without it", "no-fma", "e4m3", 0, "fp16", 0, true, false, 4],
    ["fast on an accelerator without it", "no-fast", "e4m3", 0, "fp16", 0, false, true, 4],
    ["fma, where the product format is unused", "default", "e2m1", 1, "fp32", 2, true, false, 0],
    ["null formats (fp32, rne)", "default", null, 0, null, 0, false, false, 0],
  ] as const)("%s: path %#", (_, board, mul, mulMode, acc, accMode, fma, fast, path) => {
    const config = board === "absent" ? null : board === "no-fma" ? { ...DEFAULT_ACCELERATOR, fma: false } : board === "no-fast" ? { ...DEFAULT_ACCELERATOR, fast: false } : DEFAULT_ACCELERATOR;
    const d = accelDevice(config);
    const spec = specMaker(d)(mul, mulMode, acc, accMode, fma, fast, 32, 99);
    const b = buffersOf(d);
    const { status, got, want } = compare(d, b, job, "narrow", new Random(5), spec, backend(d, b, job, spec));
    expect(status).toBe(path);
    expect(Array.from(got)).toEqual(Array.from(want));
    expect(d.exports.accel_path_jobs(path)).toBe(1);
    expect(d.exports.accel_path_macs(path)).toBe(5 * 7 * 3);
    expect(d.model?.totals.jobs ?? 0).toBe(path === 0 ? 1 : 0);
  });

  it("K = 0 takes the CPU path (nothing for the array to do)", () => {
    const d = accelDevice(DEFAULT_ACCELERATOR);
    const spec = specMaker(d)("e4m3", 0, "fp16", 0, false, false, 32, 0);
    const b = buffersOf(d);
    const empty = { ...job, k: 0, ldx: 1, accumulate: false };
    const { status, got } = compare(d, b, empty, "narrow", new Random(6), spec, backend(d, b, empty, spec));
    expect(status).toBe(5);
    expect(Array.from(got.subarray(0, 7))).toEqual(new Array(7).fill(0));
  });

  it("a job the accelerator refuses runs on the CPU, with the refusal recorded", () => {
    const d = accelDevice(DEFAULT_ACCELERATOR);
    const spec = specMaker(d)("e4m3", 0, "fp16", 6, false, false, 32, 7);
    const b = buffersOf(d);
    const shifted = { ...b, x: b.x + 2 }; // misaligned X: the CPU kernel reads it, the accelerator refuses
    const { status, got, want } = compare(d, shifted, job, "narrow", new Random(7), spec, backend(d, shifted, job, spec));
    expect(status).toBe(6);
    expect(d.exports.accel_last_error()).toBe(8); // MISALIGNED
    expect(Array.from(got)).toEqual(Array.from(want));
    d.exports.accel_stats_reset();
    expect(d.exports.accel_path_jobs(6)).toBe(0);
    expect(d.exports.accel_last_error()).toBe(0);
  });

  it("waits out a busy accelerator and gets the same bits", () => {
    const d = accelDevice({ ...DEFAULT_ACCELERATOR, busyPolls: 5 });
    const spec = specMaker(d)("e5m2", 2, "fp32", 6, false, false, 9, 3);
    const b = buffersOf(d);
    const { status, got, want } = compare(d, b, job, "wide", new Random(8), spec, backend(d, b, job, spec));
    expect(status).toBe(0);
    expect(Array.from(got)).toEqual(Array.from(want));
    expect(d.trace.filter(([rw, offset]) => rw === "r" && offset === 0x64).length).toBe(6);
  });
});

describe("the driver's bus sequence", () => {
  it("reads ID, clears, writes the job, starts, polls STATUS; the registers hold the job", () => {
    const d = accelDevice(DEFAULT_ACCELERATOR);
    const spec = specMaker(d)("bf16", 2, "fp16", 6, false, false, 11, 0xabcdef);
    d.exports.accel_set_operand_formats(parseFormat("e4m3").word, parseFormat("e5m2").word);
    const x = d.alloc(64), w = d.alloc(64), z = d.alloc(64);
    expect(d.exports.accel_gemm(2, 3, 4, x, 5, 1, w, 4, 1, z, 3, 1, spec)).toBe(0);
    const ops = d.trace.map(([rw, offset, value]) => `${rw} ${offset.toString(16)} ${value.toString(16)}`);
    expect(ops[0]).toBe("r 0 edc10101");
    expect(ops[1]).toBe("w 60 2");
    const start = ops.indexOf("w 60 1");
    expect(ops.slice(start + 1)).toEqual(["r 64 2"]);
    const written = new Map(d.trace.slice(2, start).map(([, offset, value]) => [offset, value]));
    const expected: Record<number, number> = {
      0x10: x, 0x14: w, 0x18: z, 0x1c: 2, 0x20: 3, 0x24: 4, 0x28: 5, 0x2c: 4, 0x30: 3,
      0x34: 0b111, 0x38: parseFormat("bf16").word, 0x3c: parseFormat("fp16").word, 0x40: 2 | (6 << 4), 0x44: 0,
      0x48: 11, 0x4c: 0xabcdef, 0x50: parseFormat("e4m3").word, 0x54: parseFormat("e5m2").word,
    };
    expect(Object.fromEntries(written)).toEqual(Object.fromEntries(Object.entries(expected).map(([k, v]) => [Number(k), v])));
    // The counters are the job's: 2 * 3 * 4 MACs.
    expect(d.model!.read32(0x40000088)).toBe(24);
  });

  it("on a board without the accelerator: accel_present is 0 and accel_gemm says so without touching Z", () => {
    const d = accelDevice(null);
    const spec = specMaker(d)("e4m3", 0, "fp16", 0, false, false, 32, 0);
    const z = d.alloc(64);
    d.f32(z, 4).set([1, 2, 3, 4]);
    expect(d.exports.accel_present()).toBe(0);
    expect(d.exports.accel_gemm(2, 2, 2, z, 2, 0, z, 2, 0, z, 2, 0, spec)).toBe(-1);
    expect(Array.from(d.f32(z, 4))).toEqual([1, 2, 3, 4]);
    expect(d.trace.every(([rw]) => rw === "r")).toBe(true);
  });

  it("bad arguments are refused before the bus is touched", () => {
    const d = accelDevice(DEFAULT_ACCELERATOR);
    const spec = specMaker(d)("e4m3", 0, "fp16", 0, false, false, 32, 0);
    expect(d.exports.accel_gemm(2, 2, 2, 0, 1, 0, 0, 2, 0, 0, 2, 0, spec)).toBe(-105); // ldx < k
    expect(d.exports.gemm_on_backend(-1, 2, 2, 0, 2, 0, 0, 2, 0, 0, 2, 0, spec)).toBe(-104);
    expect(d.exports.accel_gemm(2, 2, 2, 0, 2, 0, 0, 2, 0, 0, 2, 0, 0)).toBe(-107);
    expect(d.trace).toEqual([]);
  });
});
