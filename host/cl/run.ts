// One continual-learning run: the benchmark stream, the model and strategy config the device builds,
// and the board that runs it: the simulated board process (`sim`, the default), any board
// `openBoard` knows, or `inline`, a simulated board in this process (same protocol bytes, no child
// process: tests and the experiments). The board engineer's experience runner does the talking and
// fills the report (docs/report.md).
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { loadBoard, type BoardManifest } from "../manifest/manifest.js";
import { openBoard } from "../client/connect.js";
import { BoardClient } from "../client/client.js";
import { DEFAULT_TIMEOUT_MS, slowestMacsPerSecond, stepsPerTrainRequest, trainMacsPerStep, workTimeoutMs } from "../client/timeouts.js";
import { runExperiences, type RunExperience, type RunHooks, type RunPlan } from "../client/runner.js";
import { transportPair } from "../transport/transport.js";
import { SimBoard } from "../../board/sim/board.js";
import { modulePath } from "../device/module.js";
import { expected, UsageError } from "../errors.js";
import type { DataSplit } from "../data/index.js";
import { checkSeed, Rng } from "../data/rng.js";
import { encodePolicy, layerPrecision, parsePolicy, parsePrecision, policyCountsHealth, precisionText, shortPrecisionText, type PrecisionSpec } from "../precision/index.js";
import { chw, deviceSeed, encodeConfig, type OptimizerSpec } from "../train/config.js";
import { describeModel, parseModelSpec } from "../train/model-spec.js";
import type { Report } from "../report/types.js";
import { CL_MEMORY_LIMIT } from "../../assembly/cl/abi.js";
import { firmwareIdentity, makeProvenance } from "../report/provenance.js";
import { makeBenchmark, type Benchmark, type OutputLayer } from "./benchmarks.js";
import { loadRunData, type RunData } from "./data-source.js";
import { encodeStrategy, parseStrategyName, resolveStrategy, rowsPerStep, strategySettings, type StrategyOverrides } from "./strategies.js";

export interface ClRunOptions {
  /** `<kind>-<data>` over the data set (default split-<data>). */
  benchmark?: string;
  /** Data source: mnist (default), idx:DIR, csv:FILE or har:FILE (host/cl/data-source.ts). */
  dataset?: string;
  /** Label column of a csv: or har: data set. */
  label?: string;
  /** Split benchmarks run for fewer experiences than the stream has: "all" classes in the output layer (default) or the "seen" ones. */
  outputLayer?: OutputLayer;
  scenario: string;
  strategy: string;
  strategyOptions?: StrategyOverrides;
  precision: string | PrecisionSpec;
  /** --precision-policy NAME[:params] (docs/precision.md, Policies; default static). */
  precisionPolicy?: string;
  /** Count numeric health per layer and role on the device (docs/precision.md "Numeric health"). */
  health?: boolean;
  seed: number;
  model: string;
  /** Optimiser steps per experience. */
  iterations: number;
  batch: number;
  optimizer: OptimizerSpec;
  /** Only the first N experiences. */
  experiences?: number;
  /** Split benchmarks: "seeded" (default), "fixed" (0/1, 2/3, ... as van de Ven & Tolias) or a list. */
  classOrder?: "seeded" | "fixed" | readonly number[];
  /** At most this many training / test samples per experience (a seeded subset; default: all). */
  trainSamples?: number;
  testSamples?: number;
  /** "sim" (default), another board id or spec of openBoard, or "inline". */
  board?: string;
  /** inline boards: the linear-memory limit (default: the sim manifest's). */
  memoryLimit?: number;
  /** tcp: and serial: boards: the board's manifest (id or path) for its limits; without it HELLO gives them. */
  manifest?: string;
  /** Data set (default: the embedded MNIST digits). */
  data?: DataSplit;
  /** Flash folder of a process board. */
  flashDir?: string;
  /** QEMU boards with the accelerator: where its device process writes its counters (JSON) when the board stops. */
  accelStatsFile?: string;
  hooks?: RunHooks;
  /** Time a board may take to answer a request, ms, before the work of a TRAIN (default: the manifest's transport.timeoutMs). */
  timeoutMs?: number;
  /**
   * Most optimiser steps in one TRAIN request (run --train-chunk; default: TRAIN_REQUEST_SECONDS of work
   * at the manifest's slowest MAC rate). The report is the same for any split.
   */
  trainChunk?: number;
  /** "experience": CHECKPOINT to flash slot 0 after every experience, for --resume (RunPlan.checkpointSlot). */
  checkpointEvery?: "experience";
  /** The report of an unfinished run of the same settings, to continue (RunPlan.resume). */
  resume?: Report;
  /** For the report's provenance: the command line (default: this process's) and the resolved flags. */
  commandLine?: string[];
  flags?: Record<string, unknown>;
}

