// The device module's exports: the only entry points a board calls.
export * from "./api/arith";
export * from "./api/gemm";
export * from "./api/nn";
export * from "./api/accel";
export * from "./api/cl";

// ---- The command loop (docs/protocol.md, docs/strategies.md) ----
//   cmd_buffer(bytes) -> where the board writes a request's payload (0 when memory cannot hold it)
//   cmd_run(type, length) -> 0 (the board replies RESULT with the reply body) or a protocol error code
//   cmd_reply_ptr(), cmd_reply_len() -> the reply body, or the error message (UTF-8)
// A failed command changes nothing already stored. Memory layout: assembly/cl/heap.ts.
import {
  MSG_DEPLOY, MSG_DATA, MSG_TRAIN, MSG_EVAL, MSG_TELEMETRY, MSG_CHECKPOINT, MSG_RESTORE, MSG_RESET, ERR_BAD_PAYLOAD,
  ERR_UNEXPECTED_TYPE, ERR_NOT_DEPLOYED, ERR_DOES_NOT_FIT, ERR_BAD_CONFIG, ERR_UNKNOWN_FORMAT, ERR_NO_DATA,
  DATA_FIXED_SIZE, TRAIN_FIXED_SIZE, EVAL_FIXED_SIZE, TELEMETRY_FIXED_SIZE, RESET_FIXED_SIZE, SPLIT_TRAIN, SPLIT_TEST,
  SAMPLE_ENCODING_U8, SAMPLE_ENCODING_F32, DATA_FLAG_CLEAR, TRAIN_FLAG_CONTINUE, EVAL_FLAG_TASK_MASK,
  TELEMETRY_FLAG_RESET_COUNTERS, RESET_FLAG_ERASE_FLASH, MSG_CHUNK,
} from "./generated/protocol";
import {
  Model, buildModel, plannedBytes, CFG_LAYERS, CFG_LAYER_COUNT, LAYER_WORDS, CFG_MAX_LAYERS, NN_OK, NN_BAD_FORMAT,
  NN_BAD_ROUNDING, NN_BAD_VERSION, NN_BAD_LAYER, NN_BAD_SHAPE, NN_BAD_BATCH, NN_OUT_OF_MEMORY, T_MACS_FORWARD,
  T_MACS_BACKWARD_DATA, T_MACS_BACKWARD_WEIGHT, T_MACS_EVAL, LAYER_LINEAR, LAYER_CONV,
} from "./nn";
import { allocZeroed, blockBytes } from "./nn/alloc";
import {
  backendJobs, backendMacs, backendReset, backendMacUnits, backendCpuMacs, PATH_ACCELERATOR, PATH_CPU_NO_ACCELERATOR, PATH_COUNT, KERNEL_COUNT,
} from "./accel/backend";
import { makeFormat, mxEncodeArray, Rng } from "./arith";
import {
  CL_ABI_VERSION, CL_VERSION, CL_WORDS, CL_STRATEGY, CL_MEMORY_LIMIT, CL_BUFFER_BYTES, CL_BUFFER_POLICY,
  CL_REPLAY_BATCH, CL_LAMBDA, CL_GAMMA, CL_PRUNE, CL_RETRAIN, CL_CUT, CL_FISHER_SAMPLES, CL_WORD_COUNT, STRATEGY_NAIVE,
  STRATEGY_CUMULATIVE, STRATEGY_REPLAY, STRATEGY_LATENT_REPLAY, STRATEGY_GDUMB, STRATEGY_AGEM, STRATEGY_EWC,
  STRATEGY_ONLINE_EWC, STRATEGY_SI, STRATEGY_LWF, STRATEGY_PACKNET, STRATEGY_COUNT, BUFFER_RESERVOIR,
  BUFFER_CLASS_BALANCED, CL_MAX_EXPERIENCES,
} from "./cl/abi";
import { messageStart, messagePtr, messageLength, text, num, real } from "./cl/text";
import { coverTo, blockStart, setHeapTop, heapTop } from "./cl/heap";
import { Store, storeAt, storesReset, storeBytes, storeClear, storeAppend, recordBytes, dataEnd, dataBase } from "./cl/store";
import {
  Learner, newLearner, seedTrain, trainIterations, endExperience, gdumbTrain, evaluateExperience, trainScratchBytes,
} from "./cl/learner";
import { newBuffer, bufferFootprint, POLICY_RESERVOIR, POLICY_CLASS_BALANCED, POLICY_GREEDY, ReplayBuffer } from "./cl/buffer";
import { newQuadratic, quadraticFootprint, Quadratic } from "./cl/penalty";
import { regionsReset, addRegion, imageBytes, writeImage, checkImage, loadImage, crc32, IMAGE_OK } from "./cl/checkpoint";
import { deployed, learner, setDeployment } from "./cl/state";

const OK: i32 = 0;
/** Largest config (both blobs) a DEPLOY may carry. */
const CONFIG_CAPACITY: i32 = 4096;
const config = memory.data(CONFIG_CAPACITY);
const REPLY_CAPACITY: i32 = 256;
const replyBuffer = memory.data(REPLY_CAPACITY);
let replyPtr: usize = 0;
let replyLen: u32 = 0;

let started = false;
/** Where deployments start, and where the runtime heap rests between commands. */
let base: usize = 0;
let rest: usize = 0;
/** The request buffer handed out by cmd_buffer, and its size. */
let request: usize = 0;
let requestBytes: usize = 0;
let memoryLimit: u64 = 0;
let peak: u64 = 0;
let configCrc: u32 = 0;
/** Deployment bytes (model, optimiser, strategy state). */
let deploymentBytes: u64 = 0;
const macsBaseline = memory.data(8);

