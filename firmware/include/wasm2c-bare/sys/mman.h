/*
 * wabt 1.0.32's wasm-rt-impl.c includes <sys/mman.h> on every non-Windows target and defines (static,
 * unused) mmap helpers even when WASM_RT_MEMCHECK_SIGNAL_HANDLER is 0. picolibc has no such header, so
 * this one declares just enough for that file to compile. Nothing defines these functions: a build that
 * turned the guard-page memory back on would fail to link instead of running without bounds checks.
 */
#ifndef EDGECL_WASM2C_BARE_SYS_MMAN_H
#define EDGECL_WASM2C_BARE_SYS_MMAN_H

#include <stddef.h>
#include <sys/types.h>

#define PROT_NONE 0
#define PROT_READ 1
#define PROT_WRITE 2
#define MAP_PRIVATE 2
#define MAP_ANONYMOUS 0x20
#define MAP_FAILED ((void *)-1)

void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset);
int munmap(void *addr, size_t length);
int mprotect(void *addr, size_t length, int prot);

#endif
