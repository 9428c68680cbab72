/**
 * @file naive_ref.h
 * @brief Deliberately naive reference implementations for the kernel tests.
 *
 * Everything here works on unpacked values (int8 {-1,+1} planar arrays,
 * direct loops, no bit tricks, no shared code with kernels/) so that a bug in
 * a kernel cannot hide behind the same bug in its oracle. Real-valued
 * references use plain `float` expressions in the order written in
 * models/FORMAT.md (the build uses -ffp-contract=off, so they round once per
 * operation), which makes exact (memcmp) comparison meaningful.
 */
#ifndef FBNN_TEST_NAIVE_REF_H
#define FBNN_TEST_NAIVE_REF_H

#include <stddef.h>
#include <stdint.h>

/* ---- seeded PRNG (xorshift64*) ---------------------------------------- */
typedef struct nr_rng {
    uint64_t s;
} nr_rng;

void nr_seed(nr_rng *r, uint64_t seed);
uint32_t nr_u32(nr_rng *r);
/** Uniform integer in [lo, hi] (inclusive). */
int nr_range(nr_rng *r, int lo, int hi);
/** Uniform-ish float in [lo, hi). */
float nr_uniform(nr_rng *r, float lo, float hi);
/**
 * A "nasty" float: mixes uniform values, lattice values k/3 and k/8, the
 * cut points +-2/3 and their neighbours, 0, -0 (never NaN or inf).
 */
float nr_float(nr_rng *r);
/** Random +-1 values. */
void nr_pm1(nr_rng *r, int8_t *v, size_t n);

/* ---- packing ------------------------------------------------------------ */
/** Words of a packed map. */
size_t nr_map_words(int c, int h, int w);
/** Pack int8 +-1 planar [c][h][w] into [h][w][words(c)], bit by bit. */
void nr_pack_map(const int8_t *x, int c, int h, int w, uint32_t *out);
/** Unpack [h][w][words(c)] into int8 +-1 planar [c][h][w], bit by bit. */
void nr_unpack_map(const uint32_t *bits, int c, int h, int w, int8_t *out);
/** Pack int8 +-1 weights [co][ci][k][k] into [co][k][k][words(ci)]. */
void nr_pack_weights(const int8_t *w, int co, int ci, int k, uint32_t *out);
/** Words of packed weights. */
size_t nr_weight_words(int co, int ci, int k);
/** 1 iff every padding bit (channel >= c) of a packed map is 0. */
int nr_padding_clear(const uint32_t *bits, int c, size_t n_pixels);

/* ---- integer / bit ops -------------------------------------------------- */
/** Output size (in + 2*pad - k) / s + 1, or 0 if the window does not fit. */
int nr_out_dim(int in, int k, int s, int pad);
/**
 * Direct convolution of +-1 x [ci][h][w] with +-1 w [co][ci][k][k], zero
 * padding (a padded tap adds 0). out int32 [co][ho][wo].
 */
void nr_conv(const int8_t *x, const int8_t *w, int ci, int h, int wd, int co, int k, int s,
             int pad, int32_t *out);
/**
 * Thermometer code: out +-1 planar [c*bits][h][w]; n is the integer nearest to
 * p / R (ties to the even one), found by exhaustive search.
 */
void nr_thermometer(const uint8_t *img, int c, int h, int w, int res, int bits, int8_t *out);
/** Q2 level of x as (m, l): from the four levels -1, -1/3, 1/3, 1 of FRACBNN.md. */
void nr_quant2(float x, int8_t *m, int8_t *l);
/** Binary max pool of +-1 planar maps, padded taps ignored. */
void nr_maxpool_pm1(const int8_t *x, int c, int h, int w, int k, int s, int pad, int8_t *y);

/* ---- real ops ----------------------------------------------------------- */
void nr_affine(const float *x, const float *a, const float *b, int c, int hw, float *y);
void nr_rprelu(const float *x, const float *bx, const float *sl, const float *by, int c, int hw,
               float *y);
void nr_avgpool(const float *x, int c, int h, int w, int k, int s, int dup, float *y);
void nr_global_avgpool(const float *x, int c, int h, int w, float *y);
/** numpy.maximum folded from -inf over the in-bounds taps. */
void nr_maxpool(const float *x, int c, int h, int w, int k, int s, int pad, float *y);
void nr_fc(const float *x, int n_in, const float *w, const float *b, int n_out, float *y);
/** Uses rintf() (libm) for the rounding, unlike the kernel. */
void nr_quant_uniform(const float *x, int n, int bits, float lo, float hi, float *y);

#endif /* FBNN_TEST_NAIVE_REF_H */