function start(): void {
  if (started) return;
  started = true;
  // MX encoding keeps one scratch format it allocates on first use: take it now, below every deployment.
  const mx = makeFormat(0x00030402);
  if (mx != null) {
    const block = heap.alloc(128);
    mxEncodeArray(mx, 0, 32, null, block, block + 64, 1);
  }
  base = heapTop();
  rest = base;
  storesReset(base + 16);
  memoryLimit = 0xffff_0000;
  peak = <u64>base;
}

// ---- Replies ----

function replyStart(): void {
  replyPtr = replyBuffer;
  replyLen = 0;
}
function putU8(v: u32): void { store<u8>(replyBuffer + replyLen, <u8>v); replyLen += 1; }
function putU16(v: u32): void { store<u16>(replyBuffer + replyLen, <u16>v); replyLen += 2; }
function putU32(v: u32): void { store<u32>(replyBuffer + replyLen, v); replyLen += 4; }
function putF32(v: f32): void { store<f32>(replyBuffer + replyLen, v); replyLen += 4; }
function putF64(v: f64): void { store<f64>(replyBuffer + replyLen, v); replyLen += 8; }

/** Ends a failing command: the error message (already written with text/num) becomes the reply. */
function fail(code: i32): i32 {
  replyPtr = messagePtr();
  replyLen = messageLength();
  return code;
}

function clampU32(x: u64): u32 { return x > 0xffff_ffff ? 0xffff_ffff : <u32>x; }

function notePeak(end: u64): void { if (end > peak) peak = end; }

function used(): u64 { return max<u64>(<u64>dataEnd, <u64>rest); }

// ---- Exports ----

export function cmd_buffer(bytes: u32): usize {
  start();
  const at = ((dataEnd + 15) & ~<usize>15) + 16;
  const end = <u64>at + <u64>bytes + 64;
  if (end > memoryLimit || !coverTo(end)) return 0;
  notePeak(<u64>at + <u64>bytes);
  request = at;
  requestBytes = bytes;
  return at;
}

export function cmd_reply_ptr(): usize { return replyPtr; }
export function cmd_reply_len(): u32 { return replyLen; }

export function cmd_run(type: u32, length: u32): i32 {
  start();
  messageStart();
  replyStart();
  if (request == 0 || <usize>length > requestBytes) {
    text("expected a payload of at most ");
    num(<i64>requestBytes);
    text(" bytes in the buffer cmd_buffer gave, received a length of ");
    num(<i64>length);
    return fail(ERR_BAD_PAYLOAD);
  }
  // Anything a command allocates lands above its payload and is dropped when it ends.
  setHeapTop(blockStart(request + <usize>length + 16));
  let code: i32;
  switch (type) {
    case MSG_DEPLOY: code = deploy(length); break;
    case MSG_DATA: code = data(length); break;
    case MSG_TRAIN: code = train(length); break;
    case MSG_EVAL: code = evalCommand(length); break;
    case MSG_TELEMETRY: code = telemetry(length); break;
    case MSG_CHECKPOINT: code = checkpoint(); break;
    case MSG_RESTORE: code = restore(length); break;
    case MSG_RESET: code = reset(length); break;
    default:
      text("expected a request the device runs (DEPLOY, DATA, TRAIN, EVAL, TELEMETRY, CHECKPOINT, RESTORE, RESET), received type ");
      num(type);
      if (type == MSG_CHUNK) text(" (CHUNK: the board reassembles chunks)");
      code = fail(ERR_UNEXPECTED_TYPE);
  }
  setHeapTop(rest);
  return code;
}

function needDeployment(what: string): bool {
  if (deployed) return true;
  text("expected a deployed learner for ");
  text(what);
  text(", received none; send DEPLOY first");
  return false;
}

function shortPayload(what: string, length: u32, wanted: i32): i32 {
  text("expected a ");
  text(what);
  text(" payload of at least ");
  num(wanted);
  text(" bytes, received ");
  num(length);
  return fail(ERR_BAD_PAYLOAD);
}

// ---- DEPLOY ----

// @ts-ignore: decorator
@inline function cfgWord(i: i32): u32 { return load<u32>(config + (<usize>i << 2)); }
// @ts-ignore: decorator
@inline function cfgReal(i: i32): f32 { return load<f32>(config + (<usize>i << 2)); }

function finite(x: f32): bool { return x - x == 0; }

const strategyNames = "naive, cumulative, replay, latent-replay, gdumb, agem, ewc, online-ewc, si, lwf, packnet";

function usesBuffer(strategy: i32): bool {
  return strategy == STRATEGY_REPLAY || strategy == STRATEGY_LATENT_REPLAY || strategy == STRATEGY_GDUMB || strategy == STRATEGY_AGEM;
}

/** Checks the strategy blob that starts at word `at`; writes the message and returns false when it is wrong. */
function checkStrategy(at: i32, words: i32): i32 {
  if (words != CL_WORD_COUNT || <i32>cfgWord(at + CL_WORDS) != words || <i32>cfgWord(at + CL_VERSION) != CL_ABI_VERSION) {
    text("expected a strategy blob of version ");
    num(CL_ABI_VERSION);
    text(" with ");
    num(CL_WORD_COUNT);
    text(" words after the model config, received version ");
    num(cfgWord(at + CL_VERSION));
    text(" with ");
    num(words);
    text(" words");
    return ERR_BAD_CONFIG;
  }
  const strategy = cfgWord(at + CL_STRATEGY);
  if (strategy >= <u32>STRATEGY_COUNT) {
    text("expected a strategy id from 0 to ");
    num(STRATEGY_COUNT - 1);
    text(" (");
    text(strategyNames);
    text("), received ");
    num(strategy);
    return ERR_BAD_CONFIG;
  }
  const policy = cfgWord(at + CL_BUFFER_POLICY);
  if (policy != <u32>BUFFER_RESERVOIR && policy != <u32>BUFFER_CLASS_BALANCED) {
    text("expected a buffer policy 0 (reservoir) or 1 (class-balanced), received ");
    num(policy);
    return ERR_BAD_CONFIG;
  }
  const lambda = cfgReal(at + CL_LAMBDA), gamma = cfgReal(at + CL_GAMMA), prune = cfgReal(at + CL_PRUNE);
  if (!finite(lambda) || lambda < 0) {
    text("expected a strength (lambda, c or alpha) that is finite and at least 0, received ");
    real(<f64>lambda);
    return ERR_BAD_CONFIG;
  }
  if (!finite(gamma) || gamma < 0 || (strategy == <u32>STRATEGY_LWF && gamma <= 0)) {
    text("expected gamma (online EWC decay, SI damping, LwF temperature) finite and at least 0 (above 0 for LwF), received ");
    real(<f64>gamma);
    return ERR_BAD_CONFIG;
  }
  if (!finite(prune) || prune < 0 || prune >= 1) {
    text("expected a PackNet prune fraction in [0, 1), received ");
    real(<f64>prune);
    return ERR_BAD_CONFIG;
  }
  return OK;
}

