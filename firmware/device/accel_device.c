/*
 * edgecl-accel-device: the accelerator of a qemu board as a device process on the host (native code,
 * built with the host's gcc by firmware/Makefile, one binary per board: its configuration is the
 * board manifest's, generated into accel_config.h).
 *
 *   edgecl-accel-device --ram FILE --bar FILE [--stats FILE]
 *   edgecl-accel-device --bar-bytes          the size the BAR file must have, for the host and QEMU
 *
 * FILE --ram is the guest's RAM (QEMU -object memory-backend-file,share=on), --bar the file behind the
 * ivshmem-plain device's BAR2; both are mapped shared. The process serves the register block of
 * spec/regmap.json in the BAR (src/accel_device.h has the protocol): when the firmware rings CTRL it
 * latches the registers, sets STATUS.BUSY, takes the doorbell, runs the job on the accelerator model
 * (src/accel_model.c: validation, cycles, energy) straight on guest RAM, Z computed by the device
 * module's own gemm (gemm_engine.c), then publishes the counters and STATUS. It prints "ready" on stdout once it serves, and on SIGTERM or SIGINT writes its
 * counters to --stats (JSON) and exits 0. Any problem with its files is a message on stderr and exit 2.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "accel_config.h"
#include "accel_device.h"
#include "accel_model.h"
#include "edgecl_regmap.h"
#include "gemm_engine.h"

/* After this long without a doorbell the process sleeps between looks instead of yielding. */
#define IDLE_SPIN_NS 2000000L
#define IDLE_SLEEP_NS 50000L

static volatile sig_atomic_t stopping;

static void on_signal(int sig) {
  (void)sig;
  stopping = 1;
}

static void fail(const char *what, const char *file) {
  fprintf(stderr, "edgecl-accel-device: %s %s: %s\n", what, file, strerror(errno));
  exit(2);
}

static uint8_t *map_file(const char *file, size_t at_least, size_t *bytes) {
  int fd = open(file, O_RDWR);
  if (fd < 0) fail("cannot open", file);
  struct stat st;
  if (fstat(fd, &st) != 0) fail("cannot stat", file);
  if ((size_t)st.st_size < at_least) {
    fprintf(stderr, "edgecl-accel-device: expected %s of at least %zu bytes, received %lld bytes\n", file, at_least, (long long)st.st_size);
    exit(2);
  }
  void *p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) fail("cannot map", file);
  close(fd);
  *bytes = (size_t)st.st_size;
  return p;
}

static uint8_t *ram, *bar;
static size_t ram_bytes;
static accel_device_words_t *words;
/* The memory window of the job being started: the module's linear memory, inside guest RAM. */
static uint32_t window_base, window_size;

static uint32_t window_size_of(void *ctx) {
  (void)ctx;
  return window_size;
}

static uint8_t *window_base_of(void *ctx) {
  (void)ctx;
  return ram + (window_base - ACCEL_DEVICE_RAM_BASE);
}

static uint32_t load(uint32_t offset) {
  return __atomic_load_n((uint32_t *)(bar + offset), __ATOMIC_ACQUIRE);
}

static void store(uint32_t offset, uint32_t value) {
  __atomic_store_n((uint32_t *)(bar + offset), value, __ATOMIC_RELEASE);
}

static const uint32_t shown[] = {
    EDGECL_ACCEL_ID_OFFSET,         EDGECL_ACCEL_CAPS_FORMATS_OFFSET, EDGECL_ACCEL_CAPS_ARRAY_OFFSET,
    EDGECL_ACCEL_CAPS_MODES_OFFSET, EDGECL_ACCEL_ERROR_INFO_OFFSET,   EDGECL_ACCEL_CYCLES_LO_OFFSET,
    EDGECL_ACCEL_CYCLES_HI_OFFSET,  EDGECL_ACCEL_MACS_LO_OFFSET,      EDGECL_ACCEL_MACS_HI_OFFSET,
    EDGECL_ACCEL_BYTES_READ_LO_OFFSET, EDGECL_ACCEL_BYTES_READ_HI_OFFSET, EDGECL_ACCEL_BYTES_WRITTEN_LO_OFFSET,
    EDGECL_ACCEL_BYTES_WRITTEN_HI_OFFSET, EDGECL_ACCEL_ENERGY_FJ_LO_OFFSET, EDGECL_ACCEL_ENERGY_FJ_HI_OFFSET,
    EDGECL_ACCEL_JOBS_OFFSET,
};

