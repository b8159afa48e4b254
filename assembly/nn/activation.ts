// ReLU, in place: its output overwrites its input, and the backward pass needs only that output
// (y > 0 exactly where x > 0), so the error is masked in place too.
import { Layer } from "./layer";

export function reluForward(layer: Layer, batch: i32): void {
  const y = layer.output.data;
  const n = batch * layer.output.size;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    // v where v > 0, else +0 (NaN and -0 included): the scalar select's bits, four a vector.
    const vZero = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const p = y + (<usize>i << 2);
      const v = v128.load(p);
      v128.store(p, v128.and(v, f32x4.gt(v, vZero)));
    }
  }
  for (; i < n; i++) {
    const p = y + (<usize>i << 2);
    const v = load<f32>(p);
    store<f32>(p, select<f32>(v, 0, v > 0));
  }
}

export function reluBackward(layer: Layer, batch: i32, dy: usize): void {
  const y = layer.output.data;
  const n = batch * layer.output.size;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vZero = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const p = dy + (<usize>i << 2);
      v128.store(p, v128.and(v128.load(p), f32x4.gt(v128.load(y + (<usize>i << 2)), vZero)));
    }
  }
  for (; i < n; i++) {
    const p = dy + (<usize>i << 2);
    store<f32>(p, select<f32>(load<f32>(p), 0, load<f32>(y + (<usize>i << 2)) > 0));
  }
}
