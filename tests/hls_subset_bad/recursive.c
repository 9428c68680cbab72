/* Subset violation on purpose: mutual recursion (HLS cannot size a stack).
 * Otherwise valid C99 and C++. */
#include <stdint.h>

static int32_t odd(int32_t n);

static int32_t even(int32_t n) { return n == 0 ? 1 : odd(n - 1); }

static int32_t odd(int32_t n) { return n == 0 ? 0 : even(n - 1); }

int32_t bad_parity(int32_t n) { return even(n < 0 ? -n : n); }
