// The learner hands its weight store to the accelerator as packed codes (docs/accelerator.md, Training on
// the backend): whole runs on `sim` (which reads them) give the bits of `sim-noaccel` (the CPU kernel on
// the decoded f32 weights), with every job accepted, for a convolutional model, for 2-byte codes, and for
// a weight store laid out layer by layer whose second layer's u16 codes start at an odd byte (those go as
// f32 containers). A board whose accelerator reads no packed operands gets f32 weights: the same bits,
// nothing refused, and more cycles for the wider reads.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectAcceleratorBits, learning, runOn, type Run } from "../helpers/cl-run.js";
import { smallRun } from "../helpers/run-options.js";
import { tempDir } from "../helpers/temp-dir.js";
import { loadBoard } from "../../host/manifest/manifest.js";

const dir = tempDir("packed-weights");

const cases: Array<[string, Parameters<typeof smallRun>[0]]> = [
  ["a convolutional model in fp8-mixed (e4m3 codes, 1 byte)", { model: "cnn:4c3,p2,fc8", iterations: 4, trainSamples: 64, testSamples: 16 }],
  ["bf16 weights (u16 codes)", { precision: "bf16", iterations: 6 }],
  // 784 x 15 + 15 = 11775 e4m3 codes before layer 2's fp16 codes: they start at an odd byte.
  ["layer 0 in e4m3, layer 2 in fp16 after an odd number of bytes", { model: "mlp:15", precision: "fp8-mixed,layer2.weight=fp16", iterations: 6 }],
];

describe("packed weights on the accelerator give the CPU kernel's bits", () => {
  // Every job runs on the accelerator: none refused (a misaligned or unsupported packed W would be).
  it.each(cases)("%s", async (_, overrides) => {
    await expectAcceleratorBits(smallRun(overrides));
  }, 300_000);
});

describe("a board without packed operands", () => {
  it("gets the weights as f32 containers: sim's bits and jobs, none refused, more cycles (W reads 4 bytes an element, not 1)", async () => {
    const sim = JSON.parse(readFileSync(loadBoard("sim").file, "utf8"));
    const file = join(dir, "sim-unpacked.json");
    writeFileSync(file, JSON.stringify({ ...sim, accelerator: { ...sim.accelerator, packed: false } }));
    const options = smallRun({ iterations: 6 });
    const [packed, unpacked]: Run[] = await Promise.all([runOn("sim", options), runOn(file, options)]);
    expect(learning(unpacked.report)).toEqual(learning(packed.report));
    expect(unpacked.checkpointCrc).toBe(packed.checkpointCrc);
    const a = packed.report.accelerator!, b = unpacked.report.accelerator!;
    expect(b.jobs).toBe(a.jobs);
    expect(b.cpuFallbacks).toBe(0);
    expect(b.cycles).toBeGreaterThan(a.cycles);
    expect(unpacked.report.energy!.breakdown!.memory).toBeGreaterThan(packed.report.energy!.breakdown!.memory);
    expect(unpacked.report.energy!.breakdown!.accelerator).toBeCloseTo(packed.report.energy!.breakdown!.accelerator, 15);
  }, 300_000);
});
