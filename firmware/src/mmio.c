/* The register window behind env.mmio_read32 / env.mmio_write32, and the accelerator's totals
 * (accel_totals.h).
 *
 * ACCEL=1 (qemu-rv32): the accelerator is a device on the PCIe bus of QEMU's virt machine, QEMU's
 * ivshmem-doorbell whose BAR2 a device process on the host serves (firmware/device/, src/accel_device.h).
 * At the first access the firmware enumerates the bus through ECAM, finds the device, places BAR2 at
 * the start of the PCI MMIO window (the register block's address in spec/regmap.json) and BAR0 (the
 * doorbell and the interrupt registers) after it, and enables memory decoding; from then on the
 * driver's accesses are volatile loads and stores to BAR2. A CTRL write is followed by a Doorbell
 * write in BAR0 that wakes the device process; the firmware sleeps (WFI) on the device's interrupt
 * until the device has taken it, and again after each STATUS read that saw BUSY, so it neither spins
 * nor misses the job's end. Without the device every address floats high, as on the simulated board's
 * bus.
 *
 * The interrupt: QEMU 7.2's ivshmem-doorbell always signals through MSI-X (it has no INTx mode; a
 * notification while MSI-X is off is dropped), and virt without AIA has no MSI controller. An MSI is
 * a memory write by the device, so the firmware aims vector 0's message at the CLINT's MSIP word of
 * hart 0: the device's notification becomes a machine software interrupt, which wakes WFI (mie.MSIE,
 * set only while the firmware waits for the device; mstatus.MIE stays 0, so nothing traps: RISC-V
 * privileged spec 3.3.3). The firmware clears MSIP.
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
/* BAR0 (ivshmem's own 256-byte registers) and BAR1 (the MSI-X table and pending bits, 4 KiB) go after
 * BAR2, each aligned to its size. */
#define BAR0_ADDRESS (VIRT_PCIE_MMIO + 0x10000u)
#define BAR1_ADDRESS (VIRT_PCIE_MMIO + 0x11000u)
#define MSIX_BAR 1u
/* QEMU hw/riscv/virt.c: the CLINT (ACLINT SWI) at 0x02000000, hart 0's MSIP word first; bit 0 is mip.MSIP. */
#define VIRT_CLINT_MSIP0 0x02000000u
#define MIE_MSIE (1u << 3)
#define MIE_MEIE (1u << 11)

/* PCI Local Bus 3.0, 6.2 and 6.8.2 (MSI-X capability and table). */
#define PCI_VENDOR_DEVICE 0x00u
#define PCI_COMMAND 0x04u
#define PCI_COMMAND_MEMORY 0x0002u
#define PCI_COMMAND_MASTER 0x0004u /* the MSI write is the device's own memory access */
#define PCI_CAPABILITIES 0x34u
#define PCI_CAP_ID_MSIX 0x11u
#define PCI_MSIX_ENABLE (1u << 31) /* Message Control bit 15, in the capability's first dword */
#define PCI_MSIX_FUNCTION_MASK (1u << 30)
#define PCI_BAR(n) (0x10u + 4u * (n))

static volatile uint32_t *ecam(uint32_t device, uint32_t reg) {
  return (volatile uint32_t *)(uintptr_t)(VIRT_PCIE_ECAM + (device << 15) + reg);
}

static volatile uint8_t *bar;
static volatile accel_device_words_t *words;
static volatile uint32_t *const msip = (volatile uint32_t *)(uintptr_t)VIRT_CLINT_MSIP0;

static volatile uint32_t *bar0(uint32_t offset) {
  return (volatile uint32_t *)(uintptr_t)(BAR0_ADDRESS + offset);
}

/* Aims MSI-X vector ACCEL_DEVICE_GUEST_VECTOR at hart 0's MSIP word and turns MSI-X on; 0 when the
 * device has no MSI-X capability in BAR1. */
