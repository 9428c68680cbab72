/**
 * @file host_platform.c
 * @brief mcu_platform.h on a hosted C library: the same fw_main.c built for
 *        the build machine gives the reference predictions that
 *        scripts/test_mcu.sh compares with the firmware's. No counters.
 */
#include <stdio.h>
#include <stdlib.h>

#include "mcu_platform.h"

void mcu_puts(const char *s) { fputs(s, stdout); }
void mcu_exit(int status)
{
    fflush(stdout);
    exit(status);
}
void mcu_counter_start(void) {}
uint64_t mcu_counter_read(void) { return 0u; }
uint64_t mcu_counter_ticks_per_million(void) { return 0u; }
uint32_t mcu_stack_used(void) { return 0u; }
uint32_t mcu_stack_size(void) { return 0u; }
uint32_t mcu_heap_calls(void) { return 0u; }