/** The flash slot run --checkpoint-every writes (the others stay free for deploy and monitor users). */
export const CHECKPOINT_SLOT = 0;

/** A board in this process: the simulated board's protocol engine and device host, over a pipe. */
export function inlineBoard(manifest: BoardManifest): BoardClient {
  const board = new SimBoard({ manifest });
  const [host, end] = transportPair(["host", `board ${manifest.id} (inline)`]);
  const link = board.openLink();
  end.onData((bytes) => {
    for (const frame of link.receive(bytes)) end.write(frame);
  });
  return new BoardClient(host, { board: `${manifest.id} (inline)`, timeoutMs: 3_600_000 });
}

function moduleBytes(simd: boolean): Uint8Array {
  const path = modulePath(simd);
  try {
    return new Uint8Array(readFileSync(path));
  } catch {
    throw new UsageError(`the device module ${path} is missing; run npm run build`);
  }
}

/** At most `cap` samples: a seeded subset, kept in data-set order. */
function subset(part: { inputs: Float32Array; labels: ArrayLike<number> }, cap: number | undefined, features: number, seed: number, stream: string) {
  const n = part.labels.length;
  if (cap === undefined || cap >= n) return { inputs: part.inputs, labels: part.labels };
  if (!Number.isInteger(cap) || cap < 1) throw expected("a sample cap that is a positive integer", cap);
  const chosen = Array.from(Rng.forStream(seed, stream).permutation(n).subarray(0, cap)).sort((a, b) => a - b);
  const inputs = new Float32Array(cap * features);
  const labels = new Uint8Array(cap);
  chosen.forEach((i, k) => {
    inputs.set(part.inputs.subarray(i * features, (i + 1) * features), k * features);
    labels[k] = part.labels[i];
  });
  return { inputs, labels };
}

/** True when every value is k / 255 for a byte k (as f32): the u8 sample encoding carries it exactly. */
function bytesExactly(values: Float32Array): boolean {
  for (const v of values) if (!(v >= 0 && v <= 1) || Math.fround(Math.round(v * 255) / 255) !== v) return false;
  return true;
}

/** Boards reached over a link named on the command line, not by a manifest. */
function linkedBoard(spec: string): boolean {
  return spec.startsWith("tcp:") || spec.startsWith("serial:");
}

/** The config blob with the strategy blob's memory limit set to the smaller known limit (0: unknown). */
function withMemoryLimit(blob: Uint8Array, modelWords: number, reported: number, manifest: number): Uint8Array {
  const limits = [reported, manifest].filter((x) => x > 0);
  const copy = blob.slice();
  new DataView(copy.buffer).setUint32((modelWords + CL_MEMORY_LIMIT) * 4, limits.length ? Math.min(...limits) : 0, true);
  return copy;
}

/** What a run streams to its board: the benchmark and each experience's samples, after the sample caps. */
export interface RunStream {
  benchmark: Benchmark;
  experiences: RunExperience[];
  /** Values per sample. */
  features: number;
  /** Where the data came from. */
  data: RunData;
}

/** The samples a run with these options sends, exactly (the same subsets and labels). */
export function runStream(
  options: Pick<
    ClRunOptions,
    "benchmark" | "dataset" | "label" | "scenario" | "seed" | "data" | "experiences" | "outputLayer" | "classOrder" | "trainSamples" | "testSamples"
  >,
): RunStream {
  const seed = checkSeed(options.seed, "--seed");
  const data = loadRunData(options);
  const benchmark = makeBenchmark({
    name: data.benchmark,
    scenario: options.scenario,
    seed,
    dataset: data.split,
    experiences: options.experiences,
    outputLayer: options.outputLayer,
    classOrder: options.classOrder,
  });
  const features = benchmark.inputShape.reduce((product, dim) => product * dim, 1);
  const experiences: RunExperience[] = benchmark.experiences.map((e) => ({
    train: subset(e.train, options.trainSamples, features, seed, `cl/train-subset/experience-${e.id}`),
    test: subset(e.test, options.testSamples, features, seed, `cl/test-subset/experience-${e.id}`),
  }));
  return { benchmark, experiences, features, data };
}