static int msix_to_msip(uint32_t dev) {
  uint32_t cap = *ecam(dev, PCI_CAPABILITIES) & 0xFCu;
  for (uint32_t hops = 0; cap != 0 && hops < 48u; hops++) {
    uint32_t header = *ecam(dev, cap);
    if ((header & 0xFFu) == PCI_CAP_ID_MSIX) break;
    cap = (header >> 8) & 0xFCu;
  }
  if (cap == 0) return 0;
  uint32_t table = *ecam(dev, cap + 4u);
  if ((table & 7u) != MSIX_BAR) return 0;
  volatile uint32_t *entry = (volatile uint32_t *)(uintptr_t)(BAR1_ADDRESS + (table & ~7u) + 16u * ACCEL_DEVICE_GUEST_VECTOR);
  entry[0] = VIRT_CLINT_MSIP0; /* message address, low and high */
  entry[1] = 0;
  entry[2] = 1; /* message data: MSIP = 1 */
  entry[3] = 0; /* vector control: unmasked */
  *ecam(dev, cap) = (*ecam(dev, cap) | PCI_MSIX_ENABLE) & ~PCI_MSIX_FUNCTION_MASK;
  return 1;
}

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
    *ecam(dev, PCI_BAR(MSIX_BAR)) = BAR1_ADDRESS;
    *ecam(dev, PCI_BAR(ACCEL_DEVICE_BAR)) = VIRT_PCIE_MMIO; /* a 64-bit BAR: the high half next */
    *ecam(dev, PCI_BAR(ACCEL_DEVICE_BAR + 1u)) = 0;
    *ecam(dev, PCI_COMMAND) |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
    bar = (volatile uint8_t *)(uintptr_t)VIRT_PCIE_MMIO;
    words = (volatile accel_device_words_t *)(bar + EDGECL_ACCEL_SPAN);
    /* Without its interrupt the firmware could not sleep on the device: then it is not used at all. */
    if (!msix_to_msip(dev)) return 0;
    *msip = 0;
    /* QEMU cannot realize the device before its server, the device process, has handed it the BAR,
     * and the process marks READY before it listens: this finds it set. The wait is the host's, not
     * device time. */
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

/*
 * Sleeps until the device has notified the guest since the last wake (at once if it already has).
 * MSIP stays set until the firmware clears it, so a notification that comes before the WFI is not
 * lost; one left from an earlier change only costs the caller another look. Only MSIP wakes the hart
 * here (the UART's interrupt, serve.c, is shut out meanwhile and waits for the loop that claims it),
 * and only here: a notification the firmware did not wait for must not wake serve.c's WFI, which
 * would then return at once until the next job cleared MSIP.
 */
static void wait_for_device(void) {
  words->irq_waits++;
  uint32_t mie;
  /* -march=rv32imac names no Zicsr (GCC 12 follows the ISA manual that split it out); the core has it. */
  __asm__ volatile(".option push\n.option arch, +zicsr\ncsrr %0, mie\n.option pop" : "=r"(mie));
  __asm__ volatile(".option push\n.option arch, +zicsr\ncsrw mie, %0\n.option pop" ::"r"((mie & ~MIE_MEIE) | MIE_MSIE));
  __asm__ volatile("wfi");
  if (*msip != 0) {
    *msip = 0;
    words->irq_wakes++;
  }
  __asm__ volatile(".option push\n.option arch, +zicsr\ncsrw mie, %0\n.option pop" ::"r"(mie));
}

/* Stores `value` in a doorbell word (CTRL or COMMAND), rings the device on `vector` and sleeps until it
 * has taken the word; the wait is the host's speed, not the board's, and does not count. */
static void ring(volatile uint32_t *doorbell, uint32_t value, uint32_t vector) {
  uint64_t from = now_ns();
  __asm__ volatile("fence rw, rw" ::: "memory");
  *doorbell = value;
  __asm__ volatile("fence w, o" ::: "memory"); /* the word is in the BAR before the device wakes */
  *bar0(ACCEL_DEVICE_BAR0_DOORBELL) = ACCEL_DEVICE_PEER << 16 | vector;
  while (*doorbell != 0) wait_for_device();
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
    /* The driver polls again at once: sleep until the device says something changed. */
    if (busy) wait_for_device();
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
    ring(reg32(EDGECL_ACCEL_CTRL_OFFSET), value, starts ? ACCEL_DEVICE_VECTOR_START : ACCEL_DEVICE_VECTOR_OTHER);
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
  if (device_state == DEVICE_READY) ring(&words->command, ACCEL_DEVICE_CMD_POWER_ON, ACCEL_DEVICE_VECTOR_OTHER);
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
