// Named precision specs. docs/precision.md lists every role of every preset; a test checks it matches.
import { DYNAMIC_SCALE_INITIAL, DYNAMIC_SCALE_INTERVAL, type LossScaleSpec, type PrecisionSpec, type RoleSpec } from "./spec.js";

const role = (format: string, rounding = "rne"): RoleSpec => ({ format, rounding });

/**
 * Weights, activations, errors, gradients and replayed samples in `format`; products, sums, master weights
 * and optimizer state in fp32.
 */
const tensorsIn = (format: string, lossScale: LossScaleSpec): PrecisionSpec => ({
  weight: role(format),
  activation: role(format),
  error: role(format),
  gradient: role(format),
  mul: role("fp32"),
  acc: role("fp32"),
  master: role("fp32"),
  optimizer: role("fp32"),
  replay: role(format),
  fma: false,
  gemm: "exact",
  lossScale,
});

const DYNAMIC_SCALE: LossScaleSpec = { kind: "dynamic", initial: DYNAMIC_SCALE_INITIAL, interval: DYNAMIC_SCALE_INTERVAL };

/** IEEE single precision everywhere: the reference every other preset is compared with. */
const fp32: PrecisionSpec = { ...tensorsIn("fp32", { kind: "none" }), master: null };

/** bfloat16 tensors, exact products and fp32 sums (as bf16 matrix units do), fp32 master and state. */
const bf16 = tensorsIn("bf16", { kind: "none" });

/** Mixed-precision training (Micikevicius et al., ICLR 2018): fp16 tensors, fp32 sums and master, dynamic loss scaling. */
const fp16Mixed = tensorsIn("fp16", DYNAMIC_SCALE);

/**
 * FP8 training (Micikevicius et al., "FP8 formats for deep learning", 2022): e4m3 forward (weights,
 * activations), e5m2 backward (errors, gradients), products in fp16, fp16 accumulation with stochastic
 * rounding, fp32 master weights and optimizer state, dynamic loss scaling.
 */
const fp8Mixed: PrecisionSpec = {
  weight: role("e4m3"),
  activation: role("e4m3"),
  error: role("e5m2"),
  gradient: role("e5m2"),
  mul: role("fp16"),
  acc: role("fp16", "sr"),
  master: role("fp32"),
  optimizer: role("fp32"),
  replay: role("e4m3"),
  fma: false,
  gemm: "exact",
  lossScale: DYNAMIC_SCALE,
};

/**
 * FP8 with no master copy: the update is applied to the e4m3 weights with stochastic rounding, so small
 * updates survive in expectation; optimizer state in bf16.
 */
const fp8Pure: PrecisionSpec = {
  ...fp8Mixed,
  weight: role("e4m3", "sr"),
  master: null,
  optimizer: role("bf16"),
};

export const PRESETS: Readonly<Record<string, PrecisionSpec>> = {
  fp32,
  bf16,
  "fp16-mixed": fp16Mixed,
  "fp8-mixed": fp8Mixed,
  "fp8-pure": fp8Pure,
};

export const PRESET_NAMES = Object.keys(PRESETS);

/** A fresh copy of a preset (callers may change it). */
export function preset(name: string): PrecisionSpec | undefined {
  const spec = PRESETS[name];
  return spec ? structuredClone(spec) : undefined;
}
