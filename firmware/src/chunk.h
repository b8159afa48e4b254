/*
 * Reassembly of a chunked request (docs/protocol.md, "Chunked transfers") in portable C: the checks,
 * their order and their codes are those of host/protocol/chunk.ts's ChunkAssembler, so the firmware
 * and the simulated board refuse the same chunk the same way. The payload grows on the heap with the
 * data received (a forged total alone allocates nothing large), up to max_total.
 */
#ifndef EDGECL_CHUNK_H
#define EDGECL_CHUNK_H

#include <stddef.h>
#include <stdint.h>

#include "edgecl_protocol.h"

#define EDGECL_CHUNK_DETAIL_MAX 192

typedef struct {
  uint32_t max_total; /* largest whole payload accepted; larger transfers get DOES_NOT_FIT */
  int open;           /* a transfer has started and not finished */
  uint8_t inner_type;
  uint32_t count;
  uint32_t total;
  uint32_t next;     /* index expected next */
  uint32_t received; /* payload bytes so far */
  uint8_t *data;
  uint32_t capacity;
} edgecl_chunks;

typedef enum {
  EDGECL_CHUNK_PENDING,  /* more chunks to come; received / total say how far */
  EDGECL_CHUNK_COMPLETE, /* inner_type / data / length hold the whole message */
  EDGECL_CHUNK_FAILED,   /* code, problem and detail say why; the transfer is dropped */
} edgecl_chunk_status;

typedef struct {
  edgecl_chunk_status status;
  uint32_t received;
  uint32_t total;
  uint8_t inner_type;
  const uint8_t *data; /* COMPLETE: valid until the next push, abort or release */
  uint32_t length;
  uint16_t code;       /* FAILED: EDGECL_ERR_BAD_CHUNK or EDGECL_ERR_DOES_NOT_FIT */
  const char *problem; /* FAILED: "malformed", "bad-type", ... as chunk.ts names them */
  char detail[EDGECL_CHUNK_DETAIL_MAX];
} edgecl_chunk_result;

void edgecl_chunks_init(edgecl_chunks *chunks, uint32_t max_total);

/* Takes the payload of one CHUNK request. */
void edgecl_chunks_push(edgecl_chunks *chunks, const uint8_t *payload, uint32_t length, edgecl_chunk_result *result);

/* Drops a transfer in progress (another request arrived in the middle of it). */
void edgecl_chunks_abort(edgecl_chunks *chunks);

/* Frees the payload of a COMPLETE transfer once it has been handled. */
void edgecl_chunks_release(edgecl_chunks *chunks);

#endif
