/*
 * Host<->board framing in portable C99: COBS(header | payload | CRC-32) followed by a 0x00 delimiter.
 * No platform code: the caller owns every buffer and moves the bytes. The checks, their order and
 * their error codes are those of host/protocol/frame.ts and docs/protocol.md, so both sides reject
 * a bad frame the same way.
 */
#ifndef EDGECL_FRAME_H
#define EDGECL_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "edgecl_protocol.h"

/* 1 when `type` is one of the protocol's message types (spec/protocol.json), else 0. */
static inline int edgecl_message_known(uint8_t type) {
  switch (type) {
#define EDGECL_CASE(name, code) case code:
    EDGECL_MESSAGES(EDGECL_CASE)
#undef EDGECL_CASE
    return 1;
  default:
    return 0;
  }
}

/* CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), in crc32.c. Start from 0; to continue over
 * more bytes pass the previous result, as zlib's crc32(crc, buf, len) does. */
uint32_t edgecl_crc32(uint32_t crc, const uint8_t *data, size_t length);

/* A frame, or the header of a rejected one when header_trusted is set. */
typedef struct {
  uint8_t type;
  uint16_t seq;
  uint32_t length;
  const uint8_t *payload; /* points into the decoder's buffer; valid until the next byte is pushed */
  int header_trusted;     /* 1 when the header passed the CRC check, so seq and type can be echoed */
} edgecl_frame;

typedef struct {
  uint8_t *buffer;      /* decoded bytes of the frame in progress */
  size_t capacity;      /* the board's maximum frame size, at least EDGECL_MIN_MAX_FRAME_SIZE */
  size_t length;        /* decoded bytes so far */
  size_t received;      /* encoded bytes so far */
  uint8_t remaining;    /* data bytes left in the current COBS block */
  uint8_t zero_pending; /* the current block, when another follows, ends with a zero */
  uint8_t discarding;   /* an oversize frame was reported: drop bytes up to the next delimiter */
} edgecl_decoder;

/* Results of edgecl_decoder_push besides the positive EDGECL_ERR_* codes. */
#define EDGECL_FRAME_PENDING (-1) /* nothing to report yet */
#define EDGECL_FRAME_READY 0      /* *frame holds a valid frame */

void edgecl_decoder_init(edgecl_decoder *decoder, uint8_t *buffer, size_t capacity);

/*
 * Takes one byte of the stream. Returns EDGECL_FRAME_PENDING, EDGECL_FRAME_READY, or the EDGECL_ERR_*
 * code of a rejected frame (*frame then holds its header if header_trusted). Each delimited frame gives
 * exactly one READY or error; an empty frame (two delimiters in a row) gives nothing; an oversize frame
 * gives EDGECL_ERR_OVERSIZE at the byte that overflows, and nothing more up to its delimiter.
 */
int edgecl_decoder_push(edgecl_decoder *decoder, uint8_t byte, edgecl_frame *frame);

/*
 * Writes the wire bytes of one frame (COBS-encoded, delimiter included) to out. Returns the number of
 * bytes written, or 0 when out_capacity is too small; EDGECL_FRAME_MAX_WIRE(EDGECL_FRAME_OVERHEAD + length)
 * bytes always suffice.
 */
size_t edgecl_frame_encode(uint8_t type, uint16_t seq, const uint8_t *payload, uint32_t length, uint8_t *out,
                           size_t out_capacity);

#endif /* EDGECL_FRAME_H */
