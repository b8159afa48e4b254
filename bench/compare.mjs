// edgecl next to its peers, when they are installed here: ratios of CPU time measured in one run
// (process.cpuUsage() for edgecl, time.process_time() in Python), so load from other processes on the
// machine changes the figures less than wall time would.
// - PyTorch (Debian's python3-torch, run with /usr/bin/python3, one thread): fp32 training of an MLP
//   784-100-100-10, batch 64, Adam, on the embedded digits edgecl trains on (the same samples, passed
//   through a temporary file), and an fp32 GEMM 256 x 256 x 256 against edgecl's gemm() with fp32 sums.
// - An epoch's figure, on both sides, is the best of EPOCHS epochs after one whole warm-up epoch: the
//   engines compile their hot code during the first one (V8's optimising tier runs on other threads, whose
//   time process.cpuUsage() counts), and single epochs of 0.1 s move by 10 to 50% with the machine's load.
// - edgecl's fp8-mixed epoch against its fp32 epoch (issue 16: goal <= 3x), SIMD build: with the default
//   exact per-MAC GEMM (stochastic fp16 sums after every product) and with gemm=fast (f32 sums, one
//   rounding per output).
// - CPFloat only from a source tree the user points CPFLOAT_ROOT at (it is in no package registry): rounding
//   the 10^6 f32 inputs of `bench formats` to e4m3, bf16 and fp16 with rne and sr, through
//   bench/peers/cpfloat_round.c built -O3 with gcc into a temporary directory, against edgecl's round_array
//   (scalar and SIMD builds) in the same run; CPFloat's rne results are checked against edgecl's bit for bit.
// A peer that is missing is skipped with the reason; the exit code is 0 either way (1 when CPFloat's rne
// results differ from edgecl's other than by the one difference by design).
// Usage: npm run bench -- compare   (or: node bench/run.mjs compare after a build)
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadDevice } from "../dist/host/device/module.js";
import { loadMnist } from "../dist/host/data/index.js";
import { parseFormat, parseRounding } from "../dist/host/formats/parse.js";
import { parsePrecision } from "../dist/host/precision/index.js";
import { DeviceModel, defaultOptimizer, parseModelSpec } from "../dist/host/train/index.js";
import { ROUNDING_CASES, bestRate, quantizeInputs } from "./lib/quantize.mjs";
import { cpfloatRun } from "./lib/cpfloat.mjs";

const PYTHON = "/usr/bin/python3";
const BATCH = 64;
const SIZE = 784;
const GEMM = 256;
const EPOCHS = 5;
const MIN_PASSES = 5;
const MIN_SECONDS = 1;
// Rounding: the inputs, cases and timing of `bench formats` (bench/lib/quantize.mjs), 10^6 values.
const QUANTIZE_COUNT = 1_000_000;
const QUANTIZE_SECONDS = 0.3;
const here = dirname(fileURLToPath(import.meta.url));
const { train } = loadMnist();
const count = train.labels.length;

/** CPU seconds (user + system) spent in this process by `fn`. */
function cpuSeconds(fn) {
  const t0 = process.cpuUsage();
  fn();
  const t = process.cpuUsage(t0);
  return (t.user + t.system) / 1e6;
}

/**
 * CPU seconds of one epoch (every whole batch of the training set, in order): the best of EPOCHS epochs in a
 * row, after one warm-up epoch. The model trains on through them all, as a user's run would.
 */
function edgeclEpoch(precision) {
  const model = DeviceModel.create(loadDevice({ simd: true }), {
    seed: 0,
    maxBatch: BATCH,
    inputShape: train.shape,
    heads: 1,
    classes: 10,
    layers: parseModelSpec("mlp:100,100").layers,
    precision: parsePrecision(precision),
    optimizer: defaultOptimizer("adam"),
  });
  const step = (from) => {
    model.putBatch(train.inputs.subarray(from * SIZE, (from + BATCH) * SIZE), train.labels.subarray(from, from + BATCH));
    model.train(BATCH);
  };
  const epoch = () => {
    for (let from = 0; from + BATCH <= count; from += BATCH) step(from);
  };
  epoch(); // warm-up: the engine compiles the hot functions
  let bestTime = Infinity;
  for (let e = 0; e < EPOCHS; e++) bestTime = Math.min(bestTime, cpuSeconds(epoch));
  return bestTime;
}

