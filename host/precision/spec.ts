// The precision spec (DESIGN.md "Precision spec"): a format and rounding for every tensor role of
// training, the GEMM mode, and loss scaling. One object; the short CLI string, the presets, the JSON
// report and the device encoding are views of it.

/** Roles that name a format and rounding, in the order the device config stores them (abi.ts ROLE_*). */
export const ROLE_NAMES = [
  "weight",
  "activation",
  "error",
  "gradient",
  "mul",
  "acc",
  "master",
  "optimizer",
  "replay",
] as const;
export type RoleName = (typeof ROLE_NAMES)[number];

/** What each role rounds, for docs and error messages. */
export const ROLE_MEANINGS: Record<RoleName, string> = {
  weight: "weights as stored and used by every GEMM (packed into u8/u16 codes when <= 16 bits)",
  activation: "layer outputs and the input batch",
  error: "the backward signal dLoss/dactivation (scaled by the loss scale)",
  gradient: "weight and bias gradients (scaled by the loss scale)",
  mul: "each product inside a dot product (exact GEMM mode, without fma)",
  acc: "the running sum of a dot product after every add (exact) or each result once (fast)",
  master: "the higher-precision weight copy the optimizer updates (none: the update goes to the weights)",
  optimizer: "optimizer state: SGD momentum, Adam moments",
  replay: "samples kept in a replay buffer (continual learning)",
};

export interface RoleSpec {
  /** Canonical format id (host/formats/parse.ts). */
  format: string;
  /** Rounding mode name (rne, rna, rz, ru, rd, ro, sr). */
  rounding: string;
  /** Random bits of stochastic rounding; absent = all discarded bits. */
  srBits?: number;
}

export type GemmMode = "exact" | "fast";

/** Roles a layer may run in its own format (docs/precision.md, Per-layer roles): its weights and what it computes. */
export const LAYER_ROLE_NAMES = ["weight", "activation", "error", "gradient", "mul", "acc"] as const;
export type LayerRoleName = (typeof LAYER_ROLE_NAMES)[number];

/** `layer<N>.<role>=<value>`: layer N (in the model's layer list, the output Linear last) runs `role` in `spec`. */
export interface LayerOverride {
  layer: number;
  role: LayerRoleName;
  spec: RoleSpec;
}

export type LossScaleSpec =
  | { kind: "none" }
  | { kind: "static"; scale: number }
  | { kind: "dynamic"; initial: number; interval: number };

export interface PrecisionSpec {
  weight: RoleSpec;
  activation: RoleSpec;
  error: RoleSpec;
  gradient: RoleSpec;
  mul: RoleSpec;
  acc: RoleSpec;
  /** null: no master copy. */
  master: RoleSpec | null;
  optimizer: RoleSpec;
  replay: RoleSpec;
  /** Fused multiply-add: one rounding to acc per step instead of mul then acc. */
  fma: boolean;
  gemm: GemmMode;
  lossScale: LossScaleSpec;
  /** Per-layer overrides, by layer then role order; absent when there are none. */
  layers?: LayerOverride[];
}

/** Dynamic loss scaling defaults: torch.cuda.amp.GradScaler's init_scale 2^16 and growth_interval 2000. */
export const DYNAMIC_SCALE_INITIAL = 65536;
export const DYNAMIC_SCALE_INTERVAL = 2000;
/** Loss scales a run may use (the device halves and doubles within the same bounds). */
export const LOSS_SCALE_MIN = 2 ** -64;
export const LOSS_SCALE_MAX = 2 ** 64;
