/*
 * The GEMM accelerator model in C (accel_model.h). Registers, validation, cycles and energy are a port
 * of board/accel/ (model.ts, cost.ts, energy.ts), operation for operation: the energy figures are summed
 * in the same order, so the counters hold the same values. Where a step of the TypeScript relies on a
 * JavaScript rule (Math.round, Math.floor, `**`), the C below spells that rule out.
 *
 * The functional GEMM and its rounding below are a hand port of the arithmetic, which the TypeScript
 * model no longer has (it runs the device module's own gemm: docs/accelerator.md). They are a debt: the
 * firmware already links that gemm (wasm2c), and calling it here is the way to pay it; until then
 * test/firmware/accel_model.test.ts holds this port to the TypeScript model (so to the device's gemm) on
 * random bus scripts and its rounding to the exact oracle of test/helpers/gemm-reference.ts.
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

#define F32_SIGN 0x80000000u
#define F32_QNAN 0x7FC00000u
#define F32_INF 0x7F800000u
#define F64_SIGN 0x8000000000000000ull
#define F64_INF 0x7FF0000000000000ull
#define F64_FRACTION 0x000FFFFFFFFFFFFFull
#define TWO32 4294967296.0
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

static uint64_t bits64(double x) {
  uint64_t u;
  memcpy(&u, &x, sizeof u);
  return u;
}

static double from_bits64(uint64_t u) {
  double x;
  memcpy(&x, &u, sizeof x);
  return x;
}

static float from_bits32(uint32_t u) {
  float x;
  memcpy(&x, &u, sizeof x);
  return x;
}

/* f32 bits of a double that is a value of binary32 (or +-inf): the conversion is exact. */
static uint32_t f32_bits_of(double x) {
  float f = (float)x;
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  return u;
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

/* The lane stream of output o (docs/gemm.md; assembly/arith/prng.ts laneSeed, xorshift64): a 64-bit seed
 * from two hashes of o, never 0 (fmix32 is a bijection fixing 0), stepped by xorshift64 (13, 7, 17) before
 * each draw, which is the state's upper word. */
static uint64_t lane_seed(uint32_t key, uint32_t o) {
  const uint32_t h = (o * GOLDEN) ^ key;
  return ((uint64_t)fmix32(h) << 32) | fmix32(h ^ 0x85EBCA6Bu);
}

static uint32_t lane_next(uint64_t *state) {
  uint64_t s = *state;
  s ^= s << 13;
  s ^= s >> 7;
  s ^= s << 17;
  *state = s;
  return (uint32_t)(s >> 32);
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

/* A result past max: infinity (what the format has for it) or max, by the IEEE 754 rule of each mode. */
static int overflows_to_infinity(int mode, int negative) {
  if (mode == EDGECL_ROUND_RZ || mode == EDGECL_ROUND_RO) return 0;
  if (mode == EDGECL_ROUND_RU) return !negative;
  if (mode == EDGECL_ROUND_RD) return negative;
  return 1; /* rne, rna, sr */
}

/* The f32 bits of +-what, where `what` is ACCEL_OVERFLOW_MAX (the format's max), _INF or _NAN. */
static uint32_t special_bits(const accel_format_t *f, int what, int negative) {
  uint32_t sign = negative ? F32_SIGN : 0u;
  if (what == ACCEL_OVERFLOW_NAN) return sign | F32_QNAN;
  if (what == ACCEL_OVERFLOW_INF) return sign | F32_INF;
  return f32_bits_of(negative ? -f->max : f->max);
}

uint32_t accel_round_exact(double hi, double lo, const accel_format_t *f, int mode, int sr_bits, uint32_t draw) {
  uint64_t hu = bits64(hi);
  int negative = (int)(hu >> 63);
  if (hi != hi) return F32_QNAN;
  if (hi == 0.0) return negative ? F32_SIGN : 0u;
  uint64_t au = hu & ~F64_SIGN;
  if (au == F64_INF) return special_bits(f, f->overflow, negative);
  double a = from_bits64(au);
  /* +1: the exact value lies a hair above a (in magnitude), -1: a hair below, 0: it is a. */
  int residual = lo == 0.0 ? 0 : ((lo < 0.0) == (negative != 0) ? 1 : -1);

  /* The binade of the exact value: a power of two minus a hair lies in the binade below. */
  int exponent = (int)((au >> 52) & 0x7FF) - 1023;
  if (residual < 0 && (au & F64_FRACTION) == 0) exponent -= 1;
  int ulp_exp = exponent < f->emin ? f->sub_ulp_exp : exponent - f->m;

  /* a / ulp as integer part and fraction: both exact (power-of-two scaling, then floor). */
  double scaled = a * pow2(-ulp_exp);
  double kept = floor_nonneg(scaled);
  double fraction = scaled - kept;
  /* The fraction as 0.32 fixed point, truncated (what an r-bit SR adder sees), and where it lies from 1/2. */
  double fixed = floor_nonneg(fraction * TWO32);
  int halfway = fraction > 0.5 ? 1 : fraction < 0.5 ? -1 : residual;
  int inexact = fraction != 0.0 || residual != 0;
  if (residual < 0 && fraction == 0.0) {
    /* A hair below an integer number of ulps: one ulp less, with a fraction of 1 - tiny. */
    kept -= 1.0;
    fraction = 1.0;
    fixed = TWO32 - 1.0;
    halfway = 1;
  } else if (residual < 0 && fraction * TWO32 == fixed) {
    fixed -= 1.0;
  } else if (residual > 0 && fraction == 0.0) {
    halfway = -1;
  }

  /* Parity of the kept code: its last mantissa bit, or for m = 0 normals the exponent code's last bit. */
  int normal = exponent >= f->emin;
  int odd;
  if (kept == 0.0) odd = 0;
  else if (normal && f->m == 0) odd = (int)((unsigned)(exponent + f->bias) & 1u);
  else odd = (int)((uint64_t)kept & 1u);

  int up;
  switch (mode) {
    case EDGECL_ROUND_RNE: up = halfway > 0 || (halfway == 0 && odd); break;
    case EDGECL_ROUND_RNA: up = halfway >= 0; break;
    case EDGECL_ROUND_RZ: up = 0; break;
    case EDGECL_ROUND_RU: up = inexact && !negative; break;
    case EDGECL_ROUND_RD: up = inexact && negative; break;
    case EDGECL_ROUND_RO: up = inexact && !odd; break;
    case EDGECL_ROUND_SR: {
      /* docs/formats.md: keep the top r bits of the fraction and of the draw; a carry out of 0.32 means up. */
      unsigned drop = (unsigned)(32 - sr_bits);
      uint64_t fr = (uint64_t)fixed >> drop;
      uint64_t dr = (uint64_t)draw >> drop;
      up = fr + dr >= ((uint64_t)1 << sr_bits);
      break;
    }
    default: up = 0; break; /* validation lets no other code through */
  }
  double magnitude = (kept + (up ? 1.0 : 0.0)) * pow2(ulp_exp);
  if (magnitude > f->max) {
    return special_bits(f, overflows_to_infinity(mode, negative) ? f->overflow : ACCEL_OVERFLOW_MAX, negative);
  }
  return f32_bits_of(negative ? -magnitude : magnitude);
}

/* ---- the functional GEMM (docs/gemm.md; assembly/arith/mac/reference.ts) ---- */

typedef struct {
  uint32_t m, n, k;
  uint32_t x, ldx, w, ldw, z, ldz; /* byte offsets and element strides */
  int trans_x, trans_w, accumulate, fma, fast;
  accel_format_t mul, acc, x_format, w_format;
  int mul_mode, acc_mode, sr_bits;
  uint32_t sr_key;
} job_t;

/* The memory of one START: direct bytes, or the board's load and store functions. */
typedef struct {
  const accel_memory_t *memory;
  uint8_t *base;
  uint32_t size;
} view_t;

static uint32_t load_element(const view_t *v, uint32_t index) {
  uint32_t offset = index << 2;
  if (v->base == NULL) return v->memory->load32(v->memory->ctx, offset);
  const uint8_t *p = v->base + offset;
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void store_element(const view_t *v, uint32_t index, uint32_t value) {
  uint32_t offset = index << 2;
  if (v->base == NULL) {
    v->memory->store32(v->memory->ctx, offset, value);
    return;
  }
  uint8_t *p = v->base + offset;
  p[0] = (uint8_t)value;
  p[1] = (uint8_t)(value >> 8);
  p[2] = (uint8_t)(value >> 16);
  p[3] = (uint8_t)(value >> 24);
}

/* Every NaN result is stored as the one quiet NaN 0x7FC00000, as the CPU path stores it. */
static uint32_t canonical(uint32_t bits) {
  return (bits & 0x7FFFFFFFu) > F32_INF ? F32_QNAN : bits;
}

/* The exact sum a + b as s + lo (Knuth's TwoSum; exact for finite binary64 that do not overflow). */
static double two_sum_lo(double a, double b, double s) {
  if ((bits64(s) & ~F64_SIGN) >= F64_INF) return 0.0;
  double bb = s - a;
  return (a - (s - bb)) + (b - bb);
}

static void run_gemm(const view_t *v, const job_t *job) {
  const accel_format_t *mul = &job->mul, *acc = &job->acc;
  const int mul_mode = job->mul_mode, acc_mode = job->acc_mode, sr_bits = job->sr_bits;
  const uint32_t key = job->sr_key, n = job->n, k = job->k;
  const uint32_t x0 = job->x >> 2, w0 = job->w >> 2, z0 = job->z >> 2;
  /* Strides between consecutive k of one row of X and one column of W, and between rows / columns. */
  const uint32_t x_step_k = job->trans_x ? job->ldx : 1u, x_step_i = job->trans_x ? 1u : job->ldx;
  const uint32_t w_step_k = job->trans_w ? 1u : job->ldw, w_step_j = job->trans_w ? job->ldw : 1u;
  for (uint32_t i = 0; i < job->m; i++) {
    for (uint32_t j = 0; j < n; j++) {
      /* Validation has checked every index below lies inside the memory (< 2^30 elements). */
      const uint32_t zi = z0 + i * job->ldz + j;
      uint32_t sum_bits = job->accumulate ? load_element(v, zi) : 0u;
      double sum = (double)from_bits32(sum_bits);
      /* The output's position counts modulo 2^32, as the device's u32 i*n + j. */
      uint64_t stream = lane_seed(key, i * n + j);
      uint32_t xi = x0 + i * x_step_i;
      uint32_t wi = w0 + j * w_step_j;
      if (job->fast) {
        float s = (float)sum;
        for (uint32_t kk = 0; kk < k; kk++, xi += x_step_k, wi += w_step_k) {
          float product = from_bits32(load_element(v, xi)) * from_bits32(load_element(v, wi));
          s = s + product;
        }
        const uint32_t draw = lane_next(&stream);
        sum_bits = accel_round_exact((double)s, 0.0, acc, acc_mode, sr_bits, acc_mode == EDGECL_ROUND_SR ? draw : 0u);
        store_element(v, zi, canonical(sum_bits));
        continue;
      }
      for (uint32_t kk = 0; kk < k; kk++, xi += x_step_k, wi += w_step_k) {
        /* Two steps per k whatever the modes: the product's draw, then the sum's. */
        const uint32_t mul_draw = lane_next(&stream), acc_draw = lane_next(&stream);
        /* A product of two binary32 values is exact in binary64. */
        const double product = (double)from_bits32(load_element(v, xi)) * (double)from_bits32(load_element(v, wi));
        double addend;
        if (job->fma) {
          addend = product;
        } else {
          uint32_t p_bits = accel_round_exact(product, 0.0, mul, mul_mode, sr_bits,
                                              mul_mode == EDGECL_ROUND_SR ? mul_draw : 0u);
          addend = (double)from_bits32(p_bits);
        }
        const double s = sum + addend;
        if (s == 0.0 && acc_mode == EDGECL_ROUND_RD && !(bits64(sum) == 0 && bits64(addend) == 0)) {
          /* IEEE 754 6.3: an exact zero sum is -0 when rounding toward negative (binary64 addition gave +0). */
          sum_bits = F32_SIGN;
        } else {
          sum_bits = accel_round_exact(s, two_sum_lo(sum, addend, s), acc, acc_mode, sr_bits,
                                       acc_mode == EDGECL_ROUND_SR ? acc_draw : 0u);
        }
        sum = (double)from_bits32(sum_bits);
      }
      store_element(v, zi, canonical(sum_bits));
    }
  }
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
static uint64_t storage_bytes(const accel_format_t *f) {
  return f->bits <= 8 ? 1u : f->bits <= 16 ? 2u : 4u;
}

static void account(accel_model_t *model, const job_t *job) {
  const accel_config_t *c = &model->config;
  const uint64_t m = job->m, n = job->n, k = job->k;
  const uint64_t macs = m * n * k;
  const uint64_t tile_rows = (m + c->rows - 1u) / c->rows;
  const uint64_t tile_cols = (n + c->cols - 1u) / c->cols;
  const uint64_t z_bytes = storage_bytes(&job->acc);
  const uint64_t bytes_read = m * k * tile_cols * storage_bytes(&job->x_format) +
                              k * n * tile_rows * storage_bytes(&job->w_format) + (job->accumulate ? m * n * z_bytes : 0u);
  const uint64_t bytes_written = m * n * z_bytes;
  const uint64_t compute_cycles = tile_rows * tile_cols * k;
  const double memory_cycles = ceil_nonneg((double)(bytes_read + bytes_written) / c->bandwidth_bytes_per_cycle);
  const uint64_t memory_whole = memory_cycles >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t)memory_cycles;
  const uint64_t cycles = c->setup_cycles + (compute_cycles > memory_whole ? compute_cycles : memory_whole);

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

const char *accel_model_init(accel_model_t *model, const accel_config_t *config, accel_memory_t memory) {
  memset(model, 0, sizeof *model);
  const char *problem = accel_config_problem(config);
  if (problem != NULL) return problem;
  model->config = *config;
  model->memory = memory;
  sort_anchors(model->config.energy.multiply, model->config.energy.multiply_count);
  sort_anchors(model->config.energy.add, model->config.energy.add_count);
  model->caps_formats = (config->product_formats << EDGECL_ACCEL_CAPS_FORMATS_PRODUCT_SHIFT) |
                        (config->accumulator_formats << EDGECL_ACCEL_CAPS_FORMATS_ACCUMULATOR_SHIFT);
  model->caps_array = (config->rows << EDGECL_ACCEL_CAPS_ARRAY_ROWS_SHIFT) | (config->cols << EDGECL_ACCEL_CAPS_ARRAY_COLS_SHIFT);
  model->caps_modes = (config->rounding << EDGECL_ACCEL_CAPS_MODES_ROUNDING_SHIFT) |
                      ((config->fma ? 1u : 0u) << EDGECL_ACCEL_CAPS_MODES_FMA_SHIFT) |
                      ((config->fast ? 1u : 0u) << EDGECL_ACCEL_CAPS_MODES_FAST_SHIFT);
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

/* One past the last byte an operand touches: base + ((stored rows - 1) * stride + row length) * 4,
 * or UINT64_MAX when that exceeds any memory (the TypeScript compares the same exact value). */
static uint64_t operand_end(uint32_t base, uint32_t rows, uint32_t stride, uint32_t row) {
  uint64_t elements = (uint64_t)(rows - 1u) * stride + row;
  if (elements > ((uint64_t)1 << 40)) return UINT64_MAX;
  return base + elements * 4u;
}

/* The programmed job, or an error code with the register it is about, checked in the order
 * docs/accelerator.md gives. */
static uint32_t validate(const accel_model_t *model, uint32_t memory_size, job_t *job, uint32_t *register_offset) {
#define REFUSE(code, offset)      \
  do {                            \
    *register_offset = (offset);  \
    return (code);                \
  } while (0)
  const accel_config_t *c = &model->config;
  const uint32_t op = reg(model, EDGECL_ACCEL_OP_OFFSET);
  const uint32_t op_bits = (1u << EDGECL_ACCEL_OP_ACCUMULATE_SHIFT) | (1u << EDGECL_ACCEL_OP_TRANS_X_SHIFT) |
                           (1u << EDGECL_ACCEL_OP_TRANS_W_SHIFT);
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
  if (job->x % 4u != 0) REFUSE(EDGECL_ACCEL_ERR_MISALIGNED, EDGECL_ACCEL_X_ADDR_OFFSET);
  if (job->w % 4u != 0) REFUSE(EDGECL_ACCEL_ERR_MISALIGNED, EDGECL_ACCEL_W_ADDR_OFFSET);
  if (job->z % 4u != 0) REFUSE(EDGECL_ACCEL_ERR_MISALIGNED, EDGECL_ACCEL_Z_ADDR_OFFSET);
  if (operand_end(job->x, job->trans_x ? job->k : job->m, job->ldx, job->trans_x ? job->m : job->k) > memory_size)
    REFUSE(EDGECL_ACCEL_ERR_OUT_OF_BOUNDS, EDGECL_ACCEL_X_ADDR_OFFSET);
  if (operand_end(job->w, job->trans_w ? job->n : job->k, job->ldw, job->trans_w ? job->k : job->n) > memory_size)
    REFUSE(EDGECL_ACCEL_ERR_OUT_OF_BOUNDS, EDGECL_ACCEL_W_ADDR_OFFSET);
  if (operand_end(job->z, job->m, job->ldz, job->n) > memory_size)
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
  view_t view = {memory, memory->base(memory->ctx), memory->size(memory->ctx)};
  job_t job;
  uint32_t register_offset = 0;
  uint32_t code = validate(model, view.size, &job, &register_offset);
  if (code != EDGECL_ACCEL_ERR_NONE) {
    model->status = STATUS_DONE | (code << EDGECL_ACCEL_STATUS_ERROR_SHIFT);
    model->error_info = register_offset;
    return;
  }
  run_gemm(&view, &job);
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
