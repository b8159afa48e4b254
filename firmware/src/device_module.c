/* The device module's command interface over the runtime layer: see device_module.h. */
#include "device_module.h"

#include <stdio.h>
#include <string.h>

#include "accel_totals.h"
#include "board_config.h"
#include "clock.h"
#include "frame.h"
#include "runtime.h"

#define WASM_PAGE_BYTES 65536u

/* The command interface every device module exports (board/sim/module.ts REQUIRED_EXPORTS). */
static const char *const required_exports[] = {"cmd_buffer", "cmd_run", "cmd_reply_ptr", "cmd_reply_len"};
#define REQUIRED_EXPORT_COUNT (sizeof required_exports / sizeof required_exports[0])

static int booted;
static runtime_error_t boot_error;
static int instantiated; /* the instance calls go to exists */
static int deployed;
/* What device_load staged, until device_commit or device_discard. */
static enum { STAGED_NONE, STAGED_KEPT, STAGED_FRESH, STAGED_BESIDE } staged;
static int instantiated_before_staging;
static uint64_t busy_ticks;
static double busy_accel_ns; /* what the accelerator's jobs change in that time (accel_totals.h) */

static const char *name_of(uint8_t type) {
  const char *name = protocol_message_name(type);
  return name != NULL ? name : "a request";
}

static uint32_t memory_limit_bytes(void) { return runtime_memory_limit_pages() * WASM_PAGE_BYTES; }

void device_boot(void) {
  runtime_error_t err;
  if (runtime_init(&err) == RUNTIME_OK && runtime_load_builtin(&err) == RUNTIME_OK) {
    booted = 1;
    return;
  }
  boot_error = err;
}

int device_deployed(void) { return deployed; }
void device_set_deployed(int value) { deployed = value; }
double device_busy_us(void) {
  return (double)busy_ticks * (1e6 / CLOCK_TICKS_PER_SECOND) + busy_accel_ns * 1e-3;
}
void device_reset_busy(void) {
  busy_ticks = 0;
  busy_accel_ns = 0;
}

static int not_booted(uint8_t request_type, reply_t *reply) {
  reply_error(reply, request_type, EDGECL_ERR_INTERNAL, "expected the board's %s runtime to start, received: %s",
              runtime_name(), boot_error.message);
  return 0;
}

/* A failed runtime_load or runtime_instantiate as the reply the simulated board gives for the same. */
static int refused(uint8_t request_type, const runtime_error_t *err, const char *step, reply_t *reply) {
  switch (err->status) {
    case RUNTIME_ERR_MEMORY_LIMIT:
    case RUNTIME_ERR_OUT_OF_MEMORY:
      reply_error(reply, request_type, EDGECL_ERR_DOES_NOT_FIT, "expected a module that fits the board: %s", err->message);
      break;
    case RUNTIME_ERR_TRAP:
      reply_error(reply, request_type, EDGECL_ERR_TRAP, "the device module trapped while starting: %s", err->message);
      break;
    case RUNTIME_ERR_INVALID_MODULE:
      reply_error(reply, request_type, EDGECL_ERR_BAD_CONFIG, "expected a valid WebAssembly device module, received one the %s runtime refuses: %s",
                  runtime_name(), err->message);
      break;
    default:
      reply_error(reply, request_type, EDGECL_ERR_BAD_CONFIG, "the device module could not be %s: %s", step, err->message);
      break;
  }
  return 0;
}

/* True when the instance exports a function `name`: a call with 17 arguments of no type is refused
 * by its signature check before anything runs (RUNTIME_ERR_SIGNATURE), and by name when it is missing. */
static int exports_function(const char *name) {
  runtime_value_t args[17];
  runtime_value_t result;
  runtime_error_t err;
  memset(args, 0, sizeof args);
  for (unsigned i = 0; i < 17; i++) args[i].type = RUNTIME_VOID;
  return runtime_call(name, args, 17, &result, &err) != RUNTIME_ERR_NO_EXPORT;
}

