// Generated from spec/config.json by scripts/gen-config.mjs. Do not edit.
// The continual-learning ABI: the strategy blob that follows the model config blob (assembly/nn/abi.ts)
// in DEPLOY's `config` bytes, and the strategy ids. Host (host/cl/strategies.ts) and device (assembly/cl,
// assembly/device.ts) both import this one file. docs/strategies.md describes every word.
// Integer constants only: this file compiles unchanged as AssemblyScript (each constant an i32) and as
// TypeScript.
/** Bumped whenever a word below moves or changes meaning. */
export const CL_ABI_VERSION = 1;

// ---- Strategy blob: little-endian u32 words; f32 values travel as their bit pattern. ----
export const CL_VERSION = 0;
/** Words of the strategy blob (CL_WORD_COUNT for this version). */
export const CL_WORDS = 1;
/** STRATEGY_* id. */
export const CL_STRATEGY = 2;
/** Largest linear memory the board gives the module, bytes (0: unknown, the runtime's own limit decides). */
export const CL_MEMORY_LIMIT = 3;
/** Replay buffer budget in bytes of stored values (replay, latent-replay, gdumb, agem). */
export const CL_BUFFER_BYTES = 4;
/** BUFFER_* policy of replay and latent-replay (gdumb is always class-balanced). */
export const CL_BUFFER_POLICY = 5;
/** Replayed samples per step (replay, latent-replay) or reference-batch size (agem). */
export const CL_REPLAY_BATCH = 6;
/** f32: penalty strength: EWC and online EWC lambda, SI c; LwF distillation weight alpha. */
export const CL_LAMBDA = 7;
/** f32: online EWC decay gamma; SI damping xi; LwF temperature. */
export const CL_GAMMA = 8;
/** f32: PackNet fraction of an experience's free weights pruned at its end. */
export const CL_PRUNE = 9;
/** PackNet retraining steps after pruning. */
export const CL_RETRAIN = 10;
/** Latent replay: index in the model's layer list of the first trainable layer (the layers before it freeze after experience 0). */
export const CL_CUT = 11;
/** EWC and online EWC: training samples the Fisher information is estimated on (0: all). */
export const CL_FISHER_SAMPLES = 12;
/** POLICY_* id of the precision policy (docs/precision.md, Policies): which precision state (CFG_STATES) each training step runs in. */
export const CL_POLICY = 13;
/** boundary: steps after an experience starts that run in state 1 (the others in state 0). */
export const CL_POLICY_STEPS = 14;
/** cyclic: period T of the cosine cycle, in training steps. */
export const CL_POLICY_PERIOD = 15;
/** cyclic: lowest and highest bit width of the cycle; width B runs in state B - POLICY_LOW + 1. */
export const CL_POLICY_LOW = 16;
export const CL_POLICY_HIGH = 17;
/** schedule: changes in POLICY_CHANGES (at most POLICY_MAX_CHANGES). */
export const CL_POLICY_CHANGE_COUNT = 18;
/** schedule: CHANGE_WORDS words each: CHANGE_* trigger, its experience or step, the state from then on. A step runs in the state of the last change (in list order) whose trigger has passed; state 0 before any. */
export const CL_POLICY_CHANGES = 19;
/** adaptive: bit mask (1 << ROLE_*) of the roles each layer with weights controls on its own (weight, activation, error, gradient); rung k >= 1 of a controlled role is its format in state k, rung 0 the run's. */
export const CL_POLICY_ROLES = 67;
/** adaptive, f32: a step whose swamped share (swamped / updates) of a layer's role exceeds this is a step to widen. */
export const CL_POLICY_SWAMP = 68;
/** adaptive, f32: a step whose underflow share (underflows / values) of a layer's role exceeds this is a step to widen. */
export const CL_POLICY_UNDERFLOW = 69;
/** adaptive, f32: a step whose overflow share (overflows / values) exceeds this is a step to widen. */
export const CL_POLICY_OVERFLOW = 70;
/** adaptive, f32: a step with no overflow, at most half the widening shares, and range used below this is a step to narrow. */
export const CL_POLICY_RANGE = 71;
/** adaptive: consecutive steps to widen before a layer's role moves one rung up. */
export const CL_POLICY_WIDEN = 72;
/** adaptive: consecutive steps to narrow before a layer's role moves one rung down. */
export const CL_POLICY_NARROW = 73;
/** boundary: 0, state 1 after every experience start; W >= 2, state 1 after every drift of the training loss, detected over windows of W step losses (docs/precision.md, Policies), experience starts ignored. */
export const CL_POLICY_DRIFT_WINDOW = 74;
/** boundary with drift, f32: a window whose mean exceeds the plateau's mean by more than this many of the plateau's standard deviations is a drift. */
export const CL_POLICY_DRIFT_K = 75;
export const CL_WORD_COUNT = 76;

// ---- Strategy ids (CL_STRATEGY). ----
export const STRATEGY_NAIVE = 0;
export const STRATEGY_CUMULATIVE = 1;
export const STRATEGY_REPLAY = 2;
export const STRATEGY_LATENT_REPLAY = 3;
export const STRATEGY_GDUMB = 4;
export const STRATEGY_AGEM = 5;
export const STRATEGY_EWC = 6;
export const STRATEGY_ONLINE_EWC = 7;
export const STRATEGY_SI = 8;
export const STRATEGY_LWF = 9;
export const STRATEGY_PACKNET = 10;
export const STRATEGY_COUNT = 11;

// ---- Precision policies (CL_POLICY). ----
/** Every step in state 0: the run's precision spec. */
export const POLICY_STATIC = 0;
/** A list of (experience or step, state) changes. */
export const POLICY_SCHEDULE = 1;
/** State 1 for the first POLICY_STEPS steps of every experience (or, with POLICY_DRIFT_WINDOW, after every drift of the loss), then state 0. */
export const POLICY_BOUNDARY = 2;
/** CPT (Fu et al., ICLR 2021): a bit width on a cosine cycle between POLICY_LOW and POLICY_HIGH. */
export const POLICY_CYCLIC = 3;
/** A controller on numeric health: each layer's controlled roles climb and descend the rungs of the states by their own figures, with hysteresis. */
export const POLICY_ADAPTIVE = 4;
export const POLICY_COUNT = 5;

// ---- Schedule changes (CL_POLICY_CHANGES). ----
export const CHANGE_WORDS = 3;
export const POLICY_MAX_CHANGES = 16;
/** From the first step of experience `at` on. */
export const CHANGE_EXPERIENCE = 0;
/** From training step `at` on (steps counted over the run from 0). */
export const CHANGE_STEP = 1;

// ---- Replay buffer policies (CL_BUFFER_POLICY). ----
/** Reservoir sampling over every training sample seen (Vitter 1985, Algorithm R). */
export const BUFFER_RESERVOIR = 0;
/** Equal slots per class seen; a new class takes slots from the fullest classes. */
export const BUFFER_CLASS_BALANCED = 1;

// ---- Limits. ----
/** Most experiences a deployment tracks (data stores, PackNet owners). */
export const CL_MAX_EXPERIENCES = 250;
