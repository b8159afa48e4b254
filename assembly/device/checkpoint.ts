// CHECKPOINT and RESTORE: the learner's state image (image.ts): the model's and optimiser's buffers,
// the scalars below, and whatever regions and scalars the strategy adds (its regions, pack, unpack).
// The board passes the image in pieces (docs/protocol.md, "CHECKPOINT and RESTORE in pieces"), so
// neither command takes more linear memory than a piece: the peak-memory figure is the learner's.
//   CHECKPOINT {slot, offset u32}: the image's bytes from offset, at most IMAGE_PIECE_SIZE (offset 0
//     packs the scalars and computes the CRC);
//   RESTORE {pass u8, offset u32, bytes}: pass 0 checks the image piece by piece, pass 1 (only after a
//     whole image passed) writes it into place; its last piece unpacks the scalars.
// A board that does not stream (the firmware) sends CHECKPOINT {slot} and gets the whole image, and
// RESTORE with the whole image as payload.
import { ERR_BAD_PAYLOAD, ERR_NOT_DEPLOYED, ERR_DOES_NOT_FIT, IMAGE_PIECE_SIZE } from "../generated/protocol";
import { Learner } from "../cl/learner";
import { learner } from "../cl/state";
import { regionsReset, addRegion, imageBytes, writeImage, checkImage, loadImage, imageOpen, imagePiece, imageCheckPiece, IMAGE_OK } from "./image";
import { OK, fail, replyStart, replyAt, replyBody } from "./reply";
import { blockStart } from "../runtime/arena";
import { request, memoryLimit, fits, notePeak, peak } from "./memory";
import { needDeployment, noRoomForImage, badImage, badPiece } from "./messages";
import { configCrc } from "./deploy";
import { storeCapacity, ROLE_WEIGHT, ROLE_MASTER, ROLE_OPTIMIZER } from "../nn";
import { policyRegions, policyPack, policyUnpack } from "../cl/policy";
import { policies } from "../cl/policies";

/** The state a checkpoint holds, in a fixed order. */
const scalars = memory.data(256);
/**
 * The peak-memory figure when the checkpoint was made (u64), past every strategy's scalars
 * (cl/strategy.ts SCALARS_*): a restored learner goes on from the peak of the run that made it.
 */
const SCALARS_PEAK: usize = 240;
/** Bytes before a piece's data in the module's CHECKPOINT and RESTORE payloads. */
const PIECE_HEADER: u32 = 5;

/** The regions of a new deployment's image. */
export function registerRegions(l: Learner): void {
  const model = l.model;
  const ctx = model.ctx, opt = model.optimizer;
  regionsReset();
  // Stored roles as laid out: for their widest precision state (nn/switch.ts).
  addRegion(ctx.weights, storeCapacity(model, ROLE_WEIGHT));
  addRegion(opt.master, ctx.master.present ? storeCapacity(model, ROLE_MASTER) : 0);
  const stateBytes = storeCapacity(model, ROLE_OPTIMIZER);
  addRegion(opt.state1, opt.state1 != 0 ? stateBytes : 0);
  addRegion(opt.state2, opt.state2 != 0 ? stateBytes : 0);
  addRegion(scalars, 256);
  l.hooks.regions(l);
  policyRegions(l.precision);
}

function packScalars(l: Learner): void {
  const model = l.model;
  const ctx = model.ctx, opt = model.optimizer;
  memory.fill(scalars, 0, 256);
  store<i32>(scalars, opt.steps);
  store<f64>(scalars + 8, opt.beta1Power);
  store<f64>(scalars + 16, opt.beta2Power);
  store<f32>(scalars + 24, opt.correction1);
  store<f32>(scalars + 28, opt.correction2);
  store<f32>(scalars + 32, model.lossScale);
  store<i32>(scalars + 36, model.cleanSteps);
  store<i32>(scalars + 40, model.head);
  store<i32>(scalars + 44, l.ended);
  store<i32>(scalars + 48, l.current);
  store<i32>(scalars + 56, l.firstTrainable);
  store<u32>(scalars + 60, ctx.activationRng.counter);
  store<u32>(scalars + 64, ctx.activationEvalRng.counter);
  store<u32>(scalars + 68, ctx.errorRng.counter);
  store<u32>(scalars + 72, ctx.gradientRng.counter);
  store<u32>(scalars + 76, ctx.weightRng.counter);
  store<u32>(scalars + 80, ctx.masterRng.counter);
  store<u32>(scalars + 84, ctx.optimizerRng.counter);
  store<u32>(scalars + 88, ctx.jobsTrain);
  store<u32>(scalars + 92, ctx.jobsEval);
  store<u64>(scalars + SCALARS_PEAK, peak);
  l.hooks.pack(l, scalars);
  policyPack(l.precision, model);
}

