/**
 * @file fbnn_kernels.h
 * @brief Reference kernels of libfracbnn: the oracle for every optimised path.
 *
 * Ground floor of the library: plain C99 in the HLS-compatible subset (no
 * heap, no recursion, no function pointers, no includes from src/). One
 * kernel per file, named by its contract. Kernels take raw pointers and a
 * small parameter struct, never allocate, and return 0 on success or
 * FBNN_K_EBADARG when a size is out of range (they never read or write out
 * of bounds when the sizes given match the buffers).
 *
 * Layouts (models/FORMAT.md 2.3):
 *  - U8 image: bytes, planar [C][H][W].
 *  - real map: fbnn_real, planar [C][H][W].
 *  - packed bits: pixel-major [H][W][FBNN_WORDS(C)] uint32_t words; channel c
 *    is bit (c % 32) of word (c / 32); 1 = +1, 0 = -1; unused high bits of
 *    the last word are 0 (every kernel that writes bits clears them, every
 *    kernel that reads bits relies on it).
 *  - binary conv weights: [C_out][K][K][FBNN_WORDS(C_in)] words, same bit
 *    order, padding bits 0.
 */
#ifndef FBNN_KERNELS_H
#define FBNN_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "fbnn_real.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FBNN_K_OK 0
#define FBNN_K_EBADARG 1

/** Number of 32-bit words that hold `c` packed channels. */
#define FBNN_WORDS(c) (((c) + 31) / 32)

/** Largest supported spatial size, channel count and kernel size (these bound
 *  every loop; HLS tripcounts use them). */
#define FBNN_K_MAX_DIM 65535
#define FBNN_K_MAX_KERNEL 15
#define FBNN_K_MAX_STRIDE 8

/** Shape of a square binary convolution with zero padding. */
typedef struct fbnn_conv_params {
    int32_t in_c, in_h, in_w; /**< input channels, height, width */
    int32_t out_c;            /**< output channels */
    int32_t k;                /**< kernel size (k x k), 1..15 */
    int32_t stride;           /**< 1..8 */
    int32_t pad;              /**< zero padding, 0..k-1; a padded tap adds 0 */
    int32_t out_h, out_w;     /**< must be (in + 2*pad - k) / stride + 1 */
} fbnn_conv_params;

/** Population count of a 32-bit word (portable; HLS-friendly). */
static inline uint32_t fbnn_popcount32(uint32_t v)
{
#if (defined(__GNUC__) || defined(__clang__)) && !defined(__SYNTHESIS__)
    return (uint32_t)__builtin_popcount(v);
#else
    v = v - ((v >> 1) & 0x55555555u);
    v = (v & 0x33333333u) + ((v >> 2) & 0x33333333u);
    v = (v + (v >> 4)) & 0x0F0F0F0Fu;
    return (v * 0x01010101u) >> 24;
#endif
}

/** Output size of a conv/pool axis, or 0 if the window does not fit. */
static inline int32_t fbnn_out_size(int32_t in, int32_t k, int32_t stride, int32_t pad)
{
    if (in < 1 || k < 1 || stride < 1 || pad < 0 || in + 2 * pad < k) return 0;
    return (in + 2 * pad - k) / stride + 1;
}

/** Valid tap range [*lo, *hi) of one axis for a window of size k starting at
 *  input index `start` (negative in the zero padding) over `in` pixels. */
static inline void fbnn_tap_range(int32_t start, int32_t k, int32_t in, int32_t *lo, int32_t *hi)
{
    *lo = start < 0 ? -start : 0;
    *hi = (in - start) < k ? (in - start) : k;
}

/** Check the sizes of a pooling window over a [c][h][w] map (ranges of
 *  fbnn_kernels.h) and compute its output size; 0 if valid. */
static inline int fbnn_window_check(int32_t c, int32_t h, int32_t w, int32_t k, int32_t s, int32_t pad,
                                    int32_t *ho, int32_t *wo)
{
    if (c < 1 || c > FBNN_K_MAX_DIM || h < 1 || h > FBNN_K_MAX_DIM || w < 1 || w > FBNN_K_MAX_DIM)
        return FBNN_K_EBADARG;
    if (k < 1 || k > FBNN_K_MAX_KERNEL || s < 1 || s > FBNN_K_MAX_STRIDE) return FBNN_K_EBADARG;
    if (pad < 0 || pad >= k) return FBNN_K_EBADARG;
    *ho = fbnn_out_size(h, k, s, pad);
    *wo = fbnn_out_size(w, k, s, pad);
    return (*ho < 1 || *wo < 1) ? FBNN_K_EBADARG : FBNN_K_OK;
}

/** Check a conv parameter struct (ranges, out size formula, 24-bit sum bound). */
int fbnn_k_conv_params_check(const fbnn_conv_params *p);

