/*
 * The accelerator as a device on the emulated bus (qemu boards with accelerator.present): what the
 * firmware (mmio.c) and the device process (firmware/device/accel_device.c) agree on besides
 * spec/regmap.json. Both include this one header.
 *
 * QEMU's `ivshmem-plain` PCI device (vendor 0x1af4, device 0x1110) exposes a file both processes map
 * as its BAR2. The register block of spec/regmap.json lies at offset 0 of that BAR, the board's own
 * words (below) at EDGECL_ACCEL_SPAN. The guest's RAM is a shared file too, so the device reads X and W
 * and writes Z in guest RAM itself (DMA).
 *
 * The BAR is plain memory: the device sees what the firmware stored, never a read. So CTRL is a
 * doorbell: the firmware stores the driver's CTRL word and waits until the device has taken it (CTRL
 * back to 0). Before it does, the device has latched the job's registers and set STATUS (BUSY while
 * the job runs, or DONE with an error code for a refused job), so the driver's first STATUS read
 * already sees the job. The board's COMMAND word works the same way.
 */
#ifndef EDGECL_ACCEL_DEVICE_H
#define EDGECL_ACCEL_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include "edgecl_regmap.h"

#define ACCEL_DEVICE_PCI_VENDOR 0x1AF4u /* Red Hat, Inc. (QEMU's ivshmem) */
#define ACCEL_DEVICE_PCI_DEVICE 0x1110u /* Inter-VM shared memory */
#define ACCEL_DEVICE_BAR 2u             /* ivshmem's shared-memory BAR */

/* Size of the shared BAR file: ivshmem wants a power of two; the register block plus the board's words. */
#define ACCEL_DEVICE_BAR_BYTES 0x2000u

/* Where QEMU virt puts guest RAM (hw/riscv/virt.c VIRT_DRAM): the RAM file's offset 0. */
#define ACCEL_DEVICE_RAM_BASE 0x80000000u

/* COMMAND values (firmware -> device; the device sets COMMAND back to 0 when done). */
#define ACCEL_DEVICE_CMD_NONE 0u
#define ACCEL_DEVICE_CMD_POWER_ON 1u /* power-on reset: registers, counters and lifetime totals to 0 */

/* READY holds this while the device process serves the BAR. */
#define ACCEL_DEVICE_READY_MAGIC 0xED0CA11Eu

/* The board's words, at EDGECL_ACCEL_SPAN in the BAR. 64-bit fields are read by rv32 as two words,
 * which is safe: the firmware reads them only between jobs. */
typedef struct {
  uint32_t command;     /* ACCEL_DEVICE_CMD_*, a doorbell like CTRL */
  uint32_t ready;       /* ACCEL_DEVICE_READY_MAGIC once the device serves */
  uint32_t memory_base; /* guest-physical address of the module's linear memory, written before each START */
  uint32_t memory_size; /* its size in bytes */
  /* Lifetime totals since the last power-on reset, not cleared by CTRL.CLEAR (the simulated board's
   * Bus totals across the driver's clears); memory_pj sums each job's memory-traffic energy in the
   * order the TypeScript model sums it. */
  uint64_t cycles, macs, energy_fj;
  uint64_t jobs;
  double memory_pj;
  /* Kept by the firmware, reported by the device process when it stops: STATUS reads, those that saw
   * BUSY, and jobs whose first STATUS read saw BUSY. */
  uint32_t status_reads, busy_reads, busy_jobs, doorbells;
} accel_device_words_t;

/* The same layout on rv32 (ilp32: 64-bit fields 8-aligned) and on the host. */
EDGECL_REGMAP_STATIC_ASSERT(offsetof(accel_device_words_t, cycles) == 16u && offsetof(accel_device_words_t, memory_pj) == 48u &&
                                sizeof(accel_device_words_t) == 72u,
                            "the board's words have one layout");
EDGECL_REGMAP_STATIC_ASSERT(EDGECL_ACCEL_SPAN + sizeof(accel_device_words_t) <= ACCEL_DEVICE_BAR_BYTES,
                            "the board's words fit in the BAR");
EDGECL_REGMAP_STATIC_ASSERT((ACCEL_DEVICE_BAR_BYTES & (ACCEL_DEVICE_BAR_BYTES - 1u)) == 0, "ivshmem BAR size is a power of two");

#endif
