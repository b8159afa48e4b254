/* Replies: see reply.h. */
#include "reply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "le.h"
#include "utf8.h"

#define ELLIPSIS "..."

void reply_init(reply_t *reply) {
  reply->type = EDGECL_MSG_ERROR;
  reply->length = 0;
  reply->payload = reply->fixed;
  reply->heap = NULL;
}

static void release_heap(reply_t *reply) {
  free(reply->heap);
  reply->heap = NULL;
  reply->payload = reply->fixed;
}

/* The message under construction: bytes after the ERROR's fixed part and length, cut on a character
 * boundary at REPLY_MESSAGE_MAX. */
typedef struct {
  uint8_t *out;
  uint32_t length;
  int cut;
} message_t;

/* Appends one character (1-4 bytes) if it fits whole. */
static void put_char(message_t *m, const uint8_t *bytes, uint32_t n) {
  if (m->cut) return;
  if (m->length + n > REPLY_MESSAGE_MAX) {
    m->cut = 1;
    return;
  }
  memcpy(m->out + m->length, bytes, n);
  m->length += n;
}

/* Appends text, replacing every byte that does not start a valid UTF-8 sequence with '?'. */
static void put_text(message_t *m, const uint8_t *text, uint32_t length) {
  static const uint8_t replacement = '?';
  uint32_t at = 0;
  while (at < length && !m->cut) {
    uint32_t n = utf8_sequence(text + at, length - at);
    if (n == 0) {
      put_char(m, &replacement, 1);
      at++;
    } else {
      put_char(m, text + at, n);
      at += n;
    }
  }
}

static void finish_error(reply_t *reply, uint8_t request_type, uint16_t code, message_t *m) {
  if (m->cut) {
    memcpy(m->out + m->length, ELLIPSIS, sizeof ELLIPSIS - 1);
    m->length += sizeof ELLIPSIS - 1;
  }
  reply->type = EDGECL_MSG_ERROR;
  reply->payload[EDGECL_ERROR_REQUEST_TYPE_OFFSET] = request_type;
  put_le16(reply->payload + EDGECL_ERROR_CODE_OFFSET, code);
  put_le16(reply->payload + EDGECL_ERROR_MESSAGE_OFFSET, (uint16_t)m->length);
  reply->length = EDGECL_ERROR_FIXED_SIZE + 2u + m->length;
}

static message_t start_error(reply_t *reply) {
  release_heap(reply);
  message_t m = {reply->fixed + EDGECL_ERROR_FIXED_SIZE + 2u, 0, 0};
  return m;
}

void reply_verror(reply_t *reply, uint8_t request_type, uint16_t code, const char *format, va_list args) {
  message_t m = start_error(reply);
  char text[REPLY_MESSAGE_MAX + 1];
  int n = vsnprintf(text, sizeof text, format, args);
  if (n < 0) n = 0;
  put_text(&m, (const uint8_t *)text, (uint32_t)n < sizeof text - 1 ? (uint32_t)n : sizeof text - 1);
  if ((uint32_t)n > REPLY_MESSAGE_MAX) m.cut = 1;
  finish_error(reply, request_type, code, &m);
}

void reply_error(reply_t *reply, uint8_t request_type, uint16_t code, const char *format, ...) {
  va_list args;
  va_start(args, format);
  reply_verror(reply, request_type, code, format, args);
  va_end(args);
}

void reply_error_text(reply_t *reply, uint8_t request_type, uint16_t code, const char *prefix, const uint8_t *text,
                      uint32_t text_length, const char *suffix) {
  message_t m = start_error(reply);
  put_text(&m, (const uint8_t *)prefix, (uint32_t)strlen(prefix));
  put_text(&m, text, text_length);
  put_text(&m, (const uint8_t *)suffix, (uint32_t)strlen(suffix));
  finish_error(reply, request_type, code, &m);
}

uint8_t *reply_result(reply_t *reply, uint8_t request_type, uint32_t body_length) {
  uint32_t length = EDGECL_RESULT_FIXED_SIZE + body_length;
  release_heap(reply);
  if (body_length > sizeof reply->fixed - EDGECL_RESULT_FIXED_SIZE) {
    reply->heap = malloc(length);
    if (reply->heap == NULL) {
      reply_error(reply, request_type, EDGECL_ERR_DOES_NOT_FIT,
                  "expected room in the board's RAM for a %u-byte %s reply, received none", (unsigned)body_length,
                  protocol_message_name(request_type));
      return NULL;
    }
    reply->payload = reply->heap;
  }
  reply->type = EDGECL_MSG_RESULT;
  reply->payload[EDGECL_RESULT_REQUEST_TYPE_OFFSET] = request_type;
  reply->length = length;
  return reply->payload + EDGECL_RESULT_BODY_OFFSET;
}

const char *protocol_message_name(uint8_t type) {
  switch (type) {
#define EDGECL_NAME(name, code) \
  case code: return #name;
    EDGECL_MESSAGES(EDGECL_NAME)
#undef EDGECL_NAME
    default: return NULL;
  }
}

int protocol_error_known(uint32_t code) {
  switch (code) {
#define EDGECL_KNOWN(name, code, meaning) case code:
    EDGECL_ERRORS(EDGECL_KNOWN)
#undef EDGECL_KNOWN
    return 1;
    default: return 0;
  }
}
