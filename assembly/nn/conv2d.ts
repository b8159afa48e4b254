// Conv2d, k x k, stride s, zero padding p, channel-last (NHWC). One sample at a time through im2col:
// col[oh*OW + ow][(ky*k + kx)*C + c] = x[oh*s - p + ky][ow*s - p + kx][c] (0 outside), then
// Y_sample = col.W + b with W of shape (k*k*C) x OC. Working one sample at a time keeps the scratch to
// one sample's columns, as a device with little memory must.
import { Context, gemmJob, weightGemmJob, forwardSlot, roundActivations, roundErrors, roundGradients, paramsF32, gradAt } from "./context";
import { Layer } from "./layer";
import { T_MACS_BACKWARD_DATA, T_MACS_BACKWARD_WEIGHT } from "./abi";

function im2col(layer: Layer, x: usize, col: usize): void {
  const h = layer.input.h, w = layer.input.w, c = layer.input.c;
  const k = layer.k, s = layer.stride, p = layer.pad;
  const oh = layer.output.h, ow = layer.output.w;
  const rowValues = k * k * c;
  for (let y = 0; y < oh; y++) {
    for (let xo = 0; xo < ow; xo++) {
      let dst = col + (<usize>((y * ow + xo) * rowValues) << 2);
      for (let ky = 0; ky < k; ky++) {
        const iy = y * s - p + ky;
        for (let kx = 0; kx < k; kx++) {
          const ix = xo * s - p + kx;
          if (iy < 0 || iy >= h || ix < 0 || ix >= w) memory.fill(dst, 0, <usize>c << 2);
          else memory.copy(dst, x + (<usize>((iy * w + ix) * c) << 2), <usize>c << 2);
          dst += <usize>c << 2;
        }
      }
    }
  }
}

/** The adjoint of im2col: adds each column gradient back to the input position it was read from. */
function col2im(layer: Layer, dcol: usize, dx: usize): void {
  const h = layer.input.h, w = layer.input.w, c = layer.input.c;
  const k = layer.k, s = layer.stride, p = layer.pad;
  const oh = layer.output.h, ow = layer.output.w;
  memory.fill(dx, 0, <usize>(h * w * c) << 2);
  let src = dcol;
  for (let y = 0; y < oh; y++) {
    for (let xo = 0; xo < ow; xo++) {
      for (let ky = 0; ky < k; ky++) {
        const iy = y * s - p + ky;
        for (let kx = 0; kx < k; kx++) {
          const ix = xo * s - p + kx;
          if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
            const at = dx + (<usize>((iy * w + ix) * c) << 2);
            for (let ch = 0; ch < c; ch++) {
              const q = at + (<usize>ch << 2);
              store<f32>(q, load<f32>(q) + load<f32>(src + (<usize>ch << 2)));
            }
          }
          src += <usize>c << 2;
        }
      }
    }
  }
}

export function convForward(ctx: Context, layer: Layer, batch: i32): void {
  const rowValues = layer.fanIn, outputs = layer.output.c;
  const positions = layer.output.h * layer.output.w;
  const first = layer.paramBase;
  const w = paramsF32(ctx, first, rowValues * outputs, ctx.weightScratch);
  const b = paramsF32(ctx, first + rowValues * outputs, outputs, ctx.biasScratch);
  for (let s = 0; s < batch; s++) {
    const y = layer.output.sample(s);
    for (let q = 0; q < positions; q++) memory.copy(y + (<usize>(q * outputs) << 2), b, <usize>outputs << 2);
    im2col(layer, layer.input.sample(s), ctx.col);
    weightGemmJob(ctx, forwardSlot(ctx), first, positions, outputs, rowValues, ctx.col, rowValues, false, w, outputs, false, y, outputs, true);
  }
  roundActivations(ctx, layer.output.data, batch * layer.output.size);
}

/** dW = sum over samples of col^T.dY, db = sum of 1^T.dY; dX = col2im(dY.W^T) when dx != 0. */
export function convBackward(ctx: Context, layer: Layer, batch: i32, dy: usize, dx: usize): void {
  const rowValues = layer.fanIn, outputs = layer.output.c;
  const positions = layer.output.h * layer.output.w;
  const first = layer.paramBase;
  const gw = gradAt(ctx, first), gb = gradAt(ctx, first + rowValues * outputs);
  const outSize = layer.output.size, inSize = layer.input.size;
  const w = dx != 0 ? paramsF32(ctx, first, rowValues * outputs, ctx.weightScratch) : 0;
  for (let s = 0; s < batch; s++) {
    const dys = dy + (<usize>(s * outSize) << 2);
    im2col(layer, layer.input.sample(s), ctx.col);
    gemmJob(ctx, T_MACS_BACKWARD_WEIGHT, rowValues, outputs, positions, ctx.col, rowValues, true, dys, outputs, false, gw, outputs, s > 0);
    gemmJob(ctx, T_MACS_BACKWARD_WEIGHT, 1, outputs, positions, ctx.ones, positions, false, dys, outputs, false, gb, outputs, s > 0);
    if (dx != 0) {
      weightGemmJob(ctx, T_MACS_BACKWARD_DATA, first, positions, rowValues, outputs, dys, outputs, false, w, outputs, true, ctx.dcol, rowValues, false);
      col2im(layer, ctx.dcol, dx + (<usize>(s * inSize) << 2));
    }
  }
  roundGradients(ctx, gw, rowValues * outputs + outputs);
  if (dx != 0) roundErrors(ctx, dx, batch * inSize);
}
