/**
 * @file layers.h
 * @brief libfracbnn layer-level API: the ops of a FracBNN network as plain
 *        functions, for people composing their own networks.
 *
 * Every function here is a thin, validating wrapper around the reference
 * kernel of the same op (kernels/), so its results are bit-identical to what
 * the model runtime computes and to the float32 reference interpreter
 * (tools/fbnn_format.py). The functions never allocate, never keep state and
 * are safe to call from any number of threads on distinct buffers. Every
 * function returns FBNN_OK, or FBNN_ERR_ARG for a NULL pointer or a size out
 * of range (then nothing has been written).
 *
 * @par Real numbers
 * All real-valued maps and parameters are IEEE-754 binary32 `float`
 * (the library's internal scalar `fbnn_real` is `float` in this build). Each
 * written operation is one correctly rounded float operation in the order
 * written in the function's documentation, never fused (the library is built
 * with -ffp-contract=off).
 *
 * @par Layouts (models/FORMAT.md section 2.3)
 *  - **U8 image**: bytes, planar `[C][H][W]` (all R, then all G, then all B).
 *  - **real map**: `float`, planar `[C][H][W]`.
 *  - **packed bits**: `uint32_t` words, pixel-major `[H][W][FBNN_PACKED_WORDS(C)]`.
 *    Channel `c` of a pixel is bit `c % 32` (bit 0 = least significant) of
 *    word `c / 32` of that pixel. Bit 1 encodes +1, bit 0 encodes -1. The
 *    unused high bits of the last word of each pixel are padding and must
 *    be 0: every function that writes bits clears them, every function that
 *    reads bits relies on it.
 *  - **packed conv weights**: `uint32_t` words `[C_out][K][K][FBNN_PACKED_WORDS(C_in)]`,
 *    same bit order, padding bits 0 (see fbnn_pack_weights()).
 *
 * @par Ranges
 * Channel counts and spatial sizes are 1 .. FBNN_LAYER_MAX_DIM (65535);
 * kernel sizes 1 .. FBNN_LAYER_MAX_KERNEL (15); strides 1 .. FBNN_LAYER_MAX_STRIDE (8);
 * zero padding 0 .. K-1. Output sizes follow
 * `out = (in + 2*pad - K) / stride + 1` (floor), see fbnn_conv_out_dim().
 *
 * @code
 *   // one FracBNN CIFAR-10 block input: x real [16][32][32] -> Q2 -> PG conv
 *   uint32_t m[32*32], l[32*32];                 // FBNN_PACKED_WORDS(16) = 1
 *   fbnn_quant2_pack(x, 16, 32, 32, m, l);
 *   fbnn_conv_shape s = { 16, 32, 32, 16, 3, 1, 1 };
 *   fbnn_pgconv(m, l, w_packed, threshold, &s, y, NULL);  // y [16][32][32]
 *   fbnn_affine(y, bn_a, bn_b, 16, 32*32, y);
 * @endcode
 */
#ifndef FRACBNN_LAYERS_H
#define FRACBNN_LAYERS_H

#include <stddef.h>
#include <stdint.h>

#include "fracbnn.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Largest channel count / spatial size accepted by the layer functions. */
#define FBNN_LAYER_MAX_DIM 65535
/** Largest kernel size K (K x K windows). */
#define FBNN_LAYER_MAX_KERNEL 15
/** Largest stride. */
#define FBNN_LAYER_MAX_STRIDE 8
/** Largest thermometer code length per colour channel. */
#define FBNN_LAYER_MAX_THERM_BITS 1024
/** Largest channel duplication factor of fbnn_avgpool(). */
#define FBNN_LAYER_MAX_DUP 16
/** Largest bit width of fbnn_quant_uniform(). */
#define FBNN_LAYER_MAX_QUANT_BITS 16

/** Number of 32-bit words that hold `c` packed channels of one pixel. */
#define FBNN_PACKED_WORDS(c) (((c) + 31) / 32)

/**
 * Shape of a square binary convolution with zero padding. The output size
 * is derived: `out_h = fbnn_conv_out_dim(in_h, k, stride, pad)`, likewise
 * `out_w`.
 */
