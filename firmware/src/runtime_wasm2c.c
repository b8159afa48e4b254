/*
 * runtime.h on wasm2c: the module was translated to C at build time and is linked into the image.
 *
 * Bare-metal configuration (Makefile, WASM2C_FLAGS): no signal handler and no mmap, so every load
 * and store checks its bounds explicitly, call depth is counted, and a trap is a longjmp back to the
 * wasm_rt_impl_try() in the function that entered the module (enter_* below).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmio.h"
#include "module_glue.h"
#include "runtime.h"
#include "wasm-rt-impl.h"

#define WASM_PAGE_BYTES 65536u

/* Board natives the module imports (wasm2c names them Z_<module>Z_<field>). */
uint32_t Z_envZ_mmio_read32(struct Z_env_instance_t *env, uint32_t addr);
void Z_envZ_mmio_write32(struct Z_env_instance_t *env, uint32_t addr, uint32_t value);

uint32_t Z_envZ_mmio_read32(struct Z_env_instance_t *env, uint32_t addr) {
  (void)env;
  return board_mmio_read32(addr);
}

void Z_envZ_mmio_write32(struct Z_env_instance_t *env, uint32_t addr, uint32_t value) {
  (void)env;
  board_mmio_write32(addr, value);
}

static int initialized;
static int instantiated;


static runtime_trap_t trap_kind(wasm_rt_trap_t trap) {
  switch (trap) {
    case WASM_RT_TRAP_NONE: return RUNTIME_TRAP_NONE;
    case WASM_RT_TRAP_OOB: return RUNTIME_TRAP_OUT_OF_BOUNDS;
    case WASM_RT_TRAP_INT_OVERFLOW: return RUNTIME_TRAP_INTEGER_OVERFLOW;
    case WASM_RT_TRAP_DIV_BY_ZERO: return RUNTIME_TRAP_DIVIDE_BY_ZERO;
    case WASM_RT_TRAP_INVALID_CONVERSION: return RUNTIME_TRAP_INVALID_CONVERSION;
    case WASM_RT_TRAP_UNREACHABLE: return RUNTIME_TRAP_UNREACHABLE;
    case WASM_RT_TRAP_CALL_INDIRECT: return RUNTIME_TRAP_INDIRECT_CALL;
    case WASM_RT_TRAP_EXHAUSTION: return RUNTIME_TRAP_STACK_EXHAUSTED;
    default: return RUNTIME_TRAP_OTHER;
  }
}

static runtime_status_t trapped(runtime_error_t *err, wasm_rt_trap_t trap, const char *where) {
  runtime_fail(err, RUNTIME_ERR_TRAP, "trap in %s: %s", where, wasm_rt_strerror(trap));
  err->trap = trap_kind(trap);
  return RUNTIME_ERR_TRAP;
}

const char *runtime_name(void) { return "wasm2c"; }

uint32_t runtime_memory_limit_pages(void) { return EDGECL_MEMORY_LIMIT_PAGES; }

runtime_status_t runtime_init(runtime_error_t *err) {
  if (!initialized) {
    wasm_rt_init();
    module_init();
    initialized = 1;
  }
  return runtime_ok(err);
}

runtime_status_t runtime_load_builtin(runtime_error_t *err) {
  if (!initialized) return runtime_fail(err, RUNTIME_ERR_NOT_READY, "runtime_init has not run");
  return runtime_ok(err); /* the module is compiled into the image */
}

runtime_status_t runtime_load(const uint8_t *bytes, size_t len, runtime_error_t *err) {
  (void)bytes;
  return runtime_fail(err, RUNTIME_ERR_UNSUPPORTED,
              "not supported: the wasm2c image has its module compiled in; rebuild the image with the new "
              "module (%lu bytes), or use the WAMR build",
              (unsigned long)len);
}

runtime_status_t runtime_stage(const uint8_t *bytes, size_t len, runtime_error_t *err) { return runtime_load(bytes, len, err); }

void runtime_commit(void) {}

void runtime_discard(void) {}

/* setjmp must stay in the frame that calls into the module, so each entry has its own function. */
static runtime_status_t enter_instantiate(runtime_error_t *err) {
  wasm_rt_trap_t trap = wasm_rt_impl_try();
  if (trap != WASM_RT_TRAP_NONE) return trapped(err, trap, "instantiation (data segments or start function)");
  module_instantiate(module_instance, NULL);
  return runtime_ok(err);
}

