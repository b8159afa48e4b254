/*
 * ENTRY=selftest: drives the runtime through runtime.h, exactly as the protocol layer will, against
 * the module test/firmware/fixtures/selftest.wat, and prints one line per step on the UART. The
 * tests (test/firmware/firmware.test.ts, wamr.test.ts) judge the lines; this file only reports what
 * happened, so an error is data here (the run goes on), and only a runtime that cannot start ends it
 * early. Builds that load modules at run time (WAMR) first load the built-in module's bytes and end
 * with the steps of a deployment over the wire.
 *
 * Line format: "<step> -> <outcome>", outcome "i32 <decimal>", "f32 0x<bits>", "void", "ok",
 * "<hex bytes>" or "error <status> <trap>: <message>".
 */
#include <stdio.h>
#include <string.h>

#include "board.h"
#include "runtime.h"

/* Exit statuses: the test tells "ran" from "could not start" and where it stopped. */
#define SELFTEST_RAN 0
#define SELFTEST_INIT_FAILED 2
#define SELFTEST_INSTANTIATE_FAILED 3
#define SELFTEST_LOAD_FAILED 4

static runtime_value_t i32(int32_t value) {
  runtime_value_t v = {.type = RUNTIME_I32, .as.i32 = value};
  return v;
}

/* f32 arguments are written as bit patterns so the test's expected values are exact. */
static runtime_value_t f32_bits(uint32_t bits) {
  runtime_value_t v = {.type = RUNTIME_F32};
  memcpy(&v.as.f32, &bits, sizeof bits);
  return v;
}

static uint32_t bits_of(float value) {
  uint32_t bits;
  memcpy(&bits, &value, sizeof bits);
  return bits;
}

static void print_value(const runtime_value_t *v) {
  switch (v->type) {
    case RUNTIME_I32: printf("i32 %ld", (long)v->as.i32); break;
    case RUNTIME_F32: printf("f32 0x%08lx", (unsigned long)bits_of(v->as.f32)); break;
    default: printf("void"); break;
  }
}

static void print_error(const runtime_error_t *err) {
  printf("error %s %s: %s\n", runtime_status_name(err->status), runtime_trap_name(err->trap), err->message);
}

static void call(const char *name, const runtime_value_t *args, uint32_t nargs) {
  printf("call %s(", name);
  for (uint32_t i = 0; i < nargs; i++) {
    if (i > 0) printf(", ");
    print_value(&args[i]);
  }
  printf(") -> ");
  runtime_value_t result;
  runtime_error_t err;
  if (runtime_call(name, args, nargs, &result, &err) != RUNTIME_OK) {
    print_error(&err);
    return;
  }
  print_value(&result);
  printf("\n");
}

#define CALL(name, ...)                                   \
  do {                                                    \
    const runtime_value_t args_[] = {__VA_ARGS__};        \
    call(name, args_, sizeof args_ / sizeof args_[0]);    \
  } while (0)
#define CALL0(name) call(name, NULL, 0)

static void print_bytes(const uint8_t *bytes, uint32_t len) {
  for (uint32_t i = 0; i < len; i++) printf(i == 0 ? "%02x" : " %02x", bytes[i]);
}

static void memory_write(uint32_t offset, const uint8_t *bytes, uint32_t len) {
  printf("memory write %lu ", (unsigned long)offset);
  print_bytes(bytes, len);
  printf(" -> ");
  runtime_error_t err;
  if (runtime_memory_write(offset, bytes, len, &err) != RUNTIME_OK) {
    print_error(&err);
    return;
  }
  printf("ok\n");
}

static void memory_read(uint32_t offset, uint32_t len) {
  uint8_t bytes[16];
  printf("memory read %lu %lu -> ", (unsigned long)offset, (unsigned long)len);
  runtime_error_t err;
  if (len > sizeof bytes) len = sizeof bytes;
  if (runtime_memory_read(offset, bytes, len, &err) != RUNTIME_OK) {
    print_error(&err);
    return;
  }
  print_bytes(bytes, len);
  printf("\n");
}

/* A runtime step without arguments, printed as "<what> -> ok" or its error; 1 when it succeeded. */
static int step(const char *what, runtime_status_t (*run)(runtime_error_t *)) {
  printf("%s -> ", what);
  runtime_error_t err;
  if (run(&err) != RUNTIME_OK) {
    print_error(&err);
    return 0;
  }
  printf("ok\n");
  return 1;
}

static int instantiate(void) { return step("instantiate", runtime_instantiate); }

