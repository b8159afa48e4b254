// MaxPool2d and AvgPool2d: k x k windows, stride s, no padding, per channel (NHWC).
import { Context, roundActivations, roundErrors } from "./context";
import { Layer } from "./layer";

export function maxPoolForward(layer: Layer, batch: i32): void {
  const h = layer.input.h, w = layer.input.w, c = layer.input.c;
  const oh = layer.output.h, ow = layer.output.w;
  const k = layer.k, s = layer.stride;
  for (let b = 0; b < batch; b++) {
    const x = layer.input.sample(b);
    for (let y = 0; y < oh; y++) {
      for (let xo = 0; xo < ow; xo++) {
        for (let ch = 0; ch < c; ch++) {
          // The first maximum in window order wins a tie, so the backward route is fixed.
          let best = ((y * s) * w + xo * s) * c + ch;
          let bestValue = load<f32>(x + (<usize>best << 2));
          for (let ky = 0; ky < k; ky++) {
            for (let kx = 0; kx < k; kx++) {
              const i = ((y * s + ky) * w + xo * s + kx) * c + ch;
              const v = load<f32>(x + (<usize>i << 2));
              if (v > bestValue) { bestValue = v; best = i; }
            }
          }
          const o = b * layer.output.size + (y * ow + xo) * c + ch;
          store<f32>(layer.output.data + (<usize>o << 2), bestValue);
          store<i32>(layer.argmax + (<usize>o << 2), best);
        }
      }
    }
  }
}

/** Each output's error goes to the input it came from (added where windows overlap). */
export function maxPoolBackward(ctx: Context, layer: Layer, batch: i32, dy: usize, dx: usize): void {
  const inSize = layer.input.size, outSize = layer.output.size;
  memory.fill(dx, 0, <usize>(batch * inSize) << 2);
  for (let b = 0; b < batch; b++) {
    for (let o = 0; o < outSize; o++) {
      const at = b * outSize + o;
      const q = dx + (<usize>(b * inSize + load<i32>(layer.argmax + (<usize>at << 2))) << 2);
      store<f32>(q, load<f32>(q) + load<f32>(dy + (<usize>at << 2)));
    }
  }
  if (layer.stride < layer.k) roundErrors(ctx, dx, batch * inSize);
}

export function avgPoolForward(ctx: Context, layer: Layer, batch: i32): void {
  const w = layer.input.w, c = layer.input.c;
  const oh = layer.output.h, ow = layer.output.w;
  const k = layer.k, s = layer.stride;
  const inverse: f32 = 1.0 / <f32>(k * k);
  for (let b = 0; b < batch; b++) {
    const x = layer.input.sample(b);
    for (let y = 0; y < oh; y++) {
      for (let xo = 0; xo < ow; xo++) {
        for (let ch = 0; ch < c; ch++) {
          let sum: f32 = 0;
          for (let ky = 0; ky < k; ky++) {
            for (let kx = 0; kx < k; kx++) sum += load<f32>(x + (<usize>(((y * s + ky) * w + xo * s + kx) * c + ch) << 2));
          }
          store<f32>(layer.output.at(b, y, xo, ch), sum * inverse);
        }
      }
    }
  }
  roundActivations(ctx, layer.output.data, batch * layer.output.size);
}

/** Every input of a window gets the window's error / k^2. */
export function avgPoolBackward(ctx: Context, layer: Layer, batch: i32, dy: usize, dx: usize): void {
  const w = layer.input.w, c = layer.input.c;
  const oh = layer.output.h, ow = layer.output.w;
  const k = layer.k, s = layer.stride;
  const inSize = layer.input.size, outSize = layer.output.size;
  const inverse: f32 = 1.0 / <f32>(k * k);
  memory.fill(dx, 0, <usize>(batch * inSize) << 2);
  for (let b = 0; b < batch; b++) {
    for (let y = 0; y < oh; y++) {
      for (let xo = 0; xo < ow; xo++) {
        for (let ch = 0; ch < c; ch++) {
          const share = load<f32>(dy + (<usize>(b * outSize + (y * ow + xo) * c + ch) << 2)) * inverse;
          for (let ky = 0; ky < k; ky++) {
            for (let kx = 0; kx < k; kx++) {
              const q = dx + (<usize>(b * inSize + ((y * s + ky) * w + xo * s + kx) * c + ch) << 2);
              store<f32>(q, load<f32>(q) + share);
            }
          }
        }
      }
    }
  }
  roundErrors(ctx, dx, batch * inSize);
}
