/**
 * @file test_random.h
 * @brief The tests' deterministic random source (xorshift32) and random packed bit planes.
 */
#ifndef FBNN_TEST_RANDOM_H
#define FBNN_TEST_RANDOM_H

#include <stddef.h>
#include <stdint.h>

/** Restart the sequence (each test program seeds once, so its cases are reproducible). */
void fbnn_test_rng_seed(uint32_t seed);

/** Next 32-bit value of the xorshift32 sequence. */
uint32_t fbnn_test_rnd(void);

/** Fill `pixels` packed pixels of `c` channels (FORMAT.md BITS layout) with
 *  random bits, the padding bits of each pixel's last word zero. */
void fbnn_test_fill_bits(uint32_t *x, size_t pixels, int32_t c);

#endif /* FBNN_TEST_RANDOM_H */
