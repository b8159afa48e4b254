// Building a model: the config blob read into shapes (config.ts), its buffers laid out once the total is
// known to fit (layout.ts), and its weights initialised.
import { streamKey, drawAt, pow2 } from "../arith";
import { LAYER_LINEAR, LAYER_CONV, NN_OK, NN_OUT_OF_MEMORY } from "./abi";
import { reserve } from "./alloc";
import { STREAM_INIT } from "./context";
import { setWeight } from "./optim";
import { Model } from "./model";
import { modelFromConfig } from "./config";
import { layoutBuffers } from "./layout";

/**
 * Builds the model the config blob describes; returns its status and, through `out`, the model. With
 * `planOnly`, only the shapes are built and plannedBytes() tells what the buffers would take: nothing
 * is laid out, so a caller can check a deployment before it replaces another.
 */
export function buildModel(config: usize, words: i32, out: usize, planOnly: bool = false): i32 {
  const status = modelFromConfig(config, words, out);
  if (status != NN_OK) return status;
  const model = changetype<Model>(load<usize>(out));
  const bytes = layoutBuffers(model, true);
  if (planOnly) return NN_OK;
  if (!reserve(bytes)) return NN_OUT_OF_MEMORY;
  layoutBuffers(model, false);
  initParams(model);
  return NN_OK;
}

/**
 * Kaiming-uniform initialisation (He et al. 2015, fan-in mode, ReLU gain sqrt 2): weight j of the model
 * is (2u - 1) * sqrt(6 / fanIn) with u = (draw j of stream STREAM_INIT >> 8) / 2^24; biases start at 0.
 */
function initParams(model: Model): void {
  const ctx = model.ctx;
  const key = streamKey(ctx.seed, STREAM_INIT);
  for (let l = 0; l < model.layerCount; l++) {
    const layer = model.layer(l);
    if (layer.kind != LAYER_LINEAR && layer.kind != LAYER_CONV) continue;
    const bound = Mathf.sqrt(6.0 / <f32>layer.fanIn);
    for (let h = 0; h < layer.heads; h++) {
      const first = layer.paramsOf(h);
      const weights = layer.weightCount;
      for (let i = 0; i < layer.paramsPerHead; i++) {
        const j = first + i;
        let v: f32 = 0;
        if (i < weights) v = (<f32>(drawAt(key, <u32>j) >>> 8) * pow2(-24) * 2 - 1) * bound;
        setWeight(ctx, model.optimizer, j, v);
      }
    }
  }
}
