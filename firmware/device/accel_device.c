/*
 * edgecl-accel-device: the accelerator of a qemu board as a device process on the host (native code,
 * built with the host's gcc by firmware/Makefile, one binary per board: its configuration is the
 * board manifest's, generated into accel_config.h).
 *
 *   edgecl-accel-device --ram FILE --bar FILE --socket PATH [--stats FILE] [--rtl BINARY]
 *   edgecl-accel-device --bar-bytes          the size the BAR file must have, for the host and QEMU
 *
 * FILE --ram is the guest's RAM (QEMU -object memory-backend-file,share=on), --bar the shared memory
 * behind the ivshmem-doorbell device's BAR2; both are mapped shared. The process is that device's
 * ivshmem server on the unix socket PATH (QEMU docs/specs/ivshmem-spec.rst: it hands QEMU the BAR's
 * file descriptor and the eventfds of two peers, this process and the guest) and a peer itself: the
 * firmware's Doorbell writes in BAR0 wake it through its eventfds, and it wakes the guest through the
 * guest's, which QEMU turns into the device's MSI-X message (src/mmio.c aims it at hart 0's MSIP). It serves the register block of
 * spec/regmap.json in the BAR (src/accel_device.h has the protocol): when the firmware rings CTRL it
 * latches the registers, sets STATUS.BUSY, takes the doorbell, runs the job on the accelerator model
 * (src/accel_model.c: validation, cycles, energy) straight on guest RAM, Z computed by the device
 * module's own gemm (gemm_engine.c), or on a board whose accelerator engine is "rtl" by the verilated RTL
 * (rtl_engine.c; BINARY is the harness hw/verilate.ts builds), then publishes the counters and STATUS. Between doorbells it
 * sleeps in ppoll. The socket appears (renamed into place) only once the process serves, and it
 * prints "ready" on stdout; on SIGTERM or SIGINT it writes its counters and a line per job to --stats
 * (JSON) and exits 0. Any problem with its files is a message on stderr and exit 2.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "accel_config.h"
#include "accel_device.h"
#include "accel_model.h"
#include "edgecl_regmap.h"
#include "gemm_engine.h"
#include "rtl_engine.h"

static volatile sig_atomic_t stopping;

static void on_signal(int sig) {
  (void)sig;
  stopping = 1;
}

static void fail(const char *what, const char *file) {
  fprintf(stderr, "edgecl-accel-device: %s %s: %s\n", what, file, strerror(errno));
  exit(2);
}

/* Maps FILE shared; *keep_fd, when given, receives its descriptor (kept open), else it is closed. */
static uint8_t *map_file(const char *file, size_t at_least, size_t *bytes, int *keep_fd) {
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
  if (keep_fd != NULL) *keep_fd = fd;
  else close(fd);
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

/* ---- the ivshmem server (QEMU docs/specs/ivshmem-spec.rst, "Server protocol") ---- */

#define IVSHMEM_PROTOCOL_VERSION 0
#define IVSHMEM_SHM_MESSAGE (-1)

static int device_events[ACCEL_DEVICE_VECTORS]; /* rung by the firmware's Doorbell writes */
static int guest_events[ACCEL_DEVICE_VECTORS];  /* QEMU watches these: a write sends the guest's MSI-X message */

/* One message: a little-endian int64 (the host's order on x86-64 and on RISC-V), with a descriptor
 * passed along (SCM_RIGHTS) unless fd < 0. */
static int send_message(int sock, int64_t value, int fd) {
  struct iovec iov = {&value, sizeof value};
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  union {
    char bytes[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } control;
  if (fd >= 0) {
    memset(&control, 0, sizeof control);
    msg.msg_control = control.bytes;
    msg.msg_controllen = sizeof control.bytes;
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof fd);
  }
  return sendmsg(sock, &msg, MSG_NOSIGNAL) == (ssize_t)sizeof value ? 0 : -1;
}

/* What QEMU reads while it realizes the device: the version, its own peer id, the device's eventfds
 * (taken before the shared memory, so the machine never runs with the device's peer missing), the
 * BAR; then the guest's own eventfds, which QEMU takes once the device is realized (it can watch them
 * only then; a notification before that waits in the eventfd). */
static int greet(int sock, int bar_fd) {
  if (send_message(sock, IVSHMEM_PROTOCOL_VERSION, -1) != 0 || send_message(sock, ACCEL_DEVICE_GUEST_PEER, -1) != 0) return -1;
  for (uint32_t v = 0; v < ACCEL_DEVICE_VECTORS; v++) {
    if (send_message(sock, ACCEL_DEVICE_PEER, device_events[v]) != 0) return -1;
  }
  if (send_message(sock, IVSHMEM_SHM_MESSAGE, bar_fd) != 0) return -1;
  for (uint32_t v = 0; v < ACCEL_DEVICE_VECTORS; v++) {
    if (send_message(sock, ACCEL_DEVICE_GUEST_PEER, guest_events[v]) != 0) return -1;
  }
  return 0;
}

/* Listens on PATH, which appears only now that the process listens: bound under a temporary name
 * and renamed into place, so whoever sees PATH can connect. */
static int listen_on(const char *path) {
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  char temporary[sizeof addr.sun_path];
  if (snprintf(temporary, sizeof temporary, "%s.new", path) >= (int)sizeof temporary) {
    fprintf(stderr, "edgecl-accel-device: expected a socket path of at most %zu bytes, received %s\n", sizeof temporary - 5, path);
    exit(2);
  }
  memcpy(addr.sun_path, temporary, sizeof temporary);
  int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0) fail("cannot make a socket for", path);
  unlink(temporary);
  if (bind(sock, (struct sockaddr *)&addr, sizeof addr) != 0) fail("cannot bind", temporary);
  if (listen(sock, 1) != 0) fail("cannot listen on", temporary);
  if (rename(temporary, path) != 0) fail("cannot rename the socket to", path);
  return sock;
}