/** Bytes the strategy's state takes for a built model. */
function strategyFootprint(strategy: i32, at: i32, model: Model, latentValues: i32): u64 {
  const params = <u64>model.params;
  const heads = <u64>model.heads;
  const batch = <u64>model.maxBatch;
  let bytes = blockBytes(offsetof<Learner>()) + blockBytes(offsetof<Rng>()) + blockBytes(2 * batch * 12) + blockBytes(heads);
  const bufferBytes = cfgWord(at + CL_BUFFER_BYTES);
  if (usesBuffer(strategy)) bytes += bufferFootprint(model.ctx.replay, latentValues, bufferBytes, model.heads * model.classes);
  if (strategy == STRATEGY_EWC || strategy == STRATEGY_ONLINE_EWC || strategy == STRATEGY_SI) bytes += quadraticFootprint(model.params);
  if (heads > 1 || strategy == STRATEGY_LWF || strategy == STRATEGY_AGEM) bytes += blockBytes(params << 2);
  if (strategy == STRATEGY_AGEM) bytes += blockBytes(params << 2);
  if (strategy == STRATEGY_PACKNET) bytes += blockBytes(params);
  if (strategy == STRATEGY_LWF || strategy == STRATEGY_PACKNET) bytes += blockBytes(<u64>model.modelBytes);
  if (strategy == STRATEGY_LWF) bytes += blockBytes(batch * <u64>model.classes << 2);
  if (strategy == STRATEGY_GDUMB) bytes += blockBytes(<u64>model.modelBytes) + blockBytes(<u64>model.masterBytes);
  return bytes;
}

/** Index of the first layer at or after `cut` that has parameters, or -1. */
function trainableLayer(model: Model, cut: i32): i32 {
  for (let i = cut; i < model.layerCount; i++) {
    const k = model.layer(i).kind;
    if (k == LAYER_LINEAR || k == LAYER_CONV) return i;
  }
  return -1;
}

function buildStrategy(model: Model, at: i32): Learner {
  const l = newLearner();
  const strategy = <i32>cfgWord(at + CL_STRATEGY);
  l.model = model;
  l.strategy = strategy;
  l.params = model.params;
  l.heads = model.heads;
  l.classes = model.classes;
  l.replayBatch = <i32>cfgWord(at + CL_REPLAY_BATCH);
  l.lambda = cfgReal(at + CL_LAMBDA);
  l.gamma = cfgReal(at + CL_GAMMA);
  l.prune = cfgReal(at + CL_PRUNE);
  l.retrain = <i32>cfgWord(at + CL_RETRAIN);
  l.cut = <i32>cfgWord(at + CL_CUT);
  l.fisherSamples = <i32>cfgWord(at + CL_FISHER_SAMPLES);
  l.picks = allocZeroed(<usize>(2 * model.maxBatch * 12));
  l.touched = allocZeroed(<usize>model.heads);
  const params = <usize>model.params;
  if (usesBuffer(strategy)) {
    const values = strategy == STRATEGY_LATENT_REPLAY ? model.layer(l.cut).input.size : model.input.size;
    const policy = strategy == STRATEGY_GDUMB ? POLICY_GREEDY
      : cfgWord(at + CL_BUFFER_POLICY) == <u32>BUFFER_CLASS_BALANCED ? POLICY_CLASS_BALANCED : POLICY_RESERVOIR;
    l.buffer = newBuffer(model.ctx.replay, values, cfgWord(at + CL_BUFFER_BYTES), model.heads * model.classes, policy);
  }
  if (strategy == STRATEGY_EWC || strategy == STRATEGY_ONLINE_EWC) l.quad = newQuadratic(model.params, l.lambda * 0.5);
  if (strategy == STRATEGY_SI) l.quad = newQuadratic(model.params, l.lambda);
  if (model.heads > 1 || strategy == STRATEGY_LWF || strategy == STRATEGY_AGEM) l.acc = allocZeroed(params << 2);
  if (strategy == STRATEGY_AGEM) l.ref = allocZeroed(params << 2);
  if (strategy == STRATEGY_PACKNET) l.owners = allocZeroed(params);
  if (strategy == STRATEGY_LWF || strategy == STRATEGY_PACKNET) l.snapshot = allocZeroed(<usize>model.modelBytes);
  if (strategy == STRATEGY_LWF) l.teacher = allocZeroed(<usize>(model.maxBatch * model.classes) << 2);
  if (strategy == STRATEGY_GDUMB) {
    l.initWeights = allocZeroed(<usize>model.modelBytes);
    memory.copy(l.initWeights, model.ctx.weights, <usize>model.modelBytes);
    if (model.masterBytes > 0) {
      l.initMaster = allocZeroed(<usize>model.masterBytes);
      memory.copy(l.initMaster, model.optimizer.master, <usize>model.masterBytes);
    }
  }
  return l;
}

/** The state a checkpoint holds, in a fixed order. */
const scalars = memory.data(256);

