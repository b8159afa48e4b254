// Runs a stream of experiences on a board and collects the report: HELLO, DEPLOY, the test sets,
// the untrained model's accuracies (for FWT), then for each experience DATA, TRAIN, a TELEMETRY read,
// EVAL on every experience's test set and another TELEMETRY read. `edgecl run` builds the plan
// (benchmark, strategy, precision); this file only talks to the board and fills the report.
// When the board is lost, times out or refuses a request, the report so far is saved (if a path is
// given) and the error says which experience was lost.
import { existsSync } from "node:fs";
import { RunError } from "../errors.js";
import { computeMetrics } from "../cl/metrics.js";
import { acceleratorSummary, energyCounters, energySummary } from "../report/energy.js";
import { formatWordName } from "../report/format-names.js";
import { silentProgress, type Progress } from "../report/progress.js";
import { writeReport } from "../report/io.js";
import { real } from "../report/units.js";
import {
  REPORT_SCHEMA, REPORT_VERSION, type EvalTelemetry, type HealthRow, type PhaseCounters, type PrecisionTelemetry, type Provenance, type Report,
  type TrainTelemetry,
} from "../report/types.js";
import { timelineEntries, layerTimelineEntry, type PrecisionSpec } from "../precision/index.js";

/** A TRAIN reply switch's layer when the whole model switched state. */
const WHOLE_MODEL = 255;
import { ROLE_NAMES } from "../precision/spec.js";
import { TrainFlag } from "../protocol/index.js";
import type { BoardClient, HelloReply, TelemetryReply } from "./client.js";
import { boardIds, loadBoard } from "../manifest/manifest.js";
import { energyParamsFrom } from "../../board/accel/energy.js";
import { circuitEnergy } from "../../board/accel/circuit.js";
import { BoardError, BoardLostError, BoardProtocolError, BoardTimeoutError } from "./errors.js";

export interface Deployment {
  /** The config blobs as bytes (docs/protocol.md DEPLOY), or text / an object sent as UTF-8 JSON. */
  config: Uint8Array | string | object;
  module: Uint8Array;
}

export interface RunSamples {
  /** count x features values, sample after sample. */
  inputs: Float32Array;
  /** One label per sample, as the scenario wants them. */
  labels: ArrayLike<number>;
}

export interface RunExperience {
  train: RunSamples;
  test: RunSamples;
}

export interface RunPlan {
  /** Every resolved setting; copied into the report as `config`. */
  config: Record<string, unknown>;
  /** Where the report comes from; copied into the report, with the board's HELLO identity added. */
  provenance?: Provenance;
  /**
   * The device module and the learner's configuration (model, precision, strategy), or a function that
   * makes them from the board's HELLO (the strategy blob carries the board's memory limit, and a board
   * with WASM SIMD takes the SIMD module).
   */
  deploy: Deployment | ((hello: HelloReply) => Deployment);
  /** Values per sample. */
  features: number;
  experiences: RunExperience[];
  /** Optimiser steps of each experience, and samples per step. */
  iterations: number;
  batchSize: number;
  /**
   * Most steps in one TRAIN request (default: all of an experience's in one). An experience then takes
   * several TRAINs, all but the last with TrainFlag.CONTINUE and all but the first with
   * TrainFlag.FOLLOWS, which give the bits of one request; progress moves with each.
   */
  stepsPerRequest?: number;
  /** Seed of the random draws of experience `experience`'s TRAIN requests. */
  trainSeed: (experience: number) => number;
  /** EVAL predicts only among the evaluated experience's classes (task-incremental scenario). */
  taskMask?: boolean;
  /** Sample encoding on the wire (default "f32", exact). */
  encoding?: "f32" | "u8";
  /** Evaluate the untrained model on every test set first, for FWT (default true). */
  evaluateUntrained?: boolean;
  /** "resident" (default): every test set is sent once and stays on the board; "resend": sent again before each EVAL. */
  testData?: "resident" | "resend";
  /** Replay buffer budget in bytes, for the report; null (default) without one. */
  replayBytes?: number | null;
  /** Timeout of each TRAIN, ms (default: the client's), or a function of the request's optimiser steps. */
  trainTimeoutMs?: number | ((steps: number) => number);
  /**
   * The report of an earlier run of this plan that stopped after some experiences (edgecl run --resume).
   * The board is deployed afresh. When the report names a checkpoint (`checkpointSlot`) taken after its
   * last completed experience and the board's flash still holds it (the device takes it, and the
   * weights give the saved model checksum), it is restored and the run goes on from there. Otherwise the completed experiences are run again,
   * with the same requests, which leaves the learner exactly as it was; each must give the saved
   * accuracies and model checksum, or the run stops. Either way their saved telemetry is kept.
   */
  resume?: Report;
  /**
   * The precision states of a policy other than static ([0] the run's spec): each experience's TRAIN
   * replies then give its precision timeline (host/precision/policy.ts).
   */
  precisionStates?: readonly PrecisionSpec[];
  /** CHECKPOINT to this flash slot after every completed experience (edgecl run --checkpoint-every experience). */
  checkpointSlot?: number;
  /** The strategy keeps every experience's training samples on the board (cumulative): a restored run sends them again. */
  keepsTrainingData?: boolean;
}

