/*
 * runtime.h on WAMR's interpreter (make RUNTIME=wamr WAMR_ROOT=...): the module arrives as .wasm
 * bytes at run time, built into the image (runtime_load_builtin) or received over the wire
 * (runtime_load), and WAMR validates, instantiates and interprets it.
 *
 * Memory: WAMR's own structures (the module's bytes, its loaded form, the instance, the interpreter's
 * stack) live in a static pool of EDGECL_WAMR_POOL_BYTES; linear memory comes from picolibc's heap
 * through the platform layer (firmware/wamr/platform), as in the wasm2c build.
 *
 * Two slots, each a module and its instance: the current one, and while a DEPLOY is being decided
 * the staged one (runtime_stage), which answers calls until runtime_commit makes it current or
 * runtime_discard frees it, so a failed deployment leaves the previous one as it was.
 *
 * Traps: WAMR reports them as an exception string on the instance ("Exception: <what>"); <what> is
 * one of the fixed texts of WAMR's exception_msgs[] (core/iwasm/common/wasm_runtime_common.c), which
 * trap_kind() maps to runtime_trap_t. The exception is cleared after each call so the instance
 * keeps answering.
 */
#include <stdio.h>
#include <string.h>

#include "mmio.h"
#include "runtime.h"
#include "wasm_export.h"

#ifndef EDGECL_WAMR_POOL_BYTES
#define EDGECL_WAMR_POOL_BYTES (1536u * 1024u)
#endif
#ifndef EDGECL_WAMR_STACK_BYTES
#define EDGECL_WAMR_STACK_BYTES (64u * 1024u)
#endif

/* runtime_call passes at most this many arguments (wasm2c's glue has no such limit, but no export of
 * the device module comes close). */
#define MAX_PARAMS 16

/* The module the image was built with (make WASM=...), generated into $(O)/gen/builtin_module.c. */
extern const uint8_t runtime_builtin_module[];
extern const uint32_t runtime_builtin_module_size;

static uint8_t pool[EDGECL_WAMR_POOL_BYTES] __attribute__((aligned(8)));

/* The board's limit as a variable, so comparisons with it read the same when the limit is 0. */
static const uint32_t memory_limit_pages = EDGECL_MEMORY_LIMIT_PAGES;

static int initialized;

/* A module and its instance. */
typedef struct {
  /* The module's bytes, while WAMR still points into them: the classic interpreter runs the bytecode in
   * place; the fast interpreter copies what it needs, and then the bytes are freed at once (NULL). */
  uint8_t *bytes;
  wasm_module_t module;
  uint32_t initial_pages; /* of the module's own memory, as declared in its binary */
  uint32_t max_pages;
  wasm_module_inst_t instance;
  wasm_exec_env_t exec_env;
  wasm_memory_inst_t memory; /* the exported memory; NULL when the module exports none */
} slot_t;

static slot_t slots[2];
static slot_t *current = &slots[0];
static slot_t *staged; /* NULL unless a runtime_stage awaits runtime_commit or runtime_discard */

/* The slot calls and memory accesses go to. */
static slot_t *active(void) { return staged != NULL ? staged : current; }
static slot_t *spare(void) { return current == &slots[0] ? &slots[1] : &slots[0]; }

/* ---- board natives: env.mmio_read32 / env.mmio_write32 ---- */

static uint32_t native_mmio_read32(wasm_exec_env_t env, uint32_t addr) {
  (void)env;
  return board_mmio_read32(addr);
}

static void native_mmio_write32(wasm_exec_env_t env, uint32_t addr, uint32_t value) {
  (void)env;
  board_mmio_write32(addr, value);
}

static NativeSymbol natives[] = {
    {"mmio_read32", (void *)native_mmio_read32, "(i)i", NULL},
    {"mmio_write32", (void *)native_mmio_write32, "(ii)", NULL},
};
#define NATIVE_MODULE "env"
#define NATIVE_LIST "env.mmio_read32, env.mmio_write32"

/* ---- errors ---- */

