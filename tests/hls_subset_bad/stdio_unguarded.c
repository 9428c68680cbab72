/* Subset violation on purpose: stdio outside #ifndef __SYNTHESIS__.
 * Otherwise valid C99 and C++. */
#include <stdint.h>
#include <stdio.h>

int32_t bad_report(int32_t v)
{
    printf("value %d\n", (int)v);
    return v;
}
