/*
 * The GEMM accelerator model in C (accel_model.h). Registers, validation, cycles and energy are a port
 * of board/accel/ (model.ts, cost.ts, energy.ts), operation for operation: the energy figures are summed
 * in the same order, so the counters hold the same values. Where a step of the TypeScript relies on a
 * JavaScript rule (Math.round, Math.floor, `**`), the C below spells that rule out.
 *
 * The arithmetic is not here: a job's Z comes from the engine the model was made with, the device
 * module's own gemm (firmware/device/gemm_engine.c), as the TypeScript model runs it
 * (docs/accelerator.md). test/firmware/accel_model.test.ts holds this model to the TypeScript one on
 * random bus scripts.
 */
#include "accel_model.h"

#include <float.h>
#include <stddef.h>
#include <string.h>

#include "edgecl_formats.h"
#include "edgecl_regmap.h"

/* Every float and double operation must round once to its own type, as in JavaScript and WebAssembly. */
#if !defined(FLT_EVAL_METHOD) || FLT_EVAL_METHOD != 0
#error "accel_model.c needs FLT_EVAL_METHOD == 0 (no excess precision): on x86 build for SSE2, not the x87"
#endif
#if defined(__FAST_MATH__)
#error "accel_model.c must not be built with -ffast-math: it changes the rounding of every operation"
#endif

#define F64_INF 0x7FF0000000000000ull
#define TWO52 4503599627370496.0

/* 0x9E3779B9 (2654435769) = floor(2^32 / golden ratio): the stream's counter step (docs/formats.md). */
#define GOLDEN 0x9E3779B9u

/* Format words match a row of the format table on kind, specials, e and m; saturate and
 * no-subnormals (bits 6 and 7) are free (spec/regmap.json). */
#define FORMAT_MATCH_MASK 0x00FFFF3Fu

/* The format table of spec/regmap.json (bit i of CAPS_FORMATS), from the generated header. */
static const struct {
  uint32_t bit, word;
} format_table[] = {
    {EDGECL_ACCEL_FMT_E4M3_BIT, EDGECL_ACCEL_FMT_E4M3_WORD}, {EDGECL_ACCEL_FMT_E5M2_BIT, EDGECL_ACCEL_FMT_E5M2_WORD},
    {EDGECL_ACCEL_FMT_FP16_BIT, EDGECL_ACCEL_FMT_FP16_WORD}, {EDGECL_ACCEL_FMT_BF16_BIT, EDGECL_ACCEL_FMT_BF16_WORD},
    {EDGECL_ACCEL_FMT_FP32_BIT, EDGECL_ACCEL_FMT_FP32_WORD},
};
#define FORMAT_TABLE_COUNT (sizeof format_table / sizeof format_table[0])

/* ---- bits ---- */

static double from_bits64(uint64_t u) {
  double x;
  memcpy(&x, &u, sizeof x);
  return x;
}

/* 2^k as a double: 0 below the smallest subnormal, inf above the largest power (as JavaScript's 2 ** k). */
static double pow2(int k) {
  if (k > 1023) return from_bits64(F64_INF);
  if (k >= -1022) return from_bits64((uint64_t)(k + 1023) << 52);
  if (k >= -1074) return from_bits64((uint64_t)1 << (k + 1074));
  return 0.0;
}

/* Math.floor of a finite x >= 0 (integers from 2^52 up are their own floor). */
static double floor_nonneg(double x) {
  return x < TWO52 ? (double)(uint64_t)x : x;
}

/* Math.ceil of a finite x >= 0. */
static double ceil_nonneg(double x) {
  double f = floor_nonneg(x);
  return f < x ? f + 1.0 : f;
}

/* Math.round of a finite x >= 0: the nearest integer, ties up (ECMA-262); x - floor(x) is exact. */
static uint64_t round_nonneg(double x) {
  double f = floor_nonneg(x);
  return (uint64_t)f + (x - f >= 0.5 ? 1u : 0u);
}

/* ---- the SR stream (docs/formats.md; assembly/arith/prng.ts) ---- */

static uint32_t fmix32(uint32_t x) {
  x ^= x >> 16;
  x *= 0x85EBCA6Bu;
  x ^= x >> 13;
  x *= 0xC2B2AE35u;
  x ^= x >> 16;
  return x;
}

uint32_t accel_draw(uint32_t key, uint32_t n) {
  return fmix32((n * GOLDEN) ^ key);
}

/* ---- formats (board/accel/format.ts) and rounding (docs/formats.md) ---- */