/* WAMR's exception texts, after its "Exception: " prefix. */
static const struct {
  const char *text;
  runtime_trap_t trap;
} wamr_traps[] = {
    {"unreachable", RUNTIME_TRAP_UNREACHABLE},
    {"out of bounds memory access", RUNTIME_TRAP_OUT_OF_BOUNDS},
    {"out of bounds table access", RUNTIME_TRAP_OUT_OF_BOUNDS},
    {"integer overflow", RUNTIME_TRAP_INTEGER_OVERFLOW},
    {"integer divide by zero", RUNTIME_TRAP_DIVIDE_BY_ZERO},
    {"invalid conversion to integer", RUNTIME_TRAP_INVALID_CONVERSION},
    {"indirect call type mismatch", RUNTIME_TRAP_INDIRECT_CALL},
    {"invalid function index", RUNTIME_TRAP_INDIRECT_CALL},
    {"undefined element", RUNTIME_TRAP_INDIRECT_CALL},
    {"uninitialized element", RUNTIME_TRAP_INDIRECT_CALL},
    {"wasm operand stack overflow", RUNTIME_TRAP_STACK_EXHAUSTED},
    {"native stack overflow", RUNTIME_TRAP_STACK_EXHAUSTED},
};

#define EXCEPTION_PREFIX "Exception: "

static const char *exception_text(const char *exception) {
  const char *at = strstr(exception, EXCEPTION_PREFIX);
  return at != NULL ? at + strlen(EXCEPTION_PREFIX) : exception;
}

static runtime_trap_t trap_kind(const char *text) {
  for (size_t i = 0; i < sizeof wamr_traps / sizeof wamr_traps[0]; i++)
    if (strcmp(text, wamr_traps[i].text) == 0) return wamr_traps[i].trap;
  return RUNTIME_TRAP_OTHER;
}

static runtime_status_t trapped(runtime_error_t *err, const char *exception, const char *where) {
  const char *text = exception_text(exception);
  runtime_fail(err, RUNTIME_ERR_TRAP, "trap in %s: %s", where, text);
  err->trap = trap_kind(text);
  return RUNTIME_ERR_TRAP;
}

/* ---- module and instance lifetime, in reverse order of creation ---- */

static void drop_instance(slot_t *slot) {
  if (slot->exec_env != NULL) wasm_runtime_destroy_exec_env(slot->exec_env);
  if (slot->instance != NULL) wasm_runtime_deinstantiate(slot->instance);
  slot->exec_env = NULL;
  slot->instance = NULL;
  slot->memory = NULL;
}

static void drop_module(slot_t *slot) {
  drop_instance(slot);
  if (slot->module != NULL) wasm_runtime_unload(slot->module);
  if (slot->bytes != NULL) wasm_runtime_free(slot->bytes);
  memset(slot, 0, sizeof *slot);
}

const char *runtime_name(void) { return "wamr"; }

uint32_t runtime_memory_limit_pages(void) { return memory_limit_pages; }

runtime_status_t runtime_init(runtime_error_t *err) {
  if (initialized) return runtime_ok(err);
  RuntimeInitArgs args;
  memset(&args, 0, sizeof args);
  args.mem_alloc_type = Alloc_With_Pool;
  args.mem_alloc_option.pool.heap_buf = pool;
  args.mem_alloc_option.pool.heap_size = sizeof pool;
  args.running_mode = Mode_Interp;
  if (!wasm_runtime_full_init(&args))
    return runtime_fail(err, RUNTIME_ERR_OUT_OF_MEMORY, "WAMR did not start in a pool of %u bytes", (unsigned)sizeof pool);
  if (!wasm_runtime_register_natives(NATIVE_MODULE, natives, sizeof natives / sizeof natives[0])) {
    wasm_runtime_destroy();
    return runtime_fail(err, RUNTIME_ERR_OUT_OF_MEMORY, "WAMR could not register the board natives");
  }
  initialized = 1;
  return runtime_ok(err);
}

/* The board provides functions env.mmio_read32 and env.mmio_write32 only; WAMR would load a module
 * with other imports and trap when one is called, but a module the board cannot run is refused here
 * (the wasm2c build refuses it at build time, with the same words). */
