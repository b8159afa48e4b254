/* NS16550A register interface (TI PC16550D data sheet, table 2); QEMU models it in hw/char/serial.c. */
#include "uart.h"

#include "board.h"

#define UART_RBR 0 /* receive buffer (read, DLAB=0) */
#define UART_THR 0 /* transmit holding (write, DLAB=0) */
#define UART_IER 1 /* interrupt enable */
#define UART_FCR 2 /* FIFO control (write) */
#define UART_LCR 3 /* line control */
#define UART_LSR 5 /* line status */

#define LCR_8N1 0x03u
#define FCR_ENABLE_AND_CLEAR 0x07u /* enable FIFOs, clear RX and TX */
#define LSR_DATA_READY 0x01u
#define LSR_THR_EMPTY 0x20u

static inline volatile uint8_t *uart_reg(unsigned offset) {
  return (volatile uint8_t *)(uintptr_t)(BOARD_UART0_BASE + offset);
}

void uart_init(void) {
  *uart_reg(UART_IER) = 0; /* polling only */
  *uart_reg(UART_LCR) = LCR_8N1;
  *uart_reg(UART_FCR) = FCR_ENABLE_AND_CLEAR;
}

void uart_putc(uint8_t byte) {
  while ((*uart_reg(UART_LSR) & LSR_THR_EMPTY) == 0) {
  }
  *uart_reg(UART_THR) = byte;
}

void uart_write(const uint8_t *bytes, size_t len) {
  for (size_t i = 0; i < len; i++) uart_putc(bytes[i]);
}

int uart_try_getc(void) {
  if ((*uart_reg(UART_LSR) & LSR_DATA_READY) == 0) return -1;
  return *uart_reg(UART_RBR);
}

uint8_t uart_getc(void) {
  int byte;
  while ((byte = uart_try_getc()) < 0) {
  }
  return (uint8_t)byte;
}
