/* Subset violation on purpose: a call through a function pointer.
 * Otherwise valid C99 and C++. */
#include <stdint.h>

static int32_t twice(int32_t v) { return 2 * v; }
static int32_t negate(int32_t v) { return -v; }

int32_t bad_apply(int32_t v, int32_t which)
{
    int32_t (*fn)(int32_t) = which ? twice : negate;
    return fn(v);
}
