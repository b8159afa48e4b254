// Numeric health through TELEMETRY: a learner deployed with FLAG_HEALTH on the simulated board reports
// one item per layer and role that rounded values, with counts that follow from the work done, a range
// share that follows from max |x| and the format's definition (floats and fixed point), and a reset that
// empties the list.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, test } from "vitest";
import { CFG_FLAGS, FLAG_HEALTH } from "../../assembly/nn/abi.js";
import { loadAccelerator } from "../../board/sim/mmio.js";
import { modulePath } from "../../host/device/module.js";
import { formatWordName } from "../../host/report/format-names.js";
import { ROLE_NAMES } from "../../host/precision/spec.js";
import { connectInProcess, manifest } from "../helpers/board.js";
import { FEATURES, learner, separable } from "../helpers/learner.js";
import { refFormat } from "../helpers/reference.js";
import { rangeShare, rangeShareOf } from "../helpers/health.js";
import { learning, runOn } from "../helpers/cl-run.js";
import { smallRun } from "../helpers/run-options.js";
import { defaultOptimizer } from "../../host/train/config.js";

const REF = {
  e4m3: refFormat({ kind: "float", e: 4, m: 3, specials: "fn", subnormals: true, saturate: false }),
  e5m2: refFormat({ kind: "float", e: 5, m: 2, specials: "ieee", subnormals: true, saturate: false }),
} as const;
/** Fixed point fixed<WL>.<FL> from its definition in reference.ts (two's complement, WL bits, FL of them fraction). */
const fixedRef = (name: string) => {
  const [, wl, fl] = /^fixed(\d+)\.(\d+)$/.exec(name)!;
  return refFormat({ kind: "fixed", e: Number(wl), m: Number(fl), specials: "none", subnormals: true, saturate: true });
};
// fp32 from IEEE 754 itself (enumerating its values in the oracle would take 2^31 entries).
const share = (format: string, maxAbs: number) =>
  format === "fp32" ? rangeShareOf(2 ** -149, (2 - 2 ** -23) * 2 ** 127, maxAbs)
  : format.startsWith("fixed") ? rangeShare(fixedRef(format), maxAbs)
  : rangeShare(REF[format as keyof typeof REF], maxAbs);

let module: Uint8Array;
beforeAll(() => {
  module = new Uint8Array(readFileSync(modulePath(false)));
});

const ITERATIONS = 12, BATCH = 8, HIDDEN = 16;

async function deployed(health: boolean) {
  const m = manifest("sim");
  const { client } = connectInProcess({ manifest: m, accelerator: await loadAccelerator(m) }, 60_000);
  const hello = await client.hello();
  const config = learner({
    hidden: String(HIDDEN), precision: "fp8-mixed", memoryLimit: hello.memoryLimit,
    spoil: (words) => (words[CFG_FLAGS] |= health ? FLAG_HEALTH : 0),
  });
  await client.deploy({ config, module });
  await client.data({ experience: 0, split: "train", ...separable(64, "train"), features: FEATURES });
  await client.telemetry({ resetCounters: true });
  await client.train({ experience: 0, iterations: ITERATIONS, batchSize: BATCH, seed: 3 });
  return client;
}

describe("TELEMETRY's health list", () => {
  test("one item per layer and role that rounded values, with the counts of the work done", async () => {
    const client = await deployed(true);
    const t = await client.telemetry({ resetCounters: true });
    const items = t.health.map((h) => ({ ...h, roleName: ROLE_NAMES[h.role], formatName: formatWordName(h.format) }));
    // mlp:16 is linear 0, relu 1, linear 2 (the output). fp8-mixed: e4m3 activations and weights, e5m2
    // errors and gradients, an fp32 master copy; plain SGD keeps no optimizer state.
    expect(items.map((h) => `${h.layer}.${h.roleName}=${h.formatName}`).sort()).toEqual([
      "0.activation=e4m3", "0.gradient=e5m2", "0.master=fp32", "0.weight=e4m3",
      "1.error=e5m2",
      "2.activation=e4m3", "2.error=e5m2", "2.gradient=e5m2", "2.master=fp32", "2.weight=e4m3",
    ]);
    const at = (layer: number, role: string) => items.find((h) => h.layer === layer && h.roleName === role)!;
    const steps = t.optimizerSteps + t.lossScaleSkips;
    expect(steps).toBe(ITERATIONS);
    const params0 = (FEATURES + 1) * HIDDEN, params2 = (HIDDEN + 1) * 2;
    expect(at(0, "activation").values).toBe(ITERATIONS * BATCH * HIDDEN);
    expect(at(2, "activation").values).toBe(ITERATIONS * BATCH * 2);
    expect(at(2, "error").values).toBe(ITERATIONS * BATCH * 2);
    expect(at(1, "error").values).toBe(ITERATIONS * BATCH * HIDDEN);
    expect(at(0, "gradient").values).toBe(ITERATIONS * params0);
    expect(at(2, "gradient").values).toBe(ITERATIONS * params2);
    // The optimizer writes every parameter of an applied step to the master copy, then the weight store.
    for (const [layer, n] of [[0, params0], [2, params2]]) {
      expect(at(layer, "master").values).toBe(t.optimizerSteps * n);
      expect(at(layer, "weight").values).toBe(t.optimizerSteps * n);
      expect(at(layer, "master").updates).toBeGreaterThan(0);
      expect(at(layer, "master").swamped).toBeLessThanOrEqual(at(layer, "master").updates);
      expect(at(layer, "weight").updates).toBe(0);
    }
    for (const h of items) {
      expect(h.overflows + h.underflows).toBeLessThanOrEqual(h.values);
      expect(h.maxAbs).toBeGreaterThan(0);
      expect(h.rangeUsed).toBeCloseTo(share(h.formatName, h.maxAbs), 12);
    }
    // The reset emptied every row.
    expect((await client.telemetry()).health).toEqual([]);
  });

  test("without FLAG_HEALTH the list is empty and the steps are still counted", async () => {
    const client = await deployed(false);
    const t = await client.telemetry();
    expect(t.health).toEqual([]);
    expect(t.optimizerSteps + t.lossScaleSkips).toBe(ITERATIONS);
  });
});