/** The request the runner is about to send, for progress and for tests that script faults. */
export interface RunStep {
  request: "HELLO" | "DEPLOY" | "DATA" | "TRAIN" | "EVAL" | "TELEMETRY" | "CHECKPOINT" | "RESTORE";
  /** The experience being trained, or null before the first one. */
  experience: number | null;
  /** The experience whose data is sent or evaluated, when it is not the one being trained. */
  target?: number;
}

export interface RunHooks {
  progress?: Progress;
  /** Where to save the report if the run stops early. */
  partialReportPath?: string;
  /** Called before every request. */
  onStep?: (step: RunStep) => void;
  /** Called with the report after every completed experience. */
  onExperience?: (report: Report, experience: number) => void;
}

/** A resumed run whose replayed experience does not give what the saved report holds. */
export class ResumeMismatchError extends RunError {}

/** The run stopped before its last experience; `report` holds what was completed. */
export class RunInterruptedError extends RunError {
  constructor(
    message: string,
    readonly report: Report,
    readonly cause: Error,
  ) {
    super(message);
  }
}

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** A CRC-32 as the report writes it: 8 lower-case hex digits. */
const checksumHex = (crc: number): string => (crc >>> 0).toString(16).padStart(8, "0");

function counters(t: TelemetryReply, health: boolean): PhaseCounters {
  const macsByFormat: Record<string, number> = {};
  for (const { format, macs } of t.macsByFormat) {
    const name = formatWordName(format);
    macsByFormat[name] = (macsByFormat[name] ?? 0) + macs;
  }
  return {
    timeUs: t.timeUs,
    macs: t.macs,
    macsByFormat,
    cycles: t.cycles,
    accelJobs: t.accelJobs,
    energyJ: finiteOrNull(t.energyJ),
    ...energyCounters(t),
    modelChecksum: checksumHex(t.modelChecksum),
    memoryUsedBytes: t.memoryUsed,
    memoryPeakBytes: t.memoryPeak,
    optimizerSteps: t.optimizerSteps,
    lossScaleSkips: t.lossScaleSkips,
    ...(health ? { health: t.health.map(healthRow) } : {}),
  };
}

/** A TELEMETRY health item as the report holds it: role and format by name. */
function healthRow(item: TelemetryReply["health"][number]): HealthRow {
  return {
    layer: item.layer,
    role: ROLE_NAMES[item.role] ?? `role ${item.role}`,
    format: formatWordName(item.format),
    values: item.values,
    overflows: item.overflows,
    underflows: item.underflows,
    updates: item.updates,
    swamped: item.swamped,
    swampedShare: item.updates > 0 ? item.swamped / item.updates : null,
    maxAbs: item.maxAbs,
    rangeUsed: item.rangeUsed,
  };
}

function emptyReport(plan: RunPlan): Report {
  return {
    schema: REPORT_SCHEMA,
    version: REPORT_VERSION,
    status: { complete: false, experiencesPlanned: plan.experiences.length, experiencesCompleted: 0 },
    config: plan.config,
    ...(plan.provenance ? { provenance: { ...plan.provenance } } : {}),
    accuracy: [],
    metrics: { avgAccuracy: null, bwt: null, fwt: null, forgetting: null },
    macs: {},
    memory: { modelBytes: 0, replayBytes: plan.replayBytes ?? null, peakLinearMemoryBytes: 0 },
    telemetry: [],
  };
}

