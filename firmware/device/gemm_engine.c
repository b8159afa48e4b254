/*
 * The device module's gemm as the accelerator model's engine (gemm_engine.h), the C counterpart of
 * board/accel/engine.ts's WasmGemmEngine, step for step: X and W are copied as they lie (same strides),
 * Z compactly (row stride n), into one region of the private instance's memory that grows when a job
 * needs more (the device's allocator never frees, so the region is reused); formats and specs are made
 * once per setting, the SR key written into a spec's key word (found by probing); a packed operand of
 * 1- or 2-byte codes is copied as codes and decoded to f32 by the module's own codec (decode_array),
 * a packed Z decoded so before an accumulating job and encoded (encode_array: its values are already
 * rounded to ACC_FMT, so exactly) after it; a job whose Z overlaps X or W runs output by output in the
 * array's order.
 */
#include "gemm_engine.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device.h" /* wasm2c's translation of the device module (firmware/Makefile) */
#include "wasm-rt-impl.h"
#include "edgecl_formats.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "gemm_engine.c copies words between two little-endian memories byte for byte: build it on a little-endian host"
#endif

/* The engine's instance has no accelerator behind its bus: it only runs gemm, which never touches it. */
u32 Z_envZ_mmio_read32(struct Z_env_instance_t *env, u32 addr) {
  (void)env;
  (void)addr;
  return 0xFFFFFFFFu;
}

void Z_envZ_mmio_write32(struct Z_env_instance_t *env, u32 addr, u32 value) {
  (void)env;
  (void)addr;
  (void)value;
}

static Z_device_instance_t instance;
static uint32_t region, region_bytes;
/* Byte offset of srKey inside a spec (-1: a spec per stochastic job). */
static int key_offset = -1;

#define CACHED 256
static struct {
  uint32_t word, pointer;
} formats[CACHED];
static unsigned format_count;
static struct {
  uint32_t args[7], pointer;
} specs[CACHED];
static unsigned spec_count;

static void die(const char *format, ...) {
  va_list args;
  va_start(args, format);
  fputs("edgecl-accel-device: the device module's gemm: ", stderr);
  vfprintf(stderr, format, args);
  fputc('\n', stderr);
  va_end(args);
  exit(3);
}

static uint8_t *engine_memory(void) {
  return Z_deviceZ_memory(&instance)->data;
}

static uint32_t engine_word(uint32_t at) {
  uint32_t value;
  memcpy(&value, engine_memory() + at, 4);
  return value;
}

/* Every call into the module catches its traps in its own frame (wasm2c's setjmp). */
static uint32_t call_alloc(uint32_t bytes) {
  wasm_rt_trap_t trap = wasm_rt_impl_try();
  if (trap != WASM_RT_TRAP_NONE) die("alloc(%u) trapped (%d)", bytes, (int)trap);
  return Z_deviceZ_alloc(&instance, bytes);
}

static uint32_t call_fmt_new(uint32_t word) {
  wasm_rt_trap_t trap = wasm_rt_impl_try();
  if (trap != WASM_RT_TRAP_NONE) die("fmt_new(0x%08x) trapped (%d)", word, (int)trap);
  return Z_deviceZ_fmt_new(&instance, word);
}

static uint32_t call_mac_spec_new(const uint32_t *a, uint32_t key) {
  wasm_rt_trap_t trap = wasm_rt_impl_try();
  if (trap != WASM_RT_TRAP_NONE) die("mac_spec_new trapped (%d)", (int)trap);
  return Z_deviceZ_mac_spec_new(&instance, a[0], a[1], a[2], a[3], a[4], a[5], a[6], key);
}

static uint32_t call_decode_array(uint32_t format, uint32_t codes, uint32_t to, uint32_t count) {
  wasm_rt_trap_t trap = wasm_rt_impl_try();
  if (trap != WASM_RT_TRAP_NONE) die("decode_array of %u codes trapped (%d)", count, (int)trap);
  return Z_deviceZ_decode_array(&instance, format, codes, to, count);
}

static uint32_t call_encode_array(uint32_t format, uint32_t from, uint32_t codes, uint32_t count) {
  wasm_rt_trap_t trap = wasm_rt_impl_try();
  if (trap != WASM_RT_TRAP_NONE) die("encode_array of %u values trapped (%d)", count, (int)trap);
  return Z_deviceZ_encode_array(&instance, format, EDGECL_ROUND_RNE, 32u, 0u, from, codes, count);
}

