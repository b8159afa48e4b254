/*
 * The accelerator as a device on the emulated bus (qemu boards with accelerator.present): what the
 * firmware (mmio.c) and the device process (firmware/device/accel_device.c) agree on besides
 * spec/regmap.json. Both include this one header.
 *
 * QEMU's `ivshmem-doorbell` PCI device (vendor 0x1af4, device 0x1110) exposes a file both processes
 * map as its BAR2. The register block of spec/regmap.json lies at offset 0 of that BAR, the board's own
 * words (below) at EDGECL_ACCEL_SPAN. The guest's RAM is a shared file too, so the device reads X and W
 * and writes Z in guest RAM itself (DMA).
 *
 * BAR2 is plain memory: the device sees what the firmware stored, never a read. So the firmware stores
 * the driver's CTRL word there and then rings the device: a write to the Doorbell register of BAR0
 * (MMIO, QEMU's "ivshmem-mmio" region) that QEMU turns into a write to the device process's eventfd
 * for that vector. The device latches the job's registers, sets STATUS (BUSY while the job runs, or
 * DONE with an error code for a refused job) and only then takes the doorbell (CTRL back to 0), so the
 * driver's first STATUS read already sees the job. The board's COMMAND word works the same way.
 * After every change the firmware may wait on (a doorbell taken, a job done) the device notifies the
 * guest's vector 0: QEMU sends that vector's MSI-X message, which the firmware aims at hart 0's MSIP
 * word (src/mmio.c), so the firmware sleeps (WFI) instead of polling.
 */
#ifndef EDGECL_ACCEL_DEVICE_H
#define EDGECL_ACCEL_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include "edgecl_regmap.h"

#define ACCEL_DEVICE_PCI_VENDOR 0x1AF4u /* Red Hat, Inc. (QEMU's ivshmem) */
#define ACCEL_DEVICE_PCI_DEVICE 0x1110u /* Inter-VM shared memory */
#define ACCEL_DEVICE_BAR 2u             /* ivshmem's shared-memory BAR */

/* ivshmem's Doorbell register in BAR0 (QEMU docs/specs/ivshmem-spec.rst, "Device registers"). */
#define ACCEL_DEVICE_BAR0_DOORBELL 0x0Cu /* peer id << 16 | vector */

/* The peers the device process announces as the ivshmem server: the guest (QEMU's own id, IVPosition)
 * and the device process. Each has ACCEL_DEVICE_VECTORS eventfds (QEMU's `vectors` property). */
#define ACCEL_DEVICE_GUEST_PEER 0u
#define ACCEL_DEVICE_PEER 1u
#define ACCEL_DEVICE_VECTORS 2u
/* The device's vectors: one rung only by CTRL words that start a job, so that a trace counts the
 * STARTs; the other by every other CTRL word and by COMMAND. The guest's vector 0 is "look again". */
#define ACCEL_DEVICE_VECTOR_START 0u
#define ACCEL_DEVICE_VECTOR_OTHER 1u
#define ACCEL_DEVICE_GUEST_VECTOR 0u

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
   * BUSY, jobs whose first STATUS read saw BUSY (then every read until then did), doorbells rung; the
   * firmware's sleeps on the device's interrupt (WFI) and the wakes that found MSIP set by it. */
  uint32_t status_reads, busy_reads, busy_jobs, doorbells;
  uint32_t irq_waits, irq_wakes;
} accel_device_words_t;

/* The same layout on rv32 (ilp32: 64-bit fields 8-aligned) and on the host. */
EDGECL_REGMAP_STATIC_ASSERT(offsetof(accel_device_words_t, cycles) == 16u && offsetof(accel_device_words_t, memory_pj) == 48u &&
                                sizeof(accel_device_words_t) == 80u,
                            "the board's words have one layout");
EDGECL_REGMAP_STATIC_ASSERT(EDGECL_ACCEL_SPAN + sizeof(accel_device_words_t) <= ACCEL_DEVICE_BAR_BYTES,
                            "the board's words fit in the BAR");
EDGECL_REGMAP_STATIC_ASSERT((ACCEL_DEVICE_BAR_BYTES & (ACCEL_DEVICE_BAR_BYTES - 1u)) == 0, "ivshmem BAR size is a power of two");

#endif
