/*
 * ENTRY=selftest SELFTEST=accel: the accelerator and the CPU GEMM of the real device module
 * (WASM=build/device.wasm) on this board, printed for test/firmware/accel_model_qemu.test.ts to judge.
 *
 *  1. Jobs through the module's own accelerator driver (export accel_gemm): the module programs the
 *     registers through env.mmio_write32 (mmio.c: stores to the accelerator's PCIe BAR) and the device
 *     process (firmware/device/) computes. Each job prints the driver's status, Z as f32 bit patterns,
 *     and the counters the model shows; then the same job from the same Z on the module's CPU kernel
 *     (export gemm). Operands come from the SR stream (accel_draw), so the test rebuilds them bit for
 *     bit.
 *  2. Instructions per MAC of the CPU kernel: minstret read around calls of the module's gemm on fixed
 *     shapes. minstret counts instructions only when QEMU runs with -icount; without it QEMU returns
 *     host ticks. With an accelerator, the e4m3 cases also run on it and print its status, modelled
 *     cycles and energy in fJ (low and high word): "accel <case> 32x32x32 -> status cycles fj_lo fj_hi".
 *
 * Line format as in selftest.c: "<step> -> <outcome>". A job's first line gives its parameters:
 * "job <name>: params -> m n k ldx ldw ldz transX transW accumulate mulWord mulMode accWord accMode fma
 * fast srBits key xWord wWord family seed" (words in hex, mulWord / accWord 0 for null: fp32 with rne).
 */
#include <stdio.h>
#include <string.h>

#include "accel_model.h"
#include "board.h"
#include "clock.h"
#include "edgecl_formats.h"
#include "edgecl_regmap.h"
#include "mmio.h"
#include "runtime.h"

#define SELFTEST_RAN 0
#define SELFTEST_INIT_FAILED 2
#define SELFTEST_INSTANTIATE_FAILED 3
#define SELFTEST_LOAD_FAILED 4
#define SELFTEST_CALL_FAILED 5

/* Operand families: values on e4m3's grid, any finite f32 over 61 binades, or those with NaN, inf,
 * zeros and magnitudes that overflow the narrow formats mixed in. */
enum { NARROW = 0, WIDE = 1, SPECIAL = 2 };

/* The i-th operand of a job seeded with `seed`: f32 bits from two draws of the SR stream. */
static uint32_t operand(uint32_t seed, uint32_t i, int family) {
  const uint32_t d = accel_draw(seed, i), e = accel_draw(seed ^ 0xA5A5A5A5u, i);
  const uint32_t sign = d & 0x80000000u;
  if (family == SPECIAL) {
    switch (d % 16u) {
      case 0: return 0x7FC00000u;          /* NaN */
      case 1: return sign | 0x7F800000u;   /* +-inf */
      case 2: return sign;                 /* +-0 */
      case 3: return sign | 0x7149F2CAu;   /* ~1e30: products overflow f32 */
      case 4: return sign | 0x0DA24260u;   /* ~1e-30: products vanish */
      case 5: return sign | 0x47800000u;   /* 65536: past fp16's largest value */
      case 6: return sign | 0x43F00000u;   /* 480: past e4m3's 448 */
      default: break;
    }
    family = (d >> 4) & 1u ? WIDE : NARROW;
  }
  if (family == NARROW) return sign | ((121u + d % 10u) << 23) | ((e & 7u) << 20); /* (1 + j/8) * 2^(-6..3) */
  return sign | ((97u + d % 61u) << 23) | (e & 0x7FFFFFu);                      /* 2^(-30..30) */
}

static runtime_value_t i32(uint32_t value) {
  runtime_value_t v = {.type = RUNTIME_I32, .as.i32 = (int32_t)value};
  return v;
}

/* Calls an export; on failure prints the error and returns 0. */
static int call(const char *name, const runtime_value_t *args, uint32_t nargs, int32_t *result) {
  runtime_value_t r;
  runtime_error_t err;
  if (runtime_call(name, args, nargs, &r, &err) != RUNTIME_OK) {
    printf("call %s -> error %s %s: %s\n", name, runtime_status_name(err.status), runtime_trap_name(err.trap), err.message);
    return 0;
  }
  if (result != NULL) *result = r.type == RUNTIME_I32 ? r.as.i32 : 0;
  return 1;
}

