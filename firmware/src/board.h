/* The QEMU `virt` board as the firmware sees it: memory map and the entry points main() chooses from. */
#ifndef EDGECL_BOARD_H
#define EDGECL_BOARD_H

#include <stddef.h>
#include <stdint.h>

/* QEMU hw/riscv/virt.c, virt_memmap[]: UART0 (NS16550A, 1-byte register stride) and DRAM. */
#define BOARD_UART0_BASE 0x10000000u
#define BOARD_RAM_BASE 0x80000000u

/* Speaks the host protocol over UART0 until power-off: never returns. */
void board_serve(void) __attribute__((noreturn));

/* Runs the built-in checks of the image (ENTRY=selftest); returns the process exit status. */
int selftest_run(void);

#endif
