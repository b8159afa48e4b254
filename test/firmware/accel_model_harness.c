/*
 * Runs a bus script against the C accelerator model (firmware/src/accel_model.c) with the device
 * process's engine (firmware/device/gemm_engine.c: the device module's gemm), for
 * test/firmware/accel_model.test.ts, which runs the same script on the TypeScript model and compares.
 *
 *   accel_model_harness SCRIPT OUT
 *
 * SCRIPT (little-endian): "ACMJ", the configuration (accel_config_t, field by field: u32 rows, cols;
 * f64 bandwidth; u32 setup, product, accumulator, rounding, fma, fast, packed, busy polls, cycle model (1: rtl); u32 count and
 * count x (f64 width, f64 pj) for multiply, then for add; f64 sr draw, sr add per bit, memory per
 * 64 bits), u32 memory size and its bytes, u32 op count, then ops of 9 u32 words each:
 *   0 write32  address value
 *   1 read32   address                         -> one u32 in OUT
 *   2 resize   bytes                           (memory.grow: new bytes are zero)
 *   4 peek     byte offset                     -> the memory word there, in OUT
 *   5 poke     byte offset, value              (the device code writing its memory)
 * OUT: u32 count of results, the results, u32 memory size, the memory's bytes.
 *
 * With SELF_TEST_LOADSTORE defined the model reaches memory through load32 / store32 instead of the
 * base pointer. With HARNESS_CONFIG_HEADER defined (a quoted path to
 * a header firmware/src/accel_config.mjs generated) the model takes that header's configuration and
 * the script's is skipped.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel_model.h"
#include "gemm_engine.h"
#ifdef HARNESS_CONFIG_HEADER
#include HARNESS_CONFIG_HEADER
#endif

static const uint8_t *in;
static size_t in_len, in_at;

static void fail(const char *what) {
  fprintf(stderr, "accel_model_harness: %s\n", what);
  exit(2);
}

static uint32_t u32(void) {
  if (in_at + 4 > in_len) fail("script ends early");
  const uint8_t *p = in + in_at;
  in_at += 4;
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static double f64_of(uint32_t lo, uint32_t hi) {
  uint64_t u = (uint64_t)hi << 32 | lo;
  double x;
  memcpy(&x, &u, sizeof x);
  return x;
}

static double f64(void) {
  uint32_t lo = u32();
  return f64_of(lo, u32());
}

static accel_buffer_t memory;

#ifdef SELF_TEST_LOADSTORE
static uint8_t *no_base(void *ctx) {
  (void)ctx;
  return NULL;
}
static uint32_t size_of(void *ctx) {
  return ((accel_buffer_t *)ctx)->size;
}
static uint32_t load32(void *ctx, uint32_t offset) {
  const accel_buffer_t *b = ctx;
  if ((uint64_t)offset + 4 > b->size) fail("load32 outside memory");
  uint32_t v;
  memcpy(&v, b->base + offset, 4); /* the host is little-endian, as WebAssembly memory */
  return v;
}
static void store32(void *ctx, uint32_t offset, uint32_t value) {
  accel_buffer_t *b = ctx;
  if ((uint64_t)offset + 4 > b->size) fail("store32 outside memory");
  memcpy(b->base + offset, &value, 4);
}
#endif

