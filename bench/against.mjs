// This build's training time against another checkout's, in one process: the cases of `bench health`
// (with and without FLAG_HEALTH), a layer with its own weight format, and one fp32 epoch of an MLP
// 784-100-100-10 (batch 64), each on both builds in alternating rounds, so load on the machine falls on
// both alike. CPU time (process.cpuUsage()); the fastest round of each. Both must end with the same
// stored weights (a change that should keep every bit is checked on the way).
// Usage: EDGECL_BASELINE=/path/to/other/checkout npm run bench -- against   (that checkout built: dist/ and build/)
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROUNDS = 7;
const baseline = process.env.EDGECL_BASELINE;
if (!baseline || !existsSync(join(baseline, "dist", "host", "train", "index.js"))) {
  console.error(`expected EDGECL_BASELINE to name a built checkout (with dist/host/train/index.js), received ${JSON.stringify(baseline ?? "")}`);
  process.exit(2);
}
const builds = { baseline: resolve(baseline), this: resolve(dirname(fileURLToPath(import.meta.url)), "..") };

async function load(root) {
  const at = (path) => import(pathToFileURL(join(root, "dist", "host", path)).href);
  const [device, precision, train] = await Promise.all([at("device/module.js"), at("precision/index.js"), at("train/index.js")]);
  return { device, precision, train };
}
const mods = { baseline: await load(builds.baseline), this: await load(builds.this) };
const { loadMnist } = await import("../dist/host/data/index.js");
const { train } = loadMnist();
const size = 784;
const epoch = Math.floor(train.labels.length / 64);

function build(which, model, batch, precision, health) {
  const { device, precision: p, train: t } = mods[which];
  const m = t.DeviceModel.create(device.loadDevice({ simd: true }), {
    seed: 0, maxBatch: batch, inputShape: train.shape, heads: 1, classes: 10, layers: t.parseModelSpec(model).layers,
    precision: p.parsePrecision(precision), optimizer: t.defaultOptimizer("adam"), health,
  });
  let from = 0;
  return {
    model: m,
    /** CPU seconds of `steps` training steps on the next batches. */
    run(steps) {
      const t0 = process.cpuUsage();
      for (let s = 0; s < steps; s++) {
        if (from + batch > train.labels.length) from = 0;
        m.putBatch(train.inputs.subarray(from * size, (from + batch) * size), train.labels.subarray(from, from + batch));
        m.train(batch);
        from += batch;
      }
      const used = process.cpuUsage(t0);
      return (used.user + used.system) / 1e6;
    },
  };
}

const CASES = [
  ["mlp:16", 32, 300, "fp32", [false, true]],
  ["mlp:16", 32, 300, "fp8-mixed", [false, true]],
  ["mlp:400,400", 128, 8, "fp32", [false, true]],
  ["mlp:400,400", 128, 2, "fp8-mixed", [false, true]],
  ["mlp:16", 32, 100, "fp8-mixed,layer0.weight=e5m2:sr", [false, true]],
  ["mlp:100,100", 64, epoch, "fp32", [false]],
];
const same = (a, b) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
console.log(`this build (${builds.this}) against ${builds.baseline}; SIMD build, Adam, CPU ms/step, fastest of ${ROUNDS} alternating rounds`);
console.log("model         batch  precision                         steps  health   baseline       this   change  weights");
let mismatch = false;
for (const [model, batch, steps, precision, healths] of CASES) {
  for (const health of healths) {
    const a = build("baseline", model, batch, precision, health), b = build("this", model, batch, precision, health);
    a.run(1);
    b.run(1); // warm-up: the engine compiles the hot functions
    const ta = [], tb = [];
    for (let r = 0; r < ROUNDS; r++) {
      // Alternate which goes first, so a trend in the machine's load favours neither.
      if (r % 2 === 0) { ta.push(a.run(steps)); tb.push(b.run(steps)); } else { tb.push(b.run(steps)); ta.push(a.run(steps)); }
    }
    const equal = same(a.model.readWeights(), b.model.readWeights());
    mismatch ||= !equal;
    const ms = (t) => ((1000 * Math.min(...t)) / steps).toFixed(3);
    const change = `${((Math.min(...tb) / Math.min(...ta) - 1) * 100).toFixed(1)} %`;
    console.log(`${model.padEnd(13)} ${String(batch).padStart(5)}  ${precision.padEnd(32)} ${String(steps).padStart(6)}  ${String(health).padEnd(6)} ${ms(ta).padStart(9)} ${ms(tb).padStart(10)} ${change.padStart(8)}  ${equal ? "same" : "DIFFER"}`);
  }
}
if (mismatch) process.exitCode = 1;
