// The run report: what `edgecl run --json` writes and every renderer (terminal, CSV, HTML, comparison)
// reads. Renderers work from this JSON alone, so any report can be rendered again later. The schema,
// field by field, is docs/report.md; readReport() checks a file against it.

export const REPORT_SCHEMA = "edgecl-report";
export const REPORT_VERSION = 1;

/** Joules by where they were spent: the accelerator's arithmetic, its memory traffic, the host CPU. */
export interface EnergyBreakdown {
  accelerator: number;
  memory: number;
  cpu: number;
}

/** GEMM jobs the device ran on the CPU path, by reason (docs/accelerator.md, the backend's paths 1..6). */
export interface CpuFallbacks {
  /** The board has no accelerator. */
  noAccelerator: number;
  /** The accelerator lacks the product or accumulator format. */
  format: number;
  /** The accelerator lacks a rounding mode. */
  rounding: number;
  /** The accelerator lacks the fused or fast MAC mode. */
  mode: number;
  /** M, N or K is 0. */
  empty: number;
  /** The accelerator refused the job or timed out. */
  refused: number;
}

export const CPU_FALLBACK_REASONS = ["noAccelerator", "format", "rounding", "mode", "empty", "refused"] as const satisfies ReadonlyArray<keyof CpuFallbacks>;

/** Work counted by the board over one phase (training or evaluation) of one experience. */
export interface PhaseCounters {
  /** Device time spent in commands, microseconds (wall clock of the board: differs between runs). */
  timeUs: number;
  /** Multiply-accumulates, all formats. */
  macs: number;
  /** Multiply-accumulates by format id of the products (e.g. "e4m3", "fp32"). */
  macsByFormat: Record<string, number>;
  /** Accelerator cycles (0 without an accelerator). */
  cycles: number;
  /** Accelerator jobs. */
  accelJobs: number;
  /** Estimated energy, joules; null when the board reports none. */
  energyJ: number | null;
  /** energyJ by where it was spent; null when the board reports none (absent in reports from older boards). */
  energyBreakdownJ?: EnergyBreakdown | null;
  /** MACs the accelerator ran (the rest went through the CPU path). */
  accelMacs?: number;
  /** MAC units of the accelerator's array, rows x columns; 0 without an accelerator. */
  accelUnits?: number;
  /** GEMM jobs run on the CPU path, by reason. */
  cpuFallbacks?: CpuFallbacks;
  /**
   * CRC-32 of the model's stored weights at the end of the phase, computed on the device (TELEMETRY
   * modelChecksum), as 8 lower-case hex digits; absent in reports of boards that did not send it.
   */
  modelChecksum?: string;
  /** Linear memory in use at the end of the phase, bytes. */
  memoryUsedBytes: number;
  /** Most linear memory in use at once so far, bytes. */
  memoryPeakBytes: number;
  /** Optimizer steps applied, and skipped because a gradient was inf or NaN (loss scaling); absent in older reports. */
  optimizerSteps?: number;
  lossScaleSkips?: number;
  /** Numeric health by layer and role, in runs with --health (docs/precision.md "Numeric health"). */
  health?: HealthRow[];
}

/** One layer and role's numeric health over a phase (TELEMETRY health item, docs/precision.md). */
export interface HealthRow {
  /** Index in the model's layer list. */
  layer: number;
  /** Precision role: weight, activation, error, gradient, master or optimizer. */
  role: string;
  /** The role's format id (e.g. "e4m3"). */
  format: string;
  /** Values rounded to the format. */
  values: number;
  /** Finite values above the format's largest finite magnitude. */
  overflows: number;
  /** Nonzero values that rounded to zero. */
  underflows: number;
  /** Weight updates with a nonzero step (on the row of the copy the optimizer updates). */
  updates: number;
  /** Of those, updates that left the copy unchanged. */
  swamped: number;
  /** swamped / updates; null without updates. */
  swampedShare: number | null;
  /** Largest finite magnitude before rounding. */
  maxAbs: number;
  /** Share of the format's dynamic range (in binades from its smallest positive value) up to maxAbs, 0..1. */
  rangeUsed: number;
}

export interface TrainTelemetry extends PhaseCounters {
  iterations: number;
  /** Mean training loss over the steps; null when it was not finite. */
  meanLoss: number | null;
  /** Training loss of the last step; null when it was not finite. */
  lastLoss: number | null;
}

export interface EvalTelemetry extends PhaseCounters {
  /** Mean test loss on each experience j evaluated after this one was trained (index j); null when not finite. */
  loss: Array<number | null>;
}

/** The precision switches a policy made while an experience trained (docs/precision.md, Policies). */
export interface PrecisionTelemetry {
  /** Switches in all (the timeline lists those the device reported: the first 32 of each TRAIN). */
  switches: number;
  /** From `step` (over the run) on, `role` of `layer` runs in `format` with `rounding`; `state` indexes config.precisionStates. */
  timeline: Array<{ step: number; state: number; layer: "all" | number; role: string; format: string; rounding: string }>;
}

export interface ExperienceTelemetry {
  experience: number;
  train: TrainTelemetry;
  eval: EvalTelemetry;
  /** Runs with a precision policy other than static. */
  precision?: PrecisionTelemetry;
}