function unpackScalars(l: Learner): void {
  const model = l.model;
  const ctx = model.ctx, opt = model.optimizer;
  opt.steps = load<i32>(scalars);
  opt.beta1Power = load<f64>(scalars + 8);
  opt.beta2Power = load<f64>(scalars + 16);
  opt.correction1 = load<f32>(scalars + 24);
  opt.correction2 = load<f32>(scalars + 28);
  model.lossScale = load<f32>(scalars + 32);
  model.cleanSteps = load<i32>(scalars + 36);
  model.head = load<i32>(scalars + 40);
  l.ended = load<i32>(scalars + 44);
  l.current = load<i32>(scalars + 48);
  l.firstTrainable = load<i32>(scalars + 56);
  ctx.activationRng.counter = load<u32>(scalars + 60);
  ctx.activationEvalRng.counter = load<u32>(scalars + 64);
  ctx.errorRng.counter = load<u32>(scalars + 68);
  ctx.gradientRng.counter = load<u32>(scalars + 72);
  ctx.weightRng.counter = load<u32>(scalars + 76);
  ctx.masterRng.counter = load<u32>(scalars + 80);
  ctx.optimizerRng.counter = load<u32>(scalars + 84);
  ctx.jobsTrain = load<u32>(scalars + 88);
  ctx.jobsEval = load<u32>(scalars + 92);
  notePeak(load<u64>(scalars + SCALARS_PEAK));
  l.hooks.unpack(l, scalars);
  policyUnpack(l.precision, model, l.buffer, policies);
}

export function checkpoint(length: u32): i32 {
  if (!needDeployment("CHECKPOINT")) return fail(ERR_NOT_DEPLOYED);
  if (length >= PIECE_HEADER) return checkpointPiece(load<u32>(request + 1));
  const bytes = imageBytes();
  const at = blockStart(request + 64) + 16;
  const end = <u64>at + <u64>bytes + 64;
  if (!fits(end)) {
    noRoomForImage(bytes, at, memoryLimit);
    return fail(ERR_DOES_NOT_FIT);
  }
  notePeak(end);
  packScalars(learner);
  writeImage(at, configCrc);
  replyAt(at, <u32>bytes);
  return OK;
}

function checkpointPiece(at: u32): i32 {
  if (at == 0) {
    packScalars(learner);
    imageOpen(configCrc);
  }
  const total = <u32>imageBytes();
  if (at >= total) return badPiece("CHECKPOINT", 0, total - 1, at);
  const n = min<u32>(IMAGE_PIECE_SIZE, total - at);
  imagePiece(<usize>at, replyBody(n), <usize>n, true);
  return OK;
}

/** Where the next RESTORE piece starts, and whether a whole image has passed the check (pass 0). */
let restoreNext: u32 = 0;
let restoreChecked = false;

function restorePiece(length: u32): i32 {
  const pass = <u32>load<u8>(request);
  const at = load<u32>(request + 1);
  const n = length - PIECE_HEADER;
  const total = <u32>imageBytes();
  // Pieces come in order from offset 0; the writing pass only after a whole image was checked.
  const next = at == 0 ? 0 : restoreNext;
  if (pass > 1 || n > IMAGE_PIECE_SIZE || at != next || (pass == 1 && !restoreChecked)) {
    restoreChecked = false;
    return badPiece("RESTORE", pass, next, at);
  }
  if (pass == 0) {
    const status = imageCheckPiece(<usize>at, request + PIECE_HEADER, <usize>n, configCrc);
    if (status != IMAGE_OK) {
      restoreChecked = false;
      badImage(<usize>total, at + n, status);
      return fail(ERR_BAD_PAYLOAD);
    }
    restoreChecked = at + n == total;
  } else {
    imagePiece(<usize>at, request + PIECE_HEADER, <usize>n, false);
    if (at + n == total) {
      unpackScalars(learner);
      restoreChecked = false;
    }
  }
  restoreNext = at + n;
  replyStart();
  return OK;
}

export function restore(length: u32): i32 {
  if (!needDeployment("RESTORE")) return fail(ERR_NOT_DEPLOYED);
  // A piece starts with its pass (0 or 1), a whole image with its magic ("E", 0x45).
  if (length >= PIECE_HEADER && load<u8>(request) <= 1) return restorePiece(length);
  const status = checkImage(request, <usize>length, configCrc);
  if (status != IMAGE_OK) {
    badImage(imageBytes(), length, status);
    return fail(ERR_BAD_PAYLOAD);
  }
  loadImage(request);
  unpackScalars(learner);
  replyStart();
  return OK;
}
