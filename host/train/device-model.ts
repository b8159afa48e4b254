// A model on the device, driven through the nn_* exports of the module in this process. Every method is
// one command a board serves (create, put a batch, train, evaluate, telemetry, weights), so the same calls
// can later travel over the board protocol.
import { RunError, UsageError } from "../errors.js";
import type { Device } from "../device/module.js";
import * as abi from "../../assembly/nn/abi.js";
import { chw, encodeConfig, type ModelConfig } from "./config.js";

const STATUS_TEXT: Record<number, string> = {
  [abi.NN_BAD_VERSION]: "config version not understood by this device module; rebuild it (npm run build)",
  [abi.NN_BAD_CONFIG]: "malformed model config",
  [abi.NN_BAD_FORMAT]: "a precision role names a format the device cannot use",
  [abi.NN_BAD_ROUNDING]: "a precision role names a rounding mode or SR bit count the device does not know",
  [abi.NN_BAD_LAYER]: "a layer the device does not know or with arguments out of range",
  [abi.NN_BAD_SHAPE]: "a layer does not fit its input, or the model is too large",
  [abi.NN_BAD_BATCH]: "batch size out of range",
  [abi.NN_BAD_HEAD]: "no such head",
  [abi.NN_BAD_LABEL]: "a label outside the active head's classes",
  [abi.NN_OUT_OF_MEMORY]: "the model does not fit in the device's linear memory",
  [abi.NN_BAD_MODEL]: "no such model on the device",
};

function check(status: number, what: string): number {
  if (status >= 0) return status;
  throw new RunError(`device ${what} failed: ${STATUS_TEXT[status] ?? `status ${status}`}`);
}

/** The device's counters and memory figures (assembly/nn/abi.ts T_*). */
export interface Telemetry {
  params: number;
  modelBytes: number;
  masterBytes: number;
  optimizerBytes: number;
  gradientBytes: number;
  workBytes: number;
  linearMemoryBytes: number;
  heapBytes: number;
  steps: number;
  skippedSteps: number;
  lossScale: number;
  macsForward: number;
  macsBackwardData: number;
  macsBackwardWeight: number;
  macsEval: number;
  gemmJobs: number;
  errorValues: number;
  errorNonzero: number;
  errorFlushed: number;
  gradientValues: number;
  gradientZeros: number;
  trainSamples: number;
  trainLossSum: number;
  trainCorrect: number;
  evalSamples: number;
  evalLossSum: number;
  evalCorrect: number;
}

const TELEMETRY_SLOTS: Record<keyof Telemetry, number> = {
  params: abi.T_PARAMS,
  modelBytes: abi.T_MODEL_BYTES,
  masterBytes: abi.T_MASTER_BYTES,
  optimizerBytes: abi.T_OPTIMIZER_BYTES,
  gradientBytes: abi.T_GRADIENT_BYTES,
  workBytes: abi.T_WORK_BYTES,
  linearMemoryBytes: abi.T_LINEAR_MEMORY_BYTES,
  heapBytes: abi.T_HEAP_BYTES,
  steps: abi.T_STEPS,
  skippedSteps: abi.T_SKIPPED_STEPS,
  lossScale: abi.T_LOSS_SCALE,
  macsForward: abi.T_MACS_FORWARD,
  macsBackwardData: abi.T_MACS_BACKWARD_DATA,
  macsBackwardWeight: abi.T_MACS_BACKWARD_WEIGHT,
  macsEval: abi.T_MACS_EVAL,
  gemmJobs: abi.T_GEMM_JOBS,
  errorValues: abi.T_ERROR_VALUES,
  errorNonzero: abi.T_ERROR_NONZERO,
  errorFlushed: abi.T_ERROR_FLUSHED,
  gradientValues: abi.T_GRADIENT_VALUES,
  gradientZeros: abi.T_GRADIENT_ZEROS,
  trainSamples: abi.T_TRAIN_SAMPLES,
  trainLossSum: abi.T_TRAIN_LOSS_SUM,
  trainCorrect: abi.T_TRAIN_CORRECT,
  evalSamples: abi.T_EVAL_SAMPLES,
  evalLossSum: abi.T_EVAL_LOSS_SUM,
  evalCorrect: abi.T_EVAL_CORRECT,
};

export class DeviceModel {
  readonly maxBatch: number;
  /** Values per sample. */
  readonly sampleSize: number;
  readonly params: number;
  /** Bytes of the stored weights (one code per weight in the weight format's storage). */
  readonly paramBytes: number;
  private readonly channels: number;
  private readonly pixels: number;

  private constructor(
    readonly device: Device,
    readonly handle: number,
    readonly config: ModelConfig,
  ) {
    const e = device.exports;
    this.maxBatch = check(e.nn_max_batch(handle), "model query");
    this.sampleSize = check(e.nn_sample_size(handle), "model query");
    this.params = check(e.nn_param_count(handle), "model query");
    this.paramBytes = check(e.nn_param_bytes(handle), "model query");
    const [c, h, w] = chw(config.inputShape);
    this.channels = c;
    this.pixels = h * w;
  }

  /** Sends the config and builds the model; a refusal is a RunError saying why. */
  static create(device: Device, config: ModelConfig): DeviceModel {
    if (typeof device.exports.nn_create !== "function") {
      throw new RunError("the device module has no training engine (nn_create missing); rebuild it with npm run build");
    }
    const words = encodeConfig(config);
    const at = device.alloc(words.byteLength);
    device.u32(at, words.length).set(words);
    const handle = check(device.exports.nn_create(at, words.length), "model create");
    return new DeviceModel(device, handle, config);
  }

