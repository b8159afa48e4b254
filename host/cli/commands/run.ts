// edgecl run: a continual-learning experiment on a board (docs/strategies.md, docs/report.md).
import { Command } from "commander";
import { expected, RunError, UsageError } from "../../errors.js";
import { integerOption } from "../options.js";
import { parsePolicy, parsePrecision, POLICY_NAMES, PRESET_NAMES } from "../../precision/index.js";
import { parseModelSpec } from "../../train/model-spec.js";
import { defaultOptimizer, OPTIMIZER_NAMES, type OptimizerName, type OptimizerSpec } from "../../train/config.js";
import { STRATEGY_NAMES, BUFFER_POLICIES, parseStrategyName, type StrategyOverrides } from "../../cl/strategies.js";
import { OUTPUT_LAYERS, SCENARIOS, type OutputLayer } from "../../cl/benchmarks.js";
import { DATASET_SOURCES } from "../../cl/data-source.js";
import { applyConfigFile, applyFlags, resolvedFlags } from "../config-file.js";
import { detail, note, progressOnStderr, setVerbosity, verbosityFrom } from "../verbosity.js";
import { invocation } from "../invocation.js";
import { planRun, runPlanned, type ClPlan } from "../../cl/run.js";
import { checkResumable, RunInterruptedError } from "../../client/runner.js";
import { renderSummary } from "../../report/terminal.js";
import { checkOutputPath, readReport, writeOutput, writeReport } from "../../report/io.js";
import type { Report } from "../../report/types.js";
import { renderHtml } from "../../report/html.js";
import { renderCsv } from "../../report/csv.js";
import { describeRun } from "../../report/labels.js";

/** Defaults of `edgecl run`: a reduced Split MNIST protocol that a 4 MiB board and a laptop handle. */
export const RUN_DEFAULTS = {
  benchmark: "split-mnist",
  scenario: "class",
  strategy: "replay",
  precision: "fp8-mixed",
  model: "mlp:64,64",
  iterations: 300,
  batch: 32,
  trainSamples: 1000,
  testSamples: 200,
  seed: 1,
  board: "sim",
};

export interface RunFlags {
  benchmark?: string;
  dataset?: string;
  label?: string;
  outputLayer?: string;
  config?: string;
  scenario: string;
  strategy: string;
  precision: string;
  precisionPolicy?: string;
  health?: boolean;
  seed: string;
  json?: string;
  html?: string;
  csv?: string;
  model: string;
  epochs?: string;
  iterations?: string;
  batch: string;
  optimizer: string;
  lr?: string;
  momentum?: string;
  weightDecay?: string;
  experiences?: string;
  trainSamples: string;
  testSamples: string;
  board: string;
  manifest?: string;
  classOrder: string;
  memory?: string;
  bufferBytes?: string;
  bufferPolicy?: string;
  replayBatch?: string;
  lambda?: string;
  gamma?: string;
  prune?: string;
  retrain?: string;
  frozenLayers?: string;
  fisherSamples?: string;
  quiet?: boolean;
  timeout?: string;
  trainChunk?: string;
  checkpointEvery?: string;
  flashDir: string;
  resume?: string;
}

/** When run writes the board's checkpoint (--checkpoint-every). */
const CHECKPOINT_EVERY = ["never", "experience"] as const;

/** Where an interrupted run without --json saves its report, so that it can be resumed. */
export const INTERRUPTED_REPORT = "out/interrupted-run.json";

function real(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value)) throw expected(`${flag} to be a finite number`, text);
  return value;
}

export function parseClassOrder(text: string): "seeded" | "fixed" | number[] {
  const value = text.trim().toLowerCase();
  if (value === "seeded" || value === "fixed") return value;
  if (/^\d+(\s*,\s*\d+)+$/.test(value)) return value.split(",").map((c) => Number(c));
  throw expected("--class-order to be seeded, fixed or a comma-separated list of classes", text);
}

