// DEPLOY and RESET: a learner is built from the config blobs (the model's, assembly/nn/abi.ts, then the
// strategy's, assembly/cl/abi.ts) only after a plan of it passed every check and linear memory is known
// to hold it; until then the live deployment, its data and its state stay as they were. RESET drops it.
import {
  ERR_BAD_PAYLOAD, ERR_BAD_CONFIG, DEPLOY_CONFIG_OFFSET, RESET_FIXED_SIZE, RESET_FLAGS_OFFSET, RESET_FLAG_ERASE_FLASH,
  DEPLOY_REPLY_FIXED_SIZE, DEPLOY_REPLY_PARAMETERS_OFFSET, DEPLOY_REPLY_MODEL_BYTES_OFFSET, DEPLOY_REPLY_MEMORY_USED_OFFSET,
  DEPLOY_REPLY_MEMORY_LIMIT_OFFSET, RESET_REPLY_FIXED_SIZE,
} from "../generated/protocol";
import {
  Model, buildModel, plannedBytes, CFG_LAYERS, CFG_LAYER_COUNT, LAYER_WORDS, CFG_MAX_LAYERS, NN_OK, CFG_STATE_COUNT,
  PRECISION_MAX_STATES, ROLE_COUNT, CFG_OVERRIDE_COUNT, CFG_MAX_OVERRIDES,
} from "../nn";
import { checkPolicy } from "../cl/policy";
import { policies } from "../cl/policies";
import {
  CL_ABI_VERSION, CL_VERSION, CL_WORDS, CL_STRATEGY, CL_MEMORY_LIMIT, CL_BUFFER_POLICY, CL_LAMBDA, CL_GAMMA, CL_PRUNE,
  CL_WORD_COUNT, STRATEGY_COUNT, BUFFER_RESERVOIR, BUFFER_CLASS_BALANCED,
} from "../cl/abi";
import { Learner, newLearner } from "../cl/learner";
import { strategies } from "../cl/strategies";
import { deployed, setDeployment } from "../cl/state";
import { arenaTop, arenaMove, cover } from "../runtime/arena";
import { text, num, real } from "./text";
import { regionsReset, crc32 } from "./image";
import { OK, fail, replyFixed, setU32, clampU32 } from "./reply";
import { base, rest, request, memoryLimit, deploymentBytes, used, deploymentPlaced, deploymentDropped } from "./memory";
import { shortPayload, badFlags, nnProblem, refuseSize, refuseGrowth } from "./messages";
import { registerRegions } from "./checkpoint";
import { resetCounters } from "./telemetry";

/** Largest config (both blobs) a DEPLOY may carry. */
const CONFIG_CAPACITY: i32 = 4096;
const config = memory.data(CONFIG_CAPACITY);
/** CRC-32 of the deployed config: a checkpoint image restores only into the deployment it came from. */
export let configCrc: u32 = 0;
/** Bytes the last planned deployment needs (model shapes, buffers, strategy state). */
let planNeeded: u64 = 0;

// @ts-ignore: decorator
@inline function cfgWord(i: i32): u32 { return load<u32>(config + (<usize>i << 2)); }
// @ts-ignore: decorator
@inline function cfgReal(i: i32): f32 { return load<f32>(config + (<usize>i << 2)); }

function finite(x: f32): bool { return x - x == 0; }

