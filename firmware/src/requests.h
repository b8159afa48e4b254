/*
 * The board's side of each request (docs/protocol.md, "Messages"), once its chunks are reassembled:
 * HELLO from the compiled-in board configuration, DEPLOY's module part, the flash slots of CHECKPOINT
 * and RESTORE, RESET, the time counter of TELEMETRY; everything else goes to the device module
 * (device_module.h). Every request gets exactly one reply; nothing here stops the board.
 */
#ifndef EDGECL_REQUESTS_H
#define EDGECL_REQUESTS_H

#include <stdint.h>

#include "reply.h"

/* Starts the device runtime. Call once at boot. */
void requests_init(void);

/* Runs one whole request of message `type` and leaves its RESULT or ERROR in `reply`. */
void requests_handle(uint8_t type, const uint8_t *payload, uint32_t length, reply_t *reply);

#endif
