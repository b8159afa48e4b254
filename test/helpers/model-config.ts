// A device model's configuration from the short names tests write: the model spec ("mlp:12"), the
// precision ("fp8-mixed") and the optimizer (a name for its defaults, or a whole spec).
import { parsePrecision } from "../../host/precision/index.js";
import { defaultOptimizer, type ModelConfig, type OptimizerName, type OptimizerSpec } from "../../host/train/config.js";
import { parseModelSpec } from "../../host/train/model-spec.js";

export interface ModelConfigOptions {
  seed: number;
  maxBatch: number;
  inputShape: readonly number[];
  /** 1 unless given. */
  heads?: number;
  classes: number;
  model: string;
  precision: string;
  optimizer: OptimizerName | OptimizerSpec;
}

export function modelConfig(o: ModelConfigOptions): ModelConfig {
  return {
    seed: o.seed,
    maxBatch: o.maxBatch,
    inputShape: o.inputShape,
    heads: o.heads ?? 1,
    classes: o.classes,
    layers: parseModelSpec(o.model).layers,
    precision: parsePrecision(o.precision),
    optimizer: typeof o.optimizer === "string" ? defaultOptimizer(o.optimizer) : o.optimizer,
  };
}
