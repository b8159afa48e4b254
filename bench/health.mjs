// What counting numeric health costs (docs/precision.md "Numeric health"): training time of the same
// steps on the embedded digits with and without FLAG_HEALTH, for a small and a large MLP in fp32 (GEMMs in
// plain f32, so counting weighs the most) and fp8-mixed (per-MAC exact GEMMs), SIMD build. The two
// models run in alternating rounds in one process, so load on the machine falls on both alike; the
// ratio is the median over rounds. Both must end with the same stored weights (checked on every run).
// Usage: npm run bench -- health   (or: node bench/run.mjs health after a build)
import { loadDevice } from "../dist/host/device/module.js";
import { loadMnist } from "../dist/host/data/index.js";
import { parsePrecision } from "../dist/host/precision/index.js";
import { DeviceModel, defaultOptimizer, parseModelSpec } from "../dist/host/train/index.js";

const ROUNDS = 9;
const CASES = [
  { model: "mlp:16", batch: 32, steps: 300 },
  { model: "mlp:400,400", batch: 128, steps: 2 },
];
const PRECISIONS = ["fp32", "fp8-mixed"];

const { train } = loadMnist();
const size = 784;

function build(model, batch, precision, health) {
  const m = DeviceModel.create(loadDevice({ simd: true }), {
    seed: 0,
    maxBatch: batch,
    inputShape: train.shape,
    heads: 1,
    classes: 10,
    layers: parseModelSpec(model).layers,
    precision: parsePrecision(precision),
    optimizer: defaultOptimizer("adam"),
    health,
  });
  let from = 0;
  return {
    model: m,
    /** `steps` training steps on the next batches; returns seconds. */
    run(steps) {
      const t0 = process.hrtime.bigint();
      for (let s = 0; s < steps; s++) {
        if (from + batch > train.labels.length) from = 0;
        m.putBatch(train.inputs.subarray(from * size, (from + batch) * size), train.labels.subarray(from, from + batch));
        m.train(batch);
        from += batch;
      }
      return Number(process.hrtime.bigint() - t0) / 1e9;
    },
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const same = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);

console.log(`training time with numeric health counted, against without; SIMD build, Adam, ${ROUNDS} alternating rounds (ms/step: the fastest round)`);
console.log("model          batch  precision    steps/round   without (ms/step)   with (ms/step)   overhead (fastest rounds)   (median of ratios)");
let mismatch = false;
for (const { model, batch, steps } of CASES) {
  for (const precision of PRECISIONS) {
    const off = build(model, batch, precision, false);
    const on = build(model, batch, precision, true);
    off.run(1);
    on.run(1); // warm-up: the engine compiles the hot functions
    const ratios = [], tOff = [], tOn = [];
    for (let r = 0; r < ROUNDS; r++) {
      // Alternate which goes first, so a trend in the machine's load favours neither.
      const first = r % 2 === 0;
      const a = first ? off.run(steps) : on.run(steps);
      const b = first ? on.run(steps) : off.run(steps);
      const [without, withHealth] = first ? [a, b] : [b, a];
      tOff.push(without);
      tOn.push(withHealth);
      ratios.push(withHealth / without);
    }
    const ms = (t) => ((1000 * Math.min(...t)) / steps).toFixed(2);
    const overhead = `${((Math.min(...tOn) / Math.min(...tOff) - 1) * 100).toFixed(1)} %`;
    const medianOverhead = `${((median(ratios) - 1) * 100).toFixed(1)} %`;
    console.log(`${model.padEnd(14)} ${String(batch).padStart(5)}  ${precision.padEnd(12)} ${String(steps).padStart(11)}   ${ms(tOff).padStart(17)}   ${ms(tOn).padStart(14)}   ${overhead.padStart(22)}   ${medianOverhead.padStart(17)}`);
    if (!same(off.model.readWeights(), on.model.readWeights())) {
      console.log(`  MISMATCH: ${model} ${precision} ends with other weights when health is counted`);
      mismatch = true;
    }
  }
}
console.log(mismatch ? "weights: MISMATCH" : "weights: identical with and without counting, in every case");
if (mismatch) process.exitCode = 1;