#define CALL(result, name, ...)                                                         \
  do {                                                                                  \
    const runtime_value_t args_[] = {__VA_ARGS__};                                      \
    if (!call(name, args_, sizeof args_ / sizeof args_[0], result)) return 0;           \
  } while (0)

static uint32_t alloc(uint32_t bytes) {
  int32_t at = 0;
  const runtime_value_t args[] = {i32(bytes)};
  if (!call("alloc", args, 1, &at)) return 0;
  return (uint32_t)at;
}

static int store_words(uint32_t offset, const uint32_t *words, uint32_t count) {
  runtime_error_t err;
  for (uint32_t i = 0; i < count; i++) {
    const uint8_t b[4] = {(uint8_t)words[i], (uint8_t)(words[i] >> 8), (uint8_t)(words[i] >> 16), (uint8_t)(words[i] >> 24)};
    if (runtime_memory_write(offset + 4 * i, b, 4, &err) != RUNTIME_OK) return 0;
  }
  return 1;
}

static uint32_t load_word(uint32_t offset) {
  uint8_t b[4] = {0, 0, 0, 0};
  runtime_error_t err;
  (void)runtime_memory_read(offset, b, 4, &err);
  return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* A GEMM job of the module's API (assembly/api/gemm.ts): formats by word, 0 for null (fp32 with rne). */
typedef struct {
  const char *name;
  uint32_t m, n, k, pad_x, pad_w, pad_z;
  int trans_x, trans_w, accumulate;
  uint32_t mul_word;
  int mul_mode;
  uint32_t acc_word;
  int acc_mode, fma, fast, sr_bits;
  uint32_t key;
  uint32_t x_word, w_word; /* storage formats the accelerator charges X and W at */
  int family;
  uint32_t seed;
} job_t;

#define E4M3 EDGECL_ACCEL_FMT_E4M3_WORD
#define E5M2 EDGECL_ACCEL_FMT_E5M2_WORD
#define FP16 EDGECL_ACCEL_FMT_FP16_WORD
#define BF16 EDGECL_ACCEL_FMT_BF16_WORD
#define FP32 EDGECL_ACCEL_FMT_FP32_WORD
#define RNE EDGECL_ROUND_RNE
#define RNA EDGECL_ROUND_RNA
#define RZ EDGECL_ROUND_RZ
#define SR EDGECL_ROUND_SR

/* name, m n k, row padding of X W Z, transX transW accumulate, mul, acc, fma fast srBits key, X/W storage, operands, seed */
static const job_t jobs[] = {
    {"e4m3*e4m3->fp16 rne", 5, 7, 3, 0, 0, 0, 0, 0, 0, E4M3, RNE, FP16, RNE, 0, 0, 32, 0, E4M3, E4M3, NARROW, 1},
    {"e4m3*e4m3->fp16 sr sums, transposed, accumulate", 6, 5, 9, 1, 2, 3, 1, 1, 1, E4M3, RNE, FP16, SR, 0, 0, 32, 0x1234u, E4M3, E4M3, SPECIAL, 2},
    {"fma fp32 sr 9 bits, X transposed", 9, 4, 13, 0, 1, 0, 1, 0, 0, 0, RNE, FP32, SR, 1, 0, 9, 0xDEADBEEFu, FP32, FP32, WIDE, 3},
    {"fast fp16 rz", 6, 6, 6, 2, 0, 1, 0, 0, 1, 0, RNE, FP16, RZ, 0, 1, 32, 0, FP16, FP16, SPECIAL, 4},
    {"bf16 rz products, fp16 sr 5-bit sums, W transposed, accumulate", 3, 11, 7, 0, 0, 2, 0, 1, 1, BF16, RZ, FP16, SR, 0, 0, 5, 77u, BF16, BF16, WIDE, 5},
    {"e5m2 sr products, fp32 rne sums", 8, 8, 8, 0, 0, 0, 0, 0, 0, E5M2, SR, FP32, RNE, 0, 0, 32, 0x5EEDu, E5M2, E5M2, SPECIAL, 6},
    {"fast fp32 sr", 4, 9, 5, 0, 0, 0, 0, 0, 0, 0, RNE, FP32, SR, 0, 1, 17, 99u, FP32, FP32, WIDE, 7},
    {"refused: fp32 products", 2, 3, 4, 0, 0, 0, 0, 0, 0, FP32, RNE, FP32, RNE, 0, 0, 32, 0, FP32, FP32, WIDE, 8},
    {"refused: rna", 2, 3, 4, 0, 0, 0, 0, 0, 0, E4M3, RNA, FP16, RNE, 0, 0, 32, 0, E4M3, E4M3, NARROW, 9},
};

/* Format pointers of the module, made once per word. */
static uint32_t format_pointer(uint32_t word) {
  static uint32_t words[8], pointers[8];
  static unsigned count;
  if (word == 0) return 0;
  for (unsigned i = 0; i < count; i++)
    if (words[i] == word) return pointers[i];
  int32_t p = 0;
  const runtime_value_t args[] = {i32(word)};
  if (!call("fmt_new", args, 1, &p) || p == 0 || count == 8) return 0;
  words[count] = word;
  pointers[count++] = (uint32_t)p;
  return (uint32_t)p;
}

static uint32_t spec_of(const job_t *j) {
  int32_t spec = 0;
  const runtime_value_t args[] = {i32(format_pointer(j->mul_word)), i32((uint32_t)j->mul_mode), i32(format_pointer(j->acc_word)),
                                  i32((uint32_t)j->acc_mode), i32((uint32_t)j->fma), i32((uint32_t)j->fast),
                                  i32((uint32_t)j->sr_bits), i32(j->key)};
  if (!call("mac_spec_new", args, 8, &spec)) return 0;
  return (uint32_t)spec;
}

static void print_words(uint32_t at, uint32_t count) {
  for (uint32_t i = 0; i < count; i++) printf(i == 0 ? "%08lx" : " %08lx", (unsigned long)load_word(at + 4 * i));
  printf("\n");
}

#define MAX_ELEMENTS 512
static uint32_t scratch[MAX_ELEMENTS];

/* Fills `count` operands of the job's family, numbered from `first` in its seed's stream. */
static int fill(uint32_t at, const job_t *j, uint32_t first, uint32_t count) {
  if (count > MAX_ELEMENTS) return 0;
  for (uint32_t i = 0; i < count; i++) scratch[i] = operand(j->seed, first + i, j->family);
  return store_words(at, scratch, count);
}

static int run_job(const job_t *j) {
  const uint32_t ldx = (j->trans_x ? j->m : j->k) + j->pad_x, ldw = (j->trans_w ? j->k : j->n) + j->pad_w, ldz = j->n + j->pad_z;
  const uint32_t xs = (j->trans_x ? j->k : j->m) * ldx, ws = (j->trans_w ? j->n : j->k) * ldw, zs = j->m * ldz;
  const uint32_t x = alloc(4 * xs), w = alloc(4 * ws), za = alloc(4 * zs), zc = alloc(4 * zs);
  const uint32_t spec = spec_of(j);
  if (x == 0 || w == 0 || za == 0 || zc == 0 || spec == 0) return 0;
  /* One stream per job: X from 0, W from 1000, Z from 2000. */
  if (!fill(x, j, 0, xs) || !fill(w, j, 1000, ws) || !fill(za, j, 2000, zs) || !fill(zc, j, 2000, zs)) return 0;
  printf("job %s: params -> %lu %lu %lu %lu %lu %lu %d %d %d %08lx %d %08lx %d %d %d %d %08lx %08lx %08lx %d %lu\n", j->name,
         (unsigned long)j->m, (unsigned long)j->n, (unsigned long)j->k, (unsigned long)ldx, (unsigned long)ldw,
         (unsigned long)ldz, j->trans_x, j->trans_w, j->accumulate, (unsigned long)j->mul_word, j->mul_mode,
         (unsigned long)j->acc_word, j->acc_mode, j->fma, j->fast, j->sr_bits, (unsigned long)j->key, (unsigned long)j->x_word,
         (unsigned long)j->w_word, j->family, (unsigned long)j->seed);
  CALL(NULL, "accel_set_operand_formats", i32(j->x_word), i32(j->w_word));
  int32_t status = 0;
  CALL(&status, "accel_gemm", i32(j->m), i32(j->n), i32(j->k), i32(x), i32(ldx), i32((uint32_t)j->trans_x), i32(w), i32(ldw),
       i32((uint32_t)j->trans_w), i32(za), i32(ldz), i32((uint32_t)j->accumulate), i32(spec));
  printf("job %s: accel_gemm -> i32 %ld\n", j->name, (long)status);
  printf("job %s: accel z -> ", j->name);
  print_words(za, zs);
  /* The counters the driver leaves behind: its CLEAR before the job makes them this job's. */
  static const uint32_t counters[] = {EDGECL_ACCEL_CYCLES_LO_OFFSET,        EDGECL_ACCEL_CYCLES_HI_OFFSET,   EDGECL_ACCEL_MACS_LO_OFFSET,
                                      EDGECL_ACCEL_MACS_HI_OFFSET,          EDGECL_ACCEL_BYTES_READ_LO_OFFSET, EDGECL_ACCEL_BYTES_READ_HI_OFFSET,
                                      EDGECL_ACCEL_BYTES_WRITTEN_LO_OFFSET, EDGECL_ACCEL_BYTES_WRITTEN_HI_OFFSET, EDGECL_ACCEL_ENERGY_FJ_LO_OFFSET,
                                      EDGECL_ACCEL_ENERGY_FJ_HI_OFFSET,     EDGECL_ACCEL_JOBS_OFFSET,        EDGECL_ACCEL_STATUS_OFFSET,
                                      EDGECL_ACCEL_ERROR_INFO_OFFSET};
  printf("job %s: counters ->", j->name);
  for (unsigned i = 0; i < sizeof counters / sizeof counters[0]; i++)
    printf(" %lu", (unsigned long)board_mmio_read32(EDGECL_ACCEL_BASE + counters[i]));
  printf("\n");
  CALL(&status, "gemm", i32(j->m), i32(j->n), i32(j->k), i32(x), i32(ldx), i32((uint32_t)j->trans_x), i32(w), i32(ldw),
       i32((uint32_t)j->trans_w), i32(zc), i32(ldz), i32((uint32_t)j->accumulate), i32(spec));
  printf("job %s: gemm -> i32 %ld\n", j->name, (long)status);
  printf("job %s: cpu z -> ", j->name);
  print_words(zc, zs);
  return 1;
}

#define BENCH_SIZE 32u

/* One timed call of the module's CPU GEMM on BENCH_SIZE^3 with row-major dense operands. */
static int measure(const char *name, uint32_t mul_word, int mul_mode, uint32_t acc_word, int acc_mode, int family, int plain,
                   int with_accel) {
  static uint32_t x, w, z;
  const uint32_t elements = BENCH_SIZE * BENCH_SIZE;
  if (x == 0) {
    x = alloc(4 * elements);
    w = alloc(4 * elements);
    z = alloc(4 * elements);
    if (x == 0 || w == 0 || z == 0) return 0;
  }
  const job_t j = {name, BENCH_SIZE, BENCH_SIZE, BENCH_SIZE, 0, 0, 0, 0, 0, 0, mul_word, mul_mode, acc_word, acc_mode, 0, 0, 32, 0x77u,
                   FP32, FP32, family, 100u + (uint32_t)family};
  if (!fill(x, &j, 0, MAX_ELEMENTS) || !fill(x + 4 * MAX_ELEMENTS, &j, MAX_ELEMENTS, elements - MAX_ELEMENTS) ||
      !fill(w, &j, 5000, MAX_ELEMENTS) || !fill(w + 4 * MAX_ELEMENTS, &j, 5000 + MAX_ELEMENTS, elements - MAX_ELEMENTS))
    return 0;
  const uint32_t spec = plain ? 0 : spec_of(&j);
  if (!plain && spec == 0) return 0;
  int32_t status = 0;
  uint64_t before, after;
  if (plain) {
    const runtime_value_t args[] = {i32(BENCH_SIZE), i32(BENCH_SIZE), i32(BENCH_SIZE), i32(x), i32(w), i32(z)};
    before = clock_instret();
    if (!call("gemm_f32_plain", args, 6, NULL)) return 0;
    after = clock_instret();
  } else {
    const runtime_value_t args[] = {i32(BENCH_SIZE), i32(BENCH_SIZE), i32(BENCH_SIZE), i32(x), i32(BENCH_SIZE), i32(0), i32(w),
                                    i32(BENCH_SIZE), i32(0), i32(z), i32(BENCH_SIZE), i32(0), i32(spec)};
    before = clock_instret();
    if (!call("gemm", args, 13, &status)) return 0;
    after = clock_instret();
  }
  printf("instret %s %lux%lux%lu -> %lu %ld\n", name, (unsigned long)BENCH_SIZE, (unsigned long)BENCH_SIZE,
         (unsigned long)BENCH_SIZE, (unsigned long)(after - before), (long)status);
  if (plain || !with_accel) return 1;
  /* The same job on the accelerator, X and W stored as they would be in the job's product format: what
   * it costs there (the model's counters; the core's instructions here only simulate the hardware). */
  CALL(NULL, "accel_set_operand_formats", i32(mul_word), i32(mul_word));
  const runtime_value_t args[] = {i32(BENCH_SIZE), i32(BENCH_SIZE), i32(BENCH_SIZE), i32(x), i32(BENCH_SIZE), i32(0), i32(w),
                                  i32(BENCH_SIZE), i32(0), i32(z), i32(BENCH_SIZE), i32(0), i32(spec)};
  if (!call("accel_gemm", args, 13, &status)) return 0;
  printf("accel %s %lux%lux%lu -> %ld %lu %lu %lu\n", name, (unsigned long)BENCH_SIZE, (unsigned long)BENCH_SIZE,
         (unsigned long)BENCH_SIZE, (long)status, (unsigned long)board_mmio_read32(EDGECL_ACCEL_BASE + EDGECL_ACCEL_CYCLES_LO_OFFSET),
         (unsigned long)board_mmio_read32(EDGECL_ACCEL_BASE + EDGECL_ACCEL_ENERGY_FJ_LO_OFFSET),
         (unsigned long)board_mmio_read32(EDGECL_ACCEL_BASE + EDGECL_ACCEL_ENERGY_FJ_HI_OFFSET));
  return 1;
}

static int run_all(void) {
  int32_t present = 0;
  if (!call("accel_present", NULL, 0, &present)) return 0;
  printf("accel_present -> i32 %ld\n", (long)present);
  for (unsigned i = 0; i < sizeof jobs / sizeof jobs[0]; i++)
    if (!run_job(&jobs[i])) return 0;
  /* What an empty call costs, to subtract. */
  uint64_t before = clock_instret();
  if (!call("accel_present", NULL, 0, &present)) return 0;
  uint64_t after = clock_instret();
  printf("instret accel_present -> %lu\n", (unsigned long)(after - before));
  if (!measure("gemm_f32_plain", 0, RNE, 0, RNE, WIDE, 1, 0)) return 0;
  if (!measure("fp32", 0, RNE, 0, RNE, WIDE, 0, 0)) return 0;
  if (!measure("e4m3*e4m3->fp16 rne, e4m3 operands", E4M3, RNE, FP16, RNE, NARROW, 0, present)) return 0;
  if (!measure("e4m3*e4m3->fp16 rne, f32 operands", E4M3, RNE, FP16, RNE, WIDE, 0, 0)) return 0;
  if (!measure("e4m3*e4m3->fp16 sr, e4m3 operands", E4M3, RNE, FP16, SR, NARROW, 0, present)) return 0;
  printf("memory size -> %lu\n", (unsigned long)runtime_memory_size());
  return 1;
}

int selftest_run(void) {
  runtime_error_t err;
  printf("edgecl selftest accel: runtime %s, memory limit %lu pages\n", runtime_name(),
         (unsigned long)runtime_memory_limit_pages());
  if (runtime_init(&err) != RUNTIME_OK) {
    printf("init -> error %s: %s\n", runtime_status_name(err.status), err.message);
    return SELFTEST_INIT_FAILED;
  }
  if (runtime_load_builtin(&err) != RUNTIME_OK) {
    printf("load builtin -> error %s: %s\n", runtime_status_name(err.status), err.message);
    return SELFTEST_LOAD_FAILED;
  }
  if (runtime_instantiate(&err) != RUNTIME_OK) {
    printf("instantiate -> error %s: %s\n", runtime_status_name(err.status), err.message);
    return SELFTEST_INSTANTIATE_FAILED;
  }
  printf("memory size -> %lu\n", (unsigned long)runtime_memory_size());
  if (!run_all()) return SELFTEST_CALL_FAILED;
  printf("selftest done\n");
  return SELFTEST_RAN;
}
