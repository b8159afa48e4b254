// The random stream of a GEMM (docs/gemm.md, "Stochastic rounding"): each output's lane stream, a xorshift64
// state seeded by two fmix32 hashes of its position i*n + j. Known answers of its pieces from Python
// integers; through the device's gemm (scalar and SIMD builds), stochastic rounding that is unbiased,
// draws that are uncorrelated within an output and between neighbouring outputs, and Z that depends on an
// output's position only, never on how the kernel blocks the outputs.
import { describe, expect, it } from "vitest";
import { fmix32, laneSeed, xorshift64, LaneStream } from "../helpers/stream.js";
import { F, GemmDevice, Random, type Job, type Spec } from "./gemm-harness.js";
import { valueOf } from "../helpers/gemm-reference.js";
import { loadDevice } from "../../host/device/module.js";

const hex64 = (v: bigint) => `0x${v.toString(16)}`;

describe("the lane stream's pieces, against Python integers", () => {
  // python3 -c "f=lambda x:(lambda x:(lambda x:x^x>>16)((x*0xc2b2ae35)&0xffffffff))((lambda x:x^x>>13)(((x^x>>16)*0x85ebca6b)&0xffffffff));
  //   print([hex(f(v)) for v in (0,1,0x9e3779b9,0xdeadbeef,0xffffffff)])"  (MurmurHash3 fmix32)
  it("fmix32", () => {
    expect([0, 1, 0x9e3779b9, 0xdeadbeef, 0xffffffff].map((v) => `0x${fmix32(v).toString(16)}`))
      .toEqual(["0x0", "0x514e28b7", "0x92ca2f0e", "0xde5c6a9", "0x81f16f39"]);
  });

  // python3: M=2**64-1; s=1; then five times s^=(s<<13)&M; s^=s>>7; s^=(s<<17)&M; print(hex(s))
  it("xorshift64 (13, 7, 17) from state 1", () => {
    const got: string[] = [];
    let s = 1n;
    for (let i = 0; i < 5; i++) got.push(hex64((s = xorshift64(s))));
    expect(got).toEqual(["0x40822041", "0x100041060c011441", "0x9b1e842f6e862629", "0xf554f503555d8025", "0x860c1fb090599265"]);
  });

  // python3: h=((o*0x9e3779b9)&0xffffffff)^key; seed=(fmix32(h)<<32)|fmix32(h^0x85ebca6b); then four steps, each
  // printing hex(s>>32), with fmix32 and the step as above.
  it("seeds and first draws of four outputs", () => {
    const cases: Array<[number, number, string, string[]]> = [
      [0, 0, "0xcb72770f", ["0x32b8a86d", "0xed2b616e", "0xee30f7ae", "0xa56349e3"]],
      [0x12345678, 0, "0xe37cd1bc2c66b559", ["0xfc88f4e8", "0x7c670ee3", "0x93f20146", "0x3bd2c05e"]],
      [0x12345678, 1, "0x2096be7c693b0d0b", ["0xf4ccfc2b", "0x76f57a0b", "0x1d3c9edc", "0x2121eb9b"]],
      [0xdeadbeef, 0xffffffff, "0xfde4a9f3d48bf53f", ["0xa583b834", "0x8a872fc1", "0xaa541c01", "0x62f7dbf"]],
    ];
    for (const [key, o, seed, draws] of cases) {
      expect(hex64(laneSeed(key, o)), `key ${key} o ${o}`).toBe(seed);
      const stream = new LaneStream(key, o);
      expect(draws.map(() => `0x${stream.next().toString(16)}`), `key ${key} o ${o}`).toEqual(draws);
    }
  });
});

