// The simulated board's energy estimate of the CPU path: the device reports the MACs each CPU kernel ran
// (TELEMETRY cpuMacsExact, cpuMacsExactSr, cpuMacsFast) and the board charges them with docs/energy.md's
// figures (60, 90 and 6 instructions per MAC at 70 pJ each).
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, test } from "vitest";
import { EnergyModel } from "../../board/sim/energy.js";
import { modulePath } from "../../host/device/module.js";
import { connectInProcess, manifest } from "../helpers/board.js";
import { FEATURES, learner, separable } from "../helpers/learner.js";

let module: Uint8Array;
beforeAll(() => {
  module = new Uint8Array(readFileSync(modulePath(false)));
});

describe("the device's CPU kernels, as TELEMETRY reports them on sim-noaccel", () => {
  test.each([
    ["fp32", "fast"], // plain fp32 products and sums: the device runs the fast kernel, same bits
    ["fp32,fma=on", "exact"],
    ["fp8-mixed", "exactSr"], // its sums are rounded to fp16 stochastically
    ["fp32,acc=fp32:sr", "fast"], // rounding an f32 to fp32 changes nothing, whatever the mode
    ["fp32,acc=fp16:sr", "exactSr"],
    ["fp32,mul=fp16:sr", "exactSr"],
    ["fp32,mul=fp16:sr,fma=on", "exact"], // fused: the product is not rounded on its own
    ["fp8-mixed,gemm=fast", "fast"],
  ])("%s runs every CPU GEMM in the %s kernel, charged at its cost", async (precision, kernel) => {
    const m = manifest("sim-noaccel");
    const { client } = connectInProcess({ manifest: m, accelerator: null }, 60_000);
    const hello = await client.hello();
    await client.deploy({ config: learner({ hidden: "8", precision, memoryLimit: hello.memoryLimit }), module });
    await client.data({ experience: 0, split: "train", ...separable(16, "train"), features: FEATURES });
    await client.train({ experience: 0, iterations: 4, batchSize: 8, seed: 3 });
    const t = await client.telemetry();
    expect(t.macs).toBeGreaterThan(0);
    const byKernel = { exact: t.cpuMacsExact, exactSr: t.cpuMacsExactSr, fast: t.cpuMacsFast };
    expect(byKernel).toEqual({ exact: 0, exactSr: 0, fast: 0, [kernel]: t.macs });
    const perMac = { exact: 60, exactSr: 90, fast: 6 }[kernel]!;
    expect(t.energyCpuJ).toBeCloseTo(t.macs * perMac * 70e-12, 15);
  });
});

describe("EnergyModel", () => {
  test("the CPU path costs instructions per MAC x 70 pJ (Horowitz 2014 defaults of a manifest without an energy group)", () => {
    const energy = new EnergyModel(manifest("sim-noaccel"));
    expect(energy.cpuJ(1e6, "exact")).toBeCloseTo(1e6 * 60 * 70e-12, 15);
    expect(energy.cpuJ(1e6, "exactSr")).toBeCloseTo(1e6 * 90 * 70e-12, 15);
    expect(energy.cpuJ(1e6, "fast")).toBeCloseTo(1e6 * 6 * 70e-12, 15);
    expect(energy.cpuJ(-5, "exact")).toBe(0);
  });

  test("the device's MACs of every kernel are charged each at its own cost and added", () => {
    const energy = new EnergyModel(manifest("sim-noaccel"));
    const j = energy.cpuJOf({ cpuMacsExact: 1e6, cpuMacsExactSr: 2e6, cpuMacsFast: 3e6 });
    expect(j).toBeCloseTo((1e6 * 60 + 2e6 * 90 + 3e6 * 6) * 70e-12, 15);
    expect(energy.cpuJOf({ cpuMacsExact: 0, cpuMacsExactSr: 0, cpuMacsFast: 0 })).toBe(0);
  });
});
