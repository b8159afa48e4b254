// The published protocol (experiments/split-mnist.json, after van de Ven & Tolias 2019): every strategy
// x every scenario x each precision x several seeds on Split MNIST, two runs at a time, then
// docs/results.md with mean ± std per cell next to the paper's numbers.
// Usage: node scripts/experiments.mjs [--full] [--seeds N] [--only strategy,...] [--render]
//   --full    the paper's budget (2000 iterations, MLP 2x400): hours on this machine
//   --render  only rewrite docs/results.md from the reports already in out/experiments
// The independent PyTorch reference (experiments/reference/, docs/reference.md) writes its runs to
// out/experiments/<budget>/reference/; the table shows them next to the device's fp32 column.
// Each run's report goes to out/experiments/<precision>-<scenario>-<strategy>-<seed>.json; runs whose
// report exists are skipped, so an interrupted table resumes where it stopped.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

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
const seeds = Array.from({ length: Number(option("--seeds") ?? budget.seeds) }, (_, i) => i + 1);
const only = option("--only")?.split(",");
const strategies = protocol.strategies.filter((s) => !only || only.includes(s));
const outDir = join(root, "out", "experiments", full ? "full" : "reduced");
mkdirSync(outDir, { recursive: true });

// Seed-major within each precision: an interrupted table has every cell at a similar number of seeds.
const jobs = [];
for (const precision of protocol.precisions) {
  for (const seed of seeds) {
    for (const scenario of protocol.scenarios) {
      for (const strategy of strategies) {
        const file = join(outDir, `${precision}-${scenario}-${strategy}-${seed}.json`);
        jobs.push({ precision, scenario, strategy, seed, file });
      }
    }
  }
}

/** One run in a child process (one core each). */
function runJob(job) {
  const script = `
    import { runContinual } from ${JSON.stringify(join(root, "dist", "host", "cl", "run.js"))};
    import { writeReport } from ${JSON.stringify(join(root, "dist", "host", "report", "io.js"))};
    const job = ${JSON.stringify(job)};
    const budget = ${JSON.stringify(budget)};
    const report = await runContinual({
      benchmark: "split-mnist", classOrder: ${JSON.stringify(protocol.classOrder)}, scenario: job.scenario, strategy: job.strategy, precision: job.precision, seed: job.seed,
      model: budget.model, iterations: budget.iterations, batch: budget.batch,
      optimizer: { name: "adam", lr: budget.lr, momentum: 0, weightDecay: 0, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
      board: "inline", memoryLimit: budget.memoryBytes,
    });
    writeReport(job.file, report);
  `;
  return new Promise((resolve) => {
    const started = Date.now();
    execFile(process.execPath, ["--input-type=module", "-e", script], { cwd: root, maxBuffer: 1 << 26 }, (error, _out, stderr) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      if (error) process.stderr.write(`FAILED ${job.file}: ${stderr || error.message}\n`);
      else process.stderr.write(`done ${job.precision} ${job.scenario} ${job.strategy} seed ${job.seed} (${seconds} s)\n`);
      resolve();
    });
  });
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs) => (xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1)));

/** Average accuracies (%) of the reports found. */
function accuracies(files) {
  const values = [];
  for (const file of files) {
    if (!existsSync(file)) continue;
    const report = JSON.parse(readFileSync(file, "utf8"));
    const accuracy = report.metrics?.avgAccuracy ?? report.avgAccuracy;
    if (accuracy != null) values.push(100 * accuracy);
  }
  return values;
}

/** Mean ± std (n), or a dash. */
function summary(values) {
  if (values.length === 0) return "–";
  return `${mean(values).toFixed(2)} ± ${std(values).toFixed(2)} (${values.length})`;
}

const deviceValues = (precision, scenario, strategy) => accuracies(seeds.map((seed) => join(outDir, `${precision}-${scenario}-${strategy}-${seed}.json`)));
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
  L.push("Generated by `npm run experiments` (scripts/experiments.mjs) from the protocol in `experiments/split-mnist.json`;");
  L.push("each cell is the average accuracy (%) over the five experiences after the last one, mean ± sample standard");
  L.push("deviation over seeds (the number of seeds in parentheses; a dash: not run yet). Each run also writes its");
  L.push("JSON report to `out/experiments/` (not part of the repository).");
  L.push("");
  L.push(`Budget of this table: ${full ? "the paper's" : "**reduced**"} — model \`${budget.model}\`, ${budget.iterations} iterations of batch ${budget.batch} per`);
  L.push(`experience, Adam lr ${budget.lr}, seeds ${seeds.join(", ")}, on a simulated board in process (\`--board inline\`, ${budget.memoryBytes / 2 ** 20} MiB).`);
  if (!full) {
    L.push("A run takes about 5 s of one core in fp32 and 45 s in fp8-mixed (every multiply-accumulate emulated), so the");
    L.push(`reduced table's ${jobs.length} runs take about ${Math.round((jobs.length / 2) * 50 / 60 / 2)} min on two idle cores. The paper's budget (${protocol.full.model}, ${protocol.full.iterations} iterations)`);
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
  writeFileSync(join(root, "docs", "results.md"), L.join("\n"));
}

if (!renderOnly) {
  const todo = jobs.filter((j) => !existsSync(j.file));
  process.stderr.write(`${todo.length} runs to do (${jobs.length - todo.length} already done), two at a time\n`);
  let next = 0;
  const worker = async () => {
    while (next < todo.length) {
      const job = todo[next++];
      await runJob(job);
      render();
    }
  };
  await Promise.all([worker(), worker()]);
}
render();
process.stderr.write("wrote docs/results.md\n");
