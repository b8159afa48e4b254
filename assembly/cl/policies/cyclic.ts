// cyclic: CPT (Fu et al., "CPT: Efficient Deep Neural Network Training via Cyclic Precision", ICLR 2021,
// Eq. 1): step t runs at bit width
//   B_t = round(B_min + (B_max - B_min) / 2 * (1 - cos(pi * (t mod T) / T)))
// (round half up), a cosine rise from B_min to B_max over each period T, in state B_t - B_min + 1 (the
// host builds state b as the run's spec with the cycled roles at width B_min + b - 1: docs/precision.md).
import { Model } from "../../nn/model";
import { Policy, PolicyRun, outOfRange } from "../policy";

function check(model: Model, run: PolicyRun, states: i32): bool {
  if (run.period < 1) return outOfRange("a cyclic period in steps", 1, 0x7fff_ffff, run.period);
  if (run.low < 1 || run.low > run.high) return outOfRange("a lowest cyclic bit width", 1, run.high, run.low);
  if (run.high - run.low + 1 > states) return outOfRange("precision states for the cyclic widths", run.high - run.low + 1, run.high - run.low + 1, states);
  return true;
}

export function cyclicWidth(low: i32, high: i32, period: i32, t: i32): i32 {
  const phase = <f64>(t % period) / <f64>period;
  return <i32>Math.floor(<f64>low + 0.5 * <f64>(high - low) * (1 - Math.cos(Math.PI * phase)) + 0.5);
}

function decide(run: PolicyRun): i32 {
  return cyclicWidth(run.low, run.high, run.period, run.step) - run.low + 1;
}

export function cyclicPolicy(): Policy {
  const p = new Policy("cyclic");
  p.check = check;
  p.decide = decide;
  return p;
}
