// The learner hands the accelerator its activations, errors and accumulator values as codes (OP.PACK_X,
// OP.PACK_W, OP.PACK_Z): whole runs on `sim` give the bits of `sim-noaccel` (the CPU kernel on the f32
// values), with every job accepted, across the cases that decide what goes packed: e4m3 / e5m2 operands
// with fp16 sums, a convolutional model (whose weight gradients accumulate into a packed Z sample after
// sample), MAC.FAST, 2-byte codes, a layer whose inputs are not values of its activation format (those
// go in f32 containers) and a layer with fp32 sums (its Z stays in containers).
import { describe, expect, it } from "vitest";
import { expectAcceleratorBits, learning, runOn, type Run } from "../helpers/cl-run.js";
import { smallRun } from "../helpers/run-options.js";

const cases: Array<[string, Parameters<typeof smallRun>[0]]> = [
  ["fp8-mixed: e4m3 activations, e5m2 errors, fp16 sums", { iterations: 6 }],
  ["a convolutional model in fp8-mixed", { model: "cnn:4c3,p2,fc8", iterations: 4, trainSamples: 64, testSamples: 16 }],
  ["fp8-mixed with one rounding per output (MAC.FAST)", { precision: "fp8-mixed,gemm=fast", iterations: 6 }],
  ["fp16-mixed with fp16 sums rounded to nearest (2-byte codes throughout)", { precision: "fp16-mixed,mul=fp16,acc=fp16:rne", iterations: 6 }],
  // Layer 2 reads layer 0's fp16 outputs with an e4m3 activation role: most are no e4m3 values.
  ["layer 0's activations in fp16, layer 2's in e4m3", { precision: "fp8-mixed,layer0.activation=fp16", iterations: 6 }],
  ["layer 2 with fp32 sums", { precision: "fp8-mixed,layer2.acc=fp32", iterations: 6 }],
];

describe("packed activations, errors and Z give the CPU kernel's bits", () => {
  it.each(cases)("%s", async (_, overrides) => {
    await expectAcceleratorBits(smallRun(overrides));
  }, 300_000);
});

describe("an operand whose values are not of its role's format", () => {
  it("goes in f32 containers: the same bits as when it packs, more cycles (layer 2's X reads 4 bytes an element, not 1)", async () => {
    const plain = smallRun({ iterations: 6 });
    const mixed = smallRun({ iterations: 6, precision: "fp8-mixed,layer0.activation=fp16" });
    const [a, b, cpu]: Run[] = await Promise.all([runOn("sim", plain), runOn("sim", mixed), runOn("sim-noaccel", mixed)]);
    expect(learning(b.report)).toEqual(learning(cpu.report));
    const x = a.report.accelerator!, y = b.report.accelerator!;
    expect(y.jobs).toBe(x.jobs);
    expect(y.macs).toBe(x.macs);
    expect(y.cpuFallbacks).toBe(0);
    expect(y.cycles).toBeGreaterThan(x.cycles);
  }, 300_000);
});
