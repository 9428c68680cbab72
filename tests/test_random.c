/** @file test_random.c @brief See test_random.h. */
#include "test_random.h"

#include <math.h>
#include <string.h>

#include "fbnn_kernels.h"

static uint32_t rng_state = 0x2545F491u;

void fbnn_test_rng_seed(uint32_t seed) { rng_state = seed ? seed : 0x2545F491u; }

uint32_t fbnn_test_rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

void fbnn_test_fill_bits(uint32_t *x, size_t pixels, int32_t c)
{
    int32_t nw = FBNN_WORDS(c), i;
    size_t p;
    for (p = 0; p < pixels; p++)
        for (i = 0; i < nw; i++) {
            uint32_t v = fbnn_test_rnd();
            if (i == nw - 1 && c % 32) v &= (1u << (c % 32)) - 1u;
            x[p * (size_t)nw + (size_t)i] = v;
        }
}

fbnn_real fbnn_test_rnd_real(void)
{
    static const float special[] = {0.0f, -0.0f, 2.0f / 3.0f, -2.0f / 3.0f, 0.66666663f, 0.6666667f,
                                    -0.6666667f, -0.66666663f, 1e-30f, -1e-30f};
    uint32_t r = fbnn_test_rnd() % 16;
    if (r < 10) return special[r];
    if (r == 10) return (fbnn_real)INFINITY;
    if (r == 11) return -(fbnn_real)INFINITY;
    if (r == 12) return (fbnn_real)NAN;
    return ((fbnn_real)(int32_t)(fbnn_test_rnd() % 2001) - 1000.0f) / 257.0f;
}

int fbnn_test_same_reals(const fbnn_real *a, const fbnn_real *b, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (memcmp(&a[i], &b[i], sizeof a[i]) != 0 && !(isnan(a[i]) && isnan(b[i]))) return 0;
    return 1;
}