static uint32_t call_gemm(const accel_job_t *job, uint32_t x, uint32_t w, uint32_t z, uint32_t spec) {
  wasm_rt_trap_t trap = wasm_rt_impl_try();
  if (trap != WASM_RT_TRAP_NONE) die("gemm trapped (%d) on a %u x %u x %u job", (int)trap, job->m, job->n, job->k);
  return Z_deviceZ_gemm(&instance, job->m, job->n, job->k, x, job->ldx, (u32)job->trans_x, w, job->ldw, (u32)job->trans_w, z,
                        job->n, (u32)job->accumulate, spec);
}

/* Where a MacSpec keeps srKey: the one word holding each of two specs' distinct keys. */
static int probe_key_offset(void) {
  const uint32_t keys[2] = {0x9E3779B9u, 0x6A09E667u};
  const uint32_t args[7] = {0, EDGECL_ROUND_RNE, 0, EDGECL_ROUND_RNE, 0, 0, 32};
  uint32_t at[2];
  for (int i = 0; i < 2; i++) {
    at[i] = call_mac_spec_new(args, keys[i]);
    if (at[i] == 0) return -1;
  }
  /* No further than the second spec's start (the allocator places it right after the first). */
  uint32_t apart = at[1] > at[0] ? at[1] - at[0] : at[0] - at[1];
  uint32_t length = apart / 4 < 16 ? apart / 4 : 16;
  int found = -1;
  for (uint32_t i = 0; i < length; i++) {
    if (engine_word(at[0] + 4 * i) == keys[0] && engine_word(at[1] + 4 * i) == keys[1]) {
      if (found >= 0) return -1;
      found = (int)(4 * i);
    }
  }
  return found;
}

static uint32_t format_of(uint32_t word) {
  for (unsigned i = 0; i < format_count; i++)
    if (formats[i].word == word) return formats[i].pointer;
  uint32_t pointer = call_fmt_new(word);
  if (format_count < CACHED) {
    formats[format_count].word = word;
    formats[format_count++].pointer = pointer;
  }
  return pointer;
}

/* The spec for a job (the model validated its formats and modes, which the device accepts too). */
static uint32_t spec_of(const accel_job_t *job) {
  /* Without rounded products (fma, fast) the MUL registers mean nothing: fp32 with rne, as the model takes them. */
  const int uses_mul = !job->fma && !job->fast;
  const uint32_t mul_mode = uses_mul ? (uint32_t)job->mul_mode : EDGECL_ROUND_RNE;
  const uint32_t mul = uses_mul ? format_of(job->mul.word) : 0;
  const uint32_t acc = format_of(job->acc.word);
  if ((uses_mul && mul == 0) || acc == 0) return 0;
  const uint32_t args[7] = {mul, mul_mode, acc, (uint32_t)job->acc_mode, job->fma ? 1u : 0u, job->fast ? 1u : 0u, (uint32_t)job->sr_bits};
  const int uses_sr = job->acc_mode == EDGECL_ROUND_SR || (uses_mul && job->mul_mode == EDGECL_ROUND_SR);
  if (uses_sr && key_offset < 0) return call_mac_spec_new(args, job->sr_key);
  uint32_t spec = 0;
  for (unsigned i = 0; i < spec_count && spec == 0; i++)
    if (memcmp(specs[i].args, args, sizeof args) == 0) spec = specs[i].pointer;
  if (spec == 0) {
    spec = call_mac_spec_new(args, 0);
    if (spec_count < CACHED) {
      memcpy(specs[spec_count].args, args, sizeof args);
      specs[spec_count++].pointer = spec;
    }
  }
  if (spec != 0 && key_offset >= 0) memcpy(engine_memory() + spec + (uint32_t)key_offset, &job->sr_key, 4);
  return spec;
}

/* A region of at least `bytes` in the instance's memory. */
static uint32_t reserve(uint32_t bytes) {
  if (bytes > region_bytes) {
    uint32_t size = bytes > 2 * region_bytes ? bytes : 2 * region_bytes;
    region = call_alloc(size);
    if (region == 0) die("alloc(%u) found no room", size);
    region_bytes = size;
  }
  return region;
}

/* Elements an operand spans: (stored rows - 1) * stride + row length (validated to fit the memory). */
static uint32_t span(uint32_t rows, uint32_t stride, uint32_t row) {
  return (rows - 1u) * stride + row;
}

static uint32_t align4(uint32_t elements) {
  return (elements + 3u) & ~3u;
}

/* Bytes from the board's memory: through load32 a word at a time, each aligned word that holds some of
 * them (a linear memory is whole 64 KiB pages, so such a word lies inside it). */
