// One layer of a model: its kind, shapes, parameters and the views of its input and output.
import { Tensor } from "./tensor";

@final @unmanaged
export class Layer {
  /** LAYER_* (abi.ts). */
  kind: i32 = 0;
  input: Tensor = changetype<Tensor>(0);
  output: Tensor = changetype<Tensor>(0);
  /** Conv and pools: window k x k, stride; conv: zero padding on every side. */
  k: i32 = 0;
  stride: i32 = 0;
  pad: i32 = 0;
  /** Linear and conv: first parameter (weights, then biases), parameters per head, fan-in. */
  paramBase: i32 = 0;
  paramsPerHead: i32 = 0;
  fanIn: i32 = 0;
  /** Heads of an output layer (its outputs per head are output.c); 1 elsewhere. */
  heads: i32 = 1;
  /** Max pool: index within its sample of the input each output came from. */
  argmax: usize = 0;

  get weightCount(): i32 { return this.fanIn * this.output.c; }
  get biasCount(): i32 { return this.output.c; }
  /** First parameter of head `head` (0 for layers without heads). */
  // @ts-ignore: decorator
  @inline paramsOf(head: i32): i32 { return this.paramBase + head * this.paramsPerHead; }
}
