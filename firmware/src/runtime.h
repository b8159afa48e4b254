/*
 * The WebAssembly runtime as the rest of the firmware sees it. One interface, two builds:
 * runtime_wasm2c.c (the module translated to C and linked into the image; the default) and
 * runtime_wamr.c (WAMR's interpreter, which loads a module from bytes at run time: make RUNTIME=wamr).
 *
 * A straight line, as in WAMR's samples/basic: runtime_init, runtime_load_builtin (or runtime_load
 * with a module received over the wire), runtime_instantiate, then any number of runtime_call /
 * runtime_memory_read / runtime_memory_write. Every function returns a status and, on
 * failure, fills *err with the same status and a one-line message; a trap inside the module is such a
 * failure, never a crash, and the instance keeps answering afterwards.
 *
 * Exports are called by name with plain i32 / f32 parameters and at most one i32 / f32 result: the
 * contract between the device code (assembly/) and every board.
 */
#ifndef EDGECL_RUNTIME_H
#define EDGECL_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
  RUNTIME_OK = 0,
  RUNTIME_ERR_NOT_READY,     /* no module loaded or instantiated (an earlier step missing or failed) */
  RUNTIME_ERR_NO_EXPORT,     /* the module exports no function of that name */
  RUNTIME_ERR_SIGNATURE,     /* argument count or types differ from the export's */
  RUNTIME_ERR_TRAP,          /* the module trapped; err->trap says which trap */
  RUNTIME_ERR_BOUNDS,        /* a host access outside linear memory */
  RUNTIME_ERR_MEMORY_LIMIT,  /* the module needs more linear memory than the board allows */
  RUNTIME_ERR_OUT_OF_MEMORY, /* the firmware heap cannot hold the module's memory */
  RUNTIME_ERR_INVALID_MODULE, /* runtime_load: not a valid module, or it imports what the board lacks */
  RUNTIME_ERR_UNSUPPORTED,   /* this build cannot do that (wasm2c: loading a module at run time) */
} runtime_status_t;

/* Value types, spelled as in a signature string: "ii" -> "i" is (i32, i32) -> i32. */
typedef enum {
  RUNTIME_VOID = 'v', /* results only */
  RUNTIME_I32 = 'i',
  RUNTIME_F32 = 'f',
} runtime_type_t;

typedef struct {
  runtime_type_t type;
  union {
    int32_t i32;
    float f32;
  } as;
} runtime_value_t;

/* Trap kinds, in the order of the WebAssembly core spec's trapping instructions; err->trap. */
typedef enum {
  RUNTIME_TRAP_NONE = 0,
  RUNTIME_TRAP_OUT_OF_BOUNDS,     /* linear memory or table access out of bounds */
  RUNTIME_TRAP_INTEGER_OVERFLOW,  /* signed division overflow, float-to-int truncation overflow */
  RUNTIME_TRAP_DIVIDE_BY_ZERO,
  RUNTIME_TRAP_INVALID_CONVERSION, /* NaN to integer */
  RUNTIME_TRAP_UNREACHABLE,
  RUNTIME_TRAP_INDIRECT_CALL,     /* call_indirect: null, out of range or wrong signature */
  RUNTIME_TRAP_STACK_EXHAUSTED,   /* call depth above the runtime's limit */
  RUNTIME_TRAP_OTHER,
} runtime_trap_t;

#define RUNTIME_MESSAGE_MAX 128

typedef struct {
  runtime_status_t status;
  runtime_trap_t trap;
  char message[RUNTIME_MESSAGE_MAX];
} runtime_error_t;

/* Name of the build, e.g. "wasm2c". */
const char *runtime_name(void);

/* Prepares the runtime. Call once, before anything else. */
runtime_status_t runtime_init(runtime_error_t *err);

/* Makes the module the image was built with (make WASM=...) the current one. wasm2c: a no-op, that
 * module is compiled into the image. WAMR: runtime_load of the module's bytes, which the build
 * embeds in the image. Boot code calls this once after runtime_init, on either build. */
runtime_status_t runtime_load_builtin(runtime_error_t *err);

/* Replaces the current module with the .wasm binary in bytes[0..len) (what DEPLOY receives): the
 * module is validated completely, its imports must be ones the board provides (env.mmio_read32,
 * env.mmio_write32) and its initial memory must fit the board's limit. The runtime keeps its own
 * copy of the bytes. On failure (RUNTIME_ERR_INVALID_MODULE, RUNTIME_ERR_MEMORY_LIMIT,
 * RUNTIME_ERR_OUT_OF_MEMORY) the module and instance already there stay and keep answering; on
 * success the previous instance is gone and runtime_instantiate comes next. The wasm2c build returns
 * RUNTIME_ERR_UNSUPPORTED: its module is compiled in, so a new one means rebuilding the image. */
runtime_status_t runtime_load(const uint8_t *bytes, size_t len, runtime_error_t *err);

/* Creates a fresh instance of the module (dropping any previous one): allocates linear memory,
 * applies data segments, runs the start function. Refuses a module whose initial memory exceeds the
 * board's limit (RUNTIME_ERR_MEMORY_LIMIT) before allocating anything. */
runtime_status_t runtime_instantiate(runtime_error_t *err);

/* A deployment that may still fail (DEPLOY: a new module, then its configuration). runtime_stage loads
 * the module in bytes[0..len) as runtime_load does and creates an instance of it beside the current
 * module and instance, which stay as they are; from then on calls and memory accesses go to the staged
 * instance, until runtime_commit makes it the current one (freeing the previous module and instance)
 * or runtime_discard frees it (the previous ones answer again). On failure nothing is staged and
 * nothing changed. runtime_load and runtime_instantiate discard a staged instance first. The runtime
 * needs room for two modules and two instances at once. The wasm2c build returns
 * RUNTIME_ERR_UNSUPPORTED (its one module is compiled in); commit and discard then do nothing. */
runtime_status_t runtime_stage(const uint8_t *bytes, size_t len, runtime_error_t *err);
void runtime_commit(void);
void runtime_discard(void);

/* Calls export `name` with `nargs` arguments; *result gets the return value (type RUNTIME_VOID when
 * the export returns nothing). */
runtime_status_t runtime_call(const char *name, const runtime_value_t *args, uint32_t nargs,
                              runtime_value_t *result, runtime_error_t *err);

/* Copies between the host and the instance's exported linear memory; the whole range must lie inside
 * the memory's current size. */
runtime_status_t runtime_memory_read(uint32_t offset, void *dst, uint32_t len, runtime_error_t *err);
runtime_status_t runtime_memory_write(uint32_t offset, const void *src, uint32_t len,
                                      runtime_error_t *err);

/* Each runtime's part of the two above (runtime_names.c checks the range): the exported linear
 * memory's base and current size. Asked for on every access: memory.grow may move the buffer. */
runtime_status_t runtime_memory_base(uint8_t **base, uint32_t *size, runtime_error_t *err);

/* Current size of the exported linear memory in bytes; 0 without an instance. */
uint32_t runtime_memory_size(void);

/* Largest linear memory the board lets the module have, in 64 KiB pages. */
uint32_t runtime_memory_limit_pages(void);

/* Stable lower-case names, e.g. "trap" and "unreachable", for logs and error replies. */
const char *runtime_status_name(runtime_status_t status);
const char *runtime_trap_name(runtime_trap_t trap);

/* For the runtime builds: clear *err and return RUNTIME_OK; or fill it (no trap) and return status. */
runtime_status_t runtime_ok(runtime_error_t *err);
runtime_status_t runtime_fail(runtime_error_t *err, runtime_status_t status, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

#endif
