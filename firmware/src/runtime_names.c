/* What every runtime build shares: the stable names of runtime.h's statuses and traps, filling in
 * a runtime_error_t, and host access to linear memory within its bounds. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "runtime.h"

runtime_status_t runtime_ok(runtime_error_t *err) {
  err->status = RUNTIME_OK;
  err->trap = RUNTIME_TRAP_NONE;
  err->message[0] = '\0';
  return RUNTIME_OK;
}

runtime_status_t runtime_fail(runtime_error_t *err, runtime_status_t status, const char *format, ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(err->message, sizeof err->message, format, args);
  va_end(args);
  err->status = status;
  err->trap = RUNTIME_TRAP_NONE;
  return status;
}

const char *runtime_status_name(runtime_status_t status) {
  switch (status) {
    case RUNTIME_OK: return "ok";
    case RUNTIME_ERR_NOT_READY: return "not-ready";
    case RUNTIME_ERR_NO_EXPORT: return "no-export";
    case RUNTIME_ERR_SIGNATURE: return "signature";
    case RUNTIME_ERR_TRAP: return "trap";
    case RUNTIME_ERR_BOUNDS: return "bounds";
    case RUNTIME_ERR_MEMORY_LIMIT: return "memory-limit";
    case RUNTIME_ERR_OUT_OF_MEMORY: return "out-of-memory";
    case RUNTIME_ERR_INVALID_MODULE: return "invalid-module";
    case RUNTIME_ERR_UNSUPPORTED: return "unsupported";
  }
  return "unknown";
}

const char *runtime_trap_name(runtime_trap_t trap) {
  switch (trap) {
    case RUNTIME_TRAP_NONE: return "none";
    case RUNTIME_TRAP_OUT_OF_BOUNDS: return "out-of-bounds";
    case RUNTIME_TRAP_INTEGER_OVERFLOW: return "integer-overflow";
    case RUNTIME_TRAP_DIVIDE_BY_ZERO: return "divide-by-zero";
    case RUNTIME_TRAP_INVALID_CONVERSION: return "invalid-conversion";
    case RUNTIME_TRAP_UNREACHABLE: return "unreachable";
    case RUNTIME_TRAP_INDIRECT_CALL: return "indirect-call";
    case RUNTIME_TRAP_STACK_EXHAUSTED: return "stack-exhausted";
    case RUNTIME_TRAP_OTHER: return "other";
  }
  return "unknown";
}

/* The bytes [offset, offset + len) of the instance's linear memory, when they lie inside it. */
static runtime_status_t memory_range(uint32_t offset, uint32_t len, uint8_t **bytes, runtime_error_t *err) {
  uint8_t *base = NULL;
  uint32_t size = 0;
  runtime_status_t status = runtime_memory_base(&base, &size, err);
  if (status != RUNTIME_OK) return status;
  if ((uint64_t)offset + len > size)
    return runtime_fail(err, RUNTIME_ERR_BOUNDS, "expected a range inside %u bytes of linear memory, received offset %u length %u",
                (unsigned)size, (unsigned)offset, (unsigned)len);
  *bytes = base + offset;
  return runtime_ok(err);
}

runtime_status_t runtime_memory_read(uint32_t offset, void *dst, uint32_t len, runtime_error_t *err) {
  uint8_t *bytes = NULL;
  runtime_status_t status = memory_range(offset, len, &bytes, err);
  if (status == RUNTIME_OK) memcpy(dst, bytes, len);
  return status;
}

runtime_status_t runtime_memory_write(uint32_t offset, const void *src, uint32_t len, runtime_error_t *err) {
  uint8_t *bytes = NULL;
  runtime_status_t status = memory_range(offset, len, &bytes, err);
  if (status == RUNTIME_OK) memcpy(bytes, src, len);
  return status;
}