/* Wakes the guest: QEMU sends vector 0's MSI-X message. */
static void notify_guest(void) {
  uint64_t one = 1;
  if (write(guest_events[ACCEL_DEVICE_GUEST_VECTOR], &one, sizeof one) != (ssize_t)sizeof one) fail("cannot notify the guest through", "its eventfd");
}

/* ---- jobs ---- */

/* Each START, for the stats file: how long the device worked on it, whether the model ran it, and the
 * firmware's busy_jobs when it began (the job saw BUSY when the next START, or the end, finds more). */
typedef struct {
  uint64_t ns;
  uint32_t busy_jobs_before;
  uint8_t ran;
} job_record_t;

static job_record_t *job_log;
static size_t job_log_count, job_log_capacity;

static void log_job(uint64_t ns, uint32_t busy_jobs_before, int ran) {
  if (job_log_count == job_log_capacity) {
    job_log_capacity = job_log_capacity ? 2 * job_log_capacity : 1024;
    job_log = realloc(job_log, job_log_capacity * sizeof *job_log);
    if (job_log == NULL) {
      fprintf(stderr, "edgecl-accel-device: out of memory for the job log (%zu jobs)\n", job_log_count);
      exit(2);
    }
  }
  job_log[job_log_count++] = (job_record_t){ns, busy_jobs_before, (uint8_t)ran};
}

static uint64_t monotonic_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

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
    notify_guest();
    return;
  }
  /* Linear memory as the firmware described it; a window outside guest RAM is an empty memory, so
   * every operand is out of bounds and the model refuses the job. */
  uint64_t base = words->memory_base, size = words->memory_size;
  int inside = base >= ACCEL_DEVICE_RAM_BASE && base - ACCEL_DEVICE_RAM_BASE + size <= ram_bytes;
  window_base = inside ? (uint32_t)base : ACCEL_DEVICE_RAM_BASE;
  window_size = inside ? (uint32_t)size : 0;
  const uint32_t busy_jobs_before = __atomic_load_n(&words->busy_jobs, __ATOMIC_ACQUIRE);
  const uint64_t began = monotonic_ns();
  store(EDGECL_ACCEL_STATUS_OFFSET, 1u << EDGECL_ACCEL_STATUS_BUSY_SHIFT);
  store(EDGECL_ACCEL_CTRL_OFFSET, 0); /* the firmware goes on: the driver polls BUSY from here */
  notify_guest();
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
  log_job(monotonic_ns() - began, busy_jobs_before, m->jobs != jobs);
  notify_guest();
}