static runtime_status_t check_imports(wasm_module_t candidate, runtime_error_t *err) {
  int32_t count = wasm_runtime_get_import_count(candidate);
  for (int32_t i = 0; i < count; i++) {
    wasm_import_t import;
    wasm_runtime_get_import_type(candidate, i, &import);
    int board_native = import.kind == WASM_IMPORT_EXPORT_KIND_FUNC && strcmp(import.module_name, NATIVE_MODULE) == 0 &&
                       (strcmp(import.name, "mmio_read32") == 0 || strcmp(import.name, "mmio_write32") == 0);
    if (!board_native)
      return runtime_fail(err, RUNTIME_ERR_INVALID_MODULE, "the module imports %s.%s; boards provide only " NATIVE_LIST,
                  import.module_name, import.name);
    if (!import.linked)
      return runtime_fail(err, RUNTIME_ERR_INVALID_MODULE, "the module imports %s.%s with another signature than the board's",
                  import.module_name, import.name);
  }
  return runtime_ok(err);
}

#define WASM_MAX_PAGES 65536u /* 4 GiB: a memory without a declared maximum */

/* Reads an unsigned LEB128 of at most 32 bits at *p, advancing *p; 0 when it runs past end. */
static int read_u32(const uint8_t **p, const uint8_t *end, uint32_t *value) {
  uint32_t result = 0;
  for (unsigned shift = 0; shift < 35 && *p < end; shift += 7) {
    uint8_t byte = *(*p)++;
    result |= (uint32_t)(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *value = result;
      return 1;
    }
  }
  return 0;
}

/* Initial and maximum pages of the module's own memory, read from the binary's memory section
 * (WebAssembly core spec 5.5.8; 0 and 0 without one). WAMR cannot be asked: its loader turns the
 * memory of a module without memory.grow into one "page" of the whole size, and reports 1. The bytes
 * have passed WAMR's validation, so only the section layout is walked here. */
static void declared_memory_pages(const uint8_t *bytes, size_t len, uint32_t *initial, uint32_t *max) {
  const uint8_t *p = bytes + 8, *end = bytes + len; /* after the magic and version */
  *initial = 0;
  *max = 0;
  while (p < end) {
    uint8_t id = *p++;
    uint32_t size, count, flags;
    if (!read_u32(&p, end, &size) || size > (size_t)(end - p)) return;
    const uint8_t *next = p + size;
    if (id == 5 && read_u32(&p, next, &count) && count > 0 && read_u32(&p, next, &flags) && read_u32(&p, next, initial)) {
      if ((flags & 1) == 0 || !read_u32(&p, next, max)) *max = WASM_MAX_PAGES;
      return;
    }
    p = next;
  }
}

static runtime_status_t memory_limit_exceeded(uint32_t pages, runtime_error_t *err) {
  return runtime_fail(err, RUNTIME_ERR_MEMORY_LIMIT,
              "expected initial linear memory <= %u pages (board limit), received %u pages",
              (unsigned)memory_limit_pages, (unsigned)pages);
}

