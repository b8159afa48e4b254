// Planning a model's memory: every buffer it needs for the largest batch, laid out in one place, first
// dry (the bytes only, for the memory check) and then for real.
import {
  LAYER_LINEAR, LAYER_CONV, LAYER_RELU, LAYER_MAXPOOL, LAYER_FLATTEN, ROLE_WEIGHT, ROLE_ACTIVATION, ROLE_ERROR, ROLE_ACC,
  ROLE_MASTER, ROLE_OPTIMIZER, FLAG_INPUT_GRADIENT,
} from "./abi";
import { storeBytes, anyPacked, widestCode } from "./switch";
import { Context } from "./context";
import { accelLendPackScratch } from "../accel/driver";
import { weightStoreBytes, segmentsPacked } from "./overrides";
import { Health, healthBytes } from "./health";
import { take, planReset, plannedBytes } from "./alloc";
import { stateBuffers } from "./optim";
import { Model } from "./model";

export { plannedBytes };

/**
 * Every buffer of the model, in one place: with dry = true only the bytes they will take (for the
 * memory check), then for real. Returns the bytes taken. Sizes are u64 so that a model too large for a
 * 32-bit address space is refused, not wrapped around.
 */
export function layoutBuffers(model: Model, dry: bool): u64 {
  const ctx = model.ctx;
  const batch = <u64>model.maxBatch;
  const params = <u64>model.params;
  planReset();
  // Stored roles are laid out for their widest precision state (switch.ts); the figures are the current ones.
  ctx.weights = take(dry, weightStoreBytes(model, storeBytes(ctx, ROLE_WEIGHT)));
  model.modelBytes = <f64>weightStoreBytes(model, ctx.weight.bytes);
  const opt = model.optimizer;
  opt.master = ctx.master.present ? take(dry, params * <u64>storeBytes(ctx, ROLE_MASTER)) : 0;
  model.masterBytes = ctx.master.present ? <f64>(params * <u64>ctx.master.bytes) : 0;
  const buffers = stateBuffers(opt.kind, opt.momentum);
  const stateBytes = params * <u64>storeBytes(ctx, ROLE_OPTIMIZER);
  opt.state1 = buffers >= 1 ? take(dry, stateBytes) : 0;
  opt.state2 = buffers >= 2 ? take(dry, stateBytes) : 0;
  model.optimizerBytes = <f64>(<u64>buffers * params * <u64>ctx.optimizer.bytes);
  ctx.grads = take(dry, params << 2);
  model.gradientBytes = <f64>(params << 2);
  const before = plannedBytes();

  model.input.data = take(dry, batch * <u64>model.input.size << 2);
  model.labels = take(dry, batch << 2);
  model.predictions = take(dry, batch << 2);
  let largest = model.input.size;
  let weightScratch = 0, biasScratch = 0, columns = 0, ones = model.maxBatch;
  // Elements of the largest X, W and Z of any GEMM job (their codes' scratch). W is the weights only where
  // the store's own codes may lie misaligned (per-layer stores, overrides.ts), else the errors.
  const segmented = changetype<usize>(ctx.layers) != 0;
  let operandX = 0, operandW = 0, operandZ = 0;
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
      // X: a batch of inputs (forward, weight gradient) or of errors at the outputs (data gradient); W: the
      // weights, or those errors; Z: a batch of outputs, the weight gradient, or the errors at the inputs
      // (not below the first layer, unless the model asks for the input's gradient).
      const inputs = <i32>batch * layer.input.size, outputs = <i32>batch * layer.output.size;
      operandX = max(operandX, max(inputs, outputs));
      operandW = max(operandW, max(outputs, segmented ? layer.weightCount : 0));
      operandZ = max(operandZ, max(max(outputs, layer.weightCount), i > 0 || (model.flags & FLAG_INPUT_GRADIENT) != 0 ? inputs : 0));
    }
    if (kind == LAYER_CONV) {
      const positions = layer.output.h * layer.output.w;
      columns = max(columns, positions * layer.fanIn);
      ones = max(ones, positions);
    }
  }
  model.errorA = take(dry, batch * <u64>largest << 2);
  model.errorB = take(dry, batch * <u64>largest << 2);
  const packed = anyPacked(ctx) || segmentsPacked(ctx);
  ctx.weightScratch = packed ? take(dry, <u64>weightScratch << 2) : 0;
  ctx.biasScratch = packed ? take(dry, <u64>biasScratch << 2) : 0;
  ctx.col = columns > 0 ? take(dry, <u64>columns << 2) : 0;
  ctx.dcol = columns > 0 ? take(dry, <u64>columns << 2) : 0;
  ctx.ones = take(dry, <u64>ones << 2);
  // Codes of the operands the accelerator reads and writes packed (docs/accelerator.md, Packed operands).
  // Conv jobs run one sample at a time: its columns (X, and Z of the data gradient) and its outputs.
  const bytesX = <u64>codeBytes(ctx, ROLE_ACTIVATION, ROLE_ERROR) * <u64>max(operandX, max(columns, ones));
  const bytesW = <u64>codeBytes(ctx, ROLE_WEIGHT, ROLE_ERROR) * <u64>operandW;
  const bytesZ = <u64>codeBytes(ctx, ROLE_ACC, ROLE_ACC) * <u64>max(operandZ, columns);
  const codesX = bytesX > 0 ? take(dry, bytesX) : 0;
  const codesW = bytesW > 0 ? take(dry, bytesW) : 0;
  const codesZ = bytesZ > 0 ? take(dry, bytesZ) : 0;
  if (!dry) accelLendPackScratch(codesX, <usize>bytesX, codesW, <usize>bytesW, codesZ, <usize>bytesZ);
  if (!dry) for (let i = 0; i < ones; i++) store<f32>(ctx.ones + (<usize>i << 2), 1);
  model.workBytes = <f64>(plannedBytes() - before);
  if (model.optimizer.health != 0) layoutHealth(model, dry);
  return plannedBytes();
}

/** Bytes of the widest code an operand of roles `a` or `b` may go to the accelerator in (1 or 2), 0 when neither packs. */
function codeBytes(ctx: Context, a: i32, b: i32): i32 {
  // Per-layer roles may take any format: room for 2-byte codes.
  if (changetype<usize>(ctx.layers) != 0) return 2;
  return max(widestCode(ctx, a), widestCode(ctx, b));
}

/** The health rows (health.ts) and where each layer's parameters end, for attributing updates. */
function layoutHealth(model: Model, dry: bool): void {
  const health = changetype<Health>(model.optimizer.health);
  health.layers = model.layerCount;
  health.rows = take(dry, <u64>healthBytes(model.layerCount));
  health.paramEnds = take(dry, <u64>model.layerCount << 2);
  if (dry) return;
  let end = 0;
  for (let i = 0; i < model.layerCount; i++) {
    const layer = model.layer(i);
    if (layer.kind == LAYER_LINEAR || layer.kind == LAYER_CONV) end = layer.paramBase + layer.paramsPerHead * layer.heads;
    store<i32>(health.paramEnds + (<usize>i << 2), end);
  }
}