typedef struct fbnn_conv_shape {
    int in_c;   /**< input channels, 1..65535 */
    int in_h;   /**< input height, 1..65535 */
    int in_w;   /**< input width, 1..65535 */
    int out_c;  /**< output channels, 1..65535 */
    int k;      /**< kernel size (k x k), 1..15; k*k*in_c must be < 2^24
                     (fbnn_bconv()), 3*k*k*in_c < 2^24 (fbnn_pgconv()) */
    int stride; /**< 1..8 */
    int pad;    /**< zero padding on every side, 0..k-1; a padded tap adds 0 */
} fbnn_conv_shape;

/**
 * Output size of one axis of a convolution or pooling window:
 * `(in + 2*pad - k) / stride + 1` (floor).
 * @return the size, or 0 if an argument is out of range (in outside
 *         1..65535, k outside 1..15, stride outside 1..8, pad outside 0..k-1)
 *         or the window does not fit.
 */
int fbnn_conv_out_dim(int in, int k, int stride, int pad);

/**
 * Number of `uint32_t` words of a packed bit map `[h][w][FBNN_PACKED_WORDS(c)]`.
 * @return h * w * ceil(c / 32), or 0 if c, h or w is outside 1..65535.
 */
size_t fbnn_packed_map_words(int c, int h, int w);

/**
 * Number of `uint32_t` words of packed conv weights
 * `[co][k][k][FBNN_PACKED_WORDS(ci)]` (the size fbnn_pack_weights() writes).
 * @return co * k * k * ceil(ci / 32), or 0 if co or ci is outside 1..65535 or
 *         k outside 1..15.
 */
size_t fbnn_packed_weight_words(int co, int ci, int k);

/**
 * Thermometer encoding of an 8-bit image into packed bits (the FracBNN
 * input layer). For every pixel value p: `n = round_half_even(p / resolution)`
 * computed exactly in integers (p = 4, R = 8 gives 0; p = 12 gives 2;
 * p = 20 gives 2); output channel `ch * bits + k` (colour-major) is +1 iff
 * `k < n` (n larger than `bits` saturates).
 * @param img         U8 image, planar [c][h][w]
 * @param c,h,w       1..65535 each; c * bits must be <= 65535
 * @param resolution  R, 1..255 (FracBNN uses 8)
 * @param bits        code length per colour channel, 1..1024 (FracBNN uses 32)
 * @param out         packed bits [h][w][FBNN_PACKED_WORDS(c*bits)]
 */
fbnn_status fbnn_thermometer_encode(const uint8_t *img, int c, int h, int w, int resolution,
                                    int bits, uint32_t *out);

/**
 * Sign activation of a real map into packed bits: bit = 1 (+1) iff
 * x >= 0 (so -0.0 gives +1 and NaN gives -1).
 * @param x      real map, planar [c][h][w]
 * @param c,h,w  1..65535 each
 * @param out    packed bits [h][w][FBNN_PACKED_WORDS(c)]
 */
fbnn_status fbnn_pack_sign(const float *x, int c, int h, int w, uint32_t *out);

/**
 * FracBNN 2-bit activation Q2 of a real map, as two packed bit planes with
 * Q2(x) = (2/3) m + (1/3) l:
 *  - m (MSB) = +1 iff x >= 0;
 *  - l (LSB) = +1 iff x > 2/3 or -2/3 <= x < 0, with the cut points the
 *    float constant 2.0f/3.0f.
 * Levels: x > 2/3 -> +1; 0 <= x <= 2/3 -> +1/3; -2/3 <= x < 0 -> -1/3;
 * else (and NaN) -> -1.
 * @param x      real map, planar [c][h][w]
 * @param c,h,w  1..65535 each
 * @param msb    packed bits [h][w][FBNN_PACKED_WORDS(c)] (m)
 * @param lsb    packed bits, same shape (l)
 */
fbnn_status fbnn_quant2_pack(const float *x, int c, int h, int w, uint32_t *msb,
                             uint32_t *lsb);

