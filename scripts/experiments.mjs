// The published protocol (experiments/split-mnist.json, after van de Ven & Tolias 2019) as a sweep
// (experiments/split-mnist.sweep.json; --full: split-mnist-full.sweep.json): every strategy x every
// scenario x each precision x five seeds on Split MNIST, run by `edgecl sweep run` (docs/sweeps.md), then
// docs/results.md with mean ± std per cell next to the PyTorch reference and the paper's numbers.
// Usage: node scripts/experiments.mjs [--full] [--render] [--jobs N | --engine slurm [--partition P] [--time T] [--cpus-per-task N]]
//   --full    the paper's budget (2000 iterations, MLP 2x400): days on this machine, hours on a cluster
//   --render  only rewrite docs/results.md from the runs already in the sweep folder
// The sweep folder is out/experiments/<budget>/sweep: runs that finished are kept, so an interrupted
// table resumes where it stopped. The independent PyTorch reference (experiments/reference/,
// docs/reference.md) writes its runs to out/experiments/<budget>/reference/; the table shows them next to
// the device's fp32 column.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { markedSection, withSection } from "./results-sections.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const protocol = JSON.parse(readFileSync(join(root, "experiments", "split-mnist.json"), "utf8"));
const args = process.argv.slice(2);
const full = args.includes("--full");
const renderOnly = args.includes("--render");
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const budget = full ? protocol.full : protocol.reduced;
const sweepFile = join(root, "experiments", full ? "split-mnist-full.sweep.json" : "split-mnist.sweep.json");
const sweep = JSON.parse(readFileSync(sweepFile, "utf8"));
const seeds = sweep.axes.seed;
const strategies = sweep.axes.strategy;
const outDir = join(root, "out", "experiments", full ? "full" : "reduced");
const sweepDir = join(outDir, "sweep");
mkdirSync(outDir, { recursive: true });

if (!renderOnly) {
  // The sweep's own options pass through: --jobs for the local engine, --engine slurm and its settings.
  const passed = ["--jobs", "--engine", "--partition", "--time", "--cpus-per-task"].flatMap((name) => (option(name) !== undefined ? [name, option(name)] : []));
  const run = spawnSync(process.execPath, [join(root, "bin", "edgecl.js"), "sweep", "run", sweepFile, "--out", sweepDir, ...passed], {
    cwd: root,
    stdio: "inherit",
  });
  if (run.status !== 0) process.stderr.write(`the sweep ended with exit code ${run.status}; the table shows the runs that finished\n`);
}

/** Average accuracy (%) of each finished run of the sweep, by "precision scenario strategy seed". */
async function sweepAccuracies() {
  const found = new Map();
  if (!existsSync(join(sweepDir, "sweep.json"))) return found;
  const { readSweepResults } = await import(join(root, "dist", "host", "sweep", "results.js"));
  for (const run of readSweepResults(sweepDir).runs) {
    const accuracy = run.report?.metrics?.avgAccuracy;
    if (accuracy == null) continue;
    const { precision, scenario, strategy, seed } = run.axes;
    found.set(`${precision} ${scenario} ${strategy} ${seed}`, 100 * accuracy);
  }
  return found;
}
const device = await sweepAccuracies();
const runCount = protocol.precisions.length * protocol.scenarios.length * strategies.length * seeds.length;

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs) => (xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1)));

/** Average accuracies (%) of the reference's reports found. */
function accuracies(files) {
  const values = [];
  for (const file of files) {
    if (!existsSync(file)) continue;
    const report = JSON.parse(readFileSync(file, "utf8"));
    if (report.avgAccuracy != null) values.push(100 * report.avgAccuracy);
  }
  return values;
}

/** Mean ± std (n), or a dash. */
function summary(values) {
  if (values.length === 0) return "–";
  return `${mean(values).toFixed(2)} ± ${std(values).toFixed(2)} (${values.length})`;
}

const deviceValues = (precision, scenario, strategy) =>
  seeds.map((seed) => device.get(`${precision} ${scenario} ${strategy} ${seed}`)).filter((v) => v !== undefined);
const referenceValues = (scenario, strategy) => accuracies(seeds.map((seed) => join(outDir, "reference", `${scenario}-${strategy}-${seed}.json`)));

/**
 * Whether the device's fp32 cell agrees with the reference's: the difference of the means within
 * twice its standard error (Welch), i.e. within the seed spread of both. Empty when either is missing.
 */
function agreement(scenario, strategy) {
  const a = deviceValues("fp32", scenario, strategy);
  const b = referenceValues(scenario, strategy);
  if (a.length < 2 || b.length < 2) return "";
  const difference = mean(a) - mean(b);
  const error = Math.sqrt(std(a) ** 2 / a.length + std(b) ** 2 / b.length);
  const sign = difference >= 0 ? "+" : "−";
  return `${sign}${Math.abs(difference).toFixed(2)} ${Math.abs(difference) <= 2 * error ? "✓" : "✗"}`;
}

