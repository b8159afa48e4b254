/*
 * The verilated RTL as the accelerator model's engine (rtl_engine.h), the C counterpart of
 * hw/rtl-engine.ts, step for step: the harness runs as a child on two pipes (its stdin and stdout) and
 * speaks the word protocol at the top of hw/tb/edgecl_tb.cpp; X, W and Z are loaded into its memory at
 * their own offsets, the registers written as a driver would (clear, configure, start), RUN clocks it
 * until BUSY falls, and Z is dumped back. The RTL reads f32 containers only: a board with engine "rtl"
 * advertises no packed operands, so the model never hands it codes.
 */
#define _GNU_SOURCE
#include "rtl_engine.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "edgecl_harness.h"
#include "edgecl_regmap.h"
#include "gemm_engine.h"

static int to_sim = -1, from_sim = -1;
static pid_t child;
static const char *harness;
static uint32_t memory_bytes;
static int sized;
static rtl_engine_stats_t stats;
static uint32_t *buffer;
static size_t buffer_words;

static void die(const char *format, ...) {
  va_list args;
  va_start(args, format);
  fprintf(stderr, "edgecl-accel-device: the verilated RTL (%s): ", harness);
  vfprintf(stderr, format, args);
  fputc('\n', stderr);
  va_end(args);
  exit(3);
}

/* All `count` words through the pipe, whatever the pipe's size (a LOAD is larger). */
static void transfer(int fd, uint32_t *words, size_t count, int sending) {
  uint8_t *bytes = (uint8_t *)words;
  size_t done = 0, total = 4u * count;
  while (done < total) {
    ssize_t n = sending ? write(fd, bytes + done, total - done) : read(fd, bytes + done, total - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) die("the harness %s (%s)", sending ? "stopped reading its commands" : "ended unexpectedly", n < 0 ? strerror(errno) : "pipe closed");
    done += (size_t)n;
  }
}

static void send_words(const uint32_t *words, size_t count) {
  transfer(to_sim, (uint32_t *)words, count, 1);
}

static void receive_words(uint32_t *words, size_t count) {
  transfer(from_sim, words, count, 0);
}

static void send3(uint32_t a, uint32_t b, uint32_t c, size_t count) {
  const uint32_t words[3] = {a, b, c};
  send_words(words, count);
}

static uint32_t *scratch(size_t words) {
  if (words > buffer_words) {
    free(buffer);
    buffer = malloc(4u * words);
    if (buffer == NULL) die("no memory for %zu words", words);
    buffer_words = words;
  }
  return buffer;
}

/* `count` words of the board's memory at byte `from` into the harness's memory at the same offset. */
static void load(const accel_memory_t *memory, uint32_t from, uint32_t count) {
  uint32_t *words = scratch(count);
  uint8_t *base = memory->base(memory->ctx);
  if (base != NULL) memcpy(words, base + from, 4u * (size_t)count);
  else
    for (uint32_t i = 0; i < count; i++) words[i] = memory->load32(memory->ctx, from + 4u * i);
  send3(EDGECL_HARNESS_LOAD, from, count, 3);
  send_words(words, count);
}

static void dump(const accel_memory_t *memory, uint32_t to, uint32_t count) {
  uint32_t *words = scratch(count);
  send3(EDGECL_HARNESS_DUMP, to, count, 3);
  receive_words(words, count);
  uint8_t *base = memory->base(memory->ctx);
  if (base != NULL) memcpy(base + to, words, 4u * (size_t)count);
  else
    for (uint32_t i = 0; i < count; i++) memory->store32(memory->ctx, to + 4u * i, words[i]);
}

static void write32(uint32_t offset, uint32_t value) {
  send3(EDGECL_HARNESS_WRITE, offset, value, 3);
}

static uint32_t read32(uint32_t offset) {
  uint32_t value;
  send3(EDGECL_HARNESS_READ, offset, 0, 2);
  receive_words(&value, 1);
  return value;
}

static uint32_t span(uint32_t rows, uint32_t stride, uint32_t row) {
  return (rows - 1u) * stride + row;
}