/* Whatever the firmware rang: the board's COMMAND word, then CTRL. */
static void serve_doorbells(accel_model_t *m) {
  uint32_t command = __atomic_load_n(&words->command, __ATOMIC_ACQUIRE);
  if (command != ACCEL_DEVICE_CMD_NONE) {
    if (command == ACCEL_DEVICE_CMD_POWER_ON) power_on(m);
    __atomic_store_n(&words->command, ACCEL_DEVICE_CMD_NONE, __ATOMIC_RELEASE);
    notify_guest();
  }
  uint32_t ctrl = load(EDGECL_ACCEL_CTRL_OFFSET);
  if (ctrl != 0) ring(m, ctrl);
}

static void write_stats(const char *file) {
  FILE *out = fopen(file, "w");
  if (out == NULL) fail("cannot write", file);
  const rtl_engine_stats_t rtl = rtl_engine_stats();
  fprintf(out,
          "{\"jobs\": %llu, \"refused\": %llu, \"macs\": %llu, \"cycles\": %llu, \"doorbells\": %u, \"statusReads\": %u, "
          "\"busyReads\": %u, \"busyJobs\": %u, \"irqWaits\": %u, \"irqWakes\": %u,\n \"engine\": \"%s\", \"rtlJobs\": %llu, "
          "\"rtlFallbacks\": %llu, \"rtlCycles\": %llu,\n \"starts\": [",
          (unsigned long long)words->jobs, (unsigned long long)refused, (unsigned long long)words->macs,
          (unsigned long long)words->cycles, words->doorbells, words->status_reads, words->busy_reads, words->busy_jobs,
          words->irq_waits, words->irq_wakes, EDGECL_ACCEL_ENGINE_RTL ? "rtl" : "wasm", (unsigned long long)rtl.jobs,
          (unsigned long long)rtl.fallbacks, (unsigned long long)rtl.cycles);
  for (size_t i = 0; i < job_log_count; i++) {
    uint32_t after = i + 1 < job_log_count ? job_log[i + 1].busy_jobs_before : words->busy_jobs;
    fprintf(out, "%s\n  {\"ns\": %llu, \"ran\": %s, \"sawBusy\": %s}", i ? "," : "", (unsigned long long)job_log[i].ns,
            job_log[i].ran ? "true" : "false", after != job_log[i].busy_jobs_before ? "true" : "false");
  }
  fprintf(out, "\n]}\n");
  fclose(out);
}

static void usage(const char *problem) {
  fprintf(stderr,
          "edgecl-accel-device: %s\nusage: edgecl-accel-device --ram FILE --bar FILE --socket PATH [--stats FILE] [--rtl BINARY] | --bar-bytes | --vectors\n",
          problem);
  exit(2);
}

