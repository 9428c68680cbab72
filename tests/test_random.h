/**
 * @file test_random.h
 * @brief The tests' deterministic random source (xorshift32) and random packed bit planes.
 */
#ifndef FBNN_TEST_RANDOM_H
#define FBNN_TEST_RANDOM_H

#include <stddef.h>
#include <stdint.h>

#include "fbnn_real.h"

/** Restart the sequence (each test program seeds once, so its cases are reproducible). */
void fbnn_test_rng_seed(uint32_t seed);

/** Next 32-bit value of the xorshift32 sequence. */
uint32_t fbnn_test_rnd(void);

/** Fill `pixels` packed pixels of `c` channels (FORMAT.md BITS layout) with
 *  random bits, the padding bits of each pixel's last word zero. */
void fbnn_test_fill_bits(uint32_t *x, size_t pixels, int32_t c);

/** A float from a mix of ordinary values and the edge cases of the epilogue:
 *  0, -0, +-2/3 (the Q2 cut points), their neighbours, +-inf, NaN. */
fbnn_real fbnn_test_rnd_real(void);

/** Bitwise equal, except that two NaNs match whatever their payload/sign: C
 *  does not pin NaN payloads (the compiler may commute a*b or a+b, and x86
 *  returns the first operand's NaN), so neither the reference nor a variant
 *  can promise them; no kernel downstream distinguishes NaN payloads. */
int fbnn_test_same_reals(const fbnn_real *a, const fbnn_real *b, size_t n);

#endif /* FBNN_TEST_RANDOM_H */
