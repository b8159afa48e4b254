// The "Precision switching" section of docs/results.md, from the runs of experiments/precision-switching.json
// (docs/sweeps.md): per scenario and strategy, every preset and policy's accuracy, modelled energy and memory
// as mean ± sample standard deviation over seeds, the accuracy-energy front, and the issue's goal checked
// in class-incremental replay. The section sits between two markers at the end of docs/results.md, which
// scripts/experiments.mjs keeps when it rewrites the rest of the page.
// Usage: node scripts/precision-results.mjs [SWEEP_DIR]   (default out/sweeps/precision-switching)
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { PRECISION_BEGIN, PRECISION_END, withSection } from "./results-sections.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const sweepFile = join(root, "experiments", "precision-switching.json");
const sweepDir = process.argv[2] ?? join(root, "out", "sweeps", "precision-switching");
const { readSweepResults } = await import(join(root, "dist", "host", "sweep", "results.js"));
const { sweepPanels } = await import(join(root, "dist", "host", "sweep", "panels.js"));
const { bytes } = await import(join(root, "dist", "host", "report", "units.js"));


const sweep = JSON.parse(readFileSync(sweepFile, "utf8"));
const settings = sweep.axes["precision-setting"];
const reference = "fp32";
/** The goal of issue 14: within this many points of fp32's accuracy at most this share of its energy. */
const GOAL = { points: 1, energyShare: 0.4, scenario: "class", strategy: "replay" };

const results = readSweepResults(sweepDir);
const panels = sweepPanels(results);
if (!panels || panels.panelAxes.join() !== "scenario,strategy" || panels.pointAxes.join() !== "precision-setting") {
  throw new Error(`${sweepDir}: expected the runs of ${relative(root, sweepFile)} (panels scenario × strategy, points precision-setting)`);
}
const finished = results.runs.filter((r) => r.state === "finished").length;

const pct = (x) => (100 * x).toFixed(1);
const mj = (x) => (1000 * x).toFixed(1);
const meanSd = (v, show) => (v ? `${show(v.mean)} ± ${show(v.sd)}` : "–");
const signed = (x) => (Math.abs(x) < 0.05 ? "0.0" : `${x > 0 ? "+" : "−"}${Math.abs(x).toFixed(1)}`);

/** What the policy or preset of a setting is, for the legend. */
function describe(setting) {
  return setting["precision-policy"] ? `\`--precision ${setting.precision} --precision-policy "${setting["precision-policy"]}"\`` : `\`--precision ${setting.precision}\``;
}

const L = [PRECISION_BEGIN, "", "## Precision switching", ""];
L.push("Every precision preset against the switching policies (docs/precision.md, Policies) on the three Split MNIST");
L.push("scenarios with naive, replay, EWC and LwF, from the sweep `experiments/precision-switching.json`. Regenerate with");
L.push("");
L.push("```sh");
L.push("edgecl sweep run experiments/precision-switching.json --jobs 2     # resumes: finished runs are kept");
L.push("node scripts/precision-results.mjs out/sweeps/precision-switching   # rewrites this section");
L.push("edgecl report out/sweeps/precision-switching --html out/sweeps/precision-switching/report.html");
L.push("```");
L.push("");
const b = sweep.base;
L.push(`Budget: \`${b.model}\`, ${b.iterations} Adam steps (lr ${b.lr}) of batch ${b.batch} per experience (replay adds as many replayed rows),`);
L.push(`${b["train-samples"]} training and ${b["test-samples"]} test samples per experience, classes in the ${b["class-order"]} order, seeds ${sweep.axes.seed.join(", ")}; on the simulated`);
L.push(`board with its 4 × 4 accelerator given fp32 products too (so fp32 and the policies' fp32 steps run on the accelerator, not on the`);
// The board's clock over training and evaluation (on sim, the host's wall clock), summed over the runs.
const boardSeconds = results.runs.reduce((sum, r) => sum + (r.report?.telemetry ?? []).reduce((s, t) => s + (t.train.timeUs ?? 0) + (t.eval.timeUs ?? 0), 0), 0) / 1e6;
L.push(`host CPU path) and ${b["board.memory.linearMemoryBytes"] / 2 ** 20} MiB of linear memory. This is a small budget: an fp8 run emulates every`);
L.push(`multiply-accumulate, and the finished runs' training and evaluation took ${(boardSeconds / 60).toFixed(0)} minutes of board time in all (the`);
L.push("board's clock: on sim the wall clock, here two runs at a time on a 2-core machine shared with other work). Accuracies");
L.push(`are those of short training, and the seed spread is large. ${finished} of ${results.runs.length} runs had finished when this section was`);
L.push("generated; a dash marks a cell without finished runs.");
L.push("");
L.push("The settings (policies start from fp8-mixed, state 0, and switch compute roles only: activation, error, gradient,");
L.push("mul and acc. LwF keeps snapshots of the stored weights and so refuses policies that switch `weight`, `master` or");
L.push("`optimizer` (docs/precision.md); switching compute roles only lets every strategy run the same policies):");
L.push("");
for (const s of settings) L.push(`- **${s.name}**: ${describe(s)}`);
L.push("");
L.push("Columns: average accuracy after the last experience (%, mean ± sample sd over seeds), its difference from fp32's");
L.push("mean (points), modelled energy of the whole run (training and every evaluation; docs/energy.md) in mJ and as a");
L.push("share of fp32's, learner memory (model, optimiser state and strategy buffers, at DEPLOY) and peak linear memory");
L.push("(including the samples sent), **changes**: format changes per run, a role changing format at a step (for");
L.push("adaptive, in one layer), mean over seeds, and **front**: on the accuracy-energy Pareto front of the means in that scenario and");
L.push("strategy (no setting is both more accurate and cheaper).");
L.push("");

