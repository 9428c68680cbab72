/**
 * @file startup.c
 * @brief Reset handler and vector table for the Cortex-M firmware example
 *        (mps2-an386 Cortex-M4, mps3-an547 Cortex-M55 under qemu-system-arm).
 *
 * Reset: enable the FPU (CPACR, before any float code), copy .data from
 * flash, zero .bss, paint the free stack with a pattern (stack painting:
 * mcu_stack_used() later finds the deepest word overwritten), run main()
 * and leave through semihosting SYS_EXIT_EXTENDED with main's status.
 * No heap: the linker scripts define none, and the firmware is linked
 * with --wrap for malloc/calloc/realloc/free (mcu_platform.c), which count
 * calls and fail.
 */
#include <stdint.h>

#include "mcu_platform.h"

extern uint32_t __data_load__, __data_start__, __data_end__, __bss_start__, __bss_end__;
extern uint32_t __stack_limit__, __stack_top__;

int main(void);
void Reset_Handler(void);
void Default_Handler(void);
void SysTick_Handler(void);

#define CPACR (*(volatile uint32_t *)0xE000ED88u)
#define STACK_PAINT 0xC0DEFACEu

/* Painting must not touch the frame the painter itself lives in: paint up
 * to a margin below the current stack pointer. */
static void paint_stack(void)
{
    volatile uint32_t marker = 0;
    uint32_t *p = &__stack_limit__;
    uint32_t *end = (uint32_t *)((uintptr_t)&marker - 64u);
    while (p < end) *p++ = STACK_PAINT;
}

uint32_t mcu_stack_used(void)
{
    const uint32_t *p = &__stack_limit__;
    while (p < &__stack_top__ && *p == STACK_PAINT) p++;
    return (uint32_t)((uintptr_t)&__stack_top__ - (uintptr_t)p);
}

uint32_t mcu_stack_size(void) { return (uint32_t)((uintptr_t)&__stack_top__ - (uintptr_t)&__stack_limit__); }

void Reset_Handler(void)
{
    uint32_t *src, *dst;
    /* CP10 and CP11 full access (the FPU; on the M55 also MVE). */
    CPACR |= 0xFu << 20;
    __asm__ volatile("dsb\n\tisb" ::: "memory");
    for (src = &__data_load__, dst = &__data_start__; dst < &__data_end__;) *dst++ = *src++;
    for (dst = &__bss_start__; dst < &__bss_end__;) *dst++ = 0u;
    paint_stack();
    mcu_exit(main());
}

void Default_Handler(void)
{
    mcu_puts("firmware: unexpected exception\n");
    mcu_exit(3);
}

typedef void (*vector)(void);
/* Core exceptions only: the firmware enables no device interrupt. */
__attribute__((section(".vectors"), used)) static const vector vectors[16] = {
    (vector)(uintptr_t)&__stack_top__, Reset_Handler,
    Default_Handler, /* NMI */
    Default_Handler, /* HardFault */
    Default_Handler, /* MemManage */
    Default_Handler, /* BusFault */
    Default_Handler, /* UsageFault */
    Default_Handler, /* SecureFault (v8-M) */
    0, 0, 0,
    Default_Handler, /* SVCall */
    Default_Handler, /* DebugMonitor */
    0,
    Default_Handler, /* PendSV */
    SysTick_Handler,
};