function optimizerFrom(flags: RunFlags): OptimizerSpec {
  const name = flags.optimizer.trim().toLowerCase();
  if (!(OPTIMIZER_NAMES as readonly string[]).includes(name)) throw expected(`--optimizer to be one of ${OPTIMIZER_NAMES.join(", ")}`, flags.optimizer);
  const spec = defaultOptimizer(name as OptimizerName);
  if (flags.lr !== undefined) {
    spec.lr = real("--lr", flags.lr);
    if (!(spec.lr > 0 && spec.lr <= 1e3)) throw expected("--lr to be above 0 and at most 1000", flags.lr);
  }
  if (flags.momentum !== undefined) {
    if (spec.name !== "sgd") throw new UsageError(`--momentum goes with --optimizer sgd, received --optimizer ${spec.name}`);
    spec.momentum = real("--momentum", flags.momentum);
    if (!(spec.momentum >= 0 && spec.momentum < 1)) throw expected("--momentum in [0, 1)", flags.momentum);
  }
  if (flags.weightDecay !== undefined) {
    spec.weightDecay = real("--weight-decay", flags.weightDecay);
    if (!(spec.weightDecay >= 0 && spec.weightDecay <= 1)) throw expected("--weight-decay in [0, 1]", flags.weightDecay);
  }
  return spec;
}

function strategyOverrides(flags: RunFlags): StrategyOverrides {
  return {
    bufferBytes: flags.bufferBytes !== undefined ? integerOption("--buffer-bytes", flags.bufferBytes, 0, 0xffff_ffff) : undefined,
    bufferPolicy: flags.bufferPolicy,
    replayBatch: flags.replayBatch !== undefined ? integerOption("--replay-batch", flags.replayBatch, 1, 65535) : undefined,
    lambda: flags.lambda !== undefined ? real("--lambda", flags.lambda) : undefined,
    gamma: flags.gamma !== undefined ? real("--gamma", flags.gamma) : undefined,
    prune: flags.prune !== undefined ? real("--prune", flags.prune) : undefined,
    retrain: flags.retrain !== undefined ? integerOption("--retrain", flags.retrain, 0, 0x7fff_ffff) : undefined,
    frozenLayers: flags.frozenLayers !== undefined ? integerOption("--frozen-layers", flags.frozenLayers, 1, 63) : undefined,
    fisherSamples: flags.fisherSamples !== undefined ? integerOption("--fisher-samples", flags.fisherSamples, 0, 0x7fff_ffff) : undefined,
  };
}

/** The saved flags of a report to resume: the settings of the run that made it. */
function resumeFlags(report: Report, file: string): Record<string, unknown> {
  const flags = report.provenance?.flags;
  if (!flags) throw new UsageError(`expected ${file} to be a report of edgecl run with its flags in provenance.flags, received one without; it cannot be resumed`);
  return flags;
}

/** Runs `work`; SIGINT or SIGTERM aborts the signal it is given (a second one ends the process at once). */
async function stoppable<T>(work: (stop: AbortSignal) => Promise<T>): Promise<{ result: T } | { error: unknown; signal: NodeJS.Signals | null }> {
  const controller = new AbortController();
  let signal: NodeJS.Signals | null = null;
  const onSignal = (name: NodeJS.Signals) => {
    if (signal !== null) {
      // The terminal as it was: cursor shown, autowrap on (a progress bar turns both off).
      if (process.stderr.isTTY) process.stderr.write("\x1b[?25h\x1b[?7h\n");
      process.exit(name === "SIGINT" ? 130 : 143);
    }
    signal = name;
    controller.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    return { result: await work(controller.signal) };
  } catch (error) {
    return { error, signal };
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }
}