/**
 * Mean number of format changes per finished run: distinct (step, layer, role) rows of its precision
 * timeline, so a whole-model switch counts each role it changes and adaptive each layer's move. Rows,
 * not the reports' switch counts: reports written before TRAIN replies listed only their own request's
 * switches count an experience's switches again after each follow-on request. A dash for static runs.
 */
function switches(point) {
  const counts = point.runs
    .map((i) => results.runs[i].report)
    .filter((r) => r && r.metrics.avgAccuracy !== null && (r.config.precisionPolicy ?? "static") !== "static")
    .map((r) => new Set(r.telemetry.flatMap((t) => (t.precision?.timeline ?? []).map((e) => `${e.step}|${e.layer}|${e.role}`))).size);
  return counts.length ? (counts.reduce((a, b) => a + b, 0) / counts.length).toFixed(1) : "–";
}

const goalRows = [];
for (const panel of panels.panels) {
  const ref = panel.points.find((p) => p.axes["precision-setting"] === reference);
  const front = new Set(panel.front);
  L.push(`### ${panel.axes.scenario}-incremental, ${panel.axes.strategy}`);
  L.push("");
  L.push("| setting | seeds | accuracy (%) | vs fp32 (pt) | energy (mJ) | energy / fp32 | learner memory | peak linear memory | changes | front |");
  L.push("|---|---|---|---|---|---|---|---|---|---|");
  panel.points.forEach((p, i) => {
    const dAcc = p.accuracy && ref?.accuracy ? p.accuracy.mean - ref.accuracy.mean : null;
    const share = p.energyJ && ref?.energyJ ? p.energyJ.mean / ref.energyJ.mean : null;
    L.push(
      `| ${p.label} | ${p.accuracy?.n ?? 0} | ${meanSd(p.accuracy, pct)} | ${dAcc === null ? "–" : signed(100 * dAcc)} | ${meanSd(p.energyJ, mj)} | ${share === null ? "–" : `${(100 * share).toFixed(0)} %`} | ${p.learnerBytes ? bytes(Math.round(p.learnerBytes.mean)) : "–"} | ${p.peakLinearMemoryBytes ? bytes(Math.round(p.peakLinearMemoryBytes.mean)) : "–"} | ${switches(p)} | ${front.has(i) ? "✓" : ""} |`,
    );
    if (panel.axes.scenario === GOAL.scenario && panel.axes.strategy === GOAL.strategy && p.label !== reference) goalRows.push({ p, dAcc, share });
  });
  L.push("");
}

L.push("### The goal: fp32's accuracy within 1 point in class-incremental replay at ≤ 40 % of its energy");
L.push("");
L.push("| setting | vs fp32 (pt) | energy / fp32 | ≥ fp32 − 1 pt | ≤ 40 % energy | both | vs fp8-mixed (pt) |");
L.push("|---|---|---|---|---|---|---|");
const fp8 = goalRows.find(({ p }) => p.label === "fp8-mixed")?.p;
const yes = (v) => (v === null ? "–" : v ? "yes" : "no");
for (const { p, dAcc, share } of goalRows) {
  const close = dAcc === null ? null : 100 * dAcc >= -GOAL.points;
  const cheap = share === null ? null : share <= GOAL.energyShare;
  const dFp8 = p.accuracy && fp8?.accuracy ? signed(100 * (p.accuracy.mean - fp8.accuracy.mean)) : "–";
  L.push(`| ${p.label} | ${dAcc === null ? "–" : signed(100 * dAcc)} | ${share === null ? "–" : `${(100 * share).toFixed(0)} %`} | ${yes(close)} | ${yes(cheap)} | ${yes(close === null || cheap === null ? null : close && cheap)} | ${dFp8} |`);
}
L.push("");
const met = goalRows.filter(({ dAcc, share }) => dAcc !== null && share !== null && 100 * dAcc >= -GOAL.points && share <= GOAL.energyShare).map(({ p }) => p.label);
const policies = new Set(settings.filter((s) => s["precision-policy"]).map((s) => s.name));
const metPolicies = met.filter((m) => policies.has(m));
L.push(
  metPolicies.length
    ? `Met by the polic${metPolicies.length > 1 ? "ies" : "y"} ${metPolicies.join(", ")}${met.length > metPolicies.length ? ` (and by the fixed preset${met.length - metPolicies.length > 1 ? "s" : ""} ${met.filter((m) => !policies.has(m)).join(", ")})` : ""} on the means at this budget.`
    : `No policy meets it at this budget${met.length ? ` (the fixed preset${met.length > 1 ? "s" : ""} ${met.join(", ")} do${met.length > 1 ? "" : "es"})` : ""}.`,
);
L.push("");
const notesFile = join(root, "experiments", "precision-switching.notes.md");
if (existsSync(notesFile)) {
  L.push(readFileSync(notesFile, "utf8").trim());
  L.push("");
}
L.push(PRECISION_END);

const resultsMd = join(root, "docs", "results.md");
writeFileSync(resultsMd, withSection(readFileSync(resultsMd, "utf8"), L.join("\n")));
process.stderr.write(`wrote the precision-switching section of docs/results.md from ${finished} finished runs\n`);
