// Training throughput of the MLP 784-400-400-10 step (forward, backward, Adam update) on the embedded
// digits, batch 128: samples/s and effective M MAC/s for fp32, fp8-mixed (exact per-MAC GEMM) and
// fp8-mixed with gemm=fast, in the scalar and the SIMD build, all in one run. Both builds must end with
// the same weights for every case (checked here on every run).
// Usage: npm run bench -- train   (or: node bench/run.mjs train after a build)
import { loadDevice } from "../dist/host/device/module.js";
import { loadMnist } from "../dist/host/data/index.js";
import { parsePrecision } from "../dist/host/precision/index.js";
import { DeviceModel, defaultOptimizer, parseModelSpec } from "../dist/host/train/index.js";

const BATCH = 128;
const MIN_STEPS = 3;
const MIN_SECONDS = 2;
const CASES = ["fp32", "fp8-mixed", "fp8-mixed,gemm=fast"];

const { train } = loadMnist();
const size = 784;

function measure(precision, simd) {
  const model = DeviceModel.create(loadDevice({ simd }), {
    seed: 0,
    maxBatch: BATCH,
    inputShape: train.shape,
    heads: 1,
    classes: 10,
    layers: parseModelSpec("mlp:400,400").layers,
    precision: parsePrecision(precision),
    optimizer: defaultOptimizer("adam"),
  });
  let from = 0;
  const step = () => {
    if (from + BATCH > train.labels.length) from = 0;
    model.putBatch(train.inputs.subarray(from * size, (from + BATCH) * size), train.labels.subarray(from, from + BATCH));
    model.train(BATCH);
    from += BATCH;
  };
  step(); // warm-up: the engine compiles the hot functions
  const macsBefore = model.telemetry();
  let steps = 0;
  const t0 = process.hrtime.bigint();
  let seconds = 0;
  while (steps < MIN_STEPS || seconds < MIN_SECONDS) {
    step();
    steps++;
    seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  }
  const t = model.telemetry();
  const macs = t.macsForward + t.macsBackwardData + t.macsBackwardWeight - (macsBefore.macsForward + macsBefore.macsBackwardData + macsBefore.macsBackwardWeight);
  return { samplesPerSecond: (steps * BATCH) / seconds, macsPerSecond: macs / seconds, steps };
}

const same = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);

console.log(`MLP 784-400-400-10, Adam, batch ${BATCH}: one training step = ${(BATCH * (2 * 784 * 400 + 3 * 400 * 400 + 3 * 400 * 10 + 810)).toLocaleString("en-US")} MACs`);
console.log("precision              build    samples/s   M MAC/s   vs fp32   steps");
const baseline = {};
let mismatch = false;
for (const simd of [false, true]) {
  for (const precision of CASES) {
    const r = measure(precision, simd);
    if (precision === "fp32") baseline[simd] = r.samplesPerSecond;
    console.log(
      `${precision.padEnd(22)} ${(simd ? "simd" : "scalar").padEnd(7)} ${r.samplesPerSecond.toFixed(0).padStart(10)} ${(r.macsPerSecond / 1e6).toFixed(0).padStart(9)} ` +
        `${(r.samplesPerSecond / baseline[simd]).toFixed(2).padStart(8)}x ${String(r.steps).padStart(7)}`,
    );
  }
}
// The bit check: the same two steps on each build.
for (const precision of CASES) {
  const weights = [false, true].map((simd) => {
    const model = DeviceModel.create(loadDevice({ simd }), {
      seed: 0, maxBatch: BATCH, inputShape: train.shape, heads: 1, classes: 10,
      layers: parseModelSpec("mlp:400,400").layers, precision: parsePrecision(precision), optimizer: defaultOptimizer("adam"),
    });
    for (let s = 0; s < 2; s++) {
      model.putBatch(train.inputs.subarray(s * BATCH * size, (s + 1) * BATCH * size), train.labels.subarray(s * BATCH, (s + 1) * BATCH));
      model.train(BATCH);
    }
    return model.readWeights();
  });
  if (!same(weights[0], weights[1])) {
    console.log(`MISMATCH: ${precision}: the scalar and SIMD builds trained to different weights`);
    mismatch = true;
  }
}
console.log(mismatch ? "bits: MISMATCH between builds" : "bits: scalar and SIMD builds train to identical weights in every case");
if (mismatch) process.exitCode = 1;
