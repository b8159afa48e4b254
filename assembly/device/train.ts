// TRAIN: steps on an experience's stored samples, and (unless CONTINUE) the end of the experience,
// where the strategy acts (assembly/cl/learner.ts train). An experience's steps may come in several
// requests: the first (without FOLLOWS) seeds the strategy's streams; each one with FOLLOWS goes on
// where the one before stopped, so the split gives the bits of one request (docs/protocol.md, TRAIN).
import {
  ERR_BAD_PAYLOAD, ERR_NOT_DEPLOYED, ERR_DOES_NOT_FIT, ERR_NO_DATA, TRAIN_FIXED_SIZE, TRAIN_EXPERIENCE_OFFSET,
  TRAIN_ITERATIONS_OFFSET, TRAIN_BATCH_SIZE_OFFSET, TRAIN_SEED_OFFSET, TRAIN_FLAGS_OFFSET, SPLIT_TRAIN,
  TRAIN_FLAG_CONTINUE, TRAIN_FLAG_FOLLOWS, TRAIN_REPLY_FIXED_SIZE, TRAIN_REPLY_ITERATIONS_OFFSET, TRAIN_REPLY_MEAN_LOSS_OFFSET,
  TRAIN_REPLY_LAST_LOSS_OFFSET, TRAIN_REPLY_PRECISION_SWITCHES_OFFSET, TRAIN_REPLY_SWITCHES_OFFSET,
} from "../generated/protocol";
import { putSwitches } from "./precision";
import { seedTrain, trainRequestStarts, train as trainLearner, trainScratchBytes } from "../cl/learner";
import { poolFrom } from "../cl/rows";
import { learner } from "../cl/state";
import { storeAt, storeClear } from "./store";
import { OK, fail, replyFixed, setU32, setF32 } from "./reply";
import { request, scratchFor } from "./memory";
import { needDeployment, shortPayload, badFlags, experienceTracked, experienceInRange, noSamples, badBatch, tooManyIterations, notFollowing } from "./messages";

/**
 * The experience and seed of the last TRAIN when it had CONTINUE: a TRAIN with FOLLOWS goes on from it
 * (-1: none); and the steps asked for so far, which a strategy that trains at the end runs then.
 */
let chainExperience: i32 = -1;
let chainSeed: u32 = 0;
let chainSteps: u64 = 0;

/** A command changed what a following TRAIN would draw from (DEPLOY, DATA, RESTORE, RESET). */
export function trainChainBroken(): void {
  chainExperience = -1;
}

export function train(length: u32): i32 {
  if (!needDeployment("TRAIN")) return fail(ERR_NOT_DEPLOYED);
  if (length < <u32>TRAIN_FIXED_SIZE) return shortPayload("TRAIN", length, TRAIN_FIXED_SIZE);
  const experience = <i32>load<u16>(request + TRAIN_EXPERIENCE_OFFSET);
  const iterations = load<u32>(request + TRAIN_ITERATIONS_OFFSET);
  const batch = <i32>load<u16>(request + TRAIN_BATCH_SIZE_OFFSET);
  const seed = load<u32>(request + TRAIN_SEED_OFFSET);
  const flags = <i32>load<u8>(request + TRAIN_FLAGS_OFFSET);
  const l = learner;
  const model = l.model;
  if ((flags & ~(TRAIN_FLAG_CONTINUE | TRAIN_FLAG_FOLLOWS)) != 0) return badFlags("TRAIN", "CONTINUE (1), FOLLOWS (2)", flags);
  if (!experienceTracked(experience) || !experienceInRange(l, experience)) return fail(ERR_BAD_PAYLOAD);
  const follows = (flags & TRAIN_FLAG_FOLLOWS) != 0;
  if (follows && (chainExperience != experience || chainSeed != seed)) {
    notFollowing(experience, seed);
    return fail(ERR_BAD_PAYLOAD);
  }
  const replayRows = l.hooks.replays ? l.replayBatch : 0;
  const largest = model.maxBatch - replayRows;
  if (batch < 1 || batch > largest) {
    badBatch(largest, model.maxBatch, replayRows, batch);
    return fail(ERR_BAD_PAYLOAD);
  }
  const steps: u64 = (follows ? chainSteps : 0) + <u64>iterations;
  if (steps > 0x7fff_ffff) {
    tooManyIterations(steps);
    return fail(ERR_BAD_PAYLOAD);
  }
  const endsExperience = (flags & TRAIN_FLAG_CONTINUE) == 0;
  let pool = 0;
  for (let e = poolFrom(l, experience); e <= experience; e++) pool += storeAt(e, SPLIT_TRAIN).count;
  if (storeAt(experience, SPLIT_TRAIN).count == 0 && !(l.hooks.trainsAtEnd && !endsExperience)) {
    noSamples(experience, "training", "train");
    return fail(ERR_NO_DATA);
  }
  const scratch = scratchFor(length, trainScratchBytes(l, pool));
  if (scratch == 0) return fail(ERR_DOES_NOT_FIT);
  l.scratch = scratch;
  if (!follows) seedTrain(l, seed);
  trainRequestStarts(l);
  const atEnd = l.hooks.trainsAtEnd;
  const meanLoss = trainLearner(l, experience, <i32>(atEnd ? steps : <u64>iterations), batch, scratch, endsExperience, follows);
  chainExperience = endsExperience ? -1 : experience;
  chainSeed = seed;
  chainSteps = steps;
  const ran: u32 = atEnd ? (endsExperience ? <u32>steps : 0) : iterations;
  // An ended experience's training samples are of no further use, except to cumulative training.
  if (endsExperience && !l.hooks.allExperiences) storeClear(storeAt(experience, SPLIT_TRAIN));
  replyFixed(TRAIN_REPLY_FIXED_SIZE);
  setU32(TRAIN_REPLY_ITERATIONS_OFFSET, ran);
  setF32(TRAIN_REPLY_MEAN_LOSS_OFFSET, <f32>meanLoss);
  setF32(TRAIN_REPLY_LAST_LOSS_OFFSET, <f32>l.lastLoss);
  putSwitches(l.precision, TRAIN_REPLY_PRECISION_SWITCHES_OFFSET, TRAIN_REPLY_SWITCHES_OFFSET);
  return OK;
}