int main(int argc, char **argv) {
  /* The last two arguments: picolibc's semihosting crt0 puts a program name of its own before QEMU's. */
  if (argc < 3) fail("usage: accel_model_harness SCRIPT OUT");
  const char *script_path = argv[argc - 2], *out_path = argv[argc - 1];
  FILE *f = fopen(script_path, "rb");
  if (!f) fail("cannot open the script");
  fseek(f, 0, SEEK_END);
  in_len = (size_t)ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *script = malloc(in_len ? in_len : 1);
  if (!script || fread(script, 1, in_len, f) != in_len) fail("cannot read the script");
  fclose(f);
  in = script;
  if (u32() != 0x4A4D4341u) fail("not an ACMJ script");

  accel_config_t config;
  memset(&config, 0, sizeof config);
  config.rows = u32();
  config.cols = u32();
  config.bandwidth_bytes_per_cycle = f64();
  config.setup_cycles = u32();
  config.product_formats = u32();
  config.accumulator_formats = u32();
  config.rounding = u32();
  config.fma = (int)u32();
  config.fast = (int)u32();
  config.packed = (int)u32();
  config.busy_polls = u32();
  config.cycle_model_rtl = (int)u32();
  config.energy.multiply_count = u32();
  if (config.energy.multiply_count > ACCEL_ENERGY_ANCHORS_MAX) fail("too many multiply anchors");
  for (uint32_t i = 0; i < config.energy.multiply_count; i++) {
    config.energy.multiply[i].width = f64();
    config.energy.multiply[i].pj = f64();
  }
  config.energy.add_count = u32();
  if (config.energy.add_count > ACCEL_ENERGY_ANCHORS_MAX) fail("too many add anchors");
  for (uint32_t i = 0; i < config.energy.add_count; i++) {
    config.energy.add[i].width = f64();
    config.energy.add[i].pj = f64();
  }
  config.energy.sr_draw_pj = f64();
  config.energy.sr_add_pj_per_bit = f64();
  config.energy.memory_pj_per_64_bits = f64();
#ifdef HARNESS_CONFIG_HEADER
  config = edgecl_accel_config;
#endif

  memory.size = u32();
  memory.base = calloc(memory.size ? memory.size : 1, 1);
  if (!memory.base) fail("no memory");
  if (in_at + memory.size > in_len) fail("script ends inside the memory image");
  memcpy(memory.base, in + in_at, memory.size);
  in_at += memory.size;

#ifdef SELF_TEST_LOADSTORE
  accel_memory_t view = {size_of, no_base, load32, store32, &memory};
#else
  accel_memory_t view = accel_memory_of_buffer(&memory);
#endif
  accel_model_t model;
  const char *problem = accel_model_init(&model, &config, view, gemm_engine());
  if (problem) fail(problem);

  uint32_t ops = u32();
  uint32_t *results = malloc(sizeof(uint32_t) * (ops ? ops : 1));
  uint32_t count = 0;
  if (!results) fail("no memory");
  for (uint32_t i = 0; i < ops; i++) {
    uint32_t w[9];
    for (int j = 0; j < 9; j++) w[j] = u32();
    switch (w[0]) {
      case 0: accel_model_write32(&model, w[1], w[2]); break;
      case 1: results[count++] = accel_model_read32(&model, w[1]); break;
      case 2: {
        uint8_t *bigger = realloc(memory.base, w[1] ? w[1] : 1);
        if (!bigger) fail("no memory");
        if (w[1] > memory.size) memset(bigger + memory.size, 0, w[1] - memory.size);
        memory.base = bigger;
        memory.size = w[1];
        break;
      }
      case 4: {
        if ((uint64_t)w[1] + 4 > memory.size) fail("peek outside memory");
        const uint8_t *p = memory.base + w[1];
        results[count++] = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
        break;
      }
      case 5: {
        if ((uint64_t)w[1] + 4 > memory.size) fail("poke outside memory");
        uint8_t *p = memory.base + w[1];
        p[0] = (uint8_t)w[2];
        p[1] = (uint8_t)(w[2] >> 8);
        p[2] = (uint8_t)(w[2] >> 16);
        p[3] = (uint8_t)(w[2] >> 24);
        break;
      }
      default: fail("unknown op");
    }
  }

  FILE *out = fopen(out_path, "wb");
  if (!out) fail("cannot write the output");
  uint8_t word[4];
#define PUT(v)                                                  \
  do {                                                          \
    uint32_t v_ = (v);                                          \
    word[0] = (uint8_t)v_;                                      \
    word[1] = (uint8_t)(v_ >> 8);                               \
    word[2] = (uint8_t)(v_ >> 16);                              \
    word[3] = (uint8_t)(v_ >> 24);                              \
    fwrite(word, 1, 4, out);                                    \
  } while (0)
  PUT(count);
  for (uint32_t i = 0; i < count; i++) PUT(results[i]);
  PUT(memory.size);
  fwrite(memory.base, 1, memory.size, out);
  if (fclose(out) != 0) fail("cannot write the output");
  free(results);
  free(memory.base);
  free(script);
  return 0;
}
