// boundary: task-aware precision. The first POLICY_STEPS steps after an experience starts run in state 1
// (the higher precision), the others in state 0: the gradients are largest and most informative right
// after a task change, where low precision costs most (docs/precision.md, Policies).
import { Model } from "../../nn/model";
import { Policy, PolicyRun, outOfRange } from "../policy";

function check(model: Model, run: PolicyRun, states: i32): bool {
  if (states < 1) return outOfRange("precision states for boundary (its higher precision)", 1, 1, states);
  if (run.steps < 1) return outOfRange("boundary steps", 1, 0x7fff_ffff, run.steps);
  return true;
}

function decide(run: PolicyRun): i32 {
  return run.experienceStep < run.steps ? 1 : 0;
}

export function boundaryPolicy(): Policy {
  const p = new Policy("boundary");
  p.check = check;
  p.decide = decide;
  return p;
}