/** Checks every flag of `edgecl run` (also taken by `edgecl deploy`) and plans the run; no board is touched. */
export function planFromFlags(flags: RunFlags, command: Command): ClPlan {
  const d = RUN_DEFAULTS;
  // Every option is checked before any work starts.
  parseStrategyName(flags.strategy);
  if (!(SCENARIOS as readonly string[]).includes(flags.scenario)) throw expected(`--scenario to be one of ${SCENARIOS.join(", ")}`, flags.scenario);
  const precision = parsePrecision(flags.precision);
  if (flags.precisionPolicy !== undefined) parsePolicy(flags.precisionPolicy, precision);
  parseModelSpec(flags.model);
  const seed = integerOption("--seed", flags.seed, 0, Number.MAX_SAFE_INTEGER);
  const timeoutMs = flags.timeout !== undefined ? integerOption("--timeout", flags.timeout, 1, 0x7fff_ffff) : undefined;
  const trainChunk = flags.trainChunk !== undefined ? integerOption("--train-chunk", flags.trainChunk, 1, 0x7fff_ffff) : undefined;
  // deploy takes run's flags but not --checkpoint-every, so it may be absent.
  if (flags.checkpointEvery !== undefined && !CHECKPOINT_EVERY.includes(flags.checkpointEvery as never)) throw expected(`--checkpoint-every to be one of ${CHECKPOINT_EVERY.join(", ")}`, flags.checkpointEvery);
  const batch = integerOption("--batch", flags.batch, 1, 65535);
  const optimizer = optimizerFrom(flags);
  if (flags.epochs !== undefined && flags.iterations !== undefined) throw new UsageError("--epochs and --iterations exclude each other; give one");
  const experiences = flags.experiences !== undefined ? integerOption("--experiences", flags.experiences, 1, 1000) : undefined;
  if (flags.memory !== undefined && flags.board !== "inline") throw new UsageError(`--memory goes with --board inline, received --board ${flags.board}`);
  const memoryLimit = flags.memory !== undefined ? integerOption("--memory", flags.memory, 65536, 0xffff0000) : undefined;
  if (flags.manifest !== undefined && !/^(tcp|serial):/.test(flags.board)) {
    throw new UsageError(`--manifest goes with a tcp: or serial: board, received --board ${flags.board}`);
  }
  const classOrder = parseClassOrder(flags.classOrder);
  if (flags.outputLayer !== undefined && !(OUTPUT_LAYERS as readonly string[]).includes(flags.outputLayer)) {
    throw expected(`--output-layer to be one of ${OUTPUT_LAYERS.join(", ")}`, flags.outputLayer);
  }
  const base = {
    benchmark: flags.benchmark,
    dataset: flags.dataset,
    label: flags.label,
    outputLayer: flags.outputLayer as OutputLayer | undefined,
    commandLine: invocation(),
    flags: resolvedFlags(command),
    scenario: flags.scenario,
    strategy: flags.strategy,
    strategyOptions: strategyOverrides(flags),
    precision,
    precisionPolicy: flags.precisionPolicy,
    health: flags.health === true,
    seed,
    model: flags.model,
    batch,
    optimizer,
    experiences,
    trainSamples: integerOption("--train-samples", flags.trainSamples, 0, 1e9) || undefined,
    testSamples: integerOption("--test-samples", flags.testSamples, 0, 1e9) || undefined,
    board: flags.board,
    manifest: flags.manifest,
    classOrder,
    memoryLimit,
    timeoutMs,
    trainChunk,
    checkpointEvery: flags.checkpointEvery === "experience" ? ("experience" as const) : undefined,
  };
  let iterations = flags.iterations !== undefined ? integerOption("--iterations", flags.iterations, 1, 0x7fff_ffff) : d.iterations;
  let planned = planRun({ ...base, iterations });
  if (flags.epochs !== undefined) {
    // Epochs over the largest experience's training samples.
    const epochs = integerOption("--epochs", flags.epochs, 1, 100000);
    const largest = Math.max(...planned.plan.experiences.map((e) => e.train.labels.length));
    iterations = Math.max(1, Math.ceil((epochs * largest) / batch));
    planned = planRun({ ...base, iterations });
    planned.plan.config.epochs = epochs;
  }
  return planned;
}

