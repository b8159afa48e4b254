// The GEMM's fast paths: the SIMD build (f32x4 and f64x2 kernels, blocks of 32 and 4 outputs) and the
// scalar build's specialised kernels must give the bits of the exact reference, and each other's, on
// shapes wide enough to reach every block size, odd sizes, every rounding mode, with and without fma,
// accumulate and transposes, and operands that do and do not let the kernels skip work (products that
// fit mul or an f32, sums exact in f64, subnormal and overflowing sums, inf and NaN).
import { describe, expect, it } from "vitest";
import { referenceGemm } from "../helpers/gemm-reference.js";
import {
  F, GemmDevice, Random, makeJob, refJob, refSpec, describeSpec, compareBits, FAMILIES, MODE_NAMES,
  type Family, type Job, type Mode, type NamedFormat, type Spec,
} from "./gemm-harness.js";

const scalar = GemmDevice.load(false);
const simd = GemmDevice.load(true);

/** Both builds' result of the job against the reference; the differences, described. */
function againstReference(job: Job, spec: Spec): string[] {
  const want = referenceGemm(refSpec(spec), refJob(job));
  return [
    ...compareBits(simd.run(job, spec), want, job, `simd ${describeSpec(spec)}`),
    ...compareBits(scalar.run(job, spec), want, job, `scalar ${describeSpec(spec)}`),
  ];
}

/** Specs that reach each kernel: f32x4 (plain, odd with integer or magic rne, products rounded or not), f64 and f64x2 (rne, sr), the reference. */
const KERNEL_SPECS: (r: Random) => Spec[] = (r) => {
  const base = { fma: false, fast: false, srBits: r.pick([1, 7, 16, 28, 32]), srKey: r.next() };
  return [
    { ...base, mul: null, mulMode: "rne", acc: null, accMode: "rne" },
    { ...base, mul: F.fp16, mulMode: "rne", acc: F.fp16, accMode: "rne" },
    { ...base, mul: null, mulMode: "rne", acc: F.fp16, accMode: "rne", fma: true },
    { ...base, mul: F.e4m3, mulMode: "rne", acc: F.bf16, accMode: "rne" },
    { ...base, mul: F.bf16, mulMode: "rne", acc: F.bf16, accMode: "rne" },
    { ...base, mul: F.e5m2sat, mulMode: "rne", acc: F.fp16sat, accMode: "rne" },
    { ...base, mul: F.fp16, mulMode: "rne", acc: F.fp16nosub, accMode: "rne" },
    { ...base, mul: F.e4m3sat, mulMode: "rne", acc: F.e3m2, accMode: "rne" },
    { ...base, mul: F.tf32, mulMode: "rne", acc: F.e8m21, accMode: "rne" },
    { ...base, mul: F.fp16, mulMode: "rne", acc: F.e6m21, accMode: "rne", fma: true },
    { ...base, mul: F.fp16, mulMode: "sr", acc: F.fp16, accMode: "sr" },
    { ...base, mul: F.e5m2, mulMode: "rne", acc: F.bf16, accMode: "sr", fma: r.chance(0.5) },
    { ...base, mul: F.bf16, mulMode: "sr", acc: F.fp16, accMode: "rne" },
    { ...base, mul: F.fp32, mulMode: "sr", acc: F.fp32, accMode: "sr" },
    { ...base, mul: r.pick([F.fp32sat, F.fp32nosub, F.e8m21]), mulMode: "rne", acc: r.pick([F.fp16, F.fp32sat, F.fp32nosub]), accMode: "rne" },
    { ...base, mul: F.e4m3, mulMode: r.pick(MODE_NAMES), acc: r.pick([F.fp16, F.bf16, F.e5m2]), accMode: r.pick(MODE_NAMES), fma: r.chance(0.3) },
  ];
};

const OPERANDS: [Family, Family][] = [
  ["e4m3", "e4m3"], ["e5m2", "e4m3"], ["bf16", "bf16"], ["fp16", "e5m2"], ["wide", "e4m3"], ["e2m1", "e2m1"],
  ["tiny", "e4m3"], ["huge", "e5m2"], ["extreme", "e4m3"], ["wide", "wide"], ["e4m3-specials", "e4m3"],
];

function shape(r: Random, wide: boolean) {
  return { m: r.int(1, 3), n: wide ? r.int(28, 75) : r.int(1, 40), k: r.int(1, wide ? 24 : 48) };
}

