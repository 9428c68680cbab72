/**
 * @file mcu_platform.c
 * @brief mcu_platform.h on bare-metal Cortex-M under qemu-system-arm:
 *        semihosting output/exit, an instruction counter, heap guards.
 *
 * Instruction counter: QEMU runs with `-icount shift=0`, so its virtual
 * clock advances exactly 1 ns per executed guest instruction, and SysTick
 * (CLKSOURCE = CPU clock) counts that virtual clock at the board's CPU
 * frequency. mcu_counter_start() first calibrates: a loop of exactly
 * 2 * MCU_CAL_ITERS instructions (subs + bne) gives ticks per instruction,
 * so no board frequency is hard-coded. Resolution: one SysTick tick
 * (40 instructions at 25 MHz), plus the few instructions of the counter
 * reads and of the SysTick wrap interrupt (one per 2^24 ticks).
 *
 * Heap: the firmware links with --wrap=malloc,calloc,realloc,free and the
 * newlib re-entrant _malloc_r family; every wrapper counts the call and
 * fails (NULL), and _sbrk fails, so a heap call cannot go unnoticed:
 * fw_main.c prints the count and fails if it is not 0.
 */
#include <stddef.h>
#include <stdint.h>

#include "mcu_platform.h"

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define SYST_RELOAD 0x00FFFFFFu
#define MCU_CAL_ITERS 1000000u

static int semihost(int op, const void *arg)
{
    register int r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void mcu_puts(const char *s) { (void)semihost(0x04 /* SYS_WRITE0 */, s); }

void mcu_exit(int status)
{
    /* SYS_EXIT_EXTENDED: { ADP_Stopped_ApplicationExit, exit code }. */
    const uint32_t block[2] = {0x20026u, (uint32_t)status};
    for (;;) (void)semihost(0x20, block);
}

static volatile uint32_t systick_wraps;
static uint64_t counter_origin;
static uint64_t ticks_per_million; /* SysTick ticks per 10^6 instructions */

void SysTick_Handler(void) { systick_wraps++; }

static uint64_t ticks_now(void)
{
    uint32_t w, v;
    do {
        w = systick_wraps;
        v = SYST_CVR;
    } while (w != systick_wraps);
    return (uint64_t)w * (SYST_RELOAD + 1u) + (SYST_RELOAD - v);
}

void mcu_counter_start(void)
{
    uint64_t t0, t1;
    uint32_t n = MCU_CAL_ITERS;
    if (!(SYST_CSR & 1u)) {
        SYST_RVR = SYST_RELOAD;
        SYST_CVR = 0u;
        SYST_CSR = 7u; /* enable, interrupt on wrap, CPU clock */
    }
    /* SysTick loads RVR only on its first tick after CVR was cleared: wait
     * for that, so the first reading is not the stale 0 (which would read as
     * a full period). Without -icount QEMU's SysTick does not advance at all:
     * then counting stays off (ticks_per_million = 0, reads return 0). */
    for (n = 0; n < 100000u && SYST_CVR == 0u; n++) {
    }
    if (SYST_CVR == 0u) {
        ticks_per_million = 0u;
        return;
    }
    n = MCU_CAL_ITERS;
    t0 = ticks_now();
    __asm__ volatile("1: subs %0, %0, #1\n\tbne 1b" : "+r"(n) : : "cc");
    t1 = ticks_now();
    ticks_per_million = t1 > t0 ? (t1 - t0) / (2u * MCU_CAL_ITERS / 1000000u) : 0u;
    counter_origin = ticks_now();
}

uint64_t mcu_counter_ticks_per_million(void) { return ticks_per_million; }

uint64_t mcu_counter_read(void)
{
    if (ticks_per_million == 0u) return 0u;
    return (ticks_now() - counter_origin) * 1000000u / ticks_per_million;
}

/* ---- heap guards ---------------------------------------------------- */
static volatile uint32_t heap_calls;
uint32_t mcu_heap_calls(void) { return heap_calls; }

struct _reent;
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);
void *__wrap__malloc_r(struct _reent *r, size_t n);
void *__wrap__calloc_r(struct _reent *r, size_t n, size_t m);
void *__wrap__realloc_r(struct _reent *r, void *p, size_t n);
void __wrap__free_r(struct _reent *r, void *p);
void *_sbrk(ptrdiff_t incr);

void *__wrap_malloc(size_t n) { (void)n; heap_calls++; return NULL; }
void *__wrap_calloc(size_t n, size_t m) { (void)n; (void)m; heap_calls++; return NULL; }
void *__wrap_realloc(void *p, size_t n) { (void)p; (void)n; heap_calls++; return NULL; }
void __wrap_free(void *p) { if (p) heap_calls++; }
void *__wrap__malloc_r(struct _reent *r, size_t n) { (void)r; (void)n; heap_calls++; return NULL; }
void *__wrap__calloc_r(struct _reent *r, size_t n, size_t m) { (void)r; (void)n; (void)m; heap_calls++; return NULL; }
void *__wrap__realloc_r(struct _reent *r, void *p, size_t n) { (void)r; (void)p; (void)n; heap_calls++; return NULL; }
void __wrap__free_r(struct _reent *r, void *p) { (void)r; if (p) heap_calls++; }
/* No heap region exists (linker scripts): any sbrk fails. */
void *_sbrk(ptrdiff_t incr) { (void)incr; heap_calls++; return (void *)-1; }