function registerRegions(l: Learner): void {
  const model = l.model;
  const ctx = model.ctx, opt = model.optimizer;
  const params = <usize>model.params;
  regionsReset();
  addRegion(ctx.weights, <usize>model.modelBytes);
  addRegion(opt.master, <usize>model.masterBytes);
  const stateBytes = params * <usize>ctx.optimizer.bytes;
  addRegion(opt.state1, opt.state1 != 0 ? stateBytes : 0);
  addRegion(opt.state2, opt.state2 != 0 ? stateBytes : 0);
  addRegion(scalars, 256);
  const b = l.buffer;
  if (changetype<usize>(b) != 0) {
    addRegion(b.data, <usize>b.capacity * <usize>b.sampleBytes);
    addRegion(b.keys, <usize>b.capacity << 1);
    addRegion(b.held, <usize>b.classKeys << 2);
    addRegion(b.offered, <usize>b.classKeys << 3);
  }
  const q = l.quad;
  if (changetype<usize>(q) != 0) {
    addRegion(q.importance, params << 2);
    addRegion(q.anchor, params << 2);
    addRegion(q.running, params << 2);
  }
  addRegion(l.owners, l.owners != 0 ? params : 0);
  if (l.strategy == STRATEGY_LWF) addRegion(l.snapshot, <usize>model.modelBytes);
}

function packScalars(l: Learner): void {
  const model = l.model;
  const ctx = model.ctx, opt = model.optimizer;
  memory.fill(scalars, 0, 256);
  store<i32>(scalars, opt.steps);
  store<f64>(scalars + 8, opt.beta1Power);
  store<f64>(scalars + 16, opt.beta2Power);
  store<f32>(scalars + 24, opt.correction1);
  store<f32>(scalars + 28, opt.correction2);
  store<f32>(scalars + 32, model.lossScale);
  store<i32>(scalars + 36, model.cleanSteps);
  store<i32>(scalars + 40, model.head);
  store<i32>(scalars + 44, l.ended);
  store<i32>(scalars + 48, l.current);
  store<i32>(scalars + 52, l.frozen ? 1 : 0);
  store<i32>(scalars + 56, l.firstTrainable);
  store<u32>(scalars + 60, ctx.activationRng.counter);
  store<u32>(scalars + 64, ctx.activationEvalRng.counter);
  store<u32>(scalars + 68, ctx.errorRng.counter);
  store<u32>(scalars + 72, ctx.gradientRng.counter);
  store<u32>(scalars + 76, ctx.weightRng.counter);
  store<u32>(scalars + 80, ctx.masterRng.counter);
  store<u32>(scalars + 84, ctx.optimizerRng.counter);
  store<u32>(scalars + 88, ctx.jobsTrain);
  store<u32>(scalars + 92, ctx.jobsEval);
  const b = l.buffer;
  if (changetype<usize>(b) != 0) {
    store<i32>(scalars + 96, b.size);
    store<f64>(scalars + 104, b.seen);
  }
  const q = l.quad;
  if (changetype<usize>(q) != 0) {
    store<f64>(scalars + 112, q.constant);
    store<i32>(scalars + 120, q.active ? 1 : 0);
  }
}

function unpackScalars(l: Learner): void {
  const model = l.model;
  const ctx = model.ctx, opt = model.optimizer;
  opt.steps = load<i32>(scalars);
  opt.beta1Power = load<f64>(scalars + 8);
  opt.beta2Power = load<f64>(scalars + 16);
  opt.correction1 = load<f32>(scalars + 24);
  opt.correction2 = load<f32>(scalars + 28);
  model.lossScale = load<f32>(scalars + 32);
  model.cleanSteps = load<i32>(scalars + 36);
  model.head = load<i32>(scalars + 40);
  l.ended = load<i32>(scalars + 44);
  l.current = load<i32>(scalars + 48);
  l.frozen = load<i32>(scalars + 52) != 0;
  l.firstTrainable = load<i32>(scalars + 56);
  ctx.activationRng.counter = load<u32>(scalars + 60);
  ctx.activationEvalRng.counter = load<u32>(scalars + 64);
  ctx.errorRng.counter = load<u32>(scalars + 68);
  ctx.gradientRng.counter = load<u32>(scalars + 72);
  ctx.weightRng.counter = load<u32>(scalars + 76);
  ctx.masterRng.counter = load<u32>(scalars + 80);
  ctx.optimizerRng.counter = load<u32>(scalars + 84);
  ctx.jobsTrain = load<u32>(scalars + 88);
  ctx.jobsEval = load<u32>(scalars + 92);
  const b = l.buffer;
  if (changetype<usize>(b) != 0) {
    b.size = load<i32>(scalars + 96);
    b.seen = load<f64>(scalars + 104);
  }
  const q = l.quad;
  if (changetype<usize>(q) != 0) {
    q.constant = load<f64>(scalars + 112);
    q.active = load<i32>(scalars + 120) != 0;
  }
}

function nnProblem(status: i32): i32 {
  switch (status) {
    case NN_BAD_FORMAT:
      text("expected number formats the device knows in every role of the precision spec (replay may be a block format, the others not), received an unknown or unusable format word");
      return ERR_UNKNOWN_FORMAT;
    case NN_BAD_ROUNDING:
      text("expected rounding codes 0..6 and SR bits 0..32 in the precision spec, received others");
      return ERR_UNKNOWN_FORMAT;
    case NN_BAD_VERSION:
      text("expected a model config blob of the device's ABI version, received another version");
      return ERR_BAD_CONFIG;
    case NN_BAD_LAYER:
      text("expected layers the device builds (linear, conv, relu, pools, flatten) with sizes in range, received a layer it cannot build");
      return ERR_BAD_CONFIG;
    case NN_BAD_SHAPE:
      text("expected layer shapes that fit their inputs (and heads and classes in range), received shapes that do not");
      return ERR_BAD_CONFIG;
    case NN_BAD_BATCH:
      text("expected a largest batch from 1 to 65536 in the model config, received another");
      return ERR_BAD_CONFIG;
    default:
      text("expected a valid model config blob (optimizer, loss scaling and learning rates finite), received one the device refuses (status ");
      num(status);
      text(")");
      return ERR_BAD_CONFIG;
  }
}

