// The model config blob (abi.ts, spec/config.json) read into a Model: every word checked, the roles and
// GEMM spec set, and each layer's shape and parameter positions; no buffer is laid out yet (layout.ts).
import {
  NN_ABI_VERSION, CFG_VERSION, CFG_SEED, CFG_MAX_BATCH, CFG_IN_C, CFG_IN_H, CFG_IN_W, CFG_HEADS,
  CFG_HEAD_CLASSES, CFG_FLAGS, CFG_OPTIMIZER, CFG_LR, CFG_MOMENTUM, CFG_WEIGHT_DECAY, CFG_BETA1, CFG_BETA2,
  CFG_EPSILON, CFG_GEMM, CFG_LOSS_SCALE_KIND, CFG_LOSS_SCALE, CFG_LOSS_SCALE_INTERVAL, CFG_LAYER_COUNT,
  CFG_LAYERS, LAYER_WORDS, CFG_MAX_LAYERS, ROLE_COUNT, OPTIMIZER_SGD, OPTIMIZER_ADAM, GEMM_FMA, GEMM_FAST,
  LOSS_SCALE_NONE, LOSS_SCALE_DYNAMIC, LAYER_LINEAR, LAYER_CONV, LAYER_RELU, LAYER_MAXPOOL, LAYER_AVGPOOL,
  LAYER_FLATTEN, NN_OK, NN_BAD_VERSION, NN_BAD_CONFIG, NN_BAD_LAYER, NN_BAD_SHAPE, NN_BAD_BATCH, NN_BAD_STATE,
} from "./abi";
import { allocZeroed } from "./alloc";
import { newContext, roleAt, configureMac } from "./context";
import { readRole } from "./precision";
import { readStates } from "./switch";
import { readOverrides, mulFormatsFit } from "./overrides";
import { tensorView } from "./tensor";
import { Layer } from "./layer";
import { newOptimizer } from "./optim";
import { Model, finite } from "./model";

/** Most values one sample may have at any layer (and most inputs of one output). */
const MAX_VALUES: i64 = 1 << 24;

// @ts-ignore: decorator
@inline function word(config: usize, index: i32): u32 { return load<u32>(config + (<usize>index << 2)); }
// @ts-ignore: decorator
@inline function real(config: usize, index: i32): f32 { return load<f32>(config + (<usize>index << 2)); }