/**
 * Unpack a packed bit map into one int8 per channel and pixel, planar
 * [c][h][w], +1 for bit 1 and -1 for bit 0 (padding bits are ignored).
 * @param bits   packed bits [h][w][FBNN_PACKED_WORDS(c)]
 * @param c,h,w  1..65535 each
 * @param out    int8 values in {-1, +1}, planar [c][h][w]
 */
fbnn_status fbnn_unpack_bits(const uint32_t *bits, int c, int h, int w, int8_t *out);

/**
 * Binarise and pack float conv weights from the PyTorch layout
 * `[co][ci][k][k]` (planar, row-major) into the packed layout
 * `[co][k][k][FBNN_PACKED_WORDS(ci)]`: weight w is +1 (bit 1) iff w > 0
 * (so 0, -0 and NaN give -1), input channel c in bit c % 32 of word c / 32
 * of its tap; padding bits 0.
 * @param w       float weights [co][ci][k][k]
 * @param co, ci  output / input channels, 1..65535
 * @param k       kernel size, 1..15
 * @param out     fbnn_packed_weight_words(co, ci, k) words
 */
fbnn_status fbnn_pack_weights(const float *w, int co, int ci, int k, uint32_t *out);

/**
 * Binary convolution (XNOR-popcount) with zero padding, any K in 1..15
 * (FracBNN uses 3x3 and 1x1) and stride 1..8 (FracBNN uses 1 and 2):
 * `out[o][y][x] = sum over in-bounds taps (ky,kx) and input channels c of
 * x[c] * w[o][c][ky][kx]` with x, w in {-1, +1}; a padded tap contributes 0.
 * The sum is an exact integer (|sum| <= k*k*in_c < 2^24) stored as float.
 * @param in       packed bits [in_h][in_w][FBNN_PACKED_WORDS(in_c)]
 * @param weights  packed weights [out_c][k][k][FBNN_PACKED_WORDS(in_c)]
 * @param shape    the convolution (see fbnn_conv_shape)
 * @param out      real map, planar [out_c][out_h][out_w]
 */
fbnn_status fbnn_bconv(const uint32_t *in, const uint32_t *weights,
                       const fbnn_conv_shape *shape, float *out);

/**
 * Binary convolution as fbnn_bconv(), but the border padded with
 * `pad_value` in every channel: 0 (as fbnn_bconv), +1 (Larq's
 * `pad_values=1`) or -1 (daBNN). A padded tap then adds
 * `pad_value * sum_c w[o][ky][kx][c]`; the result is the exact integer sum
 * of the conv over the explicitly padded {-1,+1} input, as float.
 * @param in, weights, shape, out   as fbnn_bconv()
 * @param pad_value  -1, 0 or +1 (anything else: FBNN_ERR_ARG)
 */
fbnn_status fbnn_bconv_padded(const uint32_t *in, const uint32_t *weights, const fbnn_conv_shape *shape,
                              int pad_value, float *out);

/**
 * Precision-gated fractional binary convolution (FracBNN PG conv) of a Q2
 * activation given as its MSB and LSB planes (fbnn_quant2_pack()). With the
 * exact integer sums Sm = bconv(msb) and Sl = bconv(lsb) (as fbnn_bconv()):
 * `o_msb = (float)(2*Sm) / 3.0f`; where `o_msb > threshold[o]` the LSB sum is
 * computed and `out = (float)(2*Sm + Sl) / 3.0f`, elsewhere `out = o_msb`.
 *
 * Exactness limit: `3*k*k*in_c < 2^24` (16 777 216), stricter than
 * fbnn_bconv()'s `k*k*in_c < 2^24`. Then |2*Sm + Sl| <= 3*k*k*in_c converts
 * to float exactly and each output is the single correctly rounded n/3 of
 * the integer n = 2*Sm + Sl (or 2*Sm), as models/FORMAT.md section 4 defines
 * the op and as the model loader requires of every PG conv. A larger shape
 * (e.g. in_c = 65535 with k = 15, where |n| can reach 44 236 125 and would be
 * rounded to float before the division) is rejected with FBNN_ERR_ARG and
 * nothing is written. The largest accepted in_c is 5 592 405 / (k*k), rounded
 * down: 24 855 for k = 15, 621 378 for k = 3 (above the 65535 channel limit).
 * @param msb, lsb   packed bits [in_h][in_w][FBNN_PACKED_WORDS(in_c)] each
 * @param weights    packed weights [out_c][k][k][FBNN_PACKED_WORDS(in_c)]
 * @param threshold  gate threshold per output channel [out_c]
 * @param shape      the convolution (see fbnn_conv_shape)
 * @param out        real map, planar [out_c][out_h][out_w]
 * @param n_gated    optional (may be NULL): number of output values (over all
 *                   channels and positions) where the gate fired and the LSB
 *                   conv ran; wraps modulo 2^32
 * @return FBNN_OK; FBNN_ERR_ARG for a NULL pointer, a shape out of range or
 *         3*k*k*in_c >= 2^24 (nothing written)
 */
