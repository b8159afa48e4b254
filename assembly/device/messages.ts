// The messages the command loop replies with when it refuses a request, in one place: each says what
// was expected, what was received, and what to do (docs/protocol.md, "Errors"). They are written with
// text.ts into the message buffer; fail() (reply.ts) makes that the reply.
import {
  ERR_BAD_PAYLOAD, ERR_DOES_NOT_FIT, ERR_BAD_CONFIG, ERR_UNKNOWN_FORMAT,
} from "../generated/protocol";
import {
  NN_BAD_FORMAT, NN_BAD_ROUNDING, NN_BAD_VERSION, NN_BAD_LAYER, NN_BAD_SHAPE, NN_BAD_BATCH,
} from "../nn/abi";
import { CL_MAX_EXPERIENCES } from "../cl/abi";
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
