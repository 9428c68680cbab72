/*
 * kernel_test_util.h - helpers shared by test_kernels.c and
 * test_kernels_elementwise.c: the seeded random streams (FBNN_TEST_SEED),
 * guarded buffers that catch writes past the end, exact comparisons with a
 * first-mismatch report, and channel counts around word boundaries.
 * Include after <cmocka.h> and naive_ref.h.
 */
#ifndef FBNN_KERNEL_TEST_UTIL_H
#define FBNN_KERNEL_TEST_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The seed of this test program (kernel_test_seed() may change it). */
static uint64_t g_seed = 20240607u;

/* Every test derives its own stream so it reproduces alone. */
static inline void rng_for(nr_rng *r, uint64_t test_id)
{
    nr_seed(r, g_seed * 0x9E3779B97F4A7C15ull + test_id * 0xD1B54A32D192ED03ull + 1u);
}

/* ---- guarded buffers: detect writes past the end -------------------------- */
#define GUARD_BYTES 64
#define GUARD_FILL 0xA5

static inline void *galloc(size_t bytes)
{
    unsigned char *p = malloc(bytes + GUARD_BYTES);
    assert_non_null(p);
    memset(p, GUARD_FILL, bytes + GUARD_BYTES);
    return p;
}

static inline void guard_check(const void *p, size_t bytes)
{
    const unsigned char *g = (const unsigned char *)p + bytes;
    size_t i;
    for (i = 0; i < GUARD_BYTES; ++i) assert_int_equal(g[i], GUARD_FILL);
}

static inline void fill_floats(nr_rng *r, float *v, size_t n)
{
    size_t i;
    for (i = 0; i < n; ++i) v[i] = nr_float(r);
}

/* Exact comparison of float arrays with a readable first-mismatch report. */
static inline void assert_floats_identical(const float *got, const float *want, size_t n,
                                    const char *what)
{
    if (memcmp(got, want, n * sizeof(float)) != 0) {
        size_t i;
        for (i = 0; i < n; ++i)
            if (memcmp(&got[i], &want[i], sizeof(float)) != 0) break;
        print_error("%s: mismatch at %zu: got %.9g want %.9g (seed %llu)\n", what, i,
                    (double)got[i], (double)want[i], (unsigned long long)g_seed);
        fail();
    }
}

static inline void assert_words_identical(const uint32_t *got, const uint32_t *want, size_t n,
                                   const char *what)
{
    if (memcmp(got, want, n * sizeof(uint32_t)) != 0) {
        size_t i;
        for (i = 0; i < n; ++i)
            if (got[i] != want[i]) break;
        print_error("%s: word %zu: got %08x want %08x (seed %llu)\n", what, i, got[i], want[i],
                    (unsigned long long)g_seed);
        fail();
    }
}

/* Channel counts around word boundaries. */
static const int k_channels[] = {1, 2, 5, 16, 31, 32, 33, 63, 64, 65, 96, 100, 129};
#define N_CHANNELS ((int)(sizeof(k_channels) / sizeof(k_channels[0])))

/* The seed from FBNN_TEST_SEED if set, printed so that a failure reproduces. */
static inline void kernel_test_seed(const char *program)
{
    const char *env = getenv("FBNN_TEST_SEED");
    if (env != NULL && *env != '\0') g_seed = strtoull(env, NULL, 10);
    printf("%s: seed %llu (set FBNN_TEST_SEED to change)\n", program, (unsigned long long)g_seed);
}

#endif /* FBNN_KERNEL_TEST_UTIL_H */