static void bytes_in(const accel_memory_t *memory, uint32_t from, uint8_t *to, uint32_t count) {
  uint8_t *base = memory->base(memory->ctx);
  if (base != NULL) {
    memcpy(to, base + from, count);
    return;
  }
  for (uint32_t i = 0; i < count;) {
    const uint32_t at = from + i, word = memory->load32(memory->ctx, at & ~3u);
    for (uint32_t b = at & 3u; b < 4u && i < count; b++, i++) to[i] = (uint8_t)(word >> (8u * b));
  }
}

static void codes_to_f32(uint32_t count, uint32_t width, uint32_t word, uint32_t to, uint32_t staging);

/* `count` elements of an operand at byte `from` of the board's memory as f32 at `to` in the engine's:
 * words as they lie (every NaN payload as the board stored it), or codes of `word` copied to `staging`
 * and decoded there (codes_to_f32). */
static void operand_in(const accel_memory_t *memory, uint32_t from, uint32_t count, uint32_t width, uint32_t word, uint32_t to,
                       uint32_t staging) {
  if (width == 4u) {
    bytes_in(memory, from, engine_memory() + to, 4u * count);
    return;
  }
  bytes_in(memory, from, engine_memory() + staging, count * width);
  codes_to_f32(count, width, word, to, staging);
}

/* `count` codes of `word` at `staging` in the engine's memory, `width` bytes each, as f32 at `to`. A code
 * is the low 1 + e + m bits of its byte or u16 (little-endian); the bits above are ignored. */
static void codes_to_f32(uint32_t count, uint32_t width, uint32_t word, uint32_t to, uint32_t staging) {
  uint8_t *codes = engine_memory() + staging;
  accel_format_t f;
  accel_format_decode(word, &f);
  if ((uint32_t)f.bits < 8u * width) {
    const uint32_t mask = (1u << f.bits) - 1u;
    for (uint32_t i = 0; i < count; i++) {
      if (width == 1u) codes[i] &= (uint8_t)mask;
      else {
        const uint32_t code = ((uint32_t)codes[2u * i] | (uint32_t)codes[2u * i + 1u] << 8) & mask;
        codes[2u * i] = (uint8_t)code;
        codes[2u * i + 1u] = (uint8_t)(code >> 8);
      }
    }
  }
  const uint32_t format = format_of(word);
  if (format == 0 || call_decode_array(format, staging, to, count) != 0)
    die("decode_array refused format word 0x%08x; expected a float format the model validated", word);
}

/* Bytes to the board's memory: through load32 / store32 a word at a time, merging into each aligned word
 * that holds some of them. */
static void bytes_out(const accel_memory_t *memory, const uint8_t *from, uint32_t to, uint32_t count) {
  uint8_t *base = memory->base(memory->ctx);
  if (base != NULL) {
    memcpy(base + to, from, count);
    return;
  }
  for (uint32_t i = 0; i < count;) {
    const uint32_t at = to + i, aligned = at & ~3u;
    uint32_t word = memory->load32(memory->ctx, aligned);
    for (uint32_t b = at & 3u; b < 4u && i < count; b++, i++) word = (word & ~(0xffu << (8u * b))) | (uint32_t)from[i] << (8u * b);
    memory->store32(memory->ctx, aligned, word);
  }
}