/** The strategies' names in id order, comma-separated. */
function strategyNames(): void {
  for (let i = 0; i < strategies.length; i++) {
    if (i > 0) text(", ");
    text(unchecked(strategies[i]).name);
  }
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
    strategyNames();
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
  if (!finite(gamma) || gamma < 0 || (strategies[strategy].gammaAboveZero && gamma <= 0)) {
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

/**
 * Heap room the planning build of a model's shapes may take above a request: the context, its roles
 * with their formats and 1 KiB decode tables, and a layer record and tensor view per layer.
 */
function planMargin(layers: i32, roles: i32): u64 {
  return 32768 + (<u64>layers + 1) * 1024 + <u64>roles * 1280;
}

/**
 * Checks a planned model against the strategy blob at word `at` and the memory available: the
 * strategy's state is laid out dry above the planned model, so what it counts is what it builds.
 */
function checkPlanned(model: Model, at: i32, planAt: usize, strategy: i32, available: u64, limit: u64): i32 {
  const hooks = strategies[strategy];
  const blob = config + (<usize>at << 2);
  if (!hooks.check(model, blob)) return fail(ERR_BAD_CONFIG);
  if (!checkPolicy(model, hooks, blob, policies)) return fail(ERR_BAD_CONFIG);
  if (model.heads * model.classes > 65535) {
    text("expected at most 65535 classes over all heads, received ");
    num(model.heads * model.classes);
    return fail(ERR_BAD_CONFIG);
  }
  newLearner(model, hooks, blob, true);
  planNeeded = <u64>(arenaTop() - planAt) + plannedBytes();
  const widest = changetype<usize>(model.ctx.states) != 0 ? "(its stores laid out for the widest precision state its policy may switch to) " : "";
  if (planNeeded > available) return refuseSize(planNeeded, available, limit, widest);
  return OK;
}

export function deploy(length: u32): i32 {
  if (length < 4) return shortPayload("DEPLOY", length, 4);
  const bytes = load<u32>(request + DEPLOY_CONFIG_OFFSET);
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
  memory.copy(config, request + DEPLOY_CONFIG_OFFSET + 4, bytes);
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
  const planAt = arenaTop();
  const restoreTop = deployed ? rest : base;
  const built = memory.data(8);
  // Each precision state and per-layer override builds its roles (formats, decode tables) in the plan.
  const roleSets = <i32>min<u32>(cfgWord(CFG_STATE_COUNT), <u32>PRECISION_MAX_STATES) * ROLE_COUNT +
    <i32>min<u32>(cfgWord(CFG_OVERRIDE_COUNT), <u32>CFG_MAX_OVERRIDES);
  const margin = planMargin(layers, roleSets);
  if (!cover(<u64>planAt + margin)) {
    arenaMove(restoreTop);
    return refuseGrowth(<u64>planAt + margin, newLimit);
  }
  const status = buildModel(config, modelWords, built, true);
  if (status != NN_OK) {
    arenaMove(restoreTop);
    return fail(nnProblem(status));
  }
  const problemCode = checkPlanned(changetype<Model>(load<usize>(built)), at, planAt, strategy, available, newLimit);
  arenaMove(restoreTop);
  if (problemCode != OK) return problemCode;
  // Grow memory before anything is replaced: a runtime that refuses leaves the live deployment as it was.
  if (!cover(<u64>base + planNeeded + 64)) return refuseGrowth(<u64>base + planNeeded + 64, newLimit);
  arenaMove(base);
  setDeployment(changetype<Learner>(0));
  buildModel(config, modelWords, built);
  const model = changetype<Model>(load<usize>(built));
  const l = newLearner(model, strategies[strategy], config + (<usize>at << 2), false);
  setDeployment(l);
  deploymentPlaced(newLimit);
  registerRegions(l);
  configCrc = crc32(config, bytes);
  resetCounters(0);
  replyFixed(DEPLOY_REPLY_FIXED_SIZE);
  setU32(DEPLOY_REPLY_PARAMETERS_OFFSET, <u32>model.params);
  setU32(DEPLOY_REPLY_MODEL_BYTES_OFFSET, clampU32(deploymentBytes));
  setU32(DEPLOY_REPLY_MEMORY_USED_OFFSET, clampU32(used()));
  setU32(DEPLOY_REPLY_MEMORY_LIMIT_OFFSET, clampU32(memoryLimit));
  return OK;
}

export function reset(length: u32): i32 {
  if (length < <u32>RESET_FIXED_SIZE) return shortPayload("RESET", length, RESET_FIXED_SIZE);
  const flags = <i32>load<u8>(request + RESET_FLAGS_OFFSET);
  if ((flags & ~RESET_FLAG_ERASE_FLASH) != 0) return badFlags("RESET", "ERASE_FLASH (1)", flags);
  setDeployment(changetype<Learner>(0));
  deploymentDropped();
  regionsReset();
  resetCounters(0);
  replyFixed(RESET_REPLY_FIXED_SIZE);
  return OK;
}