runtime_status_t runtime_instantiate(runtime_error_t *err) {
  if (!initialized) return runtime_fail(err, RUNTIME_ERR_NOT_READY, "runtime_init has not run");
  if (instantiated) {
    module_free(module_instance);
    instantiated = 0;
  }
  uint32_t pages = module_memory_initial_pages;
  if (pages > EDGECL_MEMORY_LIMIT_PAGES)
    return runtime_fail(err, RUNTIME_ERR_MEMORY_LIMIT,
                "expected initial linear memory <= %u pages (board limit), received %u pages",
                (unsigned)EDGECL_MEMORY_LIMIT_PAGES, (unsigned)pages);
  /* wasm-rt-impl does not check calloc; probe first so a full heap is an error, not a NULL store. */
  if (pages > 0) {
    void *probe = malloc((size_t)pages * WASM_PAGE_BYTES);
    if (probe == NULL)
      return runtime_fail(err, RUNTIME_ERR_OUT_OF_MEMORY, "no room in the firmware heap for %u pages of linear memory",
                  (unsigned)pages);
    free(probe);
  }
  runtime_status_t status = enter_instantiate(err);
  if (status != RUNTIME_OK) {
    module_free(module_instance);
    return status;
  }
  /* memory.grow past the board's limit fails inside the module (returns -1), as on any engine. */
  wasm_rt_memory_t *memory = module_memory(module_instance);
  if (memory != NULL && memory->max_pages > EDGECL_MEMORY_LIMIT_PAGES) memory->max_pages = EDGECL_MEMORY_LIMIT_PAGES;
  instantiated = 1;
  return RUNTIME_OK;
}

static const module_export_t *find_export(const char *name) {
  for (uint32_t i = 0; i < module_export_count; i++)
    if (strcmp(module_exports[i].name, name) == 0) return &module_exports[i];
  return NULL;
}

static runtime_status_t enter_call(const module_export_t *fn, const runtime_value_t *args, runtime_value_t *result,
                                   runtime_error_t *err) {
  wasm_rt_trap_t trap = wasm_rt_impl_try();
  if (trap != WASM_RT_TRAP_NONE) {
    result->type = RUNTIME_VOID;
    char where[RUNTIME_MESSAGE_MAX / 2];
    snprintf(where, sizeof where, "export '%s'", fn->name);
    return trapped(err, trap, where);
  }
  fn->call(module_instance, args, result);
  return runtime_ok(err);
}

runtime_status_t runtime_call(const char *name, const runtime_value_t *args, uint32_t nargs, runtime_value_t *result,
                              runtime_error_t *err) {
  result->type = RUNTIME_VOID;
  if (!instantiated) return runtime_fail(err, RUNTIME_ERR_NOT_READY, "no module instantiated");
  const module_export_t *fn = find_export(name);
  if (fn == NULL) return runtime_fail(err, RUNTIME_ERR_NO_EXPORT, "expected an exported function, received '%s'", name);
  uint32_t nparams = (uint32_t)strlen(fn->params);
  if (nargs != nparams)
    return runtime_fail(err, RUNTIME_ERR_SIGNATURE, "export '%s' expects %u arguments (%s), received %u", fn->name,
                (unsigned)nparams, fn->params, (unsigned)nargs);
  for (uint32_t i = 0; i < nargs; i++)
    if (args[i].type != (runtime_type_t)fn->params[i])
      return runtime_fail(err, RUNTIME_ERR_SIGNATURE, "export '%s' argument %u: expected %s, received %s", fn->name,
                  (unsigned)i, fn->params[i] == 'i' ? "i32" : "f32",
                  args[i].type == RUNTIME_I32 ? "i32" : args[i].type == RUNTIME_F32 ? "f32" : "another type");
  return enter_call(fn, args, result, err);
}

runtime_status_t runtime_memory_base(uint8_t **base, uint32_t *size, runtime_error_t *err) {
  if (!instantiated) return runtime_fail(err, RUNTIME_ERR_NOT_READY, "no module instantiated");
  wasm_rt_memory_t *memory = module_memory(module_instance);
  if (memory == NULL) return runtime_fail(err, RUNTIME_ERR_BOUNDS, "the module exports no linear memory");
  *size = (uint32_t)memory->size;
  /* memory.grow may move the buffer (realloc). */
  *base = memory->data;
  return runtime_ok(err);
}

uint32_t runtime_memory_size(void) {
  if (!instantiated) return 0;
  wasm_rt_memory_t *memory = module_memory(module_instance);
  return memory == NULL ? 0 : memory->size;
}
