/*
 * The GEMM accelerator as a C model: the register semantics of spec/regmap.json, job validation and the
 * cycle and energy counters, each exactly as board/accel/ (TypeScript) defines them
 * (docs/accelerator.md, docs/energy.md): the same job gives the same error code and the same counter
 * values on this model and on the TypeScript model. Z is computed by an engine (accel_engine_t): the
 * device module's own gemm, as on every board, or the verilated RTL (engine "rtl").
 *
 * Portable C99 with no platform code: its host provides the linear memory through accel_memory_t
 * (a base pointer and size, or load/store functions) and the engine, and forwards its bus accesses to
 * accel_model_read32 / accel_model_write32 (the device process, firmware/device/). Floating point must be IEEE 754 binary32/binary64 with
 * every operation rounded once (FLT_EVAL_METHOD 0, no contraction: build with -ffp-contract=off and
 * without -ffast-math); the image's rv32imafdc (F and D) and SSE on x86-64 qualify.
 */
#ifndef EDGECL_ACCEL_MODEL_H
#define EDGECL_ACCEL_MODEL_H

#include <stdint.h>

/* A published energy figure (docs/energy.md): an operation of width `width` (significand bits p for
 * multipliers, total bits for adders) costs `pj` picojoules. */
typedef struct {
  double width;
  double pj;
} accel_energy_anchor_t;

#define ACCEL_ENERGY_ANCHORS_MAX 8

/* The `energy` group of a board manifest, as board/accel/energy.ts EnergyParams. */
typedef struct {
  accel_energy_anchor_t multiply[ACCEL_ENERGY_ANCHORS_MAX]; /* by significand width p */
  uint32_t multiply_count;
  accel_energy_anchor_t add[ACCEL_ENERGY_ANCHORS_MAX]; /* by total width in bits */
  uint32_t add_count;
  double sr_draw_pj;             /* one 32-bit draw of the SR stream */
  double sr_add_pj_per_bit;      /* the r-bit SR adder, per bit */
  double memory_pj_per_64_bits;  /* one 64-bit access of operand memory */
} accel_energy_t;

/* The `accelerator` group of a board manifest, as board/accel/model.ts AcceleratorConfig. */
typedef struct {
  uint32_t rows, cols;                /* MAC array, 1..255 each */
  double bandwidth_bytes_per_cycle;   /* operand bytes the memory port moves per cycle, > 0 */
  uint32_t setup_cycles;              /* cycles to start a job */
  int cycle_model_rtl;                /* cycles of the generated circuit (board/accel/cost.ts rtlCycles), else overlapped */
  uint32_t product_formats;           /* CAPS_FORMATS.PRODUCT: bit i = format with bit i in spec/regmap.json */
  uint32_t accumulator_formats;       /* CAPS_FORMATS.ACCUMULATOR */
  uint32_t rounding;                  /* CAPS_MODES.ROUNDING: bit r = rounding code r (spec/formats.json) */
  int fma;                            /* MAC.FMA supported */
  int fast;                           /* MAC.FAST supported */
  int packed;                         /* OP.PACK_X / OP.PACK_W / OP.PACK_Z supported: operands in their storage width */
  uint32_t busy_polls;                /* STATUS reads that still show BUSY after a START (0: done at once) */
  accel_energy_t energy;
} accel_config_t;

/* The WASM linear memory as the model reaches it, asked afresh at every START (memory.grow may move
 * and enlarge it): size() bytes, at base() when the runtime can point at them, else (base() NULL)
 * through load32 / store32, for a runtime that only copies in and out. The model touches only words
 * it has checked lie inside size(). */
typedef struct {
  uint32_t (*size)(void *ctx);
  uint8_t *(*base)(void *ctx);
  uint32_t (*load32)(void *ctx, uint32_t offset); /* the little-endian word at a byte offset */
  void (*store32)(void *ctx, uint32_t offset, uint32_t value);
  void *ctx;
} accel_memory_t;

/* A float(e, m) format word decoded as the model needs it (board/accel/format.ts FloatFormat). */
typedef struct {
  uint32_t word;
  int e, m, specials, subnormals, saturate;
  int bias, emin, emax, sub_ulp_exp, bits;
  double max;       /* largest finite magnitude */
  int overflow;     /* what a magnitude past max becomes in the modes that overflow: ACCEL_OVERFLOW_* */
} accel_format_t;

