// ReLU, in place: its output overwrites its input, and the backward pass needs only that output
// (y > 0 exactly where x > 0), so the error is masked in place too.
import { Layer } from "./layer";

export function reluForward(layer: Layer, batch: i32): void {
  const y = layer.output.data;
  const n = batch * layer.output.size;
  for (let i = 0; i < n; i++) {
    const p = y + (<usize>i << 2);
    const v = load<f32>(p);
    store<f32>(p, select<f32>(v, 0, v > 0));
  }
}

export function reluBackward(layer: Layer, batch: i32, dy: usize): void {
  const y = layer.output.data;
  const n = batch * layer.output.size;
  for (let i = 0; i < n; i++) {
    const p = dy + (<usize>i << 2);
    store<f32>(p, select<f32>(load<f32>(p), 0, load<f32>(y + (<usize>i << 2)) > 0));
  }
}
