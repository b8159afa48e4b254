/* ENTRY=serve: the image's life after boot is one loop, UART bytes in, protocol replies out. */
#include "board.h"
#include "serve.h"
#include "uart.h"

void board_send(const uint8_t *bytes, size_t len) { uart_write(bytes, len); }

void board_serve(void) {
  protocol_init();
  for (;;) protocol_receive_byte(uart_getc());
}