/** Totals, energy and metrics from the rows and telemetry collected so far. */
function finish(report: Report, source: string | undefined): Report {
  const macs: Record<string, number> = {};
  let peak = report.memory.peakLinearMemoryBytes;
  for (const t of report.telemetry) {
    for (const phase of [t.train, t.eval]) {
      for (const [name, n] of Object.entries(phase.macsByFormat)) macs[name] = (macs[name] ?? 0) + n;
      peak = Math.max(peak, phase.memoryPeakBytes, phase.memoryUsedBytes);
    }
  }
  report.macs = Object.fromEntries(Object.entries(macs).sort(([a], [b]) => a.localeCompare(b)));
  report.memory.peakLinearMemoryBytes = peak;
  const energy = energySummary(report.telemetry);
  if (energy) {
    if (source) energy.source = source;
    report.energy = energy;
  }
  if (report.board?.accelerator) report.accelerator = acceleratorSummary(report.telemetry);
  // The weights as they ended: read after the last completed experience's evaluation.
  const last = report.telemetry.at(-1);
  if (last?.eval.modelChecksum !== undefined) report.modelChecksum = last.eval.modelChecksum;
  const T = report.status.experiencesPlanned;
  report.status.experiencesCompleted = report.accuracy.length;
  report.status.complete = report.accuracy.length === T && !report.status.lost;
  if (report.status.complete) {
    const metrics = computeMetrics(report.accuracy, report.untrained);
    report.metrics = metrics;
  }
  return report;
}

const isBoardFailure = (err: unknown): err is BoardError | BoardLostError | BoardTimeoutError | BoardProtocolError =>
  err instanceof BoardError || err instanceof BoardLostError || err instanceof BoardTimeoutError || err instanceof BoardProtocolError;

/**
 * The energy source of the board a run names (an id or a manifest path), or else of the board that
 * answered HELLO, when this checkout has its manifest (docs/energy.md, docs/hardware.md).
 */
function energySource(named: string | undefined, id: string | undefined): string | undefined {
  const manifestOf = (spec: string | undefined) => {
    if (spec === undefined) return undefined;
    if (boardIds().includes(spec)) return loadBoard(spec);
    return spec.endsWith(".json") && existsSync(spec) ? loadBoard(spec) : undefined;
  };
  const manifest = manifestOf(named) ?? manifestOf(id);
  return manifest ? energyParamsFrom(manifest.energy, `${manifest.file}: energy`, circuitEnergy).source : undefined;
}

/** A report can be resumed by this plan: the same settings, and some but not all experiences completed. */
export function checkResumable(saved: Report, plan: RunPlan): void {
  const same = JSON.stringify(saved.config) === JSON.stringify(plan.config);
  if (!same) throw new ResumeMismatchError("expected a report made with the same settings as this run, received one whose config differs; resume it with its own flags");
  const T = plan.experiences.length;
  if (saved.status.complete || saved.accuracy.length >= T) throw new ResumeMismatchError(`expected a report of an unfinished run, received one with all ${T} experiences completed; nothing to resume`);
  if (saved.telemetry.length !== saved.accuracy.length) throw new ResumeMismatchError(`expected telemetry for each of the ${saved.accuracy.length} saved experiences, received ${saved.telemetry.length}`);
}

/** Experience i run again gives the saved accuracies and model checksum, or the resumed run would differ. */
function checkReplayed(saved: Report, i: number, row: number[], checksum: string | undefined): void {
  const want = saved.telemetry[i].eval.modelChecksum;
  if (JSON.stringify(saved.accuracy[i]) !== JSON.stringify(row) || want !== checksum) {
    throw new ResumeMismatchError(
      `expected experience ${i} run again to give the saved accuracies and model checksum ${want}, received checksum ${checksum}; the code or the board differs from the saved run's`,
    );
  }
}

/**
 * Restores the checkpoint a saved run wrote after its last completed experience, when the board's flash
 * still holds it; true when it did. The device refuses an image of another deployment; one of this
 * deployment must give the model checksum the saved run read after that experience (a CRC-32 of the
 * image cannot tell: a CRC over data and its own CRC is the same constant for every image). Otherwise
 * the learner is as DEPLOY left it (a wrong image is undone by deploying again) and the run replays;
 * which of the two happened, and why, goes to the progress log.
 */