  /**
   * Copies n samples (host layout: channel-major [C, H, W] per sample) and their labels to the device's
   * batch buffer, which holds samples channel-last ([H, W, C]).
   */
  putBatch(inputs: Float32Array, labels: ArrayLike<number>, n = labels.length): void {
    if (n < 1 || n > this.maxBatch) throw new UsageError(`expected a batch of 1 to ${this.maxBatch} samples, received ${n}`);
    if (inputs.length < n * this.sampleSize) {
      throw new UsageError(`expected ${n * this.sampleSize} input values for ${n} samples, received ${inputs.length}`);
    }
    const e = this.device.exports;
    const dst = this.device.f32(e.nn_inputs(this.handle) >>> 0, n * this.sampleSize);
    if (this.channels === 1 || this.pixels === 1) {
      dst.set(inputs.subarray(0, n * this.sampleSize));
    } else {
      for (let s = 0; s < n; s++) {
        const base = s * this.sampleSize;
        for (let ch = 0; ch < this.channels; ch++) {
          for (let p = 0; p < this.pixels; p++) dst[base + p * this.channels + ch] = inputs[base + ch * this.pixels + p];
        }
      }
    }
    const labelView = this.device.u32(e.nn_labels(this.handle) >>> 0, n);
    for (let s = 0; s < n; s++) labelView[s] = labels[s];
  }

  /** Forward, backward and one optimizer step on the batch; false when the step was skipped for overflow. */
  train(n: number): boolean {
    return check(this.device.exports.nn_train(this.handle, n), "train") === 1;
  }

  /** Forward and backward without a step (gradients, times the loss scale, then in gradients()). */
  backward(n: number): void {
    check(this.device.exports.nn_backward(this.handle, n), "backward");
  }

  /** Number of the n samples classified right. */
  evaluate(n: number): number {
    return check(this.device.exports.nn_evaluate(this.handle, n), "evaluate");
  }

  setHead(head: number): void {
    check(this.device.exports.nn_set_head(this.handle, head), "set head");
  }

  telemetry(): Telemetry {
    const at = this.device.exports.nn_telemetry(this.handle) >>> 0;
    const values = new Float64Array(this.device.exports.memory.buffer, at, abi.T_COUNT);
    const out = {} as Telemetry;
    for (const [name, slot] of Object.entries(TELEMETRY_SLOTS)) out[name as keyof Telemetry] = values[slot];
    return out;
  }

  /** Logits of the active head from the last forward pass (n x classes). */
  logits(n: number): Float32Array {
    return this.device.f32(this.device.exports.nn_logits(this.handle) >>> 0, n * this.config.classes).slice();
  }

  predictions(n: number): Int32Array {
    return new Int32Array(this.device.exports.memory.buffer, this.device.exports.nn_predictions(this.handle) >>> 0, n).slice();
  }

  gradients(): Float32Array {
    return this.device.f32(this.device.exports.nn_gradients(this.handle) >>> 0, this.params).slice();
  }

  /** dLoss/dinput of the last backward pass, in host layout; the model must be built with inputGradient. */
  inputGradient(n: number): Float32Array {
    const at = this.device.exports.nn_input_gradient(this.handle) >>> 0;
    if (at === 0) throw new UsageError("expected a model built with inputGradient: true, received one without it");
    const stored = this.device.f32(at, n * this.sampleSize);
    const out = new Float32Array(n * this.sampleSize);
    for (let s = 0; s < n; s++) {
      const base = s * this.sampleSize;
      for (let ch = 0; ch < this.channels; ch++) {
        for (let p = 0; p < this.pixels; p++) out[base + ch * this.pixels + p] = stored[base + p * this.channels + ch];
      }
    }
    return out;
  }

  /** The stored weights exactly as the device holds them (packed codes for formats of <= 16 bits). */
  readWeights(): Uint8Array {
    const scratch = this.scratch(this.paramBytes);
    check(this.device.exports.nn_params_read(this.handle, scratch), "read weights");
    return this.device.u8(scratch, this.paramBytes).slice();
  }

  writeWeights(bytes: Uint8Array): void {
    if (bytes.length !== this.paramBytes) {
      throw new UsageError(`expected ${this.paramBytes} bytes of stored weights, received ${bytes.length}`);
    }
    const scratch = this.scratch(this.paramBytes);
    this.device.u8(scratch, bytes.length).set(bytes);
    check(this.device.exports.nn_params_write(this.handle, scratch), "write weights");
  }

  readWeightsF32(): Float32Array {
    const scratch = this.scratch(this.params * 4);
    check(this.device.exports.nn_params_read_f32(this.handle, scratch), "read weights");
    return this.device.f32(scratch, this.params).slice();
  }

  writeWeightsF32(values: Float32Array): void {
    if (values.length !== this.params) throw new UsageError(`expected ${this.params} weights, received ${values.length}`);
    const scratch = this.scratch(this.params * 4);
    this.device.f32(scratch, this.params).set(values);
    check(this.device.exports.nn_params_write_f32(this.handle, scratch), "write weights");
  }

  // One transfer buffer per model, taken on first use: the device allocator never frees.
  private transfer = 0;
  private transferBytes = 0;
  private scratch(bytes: number): number {
    if (bytes > this.transferBytes) {
      this.transfer = this.device.alloc(bytes);
      this.transferBytes = bytes;
    }
    return this.transfer;
  }
}
