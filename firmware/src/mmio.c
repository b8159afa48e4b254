/* The register window behind env.mmio_read32 / env.mmio_write32, and the accelerator's totals
 * (accel_totals.h).
 *
 * ACCEL=1 (qemu-rv32): the accelerator is a device on the PCIe bus of QEMU's virt machine, QEMU's
 * ivshmem-plain whose BAR2 a device process on the host serves (firmware/device/, src/accel_device.h).
 * At the first access the firmware enumerates the bus through ECAM, finds the device, places BAR2 at
 * the start of the PCI MMIO window (the register block's address in spec/regmap.json) and enables
 * memory decoding; from then on the driver's accesses are volatile loads and stores to the BAR. CTRL
 * is a doorbell the firmware waits on until the device has taken it. Without the device (or when it
 * does not serve) every address floats high, as on the simulated board's bus.
 *
 * ACCEL=0 (qemu-rv32-noaccel): nothing answers: reads float high, writes go nowhere, nothing is counted. */
#include "mmio.h"

#include "accel_totals.h"

#if EDGECL_ACCEL

#include <stddef.h>

#include "accel_config.h"
#include "accel_device.h"
#include "clock.h"
#include "edgecl_regmap.h"
#include "runtime.h"

/* QEMU hw/riscv/virt.c: the PCIe host's ECAM and its 32-bit MMIO window (identity-mapped to PCI). */
#define VIRT_PCIE_ECAM 0x30000000u
#define VIRT_PCIE_ECAM_BUSES 1u /* the root bus is enough: ivshmem sits on it */
#define VIRT_PCIE_MMIO 0x40000000u
/* The register block's address is where the firmware puts BAR2: the start of the window. */
EDGECL_REGMAP_STATIC_ASSERT(EDGECL_ACCEL_BASE == VIRT_PCIE_MMIO, "the register block starts the PCI MMIO window");
/* BAR0 (ivshmem's own 256-byte registers, unused) goes after BAR2, aligned to its size. */
#define BAR0_ADDRESS (VIRT_PCIE_MMIO + 0x10000u)

#define PCI_VENDOR_DEVICE 0x00u
#define PCI_COMMAND 0x04u
#define PCI_COMMAND_MEMORY 0x0002u
#define PCI_BAR(n) (0x10u + 4u * (n))

static volatile uint32_t *ecam(uint32_t device, uint32_t reg) {
  return (volatile uint32_t *)(uintptr_t)(VIRT_PCIE_ECAM + (device << 15) + reg);
}

static volatile uint8_t *bar;
static volatile accel_device_words_t *words;

static uint64_t now_ns(void);
static struct {
  int pending, first_read;
  uint64_t started_ns, cycles_before;
  double adjust_ns; /* modelled time minus the time spent waiting for the device, since the last take */
} job;
static enum { DEVICE_UNPROBED, DEVICE_READY, DEVICE_ABSENT } device_state;

static int probe(void) {
  for (uint32_t dev = 0; dev < 32u; dev++) {
    uint32_t id = *ecam(dev, PCI_VENDOR_DEVICE);
    if (id != (ACCEL_DEVICE_PCI_VENDOR | ACCEL_DEVICE_PCI_DEVICE << 16)) continue;
    *ecam(dev, PCI_COMMAND) &= ~PCI_COMMAND_MEMORY;
    *ecam(dev, PCI_BAR(0)) = BAR0_ADDRESS;
    *ecam(dev, PCI_BAR(ACCEL_DEVICE_BAR)) = VIRT_PCIE_MMIO; /* a 64-bit BAR: the high half next */
    *ecam(dev, PCI_BAR(ACCEL_DEVICE_BAR + 1u)) = 0;
    *ecam(dev, PCI_COMMAND) |= PCI_COMMAND_MEMORY;
    bar = (volatile uint8_t *)(uintptr_t)VIRT_PCIE_MMIO;
    words = (volatile accel_device_words_t *)(bar + EDGECL_ACCEL_SPAN);
    /* The host starts the device process with QEMU; it serves within moments (if it dies, the host
     * stops the board). The wait is the host's, not device time. */
    uint64_t from = now_ns();
    while (words->ready != ACCEL_DEVICE_READY_MAGIC) {
    }
    job.adjust_ns -= (double)(now_ns() - from);
    return 1;
  }
  return 0;
}

static int device(void) {
  if (device_state == DEVICE_UNPROBED) device_state = probe() ? DEVICE_READY : DEVICE_ABSENT;
  return device_state == DEVICE_READY;
}

static volatile uint32_t *reg32(uint32_t offset) {
  return (volatile uint32_t *)(bar + offset);
}

static uint64_t lifetime_cycles(void) {
  return words->cycles;
}

/* ---- device time: a job counts its modelled cycles, not the polls that waited for it ---- */

/* Virtual nanoseconds: with -icount minstret counts them (QEMU's icount clock, which mtime follows too),
 * exactly; without, mtime's 100 ns ticks. */
static uint64_t now_ns(void) {
#if EDGECL_QEMU_ICOUNT
  return clock_instret();
#else
  return clock_ticks() * (1000000000u / CLOCK_TICKS_PER_SECOND);
#endif
}

/* Rings a doorbell (CTRL or COMMAND) and waits until the device has taken it; the wait is the host's
 * speed, not the board's, and does not count. */
