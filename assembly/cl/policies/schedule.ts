// schedule: a list of (experience or step, state) changes, as MPTorch/QPyTorch would set a spec by hand
// between phases; a step runs in the state of the last change (in list order) whose trigger has passed.
import { CHANGE_EXPERIENCE, CHANGE_STEP } from "../abi";
import { Model } from "../../nn/model";
import { Policy, PolicyRun, changeWord, outOfRange } from "../policy";

function check(model: Model, run: PolicyRun, states: i32): bool {
  for (let c = 0; c < run.changeCount; c++) {
    const kind = changeWord(run, c, 0), at = changeWord(run, c, 1), state = changeWord(run, c, 2);
    if (kind != CHANGE_EXPERIENCE && kind != CHANGE_STEP) return outOfRange("a schedule trigger (0 experience, 1 step)", 0, 1, kind);
    if (at < 0) return outOfRange("a schedule change's experience or step", 0, 0x7fff_ffff, at);
    if (state < 0 || state > states) return outOfRange("a schedule change's precision state", 0, states, state);
  }
  return true;
}

function decide(run: PolicyRun): i32 {
  let s = 0;
  for (let c = 0; c < run.changeCount; c++) {
    const at = changeWord(run, c, 1);
    const passed = changeWord(run, c, 0) == CHANGE_EXPERIENCE ? run.experience >= at : run.step >= at;
    if (passed) s = changeWord(run, c, 2);
  }
  return s;
}

export function schedulePolicy(): Policy {
  const p = new Policy("schedule");
  p.check = check;
  p.decide = decide;
  return p;
}
