// The precision switches a TRAIN made (assembly/cl/policy.ts), as its reply lists them.
import { PolicyRun, SWITCH_LOG_MAX, switchStep, switchTo } from "../cl/policy";
import { deployed, learner } from "../cl/state";
import { PrecisionStates, stateRole, stateMacs, flushStateMacs, ROLE_MUL } from "../nn";
import { setU32, replyTail, putU16, putU32, putU8, putF64, replyLen, setU16 } from "./reply";

export function putSwitches(run: PolicyRun, countOffset: i32, listOffset: i32): void {
  const total = changetype<usize>(run) == 0 ? 0 : run.switches;
  setU32(countOffset, <u32>total);
  replyTail(listOffset);
  const listed = min(total, SWITCH_LOG_MAX);
  putU16(<u32>listed);
  for (let i = 0; i < listed; i++) {
    putU32(switchStep(run, i));
    putU8(switchTo(run, i));
  }
}

/**
 * TELEMETRY's MACs by product format: every product is rounded to the mul role, so without precision
 * states all `macs` are in its format; with them, each state's MACs since the last reset go to its mul
 * format (states of one format added up). With `reset`, counting starts again.
 */
export function putMacsByFormat(macs: f64, reset: bool): void {
  if (!deployed || macs <= 0) {
    putU16(0);
    if (deployed && reset && changetype<usize>(learner.model.ctx.states) != 0) rebase(learner.model.ctx.states);
    return;
  }
  const ctx = learner.model.ctx;
  const states = ctx.states;
  if (changetype<usize>(states) == 0) {
    putU16(1);
    putU32(ctx.mul.word);
    putF64(macs);
    return;
  }
  flushStateMacs(ctx);
  let listed = 0;
  const countAt = <i32>replyLen;
  putU16(0);
  for (let s = 0; s <= states.count; s++) {
    const word = stateRole(states, s, ROLE_MUL).word;
    let first = true;
    for (let t = 0; t < s; t++) if (stateRole(states, t, ROLE_MUL).word == word) first = false;
    if (!first) continue;
    let sum: f64 = 0;
    for (let t = s; t <= states.count; t++) if (stateRole(states, t, ROLE_MUL).word == word) sum += sinceBase(states, t);
    if (sum <= 0) continue;
    putU32(word);
    putF64(sum);
    listed++;
  }
  setU16(countAt, <u32>listed);
  if (reset) rebase(states);
}

function sinceBase(states: PrecisionStates, s: i32): f64 {
  return stateMacs(states, s) - load<f64>(states.macsBase + (<usize>s << 3));
}

function rebase(states: PrecisionStates): void {
  for (let s = 0; s <= states.count; s++) store<f64>(states.macsBase + (<usize>s << 3), stateMacs(states, s));
}