static int check_interface(uint8_t request_type, reply_t *reply) {
  char missing[96] = "";
  for (unsigned i = 0; i < REQUIRED_EXPORT_COUNT; i++)
    if (!exports_function(required_exports[i])) {
      if (missing[0] != '\0') strncat(missing, ", ", sizeof missing - strlen(missing) - 1);
      strncat(missing, required_exports[i], sizeof missing - strlen(missing) - 1);
    }
  if (missing[0] != '\0') {
    reply_error(reply, request_type, EDGECL_ERR_BAD_CONFIG,
                "expected a device module exporting cmd_buffer, cmd_run, cmd_reply_ptr, cmd_reply_len, received one without %s",
                missing);
    return 0;
  }
  runtime_error_t err;
  uint8_t none;
  if (runtime_memory_read(0, &none, 0, &err) != RUNTIME_OK) {
    reply_error(reply, request_type, EDGECL_ERR_BAD_CONFIG, "expected a device module exporting its linear memory, received one that does not");
    return 0;
  }
  return 1;
}

static int instantiate(uint8_t request_type, reply_t *reply) {
  runtime_error_t err;
  instantiated = 0;
  /* A fresh instance gets a fresh accelerator, as each deployment on the simulated board does. */
  board_accel_restart();
  if (runtime_instantiate(&err) != RUNTIME_OK) return refused(request_type, &err, "instantiated", reply);
  instantiated = 1;
  return 1;
}

int device_load(const uint8_t *module, uint32_t length, reply_t *reply) {
  if (!booted) return not_booted(EDGECL_MSG_DEPLOY, reply);
  device_discard();
#if EDGECL_RUNTIME_LOADS_MODULES
  runtime_error_t err;
  /* A refusal here leaves the module and instance there were, still answering. */
  if (runtime_stage(module, length, &err) != RUNTIME_OK) return refused(EDGECL_MSG_DEPLOY, &err, "loaded", reply);
  staged = STAGED_BESIDE;
  instantiated_before_staging = instantiated;
  instantiated = 1;
  /* A fresh instance gets a fresh accelerator, as each deployment on the simulated board does. */
  board_accel_restart();
  if (!check_interface(EDGECL_MSG_DEPLOY, reply)) {
    device_discard();
    return 0;
  }
  return 1;
#else
  uint32_t crc = edgecl_crc32(0, module, length);
  if (length != EDGECL_BUILTIN_MODULE_BYTES || crc != EDGECL_BUILTIN_MODULE_CRC32) {
    reply_error(reply, EDGECL_MSG_DEPLOY, EDGECL_ERR_BAD_CONFIG,
                "expected the module built into this %s image (%lu bytes, CRC-32 0x%08lx), received %lu bytes with CRC-32 "
                "0x%08lx; the %s build runs only the module it was built with: rebuild the image with this module "
                "(edgecl firmware build --board %s --wasm FILE) and restart the board",
                runtime_name(), (unsigned long)EDGECL_BUILTIN_MODULE_BYTES, (unsigned long)EDGECL_BUILTIN_MODULE_CRC32,
                (unsigned long)length, (unsigned long)crc, runtime_name(), EDGECL_BOARD_NAME);
    return 0;
  }
  /* The one module there is: a deployment keeps its instance, so a configuration that fails leaves it whole. */
  if (deployed && instantiated) {
    staged = STAGED_KEPT;
    return 1;
  }
  if (!instantiate(EDGECL_MSG_DEPLOY, reply) || !check_interface(EDGECL_MSG_DEPLOY, reply)) return 0;
  staged = STAGED_FRESH;
  return 1;
#endif
}

void device_commit(void) {
  if (staged == STAGED_BESIDE) runtime_commit();
  if (staged != STAGED_NONE) deployed = 1;
  staged = STAGED_NONE;
}

void device_discard(void) {
  if (staged == STAGED_BESIDE) {
    runtime_discard();
    instantiated = instantiated_before_staging;
  }
  staged = STAGED_NONE;
}

int device_reinstantiate(uint8_t request_type, reply_t *reply) {
  if (!booted) return not_booted(request_type, reply);
  return instantiate(request_type, reply);
}

static int trapped(uint8_t type, const runtime_error_t *err, reply_t *reply) {
  reply_error(reply, type, EDGECL_ERR_TRAP, "the device module trapped in %s: %s (linear memory %lu of %lu bytes)",
              name_of(type), err->message, (unsigned long)runtime_memory_size(), (unsigned long)memory_limit_bytes());
  return 0;
}