/**
 * Thermometer encoding of an 8-bit planar image into packed bits.
 * n = round_half_even(p / resolution) computed exactly on integers; output
 * channel c*bits + k is +1 iff k < n. Output [H][W][FBNN_WORDS(C*bits)].
 */
int fbnn_k_thermometer(const uint8_t *img, int32_t c, int32_t h, int32_t w,
                       int32_t resolution, int32_t bits, uint32_t *out);

/** Pack a real map: bit = 1 iff x >= 0 (sign activation). */
int fbnn_k_pack_sign(const fbnn_real *x, int32_t c, int32_t h, int32_t w, uint32_t *out);

/**
 * 2-bit activation Q2 packed into an MSB and an LSB plane (same layout):
 * m = +1 iff x >= 0; l = +1 iff x > 2/3 or -2/3 <= x < 0 (f32 cut points).
 */
int fbnn_k_quant2_pack(const fbnn_real *x, int32_t c, int32_t h, int32_t w,
                       uint32_t *msb, uint32_t *lsb);

/**
 * Binary conv (XNOR-popcount). out[o][y][x] = exact sum over in-bounds taps
 * and channels of x*w in {-1,+1}, as fbnn_real. Output planar [out_c][out_h][out_w].
 */
int fbnn_k_bconv(const uint32_t *in, const uint32_t *weights,
                 const fbnn_conv_params *p, fbnn_real *out);

/**
 * Threshold epilogue (FINN-style) of one integer sum s: 1 (+1) iff
 * s >= t (flip == 0) or s <= t (flip == 1, where the folded BN scale is
 * negative). Integers only.
 */
static inline int fbnn_thr_bit(int32_t s, int32_t t, int32_t flip)
{
    return flip ? (s <= t) : (s >= t);
}

/** Check the sizes of a binary FC: 1 <= n_in < 2^24, n_in <= 32*n_words,
 *  1 <= n_words, 1 <= n_out <= FBNN_K_MAX_DIM. 0 if valid. */
static inline int fbnn_k_bfc_check(int32_t n_words, int32_t n_in, int32_t n_out)
{
    if (n_in < 1 || n_in >= (1 << 24) || n_words < 1 || n_words > (1 << 24)) return FBNN_K_EBADARG;
    if ((int64_t)n_in > 32 * (int64_t)n_words) return FBNN_K_EBADARG;
    return (n_out < 1 || n_out > FBNN_K_MAX_DIM) ? FBNN_K_EBADARG : FBNN_K_OK;
}

/**
 * Binary conv with the threshold epilogue: the fbnn_k_bconv sum s of output
 * channel o (never converted to float) becomes bit o of the packed output
 * [out_h][out_w][FBNN_WORDS(out_c)] via fbnn_thr_bit(s, thr[2o], thr[2o+1]).
 */
int fbnn_k_bconv_thr(const uint32_t *in, const uint32_t *weights, const int32_t *thr,
                     const fbnn_conv_params *p, uint32_t *out);

/** fbnn_k_bconv_thr for output rows [y0, y1) only (the rest of out untouched). */
int fbnn_k_bconv_thr_rows(const uint32_t *in, const uint32_t *weights, const int32_t *thr,
                          const fbnn_conv_params *p, int32_t y0, int32_t y1, uint32_t *out);

/**
 * Binary fully connected layer over n_words packed words holding n_in
 * channels (a whole packed map); weights [n_out][n_words] in the same
 * layout. y[o] = (fbnn_real)(n_in - 2*popcount(x ^ w[o])) * scale[o] + bias[o]
 * (multiply, then add).
 */
int fbnn_k_bfc(const uint32_t *in, int32_t n_words, int32_t n_in, const uint32_t *weights,
               const fbnn_real *scale, const fbnn_real *bias, int32_t n_out, fbnn_real *out);

/** Binary FC with the threshold epilogue: bit o of out [FBNN_WORDS(n_out)]
 *  is fbnn_thr_bit(sum[o], thr[2o], thr[2o+1]). */
int fbnn_k_bfc_thr(const uint32_t *in, int32_t n_words, int32_t n_in, const uint32_t *weights,
                   const int32_t *thr, int32_t n_out, uint32_t *out);

/** Most output bits (planes) of the k-bit threshold epilogue. */
#define FBNN_THR_MAX_PLANES 4

/**
 * k-bit threshold epilogue of one integer sum s: with n = 2^planes - 1
 * thresholds t[0..n-1] and the flip t[n] (a row of the I32 [C, 2^planes]
 * threshold tensor), the code is the number of j with s >= t[j] (flip 0)
 * or s <= t[j] (flip 1), 0..n. planes = 1 is fbnn_thr_bit.
 */
