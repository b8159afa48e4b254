/* Device time: the CLINT's mtime counter of QEMU's virt machine. */
#ifndef EDGECL_CLOCK_H
#define EDGECL_CLOCK_H

#include <stdint.h>

/* QEMU hw/riscv/virt.c: the CLINT at 0x02000000, mtime at offset 0xBFF8 (SiFive CLINT layout), counting
 * at RISCV_ACLINT_DEFAULT_TIMEBASE_FREQ, 10 MHz. With -icount the count follows the instructions run,
 * so device time is the same on every run. */
#define CLOCK_TICKS_PER_SECOND 10000000u

uint64_t clock_ticks(void);

/* minstret, 64 bits. With -icount QEMU returns its instruction clock (virtual nanoseconds, so
 * instructions at shift=0); without, host ticks. */
uint64_t clock_instret(void);

#endif