function refuseSize(needed: u64, available: u64, limit: u64, what: string): i32 {
  text("expected a deployment that fits the board's linear memory (");
  num(<i64>available);
  text(" bytes available of ");
  num(<i64>limit);
  text("), received one that needs ");
  text(what);
  num(<i64>needed);
  text(" bytes; use a smaller model, precision or buffer, or a board with more memory");
  return fail(ERR_DOES_NOT_FIT);
}

/**
 * Heap room the planning build of a model's shapes may take above a request: the context, its roles
 * with their formats and 1 KiB decode tables, and a layer record and tensor view per layer.
 */
function planMargin(layers: i32): u64 {
  return 32768 + (<u64>layers + 1) * 1024;
}

function refuseGrowth(end: u64, limit: u64): i32 {
  text("expected linear memory to grow to ");
  num(<i64>end);
  text(" bytes for the deployment (the board's limit: ");
  num(<i64>limit);
  text(" bytes), but the runtime refused; the board's real limit is lower than the one declared, so declare it (edgecl run --manifest) or use a smaller model, precision or buffer");
  return fail(ERR_DOES_NOT_FIT);
}
/** Bytes the last planned deployment needs (model shapes, buffers, strategy state). */
let planNeeded: u64 = 0;

/** Checks a planned model against the strategy blob at word `at` and the memory available. */
function checkPlanned(model: Model, at: i32, planAt: usize, strategy: i32, available: u64, limit: u64): i32 {
  if (strategy == STRATEGY_LATENT_REPLAY) {
    const cut = <i32>cfgWord(at + CL_CUT);
    if (cut < 1 || cut >= model.layerCount || trainableLayer(model, cut) < 0) {
      text("expected a latent-replay cut from 1 to ");
      num(model.layerCount - 1);
      text(" (a layer index with trainable layers at or above it), received ");
      num(cut);
      return fail(ERR_BAD_CONFIG);
    }
  }
  const replayBatch = <i32>cfgWord(at + CL_REPLAY_BATCH);
  if (replayBatch >= model.maxBatch && (strategy == STRATEGY_REPLAY || strategy == STRATEGY_LATENT_REPLAY)) {
    text("expected a replay batch below the model's largest batch ");
    num(model.maxBatch);
    text(" (it holds the new and the replayed samples), received ");
    num(replayBatch);
    return fail(ERR_BAD_CONFIG);
  }
  if (model.heads * model.classes > 65535) {
    text("expected at most 65535 classes over all heads, received ");
    num(model.heads * model.classes);
    return fail(ERR_BAD_CONFIG);
  }
  const latent = strategy == STRATEGY_LATENT_REPLAY ? model.layer(<i32>cfgWord(at + CL_CUT)).input.size : model.input.size;
  planNeeded = <u64>(heapTop() - planAt) + plannedBytes() + strategyFootprint(strategy, at, model, latent);
  if (planNeeded > available) return refuseSize(planNeeded, available, limit, "");
  return OK;
}

function deploy(length: u32): i32 {
  if (length < 4) return shortPayload("DEPLOY", length, 4);
  const bytes = load<u32>(request);
  if (<u64>bytes + 4 > <u64>length) {
    text("expected a DEPLOY config of at most ");
    num(length - 4);
    text(" bytes (the payload's length), received a count of ");
    num(bytes);
    return fail(ERR_BAD_PAYLOAD);
  }
  if (bytes > <u32>CONFIG_CAPACITY || bytes % 4 != 0 || bytes < <u32>((CFG_LAYERS + CL_WORD_COUNT) << 2)) {
    text("expected a config of whole u32 words, from ");
    num((CFG_LAYERS + CL_WORD_COUNT) << 2);
    text(" to ");
    num(CONFIG_CAPACITY);
    text(" bytes (model blob, then strategy blob), received ");
    num(bytes);
    text(" bytes");
    return fail(ERR_BAD_CONFIG);
  }
  // The config is copied out of the request buffer, which may lie where the new deployment goes. A
  // deployment needs its config only while it is built, so the copy may replace the last one.
  memory.copy(config, request + 4, bytes);
  const words = <i32>(bytes >> 2);
  const layers = <i32>cfgWord(CFG_LAYER_COUNT);
  if (layers < 0 || layers > CFG_MAX_LAYERS) {
    text("expected at most ");
    num(CFG_MAX_LAYERS);
    text(" layers in the model config, received ");
    num(layers);
    return fail(ERR_BAD_CONFIG);
  }
  const modelWords = CFG_LAYERS + layers * LAYER_WORDS;
  if (modelWords + CL_WORD_COUNT > words) {
    text("expected a model blob of ");
    num(modelWords);
    text(" words and a strategy blob of ");
    num(CL_WORD_COUNT);
    text(" words, received ");
    num(words);
    text(" words in all");
    return fail(ERR_BAD_CONFIG);
  }
  const at = modelWords;
  const problem = checkStrategy(at, words - modelWords);
  if (problem != OK) return fail(problem);
  const limit = cfgWord(at + CL_MEMORY_LIMIT);
  const newLimit: u64 = limit == 0 ? 0xffff_0000 : <u64>limit;
  const available = newLimit > <u64>base + 64 ? newLimit - <u64>base - 64 : 0;
  const strategy = <i32>cfgWord(at + CL_STRATEGY);

  // Plan first, above this request, where nothing of the live deployment lies: the model's shapes are
  // built, its buffers and the strategy's state counted. The live deployment is replaced only once the
  // new one passed every check and linear memory is known to hold it (docs/protocol.md, DEPLOY).
  const planAt = heapTop();
  const restoreTop = deployed ? rest : base;
  const built = memory.data(8);
  const margin = planMargin(layers);
  if (!coverTo(<u64>planAt + margin)) {
    setHeapTop(restoreTop);
    return refuseGrowth(<u64>planAt + margin, newLimit);
  }
  const status = buildModel(config, modelWords, built, true);
  if (status != NN_OK) {
    setHeapTop(restoreTop);
    return fail(nnProblem(status));
  }
  const problemCode = checkPlanned(changetype<Model>(load<usize>(built)), at, planAt, strategy, available, newLimit);
  setHeapTop(restoreTop);
  if (problemCode != OK) return problemCode;
  // Grow memory before anything is replaced: a runtime that refuses leaves the live deployment as it was.
  if (!coverTo(<u64>base + planNeeded + 64)) return refuseGrowth(<u64>base + planNeeded + 64, newLimit);
  setHeapTop(base);
  setDeployment(changetype<Learner>(0));
  buildModel(config, modelWords, built);
  const model = changetype<Model>(load<usize>(built));
  const l = buildStrategy(model, at);
  setDeployment(l);
  memoryLimit = newLimit;
  rest = heapTop();
  deploymentBytes = <u64>(rest - base);
  storesReset(rest + 16);
  registerRegions(l);
  configCrc = crc32(config, bytes);
  store<f64>(macsBaseline, 0);
  backendReset();
  // Peak memory is a figure of this deployment, from its creation on (not of whatever an earlier one
  // stored, nor of the request that replaced it).
  peak = <u64>rest + 16;
  replyStart();
  putU32(<u32>model.params);
  putU32(clampU32(deploymentBytes));
  putU32(clampU32(used()));
  putU32(clampU32(memoryLimit));
  return OK;
}

