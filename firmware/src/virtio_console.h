/*
 * The host-to-board byte stream on a virtio console (virtio 1.1, 5.3; legacy virtio-mmio, 4.2.4),
 * when the machine has one: QEMU's 16550 takes at most 14 bytes from its socket per turn of its
 * event loop, a virtio console a whole buffer. Receive only: replies still go out through the UART,
 * whose transmit side QEMU flow-controls (a virtio console drops what its socket cannot take).
 */
#ifndef EDGECL_VIRTIO_CONSOLE_H
#define EDGECL_VIRTIO_CONSOLE_H

#include <stdint.h>

/* Finds a virtio console among the virt machine's virtio-mmio slots and starts its receive queue.
 * Returns its PLIC interrupt source, or 0 when the machine has none. */
uint32_t virtio_console_init(void);

/* The next received byte, or -1 when none is waiting. */
int virtio_console_try_getc(void);

/* Acknowledges the device's interrupt (after a wake), so that it can raise the next one. */
void virtio_console_ack(void);

#endif