const char *accel_float_word_problem(uint32_t word) {
  uint32_t kind = (word >> EDGECL_WORD_KIND_SHIFT) & EDGECL_WORD_KIND_MASK;
  uint32_t specials = (word >> EDGECL_WORD_SPECIALS_SHIFT) & EDGECL_WORD_SPECIALS_MASK;
  uint32_t e = (word >> EDGECL_WORD_E_SHIFT) & EDGECL_WORD_E_MASK;
  uint32_t m = (word >> EDGECL_WORD_M_SHIFT) & EDGECL_WORD_M_MASK;
  if (kind != EDGECL_KIND_FLOAT) return "kind is not float";
  if (e < 1 || e > 8) return "e outside 1..8";
  if (m > 23) return "m outside 0..23";
  if ((word >> 24) != 0) return "bits 24..31 set (reserved)";
  if (specials == EDGECL_SPECIALS_IEEE && (e < 2 || m < 1)) return "ieee specials need e >= 2 and m >= 1";
  if (specials == EDGECL_SPECIALS_FN && (m < 1 || e > 7)) return "fn specials need m >= 1 and e <= 7";
  if (specials == EDGECL_SPECIALS_NONE && e > 7) return "no specials need e <= 7";
  if (specials > EDGECL_SPECIALS_NONE) return "specials outside 0..2";
  return NULL;
}

int accel_format_decode(uint32_t word, accel_format_t *f) {
  if (accel_float_word_problem(word) != NULL) return 0;
  int specials = (int)((word >> EDGECL_WORD_SPECIALS_SHIFT) & EDGECL_WORD_SPECIALS_MASK);
  int e = (int)((word >> EDGECL_WORD_E_SHIFT) & EDGECL_WORD_E_MASK);
  int m = (int)((word >> EDGECL_WORD_M_SHIFT) & EDGECL_WORD_M_MASK);
  f->word = word;
  f->e = e;
  f->m = m;
  f->specials = specials;
  f->subnormals = ((word >> EDGECL_WORD_NO_SUBNORMALS_SHIFT) & 1u) == 0;
  /* docs/formats.md: formats with neither inf nor NaN always saturate. */
  f->saturate = ((word >> EDGECL_WORD_SATURATE_SHIFT) & 1u) == 1 || specials == EDGECL_SPECIALS_NONE;
  f->bias = (1 << (e - 1)) - 1;
  f->emin = 1 - f->bias;
  /* ieee reserves the top exponent code; fn and none use it for numbers (fn loses S.1..1.1..1 to NaN). */
  f->emax = specials == EDGECL_SPECIALS_IEEE ? (1 << e) - 2 - f->bias : (1 << e) - 1 - f->bias;
  int top_mantissa = (1 << m) - 1 - (specials == EDGECL_SPECIALS_FN ? 1 : 0);
  f->max = (1.0 + (double)top_mantissa / pow2(m)) * pow2(f->emax);
  f->overflow = f->saturate ? ACCEL_OVERFLOW_MAX : specials == EDGECL_SPECIALS_IEEE ? ACCEL_OVERFLOW_INF : ACCEL_OVERFLOW_NAN;
  f->sub_ulp_exp = f->subnormals ? f->emin - m : f->emin;
  f->bits = 1 + e + m;
  return 1;
}

/* ---- cost (board/accel/cost.ts, energy.ts) ---- */

#define FP32_P 24.0
#define FP32_BITS 32.0

static double power_of(double x, int power) {
  return power == 2 ? x * x : x; /* V8's `x ** 2` is x * x (fdlibm's pow special case), `x ** 1` is x */
}

/* Piecewise rule through the anchors, sorted by width (board/accel/energy.ts throughAnchors). */
static double through_anchors(double width, const accel_energy_anchor_t *sorted, uint32_t count, int power) {
  const accel_energy_anchor_t *first = &sorted[0];
  if (width <= first->width || count == 1) return first->pj * power_of(width / first->width, power);
  for (uint32_t i = 1; i < count; i++) {
    const accel_energy_anchor_t *lo = &sorted[i - 1], *hi = &sorted[i];
    if (width <= hi->width || i == count - 1) {
      double t = (power_of(width, power) - power_of(lo->width, power)) /
                 (power_of(hi->width, power) - power_of(lo->width, power));
      return lo->pj + t * (hi->pj - lo->pj);
    }
  }
  return sorted[count - 1].pj;
}

static double multiply_pj(const accel_energy_t *e, double p) {
  return through_anchors(p, e->multiply, e->multiply_count, 2);
}

static double add_pj(const accel_energy_t *e, double bits) {
  return through_anchors(bits, e->add, e->add_count, 1);
}

static double sr_pj(const accel_energy_t *e, int sr_bits) {
  return e->sr_draw_pj + (double)sr_bits * e->sr_add_pj_per_bit;
}

