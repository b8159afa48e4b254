// Training on the real digits (the mnist package's 10,000, split 8,000 / 2,000): MLP 784-400-400-10 with
// Adam (lr 0.001, bias-corrected as Kingma & Ba), batch 64, 3 epochs, seed 0: 94.85% measured (4 epochs:
// 95.55, 95.40, 94.90% on seeds 0-2). A PyTorch fp32 reference reaches 95.1% after 10 epochs of batch 128
// on this split: 94% after 3 epochs is within a point of it.
import { describe, expect, it } from "vitest";
import { loadMnist } from "../../host/data/index.js";
import { defaultOptimizer } from "../../host/train/config.js";
import { runTraining, type TrainReport } from "../../host/train/run.js";

const split = loadMnist();
const train = (precision: string, epochs: number, batch: number): TrainReport =>
  runTraining({
    model: "mlp:400,400",
    precision,
    epochs,
    batch,
    optimizer: defaultOptimizer("adam"),
    seed: 0,
    data: { split, source: "mnist" },
  });

describe("MLP 784-400-400-10 on the real digits", () => {
  let fp32Report: TrainReport | undefined;
  const fp32 = () => (fp32Report ??= train("fp32", 3, 64));

  it("reaches >= 94% test accuracy in fp32 after 3 epochs", () => {
    const report = fp32();
    expect(report.config.params).toBe(478_410);
    expect(report.testAccuracy).toBeGreaterThanOrEqual(0.94);
    expect(report.loss[2]).toBeLessThan(report.loss[0]);
  });

  // The fp8-mixed formats at every role, with the fast GEMM (f32 sums, each result rounded once to fp16
  // with sr): the exact per-MAC GEMM takes about 25 s per epoch here (test/train/mnist-exact.test.ts
  // runs one epoch of it).
  it("fp8-mixed (gemm=fast) stays within 1 point of fp32 with the same epochs and seed", () => {
    const fp8 = train("fp8-mixed,gemm=fast", 3, 64);
    expect(fp8.memory.modelBytes).toBe(478_410); // one byte per weight
    expect(Math.abs(fp8.testAccuracy - fp32().testAccuracy)).toBeLessThanOrEqual(0.01);
  });
});

describe("loss scaling against e5m2 underflow", () => {
  // One epoch, batch 128. fp32 gives the floor of zero gradients that has nothing to do with precision:
  // weights of pixels that are 0 in every digit of a batch get no gradient at all.
  it("without loss scaling many e5m2 errors flush to zero and zero gradients grow; dynamic scaling brings both down", () => {
    const fp32 = train("fp32", 1, 128);
    const unscaled = train("fp8-mixed,gemm=fast,lossScale=none", 1, 128);
    const scaled = train("fp8-mixed,gemm=fast", 1, 128);
    const floor = fp32.numerics.gradientZeroFraction;
    expect(fp32.numerics.errorFlushFraction).toBe(0);
    // Measured: a fifth of the nonzero errors underflow e5m2 (min subnormal 2^-16) without scaling (19.2%).
    expect(unscaled.numerics.errorFlushFraction).toBeGreaterThan(0.15);
    expect(scaled.numerics.errorFlushFraction).toBeLessThan(0.02);
    // Zero weight gradients: above the fp32 floor without scaling, back on it with dynamic scaling
    // (measured: floor 30.37%, unscaled 34.99%, scaled 30.41%).
    expect(unscaled.numerics.gradientZeroFraction - floor).toBeGreaterThan(0.03);
    expect(Math.abs(scaled.numerics.gradientZeroFraction - floor)).toBeLessThan(0.02);
    expect(scaled.lossScaling).toMatchObject({ kind: "dynamic", finalScale: 65536, skippedSteps: 0 });
  });
});
