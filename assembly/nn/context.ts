// What every layer needs besides its own buffers: the precision roles, the GEMM job stream, the random
// streams of stochastic rounding, telemetry counters and the shared scratch buffers.
import { Rng, streamKey, ROUND_SR } from "../arith";
import { MacSpec, macSpecNew, macSpecUsesSr, MAC_SR_MAX_OUTPUTS } from "../arith/mac";
import { gemmOnBackend } from "../accel/backend";
import { accelSetOperandFormats, accelOfferPackedW, accelPackOperands } from "../accel/driver";
import { ACCEL_FMT_E4M3_WORD, ACCEL_FMT_FP16_WORD, ACCEL_FMT_FP32_WORD } from "../generated/regmap";
import { Role, newRole, roundRun } from "./precision";
import {
  ROLE_WEIGHT, ROLE_ACTIVATION, ROLE_ERROR, ROLE_GRADIENT, ROLE_MUL, ROLE_ACC, ROLE_MASTER, ROLE_OPTIMIZER,
  ROLE_REPLAY, T_COUNT, T_MACS_FORWARD, T_MACS_EVAL, T_MACS_BACKWARD_DATA, T_GEMM_JOBS, T_ERROR_VALUES, T_ERROR_NONZERO,
  T_ERROR_FLUSHED, T_GRADIENT_VALUES, T_GRADIENT_ZEROS, MUL_FORMATS_MAX,
} from "./abi";
import { allocZeroed } from "./alloc";
import { PrecisionStates } from "./switch";
import { LayerRoles, weightsF32, offerPackedWeights } from "./overrides";
import { healthRow, healthBefore, healthAfter, addUnderflows, inPass, countNonzero } from "./health";

// Random streams of a run: stream ids under the run seed (streamKey(seed, id)), documented in docs/precision.md.
export const STREAM_INIT: u32 = 1;
export const STREAM_GEMM_TRAIN: u32 = 2;
export const STREAM_GEMM_EVAL: u32 = 3;
export const STREAM_ACTIVATION: u32 = 4;
export const STREAM_ACTIVATION_EVAL: u32 = 5;
export const STREAM_ERROR: u32 = 6;
export const STREAM_GRADIENT: u32 = 7;
export const STREAM_WEIGHT: u32 = 8;
export const STREAM_MASTER: u32 = 9;
export const STREAM_OPTIMIZER: u32 = 10;

@final @unmanaged
export class Context {
  weight: Role = changetype<Role>(0);
  activation: Role = changetype<Role>(0);
  error: Role = changetype<Role>(0);
  gradient: Role = changetype<Role>(0);
  mul: Role = changetype<Role>(0);
  acc: Role = changetype<Role>(0);
  master: Role = changetype<Role>(0);
  optimizer: Role = changetype<Role>(0);
  replay: Role = changetype<Role>(0);
  spec: MacSpec = changetype<MacSpec>(0);
  /** The precision states a policy switches between (switch.ts); 0 when the run has none. */
  states: PrecisionStates = changetype<PrecisionStates>(0);
  /** Per-layer role overrides (overrides.ts); 0 when the run has none. */
  layers: LayerRoles = changetype<LayerRoles>(0);
  seed: u32 = 0;
  /** Training pass (true) or evaluation: they draw from separate streams, so evaluating never shifts training. */
  training: bool = false;
  gemmKeyTrain: u32 = 0;
  gemmKeyEval: u32 = 0;
  jobsTrain: u32 = 0;
  jobsEval: u32 = 0;
  activationRng: Rng = changetype<Rng>(0);
  activationEvalRng: Rng = changetype<Rng>(0);
  errorRng: Rng = changetype<Rng>(0);
  gradientRng: Rng = changetype<Rng>(0);
  weightRng: Rng = changetype<Rng>(0);
  masterRng: Rng = changetype<Rng>(0);
  optimizerRng: Rng = changetype<Rng>(0);
  /** T_COUNT f64 counters (abi.ts). */
  telemetry: usize = 0;
  /**
   * MACs by product format: up to MUL_FORMATS_MAX entries of MAC_FORMAT_BYTES (the mul format word, its
   * MACs, its MACs when TELEMETRY last reset the counters), in the order the formats first ran.
   */
  macFormats: usize = 0;
  macFormatCount: i32 = 0;
  /** Stored weights (in the weight role's storage) and f32 gradients, indexed by parameter. */
  weights: usize = 0;
  grads: usize = 0;
  /** Scratch: decoded weights and biases of one layer, im2col of one sample and its gradient, a run of ones. */
  weightScratch: usize = 0;
  biasScratch: usize = 0;
  col: usize = 0;
  dcol: usize = 0;
  ones: usize = 0;
}

