// Generated from spec/config.json by scripts/gen-config.mjs. Do not edit.
// The training ABI: the layout of the model config blob the host sends, the telemetry block the device
// returns, and the status codes of the nn_* exports. Host (host/train, host/precision) and device
// (assembly/nn, assembly/api/nn.ts) both import this one file.
// Integer constants only: this file compiles unchanged as AssemblyScript (each constant an i32) and as
// TypeScript.
/** Bumped whenever a word below moves or changes meaning. */
export const NN_ABI_VERSION = 1;

// ---- Config blob: little-endian u32 words; f32 values travel as their bit pattern. ----
export const CFG_VERSION = 0;
/** Run seed (low 32 bits): init, SR keys of every GEMM job and every rounding stream derive from it. */
export const CFG_SEED = 1;
/** Largest batch train/evaluate accept: every buffer is sized for it when the model is built. */
export const CFG_MAX_BATCH = 2;
/** Shape of one input sample: channels, height, width (tabular data: C = features, H = W = 1). */
export const CFG_IN_C = 3;
export const CFG_IN_H = 4;
export const CFG_IN_W = 5;
/** Output heads (1 for a single head) and classes per head: the last Linear has HEADS * CLASSES outputs. */
export const CFG_HEADS = 6;
export const CFG_HEAD_CLASSES = 7;
/** FLAG_* bits. */
export const CFG_FLAGS = 8;
export const CFG_OPTIMIZER = 9;
/** f32 bits: learning rate, momentum (SGD), weight decay (L2, both), Adam beta1, beta2, epsilon. */
export const CFG_LR = 10;
export const CFG_MOMENTUM = 11;
export const CFG_WEIGHT_DECAY = 12;
export const CFG_BETA1 = 13;
export const CFG_BETA2 = 14;
export const CFG_EPSILON = 15;
/** ROLE_COUNT roles of ROLE_WORDS words each: format word (0 = role absent), rounding code, SR bits (0 = all). */
export const CFG_ROLES = 16;
/** GEMM_* bits. */
export const CFG_GEMM = 43;
/** LOSS_SCALE_* kind, initial scale (f32 bits), clean steps before a dynamic scale doubles. */
export const CFG_LOSS_SCALE_KIND = 44;
export const CFG_LOSS_SCALE = 45;
export const CFG_LOSS_SCALE_INTERVAL = 46;
/** Precision states a policy may switch to (0 to PRECISION_MAX_STATES; 0 with the static policy): state 0 is CFG_ROLES, state s >= 1 is entry s - 1 of CFG_STATES. */
export const CFG_STATE_COUNT = 47;
/** PRECISION_MAX_STATES role sets laid out as CFG_ROLES; only STATE_COUNT are read. Stored roles (weight, master, optimizer) are laid out for their widest state. */
export const CFG_STATES = 48;
/** Per-layer role overrides in CFG_OVERRIDES (0 to CFG_MAX_OVERRIDES). */
export const CFG_OVERRIDE_COUNT = 264;
/** OVERRIDE_WORDS words each: layer index (in the model's layer list, the output Linear last), ROLE_* index, then the role's ROLE_WORDS words: that layer runs the role in that format whatever the run's spec or precision state says. */
export const CFG_OVERRIDES = 265;
export const CFG_LAYER_COUNT = 425;
/** LAYER_WORDS words per layer: kind, then three arguments (see LAYER_*); only LAYER_COUNT of them are sent. */
export const CFG_LAYERS = 426;

// ---- The words of each role, and the roles in CFG_ROLES order. ----
export const ROLE_WORDS = 3;
export const ROLE_WEIGHT = 0;
export const ROLE_ACTIVATION = 1;
export const ROLE_ERROR = 2;
export const ROLE_GRADIENT = 3;
export const ROLE_MUL = 4;
export const ROLE_ACC = 5;
export const ROLE_MASTER = 6;
export const ROLE_OPTIMIZER = 7;
export const ROLE_REPLAY = 8;
export const ROLE_COUNT = 9;

// ---- Precision states (CFG_STATES): the role sets a precision policy switches between at step boundaries (docs/precision.md, Policies). ----
export const PRECISION_MAX_STATES = 8;
/** Product (mul) formats a run may use over its states and layers: TELEMETRY lists the MACs of each in its 256-byte reply. */
export const MUL_FORMATS_MAX = 9;

// ---- Per-layer role overrides (CFG_OVERRIDES): layer, role, then the role's words. ----
export const OVERRIDE_WORDS = 5;
export const CFG_MAX_OVERRIDES = 32;