/* 64-bit accesses, a partial one costing a whole one. */
static double memory_pj(const accel_energy_t *e, uint64_t bytes) {
  return (double)((bytes + 7u) / 8u) * e->memory_pj_per_64_bits;
}

/* Bytes one stored code of the format takes (docs/formats.md, Storage). */
static uint32_t storage_bytes(const accel_format_t *f) {
  return f->bits <= 8 ? 1u : f->bits <= 16 ? 2u : 4u;
}

/* Bytes of an f32 container: an element of an operand that is not packed. */
#define CONTAINER_BYTES 4u

/* Bytes the array reads for one element of an operand (board/accel/cost.ts elementBytes). */
static uint32_t element_bytes(const accel_format_t *f, int packed) {
  return packed ? storage_bytes(f) : CONTAINER_BYTES;
}

/* Cycles of a job on the generated circuit (board/accel/cost.ts rtlCycles, hw/rtl/edgecl_accel.sv): four
 * 33-cycle products and one to decide; per tile 3 of control, the Z load when accumulating, K steps of
 * ROWS + COLS fetches, one of latency and one MAC, the final rounding in fast mode, the write-back. */
static uint64_t rtl_cycles(const accel_config_t *c, const accel_job_t *job) {
  const uint64_t lanes = (uint64_t)c->rows * c->cols;
  const uint64_t tiles = (uint64_t)((job->m + c->rows - 1u) / c->rows) * ((job->n + c->cols - 1u) / c->cols);
  const uint64_t per_tile = 3u + (job->accumulate ? lanes + 1u : 0u) + (uint64_t)job->k * (c->rows + c->cols + 2u) + (job->fast ? 1u : 0u) + lanes;
  return 4u * 33u + 1u + tiles * per_tile;
}

static void account(accel_model_t *model, const accel_job_t *job) {
  const accel_config_t *c = &model->config;
  const uint64_t m = job->m, n = job->n, k = job->k;
  const uint64_t macs = m * n * k;
  const uint64_t tile_rows = (m + c->rows - 1u) / c->rows;
  const uint64_t tile_cols = (n + c->cols - 1u) / c->cols;
  const uint64_t z_bytes = job->z_bytes;
  const uint64_t bytes_read = m * k * tile_cols * job->x_bytes +
                              k * n * tile_rows * job->w_bytes + (job->accumulate ? m * n * z_bytes : 0u);
  const uint64_t bytes_written = m * n * z_bytes;
  const uint64_t compute_cycles = tile_rows * tile_cols * k;
  const double memory_cycles = ceil_nonneg((double)(bytes_read + bytes_written) / c->bandwidth_bytes_per_cycle);
  const uint64_t memory_whole = memory_cycles >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t)memory_cycles;
  const uint64_t overlapped = c->setup_cycles + (compute_cycles > memory_whole ? compute_cycles : memory_whole);
  const uint64_t cycles = c->cycle_model_rtl ? rtl_cycles(c, job) : overlapped;

  /* Which units each MAC uses, by mode: a multiplier of the product's width and an adder of the sum's. */
  const accel_energy_t *e = &c->energy;
  const double macs_d = (double)macs;
  double multiply, add, sr_draws;
  if (job->fast) {
    multiply = macs_d * multiply_pj(e, FP32_P);
    add = macs_d * add_pj(e, FP32_BITS);
    sr_draws = job->acc_mode == EDGECL_ROUND_SR ? (double)(m * n) : 0.0;
  } else if (job->fma) {
    multiply = macs_d * multiply_pj(e, (double)(job->acc.m + 1));
    add = macs_d * add_pj(e, (double)job->acc.bits);
    sr_draws = job->acc_mode == EDGECL_ROUND_SR ? macs_d : 0.0;
  } else {
    multiply = macs_d * multiply_pj(e, (double)(job->mul.m + 1));
    add = macs_d * add_pj(e, (double)job->acc.bits);
    sr_draws = (job->acc_mode == EDGECL_ROUND_SR ? macs_d : 0.0) + (job->mul_mode == EDGECL_ROUND_SR ? macs_d : 0.0);
  }
  const double sr = sr_draws * sr_pj(e, job->sr_bits);
  const double memory = memory_pj(e, bytes_read) + memory_pj(e, bytes_written);
  const double total = multiply + add + sr + memory;

  model->cycles += cycles;
  model->macs += macs;
  model->bytes_read += bytes_read;
  model->bytes_written += bytes_written;
  model->energy_fj += round_nonneg(total * 1000.0);
  model->jobs++;
}

/* ---- registers (board/accel/model.ts) ---- */

#define STATUS_BUSY (1u << EDGECL_ACCEL_STATUS_BUSY_SHIFT)
#define STATUS_DONE (1u << EDGECL_ACCEL_STATUS_DONE_SHIFT)
#define STATUS_ERROR_FIELD (EDGECL_ACCEL_STATUS_ERROR_MASK << EDGECL_ACCEL_STATUS_ERROR_SHIFT)

