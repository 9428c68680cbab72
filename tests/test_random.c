/** @file test_random.c @brief See test_random.h. */
#include "test_random.h"

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