static inline int32_t fbnn_thr_code(int32_t s, const int32_t *t, int32_t planes)
{
    const int32_t n = ((int32_t)1 << planes) - 1;
    int32_t j, code = 0;
    for (j = 0; j < (1 << FBNN_THR_MAX_PLANES) - 1; ++j) /* static bound (HLS) */
        if (j < n) code += fbnn_thr_bit(s, t[j], t[n]);
    return code;
}

/**
 * Binary conv with the k-bit threshold epilogue (planes 1..4): the sum s of
 * output channel o gives the code fbnn_thr_code(s, thr + o * 2^planes,
 * planes); bit i of it is packed channel i * out_c + o of the output
 * [out_h][out_w][FBNN_WORDS(planes * out_c)] (the bit-plane layout that
 * QUANT_KBIT writes and KCONV reads). planes = 1 is fbnn_k_bconv_thr.
 * Only output rows [y0, y1) are written.
 */
int fbnn_k_bconv_thr_kbit_rows(const uint32_t *in, const uint32_t *weights, const int32_t *thr, int32_t planes,
                               const fbnn_conv_params *p, int32_t y0, int32_t y1, uint32_t *out);

/** fbnn_k_bconv_thr_kbit_rows over every output row. */
int fbnn_k_bconv_thr_kbit(const uint32_t *in, const uint32_t *weights, const int32_t *thr, int32_t planes,
                          const fbnn_conv_params *p, uint32_t *out);

/** Binary FC with the k-bit threshold epilogue: bit i of the code of output
 *  o (as fbnn_k_bconv_thr_kbit_rows) is bit i * n_out + o of out
 *  [FBNN_WORDS(planes * n_out)]. */
int fbnn_k_bfc_thr_kbit(const uint32_t *in, int32_t n_words, int32_t n_in, const uint32_t *weights,
                        const int32_t *thr, int32_t planes, int32_t n_out, uint32_t *out);

/**
 * Padding value of a binary conv: add to a zero-padded fbnn_k_bconv output
 * `out` the taps padded with pad_value (+1 or -1; 0 = no change), i.e.
 * pad_value * sum_c w over the padded taps of each border window, in place.
 * bconv + this = the conv over the input padded with pad_value, exactly.
 */
int fbnn_k_bconv_pad_value(const uint32_t *weights, const fbnn_conv_params *p, int32_t pad_value,
                           fbnn_real *out);

/**
 * Precision-gated fractional conv. Sm = bconv sum of the MSB plane;
 * o_msb = (2*Sm)/3; where o_msb > threshold[o], the LSB sum Sl is computed
 * and out = (2*Sm + Sl)/3, else out = o_msb. `n_gated` (may be NULL)
 * receives the number of output positions where the LSB conv ran.
 */
int fbnn_k_pgconv(const uint32_t *msb, const uint32_t *lsb, const uint32_t *weights,
                  const fbnn_real *threshold, const fbnn_conv_params *p,
                  fbnn_real *out, uint32_t *n_gated);

/** y[c][i] = a[c]*x[c][i] + b[c] over hw pixels per channel (y may equal x). */
int fbnn_k_affine(const fbnn_real *x, const fbnn_real *a, const fbnn_real *b,
                  int32_t c, int32_t hw, fbnn_real *y);

/** RPReLU: t = x + bx[c]; t = t > 0 ? t : slope[c]*t; y = t + by[c] (y may equal x). */
int fbnn_k_rprelu(const fbnn_real *x, const fbnn_real *bx, const fbnn_real *slope,
                  const fbnn_real *by, int32_t c, int32_t hw, fbnn_real *y);

/** y = x0 + x1 elementwise over n values (y may equal x0 or x1). */
int fbnn_k_add(const fbnn_real *x0, const fbnn_real *x1, int32_t n, fbnn_real *y);

/**
 * Average pooling, k x k, stride s, no padding, floor mode; window summed in
 * row-major order from 0 then divided by k*k. Output channel d*c + ch is a
 * copy of pooled channel ch, d = 0..dup-1. Output [c*dup][ho][wo].
 */
int fbnn_k_avgpool(const fbnn_real *x, int32_t c, int32_t h, int32_t w,
                   int32_t k, int32_t s, int32_t dup, fbnn_real *y);

/** Global average pool: y[c] = (sum of x[c] in row-major order from 0) / (h*w). */
int fbnn_k_global_avgpool(const fbnn_real *x, int32_t c, int32_t h, int32_t w, fbnn_real *y);

/** Max pooling of a real map, padded taps ignored. Output [c][ho][wo]. */
int fbnn_k_maxpool(const fbnn_real *x, int32_t c, int32_t h, int32_t w,
                   int32_t k, int32_t s, int32_t pad, fbnn_real *y);

