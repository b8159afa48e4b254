// Exports of the training engine, shaped as the commands a board serves: create a model from a config
// blob, put a batch, train on it, evaluate it, read telemetry, read and write the weights. Models are
// named by a small handle (1, 2, ...); every entry checks its handle and arguments once and answers a
// negative status (assembly/nn/abi.ts) instead of trapping.
import {
  Model, buildModel, backward, step, evaluate, selectHead, telemetry, readParams, writeParams, readParamsF32,
  writeParamsF32, checkLabels, healthReset, Health, NN_OK, NN_BAD_MODEL, NN_BAD_HEAD, NN_OUT_OF_MEMORY,
} from "../nn";

const MAX_MODELS: i32 = 64;
const models = memory.data(MAX_MODELS << alignof<usize>());
let modelCount: i32 = 0;
const built = memory.data(8);

// @ts-ignore: decorator
@inline function modelOf(handle: i32): Model {
  return changetype<Model>(load<usize>(models + (<usize>(handle - 1) << alignof<usize>())));
}

function valid(handle: i32): bool {
  return handle >= 1 && handle <= modelCount;
}

/** Builds a model from `words` u32 words at `config`; returns its handle (>= 1) or a negative status. */
export function nn_create(config: usize, words: i32): i32 {
  if (modelCount >= MAX_MODELS) return NN_OUT_OF_MEMORY;
  const status = buildModel(config, words, built);
  if (status != NN_OK) return status;
  store<usize>(models + (<usize>modelCount << alignof<usize>()), load<usize>(built));
  modelCount++;
  return modelCount;
}

/** Where the host writes a batch: f32 inputs (max batch x sample values) and i32 labels of the active head. */
export function nn_inputs(handle: i32): usize {
  return valid(handle) ? modelOf(handle).input.data : 0;
}
export function nn_labels(handle: i32): usize {
  return valid(handle) ? modelOf(handle).labels : 0;
}
export function nn_predictions(handle: i32): usize {
  return valid(handle) ? modelOf(handle).predictions : 0;
}
/** The active head's logits of the last forward pass (batch x classes f32). */
export function nn_logits(handle: i32): usize {
  return valid(handle) ? modelOf(handle).output.output.data : 0;
}
export function nn_max_batch(handle: i32): i32 {
  return valid(handle) ? modelOf(handle).maxBatch : NN_BAD_MODEL;
}
export function nn_sample_size(handle: i32): i32 {
  return valid(handle) ? modelOf(handle).input.size : NN_BAD_MODEL;
}

export function nn_set_head(handle: i32, head: i32): i32 {
  if (!valid(handle)) return NN_BAD_MODEL;
  const model = modelOf(handle);
  if (head < 0 || head >= model.heads) return NN_BAD_HEAD;
  selectHead(model, head);
  return NN_OK;
}

/** NN_OK when `handle` names a model and its first `batch` labels are in range, else the status saying why not. */
function batchStatus(handle: i32, batch: i32): i32 {
  return valid(handle) ? checkLabels(modelOf(handle), batch) : NN_BAD_MODEL;
}

/** Forward, backward and one optimizer step on the first `batch` samples; 1 if the step applied, 0 if skipped. */
export function nn_train(handle: i32, batch: i32): i32 {
  const status = nn_backward(handle, batch);
  if (status != NN_OK) return status;
  return step(modelOf(handle)) ? 1 : 0;
}

/**
 * Forward and backward without a step: the gradient buffer (nn_gradients) then holds dLoss/dparam times
 * the loss scale, rounded to the gradient format.
 */
export function nn_backward(handle: i32, batch: i32): i32 {
  const status = batchStatus(handle, batch);
  if (status == NN_OK) backward(modelOf(handle), batch);
  return status;
}

/** Evaluates the first `batch` samples; returns how many it classified right. */
export function nn_evaluate(handle: i32, batch: i32): i32 {
  const status = batchStatus(handle, batch);
  return status == NN_OK ? evaluate(modelOf(handle), batch) : status;
}

/** f32 gradients, one per parameter. */
export function nn_gradients(handle: i32): usize {
  return valid(handle) ? modelOf(handle).ctx.grads : 0;
}
/** dLoss/dinput of the last backward pass (models built with FLAG_INPUT_GRADIENT), else 0. */
export function nn_input_gradient(handle: i32): usize {
  return valid(handle) ? modelOf(handle).inputGradient : 0;
}

/**
 * One optimizer step on the gradients now in the buffer (nn_gradients: scale * dLoss/dparam), as
 * nn_train takes it after its backward pass; 1 if the step applied, 0 if skipped.
 */
export function nn_step(handle: i32): i32 {
  if (!valid(handle)) return NN_BAD_MODEL;
  return step(modelOf(handle)) ? 1 : 0;
}

/** The numeric health rows (abi.ts H_*, row layer * ROLE_COUNT + role), or 0 without FLAG_HEALTH. */
export function nn_health(handle: i32): usize {
  if (!valid(handle)) return 0;
  const health = modelOf(handle).optimizer.health;
  return health != 0 ? changetype<Health>(health).rows : 0;
}

/** Zeroes the health rows. */
export function nn_health_reset(handle: i32): i32 {
  if (!valid(handle)) return NN_BAD_MODEL;
  healthReset(modelOf(handle));
  return NN_OK;
}

/** T_COUNT f64 counters (abi.ts T_*), refreshed. */
export function nn_telemetry(handle: i32): usize {
  return valid(handle) ? telemetry(modelOf(handle)) : 0;
}

export function nn_param_count(handle: i32): i32 {
  return valid(handle) ? modelOf(handle).params : NN_BAD_MODEL;
}
/** Bytes of the stored weights: one code per weight in the weight format's storage. */
export function nn_param_bytes(handle: i32): i32 {
  return valid(handle) ? <i32>modelOf(handle).modelBytes : NN_BAD_MODEL;
}
export function nn_params_read(handle: i32, dst: usize): i32 {
  if (!valid(handle)) return NN_BAD_MODEL;
  readParams(modelOf(handle), dst);
  return NN_OK;
}
export function nn_params_write(handle: i32, src: usize): i32 {
  if (!valid(handle)) return NN_BAD_MODEL;
  writeParams(modelOf(handle), src);
  return NN_OK;
}
export function nn_params_read_f32(handle: i32, dst: usize): i32 {
  if (!valid(handle)) return NN_BAD_MODEL;
  readParamsF32(modelOf(handle), dst);
  return NN_OK;
}
export function nn_params_write_f32(handle: i32, src: usize): i32 {
  if (!valid(handle)) return NN_BAD_MODEL;
  writeParamsF32(modelOf(handle), src);
  return NN_OK;
}