/* The model's read-only registers into the BAR, STATUS last (what the firmware polls). */
static void publish_status(const accel_model_t *m) {
  for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++) store(shown[i], accel_model_read32((accel_model_t *)m, shown[i]));
  store(EDGECL_ACCEL_STATUS_OFFSET, m->status);
}

/* The writable registers too: after a clear or a reset the firmware reads their reset values back. */
static void publish_all(const accel_model_t *m) {
  for (uint32_t i = 0; i < ACCEL_MODEL_RW_COUNT; i++) store(ACCEL_MODEL_RW_FIRST + 4u * i, m->regs[i]);
  publish_status(m);
}

static void power_on(accel_model_t *m) {
  accel_model_reset(m);
  words->cycles = words->macs = words->energy_fj = words->jobs = 0;
  words->memory_pj = 0;
  publish_all(m);
}

/* board/accel/energy.ts memoryPj: 64-bit accesses, a partial one costing a whole one. */
static double memory_traffic_pj(const accel_model_t *m, uint64_t bytes) {
  return (double)((bytes + 7u) / 8u) * m->config.energy.memory_pj_per_64_bits;
}

static uint64_t refused;

/* The doorbell: the CTRL word the firmware stored. */
static void ring(accel_model_t *m, uint32_t ctrl) {
  /* The job's registers, as the firmware stored them before ringing (the model is never busy here). */
  for (uint32_t i = 0; i < ACCEL_MODEL_RW_COUNT; i++) m->regs[i] = load(ACCEL_MODEL_RW_FIRST + 4u * i);
  if ((ctrl >> EDGECL_ACCEL_CTRL_CLEAR_SHIFT) & EDGECL_ACCEL_CTRL_CLEAR_MASK) {
    accel_model_reset(m);
    publish_all(m);
  }
  if (((ctrl >> EDGECL_ACCEL_CTRL_START_SHIFT) & EDGECL_ACCEL_CTRL_START_MASK) == 0) {
    store(EDGECL_ACCEL_CTRL_OFFSET, 0);
    return;
  }
  /* Linear memory as the firmware described it; a window outside guest RAM is an empty memory, so
   * every operand is out of bounds and the model refuses the job. */
  uint64_t base = words->memory_base, size = words->memory_size;
  int inside = base >= ACCEL_DEVICE_RAM_BASE && base - ACCEL_DEVICE_RAM_BASE + size <= ram_bytes;
  window_base = inside ? (uint32_t)base : ACCEL_DEVICE_RAM_BASE;
  window_size = inside ? (uint32_t)size : 0;
  store(EDGECL_ACCEL_STATUS_OFFSET, 1u << EDGECL_ACCEL_STATUS_BUSY_SHIFT);
  store(EDGECL_ACCEL_CTRL_OFFSET, 0); /* the firmware goes on: the driver polls BUSY from here */
  const uint64_t cycles = m->cycles, macs = m->macs, fj = m->energy_fj, read = m->bytes_read, written = m->bytes_written;
  const uint32_t jobs = m->jobs;
  accel_model_write32(m, EDGECL_ACCEL_CTRL_OFFSET, 1u << EDGECL_ACCEL_CTRL_START_SHIFT);
  if (m->jobs != jobs) {
    words->cycles += m->cycles - cycles;
    words->macs += m->macs - macs;
    words->energy_fj += m->energy_fj - fj;
    words->jobs += 1;
    /* Reads and writes apart, added as the TypeScript model adds each job's to its running total. */
    words->memory_pj += memory_traffic_pj(m, m->bytes_read - read) + memory_traffic_pj(m, m->bytes_written - written);
  } else {
    refused++;
  }
  publish_status(m);
}

