// Latent replay (Pellegrini et al., IROS 2020): the layers below a cut train on the first experience
// only and are frozen after it; the buffer keeps the cut's inputs (latents) instead of samples, and a
// step's current samples go through the frozen layers while the replayed latents join them at the cut.
import { Model, forwardLayers, propagate } from "../../nn/model";
import { roundActivations } from "../../nn/context";
import { softmaxCrossEntropy } from "../../nn/loss";
import { LAYER_LINEAR, LAYER_CONV } from "../../nn/abi";
import { CL_CUT } from "../abi";
import { offer, slotValues } from "../buffer";
import { storeAt, sampleLabel, sampleValues } from "../../device/store";
import { SPLIT_TRAIN } from "../../generated/protocol";
import { text, num } from "../../device/text";
import { Learner, countTraining } from "../learner";
import { pickStore, pickIndex, pickValues, headOf } from "../rows";
import { Strategy, blobWord, SCALARS_FROZEN } from "../strategy";
import { layoutBuffer, policyOf, checkReplayBatch, replayRow, packBuffer, unpackBuffer } from "./replay";

@final @unmanaged
class Latent {
  /** The first layer above the frozen part. */
  cut: i32 = 0;
  /** True once the first experience ended. */
  frozen: bool = false;
}

// @ts-ignore: decorator
@inline function state(l: Learner): Latent { return changetype<Latent>(l.state); }

/** Index of the first layer at or after `cut` that has parameters, or -1. */
function trainableLayer(model: Model, cut: i32): i32 {
  for (let i = cut; i < model.layerCount; i++) {
    const k = model.layer(i).kind;
    if (k == LAYER_LINEAR || k == LAYER_CONV) return i;
  }
  return -1;
}

function check(model: Model, blob: usize): bool {
  const cut = <i32>blobWord(blob, CL_CUT);
  if (cut < 1 || cut >= model.layerCount || trainableLayer(model, cut) < 0) {
    text("expected a latent-replay cut from 1 to ");
    num(model.layerCount - 1);
    text(" (a layer index with trainable layers at or above it), received ");
    num(cut);
    return false;
  }
  return checkReplayBatch(model, blob);
}

function layout(l: Learner, blob: usize, dry: bool): void {
  const s = new Latent();
  s.cut = <i32>blobWord(blob, CL_CUT);
  l.state = changetype<usize>(s);
  layoutBuffer(l, blob, l.model.layer(s.cut).input.size, policyOf(blob), dry);
}

/** Once frozen: current samples go through the frozen layers; stored latents join them at the cut. */
function groupGradient(l: Learner, first: i32, end: i32): bool {
  const s = state(l);
  if (!s.frozen) return false;
  const model = l.model;
  const m = end - first;
  let current = 0;
  const size = model.input.size;
  for (let r = first; r < end && pickStore(l, r) != 0; r++) {
    pickValues(l, r, model.input.data + (<usize>(current * size) << 2));
    current++;
  }
  const cutLayer = model.layer(s.cut);
  if (current > 0) {
    roundActivations(model.ctx, model.input.data, current * size);
    forwardLayers(model, current, true, 0, s.cut);
  }
  const latent = cutLayer.input.size;
  for (let r = first + current; r < end; r++) slotValues(l.buffer, pickIndex(l, r), cutLayer.input.data + (<usize>((r - first) * latent) << 2));
  forwardLayers(model, m, true, s.cut, model.layerCount);
  const loss = softmaxCrossEntropy(model.output.output.data, model.labels, m, model.classes, model.predictions, model.errorA, model.lossScale);
  countTraining(model, m, loss);
  l.lastLoss += loss;
  propagate(model, m, s.cut);
  return true;
}

/** Freezes the layers below the cut (after the first experience), then offers the experience's latents. */
function end(l: Learner, experience: i32, batch: i32, scratch: usize): void {
  const s = state(l);
  const model = l.model;
  if (!s.frozen) {
    s.frozen = true;
    // Layers without parameters at the cut: the next layer with them starts the trainable part.
    const first = trainableLayer(model, s.cut);
    l.firstTrainable = model.layer(first >= 0 ? first : s.cut).paramBase;
  }
  const st = storeAt(experience, SPLIT_TRAIN);
  const head = headOf(l, experience);
  const size = model.input.size;
  const cutInput = model.layer(s.cut).input;
  const latent = cutInput.size;
  for (let first = 0; first < st.count; first += model.maxBatch) {
    const m = min(model.maxBatch, st.count - first);
    for (let k = 0; k < m; k++) sampleValues(st, first + k, model.input.data + (<usize>(k * size) << 2));
    roundActivations(model.ctx, model.input.data, m * size);
    forwardLayers(model, m, false, 0, s.cut);
    for (let k = 0; k < m; k++) offer(l.buffer, cutInput.data + (<usize>(k * latent) << 2), head * l.classes + sampleLabel(st, first + k));
  }
}

function pack(l: Learner, scalars: usize): void {
  store<i32>(scalars + SCALARS_FROZEN, state(l).frozen ? 1 : 0);
  packBuffer(l, scalars);
}

function unpack(l: Learner, scalars: usize): void {
  state(l).frozen = load<i32>(scalars + SCALARS_FROZEN) != 0;
  unpackBuffer(l, scalars);
}

export function latentReplay(): Strategy {
  const s = replayRow("latent-replay");
  s.check = check;
  s.layout = layout;
  s.groupGradient = groupGradient;
  s.endExperience = end;
  s.pack = pack;
  s.unpack = unpack;
  return s;
}