async function restoreCheckpoint(client: BoardClient, plan: RunPlan, saved: Report, deployment: Deployment, progress: Progress): Promise<boolean> {
  const completed = saved.accuracy.length;
  const want = saved.status.checkpoint;
  const replay = (why: string) => {
    progress.log(`resuming by running experiences 0..${completed - 1} again: ${why}`);
    return false;
  };
  if (plan.checkpointSlot === undefined) return replay("the run takes no checkpoints");
  // The report's precision timeline names formats, not the policy's state: the host learns the state it
  // resumes in only by following the switches again.
  if (plan.precisionStates) return replay("a precision policy's timeline continues from the state its switches reach");
  if (!want || want.slot !== plan.checkpointSlot || want.experience !== completed - 1) {
    return replay(`the report names no checkpoint taken after experience ${completed - 1}`);
  }
  try {
    await client.restore(want.slot);
  } catch (err) {
    if (err instanceof BoardError) return replay(`the board's RESTORE refused: ${err.detail}`);
    throw err;
  }
  // TELEMETRY without a reset reads and changes nothing.
  const checksum = checksumHex((await client.telemetry()).modelChecksum);
  const expected = saved.telemetry[completed - 1].eval.modelChecksum;
  if (checksum !== expected) {
    await client.deploy(deployment);
    return replay(`flash slot ${want.slot} holds another checkpoint of this deployment (model checksum ${checksum}, expected ${expected})`);
  }
  progress.log(`resuming from the board's checkpoint of experience ${completed - 1} (flash slot ${want.slot}, ${want.bytes} bytes, model checksum ${checksum})`);
  return true;
}