fbnn_status fbnn_pgconv(const uint32_t *msb, const uint32_t *lsb, const uint32_t *weights,
                        const float *threshold, const fbnn_conv_shape *shape, float *out,
                        uint32_t *n_gated);

/**
 * Per-channel affine (folded BatchNorm): `y[ch][i] = a[ch] * x[ch][i] + b[ch]`
 * (float multiply, then float add).
 * @param x      real map [c][hw] (planar [c][h][w] with hw = h*w)
 * @param a, b   per-channel scale and shift [c]
 * @param c      channels, 1..65535
 * @param hw     values per channel, >= 1
 * @param y      output [c][hw]; may be x (in place)
 */
fbnn_status fbnn_affine(const float *x, const float *a, const float *b, int c, int hw, float *y);

/**
 * RPReLU: `t = x + bx[ch]; t = (t > 0) ? t : slope[ch] * t; y = t + by[ch]`.
 * @param x                 real map [c][hw]
 * @param bx, slope, by     per-channel shift, PReLU slope and shift [c]
 * @param c                 channels, 1..65535
 * @param hw                values per channel, >= 1
 * @param y                 output [c][hw]; may be x (in place)
 */
fbnn_status fbnn_rprelu(const float *x, const float *bx, const float *slope, const float *by,
                        int c, int hw, float *y);

/**
 * Residual add: `y[i] = x0[i] + x1[i]` for i in 0..n-1.
 * @param x0, x1  the two inputs [n]
 * @param n       number of values, >= 1
 * @param y       output [n]; may be x0 or x1 (in place)
 */
fbnn_status fbnn_residual_add(const float *x0, const float *x1, int n, float *y);

/**
 * Average pooling, k x k window, stride s, no padding, floor mode, with
 * channel duplication: for each window, `acc = 0.0f`, then `acc = acc + tap`
 * over the taps in row-major order, then `acc / (float)(k*k)`. Output channel
 * `d*c + ch` (d = 0..dup-1) is a copy of pooled channel ch.
 * @param x      real map, planar [c][h][w]
 * @param c,h,w  1..65535 each; c * dup must be <= 65535
 * @param k      window, 1..15, at most h and w
 * @param s      stride, 1..8
 * @param dup    duplication factor, 1..16
 * @param y      real map [c*dup][(h-k)/s+1][(w-k)/s+1]; must not overlap x
 */
fbnn_status fbnn_avgpool(const float *x, int c, int h, int w, int k, int s, int dup, float *y);

/**
 * 2x2 average pooling with stride 2 (fbnn_avgpool() with k = s = 2), the
 * FracBNN stride-2 shortcut; dup = 2 gives `cat(pool(x), pool(x))`.
 * Output [c*dup][h/2][w/2] (h, w >= 2; an odd last row/column is dropped).
 */
fbnn_status fbnn_avgpool2x2(const float *x, int c, int h, int w, int dup, float *y);

/**
 * Global average pooling: `y[ch] = (0.0f + x[ch][0] + x[ch][1] + ...) / (float)(h*w)`,
 * summed in row-major order.
 * @param x      real map, planar [c][h][w]
 * @param c, h, w  channels, height, width, 1..65535 each
 * @param y      [c]
 */
fbnn_status fbnn_global_avgpool(const float *x, int c, int h, int w, float *y);