static void run(void *ctx, const accel_memory_t *memory, const accel_job_t *job) {
  (void)ctx;
  const uint32_t m = job->m, n = job->n, k = job->k;
  const uint32_t x_words = span(job->trans_x ? k : m, job->ldx, job->trans_x ? m : k);
  const uint32_t w_words = span(job->trans_w ? n : k, job->ldw, job->trans_w ? k : n);
  const uint32_t z_words = span(m, job->ldz, n);
  if (job->x_bytes != 4u || job->w_bytes != 4u || job->z_bytes != 4u)
    die("received a job with packed operands; expected f32 containers only (a board with engine \"rtl\" has packed false)");
  /* Z over X or W: the array's order differs from the device's, so such a job runs on the device's gemm. */
  const uint64_t z_end = job->z + 4ull * z_words;
  if ((job->x < z_end && job->z < job->x + 4ull * x_words) || (job->w < z_end && job->z < job->w + 4ull * w_words)) {
    stats.fallbacks++;
    accel_engine_t wasm = gemm_engine();
    wasm.run(wasm.ctx, memory, job);
    return;
  }
  const uint32_t size = memory->size(memory->ctx);
  if (!sized || size != memory_bytes) {
    send3(EDGECL_HARNESS_SIZE, size, 0, 2);
    memory_bytes = size;
    sized = 1;
  }
  load(memory, job->x, x_words);
  load(memory, job->w, w_words);
  load(memory, job->z, z_words);
  const uint32_t regs[][2] = {
      {EDGECL_ACCEL_X_ADDR_OFFSET, job->x},
      {EDGECL_ACCEL_W_ADDR_OFFSET, job->w},
      {EDGECL_ACCEL_Z_ADDR_OFFSET, job->z},
      {EDGECL_ACCEL_M_OFFSET, m},
      {EDGECL_ACCEL_N_OFFSET, n},
      {EDGECL_ACCEL_K_OFFSET, k},
      {EDGECL_ACCEL_LDX_OFFSET, job->ldx},
      {EDGECL_ACCEL_LDW_OFFSET, job->ldw},
      {EDGECL_ACCEL_LDZ_OFFSET, job->ldz},
      {EDGECL_ACCEL_OP_OFFSET, (job->accumulate ? 1u << EDGECL_ACCEL_OP_ACCUMULATE_SHIFT : 0u) |
                                   (job->trans_x ? 1u << EDGECL_ACCEL_OP_TRANS_X_SHIFT : 0u) |
                                   (job->trans_w ? 1u << EDGECL_ACCEL_OP_TRANS_W_SHIFT : 0u)},
      {EDGECL_ACCEL_MUL_FMT_OFFSET, job->mul.word},
      {EDGECL_ACCEL_ACC_FMT_OFFSET, job->acc.word},
      {EDGECL_ACCEL_ROUND_OFFSET, ((uint32_t)job->mul_mode << EDGECL_ACCEL_ROUND_MUL_SHIFT) |
                                      ((uint32_t)job->acc_mode << EDGECL_ACCEL_ROUND_ACC_SHIFT)},
      {EDGECL_ACCEL_MAC_OFFSET, (job->fma ? 1u << EDGECL_ACCEL_MAC_FMA_SHIFT : 0u) | (job->fast ? 1u << EDGECL_ACCEL_MAC_FAST_SHIFT : 0u)},
      {EDGECL_ACCEL_SR_BITS_OFFSET, (uint32_t)job->sr_bits},
      {EDGECL_ACCEL_SR_KEY_OFFSET, job->sr_key},
      {EDGECL_ACCEL_X_FMT_OFFSET, job->x_format.word},
      {EDGECL_ACCEL_W_FMT_OFFSET, job->w_format.word},
  };
  write32(EDGECL_ACCEL_CTRL_OFFSET, 1u << EDGECL_ACCEL_CTRL_CLEAR_SHIFT);
  for (size_t i = 0; i < sizeof regs / sizeof regs[0]; i++) write32(regs[i][0], regs[i][1]);
  write32(EDGECL_ACCEL_CTRL_OFFSET, 1u << EDGECL_ACCEL_CTRL_START_SHIFT);
  uint32_t ran;
  send3(EDGECL_HARNESS_RUN, 0, 0, 2);
  receive_words(&ran, 1);
  const uint32_t status = read32(EDGECL_ACCEL_STATUS_OFFSET);
  const uint32_t error = (status >> EDGECL_ACCEL_STATUS_ERROR_SHIFT) & EDGECL_ACCEL_STATUS_ERROR_MASK;
  if (error != 0)
    die("refused a job the model accepted: error %u at register 0x%x (m %u, n %u, k %u, ldx %u, ldw %u, ldz %u)", error,
        read32(EDGECL_ACCEL_ERROR_INFO_OFFSET), m, n, k, job->ldx, job->ldw, job->ldz);
  stats.cycles += (uint64_t)read32(EDGECL_ACCEL_CYCLES_LO_OFFSET) | (uint64_t)read32(EDGECL_ACCEL_CYCLES_HI_OFFSET) << 32;
  stats.jobs++;
  dump(memory, job->z, z_words);
}

/* QUIT, then wait for the harness: it must not outlive the device process. */
static void stop(void) {
  if (child <= 0) return;
  const uint32_t quit = EDGECL_HARNESS_QUIT;
  (void)!write(to_sim, &quit, sizeof quit);
  close(to_sim);
  close(from_sim);
  waitpid(child, NULL, 0);
  child = 0;
}

accel_engine_t rtl_engine(const char *binary) {
  if (child <= 0) {
    harness = binary;
    if (access(binary, X_OK) != 0) die("cannot run it: %s; expected the harness hw/verilate.ts builds", strerror(errno));
    int request[2], reply[2];
    if (pipe2(request, O_CLOEXEC) != 0 || pipe2(reply, O_CLOEXEC) != 0) die("cannot make its pipes: %s", strerror(errno));
    /* A harness that dies is reported by the failed write, not by SIGPIPE ending this process. */
    signal(SIGPIPE, SIG_IGN);
    child = fork();
    if (child < 0) die("cannot fork: %s", strerror(errno));
    if (child == 0) {
      dup2(request[0], STDIN_FILENO);
      dup2(reply[1], STDOUT_FILENO);
      execl(binary, binary, (char *)NULL);
      fprintf(stderr, "edgecl-accel-device: cannot start %s: %s\n", binary, strerror(errno));
      _exit(127);
    }
    close(request[0]);
    close(reply[1]);
    to_sim = request[1];
    from_sim = reply[0];
    atexit(stop);
  }
  accel_engine_t engine = {run, NULL};
  return engine;
}

rtl_engine_stats_t rtl_engine_stats(void) {
  return stats;
}
