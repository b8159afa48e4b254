// The independent PyTorch reference (experiments/reference/split_mnist.py, docs/reference.md) over the
// reduced protocol of experiments/split-mnist.json: every scenario x seed x strategy it implements.
// Usage: node scripts/reference.mjs [--seeds N] [--only strategy,...]
// Each scenario x seed's samples are exported once with `edgecl export` into
// out/experiments/reduced/streams/<scenario>-<seed>/, each run writes
// out/experiments/reduced/reference/<scenario>-<strategy>-<seed>.json; what exists is skipped, so an
// interrupted sweep resumes. Runs two Python processes at a time (one thread each); PYTHON names the
// interpreter with torch (default /usr/bin/python3, Debian's python3-torch).
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const protocol = JSON.parse(readFileSync(join(root, "experiments", "split-mnist.json"), "utf8"));
const budget = protocol.reduced;
const python = process.env.PYTHON ?? "/usr/bin/python3";
const referenceScript = join(root, "experiments", "reference", "split_mnist.py");
// The strategies split_mnist.py implements (its STRATEGIES), in the protocol's order.
const IMPLEMENTED = ["naive", "replay", "ewc", "online-ewc", "si", "lwf"];

function usage(message) {
  process.stderr.write(`reference: ${message}\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
for (let i = 0; i < args.length; i += 2) {
  if (!["--seeds", "--only"].includes(args[i])) usage(`expected --seeds N or --only strategy,..., received "${args[i]}"`);
  if (args[i + 1] === undefined) usage(`expected a value after ${args[i]}, received nothing`);
}
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const seedsText = option("--seeds") ?? String(budget.seeds);
if (!/^\d+$/.test(seedsText) || Number(seedsText) < 1) usage(`expected --seeds to be a positive integer, received "${seedsText}"`);
const seeds = Array.from({ length: Number(seedsText) }, (_, i) => i + 1);
const only = option("--only")?.split(",");
for (const name of only ?? []) {
  if (!IMPLEMENTED.includes(name)) usage(`expected --only to list strategies among ${IMPLEMENTED.join(", ")}, received "${name}"`);
}
const strategies = protocol.strategies.filter((s) => IMPLEMENTED.includes(s) && (!only || only.includes(s)));
const hidden = /^mlp:([\d,]+)$/.exec(budget.model)?.[1];
if (hidden === undefined) usage(`expected the reduced model of experiments/split-mnist.json to be mlp:<widths>, received "${budget.model}"`);
if (!existsSync(join(root, "dist", "host", "cli", "main.js"))) usage("expected a built edgecl (dist/), received none: run npm run build first");

const outDir = join(root, "out", "experiments", "reduced");
const streamDir = (scenario, seed) => join(outDir, "streams", `${scenario}-${seed}`);
const reportFile = (scenario, strategy, seed) => join(outDir, "reference", `${scenario}-${strategy}-${seed}.json`);

function run(command, commandArgs) {
  return new Promise((resolve, reject) => {
    execFile(command, commandArgs, { cwd: root, maxBuffer: 1 << 24 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${commandArgs.join(" ")}: ${stderr.trim() || error.message}`));
      else resolve(stdout);
    });
  });
}

async function exportStream(scenario, seed) {
  const dir = streamDir(scenario, seed);
  if (existsSync(join(dir, "stream.json"))) return;
  await run(process.execPath, [join(root, "bin", "edgecl.js"), "export", dir, "--scenario", scenario, "--seed", String(seed),
    "--class-order", protocol.classOrder, "--train-samples", "0", "--test-samples", "0"]);
}

const readAccuracy = (file) => JSON.parse(readFileSync(file, "utf8")).avgAccuracy;

const started = Date.now();
const jobs = [];
for (const seed of seeds) {
  for (const scenario of protocol.scenarios) {
    await exportStream(scenario, seed);
    for (const strategy of strategies) jobs.push({ scenario, strategy, seed, file: reportFile(scenario, strategy, seed) });
  }
}

const todo = jobs.filter((job) => !existsSync(job.file));
process.stderr.write(`${todo.length} reference runs to do (${jobs.length - todo.length} already done), two at a time\n`);
let failures = 0;
let next = 0;
const worker = async () => {
  while (next < todo.length) {
    const job = todo[next++];
    const t0 = Date.now();
    try {
      await run(python, [referenceScript, "--stream", streamDir(job.scenario, job.seed), "--strategy", job.strategy, "--seed", String(job.seed),
        "--out", job.file, "--iterations", String(budget.iterations), "--batch", String(budget.batch), "--hidden", hidden, "--lr", String(budget.lr)]);
      const seconds = ((Date.now() - t0) / 1000).toFixed(1);
      console.log(`${job.scenario} ${job.strategy} seed ${job.seed}: ${(100 * readAccuracy(job.file)).toFixed(2)} % (${seconds} s)`);
    } catch (error) {
      failures++;
      process.stderr.write(`FAILED ${job.scenario} ${job.strategy} seed ${job.seed}: ${error.message}\n`);
    }
  }
};
await Promise.all([worker(), worker()]);

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs) => (xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1)));
function cell(scenario, strategy) {
  const values = seeds.map((seed) => reportFile(scenario, strategy, seed)).filter(existsSync).map((file) => 100 * readAccuracy(file));
  return values.length === 0 ? "–" : `${mean(values).toFixed(2)} ± ${std(values).toFixed(2)} (${values.length})`;
}

console.log("");
console.log(`average accuracy (%), mean ± sample std over seeds ${seeds.join(", ")} (runs in parentheses)`);
console.log(`| strategy | ${protocol.scenarios.join(" | ")} |`);
console.log(`|---|${protocol.scenarios.map(() => "---").join("|")}|`);
for (const strategy of strategies) console.log(`| ${strategy} | ${protocol.scenarios.map((s) => cell(s, strategy)).join(" | ")} |`);
process.stderr.write(`${((Date.now() - started) / 1000).toFixed(0)} s in all${failures ? `, ${failures} runs failed` : ""}\n`);
process.exitCode = failures ? 1 : 0;