/**
 * Max pooling of a real map, k x k window, stride s, padding pad; padded
 * taps are ignored (they never win). Equal values keep the earlier tap;
 * a NaN tap propagates.
 * @param x      real map, planar [c][h][w]
 * @param c, h, w  channels, height, width, 1..65535 each
 * @param k      window, 1..15
 * @param s      stride, 1..8
 * @param pad    padding, 0..k-1
 * @param y      real map [c][ho][wo], ho = fbnn_conv_out_dim(h, k, s, pad)
 */
fbnn_status fbnn_maxpool(const float *x, int c, int h, int w, int k, int s, int pad, float *y);

/**
 * Binary max pooling of packed bits: the bitwise OR of the in-bounds words
 * of the k x k window (the maximum of {-1,+1} values); padded taps ignored.
 * @param x      packed bits [h][w][FBNN_PACKED_WORDS(c)]
 * @param c, h, w  channels, height, width, 1..65535 each
 * @param k      window, 1..15
 * @param s      stride, 1..8
 * @param pad    padding, 0..k-1
 * @param y      packed bits [ho][wo][FBNN_PACKED_WORDS(c)]
 */
fbnn_status fbnn_maxpool_bits(const uint32_t *x, int c, int h, int w, int k, int s, int pad,
                              uint32_t *y);

/**
 * Fully connected layer: for each j, `acc = 0.0f; acc = acc + x[i] * w[j*n_in + i]`
 * for i = 0..n_in-1 in order; `y[j] = acc + b[j]`.
 * @param x      input vector [n_in] (a planar [C][H][W] map flattened)
 * @param n_in   >= 1
 * @param w      weights, row-major [n_out][n_in] (PyTorch nn.Linear layout)
 * @param b      bias [n_out]
 * @param n_out  1..65535
 * @param y      output [n_out]; must not overlap x
 */
fbnn_status fbnn_fully_connected(const float *x, int n_in, const float *w, const float *b,
                                 int n_out, float *y);

/**
 * Uniform k-bit quantiser (the k-bit shortcut of the ImageNet FracBNN):
 * `d = (hi - lo) / (float)(2^bits - 1)`;
 * `y = round_half_even((clamp(x, lo, hi) - lo) / d) * d + lo`.
 * @param x     values [n]
 * @param n     number of values, >= 1
 * @param bits  1..16
 * @param lo, hi  range, lo < hi, hi - lo finite
 * @param y     output [n]; may be x (in place)
 */
fbnn_status fbnn_quant_uniform(const float *x, int n, int bits, float lo, float hi, float *y);

/* ------------------------------------------------------------------------
 * Format 1.2 layers (issue 18 part B): real-valued conv, k-bit activation
 * planes, k-bit x multi-base binary conv, binary conv with per-side padding.
 * ------------------------------------------------------------------------ */

/**
 * Shape of a convolution with per-side padding (TensorFlow's `same` at
 * stride 2 pads one more row/column at the bottom/right). Fill it with
 * fbnn_conv2_shape_init(), then set groups / planes / bases if needed.
 * `out_h = (in_h + pad_top + pad_bottom - k) / stride + 1`, likewise out_w.
 */
typedef struct fbnn_conv2_shape {
    int in_c;             /**< input channels (per plane for fbnn_kconv()), 1..65535 */
    int in_h;             /**< input height, 1..65535 */
    int in_w;             /**< input width, 1..65535 */
    int out_c;            /**< output channels, 1..65535 */
    int k;                /**< kernel size (k x k), 1..15 */
    int stride;           /**< 1..8 */
    int pad_top;          /**< rows padded above, 0..k-1 */
    int pad_left;         /**< columns padded left, 0..k-1 */
    int pad_bottom;       /**< rows padded below, 0..k-1 */
    int pad_right;        /**< columns padded right, 0..k-1 */
    int groups;           /**< fbnn_rconv(): groups dividing in_c and out_c (in_c = depthwise); else 1 */
    int planes;           /**< fbnn_kconv(): activation bit planes 1..4; else 1 */
    int bases;            /**< fbnn_kconv(): binary weight bases 1..8; else 1 */
    int out_h;            /**< output height, derived by fbnn_conv2_shape_init() */
    int out_w;            /**< output width, derived by fbnn_conv2_shape_init() */
} fbnn_conv2_shape;

