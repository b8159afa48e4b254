// fp8-mixed with the exact per-MAC GEMM (every product rounded to fp16, every partial sum to fp16 with
// stochastic rounding) on the real digits. One epoch of it takes about 25 s on a 2-core machine (about
// 300 M MAC/s), so this runs one epoch, against one epoch of fp32 with the same seed and batches.
import { describe, expect, it } from "vitest";
import { loadMnist } from "../../host/data/index.js";
import { defaultOptimizer } from "../../host/train/config.js";
import { runTraining } from "../../host/train/run.js";

const split = loadMnist();
const train = (precision: string) =>
  runTraining({ model: "mlp:400,400", precision, epochs: 1, batch: 64, optimizer: defaultOptimizer("adam"), seed: 0, data: { split, source: "mnist" } });

describe("fp8-mixed with the exact GEMM", () => {
  it("one epoch stays within 1 point of one epoch of fp32", () => {
    const fp32 = train("fp32");
    const fp8 = train("fp8-mixed");
    expect(fp8.config.gemm).toBe("exact");
    expect(fp8.macs).toEqual({
      "e4m3 x e4m3 -> fp16": fp8.macsByPass.forward + fp8.macsByPass.evaluation,
      "e5m2 x e4m3 -> fp16": fp8.macsByPass.backwardData,
      "e4m3 x e5m2 -> fp16": fp8.macsByPass.backwardWeight,
    });
    expect(fp32.testAccuracy).toBeGreaterThan(0.9);
    expect(Math.abs(fp8.testAccuracy - fp32.testAccuracy)).toBeLessThanOrEqual(0.01);
  });
});
