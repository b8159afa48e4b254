// edgecl export: writes the samples a run streams to its board, exactly (same class order, subsets and
// labels), so that another implementation can be run on them (experiments/reference/, docs/reference.md).
import { Command } from "commander";
import { writeOutput } from "../../report/io.js";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { expected, RunError } from "../../errors.js";
import { integerOption } from "../options.js";
import { SCENARIOS } from "../../cl/benchmarks.js";
import { runStream } from "../../cl/run.js";
import { RUN_DEFAULTS, parseClassOrder } from "./run.js";

interface ExportFlags {
  benchmark: string;
  scenario: string;
  seed: string;
  classOrder: string;
  experiences?: string;
  trainSamples: string;
  testSamples: string;
}

/** The stream's description: what each file holds (docs/reference.md). */
export const STREAM_FORMAT = "edgecl-stream-1";

function writeFile(path: string, bytes: Uint8Array | string): void {
  writeOutput(path, bytes, "export");
}

export function exportCommand(): Command {
  const d = RUN_DEFAULTS;
  return new Command("export")
    .description("Write the samples a run would stream (inputs as f32, labels as u8, per experience) and a stream.json that describes them")
    .argument("<dir>", "folder to write (created if missing)")
    .option("--benchmark <name>", "as edgecl run", d.benchmark)
    .option("--scenario <name>", `scenario: ${SCENARIOS.join(", ")}`, d.scenario)
    .option("--seed <n>", "run seed (class order, sample subsets)", String(d.seed))
    .option("--class-order <order>", "seeded, fixed or a list, as edgecl run", "seeded")
    .option("--experiences <n>", "only the first N experiences")
    .option("--train-samples <n>", "at most N training samples per experience, as edgecl run (all: 0)", String(d.trainSamples))
    .option("--test-samples <n>", "at most N test samples per experience, as edgecl run (all: 0)", String(d.testSamples))
    .action((dir: string, flags: ExportFlags) => {
      if (!(SCENARIOS as readonly string[]).includes(flags.scenario)) throw expected(`--scenario to be one of ${SCENARIOS.join(", ")}`, flags.scenario);
      const stream = runStream({
        benchmark: flags.benchmark,
        scenario: flags.scenario,
        seed: integerOption("--seed", flags.seed, 0, Number.MAX_SAFE_INTEGER),
        classOrder: parseClassOrder(flags.classOrder),
        experiences: flags.experiences !== undefined ? integerOption("--experiences", flags.experiences, 1, 1000) : undefined,
        trainSamples: integerOption("--train-samples", flags.trainSamples, 0, 1e9) || undefined,
        testSamples: integerOption("--test-samples", flags.testSamples, 0, 1e9) || undefined,
      });
      try {
        mkdirSync(dir, { recursive: true });
      } catch (error) {
        throw new RunError(`cannot create ${dir}: ${(error as Error).message}`);
      }
      const { benchmark } = stream;
      const experiences = stream.experiences.map((data, e) => {
        const meta = benchmark.experiences[e];
        const write = (split: "train" | "test") => {
          const part = data[split];
          const inputs = `experience-${e}-${split}-inputs.f32`;
          const labels = `experience-${e}-${split}-labels.u8`;
          writeFile(join(dir, inputs), new Uint8Array(part.inputs.buffer, part.inputs.byteOffset, part.inputs.byteLength));
          writeFile(join(dir, labels), Uint8Array.from(part.labels));
          return { inputs, labels, count: part.labels.length };
        };
        return { id: e, classes: meta.classes, head: meta.head, headSize: meta.headSize, labelOffset: meta.labelOffset, train: write("train"), test: write("test") };
      });
      const description = {
        format: STREAM_FORMAT,
        benchmark: benchmark.name,
        scenario: benchmark.scenario,
        seed: benchmark.seed,
        classOrder: benchmark.classOrder ?? null,
        inputShape: benchmark.inputShape,
        features: stream.features,
        heads: benchmark.heads,
        experiences,
      };
      writeFile(join(dir, "stream.json"), JSON.stringify(description, null, 2) + "\n");
      console.log(`${experiences.length} experiences, ${experiences.reduce((n, e) => n + e.train.count + e.test.count, 0)} samples: ${join(dir, "stream.json")}`);
    });
}
