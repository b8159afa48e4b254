/*
 * The device module as the board drives it: its command interface (assembly/device/loop.ts)
 *   cmd_buffer(bytes) -> offset of a request buffer in linear memory (0 when it cannot be had)
 *   cmd_run(type, length) -> 0 (reply RESULT) or a protocol error code (reply ERROR)
 *   cmd_reply_ptr(), cmd_reply_len() -> the reply body, or the UTF-8 error message
 * over the runtime layer (runtime.h), and the module's lifetime: loaded at boot (the image's built-in
 * module), replaced by DEPLOY, instantiated afresh by DEPLOY and RESET. Every failure, a trap included,
 * becomes an ERROR reply; the board keeps answering.
 */
#ifndef EDGECL_DEVICE_MODULE_H
#define EDGECL_DEVICE_MODULE_H

#include <stdint.h>

#include "reply.h"

/* Starts the runtime and loads the built-in module (no instance yet). */
void device_boot(void);

/* True once a DEPLOY succeeded and no later DEPLOY of a module dropped the instance. */
int device_deployed(void);
void device_set_deployed(int deployed);

/*
 * DEPLOY's module part: stages `module` (a .wasm binary) for the configuration that follows, which runs
 * on the staged instance; device_commit() after the configuration succeeded makes it the deployment,
 * device_discard() after it failed leaves the previous deployment as it was, state included.
 *   WAMR: a fresh instance of the module beside the current one (runtime_stage), checked for the
 *   command interface, with a fresh accelerator.
 *   wasm2c: the module must be the one built into the image (same length and CRC-32), else a BAD_CONFIG
 *   saying to rebuild the image. With a deployment in place the instance is kept as it is (the
 *   configuration then replaces the learner in it, as a DEPLOY without a module does); without one, a
 *   fresh instance of it.
 * On failure the reply holds the ERROR, 0 is returned and nothing is staged; the previous deployment
 * keeps working.
 */
int device_load(const uint8_t *module, uint32_t length, reply_t *reply);
void device_commit(void);
void device_discard(void);

/* A fresh instance of the current module (RESET); 0 and an ERROR in the reply on failure. */
int device_reinstantiate(uint8_t request_type, reply_t *reply);

/*
 * Runs one request: copies the payload into the device's request buffer, calls cmd_run and locates the
 * reply body. Returns 1 for a RESULT, whose body lies in linear memory at *body_offset, *body_length
 * bytes (read it with device_read before the next call); returns 0 after putting an ERROR in the reply.
 */
int device_run(uint8_t type, const uint8_t *payload, uint32_t length, uint32_t *body_offset, uint32_t *body_length,
               reply_t *reply);

/* The size of the pieces CHECKPOINT and RESTORE pass the image in, when the module takes it so (its
 * export cmd_image_pieces, docs/protocol.md "CHECKPOINT and RESTORE in pieces"); 0 when it takes the
 * whole image. */
uint32_t device_image_piece_bytes(void);

/* Copies bytes of linear memory (a reply body); 0 when the range is not inside it. */
int device_read(uint32_t offset, void *dst, uint32_t length);

/* Device time in cmd_run since the last device_reset_busy, in microseconds: clock ticks (clock.h), with
 * the accelerator's jobs counted by their modelled cycles (board_accel_take_time_ns). */
double device_busy_us(void);
void device_reset_busy(void);

#endif