int main(int argc, char **argv) {
  const char *ram_file = NULL, *bar_file = NULL, *socket_path = NULL, *stats_file = NULL, *rtl_binary = NULL;
  if (argc == 2 && strcmp(argv[1], "--bar-bytes") == 0) {
    printf("%u\n", ACCEL_DEVICE_BAR_BYTES);
    return 0;
  }
  if (argc == 2 && strcmp(argv[1], "--vectors") == 0) {
    printf("%u\n", ACCEL_DEVICE_VECTORS);
    return 0;
  }
  for (int i = 1; i < argc; i++) {
    if (i + 1 >= argc) usage("expected a value after every option");
    if (strcmp(argv[i], "--ram") == 0) ram_file = argv[++i];
    else if (strcmp(argv[i], "--bar") == 0) bar_file = argv[++i];
    else if (strcmp(argv[i], "--socket") == 0) socket_path = argv[++i];
    else if (strcmp(argv[i], "--stats") == 0) stats_file = argv[++i];
    else if (strcmp(argv[i], "--rtl") == 0) rtl_binary = argv[++i];
    else usage("expected --ram, --bar, --socket, --stats or --rtl");
  }
  if (ram_file == NULL || bar_file == NULL || socket_path == NULL) usage("expected --ram FILE, --bar FILE and --socket PATH");
  if (EDGECL_ACCEL_ENGINE_RTL && rtl_binary == NULL)
    usage("expected --rtl BINARY: this board's accelerator engine is \"rtl\" (hw/verilate.ts builds the harness)");
  if (!EDGECL_ACCEL_ENGINE_RTL && rtl_binary != NULL) usage("expected no --rtl: this board's accelerator engine is the device module's gemm");
  size_t bar_bytes;
  int bar_fd;
  ram = map_file(ram_file, 1, &ram_bytes, NULL);
  bar = map_file(bar_file, ACCEL_DEVICE_BAR_BYTES, &bar_bytes, &bar_fd);
  words = (accel_device_words_t *)(bar + EDGECL_ACCEL_SPAN);

  accel_model_t model;
  accel_memory_t memory = {window_size_of, window_base_of, NULL, NULL, NULL};
  const accel_engine_t engine = EDGECL_ACCEL_ENGINE_RTL ? rtl_engine(rtl_binary) : gemm_engine();
  const char *problem = accel_model_init(&model, &edgecl_accel_config, memory, engine);
  if (problem != NULL) {
    fprintf(stderr, "edgecl-accel-device: the board's accelerator configuration was refused: %s\n", problem);
    return 2;
  }
  for (uint32_t v = 0; v < ACCEL_DEVICE_VECTORS; v++) {
    device_events[v] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    guest_events[v] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (device_events[v] < 0 || guest_events[v] < 0) fail("cannot make the eventfds for", socket_path);
  }
  /* SIGTERM and SIGINT arrive only inside ppoll, so a stop never slips in between a look and the sleep. */
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  sigset_t stops, waking;
  sigemptyset(&stops);
  sigaddset(&stops, SIGTERM);
  sigaddset(&stops, SIGINT);
  sigprocmask(SIG_BLOCK, &stops, &waking);
  sigdelset(&waking, SIGTERM);
  sigdelset(&waking, SIGINT);

  memset(words, 0, sizeof *words);
  store(EDGECL_ACCEL_CTRL_OFFSET, 0);
  power_on(&model);
  __atomic_store_n(&words->ready, ACCEL_DEVICE_READY_MAGIC, __ATOMIC_RELEASE);
  int listener = listen_on(socket_path);
  printf("ready\n");
  fflush(stdout);

  /* One QEMU: later connections are closed at once. */
  int qemu = -1;
  while (!stopping) {
    struct pollfd fds[2 + ACCEL_DEVICE_VECTORS];
    fds[0] = (struct pollfd){listener, POLLIN, 0};
    fds[1] = (struct pollfd){qemu, POLLIN, 0}; /* QEMU sends nothing after the greeting: only its end */
    for (uint32_t v = 0; v < ACCEL_DEVICE_VECTORS; v++) fds[2 + v] = (struct pollfd){device_events[v], POLLIN, 0};
    if (ppoll(fds, 2 + ACCEL_DEVICE_VECTORS, NULL, &waking) < 0) {
      if (errno == EINTR) continue;
      fail("cannot wait on", socket_path);
    }
    if (fds[0].revents & POLLIN) {
      int peer = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
      if (peer >= 0 && (qemu >= 0 || greet(peer, bar_fd) != 0)) close(peer);
      else if (peer >= 0) qemu = peer;
    }
    if (qemu >= 0 && fds[1].revents != 0) {
      char discard[64];
      if (read(qemu, discard, sizeof discard) <= 0) {
        close(qemu);
        qemu = -1;
      }
    }
    /* Drained before the words are read: a doorbell rung after the look wakes the next ppoll. */
    for (uint32_t v = 0; v < ACCEL_DEVICE_VECTORS; v++) {
      uint64_t count;
      if (fds[2 + v].revents & POLLIN) (void)!read(device_events[v], &count, sizeof count);
    }
    serve_doorbells(&model);
  }
  unlink(socket_path);
  if (stats_file != NULL) write_stats(stats_file);
  return 0;
}