export function newContext(seed: u32): Context {
  const ctx = new Context();
  ctx.weight = newRole();
  ctx.activation = newRole();
  ctx.error = newRole();
  ctx.gradient = newRole();
  ctx.mul = newRole();
  ctx.acc = newRole();
  ctx.master = newRole();
  ctx.optimizer = newRole();
  ctx.replay = newRole();
  ctx.spec = macSpecNew();
  ctx.seed = seed;
  ctx.gemmKeyTrain = streamKey(seed, STREAM_GEMM_TRAIN);
  ctx.gemmKeyEval = streamKey(seed, STREAM_GEMM_EVAL);
  ctx.activationRng = Rng.create(seed, STREAM_ACTIVATION);
  ctx.activationEvalRng = Rng.create(seed, STREAM_ACTIVATION_EVAL);
  ctx.errorRng = Rng.create(seed, STREAM_ERROR);
  ctx.gradientRng = Rng.create(seed, STREAM_GRADIENT);
  ctx.weightRng = Rng.create(seed, STREAM_WEIGHT);
  ctx.masterRng = Rng.create(seed, STREAM_MASTER);
  ctx.optimizerRng = Rng.create(seed, STREAM_OPTIMIZER);
  ctx.telemetry = allocZeroed(<usize>T_COUNT << 3);
  ctx.macFormats = allocZeroed(<usize>MUL_FORMATS_MAX * MAC_FORMAT_BYTES);
  return ctx;
}

export function roleAt(ctx: Context, index: i32): Role {
  switch (index) {
    case ROLE_WEIGHT: return ctx.weight;
    case ROLE_ACTIVATION: return ctx.activation;
    case ROLE_ERROR: return ctx.error;
    case ROLE_GRADIENT: return ctx.gradient;
    case ROLE_MUL: return ctx.mul;
    case ROLE_ACC: return ctx.acc;
    case ROLE_MASTER: return ctx.master;
    case ROLE_OPTIMIZER: return ctx.optimizer;
    default: return ctx.replay;
  }
}

/** Fills the GEMM spec from the mul and acc roles; SR bits come from acc when it rounds stochastically. */
export function configureMac(ctx: Context, fma: bool, fast: bool): void {
  const spec = ctx.spec;
  spec.mul = ctx.mul.format;
  spec.mulMode = ctx.mul.mode;
  spec.acc = ctx.acc.format;
  spec.accMode = ctx.acc.mode;
  spec.fma = fma;
  // Unfused fp32 products and sums are f32 arithmetic itself, in the same order either way: the fast
  // kernel (f32 accumulation, an identity final rounding) gives exactly the per-MAC bits.
  spec.fast = fast || (spec.mul == null && spec.acc == null && !fma);
  spec.srBits = ctx.acc.mode == ROUND_SR || ctx.mul.mode != ROUND_SR ? ctx.acc.srBits : ctx.mul.srBits;
}

export const MAC_FORMAT_BYTES: i32 = 24;

