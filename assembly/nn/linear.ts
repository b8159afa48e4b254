// Linear: Y = X.W + b, X batch x in (the input read flat), W in x out, b out.
// The bias is each output's initial accumulator value, so it enters the dot product like one more term
// already held in the accumulator, as a MAC array would load it.
import { Context, gemmJob, weightGemmJob, forwardSlot, roundActivations, roundErrors, roundGradients, paramsF32, gradAt } from "./context";
import { Layer } from "./layer";
import { T_MACS_BACKWARD_DATA, T_MACS_BACKWARD_WEIGHT } from "./abi";

export function linearForward(ctx: Context, layer: Layer, batch: i32, head: i32): void {
  const inputs = layer.fanIn, outputs = layer.output.c;
  const first = layer.paramsOf(head);
  const w = paramsF32(ctx, first, inputs * outputs, ctx.weightScratch);
  const b = paramsF32(ctx, first + inputs * outputs, outputs, ctx.biasScratch);
  const y = layer.output.data;
  for (let s = 0; s < batch; s++) memory.copy(y + (<usize>(s * outputs) << 2), b, <usize>outputs << 2);
  weightGemmJob(ctx, forwardSlot(ctx), first, batch, outputs, inputs, layer.input.data, inputs, false, w, outputs, false, y, outputs, true);
  roundActivations(ctx, y, batch * outputs);
}

/** dW = X^T.dY, db = 1^T.dY (rounded to the gradient format); dX = dY.W^T when dx != 0. */
export function linearBackward(ctx: Context, layer: Layer, batch: i32, head: i32, dy: usize, dx: usize): void {
  const inputs = layer.fanIn, outputs = layer.output.c;
  const first = layer.paramsOf(head);
  const gw = gradAt(ctx, first), gb = gradAt(ctx, first + inputs * outputs);
  gemmJob(ctx, T_MACS_BACKWARD_WEIGHT, inputs, outputs, batch, layer.input.data, inputs, true, dy, outputs, false, gw, outputs, false);
  gemmJob(ctx, T_MACS_BACKWARD_WEIGHT, 1, outputs, batch, ctx.ones, batch, false, dy, outputs, false, gb, outputs, false);
  roundGradients(ctx, gw, inputs * outputs + outputs);
  if (dx == 0) return;
  const w = paramsF32(ctx, first, inputs * outputs, ctx.weightScratch);
  weightGemmJob(ctx, T_MACS_BACKWARD_DATA, first, batch, inputs, outputs, dy, outputs, false, w, outputs, true, dx, inputs, false);
  roundErrors(ctx, dx, batch * inputs);
}