static const uint32_t rw_resets[ACCEL_MODEL_RW_COUNT] = {
    EDGECL_ACCEL_X_ADDR_RESET, EDGECL_ACCEL_W_ADDR_RESET, EDGECL_ACCEL_Z_ADDR_RESET, EDGECL_ACCEL_M_RESET,
    EDGECL_ACCEL_N_RESET,      EDGECL_ACCEL_K_RESET,      EDGECL_ACCEL_LDX_RESET,    EDGECL_ACCEL_LDW_RESET,
    EDGECL_ACCEL_LDZ_RESET,    EDGECL_ACCEL_OP_RESET,     EDGECL_ACCEL_MUL_FMT_RESET, EDGECL_ACCEL_ACC_FMT_RESET,
    EDGECL_ACCEL_ROUND_RESET,  EDGECL_ACCEL_MAC_RESET,    EDGECL_ACCEL_SR_BITS_RESET, EDGECL_ACCEL_SR_KEY_RESET,
    EDGECL_ACCEL_X_FMT_RESET,  EDGECL_ACCEL_W_FMT_RESET,
};
/* The table above lists X_ADDR .. W_FMT, one word apart. */
EDGECL_REGMAP_STATIC_ASSERT(EDGECL_ACCEL_X_ADDR_OFFSET == ACCEL_MODEL_RW_FIRST, "first writable register");
EDGECL_REGMAP_STATIC_ASSERT(EDGECL_ACCEL_W_FMT_OFFSET == ACCEL_MODEL_RW_FIRST + 4u * (ACCEL_MODEL_RW_COUNT - 1u),
                            "last writable register");

/* Index of a writable register's offset in regs[], or -1. */
static int rw_index(uint32_t offset) {
  if (offset < ACCEL_MODEL_RW_FIRST || (offset & 3u) != 0) return -1;
  uint32_t index = (offset - ACCEL_MODEL_RW_FIRST) >> 2;
  return index < ACCEL_MODEL_RW_COUNT ? (int)index : -1;
}

static uint32_t reg(const accel_model_t *model, uint32_t offset) {
  return model->regs[(offset - ACCEL_MODEL_RW_FIRST) >> 2];
}

const char *accel_config_problem(const accel_config_t *c) {
  if (c->rows < 1 || c->rows > 255) return "expected accelerator rows in 1..255";
  if (c->cols < 1 || c->cols > 255) return "expected accelerator cols in 1..255";
  if (!(c->bandwidth_bytes_per_cycle > 0.0) || c->bandwidth_bytes_per_cycle > DBL_MAX)
    return "expected bandwidth_bytes_per_cycle a finite number > 0";
  if (c->setup_cycles > 1000000u) return "expected setup_cycles in 0..1000000";
  if (c->busy_polls > 1000u) return "expected busy_polls in 0..1000";
  uint32_t all_formats = 0;
  for (size_t i = 0; i < FORMAT_TABLE_COUNT; i++) all_formats |= 1u << format_table[i].bit;
  if (c->product_formats == 0 || (c->product_formats & ~all_formats) != 0)
    return "expected product_formats a non-empty set of the format table's bits";
  if (c->accumulator_formats == 0 || (c->accumulator_formats & ~all_formats) != 0)
    return "expected accumulator_formats a non-empty set of the format table's bits";
  if (c->rounding == 0 || (c->rounding >> EDGECL_ROUND_COUNT) != 0) return "expected rounding a non-empty set of rounding codes";
  const accel_energy_t *e = &c->energy;
  if (e->multiply_count < 1 || e->multiply_count > ACCEL_ENERGY_ANCHORS_MAX) return "expected 1..8 multiply anchors";
  if (e->add_count < 1 || e->add_count > ACCEL_ENERGY_ANCHORS_MAX) return "expected 1..8 add anchors";
  for (uint32_t i = 0; i < e->multiply_count; i++)
    if (!(e->multiply[i].width >= 0.0 && e->multiply[i].pj >= 0.0)) return "expected multiply anchors with width and pj >= 0";
  for (uint32_t i = 0; i < e->add_count; i++)
    if (!(e->add[i].width >= 0.0 && e->add[i].pj >= 0.0)) return "expected add anchors with width and pj >= 0";
  if (!(e->sr_draw_pj >= 0.0 && e->sr_add_pj_per_bit >= 0.0 && e->memory_pj_per_64_bits >= 0.0))
    return "expected sr_draw_pj, sr_add_pj_per_bit and memory_pj_per_64_bits >= 0";
  return NULL;
}

