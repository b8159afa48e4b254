// Energy and accelerator figures of a report: from a TELEMETRY reply into a phase's counters, and from
// the phases into the report's `energy` and `accelerator` summaries (docs/report.md). Everything here
// reads the report's own fields, so a report can be summarised again later.
import type { ReplyOf } from "../protocol/index.js";
import {
  CPU_FALLBACK_REASONS,
  type CpuFallbacks,
  type EnergyBreakdown,
  type ExperienceTelemetry,
  type PhaseCounters,
  type Report,
  type ReportAccelerator,
  type ReportEnergy,
} from "./types.js";

type TelemetryReply = ReplyOf<"TELEMETRY">;

const PARTS = ["accelerator", "memory", "cpu"] as const;

/** The energy split, accelerator figures and CPU fallbacks of one TELEMETRY reading. */
export function energyCounters(t: TelemetryReply): Pick<PhaseCounters, "energyBreakdownJ" | "accelMacs" | "accelUnits" | "cpuFallbacks"> {
  const split = [t.energyAcceleratorJ, t.energyMemoryJ, t.energyCpuJ];
  return {
    energyBreakdownJ: split.every(Number.isFinite) ? { accelerator: split[0], memory: split[1], cpu: split[2] } : null,
    accelMacs: t.accelMacs,
    accelUnits: t.accelUnits,
    cpuFallbacks: {
      noAccelerator: t.fallbackNoAccelerator,
      format: t.fallbackFormat,
      rounding: t.fallbackRounding,
      mode: t.fallbackMode,
      empty: t.fallbackEmpty,
      refused: t.fallbackRefused,
    },
  };
}

const noEnergy = (): EnergyBreakdown => ({ accelerator: 0, memory: 0, cpu: 0 });
const phases = (t: ExperienceTelemetry) => [t.train, t.eval];

/** Training plus evaluation energy of each experience, with its split when every phase has one; undefined when the board reported no energy. */
export function energySummary(telemetry: ExperienceTelemetry[]): ReportEnergy | undefined {
  if (!telemetry.some((t) => phases(t).some((p) => p.energyJ !== null))) return undefined;
  const perExperienceJ = telemetry.map((t) => phases(t).reduce((sum, p) => sum + (p.energyJ ?? 0), 0));
  const energy: ReportEnergy = { totalJ: perExperienceJ.reduce((a, b) => a + b, 0), perExperienceJ };
  const split = telemetry.every((t) => phases(t).every((p) => p.energyJ === null || (p.energyBreakdownJ !== undefined && p.energyBreakdownJ !== null)));
  if (split) {
    energy.perExperienceBreakdownJ = telemetry.map((t) => {
      const sum = noEnergy();
      for (const p of phases(t)) for (const part of PARTS) sum[part] += p.energyBreakdownJ?.[part] ?? 0;
      return sum;
    });
    energy.breakdown = noEnergy();
    for (const e of energy.perExperienceBreakdownJ) for (const part of PARTS) energy.breakdown[part] += e[part];
  }
  return energy;
}

/** The accelerator's work over every phase: jobs, cycles, MACs, utilisation of its array, CPU fallbacks. */
export function acceleratorSummary(telemetry: ExperienceTelemetry[]): ReportAccelerator {
  let jobs = 0, cycles = 0, macs = 0, units = 0;
  let counted = true;
  const byReason: CpuFallbacks = { noAccelerator: 0, format: 0, rounding: 0, mode: 0, empty: 0, refused: 0 };
  for (const t of telemetry) {
    for (const p of phases(t)) {
      jobs += p.accelJobs;
      cycles += p.cycles;
      if (p.accelMacs === undefined || p.cpuFallbacks === undefined) {
        counted = false;
        continue;
      }
      macs += p.accelMacs;
      units = Math.max(units, p.accelUnits ?? 0);
      for (const reason of CPU_FALLBACK_REASONS) byReason[reason] += p.cpuFallbacks[reason];
    }
  }
  const summary: ReportAccelerator = { jobs, cycles };
  // Reports of boards that did not count the backend's paths keep only jobs and cycles.
  if (!counted) return summary;
  summary.macs = macs;
  summary.units = units;
  summary.utilisation = units > 0 && cycles > 0 ? macs / (units * cycles) : 0;
  summary.cpuFallbacks = CPU_FALLBACK_REASONS.reduce((sum, reason) => sum + byReason[reason], 0);
  summary.cpuFallbacksByReason = byReason;
  return summary;
}

/** A run's energy over another's (e.g. fp8-mixed over fp32); null when either has no energy. */
export function energyRatio(run: Report, reference: Report): number | null {
  const a = run.energy?.totalJ, b = reference.energy?.totalJ;
  return a === undefined || b === undefined || !(b > 0) ? null : a / b;
}
