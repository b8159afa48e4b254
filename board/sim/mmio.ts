// The simulated board's memory-mapped bus behind the device's mmio_read32/mmio_write32 imports. The
// accelerator's register block (spec/regmap.json: base ACCEL_BASE, ACCEL_SPAN bytes) is served by the
// accelerator model when the manifest has one and board/accel provides it; every other address, and
// the whole block on a board without the accelerator, reads as ACCEL_ABSENT (all ones, as an unmapped
// bus does) and ignores writes.
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  ACCEL_ABSENT,
  ACCEL_BASE,
  ACCEL_CTRL_CLEAR_MASK,
  ACCEL_CTRL_CLEAR_SHIFT,
  ACCEL_CTRL_OFFSET,
  ACCEL_CYCLES_HI_OFFSET,
  ACCEL_CYCLES_LO_OFFSET,
  ACCEL_ENERGY_FJ_HI_OFFSET,
  ACCEL_ENERGY_FJ_LO_OFFSET,
  ACCEL_JOBS_OFFSET,
  ACCEL_MACS_HI_OFFSET,
  ACCEL_MACS_LO_OFFSET,
  ACCEL_SPAN,
} from "../../host/generated/regmap.js";
import type { BoardManifest } from "../../host/manifest/manifest.js";
import type { Mmio } from "./device.js";

/** The accelerator's registers, addressed by offset from ACCEL_BASE. */
export interface RegisterBlock {
  read32(offset: number): number;
  write32(offset: number, value: number): void;
}

/**
 * What the accelerator model adds to its registers: running totals of energy by part, in pJ, since it was
 * made (a soft clear does not reset them). The bus takes the memory-traffic share of the energy from it.
 */
interface EnergyByPart {
  readonly totals: { readonly energyPj: { readonly memory: number } };
}

const hasEnergyByPart = (block: RegisterBlock): block is RegisterBlock & EnergyByPart =>
  typeof (block as Partial<EnergyByPart>).totals?.energyPj?.memory === "number";

/** Makes the accelerator for one device instance; `memory` is that instance's linear memory. */
export type AcceleratorFactory = (memory: () => WebAssembly.Memory) => RegisterBlock;

/** Accelerator work since the counters were last reset. */
export interface AcceleratorTotals {
  cycles: number;
  macs: number;
  energyJ: number;
  /** The part of energyJ spent moving operands to and from memory (0 when the block does not say). */
  memoryJ: number;
  jobs: number;
}

/** Counters as the registers hold them: whole cycles, MACs, femtojoules and jobs, exact in f64 below 2^53. */
interface RawTotals {
  cycles: number;
  macs: number;
  energyFj: number;
  jobs: number;
}

const FEMTO = 1e-15;
const PICO = 1e-12;
const ZERO: RawTotals = { cycles: 0, macs: 0, energyFj: 0, jobs: 0 };
const add = (a: RawTotals, b: RawTotals): RawTotals => ({
  cycles: a.cycles + b.cycles,
  macs: a.macs + b.macs,
  energyFj: a.energyFj + b.energyFj,
  jobs: a.jobs + b.jobs,
});

/**
 * The bus of one device instance. The device's driver may soft-clear the accelerator's counters
 * (CTRL.CLEAR) between jobs; the bus adds up what the counters held before every clear, so the board's
 * telemetry covers all the work since its own counters were reset.
 */
export class Bus implements Mmio {
  private carried: RawTotals = ZERO;
  private baseline: RawTotals = ZERO;
  private memoryBaselinePj = 0;

  constructor(private readonly accelerator: RegisterBlock | null) {}

  get acceleratorPresent(): boolean {
    return this.accelerator !== null;
  }

  read32(address: number): number {
    const offset = address - ACCEL_BASE;
    if (this.accelerator && offset >= 0 && offset < ACCEL_SPAN) return this.accelerator.read32(offset) >>> 0;
    return ACCEL_ABSENT;
  }

  write32(address: number, value: number): void {
    const offset = address - ACCEL_BASE;
    if (!this.accelerator || offset < 0 || offset >= ACCEL_SPAN) return;
    if (offset === ACCEL_CTRL_OFFSET && ((value >>> ACCEL_CTRL_CLEAR_SHIFT) & ACCEL_CTRL_CLEAR_MASK) !== 0) {
      this.carried = add(this.carried, this.registers());
    }
    this.accelerator.write32(offset, value >>> 0);
  }

  private registers(): RawTotals {
    const a = this.accelerator;
    if (!a) return ZERO;
    const wide = (lo: number, hi: number) => (a.read32(hi) >>> 0) * 2 ** 32 + (a.read32(lo) >>> 0);
    return {
      cycles: wide(ACCEL_CYCLES_LO_OFFSET, ACCEL_CYCLES_HI_OFFSET),
      macs: wide(ACCEL_MACS_LO_OFFSET, ACCEL_MACS_HI_OFFSET),
      energyFj: wide(ACCEL_ENERGY_FJ_LO_OFFSET, ACCEL_ENERGY_FJ_HI_OFFSET),
      jobs: a.read32(ACCEL_JOBS_OFFSET) >>> 0,
    };
  }

  /** Work since the last resetTotals(). */
  totals(): AcceleratorTotals {
    const all = add(this.carried, this.registers());
    return {
      cycles: all.cycles - this.baseline.cycles,
      macs: all.macs - this.baseline.macs,
      energyJ: (all.energyFj - this.baseline.energyFj) * FEMTO,
      memoryJ: (this.memoryPj() - this.memoryBaselinePj) * PICO,
      jobs: all.jobs - this.baseline.jobs,
    };
  }

  resetTotals(): void {
    this.baseline = add(this.carried, this.registers());
    this.memoryBaselinePj = this.memoryPj();
  }

  private memoryPj(): number {
    const a = this.accelerator;
    return a && hasEnergyByPart(a) ? a.totals.energyPj.memory : 0;
  }
}

/** The accelerator model's module, when board/accel provides one (sources under vitest, compiled under dist). */
function modelModuleUrl(): string | null {
  for (const name of ["model.js", "model.ts"]) {
    const url = new URL(`../accel/${name}`, import.meta.url);
    if (existsSync(fileURLToPath(url))) return pathToFileURL(fileURLToPath(url)).href;
  }
  return null;
}

/**
 * The accelerator factory for a board: null when the manifest has no accelerator or the accelerator
 * model is not there (then the register block reads as absent).
 */
export async function loadAccelerator(manifest: BoardManifest): Promise<AcceleratorFactory | null> {
  if (!manifest.accelerator.present) return null;
  const url = modelModuleUrl();
  if (!url) return null;
  // The RTL engine registers itself with the model's engines when loaded (from next to the model's module).
  if (manifest.accelerator.engine === "rtl") await import(new URL(`../../hw/rtl-engine.${url.endsWith(".ts") ? "ts" : "js"}`, url).href);
  const mod = (await import(url)) as { AcceleratorModel?: new (options: { manifest: BoardManifest; memory: () => WebAssembly.Memory }) => RegisterBlock };
  const Model = mod.AcceleratorModel;
  if (typeof Model !== "function") return null;
  return (memory) => new Model({ manifest, memory });
}
