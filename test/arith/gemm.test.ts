// The GEMM (assembly/arith/mac.ts, docs/gemm.md) against the exact reference of gemm-reference.ts, in both
// builds: every rounding mode (sr included: its draws are positional and documented), with and without
// fma, fast mode, accumulate, transposes and padded strides, and the refusals of bad arguments.
import { describe, expect, it } from "vitest";
import { parseFormat, parseRounding } from "../../host/formats/parse.js";
import { referenceGemm, bitsOf, valueOf, exactOf, exactProduct, exactSum, fp32Fmt } from "../helpers/gemm-reference.js";
import {
  F, GemmDevice, Random, makeJob, refJob, refSpec, describeSpec, compareBits, showBits, FAMILIES, MODE_NAMES,
  type Family, type Job, type Mode, type NamedFormat, type Spec,
} from "./gemm-harness.js";

const MULS: (NamedFormat | null)[] = [null, F.e4m3, F.e4m3sat, F.e5m2, F.fp16, F.bf16, F.fp32, F.e2m1, F.fixed16];
const ACCS: (NamedFormat | null)[] = [null, F.fp16, F.bf16, F.fp32, F.tf32, F.e5m2, F.fp16nosub, F.e5m0, F.fixed16, F.fixed24];
const SR_BITS = [1, 3, 8, 13, 20, 29, 32];

function randomSpec(r: Random, accMode: Mode, fma: boolean): Spec {
  return {
    mul: r.pick(MULS),
    mulMode: r.pick(MODE_NAMES),
    acc: r.pick(ACCS),
    accMode,
    fma,
    fast: false,
    srBits: r.pick(SR_BITS),
    srKey: r.next(),
  };
}

function check(device: GemmDevice, job: Job, spec: Spec): string[] {
  const got = device.run(job, spec);
  const want = referenceGemm(refSpec(spec), refJob(job));
  return compareBits(got, want, job, describeSpec(spec));
}