/** Best CPU time of one pass of `pass`, over at least MIN_PASSES passes and MIN_SECONDS, after a warm-up. */
function best(pass) {
  pass();
  let bestTime = Infinity, total = 0, passes = 0;
  while (passes < MIN_PASSES || total < MIN_SECONDS) {
    const dt = cpuSeconds(pass);
    bestTime = Math.min(bestTime, dt);
    total += dt;
    passes++;
  }
  return bestTime;
}

/**
 * Best CPU times of edgecl's fp32 GEMMs (SIMD build): gemm() with fp32 products and fp32 rne sums, the
 * kernel fp32 training runs, and the plain f32 loop with no emulation at all.
 */
function edgeclGemm() {
  const device = loadDevice({ simd: true });
  const x = device.exports;
  const xs = device.alloc(GEMM * GEMM * 4), ws = device.alloc(GEMM * GEMM * 4), zs = device.alloc(GEMM * GEMM * 4);
  let s = 0x1234;
  const uniform = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 2 ** 32 - 0.5; };
  for (const [ptr, scale] of [[xs, 1], [ws, 0.5]]) {
    const values = device.f32(ptr, GEMM * GEMM);
    for (let i = 0; i < values.length; i++) values[i] = uniform() * scale;
  }
  const fp32 = x.fmt_new(parseFormat("fp32").word), rne = parseRounding("rne");
  const spec = x.mac_spec_new(fp32, rne, fp32, rne, 0, 0, 32, 0x2468ace);
  if (spec === 0) throw new Error("mac_spec_new refused fp32 x fp32 -> fp32 rne");
  const viaGemm = best(() => {
    const status = x.gemm(GEMM, GEMM, GEMM, xs, GEMM, 0, ws, GEMM, 0, zs, GEMM, 0, spec);
    if (status !== 0) throw new Error(`gemm returned ${status} for fp32 x fp32 -> fp32 rne`);
  });
  const plain = best(() => x.gemm_f32_plain(GEMM, GEMM, GEMM, xs, ws, zs));
  return { viaGemm, plain };
}