/* Stable sort by width, as JavaScript's Array.prototype.sort with (a, b) => a.width - b.width. */
static void sort_anchors(accel_energy_anchor_t *anchors, uint32_t count) {
  for (uint32_t i = 1; i < count; i++) {
    accel_energy_anchor_t item = anchors[i];
    uint32_t j = i;
    while (j > 0 && anchors[j - 1].width > item.width) {
      anchors[j] = anchors[j - 1];
      j--;
    }
    anchors[j] = item;
  }
}

const char *accel_model_init(accel_model_t *model, const accel_config_t *config, accel_memory_t memory, accel_engine_t engine) {
  memset(model, 0, sizeof *model);
  const char *problem = accel_config_problem(config);
  if (problem != NULL) return problem;
  model->config = *config;
  model->memory = memory;
  model->engine = engine;
  sort_anchors(model->config.energy.multiply, model->config.energy.multiply_count);
  sort_anchors(model->config.energy.add, model->config.energy.add_count);
  model->caps_formats = (config->product_formats << EDGECL_ACCEL_CAPS_FORMATS_PRODUCT_SHIFT) |
                        (config->accumulator_formats << EDGECL_ACCEL_CAPS_FORMATS_ACCUMULATOR_SHIFT);
  model->caps_array = (config->rows << EDGECL_ACCEL_CAPS_ARRAY_ROWS_SHIFT) | (config->cols << EDGECL_ACCEL_CAPS_ARRAY_COLS_SHIFT);
  model->caps_modes = (config->rounding << EDGECL_ACCEL_CAPS_MODES_ROUNDING_SHIFT) |
                      ((config->fma ? 1u : 0u) << EDGECL_ACCEL_CAPS_MODES_FMA_SHIFT) |
                      ((config->fast ? 1u : 0u) << EDGECL_ACCEL_CAPS_MODES_FAST_SHIFT) |
                      ((config->packed ? 1u : 0u) << EDGECL_ACCEL_CAPS_MODES_PACKED_SHIFT);
  accel_model_reset(model);
  return NULL;
}

void accel_model_reset(accel_model_t *model) {
  memcpy(model->regs, rw_resets, sizeof model->regs);
  model->status = 0;
  model->error_info = 0;
  model->polls_left = 0;
  model->cycles = model->macs = model->bytes_read = model->bytes_written = model->energy_fj = 0;
  model->jobs = 0;
}

/* Offset of a bus address in the block, or -1; an offset below the span is taken as it is. */
static int64_t decode(uint32_t address) {
  if (address < EDGECL_ACCEL_SPAN) return address;
  uint32_t offset = address - EDGECL_ACCEL_BASE;
  return offset < EDGECL_ACCEL_SPAN ? (int64_t)offset : -1;
}

static uint32_t read_status(accel_model_t *model) {
  uint32_t value = model->status;
  if ((model->status & STATUS_BUSY) != 0 && --model->polls_left == 0) model->status = (model->status & ~STATUS_BUSY) | STATUS_DONE;
  return value;
}

uint32_t accel_model_read32(accel_model_t *model, uint32_t address) {
  int64_t at = decode(address);
  if (at < 0) return EDGECL_ACCEL_ABSENT;
  uint32_t offset = (uint32_t)at;
  switch (offset) {
    case EDGECL_ACCEL_ID_OFFSET: return EDGECL_ACCEL_ID_RESET;
    case EDGECL_ACCEL_CAPS_FORMATS_OFFSET: return model->caps_formats;
    case EDGECL_ACCEL_CAPS_ARRAY_OFFSET: return model->caps_array;
    case EDGECL_ACCEL_CAPS_MODES_OFFSET: return model->caps_modes;
    case EDGECL_ACCEL_STATUS_OFFSET: return read_status(model);
    case EDGECL_ACCEL_ERROR_INFO_OFFSET: return model->error_info;
    case EDGECL_ACCEL_CYCLES_LO_OFFSET: return (uint32_t)model->cycles;
    case EDGECL_ACCEL_CYCLES_HI_OFFSET: return (uint32_t)(model->cycles >> 32);
    case EDGECL_ACCEL_MACS_LO_OFFSET: return (uint32_t)model->macs;
    case EDGECL_ACCEL_MACS_HI_OFFSET: return (uint32_t)(model->macs >> 32);
    case EDGECL_ACCEL_BYTES_READ_LO_OFFSET: return (uint32_t)model->bytes_read;
    case EDGECL_ACCEL_BYTES_READ_HI_OFFSET: return (uint32_t)(model->bytes_read >> 32);
    case EDGECL_ACCEL_BYTES_WRITTEN_LO_OFFSET: return (uint32_t)model->bytes_written;
    case EDGECL_ACCEL_BYTES_WRITTEN_HI_OFFSET: return (uint32_t)(model->bytes_written >> 32);
    case EDGECL_ACCEL_ENERGY_FJ_LO_OFFSET: return (uint32_t)model->energy_fj;
    case EDGECL_ACCEL_ENERGY_FJ_HI_OFFSET: return (uint32_t)(model->energy_fj >> 32);
    case EDGECL_ACCEL_JOBS_OFFSET: return model->jobs;
    default: {
      int index = rw_index(offset);
      return index < 0 ? 0u : model->regs[index]; /* CTRL and unmapped offsets read 0 */
    }
  }
}

