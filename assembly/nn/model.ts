// A model (built by build.ts from the config blob) and the three things training does with it: forward,
// backward (with loss scaling) and evaluation (the update: step.ts); telemetry and the weights in and out.
import {
  FLAG_INPUT_GRADIENT, LAYER_LINEAR, LAYER_CONV, LAYER_RELU, LAYER_MAXPOOL,
  LAYER_AVGPOOL, LAYER_FLATTEN, NN_OK, NN_BAD_BATCH, NN_BAD_LABEL, T_PARAMS, T_MODEL_BYTES, T_MASTER_BYTES,
  T_OPTIMIZER_BYTES, T_GRADIENT_BYTES, T_WORK_BYTES, T_LINEAR_MEMORY_BYTES, T_HEAP_BYTES,
  T_LOSS_SCALE, T_TRAIN_SAMPLES, T_TRAIN_LOSS_SUM, T_TRAIN_CORRECT, T_EVAL_SAMPLES,
  T_EVAL_LOSS_SUM, T_EVAL_CORRECT,
} from "./abi";
import { heapTop } from "./alloc";
import { Context, roundActivations, roundErrors, count } from "./context";
import { loadStored, storeRounded, roundOne } from "./precision";
import { Tensor } from "./tensor";
import { useLayer, useModel, weightAt } from "./overrides";
import { Layer } from "./layer";
import { linearForward, linearBackward } from "./linear";
import { convForward, convBackward } from "./conv2d";
import { reluForward, reluBackward } from "./activation";
import { maxPoolForward, maxPoolBackward, avgPoolForward, avgPoolBackward } from "./pool";
import { softmaxCrossEntropy } from "./loss";
import { Optimizer, setWeight } from "./optim";


@final @unmanaged
export class Model {
  ctx: Context = changetype<Context>(0);
  /** Layers in order; the last is the output Linear with its heads. */
  layers: usize = 0;
  layerCount: i32 = 0;
  input: Tensor = changetype<Tensor>(0);
  labels: usize = 0;
  predictions: usize = 0;
  maxBatch: i32 = 0;
  heads: i32 = 1;
  classes: i32 = 0;
  head: i32 = 0;
  flags: u32 = 0;
  params: i32 = 0;
  optimizer: Optimizer = changetype<Optimizer>(0);
  errorA: usize = 0;
  errorB: usize = 0;
  /** Loss gradient with respect to the input batch after a backward pass (FLAG_INPUT_GRADIENT), else 0. */
  inputGradient: usize = 0;
  lossScaleKind: i32 = 0;
  lossScale: f32 = 1;
  scaleInterval: i32 = 0;
  cleanSteps: i32 = 0;
  modelBytes: f64 = 0;
  masterBytes: f64 = 0;
  optimizerBytes: f64 = 0;
  gradientBytes: f64 = 0;
  workBytes: f64 = 0;

  // @ts-ignore: decorator
  @inline layer(i: i32): Layer { return changetype<Layer>(load<usize>(this.layers + (<usize>i << alignof<usize>()))); }
  get output(): Layer { return this.layer(this.layerCount - 1); }
}

export function finite(x: f32): bool { return x - x == 0; }

/** Runs the layers forward on the batch in model.input; the logits land in the output layer. */
export function forward(model: Model, batch: i32, training: bool): void {
  // The input is the first activation: it is rounded to the activation format like every other, from
  // the stream of this pass (training or evaluation).
  model.ctx.training = training;
  roundActivations(model.ctx, model.input.data, batch * model.input.size);
  forwardLayers(model, batch, training, 0, model.layerCount);
}

/**
 * Runs layers first .. end-1 on the batch already in layer first's input (latent replay feeds stored
 * activations to the layers above a frozen part this way).
 */
export function forwardLayers(model: Model, batch: i32, training: bool, first: i32, end: i32): void {
  const ctx = model.ctx;
  ctx.training = training;
  for (let i = first; i < end; i++) {
    const layer = model.layer(i);
    useLayer(ctx, i);
    switch (layer.kind) {
      case LAYER_LINEAR: linearForward(ctx, layer, batch, layer.heads > 1 ? model.head : 0); break;
      case LAYER_CONV: convForward(ctx, layer, batch); break;
      case LAYER_RELU: reluForward(layer, batch); break;
      case LAYER_MAXPOOL: maxPoolForward(layer, batch); break;
      case LAYER_AVGPOOL: avgPoolForward(ctx, layer, batch); break;
      default: break; // flatten: a view
    }
  }
  useModel(ctx);
}

/** Labels must name a class of the active head. */
export function checkLabels(model: Model, batch: i32): i32 {
  if (batch < 1 || batch > model.maxBatch) return NN_BAD_BATCH;
  for (let s = 0; s < batch; s++) {
    const label = load<i32>(model.labels + (<usize>s << 2));
    if (label < 0 || label >= model.classes) return NN_BAD_LABEL;
  }
  return NN_OK;
}

function correctCount(model: Model, batch: i32): i32 {
  let correct = 0;
  for (let s = 0; s < batch; s++) {
    if (load<i32>(model.predictions + (<usize>s << 2)) == load<i32>(model.labels + (<usize>s << 2))) correct++;
  }
  return correct;
}

/**
 * Forward and backward on a batch: leaves scale * dLoss/dparam, rounded to the gradient format, in the
 * gradient buffer (active head only). Loss and accuracy count as training telemetry.
 */