/** Everything a run resolves before it talks to a board. */
export interface ClPlan {
  benchmark: Benchmark;
  plan: RunPlan;
  boardSpec: string;
  manifest: BoardManifest | null;
  /** The --manifest of a tcp: or serial: board. */
  manifestName?: string;
  /** --timeout: the base reply timeout, ms. */
  timeoutMs?: number;
}

export function planRun(options: ClRunOptions): ClPlan {
  const seed = checkSeed(options.seed, "--seed");
  const precision = typeof options.precision === "string" ? parsePrecision(options.precision) : options.precision;
  const policy = parsePolicy(options.precisionPolicy ?? "static", precision);
  // adaptive reads numeric health on the device: its runs count it, as --health would.
  const countsHealth = options.health === true || policyCountsHealth(policy);
  const modelSpec = parseModelSpec(options.model);
  const strategyName = parseStrategyName(options.strategy);
  const boardSpec = options.board ?? "sim";
  const inline = boardSpec === "inline";
  let manifest: BoardManifest | null = null;
  if (inline) manifest = loadBoard("sim");
  else if (!linkedBoard(boardSpec)) manifest = loadBoard(boardSpec);
  else if (options.manifest !== undefined) manifest = loadBoard(options.manifest);
  // A board reached over a link whose manifest is not given tells its limit in HELLO (0 until then).
  const memoryLimit = inline ? (options.memoryLimit ?? manifest!.memory.linearMemoryBytes) : (manifest?.memory.linearMemoryBytes ?? 0);
  if (inline && manifest) manifest = { ...manifest, memory: { ...manifest.memory, linearMemoryBytes: memoryLimit } };

  const { benchmark, experiences, features, data } = runStream({ ...options, seed });
  if (!Number.isInteger(options.iterations) || options.iterations < 1) throw expected("iterations per experience to be a positive integer", options.iterations);
  if (!Number.isInteger(options.batch) || options.batch < 1 || options.batch > 65535) throw expected("a batch from 1 to 65535", options.batch);
  const strategy = resolveStrategy(strategyName, benchmark.scenario, options.batch, options.iterations, options.strategyOptions);
  const heads = benchmark.heads.length;
  const classes = Math.max(...benchmark.heads);
  if (benchmark.heads.some((h) => h !== classes)) {
    throw new UsageError(`expected experiences with the same number of classes in the task scenario (one head each), received heads of ${benchmark.heads.join(", ")}`);
  }
  const [c, h, w] = chw(benchmark.inputShape);
  const layers = describeModel(modelSpec, { c, h, w }, classes, heads);
  const maxBatch = rowsPerStep(strategy, options.batch);
  const modelWords = encodeConfig({
    seed,
    maxBatch,
    inputShape: benchmark.inputShape,
    heads,
    classes,
    layers: modelSpec.layers,
    precision,
    optimizer: options.optimizer,
    policy,
    health: countsHealth,
  });
  const strategyWords = encodeStrategy(strategy, modelSpec.layers, memoryLimit);
  encodePolicy(policy, strategyWords);
  const blob = new Uint8Array((modelWords.length + strategyWords.length) * 4);
  blob.set(new Uint8Array(modelWords.buffer), 0);
  blob.set(new Uint8Array(strategyWords.buffer), modelWords.length * 4);

  const simd = manifest ? manifest.runtime.simd === true : false;
  // MNIST pixels are k / 255 exactly: one byte each on the wire and on the device.
  const u8 = experiences.every((e) => bytesExactly(e.train.inputs) && bytesExactly(e.test.inputs));
  const params = layers.reduce((sum, row) => sum + row.params, 0);
  const config: Record<string, unknown> = {
    benchmark: benchmark.name,
    dataset: data.source,
    scenario: benchmark.scenario,
    experiences: benchmark.experiences.length,
    outputLayer: options.outputLayer ?? "all",
    classOrder: benchmark.classOrder ?? null,
    strategy: strategySettings(strategy),
    precision: shortPrecisionText(precision),
    precisionSpec: precisionText(precision),
    ...(precision.layers ? { precisionLayers: layerPrecision(precision, [...modelSpec.layers.map((l) => l.kind), "linear"]) } : {}),
    precisionPolicy: policy.text,
    ...(policy.name !== "static" ? { precisionStates: policy.states.map((s) => shortPrecisionText(s)) } : {}),
    ...(countsHealth ? { health: true } : {}),
    seed,
    deviceSeed: deviceSeed(seed),
    model: modelSpec.text,
    heads,
    classesPerHead: classes,
    params,
    iterations: options.iterations,
    batch: options.batch,
    rowsPerStep: maxBatch,
    optimizer: options.optimizer,
    board: boardSpec,
    module: simd ? "device-simd.wasm" : "device.wasm",
    trainSamples: experiences.map((e) => e.train.labels.length),
    testSamples: experiences.map((e) => e.test.labels.length),
    sampleEncoding: u8 ? "u8" : "f32",
  };
  // A TRAIN is given its work on top of the base timeout: a slow but alive board is not taken for a hung one.
  const baseTimeoutMs = options.timeoutMs ?? manifest?.transport.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const rate = manifest ? slowestMacsPerSecond(manifest) : undefined;
  const macsPerStep = trainMacsPerStep(params, maxBatch);
  const trainTimeoutMs = (steps: number) => workTimeoutMs(baseTimeoutMs, steps * macsPerStep, rate);
  if (options.trainChunk !== undefined && (!Number.isInteger(options.trainChunk) || options.trainChunk < 1)) {
    throw expected("steps per TRAIN request (--train-chunk) to be a positive integer", options.trainChunk);
  }
  // GDumb trains only when an experience ends, in the request that ends it: its steps take one request.
  const stepsPerRequest = strategy.name === "gdumb" ? options.iterations : (options.trainChunk ?? stepsPerTrainRequest(options.iterations, macsPerStep, rate));
  const usesBuffer = ["replay", "latent-replay", "gdumb", "agem"].includes(strategy.name);
  const module = moduleBytes(simd);
  const plan: RunPlan = {
    config,
    provenance: makeProvenance({ module: { file: basename(modulePath(simd)), bytes: module }, commandLine: options.commandLine, flags: options.flags }),
    // Over a link, the device learns its memory limit from HELLO (the smaller one when a manifest names another).
    deploy: linkedBoard(boardSpec)
      ? (hello) => ({ config: withMemoryLimit(blob, modelWords.length, hello.memoryLimit, memoryLimit), module })
      : { config: blob, module },
    features,
    experiences,
    iterations: options.iterations,
    batchSize: options.batch,
    stepsPerRequest,
    // Experience e's TRAIN seed: the run seed's device word mixed with e (shuffling, replay draws).
    trainSeed: (e) => (Math.imul(deviceSeed(seed) ^ 0x5bd1e995, 0x9e3779b1) + Math.imul(e + 1, 0x85ebca6b)) >>> 0,
    taskMask: benchmark.scenario === "task",
    encoding: u8 ? "u8" : "f32",
    evaluateUntrained: true,
    // One test set at a time on the board: the training data and the buffers need the memory.
    testData: "resend",
    replayBytes: usesBuffer ? strategy.bufferBytes : null,
    trainTimeoutMs,
    resume: options.resume,
    ...(policy.name !== "static" ? { precisionStates: policy.states } : {}),
    ...(options.checkpointEvery === "experience" ? { checkpointSlot: CHECKPOINT_SLOT } : {}),
    keepsTrainingData: strategy.name === "cumulative",
  };
  return { benchmark, plan, boardSpec, manifest, manifestName: linkedBoard(boardSpec) ? options.manifest : undefined, timeoutMs: options.timeoutMs };
}

