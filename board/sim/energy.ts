// The simulated board's energy estimate (docs/energy.md): what the accelerator model counts for its jobs,
// plus the CPU path's GEMMs, cpuGemmPj(MACs the accelerator did not run, GEMM mode) with the manifest's
// energy parameters. The GEMM mode (exact, exact with stochastic rounding, fast) is read from the model
// blob of the DEPLOY configuration (assembly/nn/abi.ts); work other than GEMMs is not counted.
import {
  CFG_GEMM,
  CFG_ROLES,
  CFG_VERSION,
  CFG_LAYERS,
  GEMM_FAST,
  GEMM_FMA,
  NN_ABI_VERSION,
  ROLE_ACC,
  ROLE_MUL,
  ROLE_WORDS,
} from "../../assembly/nn/abi.js";
import { ROUND_SR } from "../../host/generated/formats.js";
import { ACCEL_FMT_FP32_WORD } from "../../host/generated/regmap.js";
import type { BoardManifest } from "../../host/boards/manifest.js";
import { cpuGemmPj, energyParamsFrom, type EnergyParams } from "../accel/energy.js";
import { circuitEnergy } from "../accel/circuit.js";

export type CpuGemmMode = "exact" | "exactSr" | "fast";

const PICO = 1e-12;

/**
 * The CPU GEMM mode of a DEPLOY configuration: "fast" with GEMM_FAST, and when products and sums are both
 * plain fp32 and not fused (the device then runs the fast kernel: f32 arithmetic gives the per-MAC bits,
 * assembly/nn/context.ts configureMac); "exactSr" when the rounding that happens per MAC (the
 * accumulator's, and the product's unless fused) is stochastic; "exact" otherwise, and for a
 * configuration that is not a model blob of this ABI version.
 */
export function gemmModeOf(config: Uint8Array): CpuGemmMode {
  if (config.length < CFG_LAYERS * 4 || config.length % 4 !== 0) return "exact";
  const view = new DataView(config.buffer, config.byteOffset, config.byteLength);
  const word = (i: number) => view.getUint32(4 * i, true);
  if (word(CFG_VERSION) !== NN_ABI_VERSION) return "exact";
  const gemm = word(CFG_GEMM);
  // fp32 itself, exactly (no saturate or no-subnormals option): rounding an f32 to it changes nothing.
  const plainFp32 = (role: number) => word(CFG_ROLES + role * ROLE_WORDS) === ACCEL_FMT_FP32_WORD;
  if (gemm & GEMM_FAST || (!(gemm & GEMM_FMA) && plainFp32(ROLE_MUL) && plainFp32(ROLE_ACC))) return "fast";
  const rounding = (role: number) => word(CFG_ROLES + role * ROLE_WORDS + 1);
  const sr = rounding(ROLE_ACC) === ROUND_SR || (!(gemm & GEMM_FMA) && rounding(ROLE_MUL) === ROUND_SR);
  return sr ? "exactSr" : "exact";
}

export class EnergyModel {
  readonly params: EnergyParams;

  constructor(manifest: BoardManifest) {
    this.params = energyParamsFrom(manifest.energy, `${manifest.file}: energy`, circuitEnergy);
  }

  /** Joules of `macs` multiply-accumulates on the CPU path in `mode`. */
  cpuJ(macs: number, mode: CpuGemmMode): number {
    return cpuGemmPj(this.params, Math.max(0, macs), mode) * PICO;
  }
}