enum { ACCEL_OVERFLOW_MAX = 0, ACCEL_OVERFLOW_INF = 1, ACCEL_OVERFLOW_NAN = 2 };

/* A validated job, as the engine that computes Z takes it: byte offsets and element strides in the
 * memory, the formats decoded, modes as spec/formats.json codes, sr_bits 1..32. X, W and Z hold x_bytes /
 * w_bytes / z_bytes per element: codes of x_format / w_format / acc when packed (1 or 2 bytes; 4 is the
 * f32 value itself), f32 containers otherwise; each address is a multiple of its width. */
typedef struct {
  uint32_t m, n, k;
  uint32_t x, ldx, w, ldw, z, ldz;
  uint32_t x_bytes, w_bytes, z_bytes;
  int trans_x, trans_w, pack_x, pack_w, pack_z, accumulate, fma, fast;
  accel_format_t mul, acc, x_format, w_format;
  int mul_mode, acc_mode, sr_bits;
  uint32_t sr_key;
} accel_job_t;

/* What computes a job's Z in the memory (docs/gemm.md). The model owns registers, validation, cycles
 * and energy; the arithmetic is the device module's own gemm (firmware/device/gemm_engine.h runs it)
 * or the circuit generated from the same configuration (firmware/device/rtl_engine.h), never a copy of it. An engine that cannot run a job the model accepted does not return. */
typedef struct {
  void (*run)(void *ctx, const accel_memory_t *memory, const accel_job_t *job);
  void *ctx;
} accel_engine_t;

/* Registers X_ADDR (0x010) .. W_FMT (0x054), the writable ones. */
#define ACCEL_MODEL_RW_FIRST 0x010u
#define ACCEL_MODEL_RW_COUNT 18u

typedef struct {
  accel_config_t config;
  accel_memory_t memory;
  accel_engine_t engine;
  uint32_t caps_formats, caps_array, caps_modes;
  uint32_t regs[ACCEL_MODEL_RW_COUNT];
  uint32_t status, error_info, polls_left;
  /* Counters since the last clear, as the registers show them. */
  uint64_t cycles, macs, bytes_read, bytes_written, energy_fj;
  uint32_t jobs;
} accel_model_t;

/* Why the configuration cannot make a model (one line, "expected X, received Y"), or NULL when it can. */
const char *accel_config_problem(const accel_config_t *config);

/* Makes the model with its configuration, memory and engine and applies the power-on reset. Returns
 * accel_config_problem(config); on a problem the model is left unusable. */
const char *accel_model_init(accel_model_t *model, const accel_config_t *config, accel_memory_t memory, accel_engine_t engine);

/* Power-on reset: every register to its reset value, counters to 0 (what CTRL.CLEAR does too). */
void accel_model_reset(accel_model_t *model);

/* Bus accesses: `address` is a bus address in [EDGECL_ACCEL_BASE, + EDGECL_ACCEL_SPAN) or an offset
 * below EDGECL_ACCEL_SPAN; anything else reads EDGECL_ACCEL_ABSENT and ignores writes. A write of
 * CTRL.START runs the job before returning. */
uint32_t accel_model_read32(accel_model_t *model, uint32_t address);
void accel_model_write32(accel_model_t *model, uint32_t address, uint32_t value);

/* Why `word` is not a float format word the model rounds to (a short phrase), or NULL. */
const char *accel_float_word_problem(uint32_t word);

/* Decodes a float format word; returns 0 when accel_float_word_problem(word) is not NULL. */
int accel_format_decode(uint32_t word, accel_format_t *format);

/* Draw n of the counter-based SR stream with key `key` (docs/formats.md): array rounding, not a GEMM, whose
 * draws come from per-output lane streams (docs/gemm.md). */
uint32_t accel_draw(uint32_t key, uint32_t n);

/* A memory over a plain buffer: base and size, read and written in place. */
typedef struct {
  uint8_t *base;
  uint32_t size;
} accel_buffer_t;
accel_memory_t accel_memory_of_buffer(accel_buffer_t *buffer);

#endif
