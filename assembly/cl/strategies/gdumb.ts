// GDumb (Prabhu et al., ECCV 2020): a greedy class-balanced buffer; when an experience ends the model
// is trained from its initial weights on the buffer alone. A TRAIN that continues an experience runs no
// step.
import { take } from "../../nn/alloc";
import { POLICY_GREEDY } from "../buffer";
import { Learner, trainStep } from "../learner";
import { shuffle, pickSlot } from "../rows";
import { Strategy } from "../strategy";
import { layoutBuffer, fillBuffer, bufferRow } from "./replay";

@final @unmanaged
class Gdumb {
  /** The initial weights (stored form) and master copy, to retrain from scratch. */
  initWeights: usize = 0;
  initMaster: usize = 0;
}

function layout(l: Learner, blob: usize, dry: bool): void {
  const model = l.model;
  layoutBuffer(l, blob, model.input.size, POLICY_GREEDY, dry);
  const s = new Gdumb();
  l.state = changetype<usize>(s);
  s.initWeights = take(dry, <u64>model.modelBytes);
  if (!dry) memory.copy(s.initWeights, model.ctx.weights, <usize>model.modelBytes);
  if (model.masterBytes > 0) {
    s.initMaster = take(dry, <u64>model.masterBytes);
    if (!dry) memory.copy(s.initMaster, model.optimizer.master, <usize>model.masterBytes);
  }
}

/** The experience's samples go to the buffer, then the model trains from scratch on the buffer alone. */
function trainAtEnd(l: Learner, experience: i32, iterations: i32, batch: i32, scratch: usize): f64 {
  fillBuffer(l, experience, scratch);
  const s = changetype<Gdumb>(l.state);
  const model = l.model;
  const ctx = model.ctx, opt = model.optimizer;
  memory.copy(ctx.weights, s.initWeights, <usize>model.modelBytes);
  if (s.initMaster != 0) memory.copy(opt.master, s.initMaster, <usize>model.masterBytes);
  const stateBytes = <usize>l.params * <usize>ctx.optimizer.bytes;
  if (opt.state1 != 0) memory.fill(opt.state1, 0, stateBytes);
  if (opt.state2 != 0) memory.fill(opt.state2, 0, stateBytes);
  opt.steps = 0;
  opt.beta1Power = 1;
  opt.beta2Power = 1;
  const b = l.buffer;
  if (b.size == 0) return 0;
  const order = scratch;
  l.scratch = (scratch + (<usize>b.size << 2) + 15) & ~<usize>15;
  let position = b.size;
  let lossSum: f64 = 0;
  const n = min(batch, model.maxBatch);
  for (let it = 0; it < iterations; it++) {
    for (let r = 0; r < n; r++) {
      if (position >= b.size) {
        shuffle(order, b.size, l.rng);
        position = 0;
      }
      pickSlot(l, r, load<i32>(order + (<usize>(position++) << 2)));
    }
    trainStep(l, n);
    lossSum += l.lastLoss / <f64>n;
  }
  return iterations > 0 ? lossSum / <f64>iterations : 0;
}

export function gdumb(): Strategy {
  // GDumb fills its buffer in trainAtEnd: the learner calls that instead of endExperience.
  const s = bufferRow("gdumb");
  s.trainsAtEnd = true;
  s.keepsWeights = true;
  s.layout = layout;
  s.trainAtEnd = trainAtEnd;
  return s;
}
