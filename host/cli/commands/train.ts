import { Command } from "commander";
import { checkOutputPath, writeOutput } from "../../report/io.js";
import { expected, UsageError } from "../../errors.js";
import { integerOption } from "../options.js";
import { parsePrecision, PRESET_NAMES } from "../../precision/index.js";
import { parseModelSpec } from "../../train/model-spec.js";
import { defaultOptimizer, OPTIMIZER_NAMES, type OptimizerName, type OptimizerSpec } from "../../train/config.js";
import { DATASET_NAMES, resolveDatasetName } from "../../train/data.js";
import { runTraining } from "../../train/run.js";
import { renderTrainReport } from "../../train/report.js";
import { real as realText } from "../../report/units.js";
import { note } from "../verbosity.js";

interface TrainFlags {
  dataset?: string;
  dataDir?: string;
  csv?: string;
  label?: string;
  model: string;
  precision: string;
  epochs: string;
  batch: string;
  optimizer: string;
  lr?: string;
  momentum?: string;
  weightDecay?: string;
  seed: string;
  json?: string;
  scalar?: boolean;
}

function real(flag: string, text: string, check: (x: number) => boolean, allowed: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || !check(value)) throw expected(`${flag} to be ${allowed}`, text);
  return value;
}

function optimizerFrom(flags: TrainFlags): OptimizerSpec {
  const name = flags.optimizer.trim().toLowerCase();
  if (!(OPTIMIZER_NAMES as readonly string[]).includes(name)) throw expected(`--optimizer to be one of ${OPTIMIZER_NAMES.join(", ")}`, flags.optimizer);
  const spec = defaultOptimizer(name as OptimizerName);
  if (flags.lr !== undefined) spec.lr = real("--lr", flags.lr, (x) => x > 0 && x <= 1e3, "a learning rate above 0 (at most 1000)");
  if (flags.momentum !== undefined) {
    if (spec.name !== "sgd") throw new UsageError(`--momentum goes with --optimizer sgd, received --optimizer ${spec.name}`);
    spec.momentum = real("--momentum", flags.momentum, (x) => x >= 0 && x < 1, "a momentum in [0, 1)");
  }
  if (flags.weightDecay !== undefined) {
    spec.weightDecay = real("--weight-decay", flags.weightDecay, (x) => x >= 0 && x <= 1, "a weight decay in [0, 1]");
  }
  return spec;
}

export function trainCommand(): Command {
  return new Command("train")
    .description("Train one task on the device (in this process) and report accuracy, MACs by format and device memory")
    .option("--dataset <name>", `data set: ${DATASET_NAMES.join(", ")} (default mnist, or csv with --csv)`)
    .option("--data-dir <dir>", "directory with the four IDX files of MNIST or Fashion-MNIST (default: the embedded digits)")
    .option("--csv <file>", "CSV table of features (use with --label)")
    .option("--label <column>", "CSV column holding the class")
    .option("--model <spec>", "model spec, e.g. mlp:400,400 or cnn:8c3,p2,16c3,p2,fc64 (docs/models.md)", "mlp:400,400")
    .option("--precision <spec>", `precision spec: a preset (${PRESET_NAMES.join(", ")}) and/or role=format[:rounding] items (docs/precision.md)`, "fp32")
    .option("--epochs <n>", "passes over the training data", "10")
    .option("--batch <n>", "samples per step", "128")
    .option("--optimizer <name>", `optimizer: ${OPTIMIZER_NAMES.join(", ")}`, "adam")
    .option("--lr <x>", "learning rate (default: adam 0.001, sgd 0.01)")
    .option("--momentum <x>", "SGD momentum (default 0)")
    .option("--weight-decay <x>", "L2 weight decay (default 0)")
    .option("--seed <n>", "run seed: init, shuffling and stochastic rounding", "0")
    .option("--json <file>", "also write the JSON report to this file")
    .option("--scalar", "run the scalar device module instead of the SIMD one (same bits, slower)")
    .action((flags: TrainFlags) => {
      // Every option is checked before any work starts, the output path too.
      if (flags.json !== undefined) checkOutputPath(flags.json, "--json");
      const epochs = integerOption("--epochs", flags.epochs, 1, 100000);
      const batch = integerOption("--batch", flags.batch, 1, 65536);
      const seed = integerOption("--seed", flags.seed, 0, Number.MAX_SAFE_INTEGER);
      const optimizer = optimizerFrom(flags);
      const precision = parsePrecision(flags.precision);
      parseModelSpec(flags.model);
      resolveDatasetName(flags);
      const report = runTraining({
        dataset: flags.dataset,
        dataDir: flags.dataDir,
        csv: flags.csv,
        label: flags.label,
        model: flags.model,
        precision,
        epochs,
        batch,
        optimizer,
        seed,
        simd: !flags.scalar,
        onEpoch: (e) => note(`epoch ${e.epoch}/${epochs}: loss ${realText(e.loss)}, train accuracy ${(100 * e.trainAccuracy).toFixed(2)}% (${e.seconds.toFixed(1)} s host wall time)`),
      });
      console.log(renderTrainReport(report));
      if (flags.json !== undefined) {
        writeOutput(flags.json, JSON.stringify(report, null, 2) + "\n", "JSON report");
      }
    });
}