/* Runs the job on copies of its operands; stores every output back, or only output (oi, oj). */
static void run_copied(const accel_memory_t *memory, const accel_job_t *job, int only, uint32_t oi, uint32_t oj) {
  const uint32_t m = job->m, n = job->n, k = job->k;
  const uint32_t x_elements = span(job->trans_x ? k : m, job->ldx, job->trans_x ? m : k);
  const uint32_t w_elements = span(job->trans_w ? n : k, job->ldw, job->trans_w ? k : n);
  const uint32_t spec = spec_of(job);
  const uint32_t z_elements = m * n;
  /* Packed codes wait in a staging area after Z until decoded into X's, W's or Z's place (Z's on the way out too). */
  const uint32_t x_codes = job->x_bytes < 4u ? align4(x_elements * job->x_bytes) / 4u : 0u;
  const uint32_t w_codes = job->w_bytes < 4u ? align4(w_elements * job->w_bytes) / 4u : 0u;
  const uint32_t z_codes = job->z_bytes < 4u ? align4(z_elements * job->z_bytes) / 4u : 0u;
  const uint32_t base = reserve(4u * (align4(x_elements) + align4(w_elements) + align4(z_elements) + x_codes + w_codes + z_codes));
  const uint32_t x_at = base, w_at = x_at + 4u * align4(x_elements), z_at = w_at + 4u * align4(w_elements);
  const uint32_t x_codes_at = z_at + 4u * align4(z_elements), w_codes_at = x_codes_at + 4u * x_codes;
  const uint32_t z_codes_at = w_codes_at + 4u * w_codes, zb = job->z_bytes;
  operand_in(memory, job->x, x_elements, job->x_bytes, job->x_format.word, x_at, x_codes_at);
  operand_in(memory, job->w, w_elements, job->w_bytes, job->w_format.word, w_at, w_codes_at);
  uint8_t *engine = engine_memory();
  /* Z as the board stores it: f32 values in Z's place, or codes in the staging area. */
  const uint32_t z_stored_at = zb == 4u ? z_at : z_codes_at;
  if (job->accumulate) {
    for (uint32_t i = 0; i < m; i++) bytes_in(memory, job->z + zb * i * job->ldz, engine + z_stored_at + zb * i * n, zb * n);
    if (zb != 4u) codes_to_f32(z_elements, zb, job->acc.word, z_at, z_codes_at);
  }
  const uint32_t status = spec == 0 ? (uint32_t)-7 : call_gemm(job, x_at, w_at, z_at, spec);
  /* The device refuses one kind of job the model lets through: stochastic rounding past 2^31 - 1 MACs,
   * whose draw positions would not fit a u32 (docs/gemm.md); the device's own driver splits such jobs. */
  if (status != 0)
    die("refused a %u x %u x %u job (status %d); expected a job it runs (a stochastic one of at most 2^31 - 1 MACs)", m, n, k,
        (int)status);
  if (zb != 4u) {
    const uint32_t format = format_of(job->acc.word);
    if (format == 0 || call_encode_array(format, z_at, z_codes_at, z_elements) != 0)
      die("encode_array refused format word 0x%08x; expected a float format the model validated", job->acc.word);
  }
  engine = engine_memory();
  if (only) {
    bytes_out(memory, engine + z_stored_at + zb * (oi * n + oj), job->z + zb * (oi * job->ldz + oj), zb);
    return;
  }
  for (uint32_t i = 0; i < m; i++) bytes_out(memory, engine + z_stored_at + zb * i * n, job->z + zb * i * job->ldz, zb * n);
}

/*
 * Output (i, j) after output (i, j - 1), each on the operands as the earlier ones left them. Without
 * stochastic rounding a 1 x 1 job per output gives its bits; with it the output keeps its draw
 * positions as row i of an (i + 1) x n job whose other outputs are dropped.
 */
static void run_in_order(const accel_memory_t *memory, const accel_job_t *job) {
  const int sr = job->acc_mode == EDGECL_ROUND_SR || (!job->fma && !job->fast && job->mul_mode == EDGECL_ROUND_SR);
  for (uint32_t i = 0; i < job->m; i++) {
    for (uint32_t j = 0; j < job->n; j++) {
      accel_job_t one = *job;
      if (sr) {
        one.m = i + 1;
        run_copied(memory, &one, 1, i, j);
        continue;
      }
      one.m = one.n = 1;
      one.x = job->x + job->x_bytes * (job->trans_x ? i : i * job->ldx);
      one.w = job->w + job->w_bytes * (job->trans_w ? j * job->ldw : j);
      one.z = job->z + job->z_bytes * (i * job->ldz + j);
      run_copied(memory, &one, 1, 0, 0);
    }
  }
}

static void run(void *ctx, const accel_memory_t *memory, const accel_job_t *job) {
  (void)ctx;
  const uint32_t m = job->m, n = job->n, k = job->k;
  /* Z written over X or W: the array reads what earlier outputs wrote, in its own order. */
  const uint64_t z_end = job->z + (uint64_t)job->z_bytes * span(m, job->ldz, n);
  const uint64_t x_end = job->x + (uint64_t)job->x_bytes * span(job->trans_x ? k : m, job->ldx, job->trans_x ? m : k);
  const uint64_t w_end = job->w + (uint64_t)job->w_bytes * span(job->trans_w ? n : k, job->ldw, job->trans_w ? k : n);
  if ((job->x < z_end && job->z < x_end) || (job->w < z_end && job->z < w_end)) {
    run_in_order(memory, job);
    return;
  }
  run_copied(memory, job, 0, 0, 0);
}

static int made;

static void instantiate(void) {
  wasm_rt_trap_t trap = wasm_rt_impl_try();
  if (trap != WASM_RT_TRAP_NONE) die("instantiating the module trapped (%d)", (int)trap);
  Z_device_instantiate(&instance, NULL);
}

accel_engine_t gemm_engine(void) {
  if (!made) {
    wasm_rt_init();
    Z_device_init_module();
    instantiate();
    key_offset = probe_key_offset();
    made = 1;
  }
  accel_engine_t engine = {run, NULL};
  return engine;
}
