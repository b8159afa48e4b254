/* Chunk reassembly: see chunk.h. The order of the checks below is chunk.ts's. */
#include "chunk.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "frame.h"
#include "le.h"

static const char *type_name(uint8_t type) {
  switch (type) {
#define EDGECL_NAME(name, code) \
  case code: return #name;
    EDGECL_MESSAGES(EDGECL_NAME)
#undef EDGECL_NAME
    default: return "an unknown type";
  }
}

void edgecl_chunks_init(edgecl_chunks *chunks, uint32_t max_total) {
  chunks->max_total = max_total;
  chunks->open = 0;
  chunks->data = NULL;
  chunks->capacity = 0;
  chunks->received = 0;
}

void edgecl_chunks_release(edgecl_chunks *chunks) {
  free(chunks->data);
  chunks->data = NULL;
  chunks->capacity = 0;
}

void edgecl_chunks_abort(edgecl_chunks *chunks) {
  chunks->open = 0;
  edgecl_chunks_release(chunks);
}

static void fail(edgecl_chunks *chunks, edgecl_chunk_result *result, uint16_t code, const char *problem, const char *format,
                 ...) __attribute__((format(printf, 5, 6)));

static void fail(edgecl_chunks *chunks, edgecl_chunk_result *result, uint16_t code, const char *problem, const char *format,
                 ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(result->detail, sizeof result->detail, format, args);
  va_end(args);
  edgecl_chunks_abort(chunks);
  result->status = EDGECL_CHUNK_FAILED;
  result->code = code;
  result->problem = problem;
}

/* Room for `needed` bytes: doubles the buffer (at least to `needed`), never past the total. */
static int reserve(edgecl_chunks *c, uint32_t needed) {
  if (needed <= c->capacity) return 1;
  uint32_t grown = c->capacity > c->total / 2 ? c->total : c->capacity * 2;
  if (grown < needed) grown = needed;
  uint8_t *data = realloc(c->data, grown);
  if (data == NULL) return 0;
  c->data = data;
  c->capacity = grown;
  return 1;
}