export function backward(model: Model, batch: i32): void {
  const ctx = model.ctx;
  forward(model, batch, true);
  const out = model.output;
  const loss = softmaxCrossEntropy(out.output.data, model.labels, batch, model.classes, model.predictions, model.errorA, model.lossScale);
  count(ctx, T_TRAIN_SAMPLES, batch);
  count(ctx, T_TRAIN_LOSS_SUM, loss);
  count(ctx, T_TRAIN_CORRECT, correctCount(model, batch));
  propagate(model, batch);
}

/**
 * The backward pass from a loss gradient already in model.errorA (batch x classes of the active head,
 * times the loss scale), after forward(model, batch, true): leaves the gradients as backward does.
 * Strategies with their own loss (distillation) compute errorA themselves and call this. With last > 0
 * the pass stops at layer `last` (latent replay: the layers below are frozen).
 */
export function propagate(model: Model, batch: i32, last: i32 = 0): void {
  const ctx = model.ctx;
  // The loss gradient is the output layer's error.
  useLayer(ctx, model.layerCount - 1);
  roundErrors(ctx, model.errorA, batch * model.classes);
  let dy = model.errorA, spare = model.errorB;
  const wantInput = last == 0 && (model.flags & FLAG_INPUT_GRADIENT) != 0;
  // Layers below `last` are frozen: no gradients for them, and no error below layer `last`.
  for (let i = model.layerCount - 1; i >= last; i--) {
    const layer = model.layer(i);
    useLayer(ctx, i);
    const needDx = i > last || wantInput;
    const dx = needDx ? spare : 0;
    switch (layer.kind) {
      case LAYER_LINEAR: linearBackward(ctx, layer, batch, layer.heads > 1 ? model.head : 0, dy, dx); break;
      case LAYER_CONV: convBackward(ctx, layer, batch, dy, dx); break;
      case LAYER_RELU: reluBackward(layer, batch, dy); continue;
      case LAYER_FLATTEN: continue;
      case LAYER_MAXPOOL: if (needDx) maxPoolBackward(ctx, layer, batch, dy, dx); break;
      case LAYER_AVGPOOL: if (needDx) avgPoolBackward(ctx, layer, batch, dy, dx); break;
      default: break;
    }
    if (needDx) {
      spare = dy;
      dy = dx;
    }
  }
  model.inputGradient = wantInput ? dy : 0;
  useModel(ctx);
}

/** Forward pass for evaluation: predictions and loss, counted as evaluation telemetry; returns correct. */
export function evaluate(model: Model, batch: i32): i32 {
  const ctx = model.ctx;
  forward(model, batch, false);
  const loss = softmaxCrossEntropy(model.output.output.data, model.labels, batch, model.classes, model.predictions, 0, 1);
  const correct = correctCount(model, batch);
  count(ctx, T_EVAL_SAMPLES, batch);
  count(ctx, T_EVAL_LOSS_SUM, loss);
  count(ctx, T_EVAL_CORRECT, correct);
  return correct;
}

/** Selects the head whose logits the loss sees; the other heads' gradients read as zero. */
export function selectHead(model: Model, head: i32): void {
  model.head = head;
  const out = model.output;
  memory.fill(model.ctx.grads + (<usize>out.paramBase << 2), 0, <usize>(out.paramsPerHead * out.heads) << 2);
}

/** Refreshes the memory figures and the loss scale in the telemetry block and returns it. */
export function telemetry(model: Model): usize {
  const t = model.ctx.telemetry;
  store<f64>(t + (<usize>T_PARAMS << 3), model.params);
  store<f64>(t + (<usize>T_MODEL_BYTES << 3), model.modelBytes);
  store<f64>(t + (<usize>T_MASTER_BYTES << 3), model.masterBytes);
  store<f64>(t + (<usize>T_OPTIMIZER_BYTES << 3), model.optimizerBytes);
  store<f64>(t + (<usize>T_GRADIENT_BYTES << 3), model.gradientBytes);
  store<f64>(t + (<usize>T_WORK_BYTES << 3), model.workBytes);
  store<f64>(t + (<usize>T_LINEAR_MEMORY_BYTES << 3), <f64>(<u64>memory.size() << 16));
  store<f64>(t + (<usize>T_HEAP_BYTES << 3), <f64>heapTop());
  store<f64>(t + (<usize>T_LOSS_SCALE << 3), model.lossScale);
  return t;
}

/** Copies the stored weights (packed codes, or f32) to dst: modelBytes bytes. */
export function readParams(model: Model, dst: usize): void {
  memory.copy(dst, model.ctx.weights, <usize>model.modelBytes);
}

/** Loads stored weights (as readParams writes them); the master copy takes their values. */
export function writeParams(model: Model, src: usize): void {
  const ctx = model.ctx;
  memory.copy(ctx.weights, src, <usize>model.modelBytes);
  if (!ctx.master.present) return;
  for (let i = 0; i < model.params; i++) {
    const v = roundOne(ctx.master, ctx.masterRng, weightAt(ctx, i));
    storeRounded(ctx.master, model.optimizer.master, i, v);
  }
}

/** The weights as f32 values. */
export function readParamsF32(model: Model, dst: usize): void {
  const ctx = model.ctx;
  for (let i = 0; i < model.params; i++) store<f32>(dst + (<usize>i << 2), weightAt(ctx, i));
}

/** Sets every weight from f32 values (rounded to the master and weight formats). */
export function writeParamsF32(model: Model, src: usize): void {
  for (let i = 0; i < model.params; i++) setWeight(model.ctx, model.optimizer, i, load<f32>(src + (<usize>i << 2)));
}
