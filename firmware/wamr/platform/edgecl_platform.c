/*
 * The os_* functions WAMR's core needs (core/shared/platform/include/platform_api_vmcore.h), for
 * the edgecl firmware: bare metal, one thread, picolibc.
 *
 * Memory: WAMR's own structures come from the pool runtime_wamr.c hands to wasm_runtime_full_init;
 * os_malloc and os_mmap (linear memory) take picolibc's heap, between .bss and the C stack, as the
 * wasm2c build does for its linear memory.
 */
#include "platform_api_vmcore.h"
#include "platform_api_extension.h"

/* QEMU hw/riscv/virt.c: CLINT at 0x02000000, mtime at +0xBFF8, counting at 10 MHz
 * (RISCV_ACLINT_DEFAULT_TIMEBASE_FREQ). */
#define CLINT_MTIME_LO ((volatile uint32_t *)0x0200BFF8u)
#define CLINT_MTIME_HI ((volatile uint32_t *)0x0200BFFCu)
#define MTIME_TICKS_PER_US 10u

/* link.ld: the C stack occupies [__heap_end, __stack). */
extern char __heap_end[];

int
bh_platform_init(void)
{
    return BHT_OK;
}

void
bh_platform_destroy(void)
{}

void *
os_malloc(unsigned size)
{
    return malloc(size);
}

void *
os_realloc(void *ptr, unsigned size)
{
    return realloc(ptr, size);
}

void
os_free(void *ptr)
{
    free(ptr);
}

/* The runtime's diagnostics stay off the UART, which carries protocol frames: everything the host
 * needs comes back as error statuses with WAMR's own message. Build with EDGECL_WAMR_LOG=1 (make
 * WAMR_LOG=1) to see them while debugging. */
int
os_vprintf(const char *format, va_list ap)
{
#if EDGECL_WAMR_LOG
    return vprintf(format, ap);
#else
    (void)format;
    (void)ap;
    return 0;
#endif
}

int
os_printf(const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    int n = os_vprintf(format, ap);
    va_end(ap);
    return n;
}

int
os_dumps_proc_mem_info(char *out, unsigned int size)
{
    (void)out;
    (void)size;
    return -1;
}

uint64
os_time_get_boot_us(void)
{
    uint32_t hi, lo;
    /* Re-read when the low word wrapped between the two reads. */
    do {
        hi = *CLINT_MTIME_HI;
        lo = *CLINT_MTIME_LO;
    } while (hi != *CLINT_MTIME_HI);
    return (((uint64)hi << 32) | lo) / MTIME_TICKS_PER_US;
}

uint64
os_time_thread_cputime_us(void)
{
    return os_time_get_boot_us();
}

korp_tid
os_self_thread(void)
{
    return 1;
}

/* WAMR stops a call that would grow the C stack below this (plus WASM_STACK_GUARD_SIZE) with a
 * "native stack overflow" trap instead of letting it run into the heap. */
uint8 *
os_thread_get_stack_boundary(void)
{
    return (uint8 *)__heap_end;
}

void
os_thread_jit_write_protect_np(bool enabled)
{
    (void)enabled;
}

int
os_mutex_init(korp_mutex *mutex)
{
    *mutex = 0;
    return BHT_OK;
}

int
os_mutex_destroy(korp_mutex *mutex)
{
    (void)mutex;
    return BHT_OK;
}

int
os_mutex_lock(korp_mutex *mutex)
{
    (void)mutex;
    return BHT_OK;
}

int
os_mutex_unlock(korp_mutex *mutex)
{
    (void)mutex;
    return BHT_OK;
}

/* Linear memory. WebAssembly memory starts zeroed, and so must every page memory.grow adds. */
void *
os_mmap(void *hint, size_t size, int prot, int flags, os_file_handle file)
{
    (void)hint;
    (void)prot;
    (void)flags;
    (void)file;
    if (size == 0 || size >= UINT32_MAX)
        return NULL;
    return calloc(1, size);
}

void *
os_mremap(void *old_addr, size_t old_size, size_t new_size)
{
    /* realloc may move the block: WAMR re-reads memory_data after a grow, and runtime_wamr.c asks
     * for the base address on every host access. */
    uint8 *grown = realloc(old_addr, new_size);
    if (grown != NULL && new_size > old_size)
        memset(grown + old_size, 0, new_size - old_size);
    return grown;
}

void
os_munmap(void *addr, size_t size)
{
    (void)size;
    free(addr);
}

int
os_mprotect(void *addr, size_t size, int prot)
{
    (void)addr;
    (void)size;
    (void)prot;
    return 0;
}

void
os_dcache_flush(void)
{}

void
os_icache_flush(void *start, size_t len)
{
    (void)start;
    (void)len;
}
