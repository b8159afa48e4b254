/*
 * The types and helpers WAMR's core/shared/platform/include headers expect from a platform, for the
 * edgecl firmware: bare metal on QEMU virt, one thread of execution, picolibc. The shape follows
 * WAMR's own small ports (core/shared/platform/riot, zephyr): there are no threads, files or sockets
 * here, so their types only need to exist for the declarations in platform_api_extension.h.
 */
#ifndef _PLATFORM_INTERNAL_H
#define _PLATFORM_INTERNAL_H

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef BH_PLATFORM_EDGECL
#define BH_PLATFORM_EDGECL
#endif

#define BH_APPLET_PRESERVED_STACK_SIZE (2 * BH_KB)
#define BH_THREAD_DEFAULT_PRIORITY 0

/* One thread: a thread id names "the" thread, and locks have nothing to exclude. */
typedef int korp_tid;
typedef int korp_thread;
typedef int korp_mutex;
typedef int korp_cond;
typedef int korp_sem;
typedef int korp_rwlock;

#define OS_THREAD_MUTEX_INITIALIZER 0

/* picolibc's libm (linked into libc.a) has them all, correctly rounded where IEEE 754 asks. */
#define BH_HAS_SQRT
#define BH_HAS_SQRTF

/* No file system or sockets on the board. */
typedef int os_file_handle;
typedef void *os_dir_stream;
typedef int os_raw_file_handle;

static inline os_file_handle
os_get_invalid_handle(void)
{
    return -1;
}

/* No MMU: "pages" only set the granularity WAMR rounds linear memory to, and 64 KiB wasm pages are
 * already multiples of this. */
static inline int
os_getpagesize(void)
{
    return 4096;
}

#endif
