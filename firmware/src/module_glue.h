/*
 * What runtime_wasm2c.c needs to know about the translated module, in a form that does not depend on
 * the module: wasm2c_glue.awk generates module_glue.c from wasm2c's header (the Makefile names the
 * module "device", so its symbols are Z_device*).
 */
#ifndef EDGECL_MODULE_GLUE_H
#define EDGECL_MODULE_GLUE_H

#include <stdint.h>

#include "runtime.h"
#include "wasm-rt.h"

struct Z_device_instance_t;
struct Z_env_instance_t;

/* Calls one export: unpacks args (already checked against `params`) and stores the result. */
typedef void (*module_thunk_t)(struct Z_device_instance_t *instance, const runtime_value_t *args,
                               runtime_value_t *result);

typedef struct {
  const char *name;   /* the export's name in the .wasm */
  const char *params; /* one runtime_type_t letter per parameter, e.g. "iif" */
  char result;        /* runtime_type_t letter, 'v' for none */
  module_thunk_t call;
} module_export_t;

extern const module_export_t module_exports[];
extern const uint32_t module_export_count;

/* Linear memory the module declares, in 64 KiB pages (0 and 0 without memory; max 65536 when the
 * module sets no maximum). */
extern const uint32_t module_memory_initial_pages;
extern const uint32_t module_memory_max_pages;

/* The one instance the image holds (static storage: no heap for the instance itself). */
extern struct Z_device_instance_t *const module_instance;

void module_init(void);
/* env carries the board natives' state; they keep none today, so NULL is fine. */
void module_instantiate(struct Z_device_instance_t *instance, struct Z_env_instance_t *env);
void module_free(struct Z_device_instance_t *instance);
/* The exported memory, or NULL when the module exports none. */
wasm_rt_memory_t *module_memory(struct Z_device_instance_t *instance);

#endif
