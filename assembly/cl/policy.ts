// Precision policies (docs/precision.md, Policies): which precision state (nn/switch.ts) each training
// step runs in, decided on the device at the step boundary, as part of the learner. A policy is one row
// of hooks (policies/<name>.ts) in the table of policies/index.ts, indexed by its POLICY_* id; the
// learner keeps its run (the counters a rule reads) and the switches of the current TRAIN.
//
// A policy that moves each layer's roles by itself (adaptive) keeps the model in state 0 and uses the
// row's step hooks: `stepBegins` and `stepEnds` bracket a training step (its figures are the step's own),
// and `stepEnds` switches a layer's role by `layerSwitched`, which records it as the learner records a
// state switch.
import { Model } from "../nn/model";
import { switchState, adoptState, storeChanges, stateRole, copyRole } from "../nn/switch";
import { ROLE_WEIGHT, ROLE_MASTER, ROLE_OPTIMIZER, ROLE_REPLAY } from "../nn/abi";
import { Role, newRole } from "../nn/precision";
import { ReplayBuffer, bufferReencode, bufferFollowRole } from "./buffer";
import { take } from "../nn/alloc";
import {
  CL_POLICY, CL_POLICY_STEPS, CL_POLICY_PERIOD, CL_POLICY_LOW, CL_POLICY_HIGH, CL_POLICY_CHANGE_COUNT,
  CL_POLICY_CHANGES, POLICY_STATIC, POLICY_COUNT, POLICY_MAX_CHANGES, CHANGE_WORDS, CL_POLICY_ROLES,
  CL_POLICY_UNDERFLOW, CL_POLICY_OVERFLOW, CL_POLICY_RANGE, CL_POLICY_WIDEN, CL_POLICY_NARROW,
  CL_POLICY_DRIFT_WINDOW, CL_POLICY_DRIFT_K, CL_POLICY_SWAMP,
} from "./abi";
import { addRegion } from "../device/image";
import { text, num } from "../device/text";
import { Strategy, blobWord, blobReal } from "./strategy";

/** A switch's layer and role when the whole model switched state (the TRAIN reply's 255, 255). */
export const WHOLE_MODEL: u32 = 0xffff;

/** Switches one TRAIN reply lists (the count of all of them is sent too). */
export const SWITCH_LOG_MAX: i32 = 32;

@final @unmanaged
export class PolicyRun {
  kind: i32 = 0;
  /** The policy's words (cl/abi.ts CL_POLICY_*), copied at DEPLOY. */
  steps: i32 = 0;
  period: i32 = 0;
  low: i32 = 0;
  high: i32 = 0;
  changeCount: i32 = 0;
  /** changeCount x CHANGE_WORDS words. */
  changes: usize = 0;
  /** adaptive: the controlled roles (1 << ROLE_*), its thresholds and patiences. */
  roles: u32 = 0;
  swamp: f32 = 0;
  underflow: f32 = 0;
  overflow: f32 = 0;
  range: f32 = 0;
  widen: i32 = 0;
  narrow: i32 = 0;
  /** boundary: the drift detector's window of step losses (0: experience starts trigger) and its k. */
  driftWindow: i32 = 0;
  driftK: f32 = 0;
  /** The mean loss of the step that just ended (stepEnds reads it). */
  loss: f64 = 0;
  /** The policy's own state (a block of its file), and its bytes: a checkpoint carries it. */
  own: usize = 0;
  ownBytes: usize = 0;
  /** Training steps so far (over the run), the experience the last step trained and its steps so far. */
  step: i32 = 0;
  experience: i32 = -1;
  experienceStep: i32 = 0;
  /** The experience the running TRAIN names (its steps, GDumb's at the end included, belong to it). */
  training: i32 = -1;
  /** Switches of the current TRAIN: (step, state, layer << 8 | role) u32 triples, the first SWITCH_LOG_MAX of `switches`. */
  log: usize = 0;
  switches: i32 = 0;
  /** The run's counters as a checkpoint holds them. */
  saved: usize = 0;
  /** The replay role before a switch, while the buffer is re-encoded from it (adaptive: a layer's weight role). */
  replayBefore: Role = changetype<Role>(0);
}

function checkNothing(model: Model, run: PolicyRun, states: i32): bool { return true; }
function baseState(run: PolicyRun): i32 { return 0; }
function layOutNothing(run: PolicyRun, model: Model, dry: bool): void {}
function nothing(run: PolicyRun, model: Model): void {}

export class Policy {
  /** The name the host gives it (docs/precision.md). */
  name: string;

  constructor(name: string) {
    this.name = name;
  }