#if EDGECL_RUNTIME_LOADS_MODULES
static int load_builtin(void) { return step("load builtin", runtime_load_builtin); }

static void load(const char *what, const uint8_t *bytes, uint32_t len) {
  printf("load %s -> ", what);
  runtime_error_t err;
  if (runtime_load(bytes, len, &err) != RUNTIME_OK) {
    print_error(&err);
    return;
  }
  printf("ok\n");
}

/* A deployment over the wire: modules the board cannot run are refused and the running instance keeps
 * answering; an accepted module replaces it, and calls wait for its fresh instance. */
static void deploy_steps(void) {
  static const uint8_t not_a_module[] = {'n', 'o', 't', ' ', 'w', 'a', 's', 'm'};
  /* wat2wasm of (module (import "env" "abort" (func))) */
  static const uint8_t imports_abort[] = {
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,                               /* magic, version 1 */
      0x01, 0x04, 0x01, 0x60, 0x00, 0x00,                                           /* type: () -> () */
      0x02, 0x0d, 0x01, 0x03, 'e', 'n', 'v', 0x05, 'a', 'b', 'o', 'r', 't', 0x00, 0x00, /* import env.abort */
  };
  load("8 bytes of text", not_a_module, sizeof not_a_module);
  CALL("add", i32(1), i32(2));
  load("a module importing env.abort", imports_abort, sizeof imports_abort);
  CALL("add", i32(3), i32(4));
  load_builtin();
  CALL("add", i32(5), i32(6));
  instantiate();
  printf("memory size -> %lu\n", (unsigned long)runtime_memory_size());
  memory_read(512, 4);
  memory_read(16, 5);
  CALL("add", i32(5), i32(6));
}
#endif

int selftest_run(void) {
  runtime_error_t err;
  printf("edgecl selftest: runtime %s, memory limit %lu pages\n", runtime_name(),
         (unsigned long)runtime_memory_limit_pages());
  if (runtime_init(&err) != RUNTIME_OK) {
    printf("init -> ");
    print_error(&err);
    return SELFTEST_INIT_FAILED;
  }
#if EDGECL_RUNTIME_LOADS_MODULES
  if (!load_builtin()) return SELFTEST_LOAD_FAILED;
#endif
  if (!instantiate()) return SELFTEST_INSTANTIATE_FAILED;
  printf("memory size -> %lu\n", (unsigned long)runtime_memory_size());

  /* Integers wrap modulo 2^32. */
  CALL("add", i32(2), i32(40));
  CALL("add", i32(INT32_MAX), i32(1));

  /* f32 arithmetic on the F extension: rounded to nearest even, product and sum apart (never fused). */
  CALL("mul_add", f32_bits(0x3f800800), f32_bits(0x3f800800), f32_bits(0xbf801000));
  CALL("div", f32_bits(0x3f800000), f32_bits(0x40400000));
  CALL("sqrt", f32_bits(0x40000000));

  /* Each trap is reported and the instance answers the next call. */
  CALL0("boom");
  CALL("add", i32(-7), i32(7));
  CALL("div_s", i32(7), i32(0));
  CALL("div_s", i32(INT32_MIN), i32(-1));
  CALL("div_s", i32(-7), i32(2));
  CALL("peek", i32(65536));
  CALL("peek", i32(65532));
  CALL("peek", i32(65533));
  CALL("recurse", i32(0));
  CALL("add", i32(20), i32(22));

  /* Linear memory shared with the host: data segments, host writes, module writes, bounds. */
  memory_read(16, 5);
  static const uint8_t bytes[] = {0x01, 0x02, 0x03, 0xfa};
  memory_write(256, bytes, sizeof bytes);
  CALL("sum_bytes", i32(256), i32(4));
  CALL("poke", i32(512), i32(0x11223344));
  memory_read(512, 4);
  memory_read(65534, 4);
  memory_write(65535, bytes, 2);

  /* memory.grow within the module's maximum, then past it. */
  CALL("grow", i32(1));
  printf("memory size -> %lu\n", (unsigned long)runtime_memory_size());
  memory_read(256, 4);
  CALL("peek", i32(65536));
  CALL("grow", i32(10));

  /* The board natives: no accelerator behind the register window. */
  CALL("probe", i32(0x1000));

  /* What the host gets wrong. */
  CALL("missing", i32(1));
  CALL("add", i32(1));
  CALL("add", i32(1), f32_bits(0x3f800000));

#if EDGECL_RUNTIME_LOADS_MODULES
  deploy_steps();
#endif

  printf("selftest done\n");
  return SELFTEST_RAN;
}
