/* Polling driver for the NS16550A UART: no interrupts, so it works before anything else is set up. */
#ifndef EDGECL_UART_H
#define EDGECL_UART_H

#include <stddef.h>
#include <stdint.h>

void uart_init(void);
void uart_putc(uint8_t byte);
void uart_write(const uint8_t *bytes, size_t len);
/* Blocks until a byte arrives. */
uint8_t uart_getc(void);
/* Returns the next byte, or -1 when the receive FIFO is empty. */
int uart_try_getc(void);

#endif