// ---- DATA ----

function data(length: u32): i32 {
  if (!needDeployment("DATA")) return fail(ERR_NOT_DEPLOYED);
  if (length < <u32>DATA_FIXED_SIZE) return shortPayload("DATA", length, DATA_FIXED_SIZE);
  const experience = <i32>load<u16>(request);
  const split = <i32>load<u8>(request + 2);
  const encoding = <i32>load<u8>(request + 3);
  const flags = <i32>load<u8>(request + 4);
  const count = load<u32>(request + 5);
  const features = load<u32>(request + 9);
  const model = learner.model;
  if (experience >= CL_MAX_EXPERIENCES) {
    text("expected an experience below ");
    num(CL_MAX_EXPERIENCES);
    text(", received ");
    num(experience);
    return fail(ERR_BAD_PAYLOAD);
  }
  if (split != SPLIT_TRAIN && split != SPLIT_TEST) {
    text("expected split 0 (train) or 1 (test), received ");
    num(split);
    return fail(ERR_BAD_PAYLOAD);
  }
  if (encoding != SAMPLE_ENCODING_F32 && encoding != SAMPLE_ENCODING_U8) {
    text("expected sample encoding 0 (f32) or 1 (u8), received ");
    num(encoding);
    return fail(ERR_BAD_PAYLOAD);
  }
  if ((flags & ~DATA_FLAG_CLEAR) != 0) {
    text("expected DATA flags combining only CLEAR (1), received ");
    num(flags);
    return fail(ERR_BAD_PAYLOAD);
  }
  if (features != <u32>model.input.size) {
    text("expected ");
    num(model.input.size);
    text(" features per sample (the deployed model's input), received ");
    num(features);
    return fail(ERR_BAD_PAYLOAD);
  }
  const stride = recordBytes(<i32>features, encoding);
  const samplesBytes = <u64>length - <u64>DATA_FIXED_SIZE;
  if (<u64>count * <u64>stride != samplesBytes) {
    text("expected ");
    num(<i64>count * stride);
    text(" bytes of samples (");
    num(count);
    text(" labels and ");
    num(count);
    text(" x ");
    num(features);
    text(" values), received ");
    num(<i64>samplesBytes);
    return fail(ERR_BAD_PAYLOAD);
  }
  const samples = request + <usize>DATA_FIXED_SIZE;
  for (let k: u32 = 0; k < count; k++) {
    const label = <i32>load<u16>(samples + (<usize>k << 1));
    if (label >= model.classes) {
      text("expected labels from 0 to ");
      num(model.classes - 1);
      text(" (the classes of a head), received ");
      num(label);
      text(" at sample ");
      num(k);
      return fail(ERR_BAD_PAYLOAD);
    }
  }
  const s = storeAt(experience, split);
  const clear = (flags & DATA_FLAG_CLEAR) != 0;
  if (!clear && s.count > 0 && s.encoding != encoding) {
    text("expected the sample encoding already stored for this experience and split (");
    num(s.encoding);
    text("), received ");
    num(encoding);
    text("; send CLEAR to replace them");
    return fail(ERR_BAD_PAYLOAD);
  }
  const removed = clear ? storeBytes(s) : 0;
  const newEnd = <u64>dataEnd - <u64>removed + <u64>count * <u64>stride;
  const moveTo = max<u64>(<u64>samples, ((newEnd + 15) & ~<u64>15) + 16);
  const end = moveTo + samplesBytes + 64;
  if (end > memoryLimit || !coverTo(end)) {
    text("expected room for ");
    num(count);
    text(" more samples (");
    num(<i64>(<u64>count * <u64>stride));
    text(" bytes) in linear memory, received ");
    num(<i64>(memoryLimit > <u64>dataEnd ? memoryLimit - <u64>dataEnd : 0));
    text(" bytes free of ");
    num(<i64>memoryLimit);
    text(" (");
    num(<i64>(<u64>dataEnd - <u64>dataBase));
    text(" bytes of samples stored); send fewer samples, use u8 samples, or a board with more memory");
    return fail(ERR_DOES_NOT_FIT);
  }
  notePeak(end - 64);
  if (clear) storeClear(s);
  storeAppend(s, samples, <usize>samplesBytes, <i32>count, <i32>features, encoding, <usize>moveTo);
  notePeak(<u64>dataEnd);
  replyStart();
  putU32(<u32>s.count);
  putU32(clampU32(used()));
  return OK;
}