  /** Checks the run's words against the states the model has; false after writing the message (device/text.ts). */
  check: (model: Model, run: PolicyRun, states: i32) => bool = checkNothing;
  /** The state the next step (run.step, run.experience, run.experienceStep) runs in: 0 .. states. */
  decide: (run: PolicyRun) => i32 = baseState;
  /** Takes the policy's own state (run.own, run.ownBytes) when the learner is laid out. */
  layout: (run: PolicyRun, model: Model, dry: bool) => void = layOutNothing;
  /** Around each training step, after `decide`'s switch and after the update. */
  stepBegins: (run: PolicyRun, model: Model) => void = nothing;
  stepEnds: (run: PolicyRun, model: Model) => void = nothing;
  /** After RESTORE put run.own back: the model follows it. */
  restored: (run: PolicyRun, model: Model) => void = nothing;
}

/** The policy's run for the strategy blob at `blob`; 0 for the static policy, which never switches. */
export function newPolicyRun(blob: usize, dry: bool, model: Model, policies: StaticArray<Policy>): PolicyRun {
  const kind = <i32>blobWord(blob, CL_POLICY);
  if (kind == POLICY_STATIC) return changetype<PolicyRun>(0);
  const run = new PolicyRun();
  readWords(run, blob);
  const changeBytes = <usize>(POLICY_MAX_CHANGES * CHANGE_WORDS) << 2;
  run.changes = take(dry, changeBytes);
  if (!dry) memory.copy(run.changes, blob + (<usize>CL_POLICY_CHANGES << 2), changeBytes);
  run.log = take(dry, <u64>SWITCH_LOG_MAX * 12);
  run.saved = take(dry, 32);
  run.replayBefore = newRole();
  policies[kind].layout(run, model, dry);
  return run;
}

function readWords(run: PolicyRun, blob: usize): void {
  run.kind = <i32>blobWord(blob, CL_POLICY);
  run.steps = <i32>blobWord(blob, CL_POLICY_STEPS);
  run.period = <i32>blobWord(blob, CL_POLICY_PERIOD);
  run.low = <i32>blobWord(blob, CL_POLICY_LOW);
  run.high = <i32>blobWord(blob, CL_POLICY_HIGH);
  run.changeCount = <i32>min<u32>(blobWord(blob, CL_POLICY_CHANGE_COUNT), <u32>POLICY_MAX_CHANGES);
  run.roles = blobWord(blob, CL_POLICY_ROLES);
  run.swamp = blobReal(blob, CL_POLICY_SWAMP);
  run.underflow = blobReal(blob, CL_POLICY_UNDERFLOW);
  run.overflow = blobReal(blob, CL_POLICY_OVERFLOW);
  run.range = blobReal(blob, CL_POLICY_RANGE);
  run.widen = <i32>blobWord(blob, CL_POLICY_WIDEN);
  run.narrow = <i32>blobWord(blob, CL_POLICY_NARROW);
  run.driftWindow = <i32>blobWord(blob, CL_POLICY_DRIFT_WINDOW);
  run.driftK = blobReal(blob, CL_POLICY_DRIFT_K);
}

/** A word of a schedule change. */
export function changeWord(run: PolicyRun, change: i32, word: i32): i32 {
  return load<i32>(run.changes + (<usize>(change * CHANGE_WORDS + word) << 2));
}

/**
 * Checks the policy of a planned deployment: a known id, its words against the model's states, and no
 * switch of a stored format under a strategy that keeps copies of the weights.
 */
export function checkPolicy(model: Model, hooks: Strategy, blob: usize, policies: StaticArray<Policy>): bool {
  const kind = blobWord(blob, CL_POLICY);
  if (kind >= <u32>POLICY_COUNT) {
    text("expected a precision policy id from 0 to ");
    num(POLICY_COUNT - 1);
    text(", received ");
    num(kind);
    return false;
  }
  if (kind == <u32>POLICY_STATIC) return true;
  const ctx = model.ctx;
  const states = changetype<usize>(ctx.states) == 0 ? 0 : ctx.states.count;
  const run = new PolicyRun();
  readWords(run, blob);
  run.changes = blob + (<usize>CL_POLICY_CHANGES << 2);
  if (blobWord(blob, CL_POLICY_CHANGE_COUNT) > <u32>POLICY_MAX_CHANGES) {
    text("expected at most ");
    num(POLICY_MAX_CHANGES);
    text(" schedule changes, received ");
    num(blobWord(blob, CL_POLICY_CHANGE_COUNT));
    return false;
  }
  if (!policies[kind].check(model, run, states)) return false;
  if (hooks.keepsWeights && (storeChanges(ctx, ROLE_WEIGHT) || storeChanges(ctx, ROLE_MASTER) || storeChanges(ctx, ROLE_OPTIMIZER))) {
    text("expected a precision policy that keeps the weight, master and optimizer formats with ");
    text(hooks.name);
    text(" (it keeps copies of the stored weights), received one that switches them; switch only activation, error, gradient, mul or acc");
    return false;
  }
  return true;
}