function render() {
  const L = [];
  L.push("# Results: Split MNIST, every strategy in every scenario");
  L.push("");
  L.push("Generated by `npm run experiments` (scripts/experiments.mjs), which runs the sweep");
  L.push(`\`experiments/${full ? "split-mnist-full" : "split-mnist"}.sweep.json\` (the protocol of \`experiments/split-mnist.json\`; docs/sweeps.md) and renders`);
  L.push("this page; each cell is the average accuracy (%) over the five experiences after the last one, mean ±");
  L.push("sample standard deviation over seeds (the number of seeds in parentheses; a dash: not run yet). Each");
  L.push(`run's report stays in the sweep folder \`out/experiments/${full ? "full" : "reduced"}/sweep/\` (not part of the repository).`);
  L.push("");
  L.push(`Budget of this table: ${full ? "the paper's" : "**reduced**"} — model \`${budget.model}\`, ${budget.iterations} iterations of batch ${budget.batch} per`);
  L.push(`experience, Adam lr ${budget.lr}, seeds ${seeds.join(", ")}, on a simulated board in process (\`--board inline\`, ${budget.memoryBytes / 2 ** 20} MiB).`);
  if (!full) {
    L.push("A run takes about 5 s of one core in fp32 and 45 s in fp8-mixed (every multiply-accumulate emulated), so the");
    L.push(`reduced table's ${runCount} runs take about ${Math.round(((runCount / 2) * (5 + 45)) / 2 / 60)} min on two idle cores. The paper's budget (${protocol.full.model}, ${protocol.full.iterations} iterations)`);
    L.push("costs about 100 times more; `node scripts/experiments.mjs --full` runs it.");
  }
  L.push("");
  L.push("Earlier editions of this table came from a device whose Adam had no bias correction (its first steps 3 to 6");
  L.push("times too large) and whose SI anchored its first experience at zero; see the \"fp32 − reference\" column for");
  L.push("how the device compares with an independent implementation now.");
  L.push("");
  L.push(`Classes arrive in the ${protocol.classOrder} order of the paper: digits 0/1, then 2/3, 4/5, 6/7, 8/9.`);
  L.push("");
  L.push("The **reference** column is an independent fp32 implementation in PyTorch of the same protocol, written from");
  L.push("the published definitions of each strategy and run on the samples `edgecl export` writes (experiments/reference/,");
  L.push("[docs/reference.md](reference.md)); a dash where it does not implement the strategy.");
  L.push("");
  L.push("**fp32 − reference**: the difference of the means, ✓ where it lies within twice its standard error");
  L.push(`(Welch: the seed spread of both), ✗ where it does not${protocol.referenceNotes?.length ? " (explained below the tables)" : ""}.`);
  L.push("");
  L.push(`The **paper** column: ${protocol.paperSource}`);
  L.push("");
  for (const line of protocol.strengths) L.push(`- ${line}`);
  L.push("");
  for (const scenario of protocol.scenarios) {
    L.push(`## ${scenario}-incremental`);
    L.push("");
    L.push(`| strategy | ${protocol.precisions.join(" | ")} | reference (PyTorch, fp32) | fp32 − reference | paper (fp32) |`);
    L.push(`|---|${protocol.precisions.map(() => "---").join("|")}|---|---|---|`);
    for (const strategy of strategies) {
      const paper = protocol.paper[strategy]?.[scenario];
      const cells = protocol.precisions.map((p) => summary(deviceValues(p, scenario, strategy)));
      L.push(`| ${strategy} | ${cells.join(" | ")} | ${summary(referenceValues(scenario, strategy))} | ${agreement(scenario, strategy) || "–"} | ${paper ?? "–"} |`);
    }
    L.push("");
  }
  if (protocol.referenceNotes?.length) {
    L.push("## Where the device and the reference differ");
    L.push("");
    for (const line of protocol.referenceNotes) L.push(`- ${line}`);
    L.push("");
  }
  L.push("## Why ours differ from the paper");
  L.push("");
  for (const line of protocol.differences) L.push(`- ${line}`);
  L.push("");
  // The precision-switching section comes from its own sweep (scripts/precision-results.mjs): kept as it is.
  const file = join(root, "docs", "results.md");
  const kept = existsSync(file) ? markedSection(readFileSync(file, "utf8")) : "";
  writeFileSync(file, kept ? withSection(L.join("\n"), kept) : L.join("\n"));
}

render();
process.stderr.write("wrote docs/results.md\n");
