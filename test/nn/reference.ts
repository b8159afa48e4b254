// An f64 reference of the models the device trains, written from docs/models.md alone: samples are
// channel-last (H x W x C), conv weights are indexed ((ky*k + kx)*C + c) * OC + oc, every Linear/Conv2d
// stores its weights then its biases, and the output Linear stores one (weights, biases) block per head.
import type { LayerSpec } from "../../host/train/model-spec.js";

export interface Shape {
  h: number;
  w: number;
  c: number;
}

export interface RefModel {
  input: Shape;
  layers: LayerSpec[];
  heads: number;
  classes: number;
}

/** Number of parameters the reference (and so the device) gives the model. */
export function paramCount(model: RefModel): number {
  let shape = model.input;
  let count = 0;
  for (const layer of model.layers) {
    const fanIn = layer.kind === "conv" ? layer.kernel * layer.kernel * shape.c : shape.h * shape.w * shape.c;
    if (layer.kind === "linear") count += (fanIn + 1) * layer.outputs;
    if (layer.kind === "conv") count += (fanIn + 1) * layer.channels;
    shape = outShape(layer, shape);
  }
  return count + (shape.h * shape.w * shape.c + 1) * model.classes * model.heads;
}

function outShape(layer: LayerSpec, s: Shape): Shape {
  switch (layer.kind) {
    case "linear":
      return { h: 1, w: 1, c: layer.outputs };
    case "conv":
      return {
        h: Math.floor((s.h + 2 * layer.padding - layer.kernel) / layer.stride) + 1,
        w: Math.floor((s.w + 2 * layer.padding - layer.kernel) / layer.stride) + 1,
        c: layer.channels,
      };
    case "maxpool":
    case "avgpool":
      return { h: Math.floor((s.h - layer.kernel) / layer.stride) + 1, w: Math.floor((s.w - layer.kernel) / layer.stride) + 1, c: s.c };
    case "flatten":
      return { h: 1, w: 1, c: s.h * s.w * s.c };
    case "relu":
      return s;
  }
}

/** Inputs of the output layer (its fan-in). */
export function headFanIn(model: RefModel): number {
  let shape = model.input;
  for (const layer of model.layers) shape = outShape(layer, shape);
  return shape.h * shape.w * shape.c;
}

/** Logits of the active head for one sample x (H x W x C, flat). */
export function refLogits(model: RefModel, params: Float64Array, x: Float64Array, head: number): Float64Array {
  let shape = model.input;
  let a = x;
  let p = 0;
  const dense = (input: Float64Array, fanIn: number, outputs: number, at: number): Float64Array => {
    const y = new Float64Array(outputs);
    for (let o = 0; o < outputs; o++) {
      let sum = params[at + fanIn * outputs + o];
      for (let i = 0; i < fanIn; i++) sum += input[i] * params[at + i * outputs + o];
      y[o] = sum;
    }
    return y;
  };
  for (const layer of model.layers) {
    const out = outShape(layer, shape);
    const y = new Float64Array(out.h * out.w * out.c);
    if (layer.kind === "linear") {
      const fanIn = shape.h * shape.w * shape.c;
      y.set(dense(a, fanIn, layer.outputs, p));
      p += (fanIn + 1) * layer.outputs;
    } else if (layer.kind === "conv") {
      const { kernel: k, stride: s, padding: pad, channels: oc } = layer;
      const fanIn = k * k * shape.c;
      for (let oy = 0; oy < out.h; oy++)
        for (let ox = 0; ox < out.w; ox++)
          for (let o = 0; o < oc; o++) {
            let sum = params[p + fanIn * oc + o];
            for (let ky = 0; ky < k; ky++)
              for (let kx = 0; kx < k; kx++) {
                const iy = oy * s - pad + ky, ix = ox * s - pad + kx;
                if (iy < 0 || iy >= shape.h || ix < 0 || ix >= shape.w) continue;
                for (let c = 0; c < shape.c; c++) sum += a[(iy * shape.w + ix) * shape.c + c] * params[p + ((ky * k + kx) * shape.c + c) * oc + o];
              }
            y[(oy * out.w + ox) * oc + o] = sum;
          }
      p += (fanIn + 1) * oc;
    } else if (layer.kind === "maxpool" || layer.kind === "avgpool") {
      const { kernel: k, stride: s } = layer;
      for (let oy = 0; oy < out.h; oy++)
        for (let ox = 0; ox < out.w; ox++)
          for (let c = 0; c < shape.c; c++) {
            const window: number[] = [];
            for (let ky = 0; ky < k; ky++) for (let kx = 0; kx < k; kx++) window.push(a[((oy * s + ky) * shape.w + ox * s + kx) * shape.c + c]);
            y[(oy * out.w + ox) * out.c + c] = layer.kind === "maxpool" ? Math.max(...window) : window.reduce((u, v) => u + v, 0) / (k * k);
          }
    } else if (layer.kind === "relu") {
      for (let i = 0; i < y.length; i++) y[i] = Math.max(0, a[i]);
    } else {
      y.set(a);
    }
    a = y;
    shape = out;
  }
  const fanIn = shape.h * shape.w * shape.c;
  return dense(a, fanIn, model.classes, p + head * (fanIn + 1) * model.classes);
}

/** Mean softmax cross-entropy of a batch (samples H x W x C one after another). */
export function refLoss(model: RefModel, params: Float64Array, inputs: Float64Array, labels: number[], head: number): number {
  const size = model.input.h * model.input.w * model.input.c;
  let total = 0;
  labels.forEach((label, s) => {
    const z = refLogits(model, params, inputs.subarray(s * size, (s + 1) * size), head);
    const top = Math.max(...z);
    const logSum = Math.log(z.reduce((sum, v) => sum + Math.exp(v - top), 0)) + top;
    total += logSum - z[label];
  });
  return total / labels.length;
}

/** Central differences of f at each coordinate of v (v is restored). */
export function centralDifferences(v: Float64Array, f: () => number, step: number): Float64Array {
  const g = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const kept = v[i];
    v[i] = kept + step;
    const up = f();
    v[i] = kept - step;
    const down = f();
    v[i] = kept;
    g[i] = (up - down) / (2 * step);
  }
  return g;
}
