// EWC (Kirkpatrick et al., PNAS 2017, as van de Ven & Tolias 2019 run it): at an experience's end the
// diagonal Fisher information is estimated and merged into one quadratic penalty (penalty.ts) that
// pulls each weight towards its old values. The penalty's pieces here serve online EWC and SI too.
import { forward, backward, selectHead } from "../../nn/model";
import { CL_LAMBDA, CL_GAMMA, CL_FISHER_SAMPLES } from "../abi";
import {
  Quadratic, newQuadratic, addPenaltyGradients, consolidateEwc, penaltyValue, quadraticRegions, quadraticPack,
  quadraticUnpack,
} from "../penalty";
import { storeAt, sampleValues } from "../../device/store";
import { SPLIT_TRAIN } from "../../generated/protocol";
import { Learner, bodyParams, headRange } from "../learner";
import { shuffle, headOf } from "../rows";
import { Strategy, blobWord, blobReal, SCALARS_PENALTY } from "../strategy";

@final @unmanaged
export class Penalised {
  quad: Quadratic = changetype<Quadratic>(0);
  /** Online EWC's decay, SI's damping. */
  gamma: f32 = 0;
  /** Samples of a Fisher estimate (0: every sample of the experience). */
  fisherSamples: i32 = 0;
}

// @ts-ignore: decorator
@inline export function penalised(l: Learner): Penalised { return changetype<Penalised>(l.state); }

/** The penalty with strength `strength`, and the blob's gamma and Fisher samples. */
export function layoutPenalty(l: Learner, blob: usize, strength: f32, dry: bool): void {
  const s = new Penalised();
  s.gamma = blobReal(blob, CL_GAMMA);
  s.fisherSamples = <i32>blobWord(blob, CL_FISHER_SAMPLES);
  s.quad = newQuadratic(l.params, strength, dry);
  l.state = changetype<usize>(s);
}

/**
 * The row of a strategy with a quadratic penalty: its state laid out by `layout`, consolidated by `end`,
 * and the penalty's gradient, checkpoint and inspection.
 */
export function penaltyRow(
  name: string, layout: (l: Learner, blob: usize, dry: bool) => void,
  end: (l: Learner, experience: i32, batch: i32, scratch: usize) => void,
): Strategy {
  const s = new Strategy(name);
  s.layout = layout;
  s.endExperience = end;
  s.adjustGradient = (l: Learner): void => {
    addPenaltyGradients(penalised(l).quad, l.model, 0, l.params, l.model.lossScale);
  };
  s.regions = (l: Learner): void => { quadraticRegions(penalised(l).quad); };
  s.pack = (l: Learner, scalars: usize): void => { quadraticPack(penalised(l).quad, scalars + SCALARS_PENALTY); };
  s.unpack = (l: Learner, scalars: usize): void => { quadraticUnpack(penalised(l).quad, scalars + SCALARS_PENALTY); };
  s.penalty = (l: Learner): f64 => penaltyValue(penalised(l).quad, l.model);
  return s;
}

/**
 * Diagonal Fisher information of the experience (van de Ven & Tolias's EWC: the model's own predicted
 * label, one sample per backward pass) over `fisherSamples` samples of a seeded permutation, into
 * quad.running.
 */
export function estimateFisher(l: Learner, experience: i32, scratch: usize): void {
  const st = storeAt(experience, SPLIT_TRAIN);
  const model = l.model;
  const s = penalised(l);
  const n = s.fisherSamples == 0 ? st.count : min(s.fisherSamples, st.count);
  const order = scratch;
  shuffle(order, st.count, l.rng);
  if (l.heads > 1) selectHead(model, headOf(l, experience));
  const running = s.quad.running;
  const scale = model.lossScale;
  for (let k = 0; k < n; k++) {
    const i = load<i32>(order + (<usize>k << 2));
    sampleValues(st, i, model.input.data);
    store<i32>(model.labels, 0);
    forward(model, 1, false);
    // The predicted class (the first largest logit) is the label whose log-likelihood is differentiated.
    let best = 0;
    const logits = model.output.output.data;
    for (let j = 1; j < model.classes; j++) if (load<f32>(logits + (<usize>j << 2)) > load<f32>(logits + (<usize>best << 2))) best = j;
    sampleValues(st, i, model.input.data);
    store<i32>(model.labels, best);
    backward(model, 1);
    const body = bodyParams(l);
    const hf = headRange(l, headOf(l, experience)), hn = model.output.paramsPerHead;
    for (let p = 0; p < l.params; p++) {
      if (p >= body && (p < hf || p >= hf + hn)) continue;
      const g = load<f32>(model.ctx.grads + (<usize>p << 2)) / scale;
      if (g - g != 0) continue;
      const at = running + (<usize>p << 2);
      store<f32>(at, load<f32>(at) + g * g / <f32>n);
    }
  }
}

/** EWC's strength lambda is the penalty's lambda / 2. */
export function layoutEwc(l: Learner, blob: usize, dry: bool): void {
  layoutPenalty(l, blob, blobReal(blob, CL_LAMBDA) * 0.5, dry);
}

function end(l: Learner, experience: i32, batch: i32, scratch: usize): void {
  estimateFisher(l, experience, scratch);
  consolidateEwc(penalised(l).quad, l.model);
}

export function ewc(): Strategy {
  return penaltyRow("ewc", layoutEwc, end);
}
