// edgecl list: what a run can be made of (strategies, benchmarks, data sets, formats, boards), as a
// table or, with --json, one JSON object per line.
import { Command } from "commander";
import { BENCHMARK_KINDS, DEFAULT_CLASSES_PER_EXPERIENCE, DEFAULT_PERMUTED_EXPERIENCES, DEFAULT_ROTATED_EXPERIENCES, SCENARIOS, type BenchmarkKind } from "../../cl/benchmarks.js";
import { DATASET_SOURCE_MEANINGS, DATASET_SOURCES } from "../../cl/data-source.js";
import { STRATEGY_NAMES, type StrategyName } from "../../cl/strategies.js";
import { boardsCommand } from "./boards.js";
import { formatsCommand } from "./formats.js";

/** One line each; docs/strategies.md has the details and sources. */
export const STRATEGY_SUMMARIES: Record<StrategyName, { family: string; summary: string }> = {
  naive: { family: "baseline", summary: "fine-tuning on each experience in turn: the lower bound" },
  cumulative: { family: "baseline", summary: "retrains on every experience so far: the upper bound" },
  replay: { family: "rehearsal", summary: "experience replay from a buffer of stored samples (reservoir or class-balanced)" },
  "latent-replay": { family: "rehearsal", summary: "replays activations of a frozen lower part of the network" },
  gdumb: { family: "rehearsal", summary: "greedy class-balanced buffer, model retrained from it (Prabhu et al. 2020)" },
  agem: { family: "rehearsal", summary: "averaged gradient episodic memory: projects gradients that would raise the buffer's loss" },
  ewc: { family: "regularisation", summary: "elastic weight consolidation: Fisher-weighted penalty per experience" },
  "online-ewc": { family: "regularisation", summary: "one running Fisher with decay (Schwarz et al. 2018)" },
  si: { family: "regularisation", summary: "synaptic intelligence: path-integral importance (Zenke et al. 2017)" },
  lwf: { family: "regularisation", summary: "learning without forgetting: distillation from the previous model" },
  packnet: { family: "architecture", summary: "prunes and freezes a share of the weights per experience" },
};

/** Each benchmark kind: what changes between experiences, how many there are, the data it needs. */
export const BENCHMARK_SUMMARIES: Record<BenchmarkKind, { experiences: string; changes: string; data: string }> = {
  split: { experiences: `classes / ${DEFAULT_CLASSES_PER_EXPERIENCE}`, changes: "the classes (class-incremental over e.g. digits or activities)", data: "any" },
  permuted: { experiences: `${DEFAULT_PERMUTED_EXPERIENCES} (--experiences)`, changes: "a fixed permutation of the input values", data: "any" },
  rotated: { experiences: `${DEFAULT_ROTATED_EXPERIENCES} (--experiences)`, changes: "a rotation of the images, 0 to 180 degrees", data: "images" },
};

function print(rows: Array<Record<string, string>>, json: boolean | undefined): void {
  if (json) {
    for (const row of rows) console.log(JSON.stringify(row));
    return;
  }
  const header = Object.keys(rows[0]);
  const widths = header.map((h) => Math.max(h.length, ...rows.map((r) => r[h].length)));
  for (const cells of [header, ...rows.map((r) => header.map((h) => r[h]))]) console.log(cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd());
}

const jsonOption = "print one JSON object per line";

export function listCommand(): Command {
  return new Command("list")
    .description("List strategies, benchmarks, datasets, formats or boards (with --json: one JSON object per line)")
    .addCommand(
      new Command("strategies").description("Continual-learning strategies of --strategy").option("--json", jsonOption).action((o: { json?: boolean }) =>
        print(STRATEGY_NAMES.map((name) => ({ name, ...STRATEGY_SUMMARIES[name] })), o.json),
      ),
    )
    .addCommand(
      new Command("benchmarks").description("Benchmarks of --benchmark: <kind>-<data> over the --dataset").option("--json", jsonOption).action((o: { json?: boolean }) =>
        print(BENCHMARK_KINDS.map((kind) => ({ name: `${kind}-<data>`, example: `${kind}-mnist`, ...BENCHMARK_SUMMARIES[kind], scenarios: SCENARIOS.join(",") })), o.json),
      ),
    )
    .addCommand(
      new Command("datasets").description("Data sources of --dataset").option("--json", jsonOption).action((o: { json?: boolean }) =>
        print(DATASET_SOURCES.map((source) => ({ source, meaning: DATASET_SOURCE_MEANINGS[source] })), o.json),
      ),
    )
    .addCommand(formatsCommand())
    .addCommand(boardsCommand());
}
