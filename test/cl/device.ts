// A board in the test's own process for the device command loop: requests go through cmd_buffer and
// cmd_run of a loaded device module, payloads encoded by the protocol's codecs, as a board does.
import { loadDevice, type Device } from "../../host/device/module.js";
import { decodeFields, encodePayload, REPLY_LAYOUTS, MessageType, ERROR_NAMES } from "../../host/protocol/index.js";
import { loadMnist } from "../../host/data/index.js";
import { makeBenchmark } from "../../host/cl/benchmarks.js";
import { encodeConfig, defaultOptimizer } from "../../host/train/config.js";
import { parseModelSpec } from "../../host/train/model-spec.js";
import { parsePrecision } from "../../host/precision/index.js";
import { encodeStrategy, resolveStrategy, rowsPerStep, type StrategyOverrides } from "../../host/cl/strategies.js";

export type Reply = { ok: Uint8Array } | { error: string; message: string };

export class CommandBoard {
  readonly device: Device;
  constructor() {
    this.device = loadDevice();
  }

  run(name: keyof typeof MessageType, payload: Uint8Array): Reply {
    const e = this.device.exports;
    const ptr = e.cmd_buffer(payload.length) >>> 0;
    if (ptr === 0) return { error: "DOES_NOT_FIT", message: "no request buffer" };
    this.device.u8(ptr, payload.length).set(payload);
    const code = e.cmd_run(MessageType[name], payload.length);
    const body = this.device.u8(e.cmd_reply_ptr() >>> 0, e.cmd_reply_len() >>> 0).slice();
    if (code === 0) return { ok: body };
    return { error: ERROR_NAMES[code] ?? String(code), message: new TextDecoder().decode(body) };
  }

  ok(name: keyof typeof MessageType, payload: Uint8Array): Record<string, unknown> {
    const reply = this.run(name, payload);
    if ("error" in reply) throw new Error(`${name} failed with ${reply.error}: ${reply.message}`);
    const decoded = decodeFields(REPLY_LAYOUTS[name as "TRAIN"], reply.ok, `${name} reply`);
    if ("error" in decoded) throw new Error(decoded.detail);
    return decoded.ok as Record<string, unknown>;
  }
}

export interface SetupOptions {
  strategy: string;
  scenario?: "task" | "domain" | "class";
  precision?: string;
  model?: string;
  batch?: number;
  memoryLimit?: number;
  overrides?: StrategyOverrides;
  seed?: number;
}

/** DEPLOY's config bytes for Split MNIST. */
export function deployConfig(o: SetupOptions): Uint8Array {
  const scenario = o.scenario ?? "class";
  const heads = scenario === "task" ? 5 : 1;
  const classes = scenario === "class" ? 10 : 2;
  const batch = o.batch ?? 32;
  const layers = parseModelSpec(o.model ?? "mlp:32").layers;
  const strategy = resolveStrategy(o.strategy as never, scenario, batch, 20, o.overrides ?? {});
  const model = encodeConfig({
    seed: o.seed ?? 3,
    maxBatch: rowsPerStep(strategy, batch),
    inputShape: [1, 28, 28],
    heads,
    classes,
    layers,
    precision: parsePrecision(o.precision ?? "fp32"),
    optimizer: defaultOptimizer("adam"),
  });
  const cl = encodeStrategy(strategy, layers, o.memoryLimit ?? 64 << 20);
  const out = new Uint8Array((model.length + cl.length) * 4);
  out.set(new Uint8Array(model.buffer));
  out.set(new Uint8Array(cl.buffer), model.length * 4);
  return out;
}

export function deployPayload(o: SetupOptions): Uint8Array {
  return encodePayload("DEPLOY", { config: deployConfig(o), module: new Uint8Array(0) });
}

const benchmarks = new Map<string, ReturnType<typeof makeBenchmark>>();
export function splitMnist(scenario: "task" | "domain" | "class") {
  if (!benchmarks.has(scenario)) benchmarks.set(scenario, makeBenchmark({ name: "split-mnist", scenario, seed: 1, dataset: loadMnist() }));
  return benchmarks.get(scenario)!;
}

/** DATA payload of the first `count` samples of an experience's part, u8-encoded. */
export function dataPayload(scenario: "task" | "domain" | "class", experience: number, split: "train" | "test", count: number, clear = true): Uint8Array {
  const part = splitMnist(scenario).experiences[experience][split];
  const n = Math.min(count, part.labels.length);
  const samples = new Uint8Array(n * (2 + 784));
  const view = new DataView(samples.buffer);
  for (let k = 0; k < n; k++) view.setUint16(2 * k, part.labels[k], true);
  for (let i = 0; i < n * 784; i++) samples[2 * n + i] = Math.round(part.inputs[i] * 255);
  return encodePayload("DATA", { experience, split: split === "train" ? 0 : 1, encoding: 1, flags: clear ? 1 : 0, count: n, features: 784, samples });
}

export function trainPayload(experience: number, iterations: number, batch: number, seed = 5, flags = 0): Uint8Array {
  return encodePayload("TRAIN", { experience, iterations, batchSize: batch, seed, flags });
}

export function evalPayload(experience: number, taskMask = false): Uint8Array {
  return encodePayload("EVAL", { experience, flags: taskMask ? 1 : 0 });
}