// ---- TRAIN ----

function scratchFor(length: u32, bytes: u64): usize {
  const at = blockStart(request + <usize>length + 16) + 16;
  const end = <u64>at + bytes + 64;
  if (end > memoryLimit || !coverTo(end)) {
    text("expected ");
    num(<i64>bytes);
    text(" bytes of working memory above the stored samples, received ");
    num(<i64>(memoryLimit > <u64>at ? memoryLimit - <u64>at : 0));
    text(" (limit ");
    num(<i64>memoryLimit);
    text("); store fewer samples or use a board with more memory");
    return 0;
  }
  notePeak(end);
  setHeapTop(blockStart(<usize>end));
  return at;
}

function experienceInRange(l: Learner, experience: i32): bool {
  if (l.heads > 1 && experience >= l.heads) {
    text("expected an experience below ");
    num(l.heads);
    text(" (one output head each in the task scenario), received ");
    num(experience);
    return false;
  }
  return true;
}

function train(length: u32): i32 {
  if (!needDeployment("TRAIN")) return fail(ERR_NOT_DEPLOYED);
  if (length < <u32>TRAIN_FIXED_SIZE) return shortPayload("TRAIN", length, TRAIN_FIXED_SIZE);
  const experience = <i32>load<u16>(request);
  const iterations = load<u32>(request + 2);
  const batch = <i32>load<u16>(request + 6);
  const seed = load<u32>(request + 8);
  const flags = <i32>load<u8>(request + 12);
  const l = learner;
  const model = l.model;
  if ((flags & ~TRAIN_FLAG_CONTINUE) != 0) {
    text("expected TRAIN flags combining only CONTINUE (1), received ");
    num(flags);
    return fail(ERR_BAD_PAYLOAD);
  }
  if (experience >= CL_MAX_EXPERIENCES || !experienceInRange(l, experience)) {
    if (experience >= CL_MAX_EXPERIENCES) {
      text("expected an experience below ");
      num(CL_MAX_EXPERIENCES);
      text(", received ");
      num(experience);
    }
    return fail(ERR_BAD_PAYLOAD);
  }
  const replayRows = l.strategy == STRATEGY_REPLAY || l.strategy == STRATEGY_LATENT_REPLAY ? l.replayBatch : 0;
  const largest = model.maxBatch - replayRows;
  if (batch < 1 || batch > largest) {
    text("expected a batch from 1 to ");
    num(largest);
    text(" (the deployed largest batch ");
    num(model.maxBatch);
    if (replayRows > 0) {
      text(" less ");
      num(replayRows);
      text(" replayed samples");
    }
    text("), received ");
    num(batch);
    return fail(ERR_BAD_PAYLOAD);
  }
  if (iterations > 0x7fff_ffff) {
    text("expected at most 2147483647 iterations, received ");
    num(iterations);
    return fail(ERR_BAD_PAYLOAD);
  }
  const endsExperience = (flags & TRAIN_FLAG_CONTINUE) == 0;
  let pool = 0;
  const from = l.strategy == STRATEGY_CUMULATIVE ? 0 : experience;
  for (let e = from; e <= experience; e++) pool += storeAt(e, SPLIT_TRAIN).count;
  if (storeAt(experience, SPLIT_TRAIN).count == 0 && !(l.strategy == STRATEGY_GDUMB && !endsExperience)) {
    text("expected training samples of experience ");
    num(experience);
    text(" on the device, received none; send DATA (train) first");
    return fail(ERR_NO_DATA);
  }
  const scratch = scratchFor(length, trainScratchBytes(l, pool));
  if (scratch == 0) return fail(ERR_DOES_NOT_FIT);
  l.scratch = scratch;
  seedTrain(l, seed);
  let meanLoss: f64 = 0;
  let ran: u32 = iterations;
  if (l.strategy == STRATEGY_GDUMB) {
    if (endsExperience) meanLoss = gdumbTrain(l, experience, <i32>iterations, batch, scratch);
    else ran = 0;
  } else {
    meanLoss = trainIterations(l, experience, <i32>iterations, batch, scratch);
    if (endsExperience) endExperience(l, experience, <i32>iterations, batch, scratch);
  }
  // An ended experience's training samples are of no further use, except to cumulative training.
  if (endsExperience && l.strategy != STRATEGY_CUMULATIVE) storeClear(storeAt(experience, SPLIT_TRAIN));
  replyStart();
  putU32(ran);
  putF32(<f32>meanLoss);
  putF32(<f32>l.lastLoss);
  return OK;
}

// ---- EVAL ----

function evalCommand(length: u32): i32 {
  if (!needDeployment("EVAL")) return fail(ERR_NOT_DEPLOYED);
  if (length < <u32>EVAL_FIXED_SIZE) return shortPayload("EVAL", length, EVAL_FIXED_SIZE);
  const experience = <i32>load<u16>(request);
  const flags = <i32>load<u8>(request + 2);
  const l = learner;
  if ((flags & ~EVAL_FLAG_TASK_MASK) != 0) {
    text("expected EVAL flags combining only TASK_MASK (1), received ");
    num(flags);
    return fail(ERR_BAD_PAYLOAD);
  }
  if (experience >= CL_MAX_EXPERIENCES) {
    text("expected an experience below ");
    num(CL_MAX_EXPERIENCES);
    text(", received ");
    num(experience);
    return fail(ERR_BAD_PAYLOAD);
  }
  if (!experienceInRange(l, experience)) return fail(ERR_BAD_PAYLOAD);
  const s = storeAt(experience, SPLIT_TEST);
  if (s.count == 0) {
    text("expected test samples of experience ");
    num(experience);
    text(" on the device, received none; send DATA (test) first");
    return fail(ERR_NO_DATA);
  }
  const lossAt = memory.data(8);
  const correct = evaluateExperience(l, experience, (flags & EVAL_FLAG_TASK_MASK) != 0, 0, lossAt);
  replyStart();
  putU32(<u32>correct);
  putU32(<u32>s.count);
  putF32(<f32>(load<f64>(lossAt) / <f64>s.count));
  return OK;
}

