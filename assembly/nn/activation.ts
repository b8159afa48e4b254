// ReLU, in place: its output overwrites its input, and the backward pass needs only that output
// (y > 0 exactly where x > 0), so the error is masked in place too.
import { Layer } from "./layer";

export function reluForward(layer: Layer, batch: i32): void {
  const y = layer.output.data;
  keepWherePositive(y, y, batch * layer.output.size);
}

export function reluBackward(layer: Layer, batch: i32, dy: usize): void {
  keepWherePositive(dy, layer.output.data, batch * layer.output.size);
}

/**
 * values[i] where by[i] > 0, else +0 (NaN and -0 in `by` included), for n f32 values in place: the
 * forward pass with by = values, the backward pass with the error and the output. Four a vector in the
 * SIMD build, the scalar select's bits.
 */
function keepWherePositive(values: usize, by: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vZero = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const p = values + (<usize>i << 2);
      v128.store(p, v128.and(v128.load(p), f32x4.gt(v128.load(by + (<usize>i << 2)), vZero)));
    }
  }
  for (; i < n; i++) {
    const p = values + (<usize>i << 2);
    store<f32>(p, select<f32>(load<f32>(p), 0, load<f32>(by + (<usize>i << 2)) > 0));
  }
}
