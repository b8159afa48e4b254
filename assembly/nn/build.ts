// Building a model from its config blob (abi.ts): the layers and their shapes, every buffer laid out
// once for the largest batch (or only counted, for a plan), and the initial weights.
import { streamKey, drawAt, pow2 } from "../arith";
import {
  NN_ABI_VERSION, CFG_VERSION, CFG_SEED, CFG_MAX_BATCH, CFG_IN_C, CFG_IN_H, CFG_IN_W, CFG_HEADS, CFG_HEAD_CLASSES,
  CFG_FLAGS, CFG_OPTIMIZER, CFG_LR, CFG_MOMENTUM, CFG_WEIGHT_DECAY, CFG_BETA1, CFG_BETA2, CFG_EPSILON, CFG_GEMM,
  CFG_LOSS_SCALE_KIND, CFG_LOSS_SCALE, CFG_LOSS_SCALE_INTERVAL, CFG_LAYER_COUNT, CFG_LAYERS, LAYER_WORDS,
  CFG_MAX_LAYERS, ROLE_COUNT, OPTIMIZER_SGD, OPTIMIZER_ADAM, GEMM_FMA, GEMM_FAST, LOSS_SCALE_NONE,
  LOSS_SCALE_DYNAMIC, LAYER_LINEAR, LAYER_CONV, LAYER_RELU, LAYER_MAXPOOL, LAYER_AVGPOOL, LAYER_FLATTEN, NN_OK,
  NN_BAD_VERSION, NN_BAD_CONFIG, NN_BAD_LAYER, NN_BAD_SHAPE, NN_BAD_BATCH, NN_OUT_OF_MEMORY,
} from "./abi";
import { allocZeroed, reserve, take, planReset, plannedBytes } from "./alloc";
import { newContext, roleAt, configureMac, STREAM_INIT } from "./context";
import { readRole } from "./precision";
import { tensorView } from "./tensor";
import { Layer } from "./layer";
import { newOptimizer, stateBuffers, setWeight } from "./optim";
import { Model } from "./model";

export { plannedBytes };

/** Most values one sample may have at any layer (and most inputs of one output). */
const MAX_VALUES: i64 = 1 << 24;

// @ts-ignore: decorator
@inline function word(config: usize, index: i32): u32 { return load<u32>(config + (<usize>index << 2)); }
// @ts-ignore: decorator
@inline function real(config: usize, index: i32): f32 { return load<f32>(config + (<usize>index << 2)); }

function finite(x: f32): bool { return x - x == 0; }

/**
 * Builds the model the config blob describes; returns its status and, through `out`, the model. With
 * `planOnly`, only the shapes are built and plannedBytes() tells what the buffers would take: nothing
 * is laid out, so a caller can check a deployment before it replaces another.
 */
export function buildModel(config: usize, words: i32, out: usize, planOnly: bool = false): i32 {
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

  const bytes = layoutBuffers(model, true);
  if (planOnly) {
    store<usize>(out, changetype<usize>(model));
    return NN_OK;
  }
  if (!reserve(bytes)) return NN_OUT_OF_MEMORY;
  layoutBuffers(model, false);
  initParams(model);
  store<usize>(out, changetype<usize>(model));
  return NN_OK;
}

/**
 * Every buffer of the model, in one place: with dry = true only the bytes they will take (for the
 * memory check), then for real. Returns the bytes taken. Sizes are u64 so that a model too large for a
 * 32-bit address space is refused, not wrapped around.
 */
function layoutBuffers(model: Model, dry: bool): u64 {
  const ctx = model.ctx;
  const batch = <u64>model.maxBatch;
  const params = <u64>model.params;
  planReset();
  ctx.weights = take(dry, params * <u64>ctx.weight.bytes);
  model.modelBytes = <f64>(params * <u64>ctx.weight.bytes);
  const opt = model.optimizer;
  opt.master = ctx.master.present ? take(dry, params * <u64>ctx.master.bytes) : 0;
  model.masterBytes = ctx.master.present ? <f64>(params * <u64>ctx.master.bytes) : 0;
  const buffers = stateBuffers(opt.kind, opt.momentum);
  opt.state1 = buffers >= 1 ? take(dry, params * <u64>ctx.optimizer.bytes) : 0;
  opt.state2 = buffers >= 2 ? take(dry, params * <u64>ctx.optimizer.bytes) : 0;
  model.optimizerBytes = <f64>(<u64>buffers * params * <u64>ctx.optimizer.bytes);
  ctx.grads = take(dry, params << 2);
  model.gradientBytes = <f64>(params << 2);
  const before = plannedBytes();

  model.input.data = take(dry, batch * <u64>model.input.size << 2);
  model.labels = take(dry, batch << 2);
  model.predictions = take(dry, batch << 2);
  let largest = model.input.size;
  let weightScratch = 0, biasScratch = 0, columns = 0, ones = model.maxBatch;
  for (let i = 0; i < model.layerCount; i++) {
    const layer = model.layer(i);
    const kind = layer.kind;
    if (kind == LAYER_RELU) continue;
    if (kind == LAYER_FLATTEN) {
      layer.output.data = layer.input.data;
      continue;
    }
    layer.output.data = take(dry, batch * <u64>layer.output.size << 2);
    if (kind == LAYER_MAXPOOL) layer.argmax = take(dry, batch * <u64>layer.output.size << 2);
    largest = max(largest, layer.output.size);
    if (kind == LAYER_LINEAR || kind == LAYER_CONV) {
      weightScratch = max(weightScratch, layer.weightCount);
      biasScratch = max(biasScratch, layer.biasCount);
    }
    if (kind == LAYER_CONV) {
      const positions = layer.output.h * layer.output.w;
      columns = max(columns, positions * layer.fanIn);
      ones = max(ones, positions);
    }
  }
  model.errorA = take(dry, batch * <u64>largest << 2);
  model.errorB = take(dry, batch * <u64>largest << 2);
  const packed = ctx.weight.bytes != 4;
  ctx.weightScratch = packed ? take(dry, <u64>weightScratch << 2) : 0;
  ctx.biasScratch = packed ? take(dry, <u64>biasScratch << 2) : 0;
  ctx.col = columns > 0 ? take(dry, <u64>columns << 2) : 0;
  ctx.dcol = columns > 0 ? take(dry, <u64>columns << 2) : 0;
  ctx.ones = take(dry, <u64>ones << 2);
  if (!dry) for (let i = 0; i < ones; i++) store<f32>(ctx.ones + (<usize>i << 2), 1);
  model.workBytes = <f64>(plannedBytes() - before);
  return plannedBytes();
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