/** The PyTorch side, or { skipped: reason }. */
function torchRun() {
  const probe = spawnSync(PYTHON, ["-c", "import torch, numpy"], { encoding: "utf8" });
  if (probe.error) return { skipped: `${PYTHON} not found (${probe.error.code}); install python3-torch` };
  if (probe.status !== 0) {
    const last = probe.stderr.trim().split("\n").pop();
    return { skipped: `${PYTHON} cannot import torch and numpy${last ? ` (${last})` : ""}; install Debian's python3-torch` };
  }
  const dir = mkdtempSync(join(tmpdir(), "edgecl-compare-"));
  try {
    const file = join(dir, "samples.bin");
    const pixels = new Uint8Array(train.inputs.buffer, train.inputs.byteOffset, count * SIZE * 4);
    writeFileSync(file, Buffer.concat([pixels, train.labels.subarray(0, count)]));
    // torch.set_num_threads(1) does not reach the OpenBLAS Debian's torch calls for its GEMMs.
    const env = { ...process.env, OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1" };
    const run = spawnSync(PYTHON, [join(here, "peers", "torch_mlp.py"), file, String(count), String(EPOCHS)], { encoding: "utf8", env });
    if (run.status !== 0) throw new Error(`bench/peers/torch_mlp.py exited with ${run.status}: ${run.stderr.trim()}`);
    return JSON.parse(run.stdout.trim().split("\n").pop());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** edgecl's round_array on `inputs`, scalar and SIMD builds: rates by "format mode" and the rne results. */
function edgeclQuantize(inputs) {
  const builds = {};
  for (const simd of [false, true]) {
    const device = loadDevice({ simd });
    const x = device.exports;
    const N = inputs.length;
    const src = device.alloc(N * 4), dst = device.alloc(N * 4);
    device.f32(src, N).set(inputs);
    const rates = {}, rne = {};
    for (const [format, mode] of ROUNDING_CASES) {
      const fmt = x.fmt_new(parseFormat(format).word);
      const rng = x.rng_new(1, 0);
      const code = parseRounding(mode);
      rates[`${format} ${mode}`] = bestRate(() => x.round_array(fmt, code, 0, rng, src, dst, N), N, QUANTIZE_SECONDS);
      if (mode === "rne") rne[format] = device.f32(dst, N).slice();
    }
    builds[simd ? "simd" : "scalar"] = { rates, rne };
  }
  return builds;
}

/**
 * CPFloat's rne results against edgecl's, bit for bit. The one difference by design: CPFloat's E4M3
 * (precision 4, emax 8, no infinities) has a largest value of 480 at the code OCP E4M3 gives to NaN,
 * so where it rounds to ±480 edgecl's e4m3 overflows to NaN. Returns counts and the first other mismatch.
 */
function crossCheck(format, ours, theirs) {
  const a = new Uint32Array(ours.buffer, ours.byteOffset, ours.length);
  const b = new Uint32Array(theirs.buffer, theirs.byteOffset, theirs.length);
  let equal = 0, bothNaN = 0, ocpNaN = 0, other = 0, first = null;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) equal++;
    else if (Number.isNaN(ours[i]) && Number.isNaN(theirs[i])) bothNaN++;
    else if (format === "e4m3" && Number.isNaN(ours[i]) && Math.abs(theirs[i]) === 480) ocpNaN++;
    else {
      other++;
      first ??= i;
    }
  }
  return { equal, bothNaN, ocpNaN, other, first };
}

const cpu = cpus()[0]?.model.trim() ?? "unknown CPU";
console.log(`${cpus().length} cores, ${cpu}, Node.js ${process.versions.node}, load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
console.log(`MLP 784-100-100-10, Adam, batch ${BATCH}, one epoch = ${Math.floor(count / BATCH)} steps over ${count} digits; CPU seconds, best of ${EPOCHS} epochs after a warm-up epoch`);

const fp32 = edgeclEpoch("fp32");
const fp8 = edgeclEpoch("fp8-mixed");
const fp8Fast = edgeclEpoch("fp8-mixed,gemm=fast");
const gemm = edgeclGemm();
const torch = torchRun();

const rows = [
  ["edgecl fp32 epoch (SIMD)", fp32],
  ["edgecl fp8-mixed epoch (SIMD)", fp8],
  ["edgecl fp8-mixed,gemm=fast epoch (SIMD)", fp8Fast],
  [`edgecl fp32 GEMM ${GEMM}x${GEMM}x${GEMM}, gemm() fp32 rne (SIMD), best`, gemm.viaGemm],
  [`edgecl fp32 GEMM ${GEMM}x${GEMM}x${GEMM}, plain loop (SIMD build), best`, gemm.plain],
];
if (!torch.skipped) {
  rows.push([`PyTorch ${torch.torch} fp32 epoch, ${torch.threads} thread`, torch.epochSeconds]);
  rows.push([`PyTorch ${torch.torch} fp32 GEMM ${GEMM}x${GEMM}x${GEMM}, best`, torch.gemmSeconds]);
}
for (const [name, seconds] of rows) console.log(`  ${name.padEnd(60)} ${seconds.toFixed(5).padStart(9)} s`);

console.log("ratio                                            value   goal (issue 16)");
const ratio = (name, value, goal) => console.log(`  ${name.padEnd(46)} ${value.toFixed(2).padStart(6)}x   ${goal}`);
ratio("fp8-mixed epoch / fp32 epoch (edgecl)", fp8 / fp32, `<= 3x: ${fp8 / fp32 <= 3 ? "met" : "not met"}`);
ratio("fp8-mixed,gemm=fast epoch / fp32 epoch", fp8Fast / fp32, `<= 3x: ${fp8Fast / fp32 <= 3 ? "met" : "not met"}`);
if (torch.skipped) {
  console.log(`  PyTorch: skipped: ${torch.skipped}`);
} else {
  const train = fp32 / torch.epochSeconds;
  ratio("edgecl fp32 epoch / PyTorch fp32 epoch", train, `<= 1.5x: ${train <= 1.5 ? "met" : "not met"}`);
  ratio("edgecl fp32 GEMM, gemm() / PyTorch fp32 GEMM", gemm.viaGemm / torch.gemmSeconds, "(no goal)");
}
const cpfloat = cpfloatRun(process.env.CPFLOAT_ROOT, quantizeInputs(QUANTIZE_COUNT), QUANTIZE_SECONDS);
if (cpfloat.skipped) {
  console.log(`  CPFloat: skipped: ${cpfloat.skipped}`);
} else {
  const ours = edgeclQuantize(quantizeInputs(QUANTIZE_COUNT));
  console.log(`rounding ${QUANTIZE_COUNT.toLocaleString("en")} f32 values (the inputs of bench formats), best pass in CPU time, one thread`);
  console.log(`CPFloat from ${process.env.CPFLOAT_ROOT}: ${cpfloat.built}; edgecl: round_array`);
  console.log("  M values/s      CPFloat   edgecl scalar   ÷ CPFloat   edgecl SIMD   ÷ CPFloat");
  const m = (v) => (v / 1e6).toFixed(0).padStart(8);
  const r = (v) => `${v.toFixed(2)}x`.padStart(9);
  for (const [format, mode] of ROUNDING_CASES) {
    const key = `${format} ${mode}`, theirs = cpfloat.rates[key];
    const scalar = ours.scalar.rates[key], simd = ours.simd.rates[key];
    const goal = key === "bf16 rne" ? `   goal (issue 16) SIMD >= CPFloat: ${simd >= theirs ? "met" : "not met"}` : "";
    console.log(`  ${key.padEnd(10)} ${m(theirs)}   ${m(scalar)}       ${r(scalar / theirs)}   ${m(simd)}     ${r(simd / theirs)}${goal}`);
  }
  console.log("rne cross-check, CPFloat against edgecl, bit for bit (both builds):");
  for (const [format, mode] of ROUNDING_CASES) {
    if (mode !== "rne") continue;
    for (const build of ["scalar", "simd"]) {
      const edgecl = ours[build].rne[format], theirs = cpfloat.rne[format];
      const c = crossCheck(format, edgecl, theirs);
      const parts = [`${c.equal.toLocaleString("en")} equal`];
      if (c.bothNaN) parts.push(`${c.bothNaN.toLocaleString("en")} NaN in both with other sign or payload bits`);
      if (c.ocpNaN) parts.push(`${c.ocpNaN.toLocaleString("en")} where CPFloat's E4M3 gives ±480 and OCP E4M3 NaN (expected)`);
      if (c.other) {
        const hex = (v) => `0x${(new Uint32Array(new Float32Array([v]).buffer)[0] >>> 0).toString(16).padStart(8, "0")}`;
        const x = quantizeInputs(c.first + 1)[c.first];
        parts.push(`${c.other.toLocaleString("en")} OTHER MISMATCHES, the first: input ${x} (${hex(x)}) gives ${edgecl[c.first]} (${hex(edgecl[c.first])}) in edgecl, ${theirs[c.first]} (${hex(theirs[c.first])}) in CPFloat`);
        process.exitCode = 1;
      }
      console.log(`  ${format} rne ${build.padEnd(6)}: ${parts.join(", ")}`);
    }
  }
}