/** Runs the plan on the board; resolves with the complete report or rejects with RunInterruptedError. */
export async function runExperiences(client: BoardClient, plan: RunPlan, hooks: RunHooks = {}): Promise<Report> {
  const progress = hooks.progress ?? silentProgress;
  const T = plan.experiences.length;
  if (T === 0) throw new RunError("expected at least one experience to run, received none");
  const resident = (plan.testData ?? "resident") === "resident";
  const untrained = plan.evaluateUntrained ?? true;
  // Runs deployed with --health carry the device's health rows in every phase's counters.
  const health = plan.config.health === true;
  const stepsPerRequest = plan.stepsPerRequest ?? Math.max(1, plan.iterations);
  if (!Number.isInteger(stepsPerRequest) || stepsPerRequest < 1) throw new RunError(`expected steps per TRAIN request to be a positive integer, received ${plan.stepsPerRequest}`);
  const trainRequests = Math.max(1, Math.ceil(plan.iterations / stepsPerRequest));
  // Steps: HELLO, DEPLOY; resident test sets; untrained EVALs and a counter reset; per experience DATA,
  // its TRAINs, TELEMETRY, an EVAL (and, resending, a DATA) per test set, TELEMETRY.
  // Progress counts requests, and a TRAIN request as many as its optimiser steps: the ETA follows the work.
  const total = 2 + (resident ? T : 0) + (untrained ? T + 1 : 0) + T * (3 + plan.iterations + T + (resident ? 0 : T));
  const resume = plan.resume;
  const saved = resume ? resume.accuracy.length : 0;
  if (resume) checkResumable(resume, plan);
  const report = emptyReport(plan);
  let done = 0;
  let current: number | null = null;
  const step = (s: RunStep, detail: string, weight = 1) => {
    hooks.onStep?.(s);
    progress.update(done, detail);
    done += weight;
  };
  const sendTest = (j: number) =>
    client.data({ experience: j, split: "test", inputs: plan.experiences[j].test.inputs, labels: plan.experiences[j].test.labels, features: plan.features, encoding: plan.encoding });
  const evaluate = async (j: number) => {
    const r = await client.eval({ experience: j, taskMask: plan.taskMask });
    if (r.total === 0) throw new BoardProtocolError(client.board, `EVAL (experience ${j})`, "expected test samples to be evaluated, received a total of 0");
    return r;
  };

  progress.start(total, `run on ${client.board}`);
  let source: string | undefined;
  try {
    step({ request: "HELLO", experience: null }, "HELLO");
    const hello = await client.hello();
    report.board = {
      id: hello.board,
      runtime: hello.runtime,
      memoryLimitBytes: hello.memoryLimit,
      flashBytes: hello.flashSize,
      maxFrameSize: hello.maxFrameSize,
      accelerator: hello.accelPresent === 1,
    };
    report.memory.linearMemoryLimitBytes = hello.memoryLimit;
    // Read once: the board's manifest names where its energy figures come from.
    source = energySource(typeof report.config?.board === "string" ? report.config.board : undefined, hello.board);
    if (report.provenance) report.provenance.board = { id: hello.board, runtime: hello.runtime, protocolVersion: hello.protocolVersion };

    step({ request: "DEPLOY", experience: null }, "DEPLOY");
    const deployment = typeof plan.deploy === "function" ? plan.deploy(hello) : plan.deploy;
    const deployed = await client.deploy(deployment);
    report.memory.modelBytes = deployed.modelBytes;
    report.memory.peakLinearMemoryBytes = deployed.memoryUsed;
    // A resumed run takes up the board's checkpoint when it is the one the saved run wrote last.
    const restored = resume ? await restoreCheckpoint(client, plan, resume, deployment, progress) : false;
    if (restored) report.status.checkpoint = resume!.status.checkpoint;

    if (resident) {
      for (let j = 0; j < T; j++) {
        step({ request: "DATA", experience: null, target: j }, `test data of experience ${j}`);
        await sendTest(j);
      }
    }
    if (untrained && restored) {
      // The restored learner is no longer untrained: the saved accuracies stand, and the test sets go
      // where the evaluation would have put them, so the board's memory is laid out as in the saved run.
      for (let j = 0; j < T; j++) {
        step({ request: "DATA", experience: null, target: j }, `test data of experience ${j}`);
        if (!resident) await sendTest(j);
      }
      report.untrained = resume!.untrained;
    } else if (untrained) {
      const b: number[] = [];
      for (let j = 0; j < T; j++) {
        step({ request: "EVAL", experience: null, target: j }, `untrained model on experience ${j}`);
        if (!resident) await sendTest(j);
        const r = await evaluate(j);
        b.push(r.correct / r.total);
      }
      if (resume?.untrained !== undefined && JSON.stringify(resume.untrained) !== JSON.stringify(b)) {
        throw new ResumeMismatchError("expected the untrained model's accuracies of the saved run, received others; the code or the board differs from the saved run's");
      }
      report.untrained = b;
    }
    if (restored && plan.keepsTrainingData) {
      for (let i = 0; i < saved; i++) {
        step({ request: "DATA", experience: null, target: i }, `training data of experience ${i} (kept by the strategy)`, 0);
        await client.data({ experience: i, split: "train", inputs: plan.experiences[i].train.inputs, labels: plan.experiences[i].train.labels, features: plan.features, encoding: plan.encoding });
      }
    }
    // Counters start at the first experience: deployment and the untrained evaluation are not its work.
    if (untrained) step({ request: "TELEMETRY", experience: null }, "reset counters");
    await client.telemetry({ resetCounters: true });

    // The precision state the device runs in: 0 (the run's spec) until the policy's first switch.
    let precisionState = 0;
    if (restored) {
      for (let i = 0; i < saved; i++) {
        report.accuracy.push(resume!.accuracy[i]);
        report.telemetry.push(resume!.telemetry[i]);
      }
      finish(report, source);
      done += saved * (3 + plan.iterations + T + (resident ? 0 : T));
    }
    for (let i = restored ? saved : 0; i < T; i++) {
      current = i;
      const experience = plan.experiences[i];
      step({ request: "DATA", experience: i }, `experience ${i} of 0..${T - 1}: training data`);
      await client.data({ experience: i, split: "train", inputs: experience.train.inputs, labels: experience.train.labels, features: plan.features, encoding: plan.encoding });

      let stepsRun = 0;
      const precision: PrecisionTelemetry = { switches: 0, timeline: [] };
      let meanLoss = Number.NaN;
      let lastLoss = Number.NaN;
      for (let r = 0; r < trainRequests; r++) {
        const steps = r === trainRequests - 1 ? plan.iterations - r * stepsPerRequest : stepsPerRequest;
        const detail = trainRequests === 1 ? `training, ${steps} iterations` : `training, steps ${r * stepsPerRequest + 1}..${r * stepsPerRequest + steps} of ${plan.iterations}`;
        const replaying = i < saved ? " (replaying a saved experience)" : "";
        step({ request: "TRAIN", experience: i }, `experience ${i} of 0..${T - 1}: ${detail}${replaying}`, steps);
        const timeoutMs = typeof plan.trainTimeoutMs === "function" ? plan.trainTimeoutMs(steps) : plan.trainTimeoutMs;
        const trained = await client.train(
          {
            experience: i,
            iterations: steps,
            batchSize: plan.batchSize,
            seed: plan.trainSeed(i) >>> 0,
            flags: (r < trainRequests - 1 ? TrainFlag.CONTINUE : 0) | (r > 0 ? TrainFlag.FOLLOWS : 0),
          },
          timeoutMs ? { timeoutMs } : {},
        );
        stepsRun += trained.iterations;
        if (plan.precisionStates) {
          precision.switches += trained.precisionSwitches;
          for (const s of trained.switches) {
            if (s.layer !== WHOLE_MODEL) {
              precision.timeline.push(layerTimelineEntry(plan.precisionStates, s));
              continue;
            }
            precision.timeline.push(...timelineEntries(plan.precisionStates, precisionState, s.state, s.step));
            precisionState = s.state;
          }
        }
        // A request that FOLLOWS others reports the mean over the experience's steps so far.
        meanLoss = trained.meanLoss;
        lastLoss = trained.lastLoss;
      }
      step({ request: "TELEMETRY", experience: i }, `experience ${i} of 0..${T - 1}: counters`);
      const train: TrainTelemetry = {
        ...counters(await client.telemetry({ resetCounters: true }), health),
        iterations: stepsRun,
        meanLoss: stepsRun > 0 ? finiteOrNull(meanLoss) : null,
        lastLoss: finiteOrNull(lastLoss),
      };

      const row: number[] = [];
      const loss: Array<number | null> = [];
      for (let j = 0; j < T; j++) {
        if (!resident) {
          step({ request: "DATA", experience: i, target: j }, `experience ${i} of 0..${T - 1}: test data of ${j}`);
          await sendTest(j);
        }
        step({ request: "EVAL", experience: i, target: j }, `experience ${i} of 0..${T - 1}: evaluating on ${j}`);
        const r = await evaluate(j);
        row.push(r.correct / r.total);
        loss.push(finiteOrNull(r.meanLoss));
      }
      step({ request: "TELEMETRY", experience: i }, `experience ${i} of 0..${T - 1}: counters`);
      const evalTelemetry: EvalTelemetry = { ...counters(await client.telemetry({ resetCounters: true }), health), loss };
      if (plan.checkpointSlot !== undefined) {
        // After the counters are read: the checkpoint's time is not the experience's. Its pieces take
        // no more memory than the requests before it (docs/protocol.md, CHECKPOINT and RESTORE in pieces).
        step({ request: "CHECKPOINT", experience: i }, `experience ${i} of 0..${T - 1}: checkpoint`, 0);
        const written = await client.checkpoint(plan.checkpointSlot);
        report.status.checkpoint = { slot: plan.checkpointSlot, experience: i, bytes: written.bytes };
      }

      if (i < saved) {
        // A replayed experience: the learner must be where the saved run left it; its saved rows stay.
        checkReplayed(resume!, i, row, evalTelemetry.modelChecksum);
        report.accuracy.push(resume!.accuracy[i]);
        report.telemetry.push(resume!.telemetry[i]);
        finish(report, source);
        continue;
      }
      report.accuracy.push(row);
      report.telemetry.push({ experience: i, train, eval: evalTelemetry, ...(plan.precisionStates ? { precision } : {}) });
      finish(report, source);
      const mean = row.slice(0, i + 1).reduce((a, b) => a + b, 0) / (i + 1);
      progress.log(`experience ${i} of 0..${T - 1}: loss ${train.meanLoss === null ? "not finite" : real(train.meanLoss)}, mean accuracy on experiences so far ${(100 * mean).toFixed(2)}%`);
      hooks.onExperience?.(report, i);
    }
    progress.update(total, "done");
    progress.stop();
    return finish(report, source);
  } catch (err) {
    progress.stop();
    if (!isBoardFailure(err)) throw err;
    const lost = current ?? 0;
    report.status.lost = { experience: lost, request: "request" in err && err.request ? err.request : "?", reason: err.message };
    finish(report, source);
    let saved = "";
    if (hooks.partialReportPath) {
      writeReport(hooks.partialReportPath, report);
      saved = `; the partial report is saved in ${hooks.partialReportPath}`;
    }
    const completed = report.accuracy.length;
    const what = current === null ? `before experience 0 started (setting up the board)` : `during experience ${lost}`;
    throw new RunInterruptedError(
      `${err.message}. The run stopped ${what}: experience ${lost} was lost, ${completed} of ${T} experience${T === 1 ? "" : "s"} completed${saved}`,
      report,
      err,
    );
  }
}