describe.each([false, true])("gemm (simd=%s)", (simd) => {
  const device = GemmDevice.load(simd);

  describe("exact mode equals the exact reference bit for bit", () => {
    for (const accMode of MODE_NAMES) {
      for (const fma of [false, true]) {
        it(`acc ${accMode}, ${fma ? "fma" : "products rounded to mul (every mode)"}: random shapes, formats and operands`, () => {
          const r = new Random(0x51ed + MODE_NAMES.indexOf(accMode) * 31 + (fma ? 7 : 0));
          const failures: string[] = [];
          for (let c = 0; c < 90; c++) {
            const shape = { m: r.int(1, 4), n: r.int(1, 11), k: r.int(1, 24) };
            const job = makeJob(r, shape, [r.pick(FAMILIES), r.pick(FAMILIES)]);
            failures.push(...check(device, job, randomSpec(r, accMode, fma)));
            if (failures.length > 8) break;
          }
          expect(failures).toEqual([]);
        });
      }
    }

    it("e4m3 and e5m2 operands, products rounded to e4m3 / e5m2 / fp16, fp16 / bf16 / fp32 accumulators, deterministic modes", () => {
      const r = new Random(0xe4e5);
      const failures: string[] = [];
      for (const mul of [F.e4m3, F.e5m2, F.fp16]) {
        for (const acc of [F.fp16, F.bf16, F.fp32]) {
          for (const mode of MODE_NAMES.filter((m) => m !== "sr")) {
            for (const fma of [false, true]) {
              const fam: Family[] = ["e4m3", "e5m2"];
              const job = makeJob(r, { m: r.int(1, 3), n: r.int(1, 9), k: r.int(8, 40) }, [r.pick(fam), r.pick(fam)]);
              failures.push(...check(device, job, { mul, mulMode: mode, acc, accMode: mode, fma, fast: false, srBits: 32, srKey: 0 }));
            }
          }
        }
      }
      expect(failures).toEqual([]);
    });

    it("the exact product and sum are rounded once: hand-worked fp16 cases where an f32 intermediate would round twice", () => {
      // 1 + (1 + 2^-20) * 2^-11 (1 + 2^-20) = 1 + 2^-11 + 2^-30 + 2^-51: just above the fp16 midpoint
      // between 1 and 1 + 2^-10, so it rounds up; an f32 intermediate would land on the midpoint and round to 1.
      const x = new Float32Array([1, 1 + 2 ** -20]);
      const w = new Float32Array([1, 2 ** -11 * (1 + 2 ** -20)]);
      expect(Math.fround(x[1] * w[1])).not.toBe(x[1] * w[1]); // the product itself needs more than 24 bits
      const job: Job = { m: 1, n: 1, k: 2, x, w, z: new Float32Array(1), transX: false, transW: false, padX: 0, padW: 0, padZ: 0, accumulate: false, label: "hand" };
      const upper = 1 + 2 ** -10;
      for (const fma of [false, true]) {
        const got = device.run(job, { mul: null, mulMode: "rne", acc: F.fp16, accMode: "rne", fma, fast: false, srBits: 32, srKey: 0 });
        expect(valueOf(got[0])).toBe(upper);
      }
      // Rounding the product first: 2^-11 (1 + 2^-19) in fp16 is 2^-11, the midpoint exactly: ties to even gives 1.
      const rounded = device.run(job, { mul: F.fp16, mulMode: "rne", acc: F.fp16, accMode: "rne", fma: false, fast: false, srBits: 32, srKey: 0 });
      expect(valueOf(rounded[0])).toBe(1);
    });

    it("e4m3 x e4m3 products saturate or overflow in e4m3 as the OCP rules say (hand-worked)", () => {
      // 16 * 30 = 480 is past e4m3's largest value 448: NaN without saturation, 448 with it; fp32 sums it.
      const job: Job = { m: 1, n: 1, k: 1, x: new Float32Array([16]), w: new Float32Array([30]), z: new Float32Array(1), transX: false, transW: false, padX: 0, padW: 0, padZ: 0, accumulate: false, label: "hand" };
      const nan = device.run(job, { mul: F.e4m3, mulMode: "rne", acc: F.fp32, accMode: "rne", fma: false, fast: false, srBits: 32, srKey: 0 });
      expect(nan[0]).toBe(0x7fc00000);
      const sat = device.run(job, { mul: F.e4m3sat, mulMode: "rne", acc: F.fp32, accMode: "rne", fma: false, fast: false, srBits: 32, srKey: 0 });
      expect(valueOf(sat[0])).toBe(448);
      const rz = device.run(job, { mul: F.e4m3, mulMode: "rz", acc: F.fp32, accMode: "rne", fma: false, fast: false, srBits: 32, srKey: 0 });
      expect(valueOf(rz[0])).toBe(448);
    });

    it("fp32 products and fp32 sums with rne equal a plain f32 loop in the same order", () => {
      const r = new Random(0xf32);
      for (let c = 0; c < 20; c++) {
        const job = makeJob(r, { m: r.int(1, 5), n: r.int(1, 13), k: r.int(1, 60) }, ["wide", "wide"]);
        const got = device.run(job, { mul: null, mulMode: "rne", acc: null, accMode: "rne", fma: false, fast: false, srBits: 32, srKey: 0 });
        for (let i = 0; i < job.m; i++) {
          for (let j = 0; j < job.n; j++) {
            let s = job.accumulate ? job.z[i * job.n + j] : 0;
            for (let kk = 0; kk < job.k; kk++) s = Math.fround(s + Math.fround(job.x[i * job.k + kk] * job.w[kk * job.n + j]));
            expect(got[i * job.n + j], `${job.label} Z[${i}][${j}]`).toBe(bitsOf(s));
          }
        }
      }
    });
  });

  describe("stochastic rounding", () => {
    // Operands in [-2, 2): no output overflows fp16, so every one of them can move with the key.
    const r0 = new Random(0x5eed);
    const unit = () => Math.fround((r0.next() / 2 ** 32) * 4 - 2);
    const job: Job = {
      m: 3, n: 7, k: 33, x: new Float32Array(3 * 33).map(unit), w: new Float32Array(33 * 7).map(unit), z: new Float32Array(21),
      transX: false, transW: false, padX: 0, padW: 0, padZ: 0, accumulate: false, label: "sr-keys",
    };
    const spec = (srKey: number, srBits = 32): Spec => ({ mul: F.bf16, mulMode: "sr", acc: F.fp16, accMode: "sr", fma: false, fast: false, srBits, srKey });

    it("is reproducible from the key: the same key gives the same bits, run after run", () => {
      const a = device.run(job, spec(0xc0ffee));
      device.run(job, spec(0x1234)); // another job in between changes nothing: draws are positional
      const b = device.run(job, spec(0xc0ffee));
      expect(Array.from(b)).toEqual(Array.from(a));
    });

    it("differs for different keys", () => {
      const a = device.run(job, spec(1));
      const b = device.run(job, spec(2));
      let differ = 0;
      for (let o = 0; o < a.length; o++) if (a[o] !== b[o]) differ++;
      // 33 rounded products and sums per output, most of them inexact: nearly every output should move.
      expect(differ).toBeGreaterThan(a.length / 2);
    });

    it("with fma and with few random bits equals the reference", () => {
      const r = new Random(0x5a5a);
      const failures: string[] = [];
      for (const srBits of [1, 2, 5, 11, 21, 28, 29, 30, 31, 32]) {
        for (const acc of [F.fp16, F.bf16, F.fp32, F.tf32, F.fixed24, F.e5m2]) {
          const s: Spec = { mul: F.fp16, mulMode: "sr", acc, accMode: "sr", fma: r.chance(0.5), fast: false, srBits, srKey: r.next() };
          const j = makeJob(r, { m: 2, n: r.int(3, 9), k: r.int(5, 30) }, [r.pick(FAMILIES), r.pick(FAMILIES)]);
          failures.push(...check(device, j, s));
        }
      }
      expect(failures).toEqual([]);
    });

    it("rounds up with the probability of the discarded fraction (10^4 sums, fixed key, 5 sigma)", () => {
      // Each output is 1 + 2^-13 in fp16 (ulp 2^-10 above 1): up with probability 1/8.
      const n = 100, m = 100;
      const j: Job = {
        m, n, k: 2, x: new Float32Array(m * 2).fill(1), w: new Float32Array(2 * n).map((_, i) => (i < n ? 1 : 2 ** -13)),
        z: new Float32Array(m * n), transX: false, transW: false, padX: 0, padW: 0, padZ: 0, accumulate: false, label: "sr-stat",
      };
      const got = device.run(j, { mul: null, mulMode: "rne", acc: F.fp16, accMode: "sr", fma: false, fast: false, srBits: 32, srKey: 0xabcdef });
      let ups = 0;
      for (const b of got) {
        const v = valueOf(b);
        expect([1, 1 + 2 ** -10]).toContain(v);
        if (v > 1) ups++;
      }
      const mean = (m * n) / 8, sigma = Math.sqrt((m * n * 7) / 64);
      expect(Math.abs(ups - mean)).toBeLessThan(5 * sigma);
    });
  });

  describe("fast mode", () => {
    it("equals an f32 loop (Math.fround) then one rounding of each result, every mode", () => {
      const r = new Random(0xfa57);
      const failures: string[] = [];
      for (let c = 0; c < 120; c++) {
        const accMode = r.pick(MODE_NAMES);
        const job = makeJob(r, { m: r.int(1, 5), n: r.int(1, 13), k: r.int(1, 40) }, [r.pick(FAMILIES), r.pick(FAMILIES)]);
        const spec: Spec = { mul: r.pick(MULS), mulMode: "rne", acc: r.pick(ACCS), accMode, fma: r.chance(0.5), fast: true, srBits: r.pick(SR_BITS), srKey: r.next() };
        failures.push(...check(device, job, spec));
      }
      expect(failures).toEqual([]);
    });
  });

  describe("layout", () => {
    it("transposed operands give the bits of the untransposed job on transposed data", () => {
      const r = new Random(0x7a7a);
      for (let c = 0; c < 40; c++) {
        const job = makeJob(r, { m: r.int(1, 6), n: r.int(1, 17), k: r.int(1, 30) }, [r.pick(FAMILIES), r.pick(FAMILIES)], { transX: false, transW: false, padX: 0, padW: 0 });
        const spec: Spec = { mul: r.pick(MULS), mulMode: r.pick(MODE_NAMES), acc: r.pick(ACCS), accMode: r.pick(MODE_NAMES), fma: r.chance(0.5), fast: r.chance(0.2), srBits: r.pick(SR_BITS), srKey: r.next() };
        const plain = device.run(job, spec);
        for (const [transX, transW] of [[true, false], [false, true], [true, true]]) {
          const t = { ...job, transX, transW, padX: r.int(0, 2), padW: r.int(0, 2), label: `${job.label} as transX=${transX} transW=${transW}` };
          expect(Array.from(device.run(t, spec)), `${t.label} ${describeSpec(spec)}`).toEqual(Array.from(plain));
        }
      }
    });

    it("k = 0 leaves Z as it is when accumulating and sets +0 otherwise", () => {
      const job = makeJob(new Random(3), { m: 2, n: 5, k: 0 }, ["wide", "wide"], { accumulate: true });
      const spec: Spec = { mul: F.fp16, mulMode: "rne", acc: F.fp16, accMode: "rne", fma: false, fast: false, srBits: 32, srKey: 0 };
      expect(Array.from(device.run(job, spec))).toEqual(Array.from(job.z, bitsOf));
      expect(Array.from(device.run({ ...job, accumulate: false }, spec))).toEqual(new Array(10).fill(0));
    });
  });

  describe("bad arguments are refused with a status, never a trap", () => {
    const x = device.x;
    const fp16 = device.formatOf(F.fp16);
    const mx = x.fmt_new(parseFormat("mxfp8-e4m3").word); // a block format: no per-MAC meaning
    it("mac_spec_check names the bad field", () => {
      expect(mx).not.toBe(0);
      expect(x.mac_spec_check(fp16, 0, fp16, 0, 0, 0, 32, 0)).toBe(0);
      expect(x.mac_spec_check(mx, 0, fp16, 0, 0, 0, 32, 0)).toBe(-1);
      expect(x.mac_spec_check(fp16, 0, mx, 0, 0, 0, 32, 0)).toBe(-1);
      expect(x.mac_spec_check(fp16, 7, fp16, 0, 0, 0, 32, 0)).toBe(-2);
      expect(x.mac_spec_check(fp16, 0, fp16, -1, 0, 0, 32, 0)).toBe(-2);
      expect(x.mac_spec_check(fp16, 0, fp16, 0, 0, 0, 0, 0)).toBe(-3);
      expect(x.mac_spec_check(fp16, 0, fp16, 0, 0, 0, 33, 0)).toBe(-3);
      expect(x.mac_spec_new(fp16, 0, fp16, 0, 0, 0, 33, 0)).toBe(0);
    });
    it("gemm refuses negative sizes, short strides, sr jobs past 2^32 outputs and a null spec", () => {
      const spec = x.mac_spec_new(fp16, 0, fp16, 0, 0, 0, 32, 0);
      const srSpec = x.mac_spec_new(fp16, parseRounding("sr"), fp16, 0, 0, 0, 32, 0);
      const buf = device.buffer(5, 64);
      expect(x.gemm(-1, 1, 1, buf, 1, 0, buf, 1, 0, buf, 1, 0, spec)).toBe(-4);
      expect(x.gemm(2, 2, 3, buf, 2, 0, buf, 2, 0, buf, 2, 0, spec)).toBe(-5); // ldx 2 < k 3
      expect(x.gemm(2, 2, 3, buf, 3, 1, buf, 2, 0, buf, 2, 0, spec)).toBe(0); // transposed X is k x m: ldx >= m
      expect(x.gemm(2, 3, 2, buf, 2, 0, buf, 2, 0, buf, 3, 0, spec)).toBe(-5); // ldw 2 < n 3
      expect(x.gemm(2, 3, 2, buf, 2, 0, buf, 2, 1, buf, 2, 0, spec)).toBe(-5); // ldz 2 < n 3
      // 65536 x 65537 outputs: their positions i*n + j no longer fit a u32 (each seeds its own stream).
      expect(x.gemm(65536, 65537, 1, buf, 1, 0, buf, 65537, 0, buf, 65537, 0, srSpec)).toBe(-6);
      expect(x.gemm(1, 1, 1, buf, 1, 0, buf, 1, 0, buf, 1, 0, 0)).toBe(-7);
    });
  });
});

