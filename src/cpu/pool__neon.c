/*
 * AArch64 Advanced SIMD average pooling (k x k, stride s, no padding, floor
 * mode, channel duplication) and global average pooling, bit-identical to
 * kernels/fbnn_k_avgpool.c and kernels/fbnn_k_global_avgpool.c. Every output
 * is the reference's operations in the reference's order: acc = 0.0f, then
 * acc + tap for the taps in row-major order (the leading 0.0f + tap matters:
 * it turns -0 into +0), then acc / divisor as a true division (fdiv is
 * correctly rounded, as the scalar '/'). No fmla anywhere (only adds).
 * Only the lanes differ: 4 neighbouring outputs of a row at a time. Columns
 * of a stride-s window row are de-interleaved by the structure loads: lane j
 * of vldNq(p).val[i] is p[N*j + i], so for s = 1..4
 *   - k == s (non-overlapping windows, the CIFAR shortcut's 2x2/2): one
 *     vld{s}q per window row gives all s taps of 4 outputs;
 *   - otherwise tap kx of 4 outputs is val[0] of vld{s}q at column s*ox + kx;
 * larger strides and the tail of each row take the reference's scalar code.
 * Global average pooling keeps 4 channels in the 4 lanes (4x4 blocks
 * transposed), each lane summing its channel in the reference's order.
 */
#if defined(__aarch64__)
#include <arm_neon.h>

#include "epilogue_args.h"


/* One output, exactly as the reference computes it. */
static fbnn_real pool_one(const fbnn_real *x0, int32_t w, int32_t k, fbnn_real div)
{
    fbnn_real acc = FBNN_R_ZERO;
    int32_t ky, kx;
    for (ky = 0; ky < k; ++ky)
        for (kx = 0; kx < k; ++kx) acc = fbnn_r_add(acc, x0[(size_t)ky * (size_t)w + (size_t)kx]);
    return fbnn_r_div(acc, div);
}

static inline void store_dup(fbnn_real *yr, size_t stride, int32_t dup, float32x4_t v)
{
    int32_t d;
    for (d = 0; d < dup; ++d) vst1q_f32(yr + (size_t)d * stride, v);
}

/* Outputs [ox, ox + 4) of one output row, k == s in 2..4: window row ky of
 * output ox + j is columns s*(ox+j) .. s*(ox+j) + s-1, lanes j of the s
 * registers of vld{s}q at s*ox. Reads columns < s*ox + 4s. */
static inline float32x4_t window4_k_eq_s(const fbnn_real *p, int32_t w, int32_t s)
{
    float32x4_t acc = vdupq_n_f32(0.0f);
    int32_t ky;
    for (ky = 0; ky < s; ++ky) {
        const fbnn_real *r = p + (size_t)ky * (size_t)w;
        if (s == 2) {
            const float32x4x2_t v = vld2q_f32(r);
            acc = vaddq_f32(vaddq_f32(acc, v.val[0]), v.val[1]);
        } else if (s == 3) {
            const float32x4x3_t v = vld3q_f32(r);
            acc = vaddq_f32(vaddq_f32(vaddq_f32(acc, v.val[0]), v.val[1]), v.val[2]);
        } else {
            const float32x4x4_t v = vld4q_f32(r);
            acc = vaddq_f32(vaddq_f32(vaddq_f32(vaddq_f32(acc, v.val[0]), v.val[1]), v.val[2]), v.val[3]);
        }
    }
    return acc;
}

/* Columns r[0], r[s], r[2s], r[3s] (s = 1..4). Reads r[0 .. 4s). */
static inline float32x4_t load_stride(const fbnn_real *r, int32_t s)
{
    switch (s) {
    case 1: return vld1q_f32(r);
    case 2: return vld2q_f32(r).val[0];
    case 3: return vld3q_f32(r).val[0];
    default: return vld4q_f32(r).val[0];
    }
}

/* Outputs [ox, ox + 4), any k, s = 1..4: tap (ky, kx) of the 4 outputs is
 * columns s*(ox+j) + kx of window row ky. Reads columns < s*ox + k-1 + 4s. */
static inline float32x4_t window4_any(const fbnn_real *p, int32_t w, int32_t k, int32_t s)
{
    float32x4_t acc = vdupq_n_f32(0.0f);
    int32_t ky, kx;
    for (ky = 0; ky < k; ++ky)
        for (kx = 0; kx < k; ++kx) acc = vaddq_f32(acc, load_stride(p + (size_t)ky * (size_t)w + kx, s));
    return acc;
}

