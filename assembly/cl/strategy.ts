// A continual-learning strategy is one row of hooks: the learner (learner.ts) runs the generic training
// step and calls a hook wherever strategies differ. Every hook has a default that leaves the generic
// behaviour as it is, so a strategy's file (strategies/<name>.ts) sets only what its strategy changes
// (starting from its family's row, bufferRow or penaltyRow, where it has one), and the table in strategies/index.ts puts the rows in the order of their ids. docs/strategies.md,
// "Adding a strategy", gives the steps.
import { Model } from "../nn/model";
import { updateRange } from "../nn/optim";
import { Learner, batchGradient } from "./learner";

/** A word and a real of the strategy blob (cl/abi.ts) that starts at `blob`. */
// @ts-ignore: decorator
@inline export function blobWord(blob: usize, i: i32): u32 { return load<u32>(blob + (<usize>i << 2)); }
// @ts-ignore: decorator
@inline export function blobReal(blob: usize, i: i32): f32 { return load<f32>(blob + (<usize>i << 2)); }

/** Where strategies keep scalars in the checkpoint's scalar area (the learner's own lie elsewhere). */
export const SCALARS_FROZEN: usize = 52;
export const SCALARS_BUFFER: usize = 96;
export const SCALARS_PENALTY: usize = 112;

function checkNothing(model: Model, blob: usize): bool { return true; }
function layoutNothing(l: Learner, blob: usize, dry: bool): void {}
function nothing(l: Learner): void {}
function scalarsNothing(l: Learner, scalars: usize): void {}
function noRows(l: Learner, n: i32): i32 { return n; }
function noGroupHandling(l: Learner, first: i32, end: i32): bool { return false; }
function atExperience(l: Learner, experience: i32): void {}
function atEnd(l: Learner, experience: i32, batch: i32, scratch: usize): void {}
function updateAll(l: Learner, start: i32, end: i32): void {
  updateRange(l.model.ctx, l.model.optimizer, start, end - start);
}
function noTraining(l: Learner, experience: i32, iterations: i32, batch: i32, scratch: usize): f64 { return 0; }
function noMask(l: Learner, experience: i32): bool { return false; }
function noValues(l: Learner): u64 { return 0; }
function noPenalty(l: Learner): f64 { return 0; }
function noOwners(l: Learner): usize { return 0; }

export class Strategy {
  /** The name the host gives it (docs/strategies.md); messages list the names in id order. */
  name: string;

  constructor(name: string) {
    this.name = name;
  }

  // ---- What it is (read by the command loop and the generic step) ----
  /** Each step adds up to replayBatch buffer rows to the batch, so TRAIN's batch must leave room. */
  replays: bool = false;
  /** Trains on the samples of every experience so far, and keeps them (cumulative training). */
  allExperiences: bool = false;
  /** Trains only when an experience ends (GDumb): a TRAIN that continues one runs no step. */
  trainsAtEnd: bool = false;
  /** Needs gamma above 0, not only at least 0 (LwF's temperature). */
  gammaAboveZero: bool = false;
  /** Needs the gradient accumulator (learner.acc) even with one head. */
  accumulates: bool = false;
  /** Keeps copies of the stored weights or optimizer state (snapshots): their formats may not switch mid-run. */
  keepsWeights: bool = false;

  // ---- DEPLOY ----
  /** Checks the strategy blob against the planned model; false after writing the message (device/text.ts). */
  check: (model: Model, blob: usize) => bool = checkNothing;
  /**
   * Creates the strategy's state: objects with `new`, every block through take(dry, bytes) (nn/alloc.ts),
   * so that with `dry` the same code only counts what the deployment would take.
   */
  layout: (l: Learner, blob: usize, dry: bool) => void = layoutNothing;

  // ---- CHECKPOINT and RESTORE ----
  /** Adds the state's regions (checkpoint.ts addRegion), after the model's. */
  regions: (l: Learner) => void = nothing;
  /** Writes and reads the state's scalars in the checkpoint's scalar area (the SCALARS_ offsets below). */
  pack: (l: Learner, scalars: usize) => void = scalarsNothing;
  unpack: (l: Learner, scalars: usize) => void = scalarsNothing;

  // ---- TRAIN ----
  /** The first TRAIN of an experience is about to run its first step. */
  beginExperience: (l: Learner, experience: i32) => void = atExperience;
  /** Adds rows after the n current rows of a step's batch (replay); returns the rows in all. */
  pickRows: (l: Learner, n: i32) => i32 = noRows;
  /** The gradient of a step's rows 0..n-1 (learner.ts batchGradient; LwF distils, A-GEM projects). */
  gradient: (l: Learner, n: i32) => void = batchGradient;
  /** Computes one head's group of rows its own way (latent replay, LwF); false leaves it to the learner. */
  groupGradient: (l: Learner, first: i32, end: i32) => bool = noGroupHandling;
  /** Changes the batch's gradient before the update (penalties). */
  adjustGradient: (l: Learner) => void = nothing;
  /** Updates parameters start .. end-1 (SI integrates its path, PackNet moves only the free ones). */
  update: (l: Learner, start: i32, end: i32) => void = updateAll;
  /** Acts at an experience's end (Fisher, buffer, pruning, snapshot). */
  endExperience: (l: Learner, experience: i32, batch: i32, scratch: usize) => void = atEnd;
  /** Trains when an experience ends, instead of at each TRAIN (trainsAtEnd); returns the mean step loss. */
  trainAtEnd: (l: Learner, experience: i32, iterations: i32, batch: i32, scratch: usize) => f64 = noTraining;
  /** Values of f32 scratch the end of an experience needs beyond a sample and the buffer's slots. */
  scratchValues: (l: Learner) => u64 = noValues;

  // ---- EVAL ----
  /** Masks the weights for a task's evaluation (PackNet); true when it did, and evalUnmask undoes it. */
  evalMask: (l: Learner, experience: i32) => bool = noMask;
  evalUnmask: (l: Learner) => void = nothing;

  // ---- Inspection (assembly/api/cl.ts) ----
  penalty: (l: Learner) => f64 = noPenalty;
  owners: (l: Learner) => usize = noOwners;
}