/** Bits from the leading one to the trailing one of a nonzero integer. */
function significantBits(v: bigint): number {
  const a = v < 0n ? -v : v;
  const digits = a.toString(2);
  return digits.length - (digits.length - 1 - digits.lastIndexOf("1"));
}

describe.each([false, true])("one MAC step with explicit draws (simd=%s)", (simd) => {
  const device = GemmDevice.load(simd);
  const x = device.x;

  it("sr decides at the exact threshold of the discarded fraction, even where the sum needs more than 53 bits", () => {
    // The draw that just carries out of r bits rounds up and the one below it does not: this fixes every bit
    // sr reads, including those below an f64's precision (fp32 / 24-bit fixed accumulators, fused products).
    const r = new Random(0x7e57);
    const failures: string[] = [];
    let hitsBelow53 = 0;
    for (let c = 0; c < 3000 && failures.length < 8; c++) {
      const acc = r.pick([F.fp32, F.fixed24, F.tf32, F.fp16, F.bf16]);
      const srBits = r.pick([1, 13, 28, 29, 30, 31, 32]);
      const fma = r.chance(0.6);
      const mul = r.pick([null, F.fp32, F.bf16]);
      const scale = acc === F.fixed24 ? -6 : 0;
      const s = Math.fround(((r.next() / 2 ** 32) * 2 - 1) * 2 ** (r.int(-4, 4) + scale));
      const xv = Math.fround(((r.next() / 2 ** 32) * 2 - 1) * 2 ** (r.int(-30, 2) + scale));
      const wv = Math.fround(((r.next() / 2 ** 32) * 2 - 1) * 2 ** r.int(-4, 2));
      const spec: Spec = { mul, mulMode: "rne", acc, accMode: "sr", fma, fast: false, srBits, srKey: 0 };
      const rs = refSpec(spec);
      const product = exactProduct(xv, wv);
      const term = fma ? product : exactOf((rs.mul ?? fp32Fmt).round(product, "rne"));
      const sum = exactSum(exactOf(s), term, "sr");
      const top = acc.ref.srTop(sum, srBits);
      if (top === null || top === 0n) continue;
      if (typeof sum !== "number" && significantBits(sum.v) > 53) hitsBelow53++;
      const specPtr = device.spec(spec);
      const upDraw = Number(((1n << BigInt(srBits)) - top) << BigInt(32 - srBits)) >>> 0;
      for (const draw of [upDraw, (upDraw - 1) >>> 0, r.next()]) {
        const got = bitsOf(x.mac_step(specPtr, s, xv, wv, 0, draw));
        const want = bitsOf(acc.ref.round(sum, "sr", srBits, draw));
        if (got !== want) failures.push(`${describeSpec(spec)} s=${s} x=${xv} w=${wv} draw=0x${draw.toString(16)}: got ${showBits(got)}, expected ${showBits(want)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(hitsBelow53).toBeGreaterThan(100);
  });
});