export interface ReportMetrics {
  /** Mean of the last row of the accuracy matrix; null when the run did not finish. */
  avgAccuracy: number | null;
  /** Backward transfer (Lopez-Paz & Ranzato 2017); null with one experience or an unfinished run. */
  bwt: number | null;
  /** Forward transfer (Lopez-Paz & Ranzato 2017); null without the untrained accuracies. */
  fwt: number | null;
  /** Average forgetting (Chaudhry et al. 2018); null with one experience or an unfinished run. */
  forgetting: number | null;
}

export interface ReportStatus {
  complete: boolean;
  /** Experiences in the plan. */
  experiencesPlanned: number;
  /** Experiences trained and evaluated: the rows of `accuracy`. */
  experiencesCompleted: number;
  /** Why the run stopped early, when it did. */
  lost?: { experience: number; request: string; reason: string };
  /**
   * The board's checkpoint the run wrote last (run --checkpoint-every experience): its flash slot, the
   * experience after which it was taken, and the image's size. `run --resume` restores it when the
   * board still holds it: the device takes only an image of the same deployment, and the restored
   * weights must have that experience's model checksum.
   */
  checkpoint?: { slot: number; experience: number; bytes: number };
}

export interface ReportBoard {
  id: string;
  runtime: string;
  memoryLimitBytes: number;
  flashBytes: number;
  maxFrameSize: number;
  accelerator: boolean;
}

export interface ReportMemory {
  /** Model, optimiser state and strategy buffers as deployed, bytes (the board's DEPLOY reply). */
  modelBytes: number;
  /** Replay buffer budget, bytes; null when the strategy keeps none. */
  replayBytes: number | null;
  /** Most linear memory in use at once during the run, bytes. */
  peakLinearMemoryBytes: number;
  /** The board's linear-memory limit, bytes. */
  linearMemoryLimitBytes?: number;
}

export interface ReportEnergy {
  totalJ: number;
  /** Training and evaluation energy of each experience, joules. */
  perExperienceJ: number[];
  /** totalJ by where it was spent, when the board splits its estimate. */
  breakdown?: EnergyBreakdown;
  /** perExperienceJ[i] by where it was spent, when the board splits its estimate. */
  perExperienceBreakdownJ?: EnergyBreakdown[];
  /** Where the per-operation energy figures came from (the board manifest's energy source), when known. */
  source?: string;
}

export interface ReportAccelerator {
  jobs: number;
  cycles: number;
  /** MACs the accelerator ran. */
  macs?: number;
  /** MAC units of its array, rows x columns. */
  units?: number;
  /** MACs over what the array could have done in its cycles, macs / (units x cycles), 0..1. */
  utilisation?: number;
  /** GEMM jobs the device ran on the CPU path instead; by reason in cpuFallbacksByReason. */
  cpuFallbacks?: number;
  cpuFallbacksByReason?: CpuFallbacks;
}

/** What a board says it is at HELLO: its id, the WebAssembly runtime of its firmware, and its protocol. */
export interface BoardIdentity {
  id: string;
  runtime: string;
  protocolVersion: number;
}

/** The firmware image the host built and started for the board (qemu boards). */
export interface FirmwareIdentity {
  elf: string;
  runtime: string;
  sha256: string;
}

/** Where a report came from (docs/report.md, "Provenance"). */
export interface Provenance {
  tool: "edgecl";
  /** package.json's version of the tool that wrote the report. */
  version: string;
  /** HEAD of the git checkout the tool ran from; null outside a checkout. */
  gitCommit: string | null;
  /** Tracked files differed from that commit; null outside a checkout. */
  gitDirty: boolean | null;
  /** When the run started, ISO 8601 in UTC. */
  createdAt: string;
  /** The process's command line, the node binary left out. */
  commandLine: string[];
  /** Every flag of the command as resolved (defaults, --config file, command line): a config file that runs it again. */
  flags?: Record<string, unknown>;
  node: string;
  platform: string;
  /** The device module deployed: its file name, size and SHA-256. */
  deviceModule: { file: string; bytes: number; sha256: string } | null;
  /** The board's identity as it answered HELLO; null when the run never reached it. */
  board: BoardIdentity | null;
  /** The firmware image of a board the host built and started (qemu boards); absent or null otherwise. */
  firmware?: FirmwareIdentity | null;
}

export interface Report {
  schema: typeof REPORT_SCHEMA;
  version: typeof REPORT_VERSION;
  status: ReportStatus;
  /** Every resolved setting of the run (benchmark, scenario, strategy, precision, seed, board, ...). */
  config: Record<string, unknown>;
  board?: ReportBoard;
  /** R[i][j]: accuracy (0..1) on experience j's test set after training experience i; one row per completed experience. */
  accuracy: number[][];
  /** b[j]: accuracy on experience j's test set before any training (for FWT). */
  untrained?: number[];
  metrics: ReportMetrics;
  /** Multiply-accumulates of the whole run (training and evaluation) by format id. */
  macs: Record<string, number>;
  memory: ReportMemory;
  /**
   * CRC-32 of the final weights as the device stores them (the last telemetry reading's modelChecksum),
   * 8 lower-case hex digits: equal on every board that trained the same bits.
   */
  modelChecksum?: string;
  telemetry: ExperienceTelemetry[];
  energy?: ReportEnergy;
  accelerator?: ReportAccelerator;
  /** Where the report came from; absent in reports written before it was recorded. */
  provenance?: Provenance;
}
