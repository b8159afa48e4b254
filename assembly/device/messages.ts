// The messages the command loop replies with when it refuses a request, in one place: each says what
// was expected, what was received, and what to do (docs/protocol.md, "Errors"). They are written with
// text.ts into the message buffer; fail() (reply.ts) makes that the reply.
import {
  ERR_BAD_PAYLOAD, ERR_DOES_NOT_FIT, ERR_BAD_CONFIG, ERR_UNKNOWN_FORMAT,
} from "../generated/protocol";
import {
  NN_BAD_FORMAT, NN_BAD_ROUNDING, NN_BAD_VERSION, NN_BAD_LAYER, NN_BAD_SHAPE, NN_BAD_BATCH, NN_BAD_STATE, PRECISION_MAX_STATES,
  NN_BAD_OVERRIDE, CFG_MAX_OVERRIDES, MUL_FORMATS_MAX,
} from "../nn/abi";
import { CL_MAX_EXPERIENCES } from "../cl/abi";
import { Learner } from "../cl/learner";
import { deployed } from "../cl/state";
import { text, num } from "./text";
import { fail } from "./reply";

export function needDeployment(what: string): bool {
  if (deployed) return true;
  text("expected a deployed learner for ");
  text(what);
  text(", received none; send DEPLOY first");
  return false;
}

export function shortPayload(what: string, length: u32, wanted: i32): i32 {
  text("expected a ");
  text(what);
  text(" payload of at least ");
  num(wanted);
  text(" bytes, received ");
  num(length);
  return fail(ERR_BAD_PAYLOAD);
}

/** Flags with a bit the command does not know: `allowed` names the bits it does, e.g. "CLEAR (1)". */
export function badFlags(command: string, allowed: string, flags: i32): i32 {
  text("expected ");
  text(command);
  text(" flags combining only ");
  text(allowed);
  text(", received ");
  num(flags);
  return fail(ERR_BAD_PAYLOAD);
}

/** An experience past the most a deployment tracks; false when it is one (the message written). */
export function experienceTracked(experience: i32): bool {
  if (experience < CL_MAX_EXPERIENCES) return true;
  text("expected an experience below ");
  num(CL_MAX_EXPERIENCES);
  text(", received ");
  num(experience);
  return false;
}

/** The experience has a head (task scenario: one per experience); false after writing the message. */
export function experienceInRange(l: Learner, experience: i32): bool {
  if (l.heads > 1 && experience >= l.heads) {
    text("expected an experience below ");
    num(l.heads);
    text(" (one output head each in the task scenario), received ");
    num(experience);
    return false;
  }
  return true;
}

/** No stored samples of the split the command needs. */
export function noSamples(experience: i32, what: string, split: string): void {
  text("expected ");
  text(what);
  text(" samples of experience ");
  num(experience);
  text(" on the device, received none; send DATA (");
  text(split);
  text(") first");
}

/** No room for `bytes` of working memory from `at` under the limit. */
export function noRoomForScratch(bytes: u64, at: usize, limit: u64): void {
  text("expected ");
  num(<i64>bytes);
  text(" bytes of working memory above the stored samples, received ");
  num(<i64>(limit > <u64>at ? limit - <u64>at : 0));
  text(" (limit ");
  num(<i64>limit);
  text("); store fewer samples or use a board with more memory");
}

/** TRAIN: a batch past the deployed largest, less the replayed rows it makes room for. */
export function badBatch(largest: i32, maxBatch: i32, replayRows: i32, batch: i32): void {
  text("expected a batch from 1 to ");
  num(largest);
  text(" (the deployed largest batch ");
  num(maxBatch);
  if (replayRows > 0) {
    text(" less ");
    num(replayRows);
    text(" replayed samples");
  }
  text("), received ");
  num(batch);
}

/** TRAIN: more iterations than an i32 counts. */
export function tooManyIterations(iterations: u32): void {
  text("expected at most 2147483647 iterations, received ");
  num(iterations);
}

/** DATA: a split other than train and test. */
export function badSplit(split: i32): void {
  text("expected split 0 (train) or 1 (test), received ");
  num(split);
}

/** DATA: a sample encoding other than f32 and u8. */
export function badEncoding(encoding: i32): void {
  text("expected sample encoding 0 (f32) or 1 (u8), received ");
  num(encoding);
}

/** DATA: samples of another width than the deployed model's input. */
export function wrongFeatures(wanted: i32, features: u32): void {
  text("expected ");
  num(wanted);
  text(" features per sample (the deployed model's input), received ");
  num(features);
}

/** DATA: a samples section whose length disagrees with its count and width. */
export function wrongSampleBytes(wanted: i64, count: u32, features: u32, received: u64): void {
  text("expected ");
  num(wanted);
  text(" bytes of samples (");
  num(count);
  text(" labels and ");
  num(count);
  text(" x ");
  num(features);
  text(" values), received ");
  num(<i64>received);
}