/** Binary max pooling: bitwise OR over the in-bounds window of packed bits. */
int fbnn_k_maxpool_bits(const uint32_t *x, int32_t c, int32_t h, int32_t w,
                        int32_t k, int32_t s, int32_t pad, uint32_t *y);

/**
 * Fully connected: y[j] = (sum_i w[j*n_in + i] * x[i], sequential from 0) + b[j].
 */
int fbnn_k_fc(const fbnn_real *x, int32_t n_in, const fbnn_real *w, const fbnn_real *b,
              int32_t n_out, fbnn_real *y);

/**
 * Uniform k-bit quantiser: d = (hi-lo)/(2^bits-1);
 * y = round_half_even((clamp(x,lo,hi) - lo) / d) * d + lo.
 */
int fbnn_k_quant_uniform(const fbnn_real *x, int32_t n, int32_t bits,
                         fbnn_real lo, fbnn_real hi, fbnn_real *y);

/**
 * Shape of the 1.2 convolutions (real conv, k-bit conv, asymmetric binary
 * conv): per-side padding; out = (in + pad_a + pad_b - k) / stride + 1.
 */
typedef struct fbnn_conv2_params {
    int32_t in_c, in_h, in_w; /**< input channels (per plane for kconv), height, width */
    int32_t out_c;            /**< output channels */
    int32_t k;                /**< kernel size (k x k), 1..15 */
    int32_t stride;           /**< 1..8 */
    int32_t pad_t, pad_l, pad_b, pad_r; /**< padding per side, each 0..k-1 */
    int32_t groups;           /**< rconv: groups (divides in_c and out_c); others: 1 */
    int32_t planes;           /**< kconv: activation bit planes 1..4; others: 1 */
    int32_t bases;            /**< kconv: weight bases 1..8; others: 1 */
    int32_t out_h, out_w;     /**< must match the formula above */
} fbnn_conv2_params;

/** Check a fbnn_conv2_params (ranges, output size); 0 if valid. */
int fbnn_k_conv2_params_check(const fbnn_conv2_params *p);

/**
 * Real-valued convolution (float32), groups (depthwise when groups == in_c),
 * per-side zero padding. Input planar [in_c][in_h][in_w]: real (x_real) or,
 * when x_real is NULL, 8-bit pixels x_u8 converted exactly to fbnn_real.
 * Weights [out_c][in_c/groups][k][k], bias [out_c] (may be NULL = none).
 * For each output: acc = 0; for ci of the group, ky, kx (in that order),
 * skipping padded taps: acc = acc + w*x; out = acc + bias[o] (f32, no FMA).
 */
int fbnn_k_rconv(const fbnn_real *x_real, const uint8_t *x_u8, const fbnn_real *weights,
                 const fbnn_real *bias, const fbnn_conv2_params *p, fbnn_real *out);

/**
 * DoReFa k-bit activation as bit planes: code = round_half_even(clamp(x, 0, 1)
 * * (2^planes - 1)) (one f32 multiply; NaN -> 0); output packed bits
 * [h][w][FBNN_WORDS(planes*c)], plane i of channel j is channel i*c + j, set
 * iff bit i of the code is 1.
 */
int fbnn_k_quant_kbit(const fbnn_real *x, int32_t c, int32_t h, int32_t w, int32_t planes, uint32_t *out);

/**
 * k-bit / multi-base binary conv. Input: planes*in_c packed channels
 * (fbnn_k_quant_kbit), activation a = sum_i 2^i b_i with b in {0, 1};
 * weights [bases*out_c][k][k][FBNN_WORDS(in_c)] (bit 1 = +1), base m of
 * output o is row m*out_c + o; alpha [bases*out_c]. Padded taps are a = 0.
 * I_m = sum_i 2^i * sum over valid taps and channels b_i*w (exact integer,
 * |I_m| <= (2^planes-1)*k*k*in_c < 2^24); out = 0; for m: out = out +
 * alpha[m*out_c + o] * I_m (f32, in base order).
 */
int fbnn_k_kconv(const uint32_t *in, const uint32_t *weights, const fbnn_real *alpha,
                 const fbnn_conv2_params *p, fbnn_real *out);

/**
 * Binary conv with per-side padding and padding value pad_value in
 * {-1, 0, +1}: sum over taps of x*w where a padded tap is pad_value in every
 * channel (exact integer, converted exactly).
 */
int fbnn_k_bconv_asym(const uint32_t *in, const uint32_t *weights, const fbnn_conv2_params *p,
                      int32_t pad_value, fbnn_real *out);

#ifdef __cplusplus
}
#endif

#endif /* FBNN_KERNELS_H */
