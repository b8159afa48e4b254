// The energy model: it reproduces the published figures (Horowitz, ISSCC 2014), derives other widths by the
// rule docs/energy.md states (worked by hand here), and never charges fewer joules for more bits.
import { describe, expect, it } from "vitest";
import { HOROWITZ_2014, multiplyPj, addPj, srPj, memoryPj, cpuGemmPj, integerAddPj, energyParamsFrom } from "../../board/accel/energy";
import { jobCost, CostJob, storageBytes } from "../../board/accel/cost";
import { floatFormat } from "../../board/accel/format";
import { DEFAULT_ACCELERATOR } from "../../board/accel/model";
import { parseFormat } from "../../host/formats/parse";

const P = HOROWITZ_2014;
const f = (name: string) => floatFormat(parseFormat(name).word);

describe("published figures and the derivation rule", () => {
  it("reproduces Horowitz's fp16 and fp32 multiply and add energies", () => {
    expect(multiplyPj(P, 11)).toBeCloseTo(1.1, 12);
    expect(multiplyPj(P, 24)).toBeCloseTo(3.7, 12);
    expect(addPj(P, 16)).toBeCloseTo(0.4, 12);
    expect(addPj(P, 32)).toBeCloseTo(0.9, 12);
  });

  it("derives other widths: multipliers by p^2, adders by width (worked by hand)", () => {
    // Below fp16: scaled from fp16 by (p / 11)^2. e4m3 p = 4, e5m2 p = 3, bf16 p = 8.
    expect(multiplyPj(P, 4)).toBeCloseTo(1.1 * 16 / 121, 12);
    expect(multiplyPj(P, 3)).toBeCloseTo(1.1 * 9 / 121, 12);
    expect(multiplyPj(P, 8)).toBeCloseTo(1.1 * 64 / 121, 12);
    // Between fp16 and fp32: linear in p^2. p = 16: 1.1 + (256 - 121) / (576 - 121) * 2.6.
    expect(multiplyPj(P, 16)).toBeCloseTo(1.1 + (135 / 455) * 2.6, 12);
    // Adders: 8 bits -> 0.4 * 8 / 16; 24 bits -> halfway from 0.4 to 0.9.
    expect(addPj(P, 8)).toBeCloseTo(0.2, 12);
    expect(addPj(P, 24)).toBeCloseTo(0.65, 12);
  });

  it("integer adds: Horowitz's 8-bit 0.03 pJ and 32-bit 0.1 pJ, linear in the width", () => {
    expect(integerAddPj(8)).toBeCloseTo(0.03, 12);
    expect(integerAddPj(32)).toBeCloseTo(0.1, 12);
    // 20 bits: halfway between the two published widths.
    expect(integerAddPj(20)).toBeCloseTo(0.065, 12);
  });

  it("SR with an LFSR (the default): an r-bit LFSR step and an r-bit add, each an r-bit integer add", () => {
    expect(P.srGenerator).toBe("lfsr");
    expect(srPj(P, 32)).toBeCloseTo(2 * 0.1, 12);
    expect(srPj(P, 8)).toBeCloseTo(2 * 0.03, 12);
    expect(srPj(P, 20)).toBeCloseTo(2 * 0.065, 12);
  });

  it("SR with the counter-based generator: one 32-bit draw (two 32-bit multiplies at 3.1 pJ, five 32-bit adds at 0.1 pJ) and an r-bit add", () => {
    const counter = energyParamsFrom({ srGenerator: "counter" }, "board/x.json: energy");
    expect(srPj(counter, 32)).toBeCloseTo(6.2 + 0.5 + 0.1, 12);
    expect(srPj(counter, 8)).toBeCloseTo(6.7 + 0.03, 12);
    // Explicit coefficients override the generator's.
    const custom = energyParamsFrom({ srGenerator: "counter", srDrawPj: 1, srAddPjPerBit: 0.5 }, "board/x.json: energy");
    expect(srPj(custom, 4)).toBe(3);
    expect(() => energyParamsFrom({ srGenerator: "xorshift" }, "board/x.json: energy")).toThrow(
      'board/x.json: energy.srGenerator: expected one of lfsr, counter, received "xorshift"',
    );
  });

  it("memory in 64-bit accesses, a partial access costing a whole one; the CPU path per instruction", () => {
    expect(memoryPj(P, 8)).toBe(100);
    expect(memoryPj(P, 9)).toBe(200);
    expect(memoryPj(P, 0)).toBe(0);
    expect(cpuGemmPj(P, 1000, "exact")).toBe(1000 * 60 * 70);
  });
});

