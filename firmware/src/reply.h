/*
 * One reply to the host: RESULT (request type, then the reply body) or ERROR (request type, code,
 * message), laid out as docs/protocol.md's RESULT and ERROR payloads. Small replies live in the
 * reply's own storage; a large RESULT body takes a heap block, released when the reply is reused.
 * Nothing here fails: a reply that cannot be allocated becomes an ERROR saying so.
 */
#ifndef EDGECL_REPLY_H
#define EDGECL_REPLY_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "edgecl_protocol.h"

/* An error message is one line for a person: at most this many bytes of UTF-8, then "...". The
 * simulated board cuts its messages at the same length. */
#define REPLY_MESSAGE_MAX 2000u
/* Room for any ERROR (fixed part, message length, message, "...") and for every fixed-size RESULT. */
#define REPLY_FIXED_BYTES (EDGECL_ERROR_FIXED_SIZE + 2u + REPLY_MESSAGE_MAX + 4u)

typedef struct {
  uint8_t type; /* EDGECL_MSG_RESULT or EDGECL_MSG_ERROR */
  uint32_t length;
  uint8_t *payload; /* fixed or heap */
  uint8_t *heap;
  uint8_t fixed[REPLY_FIXED_BYTES];
} reply_t;

void reply_init(reply_t *reply);

/* Starts a RESULT answering request_type with a body of body_length bytes and returns the body, to be
 * filled by the caller; NULL when there is no room (the reply is then an ERROR saying so). */
uint8_t *reply_result(reply_t *reply, uint8_t request_type, uint32_t body_length);

/* An ERROR; the message is printf-formatted and cut at REPLY_MESSAGE_MAX bytes. */
void reply_error(reply_t *reply, uint8_t request_type, uint16_t code, const char *format, ...)
    __attribute__((format(printf, 4, 5)));
void reply_verror(reply_t *reply, uint8_t request_type, uint16_t code, const char *format, va_list args);

/* An ERROR whose message is `prefix` followed by `text` (bytes from the device, which may not be
 * UTF-8: invalid bytes become '?') and `suffix`. */
void reply_error_text(reply_t *reply, uint8_t request_type, uint16_t code, const char *prefix, const uint8_t *text,
                      uint32_t text_length, const char *suffix);

/* "HELLO", "DEPLOY", ... or NULL for a byte that is no message type. */
const char *protocol_message_name(uint8_t type);
/* True for the codes of spec/protocol.json's errors. */
int protocol_error_known(uint32_t code);

#endif