/* A refused write or START while busy: the error shows in STATUS; the job in flight goes on. */
static void refuse(accel_model_t *model, uint32_t code, uint32_t offset) {
  model->status = (model->status & ~STATUS_ERROR_FIELD) | (code << EDGECL_ACCEL_STATUS_ERROR_SHIFT);
  model->error_info = offset;
}

/* The format in a format register; `allowed` is a CAPS_FORMATS mask, or 0xFFFFFFFF for any float format. */
static int format_from(const accel_model_t *model, uint32_t offset, uint32_t allowed, accel_format_t *format) {
  uint32_t word = reg(model, offset);
  if (!accel_format_decode(word, format)) return 0;
  if (allowed == 0xFFFFFFFFu) return 1;
  for (size_t i = 0; i < FORMAT_TABLE_COUNT; i++) {
    if (((format_table[i].word ^ word) & FORMAT_MATCH_MASK) == 0) return (allowed >> format_table[i].bit) & 1u;
  }
  return 0;
}

/* One past the last byte an operand touches: base + ((stored rows - 1) * stride + row length) * width,
 * or UINT64_MAX when that exceeds any memory (the TypeScript compares the same exact value). */
static uint64_t operand_end(uint32_t base, uint32_t rows, uint32_t stride, uint32_t row, uint32_t width) {
  uint64_t elements = (uint64_t)(rows - 1u) * stride + row;
  if (elements > ((uint64_t)1 << 40)) return UINT64_MAX;
  return base + elements * width;
}

/* The programmed job, or an error code with the register it is about, checked in the order
 * docs/accelerator.md gives. */
