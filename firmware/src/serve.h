/*
 * The seam between the UART byte pump (serve.c) and the protocol layer (framing, CRC, messages).
 * The protocol layer implements protocol_init and protocol_receive_byte, keeps its own frame buffer
 * (so resynchronisation at the 0x00 delimiter and oversize frames are its business) and answers
 * through board_send.
 */
#ifndef EDGECL_SERVE_H
#define EDGECL_SERVE_H

#include <stddef.h>
#include <stdint.h>

void protocol_init(void);
void protocol_receive_byte(uint8_t byte);

/* Sends reply bytes to the host, in order, blocking until the UART took them all. */
void board_send(const uint8_t *bytes, size_t len);

#endif
