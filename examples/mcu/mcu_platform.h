/**
 * @file mcu_platform.h
 * @brief What the firmware example (fw_main.c) needs from its platform:
 *        output, exit, an instruction counter, stack and heap accounting.
 *        mcu_platform.c implements it on bare metal (semihosting, SysTick
 *        under qemu -icount); host_platform.c on a hosted C library, so
 *        that the same fw_main.c gives the host's reference predictions.
 */
#ifndef MCU_PLATFORM_H
#define MCU_PLATFORM_H
#include <stdint.h>

/** Write a NUL-terminated string to the console (semihosting on the MCU). */
void mcu_puts(const char *s);
/** Leave the program with `status` (semihosting SYS_EXIT_EXTENDED). */
void mcu_exit(int status) __attribute__((noreturn));
/** Start the instruction counter (SysTick; host: no-op). */
void mcu_counter_start(void);
/** Instructions since mcu_counter_start() (0 on the host, which does not count). */
uint64_t mcu_counter_read(void);
/** Counter calibration: SysTick ticks per 10^6 instructions (0 on the host). */
uint64_t mcu_counter_ticks_per_million(void);
/** Deepest stack use so far in bytes (stack painting; 0 on the host). */
uint32_t mcu_stack_used(void);
/** Size of the stack region in bytes (0 on the host). */
uint32_t mcu_stack_size(void);
/** Number of malloc/calloc/realloc/free calls made so far (must stay 0). */
uint32_t mcu_heap_calls(void);

#endif