/* Loads and checks a module into an empty slot; on failure the slot stays empty. */
static runtime_status_t load_into(slot_t *slot, const uint8_t *bytes, size_t len, runtime_error_t *err) {
  if (!initialized) return runtime_fail(err, RUNTIME_ERR_NOT_READY, "runtime_init has not run");
  if (bytes == NULL || len == 0) return runtime_fail(err, RUNTIME_ERR_INVALID_MODULE, "expected a .wasm module, received 0 bytes");
  if (len > UINT32_MAX) return runtime_fail(err, RUNTIME_ERR_INVALID_MODULE, "expected a module below 4 GiB, received %lu bytes", (unsigned long)len);
  uint8_t *copy = wasm_runtime_malloc((uint32_t)len);
  if (copy == NULL)
    return runtime_fail(err, RUNTIME_ERR_OUT_OF_MEMORY, "no room in the runtime pool (%u bytes) for a module of %lu bytes",
                (unsigned)sizeof pool, (unsigned long)len);
  memcpy(copy, bytes, len);
  char error[RUNTIME_MESSAGE_MAX];
  LoadArgs load_args;
  memset(&load_args, 0, sizeof load_args);
  load_args.name = "";
  load_args.wasm_binary_freeable = true;
  wasm_module_t candidate = wasm_runtime_load_ex(copy, (uint32_t)len, &load_args, error, sizeof error);
  if (candidate == NULL) {
    wasm_runtime_free(copy);
    /* The loader's allocation failure is the pool being full, not the module being wrong. */
    if (strstr(error, "allocate memory failed") != NULL)
      return runtime_fail(err, RUNTIME_ERR_OUT_OF_MEMORY, "no room in the runtime pool (%u bytes, WAMR_POOL_KB) to load a module of %lu bytes",
                  (unsigned)sizeof pool, (unsigned long)len);
    return runtime_fail(err, RUNTIME_ERR_INVALID_MODULE, "%s", error);
  }
  runtime_status_t status = check_imports(candidate, err);
  uint32_t initial, max;
  declared_memory_pages(copy, len, &initial, &max);
  if (status == RUNTIME_OK && initial > memory_limit_pages) status = memory_limit_exceeded(initial, err);
  if (status != RUNTIME_OK) {
    wasm_runtime_unload(candidate);
    wasm_runtime_free(copy);
    return status;
  }
  slot->module = candidate;
  slot->bytes = copy;
  slot->initial_pages = initial;
  slot->max_pages = max;
  if (wasm_runtime_is_underlying_binary_freeable(candidate)) {
    wasm_runtime_free(slot->bytes);
    slot->bytes = NULL;
  }
  return runtime_ok(err);
}

runtime_status_t runtime_load(const uint8_t *bytes, size_t len, runtime_error_t *err) {
  runtime_discard();
  /* The candidate is loaded next to the current module, which stays until the candidate passed. */
  slot_t *candidate = spare();
  runtime_status_t status = load_into(candidate, bytes, len, err);
  if (status != RUNTIME_OK) return status;
  drop_module(current);
  current = candidate;
  return RUNTIME_OK;
}

runtime_status_t runtime_load_builtin(runtime_error_t *err) {
  return runtime_load(runtime_builtin_module, runtime_builtin_module_size, err);
}

static wasm_memory_inst_t find_exported_memory(const slot_t *slot) {
  int32_t count = wasm_runtime_get_export_count(slot->module);
  for (int32_t i = 0; i < count; i++) {
    wasm_export_t export_type;
    wasm_runtime_get_export_type(slot->module, i, &export_type);
    if (export_type.kind == WASM_IMPORT_EXPORT_KIND_MEMORY) return wasm_runtime_lookup_memory(slot->instance, export_type.name);
  }
  return NULL;
}

/* Instantiation failures come back as one error_buf text; a start function's trap carries WAMR's
 * "Exception: " prefix, an allocation failure its fixed words. */
static runtime_status_t instantiate_failed(const char *error, runtime_error_t *err) {
  if (strstr(error, EXCEPTION_PREFIX) != NULL) return trapped(err, error, "instantiation (start function)");
  if (strstr(error, "allocate memory failed") != NULL)
    return runtime_fail(err, RUNTIME_ERR_OUT_OF_MEMORY, "no room for the instance: %s", error);
  if (strstr(error, "out of bounds") != NULL || strstr(error, "does not fit") != NULL) {
    runtime_fail(err, RUNTIME_ERR_TRAP, "trap in instantiation (data or element segments): %s", error);
    err->trap = RUNTIME_TRAP_OUT_OF_BOUNDS;
    return RUNTIME_ERR_TRAP;
  }
  return runtime_fail(err, RUNTIME_ERR_INVALID_MODULE, "%s", error);
}