/** Reads the config blob into a model of shapes; returns its status and, through `out`, the model. */
export function modelFromConfig(config: usize, words: i32, out: usize): i32 {
  if (words < CFG_LAYERS) return NN_BAD_CONFIG;
  if (word(config, CFG_VERSION) != <u32>NN_ABI_VERSION) return NN_BAD_VERSION;
  const layerSpecs = <i32>word(config, CFG_LAYER_COUNT);
  if (layerSpecs < 0 || layerSpecs > CFG_MAX_LAYERS || words != CFG_LAYERS + layerSpecs * LAYER_WORDS) return NN_BAD_CONFIG;
  const maxBatch = <i32>word(config, CFG_MAX_BATCH);
  if (maxBatch < 1 || maxBatch > 65536) return NN_BAD_BATCH;
  const inC = <i32>word(config, CFG_IN_C), inH = <i32>word(config, CFG_IN_H), inW = <i32>word(config, CFG_IN_W);
  const heads = <i32>word(config, CFG_HEADS), classes = <i32>word(config, CFG_HEAD_CLASSES);
  if (inC < 1 || inH < 1 || inW < 1 || <i64>inC * inH * inW > MAX_VALUES) return NN_BAD_SHAPE;
  if (heads < 1 || heads > 1024 || classes < 1 || classes > 65536) return NN_BAD_SHAPE;
  const optimizerKind = <i32>word(config, CFG_OPTIMIZER);
  if (optimizerKind != OPTIMIZER_SGD && optimizerKind != OPTIMIZER_ADAM) return NN_BAD_CONFIG;
  const lr = real(config, CFG_LR), momentum = real(config, CFG_MOMENTUM), decay = real(config, CFG_WEIGHT_DECAY);
  const beta1 = real(config, CFG_BETA1), beta2 = real(config, CFG_BETA2), epsilon = real(config, CFG_EPSILON);
  if (!finite(lr) || !finite(momentum) || !finite(decay) || !finite(beta1) || !finite(beta2) || !finite(epsilon)) return NN_BAD_CONFIG;
  const scaleKind = <i32>word(config, CFG_LOSS_SCALE_KIND);
  const scale = real(config, CFG_LOSS_SCALE);
  if (scaleKind < LOSS_SCALE_NONE || scaleKind > LOSS_SCALE_DYNAMIC) return NN_BAD_CONFIG;
  if (scaleKind != LOSS_SCALE_NONE && !(finite(scale) && scale > 0)) return NN_BAD_CONFIG;
  const interval = <i32>word(config, CFG_LOSS_SCALE_INTERVAL);
  if (scaleKind == LOSS_SCALE_DYNAMIC && interval < 1) return NN_BAD_CONFIG;

  const seed = word(config, CFG_SEED);
  const ctx = newContext(seed);
  for (let r = 0; r < ROLE_COUNT; r++) {
    const status = readRole(config, r, roleAt(ctx, r));
    if (status != NN_OK) return status;
  }
  const gemmFlags = word(config, CFG_GEMM);
  configureMac(ctx, (gemmFlags & GEMM_FMA) != 0, (gemmFlags & GEMM_FAST) != 0);
  const stateStatus = readStates(config, ctx, gemmFlags);
  if (stateStatus != NN_OK) return stateStatus;

  const model = new Model();
  model.ctx = ctx;
  model.maxBatch = maxBatch;
  model.heads = heads;
  model.classes = classes;
  model.flags = word(config, CFG_FLAGS);
  model.lossScaleKind = scaleKind;
  model.lossScale = scaleKind == LOSS_SCALE_NONE ? 1 : scale;
  model.scaleInterval = interval;
  const opt = newOptimizer();
  opt.kind = optimizerKind;
  opt.lr = lr;
  opt.momentum = momentum;
  opt.weightDecay = decay;
  opt.beta1 = beta1;
  opt.beta2 = beta2;
  opt.epsilon = epsilon;
  model.optimizer = opt;

  // Shapes and parameter positions first; buffers once the total is known to fit.
  model.layers = allocZeroed(<usize>(layerSpecs + 1) << alignof<usize>());
  model.input = tensorView(0, maxBatch, inH, inW, inC);
  let current = model.input;
  let params = 0;
  for (let i = 0; i <= layerSpecs; i++) {
    const layer = new Layer();
    layer.heads = 1;
    layer.input = current;
    let kind: i32, a: i32, b: i32, c: i32;
    if (i < layerSpecs) {
      const at = CFG_LAYERS + i * LAYER_WORDS;
      kind = <i32>word(config, at);
      a = <i32>word(config, at + 1);
      b = <i32>word(config, at + 2);
      c = <i32>word(config, at + 3);
    } else {
      kind = LAYER_LINEAR;
      a = classes;
      b = 0;
      c = 0;
      layer.heads = heads;
    }
    layer.kind = kind;
    const h = current.h, w = current.w, ch = current.c;
    if (kind == LAYER_LINEAR) {
      if (a < 1 || a > 1 << 20) return NN_BAD_LAYER;
      layer.output = tensorView(0, maxBatch, 1, 1, a);
      layer.fanIn = h * w * ch;
    } else if (kind == LAYER_CONV) {
      const stride = c & 0xffff, pad = c >>> 16;
      if (a < 1 || a > 1 << 16 || b < 1 || b > 64 || stride < 1 || pad > 64) return NN_BAD_LAYER;
      if (h + 2 * pad < b || w + 2 * pad < b) return NN_BAD_SHAPE;
      const oh = (h + 2 * pad - b) / stride + 1, ow = (w + 2 * pad - b) / stride + 1;
      if (<i64>oh * ow * a > MAX_VALUES || <i64>b * b * ch > MAX_VALUES) return NN_BAD_SHAPE;
      layer.k = b;
      layer.stride = stride;
      layer.pad = pad;
      layer.output = tensorView(0, maxBatch, oh, ow, a);
      layer.fanIn = b * b * ch;
    } else if (kind == LAYER_MAXPOOL || kind == LAYER_AVGPOOL) {
      if (a < 1 || a > 64 || b < 1 || b > 64) return NN_BAD_LAYER;
      if (h < a || w < a) return NN_BAD_SHAPE;
      layer.k = a;
      layer.stride = b;
      layer.output = tensorView(0, maxBatch, (h - a) / b + 1, (w - a) / b + 1, ch);
    } else if (kind == LAYER_RELU) {
      layer.output = current; // in place
    } else if (kind == LAYER_FLATTEN) {
      layer.output = tensorView(0, maxBatch, 1, 1, h * w * ch); // a view of the same values
    } else {
      return NN_BAD_LAYER;
    }
    if (kind == LAYER_LINEAR || kind == LAYER_CONV) {
      const perHead = <i64>layer.fanIn * layer.output.c + layer.output.c;
      if (<i64>params + perHead * layer.heads > 0x7fff_ffff) return NN_BAD_SHAPE;
      layer.paramBase = params;
      layer.paramsPerHead = <i32>perHead;
      params += <i32>perHead * layer.heads;
    }
    store<usize>(model.layers + (<usize>i << alignof<usize>()), changetype<usize>(layer));
    current = layer.output;
  }
  model.layerCount = layerSpecs + 1;
  model.params = params;
  const overrideStatus = readOverrides(config, model, gemmFlags);
  if (overrideStatus != NN_OK) return overrideStatus;
  if (!mulFormatsFit(model)) return NN_BAD_STATE;
  store<usize>(out, changetype<usize>(model));
  return NN_OK;
}