/* Calls a command export with i32 arguments; 0 and an ERROR when it fails. */
static int call(const char *name, uint8_t type, uint32_t nargs, int32_t a0, int32_t a1, uint32_t *value, reply_t *reply) {
  runtime_value_t args[2] = {{RUNTIME_I32, {.i32 = a0}}, {RUNTIME_I32, {.i32 = a1}}};
  runtime_value_t result;
  runtime_error_t err;
  runtime_status_t status = runtime_call(name, args, nargs, &result, &err);
  if (status == RUNTIME_ERR_TRAP) return trapped(type, &err, reply);
  if (status != RUNTIME_OK) {
    reply_error(reply, type, EDGECL_ERR_INTERNAL, "the board could not call the device's %s for %s: %s", name, name_of(type),
                err.message);
    return 0;
  }
  if (result.type != RUNTIME_I32) {
    reply_error(reply, type, EDGECL_ERR_INTERNAL, "expected the device's %s to return an i32, received another type", name);
    return 0;
  }
  *value = (uint32_t)result.as.i32;
  return 1;
}

uint32_t device_image_piece_bytes(void) {
  runtime_value_t result;
  runtime_error_t err;
  if (!instantiated || runtime_call("cmd_image_pieces", NULL, 0, &result, &err) != RUNTIME_OK || result.type != RUNTIME_I32) return 0;
  return (uint32_t)result.as.i32;
}

int device_read(uint32_t offset, void *dst, uint32_t length) {
  runtime_error_t err;
  return runtime_memory_read(offset, dst, length, &err) == RUNTIME_OK;
}

int device_run(uint8_t type, const uint8_t *payload, uint32_t length, uint32_t *body_offset, uint32_t *body_length,
               reply_t *reply) {
  const char *name = name_of(type);
  uint32_t buffer, code, reply_ptr, reply_len;
  runtime_error_t err;
  if (!instantiated) {
    reply_error(reply, type, EDGECL_ERR_NOT_DEPLOYED, "expected a deployed learner for %s, received none; send DEPLOY first", name);
    return 0;
  }
  if (!call("cmd_buffer", type, 1, (int32_t)length, 0, &buffer, reply)) return 0;
  if (buffer == 0 || (uint64_t)buffer + length > runtime_memory_size()) {
    reply_error(reply, type, EDGECL_ERR_DOES_NOT_FIT,
                "expected room for a %lu-byte %s request in linear memory, received none (%lu of %lu bytes in use)",
                (unsigned long)length, name, (unsigned long)runtime_memory_size(), (unsigned long)memory_limit_bytes());
    return 0;
  }
  if (length > 0 && runtime_memory_write(buffer, payload, length, &err) != RUNTIME_OK) {
    reply_error(reply, type, EDGECL_ERR_INTERNAL, "the board could not copy the %s request into linear memory: %s", name, err.message);
    return 0;
  }
  (void)board_accel_take_time_ns(); /* what the accelerator did outside commands is not device time */
  uint64_t started = clock_ticks();
  int ran = call("cmd_run", type, 2, (int32_t)type, (int32_t)length, &code, reply);
  busy_ticks += clock_ticks() - started;
  busy_accel_ns += board_accel_take_time_ns();
  if (!ran) return 0;
  if (!call("cmd_reply_ptr", type, 0, 0, 0, &reply_ptr, reply) || !call("cmd_reply_len", type, 0, 0, 0, &reply_len, reply))
    return 0;
  if ((uint64_t)reply_ptr + reply_len > runtime_memory_size()) {
    reply_error(reply, type, EDGECL_ERR_INTERNAL, "expected the %s reply inside linear memory, received %lu bytes at %lu past its end %lu",
                name, (unsigned long)reply_len, (unsigned long)reply_ptr, (unsigned long)runtime_memory_size());
    return 0;
  }
  if (code == 0) {
    *body_offset = reply_ptr;
    *body_length = reply_len;
    return 1;
  }
  /* One byte past the longest message an ERROR carries, so a longer one shows as cut. */
  uint8_t message[REPLY_MESSAGE_MAX + 1];
  uint32_t n = reply_len < sizeof message ? reply_len : (uint32_t)sizeof message;
  if (!device_read(reply_ptr, message, n)) n = 0;
  if (!protocol_error_known(code)) {
    char prefix[80];
    snprintf(prefix, sizeof prefix, "expected a protocol error code from the device, received %ld (", (long)(int32_t)code);
    reply_error_text(reply, type, EDGECL_ERR_INTERNAL, prefix, message, n, ")");
    return 0;
  }
  reply_error_text(reply, type, (uint16_t)code, "", message, n, "");
  return 0;
}