static uint32_t validate(const accel_model_t *model, uint32_t memory_size, accel_job_t *job, uint32_t *register_offset) {
#define REFUSE(code, offset)      \
  do {                            \
    *register_offset = (offset);  \
    return (code);                \
  } while (0)
  const accel_config_t *c = &model->config;
  const uint32_t op = reg(model, EDGECL_ACCEL_OP_OFFSET);
  const uint32_t pack_bits =
      (1u << EDGECL_ACCEL_OP_PACK_X_SHIFT) | (1u << EDGECL_ACCEL_OP_PACK_W_SHIFT) | (1u << EDGECL_ACCEL_OP_PACK_Z_SHIFT);
  const uint32_t op_bits = (1u << EDGECL_ACCEL_OP_ACCUMULATE_SHIFT) | (1u << EDGECL_ACCEL_OP_TRANS_X_SHIFT) |
                           (1u << EDGECL_ACCEL_OP_TRANS_W_SHIFT) | (c->packed ? pack_bits : 0u);
  if ((op & ~op_bits) != 0) REFUSE(EDGECL_ACCEL_ERR_BAD_OP, EDGECL_ACCEL_OP_OFFSET);
  const uint32_t mac = reg(model, EDGECL_ACCEL_MAC_OFFSET);
  const int fma = (mac >> EDGECL_ACCEL_MAC_FMA_SHIFT) & 1u;
  const int fast = (mac >> EDGECL_ACCEL_MAC_FAST_SHIFT) & 1u;
  const uint32_t mac_bits = (1u << EDGECL_ACCEL_MAC_FMA_SHIFT) | (1u << EDGECL_ACCEL_MAC_FAST_SHIFT);
  if ((mac & ~mac_bits) != 0 || (fma && fast) || (fma && !c->fma) || (fast && !c->fast))
    REFUSE(EDGECL_ACCEL_ERR_BAD_OP, EDGECL_ACCEL_MAC_OFFSET);
  job->accumulate = (op >> EDGECL_ACCEL_OP_ACCUMULATE_SHIFT) & 1u;
  job->trans_x = (op >> EDGECL_ACCEL_OP_TRANS_X_SHIFT) & 1u;
  job->trans_w = (op >> EDGECL_ACCEL_OP_TRANS_W_SHIFT) & 1u;
  job->pack_x = (op >> EDGECL_ACCEL_OP_PACK_X_SHIFT) & 1u;
  job->pack_w = (op >> EDGECL_ACCEL_OP_PACK_W_SHIFT) & 1u;
  job->pack_z = (op >> EDGECL_ACCEL_OP_PACK_Z_SHIFT) & 1u;
  job->fma = fma;
  job->fast = fast;

  job->m = reg(model, EDGECL_ACCEL_M_OFFSET);
  job->n = reg(model, EDGECL_ACCEL_N_OFFSET);
  job->k = reg(model, EDGECL_ACCEL_K_OFFSET);
  if (job->m == 0) REFUSE(EDGECL_ACCEL_ERR_ZERO_DIMENSION, EDGECL_ACCEL_M_OFFSET);
  if (job->n == 0) REFUSE(EDGECL_ACCEL_ERR_ZERO_DIMENSION, EDGECL_ACCEL_N_OFFSET);
  if (job->k == 0) REFUSE(EDGECL_ACCEL_ERR_ZERO_DIMENSION, EDGECL_ACCEL_K_OFFSET);

  /* Products are rounded only in exact, unfused mode; there MUL_FMT and ROUND.MUL must be supported. */
  const int uses_mul = !fma && !fast;
  if (uses_mul) {
    if (!format_from(model, EDGECL_ACCEL_MUL_FMT_OFFSET, c->product_formats, &job->mul))
      REFUSE(EDGECL_ACCEL_ERR_UNSUPPORTED_FORMAT, EDGECL_ACCEL_MUL_FMT_OFFSET);
  } else {
    accel_format_decode(EDGECL_ACCEL_FMT_FP32_WORD, &job->mul);
  }
  if (!format_from(model, EDGECL_ACCEL_ACC_FMT_OFFSET, c->accumulator_formats, &job->acc))
    REFUSE(EDGECL_ACCEL_ERR_UNSUPPORTED_FORMAT, EDGECL_ACCEL_ACC_FMT_OFFSET);
  if (!format_from(model, EDGECL_ACCEL_X_FMT_OFFSET, 0xFFFFFFFFu, &job->x_format))
    REFUSE(EDGECL_ACCEL_ERR_UNSUPPORTED_FORMAT, EDGECL_ACCEL_X_FMT_OFFSET);
  if (!format_from(model, EDGECL_ACCEL_W_FMT_OFFSET, 0xFFFFFFFFu, &job->w_format))
    REFUSE(EDGECL_ACCEL_ERR_UNSUPPORTED_FORMAT, EDGECL_ACCEL_W_FMT_OFFSET);

  const uint32_t round = reg(model, EDGECL_ACCEL_ROUND_OFFSET);
  const uint32_t round_bits = (EDGECL_ACCEL_ROUND_MUL_MASK << EDGECL_ACCEL_ROUND_MUL_SHIFT) |
                              (EDGECL_ACCEL_ROUND_ACC_MASK << EDGECL_ACCEL_ROUND_ACC_SHIFT);
  const uint32_t mul_mode = (round >> EDGECL_ACCEL_ROUND_MUL_SHIFT) & EDGECL_ACCEL_ROUND_MUL_MASK;
  const uint32_t acc_mode = (round >> EDGECL_ACCEL_ROUND_ACC_SHIFT) & EDGECL_ACCEL_ROUND_ACC_MASK;
#define SUPPORTED(mode) ((mode) <= EDGECL_ROUND_SR && ((c->rounding >> (mode)) & 1u) != 0)
  if ((round & ~round_bits) != 0 || !SUPPORTED(acc_mode) || (uses_mul && !SUPPORTED(mul_mode)))
    REFUSE(EDGECL_ACCEL_ERR_UNSUPPORTED_ROUNDING, EDGECL_ACCEL_ROUND_OFFSET);
#undef SUPPORTED
  job->mul_mode = (int)mul_mode;
  job->acc_mode = (int)acc_mode;
  const uint32_t sr_bits = reg(model, EDGECL_ACCEL_SR_BITS_OFFSET);
  if (sr_bits > 32) REFUSE(EDGECL_ACCEL_ERR_UNSUPPORTED_ROUNDING, EDGECL_ACCEL_SR_BITS_OFFSET);
  job->sr_bits = sr_bits == 0 ? 32 : (int)sr_bits;
  job->sr_key = reg(model, EDGECL_ACCEL_SR_KEY_OFFSET);

  job->ldx = reg(model, EDGECL_ACCEL_LDX_OFFSET);
  job->ldw = reg(model, EDGECL_ACCEL_LDW_OFFSET);
  job->ldz = reg(model, EDGECL_ACCEL_LDZ_OFFSET);
  if (job->ldx < (job->trans_x ? job->m : job->k)) REFUSE(EDGECL_ACCEL_ERR_BAD_STRIDE, EDGECL_ACCEL_LDX_OFFSET);
  if (job->ldw < (job->trans_w ? job->k : job->n)) REFUSE(EDGECL_ACCEL_ERR_BAD_STRIDE, EDGECL_ACCEL_LDW_OFFSET);
  if (job->ldz < job->n) REFUSE(EDGECL_ACCEL_ERR_BAD_STRIDE, EDGECL_ACCEL_LDZ_OFFSET);

  job->x = reg(model, EDGECL_ACCEL_X_ADDR_OFFSET);
  job->w = reg(model, EDGECL_ACCEL_W_ADDR_OFFSET);
  job->z = reg(model, EDGECL_ACCEL_Z_ADDR_OFFSET);
  /* Elements are aligned to their own width: a packed operand's storage width, or an f32 container's. */
  job->x_bytes = element_bytes(&job->x_format, job->pack_x);
  job->w_bytes = element_bytes(&job->w_format, job->pack_w);
  job->z_bytes = element_bytes(&job->acc, job->pack_z);
  if (job->x % job->x_bytes != 0) REFUSE(EDGECL_ACCEL_ERR_MISALIGNED, EDGECL_ACCEL_X_ADDR_OFFSET);
  if (job->w % job->w_bytes != 0) REFUSE(EDGECL_ACCEL_ERR_MISALIGNED, EDGECL_ACCEL_W_ADDR_OFFSET);
  if (job->z % job->z_bytes != 0) REFUSE(EDGECL_ACCEL_ERR_MISALIGNED, EDGECL_ACCEL_Z_ADDR_OFFSET);
  if (operand_end(job->x, job->trans_x ? job->k : job->m, job->ldx, job->trans_x ? job->m : job->k, job->x_bytes) > memory_size)
    REFUSE(EDGECL_ACCEL_ERR_OUT_OF_BOUNDS, EDGECL_ACCEL_X_ADDR_OFFSET);
  if (operand_end(job->w, job->trans_w ? job->n : job->k, job->ldw, job->trans_w ? job->k : job->n, job->w_bytes) > memory_size)
    REFUSE(EDGECL_ACCEL_ERR_OUT_OF_BOUNDS, EDGECL_ACCEL_W_ADDR_OFFSET);
  if (operand_end(job->z, job->m, job->ldz, job->n, job->z_bytes) > memory_size)
    REFUSE(EDGECL_ACCEL_ERR_OUT_OF_BOUNDS, EDGECL_ACCEL_Z_ADDR_OFFSET);
  return EDGECL_ACCEL_ERR_NONE;
#undef REFUSE
}

