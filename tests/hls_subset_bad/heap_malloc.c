/* Subset violation on purpose (tests/CMakeLists.txt: hls_subset_rejects_*):
 * heap allocation in synthesizable code. Otherwise valid C99 and C++. */
#include <stdint.h>
#include <stdlib.h>

int32_t bad_sum(const int32_t *x, int32_t n)
{
    int32_t i, s = 0;
    int32_t *tmp = (int32_t *)malloc((size_t)n * sizeof *tmp);
    if (tmp == NULL) return -1;
    for (i = 0; i < n; ++i) tmp[i] = x[i];
    for (i = 0; i < n; ++i) s += tmp[i];
    free(tmp);
    return s;
}
