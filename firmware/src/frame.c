/* Framing: see frame.h and docs/protocol.md (the order of the checks in finish() is the protocol's). */
#include "frame.h"

#include "le.h"

static void start_frame(edgecl_decoder *d) {
  d->length = 0;
  d->received = 0;
  d->remaining = 0;
  d->zero_pending = 0;
}

void edgecl_decoder_init(edgecl_decoder *decoder, uint8_t *buffer, size_t capacity) {
  decoder->buffer = buffer;
  decoder->capacity = capacity;
  decoder->discarding = 0;
  start_frame(decoder);
}

static int append(edgecl_decoder *d, uint8_t byte) {
  if (d->length == d->capacity) return 0;
  d->buffer[d->length++] = byte;
  return 1;
}

/* One COBS byte (never the delimiter); returns 0 when the decoded frame would exceed the capacity. */
static int cobs_take(edgecl_decoder *d, uint8_t byte) {
  d->received++;
  if (d->remaining == 0) {
    /* A code byte: the block before it, unless it was full (0xFF), ended with a zero. */
    if (d->zero_pending && !append(d, 0)) return 0;
    d->remaining = (uint8_t)(byte - 1u);
    d->zero_pending = byte != 0xFFu;
    return 1;
  }
  d->remaining--;
  return append(d, byte);
}

static int finish(edgecl_decoder *d, edgecl_frame *frame) {
  size_t n = d->length;
  uint32_t declared;
  if (d->remaining != 0) return EDGECL_ERR_BAD_ENCODING;
  if (n < EDGECL_FRAME_OVERHEAD) return EDGECL_ERR_TRUNCATED;
  if (edgecl_crc32(0, d->buffer, n - EDGECL_CRC_SIZE) != le32(d->buffer + n - EDGECL_CRC_SIZE)) return EDGECL_ERR_BAD_CRC;

  frame->type = d->buffer[EDGECL_HEADER_TYPE_OFFSET];
  frame->seq = le16(d->buffer + EDGECL_HEADER_SEQ_OFFSET);
  frame->length = declared = le32(d->buffer + EDGECL_HEADER_LENGTH_OFFSET);
  frame->payload = d->buffer + EDGECL_HEADER_SIZE;
  frame->header_trusted = 1;
  if (d->buffer[EDGECL_HEADER_VERSION_OFFSET] != EDGECL_PROTOCOL_VERSION) return EDGECL_ERR_BAD_VERSION;
  if (!edgecl_message_known(frame->type)) return EDGECL_ERR_UNKNOWN_TYPE;
  /* n >= EDGECL_FRAME_OVERHEAD and n <= capacity here, so the subtractions cannot wrap. */
  if (declared > d->capacity - EDGECL_FRAME_OVERHEAD) return EDGECL_ERR_OVERSIZE;
  if (declared != n - EDGECL_FRAME_OVERHEAD) return EDGECL_ERR_BAD_LENGTH;
  return EDGECL_FRAME_READY;
}

int edgecl_decoder_push(edgecl_decoder *decoder, uint8_t byte, edgecl_frame *frame) {
  int result = EDGECL_FRAME_PENDING;
  if (byte == EDGECL_DELIMITER) {
    if (!decoder->discarding && decoder->received > 0) {
      frame->header_trusted = 0;
      result = finish(decoder, frame);
    }
    decoder->discarding = 0;
    start_frame(decoder);
    return result;
  }
  if (decoder->discarding) return EDGECL_FRAME_PENDING;
  if (!cobs_take(decoder, byte)) {
    frame->header_trusted = 0;
    decoder->discarding = 1;
    start_frame(decoder);
    return EDGECL_ERR_OVERSIZE;
  }
  return EDGECL_FRAME_PENDING;
}

/* COBS encoder that takes bytes one at a time, so header, payload and CRC need no joint buffer. */
typedef struct {
  uint8_t *out;
  size_t capacity;
  size_t at;         /* next byte to write */
  size_t code_at;    /* where the current block's code byte goes */
  uint8_t code;      /* 1 + data bytes in the current block */
  int after_full;    /* the previous block was closed because it was full, not by a zero */
  int overflow;
} cobs_writer;

static void put(cobs_writer *w, uint8_t byte) {
  if (w->at >= w->capacity) {
    w->overflow = 1;
    return;
  }
  w->out[w->at++] = byte;
}

static void close_block(cobs_writer *w, int full) {
  if (w->code_at < w->capacity) w->out[w->code_at] = w->code;
  w->code_at = w->at;
  put(w, 0); /* placeholder for the next block's code byte */
  w->code = 1;
  w->after_full = full;
}

static void cobs_put(cobs_writer *w, const uint8_t *bytes, size_t length) {
  size_t i;
  for (i = 0; i < length; i++) {
    if (bytes[i] == 0) {
      close_block(w, 0);
    } else {
      put(w, bytes[i]);
      if (++w->code == 0xFFu) close_block(w, 1);
    }
  }
}

size_t edgecl_frame_encode(uint8_t type, uint16_t seq, const uint8_t *payload, uint32_t length, uint8_t *out,
                           size_t out_capacity) {
  uint8_t header[EDGECL_HEADER_SIZE];
  uint8_t crc_bytes[EDGECL_CRC_SIZE];
  uint32_t crc;
  cobs_writer w;

  header[EDGECL_HEADER_VERSION_OFFSET] = EDGECL_PROTOCOL_VERSION;
  header[EDGECL_HEADER_TYPE_OFFSET] = type;
  header[EDGECL_HEADER_SEQ_OFFSET] = (uint8_t)seq;
  header[EDGECL_HEADER_SEQ_OFFSET + 1] = (uint8_t)(seq >> 8);
  header[EDGECL_HEADER_LENGTH_OFFSET] = (uint8_t)length;
  header[EDGECL_HEADER_LENGTH_OFFSET + 1] = (uint8_t)(length >> 8);
  header[EDGECL_HEADER_LENGTH_OFFSET + 2] = (uint8_t)(length >> 16);
  header[EDGECL_HEADER_LENGTH_OFFSET + 3] = (uint8_t)(length >> 24);
  crc = edgecl_crc32(edgecl_crc32(0, header, sizeof header), payload, length);
  crc_bytes[0] = (uint8_t)crc;
  crc_bytes[1] = (uint8_t)(crc >> 8);
  crc_bytes[2] = (uint8_t)(crc >> 16);
  crc_bytes[3] = (uint8_t)(crc >> 24);

  w.out = out;
  w.capacity = out_capacity;
  w.at = 0;
  w.code_at = 0;
  w.code = 1;
  w.after_full = 0;
  w.overflow = 0;
  put(&w, 0); /* placeholder for the first code byte */
  cobs_put(&w, header, sizeof header);
  cobs_put(&w, payload, length);
  cobs_put(&w, crc_bytes, sizeof crc_bytes);
  if (w.code == 1 && w.after_full) {
    /* The data ended exactly on a full block: no empty block follows (the canonical form). */
    w.at = w.code_at;
  } else if (w.code_at < w.capacity) {
    w.out[w.code_at] = w.code;
  }
  put(&w, EDGECL_DELIMITER);
  return w.overflow ? 0 : w.at;
}