describe("a run with --health", () => {
  test("the report holds health rows per experience and learns exactly what the run without them learns (replay, class-IL, Adam)", async () => {
    const options = smallRun({ scenario: "class", strategy: "replay", strategyOptions: { bufferBytes: 1 << 14 } });
    const plain = await runOn("sim", options);
    const counted = await runOn("sim", { ...options, health: true });
    expect(learning(counted.report)).toEqual(learning(plain.report));
    expect(counted.checkpointCrc).toBe(plain.checkpointCrc);
    expect(counted.report.modelChecksum).toBe(plain.report.modelChecksum);
    expect(counted.report.config.health).toBe(true);
    expect(plain.report.config.health).toBeUndefined();
    for (const t of counted.report.telemetry) {
      expect(t.train.optimizerSteps! + t.train.lossScaleSkips!).toBe(options.iterations);
      const roles = new Set(t.train.health!.map((h) => h.role));
      // fp8-mixed with Adam: every role nn/ rounds is counted somewhere in training.
      expect([...roles].sort()).toEqual(["activation", "error", "gradient", "master", "optimizer", "weight"]);
      for (const h of t.train.health!) if (h.updates > 0) expect(h.swampedShare).toBe(h.swamped / h.updates);
      // Evaluation rounds activations only.
      expect(new Set(t.eval.health!.map((h) => h.role))).toEqual(new Set(["activation"]));
    }
    for (const t of plain.report.telemetry) expect(t.train.health).toBeUndefined();
  });

  test("fixed point: each row's range used is its max |x| on the binade scale from 2^-FL to (2^(WL-1) - 1) 2^-FL", async () => {
    const options = smallRun({ precision: "fp32,activation=fixed8.4,weight=fixed16.8,layer2.activation=fixed12.6", health: true });
    const { report } = await runOn("sim", options);
    const rows = report.telemetry.flatMap((t) => [...t.train.health!, ...t.eval.health!]).filter((h) => h.format.startsWith("fixed"));
    expect(new Set(rows.map((h) => `${h.layer}.${h.role}=${h.format}`))).toEqual(
      new Set(["0.activation=fixed8.4", "2.activation=fixed12.6", "0.weight=fixed16.8", "2.weight=fixed16.8"]),
    );
    // By hand for fixed8.4: 2^-4 .. 127 * 2^-4 spans log2(127) binades, of which max |x| = 1 uses 4.
    expect(rangeShare(fixedRef("fixed8.4"), 1)).toBeCloseTo(4 / Math.log2(127), 15);
    for (const h of rows) expect(h.rangeUsed, `${h.layer}.${h.role}=${h.format}`).toBeCloseTo(share(h.format, h.maxAbs), 12);
    // Not every row pinned to an end of the scale, where the clamp alone would agree.
    expect(rows.some((h) => h.rangeUsed > 0 && h.rangeUsed < 1)).toBe(true);
  });

  test("with a layer's weights in a width of their own, counting stores each layer's weights in its own format (SGD, no master copy)", async () => {
    // Layer 0 keeps bf16 weights, the output layer fp32: the counted update must write each layer's store.
    const options = smallRun({ precision: "fp32,layer0.weight=bf16:rne", optimizer: defaultOptimizer("sgd") });
    const plain = await runOn("sim", options);
    const counted = await runOn("sim", { ...options, health: true });
    expect(learning(counted.report)).toEqual(learning(plain.report));
    expect(counted.report.modelChecksum).toBe(plain.report.modelChecksum);
    const weightRows = counted.report.telemetry[0].train.health!.filter((h) => h.role === "weight");
    expect(weightRows.map((h) => [h.layer, h.format])).toEqual([[0, "bf16"], [2, "fp32"]]);
  });
});