export function runCommand(): Command {
  const d = RUN_DEFAULTS;
  return new Command("run")
    .description("Run a continual-learning experiment on a board and report the accuracy matrix, metrics, MACs and memory")
    .option("--config <file>", "JSON object of this command's flags as keys (e.g. {\"strategy\": \"ewc\", \"buffer-bytes\": 65536}); flags given here override it")
    .option("--dataset <source>", `data: ${DATASET_SOURCES.join(", ")} (default mnist; edgecl list datasets)`)
    .option("--label <column>", "label column of a csv: or har: data set (default label, or activity for har:)")
    .option("--benchmark <name>", "split-<data>, permuted-<data> or rotated-<data> over the --dataset, e.g. split-mnist, split-har (default split-<data>)")
    .option("--scenario <name>", `scenario: ${SCENARIOS.join(", ")}`, d.scenario)
    .option("--strategy <name>", `strategy: ${STRATEGY_NAMES.join(", ")}`, d.strategy)
    .option("--precision <spec>", `precision spec: a preset (${PRESET_NAMES.join(", ")}) and/or role=format[:rounding] items`, d.precision)
    .option("--precision-policy <policy>", `precision policy, decided on the device at every step: ${POLICY_NAMES.join(", ")} with its :params (docs/precision.md, Policies; default static)`)
    .option("--health", "count numeric health per layer and role on the device: overflows, underflows, swamped updates, range used (docs/precision.md)")
    .option("--seed <n>", "run seed: class order, init, shuffling, buffer draws, stochastic rounding", String(d.seed))
    .option("--model <spec>", "model spec, e.g. mlp:400,400 (docs/models.md)", d.model)
    .option("--iterations <n>", `optimiser steps per experience (default ${d.iterations})`)
    .option("--epochs <n>", "passes over each experience's training samples instead of --iterations")
    .option("--batch <n>", "new samples per step", String(d.batch))
    .option("--optimizer <name>", `optimizer: ${OPTIMIZER_NAMES.join(", ")}`, "adam")
    .option("--lr <x>", "learning rate (default: adam 0.001, sgd 0.01)")
    .option("--momentum <x>", "SGD momentum")
    .option("--weight-decay <x>", "L2 weight decay")
    .option("--experiences <n>", "split: run only the first N experiences, with the output layer of every class (see --output-layer); permuted, rotated: the stream's length")
    .option("--output-layer <which>", `with --experiences on a split benchmark: ${OUTPUT_LAYERS.join(" (default: every class of the stream) or ")} (only the classes of the experiences run)`)
    .option("--train-samples <n>", "at most N training samples per experience, a seeded subset (all: 0)", String(d.trainSamples))
    .option("--test-samples <n>", "at most N test samples per experience, a seeded subset (all: 0)", String(d.testSamples))
    .option("--board <name>", "board: sim (a simulated board process), another id or manifest, tcp:HOST:PORT, serial:PATH, or inline (simulated, in this process)", d.board)
    .option("--manifest <id|file>", "tcp: and serial: boards: the board's manifest, for its limits and timeout (default: what HELLO reports)")
    .option("--class-order <order>", "split benchmarks: seeded (shuffled by the seed), fixed (0/1, 2/3, ... as van de Ven & Tolias) or a list such as 3,1,4,...", "seeded")
    .option("--memory <bytes>", "inline board only: its linear-memory limit (default: the sim board's)")
    .option("--buffer-bytes <n>", "replay, latent-replay, gdumb, agem: buffer budget in bytes of stored values")
    .option("--buffer-policy <name>", `replay, latent-replay: ${BUFFER_POLICIES.join(", ")}`)
    .option("--replay-batch <n>", "replay, latent-replay: replayed samples per step; agem: reference batch")
    .option("--lambda <x>", "ewc, online-ewc: lambda; si: c; lwf: alpha")
    .option("--gamma <x>", "online-ewc: decay; si: damping xi; lwf: temperature")
    .option("--prune <x>", "packnet: fraction of free weights pruned per experience")
    .option("--retrain <n>", "packnet: retraining steps after pruning")
    .option("--frozen-layers <n>", "latent-replay: hidden layers frozen after the first experience")
    .option("--fisher-samples <n>", "ewc, online-ewc: samples the Fisher is estimated on (0: all)")
    .option("--json <file>", "write the JSON report (docs/report.md)")
    .option("--html <file>", "write the HTML report")
    .option("--csv <file>", "write the report as CSV")
    .option("--timeout <ms>", "time to wait for each reply, ms; a TRAIN is given its work on top at the board's slowest MAC rate (default: the manifest's transport.timeoutMs)")
    .option("--train-chunk <steps>", "most optimiser steps in one TRAIN request; an experience's steps go in several requests that give the same bits (default: about 10 s of work at the board's slowest MAC rate; gdumb: one request)")
    .option("--checkpoint-every <when>", `${CHECKPOINT_EVERY.join(" or ")}: write the board's checkpoint to flash after every experience, which --resume restores when the board still holds it`, "never")
    .option("--flash-dir <dir>", "with --checkpoint-every: the flash directory of a simulated board process, kept for --resume", "out/flash")
    .option("--resume <report>", "continue the unfinished run of this JSON report from its last completed experience, with its settings (the report is updated unless --json names another)")
    .option("--quiet", "no progress output")
    .hook("preAction", (command) => {
      const file = command.getOptionValue("config") as string | undefined;
      if (file !== undefined) applyConfigFile(command, file);
      const resume = command.getOptionValue("resume") as string | undefined;
      if (resume !== undefined) {
        if (file !== undefined) throw new UsageError("--resume takes the settings of its report; give it or --config, not both");
        applyFlags(command, resumeFlags(readReport(resume), resume), resume);
      }
      setVerbosity(verbosityFrom(command.opts()));
    })
    .action(async (flags: RunFlags, command: Command) => {
      const resumed = flags.resume !== undefined ? readReport(flags.resume) : undefined;
      // The report goes where it came from when resuming, unless --json says otherwise.
      const json = flags.json ?? flags.resume;
      // Every output can be written before the run starts, not found out after it.
      for (const [flag, path] of [["--json", json], ["--html", flags.html], ["--csv", flags.csv]] as const) if (path !== undefined) checkOutputPath(path, flag);
      const planned = planFromFlags(flags, command);
      if (resumed) {
        // Refused here, before a board is started, when the report is not this run's.
        checkResumable(resumed, planned.plan);
        planned.plan.resume = resumed;
      }
      detail(`data: ${String(planned.plan.config.dataset)}, benchmark ${planned.benchmark.name}: ${planned.benchmark.experiences.length} experiences, output layer ${planned.benchmark.heads.join("+")} units`);
      if (resumed) note(`resuming ${flags.resume}: ${resumed.accuracy.length} of ${resumed.status.experiencesPlanned} experiences completed; the board's checkpoint restores its learner when it is this run's, else they run again`);
      const progress = progressOnStderr();
      const saveTo = json ?? INTERRUPTED_REPORT;
      const outcome = await stoppable((stop) =>
        runPlanned(planned, {
          stop,
          flashDir: flags.checkpointEvery === "experience" ? flags.flashDir : undefined,
          hooks: {
            progress,
            partialReportPath: saveTo,
            // The report after every experience, so that a run killed outright still leaves one to resume.
            onExperience: json !== undefined ? (partial) => writeReport(json, partial) : undefined,
          },
        }),
      );
      if ("error" in outcome) {
        const { error, signal } = outcome;
        if (!(error instanceof RunInterruptedError)) throw error;
        const resumeCommand = `edgecl run --resume ${saveTo}`;
        if (signal === null) throw new RunError(`${error.message}; continue it with: ${resumeCommand}`);
        // Stopped on purpose: the report says so, not that the board was lost.
        const { report } = error;
        if (report.status.lost) report.status.lost.reason = `interrupted by ${signal}`;
        writeReport(saveTo, report);
        throw new RunError(
          `interrupted by ${signal}: ${report.accuracy.length} of ${report.status.experiencesPlanned} experiences completed, the partial report is saved in ${saveTo}; continue with: ${resumeCommand}`,
        );
      }
      const report = outcome.result;
      console.log(renderSummary(report));
      if (json !== undefined) {
        writeReport(json, report);
        note(`report: ${json}`);
      }
      if (flags.html !== undefined) writeOutput(flags.html, renderHtml(report), "HTML report");
      if (flags.csv !== undefined) writeOutput(flags.csv, renderCsv([{ label: describeRun(report), report }]), "CSV report");
    });
}
