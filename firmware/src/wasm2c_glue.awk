# Generates module_glue.c (see module_glue.h) from wasm2c's output for the module named "device".
# Usage: awk -f wasm2c_glue.awk device.h device.c > module_glue.c
# Reads the header for imports, exports and the instantiate signature, and the C file for the memory's
# page counts. Fails (exit 1, message on stderr) on anything the firmware cannot run: imports other
# than the board natives, exports with i64/f64 or multi-value signatures, an unknown header layout.

function fail(message) {
  print "wasm2c_glue: " message > "/dev/stderr"
  failed = 1
  exit 1
}

function trim(s) {
  sub(/^[ \t]+/, "", s)
  sub(/[ \t]+$/, "", s)
  return s
}

# An export the firmware cannot call (i64/f64 values) is left out of the table with a warning rather
# than failing the build: such exports serve in-process tools, never the board's protocol.
function letter(ctype, what) {
  if (ctype == "u32") return "i"
  if (ctype == "f32") return "f"
  if (unsupported == "") unsupported = what " has C type " ctype
  return "x"
}

function c_string(s) {
  gsub(/\\/, "\\\\", s)
  gsub(/"/, "\\\"", s)
  return "\"" s "\""
}

BEGIN {
  allowed["env.mmio_read32"] = 1
  allowed["env.mmio_write32"] = 1
  allowed_list = "env.mmio_read32, env.mmio_write32"
  n_exports = 0
  n_skipped = 0
  memory_symbol = ""
  pending_export = ""
  instantiate_seen = 0
  memories = 0
  initial_pages = 0
  max_pages = 0
}

# First file: the header.
FNR == NR && /^\/\* import: / {
  split($0, q, "'")
  name = q[2] "." q[4]
  if (!(name in allowed)) fail("the module imports " name "; boards provide only " allowed_list)
  next
}

FNR == NR && /^\/\* export: / {
  split($0, q, "'")
  pending_export = q[2]
  next
}

FNR == NR && pending_export != "" {
  export_name = pending_export
  pending_export = ""
  open_paren = index($0, "(")
  close_paren = index($0, ")")
  if (open_paren == 0 || close_paren == 0) fail("unexpected prototype for export '" export_name "': " $0)
  head = trim(substr($0, 1, open_paren - 1))
  n_head = split(head, words, /[ \t]+/)
  symbol = words[n_head]
  ret = trim(substr(head, 1, length(head) - length(symbol)))
  if (ret == "wasm_rt_memory_t*") {
    if (memory_symbol == "" || export_name == "memory") memory_symbol = symbol
    next
  }
  # Other pointer results are exported globals and tables: data, not callable.
  if (ret ~ /\*$/) next
  args = substr($0, open_paren + 1, close_paren - open_paren - 1)
  n_args = split(args, arg, /,/)
  params = ""
  unsupported = ""
  for (i = 2; i <= n_args; i++) params = params letter(trim(arg[i]), "parameter " (i - 1) " of export '" export_name "'")
  result = (ret == "void") ? "v" : letter(ret, "the result of export '" export_name "'")
  if (unsupported != "") {
    n_skipped++
    skipped[n_skipped] = unsupported
    print "wasm2c_glue: left out: " unsupported "; the firmware calls exports with i32 and f32 values only" > "/dev/stderr"
    next
  }
  n_exports++
  export_names[n_exports] = export_name
  export_symbols[n_exports] = symbol
  export_params[n_exports] = params
  export_results[n_exports] = result
  next
}

FNR == NR && /^void Z_device_instantiate\(/ {
  instantiate_seen = 1
  rest = $0
  while ((p = index(rest, "struct Z_")) > 0) {
    rest = substr(rest, p + 9)
    module = substr(rest, 1, index(rest, "_instance_t") - 1)
    if (module != "env") fail("the module imports from '" module "'; boards provide only " allowed_list)
    instantiate_takes_env = 1
  }
  next
}

# Second file: the C source. One allocate_memory call per memory the module defines.
FNR != NR && /wasm_rt_allocate_memory\(/ {
  call = substr($0, index($0, "(") + 1)
  split(call, part, /,/)
  memories++
  initial_pages += trim(part[2]) + 0
  max_pages = trim(part[3]) + 0
  next
}

END {
  if (failed) exit 1
  if (!instantiate_seen) fail("no Z_device_instantiate in the header: run wasm2c with -n device (wabt 1.0.32 layout)")
  if (memories > 1) fail("the module defines " memories " memories; the firmware supports one")

  print "/* generated from the wasm2c output device.h and device.c by src/wasm2c_glue.awk, do not edit */"
  print "#include \"device.h\""
  print "#include \"module_glue.h\""
  print ""
  for (k = 1; k <= n_skipped; k++) print "/* left out: " skipped[k] " (the firmware calls i32/f32 exports only) */"
  print "static Z_device_instance_t instance;"
  print "struct Z_device_instance_t *const module_instance = &instance;"
  print ""
  for (e = 1; e <= n_exports; e++) {
    params = export_params[e]
    call = export_symbols[e] "(m"
    for (i = 1; i <= length(params); i++) {
      if (substr(params, i, 1) == "i") call = call ", (u32)a[" (i - 1) "].as.i32"
      else call = call ", a[" (i - 1) "].as.f32"
    }
    call = call ")"
    printf "static void call_%d(Z_device_instance_t *m, const runtime_value_t *a, runtime_value_t *r) {\n", e
    if (length(params) == 0) print "  (void)a;"
    if (export_results[e] == "v") {
      print "  " call ";"
      print "  r->type = RUNTIME_VOID;"
    } else if (export_results[e] == "i") {
      print "  r->type = RUNTIME_I32;"
      print "  r->as.i32 = (int32_t)" call ";"
    } else {
      print "  r->type = RUNTIME_F32;"
      print "  r->as.f32 = " call ";"
    }
    print "}"
    print ""
  }
  print "const module_export_t module_exports[] = {"
  for (e = 1; e <= n_exports; e++)
    printf "  {%s, \"%s\", '%s', call_%d},\n", c_string(export_names[e]), export_params[e], export_results[e], e
  if (n_exports == 0) print "  {0, 0, 0, 0},"
  print "};"
  printf "const uint32_t module_export_count = %du;\n", n_exports
  print ""
  printf "const uint32_t module_memory_initial_pages = %du;\n", initial_pages
  printf "const uint32_t module_memory_max_pages = %du;\n", max_pages
  print ""
  print "void module_init(void) { Z_device_init_module(); }"
  print ""
  print "void module_instantiate(struct Z_device_instance_t *m, struct Z_env_instance_t *env) {"
  if (instantiate_takes_env) print "  Z_device_instantiate(m, env);"
  else {
    print "  (void)env;"
    print "  Z_device_instantiate(m);"
  }
  print "}"
  print ""
  print "void module_free(struct Z_device_instance_t *m) {"
  print "  Z_device_free(m);"
  print "  /* A later free of the same instance must not free the same buffer twice. */"
  print "  memset(m, 0, sizeof *m);"
  print "}"
  print ""
  print "wasm_rt_memory_t *module_memory(struct Z_device_instance_t *m) {"
  if (memory_symbol != "") print "  return " memory_symbol "(m);"
  else {
    print "  (void)m;"
    print "  return 0;"
  }
  print "}"
}