// ---- TELEMETRY, CHECKPOINT, RESTORE, RESET ----

function macsNow(): f64 {
  if (!deployed) return 0;
  const t = learner.model.ctx.telemetry;
  return load<f64>(t + (<usize>T_MACS_FORWARD << 3)) + load<f64>(t + (<usize>T_MACS_BACKWARD_DATA << 3)) +
    load<f64>(t + (<usize>T_MACS_BACKWARD_WEIGHT << 3)) + load<f64>(t + (<usize>T_MACS_EVAL << 3));
}

function telemetry(length: u32): i32 {
  if (length < <u32>TELEMETRY_FIXED_SIZE) return shortPayload("TELEMETRY", length, TELEMETRY_FIXED_SIZE);
  const flags = <i32>load<u8>(request);
  if ((flags & ~TELEMETRY_FLAG_RESET_COUNTERS) != 0) {
    text("expected TELEMETRY flags combining only RESET_COUNTERS (1), received ");
    num(flags);
    return fail(ERR_BAD_PAYLOAD);
  }
  const macs = macsNow() - load<f64>(macsBaseline);
  replyStart();
  putF64(0); // time: the board's
  putF64(macs);
  putF64(0); // accelerator cycles: the board's
  putF64(NaN); // energy: the board's
  putU32(clampU32(used()));
  putU32(clampU32(peak));
  putU32(clampU32(memoryLimit));
  putU32(0); // accelerator jobs: the board's
  putF64(NaN); // energy of the accelerator's arithmetic, of memory traffic and of the host CPU: the board's
  putF64(NaN);
  putF64(NaN);
  // Which path the GEMM jobs took (assembly/accel/backend.ts): MACs on the accelerator, CPU jobs by reason.
  putF64(backendMacs(PATH_ACCELERATOR));
  putU32(backendMacUnits());
  for (let path = PATH_CPU_NO_ACCELERATOR; path < PATH_COUNT; path++) putU32(clampU32(<u64>backendJobs(path)));
  // MACs the CPU path ran, by kernel: the boards' energy estimate charges each kernel its own cost.
  for (let kernel = 0; kernel < KERNEL_COUNT; kernel++) putF64(backendCpuMacs(kernel));
  if (deployed && macs > 0) {
    // Every product of the model is rounded to the mul role's format.
    putU16(1);
    putU32(learner.model.ctx.mul.word);
    putF64(macs);
  } else {
    putU16(0);
  }
  // The stored weights as the model holds them (packed codes): boards and reports compare models by it.
  putU32(deployed ? crc32(learner.model.ctx.weights, <usize>learner.model.modelBytes) : 0);
  if ((flags & TELEMETRY_FLAG_RESET_COUNTERS) != 0) {
    store<f64>(macsBaseline, macsNow());
    backendReset();
  }
  return OK;
}

function checkpoint(): i32 {
  if (!needDeployment("CHECKPOINT")) return fail(ERR_NOT_DEPLOYED);
  const bytes = imageBytes();
  const at = blockStart(request + 64) + 16;
  const end = <u64>at + <u64>bytes + 64;
  if (end > memoryLimit || !coverTo(end)) {
    text("expected room for a ");
    num(<i64>bytes);
    text("-byte checkpoint image in linear memory, received ");
    num(<i64>(memoryLimit > <u64>at ? memoryLimit - <u64>at : 0));
    text(" bytes free");
    return fail(ERR_DOES_NOT_FIT);
  }
  notePeak(end);
  packScalars(learner);
  writeImage(at, configCrc);
  replyPtr = at;
  replyLen = <u32>bytes;
  return OK;
}

function restore(length: u32): i32 {
  if (!needDeployment("RESTORE")) return fail(ERR_NOT_DEPLOYED);
  const status = checkImage(request, <usize>length, configCrc);
  if (status != IMAGE_OK) {
    text("expected a checkpoint image of the deployed learner (");
    num(<i64>imageBytes());
    text(" bytes, magic ECLS, version 1, the same config, a matching CRC-32), received ");
    num(length);
    text(" bytes that fail check ");
    num(status);
    text(" (1 short, 2 magic, 3 version, 4 another deployment, 5 size, 6 CRC)");
    return fail(ERR_BAD_PAYLOAD);
  }
  loadImage(request);
  unpackScalars(learner);
  replyStart();
  return OK;
}

function reset(length: u32): i32 {
  if (length < <u32>RESET_FIXED_SIZE) return shortPayload("RESET", length, RESET_FIXED_SIZE);
  const flags = <i32>load<u8>(request);
  if ((flags & ~RESET_FLAG_ERASE_FLASH) != 0) {
    text("expected RESET flags combining only ERASE_FLASH (1), received ");
    num(flags);
    return fail(ERR_BAD_PAYLOAD);
  }
  setDeployment(changetype<Learner>(0));
  rest = base;
  setHeapTop(base);
  storesReset(base + 16);
  regionsReset();
  deploymentBytes = 0;
  store<f64>(macsBaseline, 0);
  backendReset();
  peak = <u64>base + 16;
  replyStart();
  return OK;
}

/** The linear-memory limit the deployment declared (bytes; 0xffff0000 when none). */
export function cmd_memory_limit(): u32 { return clampU32(memoryLimit); }