/* A fresh instance of the slot's module, in place of the one it had. */
static runtime_status_t instantiate_slot(slot_t *slot, runtime_error_t *err) {
  if (!initialized) return runtime_fail(err, RUNTIME_ERR_NOT_READY, "runtime_init has not run");
  if (slot->module == NULL) return runtime_fail(err, RUNTIME_ERR_NOT_READY, "no module loaded (runtime_load_builtin or runtime_load)");
  drop_instance(slot);
  if (slot->initial_pages > memory_limit_pages) return memory_limit_exceeded(slot->initial_pages, err);

  /* memory.grow past the board's limit fails inside the module (returns -1), as on any engine. A
   * max_memory_pages of 0 means "the module's own maximum" to WAMR (so a limit of 0 cannot stop a
   * memory declared with 0 pages from growing), and a value above the module's maximum only earns a
   * warning, so the smaller of the two is passed. */
  InstantiationArgs args;
  memset(&args, 0, sizeof args);
  args.default_stack_size = EDGECL_WAMR_STACK_BYTES;
  args.host_managed_heap_size = 0; /* no WAMR-managed heap inside linear memory: the module sees exactly its own pages */
  args.max_memory_pages = slot->max_pages < memory_limit_pages ? slot->max_pages : memory_limit_pages;
  char error[RUNTIME_MESSAGE_MAX];
  slot->instance = wasm_runtime_instantiate_ex(slot->module, &args, error, sizeof error);
  if (slot->instance == NULL) return instantiate_failed(error, err);

  slot->exec_env = wasm_runtime_create_exec_env(slot->instance, EDGECL_WAMR_STACK_BYTES);
  if (slot->exec_env == NULL) {
    drop_instance(slot);
    return runtime_fail(err, RUNTIME_ERR_OUT_OF_MEMORY, "no room in the runtime pool for a %u-byte interpreter stack",
                (unsigned)EDGECL_WAMR_STACK_BYTES);
  }
  slot->memory = find_exported_memory(slot);
  return runtime_ok(err);
}

runtime_status_t runtime_instantiate(runtime_error_t *err) {
  runtime_discard();
  return instantiate_slot(current, err);
}

runtime_status_t runtime_stage(const uint8_t *bytes, size_t len, runtime_error_t *err) {
  runtime_discard();
  slot_t *candidate = spare();
  runtime_status_t status = load_into(candidate, bytes, len, err);
  if (status == RUNTIME_OK) status = instantiate_slot(candidate, err);
  if (status != RUNTIME_OK) {
    drop_module(candidate);
    return status;
  }
  staged = candidate;
  return RUNTIME_OK;
}

void runtime_commit(void) {
  if (staged == NULL) return;
  drop_module(current);
  current = staged;
  staged = NULL;
}

void runtime_discard(void) {
  if (staged == NULL) return;
  drop_module(staged);
  staged = NULL;
}

/* ---- calls ---- */

static char type_letter(wasm_valkind_t kind) {
  switch (kind) {
    case WASM_I32: return RUNTIME_I32;
    case WASM_F32: return RUNTIME_F32;
    case WASM_I64: return 'I';
    case WASM_F64: return 'F';
    case WASM_V128: return 'V';
    default: return 'r';
  }
}

static const char *type_name(char letter) {
  switch (letter) {
    case RUNTIME_I32: return "i32";
    case RUNTIME_F32: return "f32";
    case 'I': return "i64";
    case 'F': return "f64";
    case 'V': return "v128";
    case 'r': return "a reference";
    default: return "another type";
  }
}