/**
 * Fill a fbnn_conv2_shape (groups = planes = bases = 1) and derive its
 * output size. FBNN_ERR_ARG (shape untouched) if a value is out of range or
 * the output would be empty.
 */
fbnn_status fbnn_conv2_shape_init(fbnn_conv2_shape *shape, int in_c, int in_h, int in_w, int out_c, int k,
                                  int stride, int pad_top, int pad_left, int pad_bottom, int pad_right);

/**
 * Real-valued (float32) convolution with groups and per-side zero padding.
 * For output o (group g = o / (out_c/groups)): `acc = 0; for ci, ky, kx
 * (this order), skipping padded taps: acc = acc + w[o][ci][ky][kx] *
 * x[g*in_c/groups + ci][..]; out = acc + bias[o]` (f32, no FMA): the result
 * is the same bit for bit on every ISA and thread count.
 * @param in      real map, planar [in_c][in_h][in_w]
 * @param w       weights [out_c][in_c/groups][k][k]
 * @param bias    [out_c], or NULL for none
 * @param shape   fbnn_conv2_shape_init() + groups
 * @param out     real map [out_c][out_h][out_w]
 */
fbnn_status fbnn_rconv(const float *in, const float *w, const float *bias, const fbnn_conv2_shape *shape,
                       float *out);

/** fbnn_rconv() on an 8-bit planar image (each pixel read as its float value 0..255). */
fbnn_status fbnn_rconv_u8(const uint8_t *in, const float *w, const float *bias, const fbnn_conv2_shape *shape,
                          float *out);

/**
 * DoReFa k-bit activation as packed bit planes: `code = round_half_even(
 * clamp(x, 0, 1) * (2^planes - 1))` (one f32 multiply; NaN -> 0); packed
 * channel `i*c + j` is bit i of channel j's code.
 * @param x       real map [c][h][w]
 * @param c       channels of x, >= 1
 * @param h       height of x, >= 1
 * @param w       width of x, >= 1
 * @param planes  1..4 (planes * c <= 65535)
 * @param out     packed bits [h][w][FBNN_PACKED_WORDS(planes*c)]
 */
fbnn_status fbnn_quant_kbit(const float *x, int c, int h, int w, int planes, uint32_t *out);

/**
 * k-bit activations x multi-base binary weights (DoReFa-Net, ABC-Net):
 * `I_m = sum_i 2^i * sum over valid taps, channels of b_i * w_m` (b in {0,1}
 * from fbnn_quant_kbit(), w in {-1,+1}, padded taps 0; exact integers),
 * `out = 0; for m: out = out + alpha[m*out_c + o] * I_m` (f32, base order).
 * @param in       packed bits [in_h][in_w][FBNN_PACKED_WORDS(planes*in_c)]
 * @param weights  packed weights [bases*out_c][k][k][FBNN_PACKED_WORDS(in_c)]
 *                 (fbnn_pack_weights() per base, bases stacked)
 * @param alpha    scales [bases][out_c]
 * @param shape    fbnn_conv2_shape_init() + planes, bases;
 *                 (2^planes - 1)*k*k*in_c < 2^24
 * @param out      real map [out_c][out_h][out_w]
 */
fbnn_status fbnn_kconv(const uint32_t *in, const uint32_t *weights, const float *alpha,
                       const fbnn_conv2_shape *shape, float *out);

/**
 * Binary convolution with per-side padding and a padding value in
 * {-1, 0, +1} (a padded tap is that value in every channel): the exact
 * integer sum as float, like fbnn_bconv_padded().
 * @param in, weights  as fbnn_bconv()
 * @param shape        fbnn_conv2_shape_init() (groups, planes, bases 1)
 * @param pad_value    -1, 0 or +1
 * @param out          real map [out_c][out_h][out_w]
 */
fbnn_status fbnn_bconv_asym(const uint32_t *in, const uint32_t *weights, const fbnn_conv2_shape *shape,
                            int pad_value, float *out);

#ifdef __cplusplus
}
#endif

#endif /* FRACBNN_LAYERS_H */