int fbnn_k_avgpool__neon(const fbnn_real *x, int32_t c, int32_t h, int32_t w, int32_t k, int32_t s, int32_t dup,
                         fbnn_real *y)
{
    int32_t ho, wo, ch, oy, ox, d;
    size_t in_plane, out_plane, out_chan_stride;
    fbnn_real div;
    float32x4_t vdiv;

    if (!fbnn_avgpool_args_ok(x, c, h, w, k, s, dup, y, &ho, &wo)) return FBNN_K_EBADARG;

    in_plane = (size_t)h * (size_t)w;
    out_plane = (size_t)ho * (size_t)wo;
    out_chan_stride = (size_t)c * out_plane;
    div = fbnn_r_from_s32(k * k);
    vdiv = vdupq_n_f32(div);

    for (ch = 0; ch < c; ++ch) {
        const fbnn_real *xc = x + (size_t)ch * in_plane;
        fbnn_real *yc = y + (size_t)ch * out_plane;
        for (oy = 0; oy < ho; ++oy) {
            const fbnn_real *row = xc + (size_t)oy * (size_t)s * (size_t)w;
            fbnn_real *yr = yc + (size_t)oy * (size_t)wo;
            ox = 0;
            /* The vector loops stop where the loads would pass the end of
             * the input row (the last rows would read past the buffer). */
            if (k == s && s >= 2 && s <= 4) {
                for (; s * ox + 4 * s <= w; ox += 4)
                    store_dup(yr + ox, out_chan_stride, dup,
                              vdivq_f32(window4_k_eq_s(row + (size_t)s * (size_t)ox, w, s), vdiv));
            } else if (s <= 4) {
                for (; s * ox + k - 1 + 4 * s <= w; ox += 4)
                    store_dup(yr + ox, out_chan_stride, dup,
                              vdivq_f32(window4_any(row + (size_t)s * (size_t)ox, w, k, s), vdiv));
            }
            for (; ox < wo; ++ox) {
                const fbnn_real v = pool_one(row + (size_t)ox * (size_t)s, w, k, div);
                for (d = 0; d < dup; ++d) yr[(size_t)d * out_chan_stride + ox] = v;
            }
        }
    }
    return FBNN_K_OK;
}

/* Columns of the 4x4 block r[0..3] (rows = 4 channels, 4 map positions
 * each): col[m] lane j = r[j][m]. trn1/trn2 pair up rows 0,1 and 2,3; the
 * 64-bit zips then join their halves. */
static inline void transpose4(const float32x4_t r[4], float32x4_t col[4])
{
    const float64x2_t a = vreinterpretq_f64_f32(vtrn1q_f32(r[0], r[1])); /* r00 r10 r02 r12 */
    const float64x2_t b = vreinterpretq_f64_f32(vtrn2q_f32(r[0], r[1])); /* r01 r11 r03 r13 */
    const float64x2_t c = vreinterpretq_f64_f32(vtrn1q_f32(r[2], r[3])); /* r20 r30 r22 r32 */
    const float64x2_t d = vreinterpretq_f64_f32(vtrn2q_f32(r[2], r[3])); /* r21 r31 r23 r33 */
    col[0] = vreinterpretq_f32_f64(vzip1q_f64(a, c));
    col[1] = vreinterpretq_f32_f64(vzip1q_f64(b, d));
    col[2] = vreinterpretq_f32_f64(vzip2q_f64(a, c));
    col[3] = vreinterpretq_f32_f64(vzip2q_f64(b, d));
}

int fbnn_k_global_avgpool__neon(const fbnn_real *x, int32_t c, int32_t h, int32_t w, fbnn_real *y)
{
    int32_t ch;
    size_t plane, i;
    fbnn_real div;

    if (x == NULL || y == NULL || !fbnn_dims_ok(c, h, w)) return FBNN_K_EBADARG;
    plane = (size_t)h * (size_t)w;
    div = fbnn_r_mul(fbnn_r_from_s32(h), fbnn_r_from_s32(w)); /* as the reference */

    /* 4 channels at a time, one per lane: each lane adds its channel's values
     * in the reference's order (4 independent chains). */
    for (ch = 0; ch + 4 <= c; ch += 4) {
        const fbnn_real *xc = x + (size_t)ch * plane;
        float32x4_t acc = vdupq_n_f32(0.0f);
        fbnn_real lane[4];
        int j;
        for (i = 0; i + 4 <= plane; i += 4) {
            float32x4_t r[4], col[4];
            for (j = 0; j < 4; ++j) r[j] = vld1q_f32(xc + (size_t)j * plane + i);
            transpose4(r, col);
            acc = vaddq_f32(vaddq_f32(vaddq_f32(vaddq_f32(acc, col[0]), col[1]), col[2]), col[3]);
        }
        /* The last < 4 positions: each lane's chain continues in scalar
         * (the same adds in the same order), then the division. */
        vst1q_f32(lane, acc);
        for (j = 0; j < 4; ++j) {
            size_t t;
            for (t = i; t < plane; ++t) lane[j] = fbnn_r_add(lane[j], xc[(size_t)j * plane + t]);
            y[ch + j] = fbnn_r_div(lane[j], div);
        }
    }
    for (; ch < c; ++ch) {
        const fbnn_real *xc = x + (size_t)ch * plane;
        fbnn_real acc = FBNN_R_ZERO;
        for (i = 0; i < plane; ++i) acc = fbnn_r_add(acc, xc[i]);
        y[ch] = fbnn_r_div(acc, div);
    }
    return FBNN_K_OK;
}
#else
typedef int fbnn_pool_neon_unused; /* ISO C forbids an empty unit */
#endif
