// EVAL: the deployed learner on an experience's stored test samples.
import {
  ERR_BAD_PAYLOAD, ERR_NOT_DEPLOYED, ERR_NO_DATA, EVAL_FIXED_SIZE, EVAL_EXPERIENCE_OFFSET, EVAL_FLAGS_OFFSET, SPLIT_TEST,
  EVAL_FLAG_TASK_MASK, EVAL_REPLY_FIXED_SIZE, EVAL_REPLY_CORRECT_OFFSET, EVAL_REPLY_TOTAL_OFFSET, EVAL_REPLY_MEAN_LOSS_OFFSET,
} from "../generated/protocol";
import { evaluateExperience } from "../cl/learner";
import { learner } from "../cl/state";
import { storeAt } from "./store";
import { OK, fail, replyFixed, setU32, setF32 } from "./reply";
import { request } from "./memory";
import { needDeployment, shortPayload, badFlags, experienceTracked, experienceInRange, noSamples } from "./messages";

export function evalCommand(length: u32): i32 {
  if (!needDeployment("EVAL")) return fail(ERR_NOT_DEPLOYED);
  if (length < <u32>EVAL_FIXED_SIZE) return shortPayload("EVAL", length, EVAL_FIXED_SIZE);
  const experience = <i32>load<u16>(request + EVAL_EXPERIENCE_OFFSET);
  const flags = <i32>load<u8>(request + EVAL_FLAGS_OFFSET);
  const l = learner;
  if ((flags & ~EVAL_FLAG_TASK_MASK) != 0) return badFlags("EVAL", "TASK_MASK (1)", flags);
  if (!experienceTracked(experience) || !experienceInRange(l, experience)) return fail(ERR_BAD_PAYLOAD);
  const s = storeAt(experience, SPLIT_TEST);
  if (s.count == 0) {
    noSamples(experience, "test", "test");
    return fail(ERR_NO_DATA);
  }
  const lossAt = memory.data(8);
  const correct = evaluateExperience(l, experience, (flags & EVAL_FLAG_TASK_MASK) != 0, lossAt);
  replyFixed(EVAL_REPLY_FIXED_SIZE);
  setU32(EVAL_REPLY_CORRECT_OFFSET, <u32>correct);
  setU32(EVAL_REPLY_TOTAL_OFFSET, <u32>s.count);
  setF32(EVAL_REPLY_MEAN_LOSS_OFFSET, <f32>(load<f64>(lossAt) / <f64>s.count));
  return OK;
}