// ---- Layers (CFG_LAYERS): LAYER_WORDS words each (kind, three arguments), at most CFG_MAX_LAYERS. ----
export const LAYER_WORDS = 4;
export const CFG_MAX_LAYERS = 64;
/** Linear: arg0 = outputs. Its input is the previous output read flat. */
export const LAYER_LINEAR = 1;
/** Conv2d: arg0 = output channels, arg1 = kernel size k (k x k), arg2 = stride | padding << 16. */
export const LAYER_CONV = 2;
export const LAYER_RELU = 3;
/** MaxPool2d / AvgPool2d: arg0 = window k (k x k), arg1 = stride; no padding. */
export const LAYER_MAXPOOL = 4;
export const LAYER_AVGPOOL = 5;
export const LAYER_FLATTEN = 6;

// ---- Model flags (CFG_FLAGS). ----
/** Also compute the loss gradient with respect to the input batch (tests, saliency). */
export const FLAG_INPUT_GRADIENT = 1;

// ---- Optimizers (CFG_OPTIMIZER). ----
export const OPTIMIZER_SGD = 0;
export const OPTIMIZER_ADAM = 1;

// ---- GEMM bits (CFG_GEMM). ----
/** Products and sums fused: one rounding to acc per multiply-add. */
export const GEMM_FMA = 1;
/** f32 accumulation and one rounding of each result to acc, instead of per-MAC rounding. */
export const GEMM_FAST = 2;

// ---- Loss scaling (CFG_LOSS_SCALE_KIND). ----
export const LOSS_SCALE_NONE = 0;
export const LOSS_SCALE_STATIC = 1;
export const LOSS_SCALE_DYNAMIC = 2;

// ---- Telemetry: f64 values at the pointer nn_telemetry returns. ----
export const T_PARAMS = 0;
/** Bytes of the weights as stored (packed codes when the weight format has <= 16 bits). */
export const T_MODEL_BYTES = 1;
/** Bytes of the master copy (0 without one). */
export const T_MASTER_BYTES = 2;
/** Bytes of the optimizer state (momentum, Adam moments), in the optimizer format. */
export const T_OPTIMIZER_BYTES = 3;
/** Bytes of the gradient buffer (f32 values rounded to the gradient format). */
export const T_GRADIENT_BYTES = 4;
/** Bytes of activations, errors, inputs and scratch for the largest batch. */
export const T_WORK_BYTES = 5;
/** Linear memory the runtime holds (pages x 64 KiB) and the allocator's high-water mark. */
export const T_LINEAR_MEMORY_BYTES = 6;
export const T_HEAP_BYTES = 7;
/** Optimizer steps applied and steps skipped for overflow (dynamic loss scaling). */
export const T_STEPS = 8;
export const T_SKIPPED_STEPS = 9;
export const T_LOSS_SCALE = 10;
/** MACs of the GEMM jobs, by pass: training forward, error backward (dX), weight gradient (dW, db), evaluation. */
export const T_MACS_FORWARD = 11;
export const T_MACS_BACKWARD_DATA = 12;
export const T_MACS_BACKWARD_WEIGHT = 13;
export const T_MACS_EVAL = 14;
export const T_GEMM_JOBS = 15;
/** Errors rounded to the error format: values, values nonzero before rounding, of those flushed to zero. */
export const T_ERROR_VALUES = 16;
export const T_ERROR_NONZERO = 17;
export const T_ERROR_FLUSHED = 18;
/** Weight-gradient values after rounding to the gradient format, and how many are exactly zero. */
export const T_GRADIENT_VALUES = 19;
export const T_GRADIENT_ZEROS = 20;
/** Training samples seen, sum of their losses, correct predictions (before the update). */
export const T_TRAIN_SAMPLES = 21;
export const T_TRAIN_LOSS_SUM = 22;
export const T_TRAIN_CORRECT = 23;
export const T_EVAL_SAMPLES = 24;
export const T_EVAL_LOSS_SUM = 25;
export const T_EVAL_CORRECT = 26;
export const T_COUNT = 27;

// ---- Status codes (negative) of the nn_* exports. ----
export const NN_OK = 0;
export const NN_BAD_VERSION = -20;
export const NN_BAD_CONFIG = -21;
export const NN_BAD_FORMAT = -22;
export const NN_BAD_ROUNDING = -23;
export const NN_BAD_LAYER = -24;
export const NN_BAD_SHAPE = -25;
export const NN_BAD_BATCH = -26;
export const NN_BAD_HEAD = -27;
export const NN_BAD_LABEL = -28;
export const NN_OUT_OF_MEMORY = -29;
export const NN_BAD_MODEL = -30;
/** A precision state (CFG_STATES) changes whether a master copy exists, their count is out of range, or the run's states and layers use more than MUL_FORMATS_MAX product formats. */
export const NN_BAD_STATE = -31;
/** A per-layer override (CFG_OVERRIDES) names a layer without weights or a role the device does not override per layer (master, optimizer, replay), their count is out of range, or a layer stores its weights in its own format while a precision state changes the model's weight format. */
export const NN_BAD_OVERRIDE = -32;