describe("never fewer joules for more bits", () => {
  const widths: Array<[number, number]> = [];
  for (let e = 1; e <= 8; e++) for (let m = 0; m <= 23; m++) widths.push([e, m]);

  it("operations: a format with at least as many exponent and mantissa bits costs at least as much", () => {
    for (const [e1, m1] of widths) {
      for (const [e2, m2] of widths) {
        if (e2 < e1 || m2 < m1) continue;
        expect(multiplyPj(P, m2 + 1)).toBeGreaterThanOrEqual(multiplyPj(P, m1 + 1));
        expect(addPj(P, 1 + e2 + m2)).toBeGreaterThanOrEqual(addPj(P, 1 + e1 + m1));
      }
    }
    const counter = energyParamsFrom({ srGenerator: "counter" }, "counter");
    for (let r = 1; r < 32; r++) {
      expect(srPj(P, r + 1)).toBeGreaterThan(srPj(P, r));
      expect(srPj(counter, r + 1)).toBeGreaterThan(srPj(counter, r));
      // The full generator never costs less than the LFSR it stands in for.
      expect(srPj(counter, r)).toBeGreaterThan(srPj(P, r));
    }
    for (let bytes = 0; bytes < 100; bytes++) expect(memoryPj(P, bytes + 1)).toBeGreaterThanOrEqual(memoryPj(P, bytes));
  });

  it("jobs: widening any format of a job never lowers its energy", () => {
    const order = ["e5m2", "e4m3", "bf16", "fp16", "fp32"];
    // Each format next to every format at least as wide in both fields.
    const wider = (a: string, b: string) => { const x = parseFormat(a), y = parseFormat(b); return y.e >= x.e && y.m >= x.m; };
    const base: CostJob = {
      m: 33, n: 17, k: 29, accumulate: true, mul: f("e4m3"), mulMode: 0, acc: f("fp16"), accMode: 6, fma: false, fast: false,
      srBits: 13, xFormat: f("e4m3"), wFormat: f("e4m3"), packX: true, packW: true, packZ: true,
    };
    const total = (job: CostJob) => jobCost(DEFAULT_ACCELERATOR, P, job).energyPj.total;
    for (const role of ["mul", "acc", "xFormat", "wFormat"] as const) {
      for (const a of order) {
        for (const b of order) {
          if (!wider(a, b)) continue;
          expect(total({ ...base, [role]: f(b) }), `${role} ${a} -> ${b}`).toBeGreaterThanOrEqual(total({ ...base, [role]: f(a) }));
        }
      }
    }
    expect(total({ ...base, srBits: 32 })).toBeGreaterThan(total(base));
    // Stochastic rounding of products too, and with the full generator, never costs less.
    expect(total({ ...base, mulMode: 6 })).toBeGreaterThan(total(base));
    const counter = energyParamsFrom({ srGenerator: "counter" }, "counter");
    expect(jobCost(DEFAULT_ACCELERATOR, counter, base).energyPj.total).toBeGreaterThan(total(base));
  });

  it("memory: operands packed wider move more bytes and cost more, part by part", () => {
    const base: CostJob = {
      m: 9, n: 7, k: 21, accumulate: true, mul: f("fp16"), mulMode: 0, acc: f("fp16"), accMode: 0, fma: false, fast: false,
      srBits: 32, xFormat: f("e4m3"), wFormat: f("e4m3"), packX: true, packW: true, packZ: true,
    };
    const cost = (job: CostJob) => jobCost(DEFAULT_ACCELERATOR, P, job);
    const order = ["e4m3", "fp16", "fp32"];
    for (let i = 1; i < order.length; i++) {
      for (const role of ["xFormat", "wFormat"] as const) {
        const narrow = cost({ ...base, [role]: f(order[i - 1]) }), wide = cost({ ...base, [role]: f(order[i]) });
        expect(wide.bytesRead, `${role} ${order[i]}`).toBeGreaterThan(narrow.bytesRead);
        expect(wide.energyPj.memory, `${role} ${order[i]}`).toBeGreaterThan(narrow.energyPj.memory);
        // Compute does not depend on where the operands are stored.
        expect(wide.energyPj.multiply + wide.energyPj.add + wide.energyPj.sr).toBe(narrow.energyPj.multiply + narrow.energyPj.add + narrow.energyPj.sr);
      }
    }
    // X is read once per column of 4-wide tiles (2 here), W once per row of tiles (3): hand count for e4m3
    // codes, and Z (accumulating) in fp16 codes, read once and written once.
    expect(cost(base).bytesRead).toBe(9 * 21 * 2 * 1 + 21 * 7 * 3 * 1 + 9 * 7 * 2);
    expect(cost(base).bytesWritten).toBe(9 * 7 * 2);
    // A packed Z moves ACC_FMT's storage width: an fp32 accumulator's 4 bytes, as a container does.
    expect(cost({ ...base, acc: f("fp32") }).bytesWritten).toBe(9 * 7 * 4);
    expect(cost({ ...base, packZ: false }).bytesWritten).toBe(9 * 7 * 4);
    // In f32 containers an operand moves 4 bytes an element, whatever its format.
    for (const operand of ["e4m3", "fp16", "fp32"]) {
      expect(cost({ ...base, xFormat: f(operand), wFormat: f(operand), packX: false, packW: false, packZ: false }).bytesRead).toBe(9 * 21 * 2 * 4 + 21 * 7 * 3 * 4 + 9 * 7 * 4);
    }
  });

  it("an fp32 job costs more than the same job in e4m3 x e4m3 -> fp16 with rne; storage widths are 1, 2, 4 bytes", () => {
    const job = (mul: string, acc: string, operand: string): CostJob => ({
      m: 64, n: 64, k: 64, accumulate: false, mul: f(mul), mulMode: 0, acc: f(acc), accMode: 0, fma: false, fast: false, srBits: 32,
      xFormat: f(operand), wFormat: f(operand), packX: true, packW: true, packZ: true,
    });
    const fp32 = jobCost(DEFAULT_ACCELERATOR, P, job("fp32", "fp32", "fp32")).energyPj;
    const fp8 = jobCost(DEFAULT_ACCELERATOR, P, job("e4m3", "fp16", "e4m3")).energyPj;
    expect(fp8.total).toBeLessThan(fp32.total / 3);
    expect(fp8.multiply).toBeCloseTo(64 ** 3 * 1.1 * 16 / 121, 6);
    expect([storageBytes(f("e4m3")), storageBytes(f("fp16")), storageBytes(f("bf16")), storageBytes(f("fp32"))]).toEqual([1, 2, 2, 4]);
  });
});

describe("the sim board's manifest", () => {
  it("carries the documented Horowitz parameters and a valid accelerator group", async () => {
    const { readFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { acceleratorConfigFrom } = await import("../../board/accel/model");
    const manifest = JSON.parse(readFileSync(join(import.meta.dirname, "../../board/sim.json"), "utf8"));
    const config = acceleratorConfigFrom(manifest.accelerator, manifest.energy, "board/sim.json");
    expect(config.energy.multiply).toEqual(P.multiply);
    expect(config.energy.add).toEqual(P.add);
    expect(config.energy.srGenerator).toBe("lfsr");
    expect(config.energy.srDrawPj).toBeCloseTo(P.srDrawPj, 12);
    expect(config.energy.srAddPjPerBit).toBeCloseTo(P.srAddPjPerBit, 12);
    expect(config.energy.memoryPjPer64Bits).toBe(P.memoryPjPer64Bits);
    expect(config.energy.cpuPjPerInstruction).toBe(P.cpuPjPerInstruction);
    expect(config.energy.cpuInstructionsPerMac).toEqual(P.cpuInstructionsPerMac);
    expect([config.rows, config.cols, config.clockHz]).toEqual([4, 4, 100_000_000]);
  });
});