/** Writes "expected <what> from <low> to <high>, received <value>" and returns false. */
export function outOfRange(what: string, low: i64, high: i64, value: i64): bool {
  text("expected ");
  text(what);
  text(" from ");
  num(low);
  text(" to ");
  num(high);
  text(", received ");
  num(value);
  return false;
}

/** A new TRAIN lists only its own switches. */
export function policyTrainStarts(run: PolicyRun): void {
  if (changetype<usize>(run) != 0) run.switches = 0;
}

/** The TRAIN about to run its steps trains `experience`. */
export function policyTrains(run: PolicyRun, experience: i32): void {
  if (changetype<usize>(run) != 0) run.training = experience;
}

/** At a step boundary: the policy decides the state of the next step, and the model switches to it. */
export function policyBeforeStep(run: PolicyRun, model: Model, buffer: ReplayBuffer, policies: StaticArray<Policy>): void {
  if (changetype<usize>(run) == 0) return;
  if (run.training != run.experience) {
    run.experience = run.training;
    run.experienceStep = 0;
  }
  const s = policies[run.kind].decide(run);
  const ctx = model.ctx;
  if (s != ctx.states.current) {
    // The buffer holds samples in the replay role: re-encoded from its words before the switch.
    const replay = changetype<usize>(buffer) != 0 && stateRole(ctx.states, s, ROLE_REPLAY).word != ctx.replay.word;
    if (replay) copyRole(run.replayBefore, ctx.replay);
    switchState(model, s);
    if (replay) bufferReencode(buffer, run.replayBefore, ctx.states.rng);
    logSwitch(run, run.step, s, WHOLE_MODEL);
  }
  policies[run.kind].stepBegins(run, model);
  run.step++;
  run.experienceStep++;
}

/** After a training step's update (applied or skipped), whose mean loss over its rows was `loss`. */
export function policyAfterStep(run: PolicyRun, model: Model, loss: f64, policies: StaticArray<Policy>): void {
  if (changetype<usize>(run) == 0) return;
  run.loss = loss;
  policies[run.kind].stepEnds(run, model);
}

function logSwitch(run: PolicyRun, step: i32, s: i32, where: u32): void {
  if (run.switches < SWITCH_LOG_MAX) {
    const at = run.log + <usize>run.switches * 12;
    store<u32>(at, <u32>step);
    store<u32>(at + 4, <u32>s);
    store<u32>(at + 8, where);
  }
  run.switches++;
}

/** Records that `layer`'s role r runs in its rung `s` (the role's format in state s) from the next step on. */
export function layerSwitched(run: PolicyRun, layer: i32, r: i32, s: i32): void {
  logSwitch(run, run.step, s, <u32>(layer << 8 | r));
}

/** Switch i of the current TRAIN: its step, state, and layer << 8 | role (WHOLE_MODEL for a state switch). */
export function switchStep(run: PolicyRun, i: i32): u32 { return load<u32>(run.log + <usize>i * 12); }
export function switchTo(run: PolicyRun, i: i32): u32 { return load<u32>(run.log + <usize>i * 12 + 4); }
export function switchWhere(run: PolicyRun, i: i32): u32 { return load<u32>(run.log + <usize>i * 12 + 8); }

// ---- CHECKPOINT and RESTORE: the counters and the current state (its stores are in the image as they are) ----

export function policyRegions(run: PolicyRun): void {
  if (changetype<usize>(run) == 0) return;
  addRegion(run.saved, 32);
  if (run.ownBytes != 0) addRegion(run.own, run.ownBytes);
}

export function policyPack(run: PolicyRun, model: Model): void {
  if (changetype<usize>(run) == 0) return;
  store<i32>(run.saved, run.step);
  store<i32>(run.saved + 4, run.experience);
  store<i32>(run.saved + 8, run.experienceStep);
  store<i32>(run.saved + 12, model.ctx.states.current);
  store<u32>(run.saved + 16, model.ctx.states.rng.counter);
}

export function policyUnpack(run: PolicyRun, model: Model, buffer: ReplayBuffer, policies: StaticArray<Policy>): void {
  if (changetype<usize>(run) == 0) return;
  run.step = load<i32>(run.saved);
  run.experience = load<i32>(run.saved + 4);
  run.experienceStep = load<i32>(run.saved + 8);
  run.training = run.experience;
  adoptState(model, load<i32>(run.saved + 12));
  model.ctx.states.rng.counter = load<u32>(run.saved + 16);
  policies[run.kind].restored(run, model);
  // The image holds the buffer's slots in the restored state's replay format.
  if (changetype<usize>(buffer) != 0) bufferFollowRole(buffer);
}