runtime_status_t runtime_call(const char *name, const runtime_value_t *args, uint32_t nargs, runtime_value_t *result,
                              runtime_error_t *err) {
  result->type = RUNTIME_VOID;
  const slot_t *slot = active();
  wasm_module_inst_t instance = slot->instance;
  if (instance == NULL) return runtime_fail(err, RUNTIME_ERR_NOT_READY, "no module instantiated");
  wasm_function_inst_t fn = wasm_runtime_lookup_function(instance, name);
  if (fn == NULL) return runtime_fail(err, RUNTIME_ERR_NO_EXPORT, "expected an exported function, received '%s'", name);

  uint32_t nparams = wasm_func_get_param_count(fn, instance);
  uint32_t nresults = wasm_func_get_result_count(fn, instance);
  if (nparams > MAX_PARAMS)
    return runtime_fail(err, RUNTIME_ERR_SIGNATURE, "export '%s' has %u parameters; runtime_call passes at most %u", name,
                (unsigned)nparams, (unsigned)MAX_PARAMS);
  wasm_valkind_t kinds[MAX_PARAMS];
  char params[MAX_PARAMS + 1];
  wasm_func_get_param_types(fn, instance, kinds);
  for (uint32_t i = 0; i < nparams; i++) params[i] = type_letter(kinds[i]);
  params[nparams] = '\0';
  if (nargs != nparams)
    return runtime_fail(err, RUNTIME_ERR_SIGNATURE, "export '%s' expects %u arguments (%s), received %u", name,
                (unsigned)nparams, params, (unsigned)nargs);
  for (uint32_t i = 0; i < nargs; i++)
    if (args[i].type != (runtime_type_t)params[i])
      return runtime_fail(err, RUNTIME_ERR_SIGNATURE, "export '%s' argument %u: expected %s, received %s", name, (unsigned)i,
                  type_name(params[i]), type_name((char)args[i].type));
  wasm_valkind_t result_kind = WASM_I32;
  if (nresults == 1) wasm_func_get_result_types(fn, instance, &result_kind);
  if (nresults > 1 || (nresults == 1 && result_kind != WASM_I32 && result_kind != WASM_F32))
    return runtime_fail(err, RUNTIME_ERR_SIGNATURE, "export '%s' returns %u values; runtime_call takes at most one i32 or f32",
                name, (unsigned)nresults);

  wasm_val_t wasm_args[MAX_PARAMS];
  for (uint32_t i = 0; i < nargs; i++) {
    memset(&wasm_args[i], 0, sizeof wasm_args[i]);
    if (args[i].type == RUNTIME_I32) {
      wasm_args[i].kind = WASM_I32;
      wasm_args[i].of.i32 = args[i].as.i32;
    } else {
      wasm_args[i].kind = WASM_F32;
      wasm_args[i].of.f32 = args[i].as.f32;
    }
  }
  wasm_val_t wasm_result;
  memset(&wasm_result, 0, sizeof wasm_result);
  if (!wasm_runtime_call_wasm_a(slot->exec_env, fn, nresults, &wasm_result, nargs, wasm_args)) {
    const char *exception = wasm_runtime_get_exception(instance);
    char where[RUNTIME_MESSAGE_MAX / 2];
    snprintf(where, sizeof where, "export '%s'", name);
    trapped(err, exception != NULL ? exception : "no exception recorded", where);
    wasm_runtime_clear_exception(instance);
    return RUNTIME_ERR_TRAP;
  }
  if (nresults == 1) {
    if (result_kind == WASM_I32) {
      result->type = RUNTIME_I32;
      result->as.i32 = wasm_result.of.i32;
    } else {
      result->type = RUNTIME_F32;
      result->as.f32 = wasm_result.of.f32;
    }
  }
  return runtime_ok(err);
}

/* ---- linear memory shared with the host ---- */

static uint32_t memory_bytes(const slot_t *slot) {
  if (slot->memory == NULL) return 0;
  return (uint32_t)(wasm_memory_get_cur_page_count(slot->memory) * wasm_memory_get_bytes_per_page(slot->memory));
}

runtime_status_t runtime_memory_base(uint8_t **base, uint32_t *size, runtime_error_t *err) {
  const slot_t *slot = active();
  if (slot->instance == NULL) return runtime_fail(err, RUNTIME_ERR_NOT_READY, "no module instantiated");
  if (slot->memory == NULL) return runtime_fail(err, RUNTIME_ERR_BOUNDS, "the module exports no linear memory");
  *size = memory_bytes(slot);
  /* memory.grow may move the buffer (realloc in the platform layer). */
  *base = (uint8_t *)wasm_memory_get_base_address(slot->memory);
  return runtime_ok(err);
}

uint32_t runtime_memory_size(void) {
  const slot_t *slot = active();
  return slot->instance == NULL ? 0 : memory_bytes(slot);
}