static void ring(volatile uint32_t *doorbell, uint32_t value) {
  uint64_t from = now_ns();
  __asm__ volatile("fence rw, rw" ::: "memory");
  *doorbell = value;
  while (*doorbell != 0) {
  }
  __asm__ volatile("fence rw, rw" ::: "memory");
  words->doorbells++;
  job.adjust_ns -= (double)(now_ns() - from);
}

static void job_started(uint64_t cycles_before) {
  job.pending = 1;
  job.first_read = 1;
  job.cycles_before = cycles_before;
  job.started_ns = now_ns();
}

static void job_ended(void) {
  if (!job.pending) return;
  uint64_t waited = now_ns() - job.started_ns;
  job.pending = 0;
  job.adjust_ns += (double)(lifetime_cycles() - job.cycles_before) * (1e9 / EDGECL_ACCEL_CLOCK_HZ) - (double)waited;
}

double board_accel_take_time_ns(void) {
  double ns = job.adjust_ns;
  job.adjust_ns = 0;
  return ns;
}

uint32_t board_mmio_read32(uint32_t addr) {
  uint32_t offset = addr - EDGECL_ACCEL_BASE; /* wraps past the span below the block */
  if (offset >= EDGECL_ACCEL_SPAN || !device()) return MMIO_ABSENT;
  if ((offset & 3u) != 0) return 0; /* inside the block but no register: reads 0, as in the model */
  uint32_t value = *reg32(offset);
  if (offset == EDGECL_ACCEL_STATUS_OFFSET) {
    int busy = (value >> EDGECL_ACCEL_STATUS_BUSY_SHIFT) & EDGECL_ACCEL_STATUS_BUSY_MASK;
    words->status_reads++;
    if (busy) words->busy_reads++;
    if (busy && job.first_read) words->busy_jobs++;
    job.first_read = 0;
    if (!busy) {
      __asm__ volatile("fence r, rw" ::: "memory"); /* the job's counters were published before STATUS */
      job_ended();
    }
  }
  return value;
}

void board_mmio_write32(uint32_t addr, uint32_t value) {
  uint32_t offset = addr - EDGECL_ACCEL_BASE;
  if (offset >= EDGECL_ACCEL_SPAN || (offset & 3u) != 0 || !device()) return;
  if (offset == EDGECL_ACCEL_CTRL_OFFSET) {
    job_ended(); /* a clear after a timed-out poll ends the wait too */
    int starts = ((value >> EDGECL_ACCEL_CTRL_START_SHIFT) & EDGECL_ACCEL_CTRL_START_MASK) != 0;
    if (starts) {
      /* Where the module's linear memory is in guest RAM now (memory.grow may have moved it). */
      uint8_t *base = NULL;
      uint32_t size = 0;
      runtime_error_t err;
      if (runtime_memory_base(&base, &size, &err) != RUNTIME_OK) size = 0;
      words->memory_base = (uint32_t)(uintptr_t)base;
      words->memory_size = size;
    }
    uint64_t cycles_before = lifetime_cycles();
    ring(reg32(EDGECL_ACCEL_CTRL_OFFSET), value);
    if (starts) job_started(cycles_before);
    return;
  }
  /* Only the writable registers take writes; the read-only ones and the gaps ignore them, as in the model. */
  if (offset - ACCEL_MODEL_RW_FIRST < 4u * ACCEL_MODEL_RW_COUNT) *reg32(offset) = value;
}

/* ---- the accelerator's totals, as board/sim/mmio.ts's Bus keeps them: the device's lifetime totals ---- */

typedef struct {
  uint64_t cycles, macs, energy_fj, jobs;
  double memory_pj;
} raw_totals_t;

static raw_totals_t baseline;

static raw_totals_t lifetime(void) {
  raw_totals_t now = {0, 0, 0, 0, 0};
  if (device_state != DEVICE_READY) return now;
  now.cycles = words->cycles;
  now.macs = words->macs;
  now.energy_fj = words->energy_fj;
  now.jobs = words->jobs;
  now.memory_pj = words->memory_pj;
  return now;
}

void board_accel_totals(board_accel_totals_t *totals) {
  raw_totals_t all = lifetime();
  totals->cycles = all.cycles - baseline.cycles;
  totals->macs = all.macs - baseline.macs;
  totals->energy_fj = all.energy_fj - baseline.energy_fj;
  totals->jobs = (uint32_t)(all.jobs - baseline.jobs);
  totals->memory_pj = all.memory_pj - baseline.memory_pj;
}

void board_accel_mark(void) {
  baseline = lifetime();
}

void board_accel_restart(void) {
  if (device_state == DEVICE_READY) ring(&words->command, ACCEL_DEVICE_CMD_POWER_ON);
  baseline = lifetime();
  job.pending = 0;
}

#else

uint32_t board_mmio_read32(uint32_t addr) {
  (void)addr;
  return MMIO_ABSENT;
}

void board_mmio_write32(uint32_t addr, uint32_t value) {
  (void)addr;
  (void)value;
}

void board_accel_totals(board_accel_totals_t *totals) {
  totals->cycles = totals->macs = totals->energy_fj = 0;
  totals->jobs = 0;
  totals->memory_pj = 0;
}

void board_accel_mark(void) {}

void board_accel_restart(void) {}

double board_accel_take_time_ns(void) {
  return 0;
}

#endif
