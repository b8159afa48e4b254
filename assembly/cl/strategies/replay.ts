// Replay (experience replay with a reservoir or class-balanced buffer, Chaudhry et al. 2019): at an
// experience's end its samples are offered to the buffer; each step adds replayBatch buffer rows to the
// batch. The buffer's pieces here serve the other strategies that keep one (latent replay, GDumb, A-GEM).
import { Model } from "../../nn/model";
import { storeChanges } from "../../nn/switch";
import { ROLE_REPLAY } from "../../nn/abi";
import { CL_BUFFER_BYTES, CL_BUFFER_POLICY, CL_REPLAY_BATCH, BUFFER_CLASS_BALANCED } from "../abi";
import { newBuffer, widestSampleBytes, offer, bufferRegions, bufferPack, bufferUnpack, POLICY_CLASS_BALANCED, POLICY_RESERVOIR } from "../buffer";
import { storeAt, sampleLabel, sampleValues } from "../../device/store";
import { SPLIT_TRAIN } from "../../generated/protocol";
import { text, num } from "../../device/text";
import { Learner } from "../learner";
import { fillReplay, headOf } from "../rows";
import { Strategy, blobWord, SCALARS_BUFFER } from "../strategy";

/** The blob's buffer policy (reservoir or class-balanced). */
export function policyOf(blob: usize): i32 {
  return blobWord(blob, CL_BUFFER_POLICY) == <u32>BUFFER_CLASS_BALANCED ? POLICY_CLASS_BALANCED : POLICY_RESERVOIR;
}

/** The learner's buffer: `values` values per sample, the blob's byte budget, one class key per head and class. */
export function layoutBuffer(l: Learner, blob: usize, values: i32, policy: i32, dry: bool): void {
  const model = l.model;
  l.buffer = newBuffer(model.ctx.replay, values, blobWord(blob, CL_BUFFER_BYTES), model.heads * model.classes, policy, dry,
    widestSampleBytes(model.ctx, values), storeChanges(model.ctx, ROLE_REPLAY));
}

/** A replay batch leaves room for new samples in the model's largest batch. */
export function checkReplayBatch(model: Model, blob: usize): bool {
  const replayBatch = <i32>blobWord(blob, CL_REPLAY_BATCH);
  if (replayBatch < model.maxBatch) return true;
  text("expected a replay batch below the model's largest batch ");
  num(model.maxBatch);
  text(" (it holds the new and the replayed samples), received ");
  num(replayBatch);
  return false;
}

/** Offers every training sample of the experience to the buffer. */
export function fillBuffer(l: Learner, experience: i32, scratch: usize): void {
  const st = storeAt(experience, SPLIT_TRAIN);
  const head = headOf(l, experience);
  for (let i = 0; i < st.count; i++) {
    sampleValues(st, i, scratch);
    offer(l.buffer, scratch, head * l.classes + sampleLabel(st, i));
  }
}

export function regionsOfBuffer(l: Learner): void { bufferRegions(l.buffer); }
export function packBuffer(l: Learner, scalars: usize): void { bufferPack(l.buffer, scalars + SCALARS_BUFFER); }
export function unpackBuffer(l: Learner, scalars: usize): void { bufferUnpack(l.buffer, scalars + SCALARS_BUFFER); }

/** The buffer of samples (the model's input values) under the blob's policy. */
export function layoutSamples(l: Learner, blob: usize, dry: bool): void {
  layoutBuffer(l, blob, l.model.input.size, policyOf(blob), dry);
}

/** Offers the experience's samples to the buffer when it ends. */
export function fillAtEnd(l: Learner, experience: i32, batch: i32, scratch: usize): void {
  fillBuffer(l, experience, scratch);
}

/**
 * The row of a strategy that keeps a buffer: a buffer of samples filled at each experience's end and
 * checkpointed. A strategy that keeps something else (latents) or fills it otherwise overrides those hooks.
 */
export function bufferRow(name: string): Strategy {
  const s = new Strategy(name);
  s.layout = layoutSamples;
  s.endExperience = fillAtEnd;
  s.regions = regionsOfBuffer;
  s.pack = packBuffer;
  s.unpack = unpackBuffer;
  return s;
}

/** The row of a strategy that adds replayed buffer rows to each step's batch (replay, latent replay). */
export function replayRow(name: string): Strategy {
  const s = bufferRow(name);
  s.replays = true;
  s.check = checkReplayBatch;
  s.pickRows = fillReplay;
  return s;
}

export function replay(): Strategy {
  return replayRow("replay");
}