/** DATA: a label past the classes of a head, at sample `at`. */
export function badLabel(classes: i32, label: i32, at: u32): void {
  text("expected labels from 0 to ");
  num(classes - 1);
  text(" (the classes of a head), received ");
  num(label);
  text(" at sample ");
  num(at);
}

/** DATA: samples of another encoding than those already stored for the experience and split. */
export function encodingMismatch(stored: i32, encoding: i32): void {
  text("expected the sample encoding already stored for this experience and split (");
  num(stored);
  text("), received ");
  num(encoding);
  text("; send CLEAR to replace them");
}

/** DATA: no room for `count` more samples (`bytes`) above the stored ones (from `base` to `end`). */
export function noRoomForSamples(count: u32, bytes: u64, end: usize, base: usize, limit: u64): void {
  text("expected room for ");
  num(count);
  text(" more samples (");
  num(<i64>bytes);
  text(" bytes) in linear memory, received ");
  num(<i64>(limit > <u64>end ? limit - <u64>end : 0));
  text(" bytes free of ");
  num(<i64>limit);
  text(" (");
  num(<i64>(<u64>end - <u64>base));
  text(" bytes of samples stored); send fewer samples, use u8 samples, or a board with more memory");
}

/** CHECKPOINT: no room for the image at `at`. */
export function noRoomForImage(bytes: usize, at: usize, limit: u64): void {
  text("expected room for a ");
  num(<i64>bytes);
  text("-byte checkpoint image in linear memory, received ");
  num(<i64>(limit > <u64>at ? limit - <u64>at : 0));
  text(" bytes free");
}

/** RESTORE: an image that fails check `status` of image.ts's checkImage. */
export function badImage(wanted: usize, length: u32, status: i32): void {
  text("expected a checkpoint image of the deployed learner (");
  num(<i64>wanted);
  text(" bytes, magic ECLS, version 1, the same config, a matching CRC-32), received ");
  num(length);
  text(" bytes that fail check ");
  num(status);
  text(" (1 short, 2 magic, 3 version, 4 another deployment, 5 size, 6 CRC)");
}

export function nnProblem(status: i32): i32 {
  switch (status) {
    case NN_BAD_FORMAT:
      text("expected number formats the device knows in every role of the precision spec (replay may be a block format, the others not), received an unknown or unusable format word");
      return ERR_UNKNOWN_FORMAT;
    case NN_BAD_ROUNDING:
      text("expected rounding codes 0..6 and SR bits 0..32 in the precision spec, received others");
      return ERR_UNKNOWN_FORMAT;
    case NN_BAD_VERSION:
      text("expected a model config blob of the device's ABI version, received another version");
      return ERR_BAD_CONFIG;
    case NN_BAD_LAYER:
      text("expected layers the device builds (linear, conv, relu, pools, flatten) with sizes in range, received a layer it cannot build");
      return ERR_BAD_CONFIG;
    case NN_BAD_SHAPE:
      text("expected layer shapes that fit their inputs (and heads and classes in range), received shapes that do not");
      return ERR_BAD_CONFIG;
    case NN_BAD_STATE:
      text("expected precision states (CFG_STATES, at most ");
      num(PRECISION_MAX_STATES);
      text(") that keep the run's master copy present or absent, and at most ");
      num(MUL_FORMATS_MAX);
      text(" product (mul) formats over the states and layers, received others");
      return ERR_BAD_CONFIG;
    case NN_BAD_OVERRIDE:
      text("expected per-layer overrides (at most ");
      num(CFG_MAX_OVERRIDES);
      text(") of weight, activation, error, gradient, mul or acc on a layer with weights (linear, conv), and no precision state that changes the model's weight format when a layer stores its weights in its own, received others");
      return ERR_BAD_CONFIG;
    case NN_BAD_BATCH:
      text("expected a largest batch from 1 to 65536 in the model config, received another");
      return ERR_BAD_CONFIG;
    default:
      text("expected a valid model config blob (optimizer, loss scaling and learning rates finite), received one the device refuses (status ");
      num(status);
      text(")");
      return ERR_BAD_CONFIG;
  }
}

export function refuseSize(needed: u64, available: u64, limit: u64, what: string): i32 {
  text("expected a deployment that fits the board's linear memory (");
  num(<i64>available);
  text(" bytes available of ");
  num(<i64>limit);
  text("), received one that needs ");
  text(what);
  num(<i64>needed);
  text(" bytes; use a smaller model, precision or buffer, or a board with more memory");
  return fail(ERR_DOES_NOT_FIT);
}

export function refuseGrowth(end: u64, limit: u64): i32 {
  text("expected linear memory to grow to ");
  num(<i64>end);
  text(" bytes for the deployment (the board's limit: ");
  num(<i64>limit);
  text(" bytes), but the runtime refused; the board's real limit is lower than the one declared, so declare it (edgecl run --manifest) or use a smaller model, precision or buffer");
  return fail(ERR_DOES_NOT_FIT);
}