static void start(accel_model_t *model) {
  if ((model->status & STATUS_BUSY) != 0) {
    refuse(model, EDGECL_ACCEL_ERR_BUSY, EDGECL_ACCEL_CTRL_OFFSET);
    return;
  }
  const accel_memory_t *memory = &model->memory;
  accel_job_t job;
  uint32_t register_offset = 0;
  uint32_t code = validate(model, memory->size(memory->ctx), &job, &register_offset);
  if (code != EDGECL_ACCEL_ERR_NONE) {
    model->status = STATUS_DONE | (code << EDGECL_ACCEL_STATUS_ERROR_SHIFT);
    model->error_info = register_offset;
    return;
  }
  model->engine.run(model->engine.ctx, memory, &job);
  account(model, &job);
  model->error_info = 0;
  if (model->config.busy_polls > 0) {
    model->status = STATUS_BUSY;
    model->polls_left = model->config.busy_polls;
  } else {
    model->status = STATUS_DONE;
  }
}

void accel_model_write32(accel_model_t *model, uint32_t address, uint32_t value) {
  int64_t at = decode(address);
  if (at < 0) return;
  uint32_t offset = (uint32_t)at;
  if (offset == EDGECL_ACCEL_CTRL_OFFSET) {
    if ((value >> EDGECL_ACCEL_CTRL_CLEAR_SHIFT) & 1u) accel_model_reset(model);
    if ((value >> EDGECL_ACCEL_CTRL_START_SHIFT) & 1u) start(model);
    return;
  }
  int index = rw_index(offset);
  if (index < 0) return; /* read-only and unmapped offsets ignore writes */
  if ((model->status & STATUS_BUSY) != 0) {
    refuse(model, EDGECL_ACCEL_ERR_BUSY, offset);
    return;
  }
  model->regs[index] = value;
}

/* ---- a memory over a plain buffer ---- */

static uint32_t buffer_size(void *ctx) {
  return ((accel_buffer_t *)ctx)->size;
}

static uint8_t *buffer_base(void *ctx) {
  return ((accel_buffer_t *)ctx)->base;
}

accel_memory_t accel_memory_of_buffer(accel_buffer_t *buffer) {
  accel_memory_t memory = {buffer_size, buffer_base, NULL, NULL, buffer};
  return memory;
}
