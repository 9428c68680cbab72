/* Subset violation on purpose: a variable-length array (runtime-sized
 * storage cannot become a BRAM). */
#include <stdint.h>

int32_t bad_copy_sum(const int32_t *x, int32_t n)
{
    int32_t buf[n];
    int32_t i, s = 0;
    for (i = 0; i < n; ++i) buf[i] = x[i];
    for (i = 0; i < n; ++i) s += buf[i];
    return s;
}
