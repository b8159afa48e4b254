// The simulated board's energy estimate (docs/energy.md): what the accelerator model counts for its jobs,
// plus the CPU path's GEMMs, cpuGemmPj(MACs, kernel) with the manifest's energy parameters for the MACs
// the device reports it ran in each CPU kernel (TELEMETRY cpuMacsExact, cpuMacsExactSr, cpuMacsFast);
// work other than GEMMs is not counted.
import type { BoardManifest } from "../../host/manifest/manifest.js";
import type { ReplyOf } from "../../host/protocol/index.js";
import { cpuGemmPj, energyParamsFrom, type EnergyParams } from "../accel/energy.js";
import { circuitEnergy } from "../accel/circuit.js";

export type CpuGemmMode = "exact" | "exactSr" | "fast";

/** The device's CPU MACs by kernel, as TELEMETRY carries them. */
export type CpuMacs = Pick<ReplyOf<"TELEMETRY">, "cpuMacsExact" | "cpuMacsExactSr" | "cpuMacsFast">;

const PICO = 1e-12;

export class EnergyModel {
  readonly params: EnergyParams;

  constructor(manifest: BoardManifest) {
    this.params = energyParamsFrom(manifest.energy, `${manifest.file}: energy`, circuitEnergy);
  }

  /** Joules of `macs` multiply-accumulates on the CPU path in `mode`. */
  cpuJ(macs: number, mode: CpuGemmMode): number {
    return cpuGemmPj(this.params, Math.max(0, macs), mode) * PICO;
  }

  /** Joules of the CPU path's MACs the device reported, kernel by kernel (firmware/src/energy.c adds them in this order). */
  cpuJOf(macs: CpuMacs): number {
    return this.cpuJ(macs.cpuMacsExact, "exact") + this.cpuJ(macs.cpuMacsExactSr, "exactSr") + this.cpuJ(macs.cpuMacsFast, "fast");
  }
}