describe("fast paths", () => {
  it("the SIMD and the scalar build equal the exact reference on blocks of 32, 4 and single outputs", () => {
    const r = new Random(0x3232);
    const failures: string[] = [];
    for (let c = 0; c < 4 && failures.length < 8; c++) {
      for (const spec of KERNEL_SPECS(r)) {
        const job = makeJob(r, shape(r, true), r.pick(OPERANDS));
        failures.push(...againstReference(job, spec));
      }
    }
    expect(failures).toEqual([]);
  });

  it("fp8-mixed sums (e4m3 operands, fp16 products and sums with sr and 32 random bits): the shifts the SIMD kernel takes as literals", () => {
    const r = new Random(0xf816);
    const failures: string[] = [];
    for (const operands of [["e4m3", "e4m3"], ["tiny", "e4m3"], ["extreme", "e4m3"], ["e4m3-specials", "e4m3"]] as [Family, Family][]) {
      for (const fma of [false, true]) {
        const spec: Spec = { mul: fma ? null : F.fp16, mulMode: "sr", acc: F.fp16, accMode: "sr", fma, fast: false, srBits: 32, srKey: r.next() };
        for (const accumulate of [false, true]) {
          // W row-major: the SIMD kernel's layout (a transposed W takes the panel copy first).
          const job = makeJob(r, { m: r.int(1, 3), n: r.int(28, 75), k: r.int(1, 48) }, operands, { accumulate, transW: false });
          failures.push(...againstReference(job, spec));
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it("operands that fit (small e4m3, e5m2) and that do not (full-range, f32), every kernel spec", () => {
    const r = new Random(0xf17);
    const failures: string[] = [];
    for (const operands of OPERANDS) {
      for (const spec of KERNEL_SPECS(r)) {
        const job = makeJob(r, { m: r.int(1, 2), n: r.int(30, 40), k: r.int(4, 16) }, operands);
        const want = referenceGemm(refSpec(spec), refJob(job));
        failures.push(...compareBits(simd.run(job, spec), want, job, `simd ${describeSpec(spec)}`));
        if (failures.length > 8) break;
      }
    }
    expect(failures).toEqual([]);
  });

  it("scalar and SIMD builds give identical bits: random shapes, odd sizes, every mode, fma, accumulate, transposes", () => {
    const r = new Random(0x51d);
    const failures: string[] = [];
    const muls: (NamedFormat | null)[] = [null, F.e4m3, F.e5m2, F.fp16, F.bf16, F.fp32, F.tf32, F.fp32sat, F.fp32nosub];
    const accs: (NamedFormat | null)[] = [null, F.fp16, F.bf16, F.fp32, F.tf32, F.e5m2, F.fp16nosub, F.e8m21, F.fp16sat, F.fp32sat, F.fp32nosub];
    for (let c = 0; c < 300 && failures.length < 8; c++) {
      const spec: Spec = {
        mul: r.pick(muls), mulMode: r.pick(MODE_NAMES), acc: r.pick(accs), accMode: r.pick(MODE_NAMES),
        fma: r.chance(0.4), fast: r.chance(0.1), srBits: r.pick([1, 5, 13, 23, 29, 32]), srKey: r.next(),
      };
      if (r.chance(0.5)) spec.accMode = r.pick(["rne", "sr"] as Mode[]);
      if (r.chance(0.5)) spec.mulMode = r.pick(["rne", "sr"] as Mode[]);
      const job = makeJob(r, { m: r.int(1, 6), n: r.int(1, 99), k: r.int(0, 90) }, [r.pick(FAMILIES), r.pick(FAMILIES)]);
      failures.push(...compareBits(simd.run(job, spec), scalar.run(job, spec), job, `simd vs scalar ${describeSpec(spec)}`));
    }
    expect(failures).toEqual([]);
  });
});

describe("boundary sums", () => {
  // One row of sums a + b per column: a at the largest value, the smallest normal, zero and one, b a
  // fraction of the local ulp (ties, just off ties, whole ulps), so every block size sees every boundary.
  const OFFSETS = [0.5, -0.5, 0.5 + 2 ** -20, 0.5 - 2 ** -20, -0.5 - 2 ** -20, 1, -1, 1.5, -1.5, 0.25, 0.75, -0.75, 2 ** -19, -(2 ** -19), 0.5 + 2 ** -3, 3];
  for (const acc of [F.fp16, F.fp16sat, F.e5m2, F.e4m3, F.e4m3sat, F.bf16, F.fp16nosub, F.e3m2, F.tf32]) {
    it(`${acc.name}: around the largest value, the overflow threshold, the smallest normal and zero, every mode`, () => {
      const ref = acc.ref;
      const emax = ref.emax, m = ref.spec.m;
      const max = Number(ref.maxPos) * 2 ** -320;
      const anchors: [number, number][] = [
        [max, 2 ** (emax - m)], [-max, 2 ** (emax - m)], [2 ** emax, 2 ** (emax - m)],
        [2 ** ref.emin, 2 ** ref.subUlpExp], [-(2 ** ref.emin), 2 ** ref.subUlpExp], [0, 2 ** ref.subUlpExp], [1, 2 ** -m],
      ];
      const a: number[] = [], b: number[] = [];
      for (const [anchor, ulp] of anchors) for (const o of OFFSETS) { a.push(anchor); b.push(Math.fround(o * ulp)); }
      const n = a.length;
      const job = {
        m: 1, n, k: 2, x: new Float32Array([1, 1]), w: new Float32Array([...a, ...b]), z: new Float32Array(n),
        transX: false, transW: false, padX: 0, padW: 0, padZ: 0, accumulate: false, label: `${acc.name} boundaries`,
      };
      const failures: string[] = [];
      for (const mode of MODE_NAMES) {
        for (const fma of [false, true]) {
          const spec: Spec = { mul: null, mulMode: "rne", acc, accMode: mode, fma, fast: false, srBits: 32, srKey: 0x77 };
          failures.push(...againstReference(job, spec));
        }
      }
      expect(failures).toEqual([]);
    });
  }
});

describe("sums near zero that stay finite", () => {
  // Without the largest value among the operands no sum can overflow, so the SIMD build takes its kernel
  // without overflow and NaN checks: there, the sums that fall below the smallest normal in some lanes of
  // a block and not in others must still round on the subnormal grid. Column 0 holds 2^(emax - 6) in every
  // row, so that the job's sums span more bits than an f32 has and go to the f64x2 kernels.
  for (const acc of [F.fp16, F.e5m2, F.e4m3, F.bf16]) {
    it(`${acc.name}: sums around the smallest normal and zero, stochastic and nearest, equal the reference`, () => {
      const ref = acc.ref;
      const r = new Random(0x5eed + ref.spec.m);
      const n = 64, k = 6;
      const x = new Float32Array(k).fill(1);
      const w = new Float32Array(k * n);
      const unit = 2 ** ref.subUlpExp;
      // Quarters of the subnormal ulp: exact sums in f64, and fractions for the rounding to decide; some in
      // 256ths, whose bits lie below a 3-bit draw's, which a rounding must drop rather than carry from.
      const fraction = () => (r.chance(0.3) ? r.int(0, 255) / 256 : r.int(0, 3) / 4);
      for (let i = 0; i < w.length; i++) w[i] = (r.int(-40, 40) + fraction()) * unit * (r.chance(0.2) ? 4 : 1);
      for (let kk = 0; kk < k; kk++) w[kk * n] = 2 ** (ref.emax - 6);
      const job = {
        m: 1, n, k, x, w, z: new Float32Array(n),
        transX: false, transW: false, padX: 0, padW: 0, padZ: 0, accumulate: false, label: `${acc.name} near zero`,
      };
      const failures: string[] = [];
      for (const mode of ["sr", "rne"] as Mode[]) {
        for (const srBits of [32, 13, 3]) {
          const spec: Spec = { mul: null, mulMode: "rne", acc, accMode: mode, fma: false, fast: false, srBits, srKey: 0x3c + srBits };
          failures.push(...againstReference(job, spec));
        }
      }
      expect(failures).toEqual([]);
    });
  }
});

/**
 * Forty jobs from `makeZeroJob`, each with and without accumulate, with sr sums and a random case of the
 * kernels that skip zero steps, against the reference in both builds: the differences (the first few).
 */
function zeroStepFailures(seed: number, makeZeroJob: (r: Random) => Job): string[] {
  const r = new Random(seed);
  const failures: string[] = [];
  for (let c = 0; c < 40 && failures.length <= 8; c++) {
    const job = makeZeroJob(r);
    for (const accumulate of [false, true]) {
      job.accumulate = accumulate;
      // Exact products, and products rounded to e5m2 (to nearest or stochastically), which e4m3 x e4m3 overflows.
      const [mul, mulMode] = r.pick([[null, "rne"], [F.e5m2, "rne"], [F.e5m2, "sr"]] as [NamedFormat | null, Mode][]);
      // fp16 sums (exact in f64), and bf16 and subnormal-free fp16 sums, which the scalar kernel skips too.
      const acc = r.pick([F.fp16, F.fp16, F.bf16, F.fp16nosub]);
      const spec: Spec = { mul, mulMode, acc, accMode: "sr", fma: false, fast: false, srBits: r.pick([32, 13]), srKey: r.next() };
      failures.push(...againstReference(job, spec));
    }
  }
  return failures;
}

describe("steps whose x is zero", () => {
  // The kernels skip the sums' rounding in a step whose x is ±0 once they hold values of acc. X here is mostly ±0 (in runs and scattered), Z starts from wide
  // values that fp16 does not hold (accumulate), small sums round to ±0, and one W holds an inf (0 x inf is
  // NaN, so no step may be skipped there): every case equals the exact reference in both builds.
  it("mostly zero X, accumulate from wide Z, sums rounding to -0, an inf in W: equal the reference", () => {
    expect(zeroStepFailures(0x2e80, (r) => {
      const job = makeJob(r, { m: r.int(1, 5), n: r.pick([3, 8, 12, 19, 32]), k: r.int(1, 40) }, ["e4m3", "e4m3"], { transW: r.chance(0.3), transX: false });
      const run = r.chance(0.5);
      for (let i = 0; i < job.x.length; i++) {
        if (run ? (i % job.k) < job.k / 2 : r.chance(0.7)) job.x[i] = r.chance(0.5) ? 0 : -0;
      }
      // Tiny W values make tiny sums, which sr sends to ±0 and back.
      if (r.chance(0.5)) for (let i = 0; i < job.w.length; i++) job.w[i] = Math.fround(job.w[i] * 2 ** -12);
      if (r.chance(0.25)) job.w[r.int(0, job.w.length - 1)] = Infinity;
      return job;
    })).toEqual([]);
  });
});

describe("rows of X that are all zero", () => {
  // Without accumulate and with finite W, a row of ±0 only takes zero steps, so its outputs are +0 and the
  // kernels store them without running the row's lane streams; with accumulate, or with an inf or a NaN in W
  // (0 x inf is NaN), the row runs. Rows of X^T are the batch's values of one input, as a weight gradient reads them.
  it("rows of ±0 among others, with and without accumulate, inf and NaN in W: equal the reference", () => {
    expect(zeroStepFailures(0x2e805, (r) => {
      const job = makeJob(r, { m: r.int(1, 9), n: r.pick([3, 8, 12, 19, 32, 37]), k: r.int(1, 70) }, ["e4m3", "e4m3"],
        { transW: r.chance(0.3), transX: r.chance(0.5) });
      for (let i = 0; i < job.m; i++) {
        if (r.chance(0.5)) for (let kk = 0; kk < job.k; kk++) job.x[i * job.k + kk] = r.chance(0.5) ? 0 : -0;
      }
      if (r.chance(0.25)) job.w[r.int(0, job.w.length - 1)] = r.chance(0.5) ? -Infinity : NaN;
      return job;
    })).toEqual([]);
  });
});

describe("W widened into the panel", () => {
  // Stochastic sums exact in f64 (the cases training runs most) with 4 rows or more of contiguous X and
  // k <= 256: the f64x2 kernel widens each block of W's columns into the 16 KB panel as f64 and runs every
  // row of the block from there, W stored either way. Fewer rows, a deeper k or X transposed read W in
  // place (row-major) or go through the one-row jobs of the f32 panel (transposed). n = 13 and 29 leave
  // blocks of 8, of 4 and single columns; the fp8-mixed spec takes the kernel's literal shifts.
  it("both sides of every threshold, both layouts of W, every stochastic case, accumulate: equals the reference in both builds", () => {
    const r = new Random(0x91de);
    const failures: string[] = [];
    // Where the widened kernel runs, e4m3 products: sums exact in f64 (its only cases); with e4m3's inf and
    // NaN, the instance that checks sums for overflow and NaN; small values and a short k, the one whose sums
    // stay finite (fp8-mixed's). Elsewhere, any operands.
    const exact: [Family, Family] = ["e4m3", "e4m3"], specials: [Family, Family] = ["e4m3-specials", "e4m3"];
    const cases: [number, number, boolean, boolean, [Family, Family] | null][] = [
      [4, 256, false, false, exact], [5, 257, false, false, null], [3, 200, false, false, null], [7, 1, false, false, specials],
      [6, 64, false, true, null], [4, 256, true, false, exact], [5, 257, true, false, null], [3, 100, true, false, null],
      [9, 17, true, false, specials], [8, 40, true, true, null], [6, 5, false, false, ["tiny", "e4m3"]], [5, 9, true, false, ["tiny", "e4m3"]]];
    for (const [m, k, transW, transX, operands] of cases) {
      const accumulate = operands?.[0] !== "tiny" && r.chance(0.5); // Z's values would bound the sums
      const job = makeJob(r, { m, n: r.pick([13, 29]), k }, operands ?? r.pick(OPERANDS), { transW, transX, accumulate, padW: r.int(0, 2) });
      const specs = KERNEL_SPECS(r);
      const fp8Mixed: Spec = { mul: null, mulMode: "sr", acc: F.fp16, accMode: "sr", fma: true, fast: false, srBits: 32, srKey: r.next() };
      // Sums without subnormals: the instance for an acc that has none.
      const noSubnormals: Spec = { ...fp8Mixed, acc: F.fp16nosub, srBits: r.pick([7, 32]) };
      for (const spec of [fp8Mixed, noSubnormals, specs[10], specs[11], specs[12], specs[1]]) {
        failures.push(...againstReference(job, spec));
        if (failures.length > 8) break;
      }
    }
    expect(failures).toEqual([]);
  });
});

describe("transposed W in panels", () => {
  it("k across several panels of 64 rows, with and without accumulate, equals the reference in both builds", () => {
    const r = new Random(0x9a7e1);
    const failures: string[] = [];
    for (const k of [63, 64, 65, 130]) {
      for (const n of [32, 37, 70]) {
        const job = makeJob(r, { m: 2, n, k }, r.pick(OPERANDS), { transW: true, transX: r.chance(0.5), padW: r.int(0, 2) });
        for (const spec of [KERNEL_SPECS(r)[1], KERNEL_SPECS(r)[3], KERNEL_SPECS(r)[0], KERNEL_SPECS(r)[5]]) {
          failures.push(...againstReference(job, spec));
        }
      }
    }
    expect(failures).toEqual([]);
  });
});

describe("transposed W through the f64x2 kernels", () => {
  // The SIMD build copies columns of a transposed W into a panel of 2048 values: blocks of 8 columns up to
  // k = 256, of 4 up to k = 512, the scalar kernel past that; n leaves partial blocks and single columns.
  // Stochastic sums and products show that each output keeps its own draws.
  it("every panel width, partial blocks, sr and rne, equals the reference in both builds", () => {
    const r = new Random(0x7a4e);
    const failures: string[] = [];
    for (const k of [1, 9, 100, 256, 257, 512, 513]) {
      const n = r.pick([5, 13, 21, 37]);
      const job = makeJob(r, { m: 3, n, k }, r.pick(OPERANDS), { transW: true, transX: r.chance(0.5), padW: r.int(0, 2), padZ: r.int(0, 2) });
      const specs = KERNEL_SPECS(r);
      for (const spec of [specs[10], specs[11], specs[12], specs[1]]) {
        failures.push(...againstReference(job, spec));
        if (failures.length > 8) break;
      }
    }
    expect(failures).toEqual([]);
  });

  it("wide operands (no f32 shortcut) with accumulate: the SIMD build equals the scalar build", () => {
    const r = new Random(0x7a4f);
    const failures: string[] = [];
    for (let c = 0; c < 40 && failures.length < 8; c++) {
      const job = makeJob(r, { m: r.int(1, 5), n: r.int(1, 70), k: r.int(1, 300) }, ["wide", r.pick(["wide", "e4m3", "fp16"] as Family[])],
        { transW: true, accumulate: r.chance(0.5) });
      const spec = r.pick(KERNEL_SPECS(r));
      failures.push(...compareBits(simd.run(job, spec), scalar.run(job, spec), job, `simd vs scalar ${describeSpec(spec)}`));
    }
    expect(failures).toEqual([]);
  });
});

describe("plain f32 kernel (fp32 products and sums, exact or fast mode)", () => {
  // Register blocks of 4 rows x 8 columns, then single rows and blocks of 4 columns, then single outputs;
  // a transposed W goes through the panel in slabs of 256 rows, its sums kept in Z between slabs.
  it("every block and remainder, both transposes, accumulate, inf and NaN operands, equals the reference in both builds", () => {
    const r = new Random(0xf32b);
    const failures: string[] = [];
    const shapes = [
      { m: 9, n: 21, k: 5 }, { m: 4, n: 8, k: 1 }, { m: 7, n: 12, k: 300 }, { m: 5, n: 19, k: 513 }, { m: 1, n: 3, k: 40 }, { m: 12, n: 40, k: 257 },
    ];
    for (const shape of shapes) {
      for (const transW of [false, true]) {
        const job = makeJob(r, shape, r.pick(OPERANDS), { transW, transX: r.chance(0.5) });
        for (const fast of [false, true]) {
          const spec: Spec = { mul: r.pick([null, F.fp32]), mulMode: "rne", acc: r.pick([null, F.fp32]), accMode: "rne", fma: r.chance(0.3), fast, srBits: 32, srKey: 1 };
          failures.push(...againstReference(job, spec));
        }
      }
      if (failures.length > 8) break;
    }
    expect(failures).toEqual([]);
  });
});

describe("fast mode with a rounded accumulator", () => {
  // The SIMD build's sums are the blocked plain kernel's, then each output is rounded once: every
  // accumulator format and mode (runs of the array kernels without draws, the lane stream's first draw with sr).
  it("every block and remainder, both transposes, accumulate, equals the reference in both builds", () => {
    const r = new Random(0xfa57);
    const failures: string[] = [];
    const shapes = [{ m: 9, n: 21, k: 5 }, { m: 4, n: 8, k: 1 }, { m: 7, n: 12, k: 300 }, { m: 5, n: 19, k: 257 }, { m: 1, n: 3, k: 40 }];
    for (const shape of shapes) {
      for (const acc of [F.fp16, F.bf16, F.e5m2, F.e4m3, F.fp16sat, F.fp16nosub, F.tf32]) {
        for (const accMode of MODE_NAMES) {
          const job = makeJob(r, shape, r.pick(OPERANDS), { transW: r.chance(0.5), transX: r.chance(0.5) });
          const spec: Spec = { mul: r.pick([null, F.fp32, F.e4m3]), mulMode: "rne", acc, accMode, fma: false, fast: true, srBits: r.pick([1, 13, 32]), srKey: r.next() };
          failures.push(...againstReference(job, spec));
        }
      }
      if (failures.length > 8) break;
    }
    expect(failures).toEqual([]);
  });
});

describe("products rounded to an fp32 variant", () => {
  it("saturating or subnormal-free fp32 products keep exact ties of the accumulator (an inf elsewhere in X)", () => {
    // Row 0: (1 + 2^-10) + 2^-11 is an fp16 tie that goes up to the even 1 + 2^-9; a product one f32 ulp off
    // would round down. Row 1 holds an inf, so the products are not all finite and are rounded to mul.
    const n = 40;
    const w = new Float32Array(2 * n);
    for (let j = 0; j < n; j++) { w[j] = 1 + 2 ** -10; w[n + j] = 2 ** -11 * (j % 2 ? 1 : -1); }
    const job = {
      m: 2, n, k: 2, x: new Float32Array([1, 1, Infinity, 1]), w, z: new Float32Array(2 * n),
      transX: false, transW: false, padX: 0, padW: 0, padZ: 0, accumulate: false, label: "fp32-variant ties",
    };
    const failures: string[] = [];
    for (const mul of [F.fp32sat, F.fp32nosub]) {
      const spec: Spec = { mul, mulMode: "rne", acc: F.fp16, accMode: "rne", fma: false, fast: false, srBits: 32, srKey: 0 };
      failures.push(...againstReference(job, spec));
    }
    expect(failures).toEqual([]);
  });
});