static void write_stats(const char *file) {
  FILE *out = fopen(file, "w");
  if (out == NULL) fail("cannot write", file);
  fprintf(out,
          "{\"jobs\": %llu, \"refused\": %llu, \"macs\": %llu, \"cycles\": %llu, \"doorbells\": %u, \"statusReads\": %u, "
          "\"busyReads\": %u, \"busyJobs\": %u}\n",
          (unsigned long long)words->jobs, (unsigned long long)refused, (unsigned long long)words->macs,
          (unsigned long long)words->cycles, words->doorbells, words->status_reads, words->busy_reads, words->busy_jobs);
  fclose(out);
}

static void usage(const char *problem) {
  fprintf(stderr, "edgecl-accel-device: %s\nusage: edgecl-accel-device --ram FILE --bar FILE [--stats FILE] | --bar-bytes\n", problem);
  exit(2);
}

int main(int argc, char **argv) {
  const char *ram_file = NULL, *bar_file = NULL, *stats_file = NULL;
  if (argc == 2 && strcmp(argv[1], "--bar-bytes") == 0) {
    printf("%u\n", ACCEL_DEVICE_BAR_BYTES);
    return 0;
  }
  for (int i = 1; i < argc; i++) {
    if (i + 1 >= argc) usage("expected a value after every option");
    if (strcmp(argv[i], "--ram") == 0) ram_file = argv[++i];
    else if (strcmp(argv[i], "--bar") == 0) bar_file = argv[++i];
    else if (strcmp(argv[i], "--stats") == 0) stats_file = argv[++i];
    else usage("expected --ram, --bar or --stats");
  }
  if (ram_file == NULL || bar_file == NULL) usage("expected --ram FILE and --bar FILE");
  size_t bar_bytes;
  ram = map_file(ram_file, 1, &ram_bytes);
  bar = map_file(bar_file, ACCEL_DEVICE_BAR_BYTES, &bar_bytes);
  words = (accel_device_words_t *)(bar + EDGECL_ACCEL_SPAN);

  accel_model_t model;
  accel_memory_t memory = {window_size_of, window_base_of, NULL, NULL, NULL};
  const char *problem = accel_model_init(&model, &edgecl_accel_config, memory, gemm_engine());
  if (problem != NULL) {
    fprintf(stderr, "edgecl-accel-device: the board's accelerator configuration was refused: %s\n", problem);
    return 2;
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  /* Short sleeps stay short: the default 50 us timer slack would double every idle look. */
  prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);

  memset(words, 0, sizeof *words);
  store(EDGECL_ACCEL_CTRL_OFFSET, 0);
  power_on(&model);
  __atomic_store_n(&words->ready, ACCEL_DEVICE_READY_MAGIC, __ATOMIC_RELEASE);
  printf("ready\n");
  fflush(stdout);

  struct timespec last, now;
  clock_gettime(CLOCK_MONOTONIC, &last);
  while (!stopping) {
    uint32_t command = __atomic_load_n(&words->command, __ATOMIC_ACQUIRE);
    uint32_t ctrl = load(EDGECL_ACCEL_CTRL_OFFSET);
    if (command != ACCEL_DEVICE_CMD_NONE) {
      if (command == ACCEL_DEVICE_CMD_POWER_ON) power_on(&model);
      __atomic_store_n(&words->command, ACCEL_DEVICE_CMD_NONE, __ATOMIC_RELEASE);
    }
    if (ctrl != 0) ring(&model, ctrl);
    if (command != ACCEL_DEVICE_CMD_NONE || ctrl != 0) {
      clock_gettime(CLOCK_MONOTONIC, &last);
      continue;
    }
    clock_gettime(CLOCK_MONOTONIC, &now);
    long idle = (now.tv_sec - last.tv_sec) * 1000000000L + (now.tv_nsec - last.tv_nsec);
    if (idle < IDLE_SPIN_NS) {
      sched_yield();
    } else {
      struct timespec nap = {0, IDLE_SLEEP_NS};
      nanosleep(&nap, NULL);
    }
  }
  if (stats_file != NULL) write_stats(stats_file);
  return 0;
}