/**
 * Runs the plan on its board and returns the report. When `stop` aborts, the link to the board is
 * closed (a board process ends with it): the request in flight fails and the run stops as for a lost
 * board, with the report of the completed experiences.
 */
export async function runPlanned(planned: ClPlan, options: Pick<ClRunOptions, "hooks" | "flashDir" | "accelStatsFile"> & { stop?: AbortSignal } = {}): Promise<Report> {
  const { plan, boardSpec, manifest } = planned;
  let client: BoardClient;
  if (boardSpec === "inline") client = inlineBoard(manifest!);
  else {
    const opened = await openBoard(boardSpec, { flashDir: options.flashDir, accelStatsFile: options.accelStatsFile, manifest: planned.manifestName, timeoutMs: planned.timeoutMs });
    client = opened.client;
    if (plan.provenance) plan.provenance.firmware = firmwareIdentity(opened.transport);
  }
  const stop = () => void client.close();
  if (options.stop?.aborted) stop();
  options.stop?.addEventListener("abort", stop, { once: true });
  try {
    return await runExperiences(client, plan, options.hooks ?? {});
  } finally {
    options.stop?.removeEventListener("abort", stop);
    await client.close();
  }
}

export async function runContinual(options: ClRunOptions): Promise<Report> {
  return runPlanned(planRun(options), options);
}