describe.each([false, true])("fast mode's first draw of each output (simd=%s)", (simd) => {
  // gemm_first_lane_draws is what fast mode rounds each output with (four lanes at a time in the SIMD build,
  // the xorshift64 step in 32-bit halves): every draw equals the helper's stream, for runs that start
  // anywhere, end anywhere, and wrap past 2^32 - 1.
  it("equals LaneStream's first draw for runs of every length and start", () => {
    const device = loadDevice({ simd });
    const x = device.exports as unknown as { gemm_first_lane_draws(key: number, first: number, dst: number, n: number): number };
    const dst = device.alloc(64 * 4);
    const failures: string[] = [];
    for (const [key, first] of [[0, 0], [0x5eed, 7], [0xdeadbeef, 0xfffffff0], [0x12345678, 1000003]]) {
      for (const n of [0, 1, 3, 4, 5, 8, 13, 64]) {
        expect(x.gemm_first_lane_draws(key, first, dst, n)).toBe(0);
        const got = device.u32(dst, n);
        for (let i = 0; i < n; i++) {
          const want = new LaneStream(key, (first + i) >>> 0).next();
          if (got[i] !== want) failures.push(`key ${key} output ${(first + i) >>> 0}: 0x${got[i].toString(16)}, expected 0x${want.toString(16)}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(x.gemm_first_lane_draws(1, 0, dst, -1)).toBe(-4);
  });
});

/** Pearson's correlation of two 0/1 sequences. */
function correlation(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n, mb = b.reduce((s, v) => s + v, 0) / n;
  let cov = 0, va = 0, vb = 0;
  for (let i = 0; i < n; i++) {
    cov += (a[i] - ma) * (b[i] - mb);
    va += (a[i] - ma) ** 2;
    vb += (b[i] - mb) ** 2;
  }
  return cov / Math.sqrt(va * vb);
}

const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;

/** A job of given operands, row-major, nothing transposed or padded. */
function plainJob(m: number, n: number, k: number, x: (i: number, kk: number) => number, w: (kk: number, j: number) => number): Job {
  const xs = new Float32Array(m * k), ws = new Float32Array(k * n);
  for (let i = 0; i < m; i++) for (let kk = 0; kk < k; kk++) xs[i * k + kk] = x(i, kk);
  for (let kk = 0; kk < k; kk++) for (let j = 0; j < n; j++) ws[kk * n + j] = w(kk, j);
  return { m, n, k, x: xs, w: ws, z: new Float32Array(m * n), transX: false, transW: false, padX: 0, padW: 0, padZ: 0, accumulate: false, label: `${m}x${n}x${k}` };
}

const base: Omit<Spec, "fma" | "fast"> = { mul: null, mulMode: "rne", acc: null, accMode: "rne", srBits: 32, srKey: 0x5eed };

describe.each([false, true])("stochastic rounding in a GEMM (simd=%s)", (simd) => {
  const device = GemmDevice.load(simd);
  // 125 x 131 outputs: n is no multiple of 4 or 8, so every column block of the kernels meets the stream.
  const m = 125, n = 131, outputs = m * n;
  // With p = 5/16 or 11/16 the mean of N roundings is within 5 standard deviations sqrt(p(1-p)/N) (about 0.018),
  // and a correlation of independent draws within 5 / sqrt(N) (about 0.039).
  const meanBound = (p: number) => 5 * Math.sqrt((p * (1 - p)) / outputs);
  const rhoBound = 5 / Math.sqrt(outputs);
  const grid = (u: number[]) => (i: number, j: number) => u[i * n + j];

  it("products: both draws of an output unbiased, and uncorrelated with each other and with neighbouring outputs", () => {
    // Z = round_bf16(1 + 5*2^-11) + round_bf16(256 + 11/16 * 2), summed exactly in fp32: the product of k = 0
    // rounds up (to 1 + 2^-7) with probability 5/16, the one of k = 1 (to 258) with 11/16.
    const job = plainJob(m, n, 2, () => 1, (kk) => (kk === 0 ? 1 + 5 * 2 ** -11 : 256 + (11 / 16) * 2));
    const z = device.run(job, { ...base, mul: F.bf16, mulMode: "sr", acc: F.fp32, fma: false, fast: false });
    const first: number[] = [], second: number[] = [];
    for (const bits of z) {
      const v = valueOf(bits);
      const up2 = v >= 259 ? 1 : 0;
      const rest = v - 257 - 2 * up2;
      expect([0, 2 ** -7], `Z = ${v}`).toContain(rest);
      first.push(rest > 0 ? 1 : 0);
      second.push(up2);
    }
    expect(Math.abs(mean(first) - 5 / 16)).toBeLessThan(meanBound(5 / 16));
    expect(Math.abs(mean(second) - 11 / 16)).toBeLessThan(meanBound(11 / 16));
    expect(Math.abs(correlation(first, second))).toBeLessThan(rhoBound);
    const at = grid(first);
    const right: number[] = [], rightOf: number[] = [], below: number[] = [], belowOf: number[] = [];
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        if (j + 1 < n) { right.push(at(i, j)); rightOf.push(at(i, j + 1)); }
        if (i + 1 < m) { below.push(at(i, j)); belowOf.push(at(i + 1, j)); }
      }
    }
    expect(Math.abs(correlation(right, rightOf))).toBeLessThan(5 / Math.sqrt(right.length));
    expect(Math.abs(correlation(below, belowOf))).toBeLessThan(5 / Math.sqrt(below.length));
  });

  it("sums (fused) and fast mode's one rounding per output: unbiased, neighbours uncorrelated", () => {
    const job = plainJob(m, n, 1, () => 1, () => 1 + 5 * 2 ** -11);
    for (const mode of [{ fma: true, fast: false }, { fma: false, fast: true }]) {
      const z = device.run(job, { ...base, acc: F.bf16, accMode: "sr", ...mode });
      const up = Array.from(z, (bits) => {
        const v = valueOf(bits);
        expect([1, 1 + 2 ** -7], `Z = ${v}`).toContain(v);
        return v > 1 ? 1 : 0;
      });
      expect(Math.abs(mean(up) - 5 / 16), JSON.stringify(mode)).toBeLessThan(meanBound(5 / 16));
      expect(Math.abs(correlation(up.slice(0, -1), up.slice(1))), JSON.stringify(mode)).toBeLessThan(rhoBound);
    }
  });

  it("an output's result depends on its position i*n + j only: an m x n job equals the 1 x (m*n) job of its columns", () => {
    // With every row of X the same, output (i, j) of the m x n job and output (0, i*n + j) of the wide job
    // compute the same products at the same position, in other column blocks of the kernels.
    const r = new Random(0x1a9e);
    const specs: Spec[] = [
      { ...base, mul: F.e4m3, mulMode: "sr", acc: F.fp16, accMode: "sr", fma: false, fast: false, srBits: 9 },
      { ...base, acc: F.fp16, accMode: "sr", fma: true, fast: false },
      { ...base, acc: F.bf16, accMode: "sr", fma: false, fast: true },
    ];
    for (const [mm, nn, k] of [[3, 5, 7], [6, 9, 16], [2, 13, 33]]) {
      const xRow = Array.from({ length: k }, () => (r.int(-64, 64) / 16));
      const w = Array.from({ length: k * nn }, () => (r.int(-1000, 1000) / 77));
      const whole = plainJob(mm, nn, k, (_, kk) => xRow[kk], (kk, j) => w[kk * nn + j]);
      const wide = plainJob(1, mm * nn, k, (_, kk) => xRow[kk], (kk, c) => w[kk * nn + (c % nn)]);
      for (const transW of [false, true]) {
        for (const spec of specs) {
          const a = device.run({ ...whole, transW }, spec), b = device.run({ ...wide, transW }, spec);
          expect(Array.from(a), `${mm}x${nn}x${k} transW=${transW} ${JSON.stringify({ ...spec, mul: spec.mul?.name, acc: spec.acc?.name })}`).toEqual(Array.from(b));
        }
      }
    }
  });
});
