// Planning a model's memory: every buffer it needs for the largest batch, laid out in one place, first
// dry (the bytes only, for the memory check) and then for real.
import { LAYER_LINEAR, LAYER_CONV, LAYER_RELU, LAYER_MAXPOOL, LAYER_FLATTEN, ROLE_WEIGHT, ROLE_MASTER, ROLE_OPTIMIZER } from "./abi";
import { storeBytes, anyPacked } from "./switch";
import { weightStoreBytes, segmentsPacked } from "./overrides";
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
  const packed = anyPacked(ctx) || segmentsPacked(ctx);
  ctx.weightScratch = packed ? take(dry, <u64>weightScratch << 2) : 0;
  ctx.biasScratch = packed ? take(dry, <u64>biasScratch << 2) : 0;
  ctx.col = columns > 0 ? take(dry, <u64>columns << 2) : 0;
  ctx.dcol = columns > 0 ? take(dry, <u64>columns << 2) : 0;
  ctx.ones = take(dry, <u64>ones << 2);
  if (!dry) for (let i = 0; i < ones; i++) store<f32>(ctx.ones + (<usize>i << 2), 1);
  model.workBytes = <f64>(plannedBytes() - before);
  return plannedBytes();
}