/** Adds a job's MACs to its product format's count (precision states and layers may change the format). */
function countMulFormat(ctx: Context, macs: f64): void {
  const word = ctx.mul.word;
  let at = ctx.macFormats;
  for (let i = 0; i < ctx.macFormatCount; i++, at += MAC_FORMAT_BYTES) {
    if (load<u32>(at) == word) {
      store<f64>(at + 8, load<f64>(at + 8) + macs);
      return;
    }
  }
  // The config holds at most MUL_FORMATS_MAX product formats (switch.ts checks), so there is a free entry.
  store<u32>(at, word);
  store<f64>(at + 8, macs);
  ctx.macFormatCount++;
}

// @ts-ignore: decorator
@inline export function count(ctx: Context, slot: i32, amount: f64): void {
  const at = ctx.telemetry + (<usize>slot << 3);
  store<f64>(at, load<f64>(at) + amount);
}

/**
 * The format word an operand stored in `role` is charged at by the accelerator's traffic model: the role's
 * own float format, or a float format of the same storage width (1, 2 or 4 bytes) for any other.
 */
function storageWord(role: Role): u32 {
  const f = role.format;
  if (f != null && f.isFloat) return role.word;
  return role.bytes == 1 ? ACCEL_FMT_E4M3_WORD : role.bytes == 2 ? ACCEL_FMT_FP16_WORD : ACCEL_FMT_FP32_WORD;
}

/**
 * Where a job's X and W are stored, by the pass it belongs to: forward X = activations, W = weights;
 * backward to the weights X = the layer's input activations (or the run of ones), W = errors; backward
 * to the data X = errors, W = weights. Their values are already rounded to those roles, and Z's to the
 * accumulator, so an accelerator that reads packed operands may take them all as codes.
 */
function setOperandFormats(ctx: Context, macSlot: i32): void {
  let x = ctx.activation, w = ctx.weight;
  if (macSlot == T_MACS_BACKWARD_DATA) x = ctx.error;
  else if (macSlot != T_MACS_FORWARD && macSlot != T_MACS_EVAL) w = ctx.error;
  accelSetOperandFormats(storageWord(x), storageWord(w));
  accelPackOperands(x.format, w.format, true);
}

/**
 * One GEMM job (Z = or += X.W, see gemm.ts) on the backend (assembly/accel/backend.ts: the accelerator
 * when the board has one that can run it, the CPU kernel otherwise, with the same bits). Each job gets
 * its own SR key, streamKey(pass key, job number), so a job's random bits depend only on the run seed and
 * how many jobs came before it in its pass.
 */
export function gemmJob(ctx: Context, macSlot: i32, m: i32, n: i32, k: i32, x: usize, ldx: i32, transX: bool,
                        w: usize, ldw: i32, transW: bool, z: usize, ldz: i32, accumulate: bool): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (!accumulate) for (let i = 0; i < m; i++) memory.fill(z + (<usize>(i * ldz) << 2), 0, <usize>n << 2);
    return;
  }
  count(ctx, macSlot, <f64>m * <f64>n * <f64>k);
  countMulFormat(ctx, <f64>m * <f64>n * <f64>k);
  setOperandFormats(ctx, macSlot);
  // SR outputs of one job have distinct u32 positions (MAC_SR_MAX_OUTPUTS): larger jobs go in row blocks, one job each.
  let rows = m;
  if (macSpecUsesSr(ctx.spec)) rows = <i32>max<i64>(1, min<i64>(m, MAC_SR_MAX_OUTPUTS / <i64>n));
  for (let first = 0; first < m; first += rows) {
    const block = min(rows, m - first);
    if (ctx.training) ctx.spec.srKey = streamKey(ctx.gemmKeyTrain, ctx.jobsTrain++);
    else ctx.spec.srKey = streamKey(ctx.gemmKeyEval, ctx.jobsEval++);
    count(ctx, T_GEMM_JOBS, 1);
    const xBlock = x + (<usize>(transX ? first : first * ldx) << 2);
    gemmOnBackend(block, n, k, xBlock, ldx, transX, w, ldw, transW, z + (<usize>(first * ldz) << 2), ldz, accumulate, ctx.spec);
  }
}