void edgecl_chunks_push(edgecl_chunks *c, const uint8_t *payload, uint32_t length, edgecl_chunk_result *result) {
  result->detail[0] = '\0';
  result->problem = NULL;
  result->code = 0;
  result->data = NULL;
  result->length = 0;
  if (!c->open && c->data != NULL) edgecl_chunks_release(c); /* a completed transfer's payload */
  if (length < EDGECL_CHUNK_FIXED_SIZE) {
    fail(c, result, EDGECL_ERR_BAD_CHUNK, "malformed", "expected a CHUNK payload of at least %u bytes, received %u",
         (unsigned)EDGECL_CHUNK_FIXED_SIZE, (unsigned)length);
    return;
  }
  uint8_t inner_type = payload[EDGECL_CHUNK_INNER_TYPE_OFFSET];
  uint32_t index = le32(payload + EDGECL_CHUNK_INDEX_OFFSET);
  uint32_t count = le32(payload + EDGECL_CHUNK_COUNT_OFFSET);
  uint32_t total = le32(payload + EDGECL_CHUNK_TOTAL_OFFSET);
  uint32_t offset = le32(payload + EDGECL_CHUNK_OFFSET_OFFSET);
  const uint8_t *data = payload + EDGECL_CHUNK_DATA_OFFSET;
  uint32_t n = length - EDGECL_CHUNK_FIXED_SIZE;

  if (!edgecl_message_known(inner_type) || inner_type == EDGECL_MSG_CHUNK) {
    fail(c, result, EDGECL_ERR_BAD_CHUNK, "bad-type", "expected a chunked message type other than CHUNK, received 0x%02x",
         (unsigned)inner_type);
    return;
  }
  if (count == 0 || index >= count) {
    fail(c, result, EDGECL_ERR_BAD_CHUNK, "bad-index", "expected chunk index below count %lu, received %lu",
         (unsigned long)count, (unsigned long)index);
    return;
  }
  if (!c->open) {
    if (index != 0) {
      fail(c, result, EDGECL_ERR_BAD_CHUNK, "missing", "expected chunk 0 to start a transfer, received chunk %lu of %lu",
           (unsigned long)index, (unsigned long)count);
      return;
    }
    if (total > c->max_total) {
      fail(c, result, EDGECL_ERR_DOES_NOT_FIT, "too-large",
           "expected a message of at most %lu bytes, received a transfer of %lu", (unsigned long)c->max_total,
           (unsigned long)total);
      return;
    }
    c->open = 1;
    c->inner_type = inner_type;
    c->count = count;
    c->total = total;
    c->next = 0;
    c->received = 0;
  } else {
    if (index < c->next) {
      fail(c, result, EDGECL_ERR_BAD_CHUNK, "duplicate", "expected chunk %lu of %lu, received chunk %lu again",
           (unsigned long)c->next, (unsigned long)c->count, (unsigned long)index);
      return;
    }
    if (index > c->next) {
      fail(c, result, EDGECL_ERR_BAD_CHUNK, "missing", "expected chunk %lu of %lu, received chunk %lu",
           (unsigned long)c->next, (unsigned long)c->count, (unsigned long)index);
      return;
    }
    if (inner_type != c->inner_type || count != c->count || total != c->total) {
      uint8_t was = c->inner_type;
      uint32_t was_count = c->count, was_total = c->total;
      fail(c, result, EDGECL_ERR_BAD_CHUNK, "mismatch",
           "expected chunk %lu of a %s transfer of %lu chunks and %lu bytes, received one of %s, %lu chunks, %lu bytes",
           (unsigned long)index, type_name(was), (unsigned long)was_count, (unsigned long)was_total,
           type_name(inner_type), (unsigned long)count, (unsigned long)total);
      return;
    }
  }
  if (offset != c->received) {
    uint32_t expected = c->received;
    fail(c, result, EDGECL_ERR_BAD_CHUNK, "offset", "expected chunk %lu at offset %lu, received offset %lu",
         (unsigned long)index, (unsigned long)expected, (unsigned long)offset);
    return;
  }
  if (n == 0 && c->total > 0) {
    uint32_t was_total = c->total;
    fail(c, result, EDGECL_ERR_BAD_CHUNK, "empty", "expected data in chunk %lu of a %lu-byte transfer, received none",
         (unsigned long)index, (unsigned long)was_total);
    return;
  }
  if (n > c->total - c->received) {
    uint32_t left = c->total - c->received;
    fail(c, result, EDGECL_ERR_BAD_CHUNK, "overrun", "expected at most %lu more byte(s) in chunk %lu, received %lu",
         (unsigned long)left, (unsigned long)index, (unsigned long)n);
    return;
  }
  if (n > 0) {
    if (!reserve(c, c->received + n)) {
      uint32_t was_total = c->total;
      fail(c, result, EDGECL_ERR_DOES_NOT_FIT, "too-large",
           "expected room in the board's RAM for a %lu-byte message, received none past %lu bytes",
           (unsigned long)was_total, (unsigned long)c->capacity);
      return;
    }
    for (uint32_t i = 0; i < n; i++) c->data[c->received + i] = data[i];
  }
  c->received += n;
  c->next = index + 1;
  result->received = c->received;
  result->total = c->total;
  if (c->next < c->count) {
    result->status = EDGECL_CHUNK_PENDING;
    return;
  }
  c->open = 0;
  if (c->received != c->total) {
    uint32_t was_total = c->total, got = c->received;
    fail(c, result, EDGECL_ERR_BAD_CHUNK, "short", "expected %lu bytes when the last chunk arrived, received %lu",
         (unsigned long)was_total, (unsigned long)got);
    return;
  }
  result->status = EDGECL_CHUNK_COMPLETE;
  result->inner_type = c->inner_type;
  result->data = c->data;
  result->length = c->received;
}