/**
 * gemmJob whose W is the stored parameters first.. (their f32 values at w, with the store's layout): an
 * accelerator that reads packed operands reads their codes instead (docs/accelerator.md).
 */
export function weightGemmJob(ctx: Context, macSlot: i32, first: i32, m: i32, n: i32, k: i32, x: usize, ldx: i32, transX: bool,
                              w: usize, ldw: i32, transW: bool, z: usize, ldz: i32, accumulate: bool): void {
  offerPackedWeights(ctx, first);
  gemmJob(ctx, macSlot, m, n, k, x, ldx, transX, w, ldw, transW, z, ldz, accumulate);
  accelOfferPackedW(0, 0, 0);
}

/** Where forward MACs are counted in the current pass. */
// @ts-ignore: decorator
@inline export function forwardSlot(ctx: Context): i32 {
  return ctx.training ? T_MACS_FORWARD : T_MACS_EVAL;
}

/**
 * Rounds n values in place to `role`, counting their health in row (layer, roleIndex) of the pass in
 * progress when it counts health (the input batch is rounded outside a layer: data, not counted).
 */
function roundCounted(role: Role, roleIndex: i32, rng: Rng, ptr: usize, n: i32): void {
  const health = inPass();
  if (health == null || health.layer < 0) {
    roundRun(role, rng, ptr, n);
    return;
  }
  const row = healthRow(health.rows, health.layer, roleIndex);
  const nonzero = healthBefore(row, role.format, ptr, n);
  if (role.format == null) return;
  roundRun(role, rng, ptr, n);
  healthAfter(row, ptr, n, nonzero);
}

/** Rounds a layer's outputs to the activation format. */
export function roundActivations(ctx: Context, ptr: usize, n: i32): void {
  roundCounted(ctx.activation, ROLE_ACTIVATION, ctx.training ? ctx.activationRng : ctx.activationEvalRng, ptr, n);
}

/**
 * Rounds backward errors to the error format, counting values that underflow to zero. Health counts
 * them as the error at the output of the layer below the one whose backward pass produced them (the
 * loss is layer count), so a layer's activation and error rows describe the same tensor.
 */
export function roundErrors(ctx: Context, ptr: usize, n: i32): void {
  const health = inPass();
  const row = health != null && health.layer > 0 ? healthRow(health.rows, health.layer - 1, ROLE_ERROR) : 0;
  if (ctx.error.format == null) {
    if (row != 0) healthBefore(row, null, ptr, n);
    count(ctx, T_ERROR_VALUES, n);
    return;
  }
  let nonzeroBefore = 0;
  if (row != 0) nonzeroBefore = healthBefore(row, ctx.error.format, ptr, n);
  else nonzeroBefore = countNonzero(ptr, n);
  roundRun(ctx.error, ctx.errorRng, ptr, n);
  const nonzeroAfter = countNonzero(ptr, n);
  count(ctx, T_ERROR_VALUES, n);
  count(ctx, T_ERROR_NONZERO, nonzeroBefore);
  count(ctx, T_ERROR_FLUSHED, nonzeroBefore - nonzeroAfter);
  if (row != 0) addUnderflows(row, nonzeroBefore - nonzeroAfter);
}

/** Rounds weight gradients to the gradient format and counts the zeros among them. */
export function roundGradients(ctx: Context, ptr: usize, n: i32): void {
  roundCounted(ctx.gradient, ROLE_GRADIENT, ctx.gradientRng, ptr, n);
  count(ctx, T_GRADIENT_VALUES, n);
  count(ctx, T_GRADIENT_ZEROS, n - countNonzero(ptr, n));
}

/** f32 values of parameters first .. first+n-1: the store itself, or decoded into `scratch`. */
export function paramsF32(ctx: Context, first: i32, n: i32, scratch: usize): usize {
  return weightsF32(ctx, first, n, scratch);
}

/** Address of gradient `first`. */
// @ts-ignore: decorator
@inline export function gradAt(ctx: Context, first: i32): usize {
  return ctx.grads + (<usize>first << 2);
}
