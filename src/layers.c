/**
 * @file layers.c
 * @brief Layer-level public API (include/fracbnn/layers.h): validating
 *        wrappers around the reference kernels.
 */
#include "fracbnn/layers.h"

#include <limits.h>

#include "fbnn_kernels.h"

/* The public API speaks float; the kernels speak fbnn_real. Passing a
 * `const float *` where a `const fbnn_real *` is expected is also a type
 * check: it does not compile cleanly unless fbnn_real is float. */
typedef char fbnn_layers_real_is_float[(sizeof(fbnn_real) == sizeof(float)) ? 1 : -1];

/* The public limits restate the kernel limits. */
typedef char fbnn_layers_limits_match[(FBNN_LAYER_MAX_DIM == FBNN_K_MAX_DIM &&
                                       FBNN_LAYER_MAX_KERNEL == FBNN_K_MAX_KERNEL &&
                                       FBNN_LAYER_MAX_STRIDE == FBNN_K_MAX_STRIDE)
                                          ? 1
                                          : -1];

static fbnn_status from_kernel(int rc) { return rc == FBNN_K_OK ? FBNN_OK : FBNN_ERR_ARG; }

static int dim_ok(int v) { return v >= 1 && v <= FBNN_LAYER_MAX_DIM; }

/* A count that must fit the kernels' int32_t (always true where int is 32-bit). */
static int count_ok(int v)
{
#if INT_MAX > INT32_MAX
    if (v > INT32_MAX) return 0;
#endif
    return v >= 1;
}

int fbnn_conv_out_dim(int in, int k, int stride, int pad)
{
    if (!dim_ok(in) || k < 1 || k > FBNN_LAYER_MAX_KERNEL || stride < 1 ||
        stride > FBNN_LAYER_MAX_STRIDE || pad < 0 || pad >= k)
        return 0;
    return (int)fbnn_out_size((int32_t)in, (int32_t)k, (int32_t)stride, (int32_t)pad);
}

size_t fbnn_packed_map_words(int c, int h, int w)
{
    if (!dim_ok(c) || !dim_ok(h) || !dim_ok(w)) return 0;
    return (size_t)h * (size_t)w * (size_t)FBNN_PACKED_WORDS(c);
}

size_t fbnn_packed_weight_words(int co, int ci, int k)
{
    if (!dim_ok(co) || !dim_ok(ci) || k < 1 || k > FBNN_LAYER_MAX_KERNEL) return 0;
    return (size_t)co * (size_t)k * (size_t)k * (size_t)FBNN_PACKED_WORDS(ci);
}

fbnn_status fbnn_thermometer_encode(const uint8_t *img, int c, int h, int w, int resolution,
                                    int bits, uint32_t *out)
{
    if (!dim_ok(c) || !dim_ok(h) || !dim_ok(w) || resolution < 1 || resolution > 255 ||
        bits < 1 || bits > FBNN_LAYER_MAX_THERM_BITS)
        return FBNN_ERR_ARG;
    return from_kernel(fbnn_k_thermometer(img, (int32_t)c, (int32_t)h, (int32_t)w,
                                          (int32_t)resolution, (int32_t)bits, out));
}

fbnn_status fbnn_pack_sign(const float *x, int c, int h, int w, uint32_t *out)
{
    if (!dim_ok(c) || !dim_ok(h) || !dim_ok(w)) return FBNN_ERR_ARG;
    return from_kernel(fbnn_k_pack_sign(x, (int32_t)c, (int32_t)h, (int32_t)w, out));
}

fbnn_status fbnn_quant2_pack(const float *x, int c, int h, int w, uint32_t *msb,
                             uint32_t *lsb)
{
    if (!dim_ok(c) || !dim_ok(h) || !dim_ok(w)) return FBNN_ERR_ARG;
    return from_kernel(fbnn_k_quant2_pack(x, (int32_t)c, (int32_t)h, (int32_t)w, msb, lsb));
}

fbnn_status fbnn_unpack_bits(const uint32_t *bits, int c, int h, int w, int8_t *out)
{
    size_t plane, pix, nw;
    int ch;

    if (bits == NULL || out == NULL || !dim_ok(c) || !dim_ok(h) || !dim_ok(w))
        return FBNN_ERR_ARG;
    plane = (size_t)h * (size_t)w;
    nw = (size_t)FBNN_PACKED_WORDS(c);
    for (pix = 0; pix < plane; ++pix) {
        const uint32_t *px = bits + pix * nw;
        for (ch = 0; ch < c; ++ch) {
            uint32_t b = (px[ch / 32] >> (ch % 32)) & 1u;
            out[(size_t)ch * plane + pix] = b ? (int8_t)1 : (int8_t)-1;
        }
    }
    return FBNN_OK;
}

fbnn_status fbnn_pack_weights(const float *w, int co, int ci, int k, uint32_t *out)
{
    size_t nw, total, i;
    int o, c, ky, kx;

    if (w == NULL || out == NULL) return FBNN_ERR_ARG;
    total = fbnn_packed_weight_words(co, ci, k);
    if (total == 0) return FBNN_ERR_ARG;
    nw = (size_t)FBNN_PACKED_WORDS(ci);
    for (i = 0; i < total; ++i) out[i] = 0u;
    for (o = 0; o < co; ++o) {
        for (c = 0; c < ci; ++c) {
            for (ky = 0; ky < k; ++ky) {
                for (kx = 0; kx < k; ++kx) {
                    /* source: PyTorch [co][ci][k][k]; target: [co][k][k][words(ci)] */
                    size_t src = (((size_t)o * (size_t)ci + (size_t)c) * (size_t)k + (size_t)ky) *
                                     (size_t)k + (size_t)kx;
                    size_t tap = ((size_t)o * (size_t)k + (size_t)ky) * (size_t)k + (size_t)kx;
                    if (w[src] > 0.0f)
                        out[tap * nw + (size_t)(c / 32)] |= (uint32_t)1u << (c % 32);
                }
            }
        }
    }
    return FBNN_OK;
}

/* Convert the public shape to the kernel struct; 0 if a field is out of the
 * int32 range the kernel can check (the kernel checks everything else). */
static int to_params(const fbnn_conv_shape *s, fbnn_conv_params *p)
{
    int oh, ow;
    if (s == NULL || !dim_ok(s->in_c) || !dim_ok(s->in_h) || !dim_ok(s->in_w) ||
        !dim_ok(s->out_c))
        return 0;
    oh = fbnn_conv_out_dim(s->in_h, s->k, s->stride, s->pad);
    ow = fbnn_conv_out_dim(s->in_w, s->k, s->stride, s->pad);
    if (oh < 1 || ow < 1) return 0;
    p->in_c = (int32_t)s->in_c;
    p->in_h = (int32_t)s->in_h;
    p->in_w = (int32_t)s->in_w;
    p->out_c = (int32_t)s->out_c;
    p->k = (int32_t)s->k;
    p->stride = (int32_t)s->stride;
    p->pad = (int32_t)s->pad;
    p->out_h = (int32_t)oh;
    p->out_w = (int32_t)ow;
    return fbnn_k_conv_params_check(p) == FBNN_K_OK;
}

fbnn_status fbnn_bconv(const uint32_t *in, const uint32_t *weights,
                       const fbnn_conv_shape *shape, float *out)
{
    fbnn_conv_params p;
    if (!to_params(shape, &p)) return FBNN_ERR_ARG;
    return from_kernel(fbnn_k_bconv(in, weights, &p, out));
}

fbnn_status fbnn_bconv_padded(const uint32_t *in, const uint32_t *weights, const fbnn_conv_shape *shape,
                              int pad_value, float *out)
{
    fbnn_conv_params p;
    int rc;
    if (!to_params(shape, &p) || pad_value < -1 || pad_value > 1) return FBNN_ERR_ARG;
    rc = fbnn_k_bconv(in, weights, &p, out);
    if (rc == FBNN_K_OK) rc = fbnn_k_bconv_pad_value(weights, &p, (int32_t)pad_value, out);
    return from_kernel(rc);
}

/* The PG conv divides the integer 2*Sm + Sl by 3, with |2*Sm + Sl| <= 3*k*k*in_c.
 * It is one correctly rounded n/3 only if n converts to float exactly, so the
 * layer API takes the model loader's rule (models/FORMAT.md sections 2.4
 * and 4): 3*k*k*in_c < 2^24. (fbnn_bconv() needs only
 * k*k*in_c < 2^24: its sum, at most k*k*in_c in magnitude, is the result.) */
#define FBNN_LAYER_PG_SUM_LIMIT ((int64_t)1 << 24)

fbnn_status fbnn_pgconv(const uint32_t *msb, const uint32_t *lsb, const uint32_t *weights,
                        const float *threshold, const fbnn_conv_shape *shape, float *out,
                        uint32_t *n_gated)
{
    fbnn_conv_params p;
    if (!to_params(shape, &p)) return FBNN_ERR_ARG;
    if (3 * (int64_t)p.k * p.k * p.in_c >= FBNN_LAYER_PG_SUM_LIMIT) return FBNN_ERR_ARG;
    return from_kernel(fbnn_k_pgconv(msb, lsb, weights, threshold, &p, out, n_gated));
}

fbnn_status fbnn_affine(const float *x, const float *a, const float *b, int c, int hw, float *y)
{
    if (!dim_ok(c) || !count_ok(hw)) return FBNN_ERR_ARG;
    return from_kernel(fbnn_k_affine(x, a, b, (int32_t)c, (int32_t)hw, y));
}

fbnn_status fbnn_rprelu(const float *x, const float *bx, const float *slope, const float *by,
                        int c, int hw, float *y)
{
    if (!dim_ok(c) || !count_ok(hw)) return FBNN_ERR_ARG;
    return from_kernel(fbnn_k_rprelu(x, bx, slope, by, (int32_t)c, (int32_t)hw, y));
}

fbnn_status fbnn_residual_add(const float *x0, const float *x1, int n, float *y)
{
    if (!count_ok(n)) return FBNN_ERR_ARG;
    return from_kernel(fbnn_k_add(x0, x1, (int32_t)n, y));
}

fbnn_status fbnn_avgpool(const float *x, int c, int h, int w, int k, int s, int dup, float *y)
{
    if (!dim_ok(c) || !dim_ok(h) || !dim_ok(w) || k < 1 || k > FBNN_LAYER_MAX_KERNEL ||
        s < 1 || s > FBNN_LAYER_MAX_STRIDE || dup < 1 || dup > FBNN_LAYER_MAX_DUP)
        return FBNN_ERR_ARG;
    return from_kernel(fbnn_k_avgpool(x, (int32_t)c, (int32_t)h, (int32_t)w, (int32_t)k,
                                      (int32_t)s, (int32_t)dup, y));
}

fbnn_status fbnn_avgpool2x2(const float *x, int c, int h, int w, int dup, float *y)
{
    return fbnn_avgpool(x, c, h, w, 2, 2, dup, y);
}

fbnn_status fbnn_global_avgpool(const float *x, int c, int h, int w, float *y)
{
    if (!dim_ok(c) || !dim_ok(h) || !dim_ok(w)) return FBNN_ERR_ARG;
    return from_kernel(fbnn_k_global_avgpool(x, (int32_t)c, (int32_t)h, (int32_t)w, y));
}

fbnn_status fbnn_maxpool(const float *x, int c, int h, int w, int k, int s, int pad, float *y)
{
    if (!dim_ok(c) || fbnn_conv_out_dim(h, k, s, pad) < 1 || fbnn_conv_out_dim(w, k, s, pad) < 1)
        return FBNN_ERR_ARG;
    return from_kernel(fbnn_k_maxpool(x, (int32_t)c, (int32_t)h, (int32_t)w, (int32_t)k,
                                      (int32_t)s, (int32_t)pad, y));
}

fbnn_status fbnn_maxpool_bits(const uint32_t *x, int c, int h, int w, int k, int s, int pad,
                              uint32_t *y)
{
    if (!dim_ok(c) || fbnn_conv_out_dim(h, k, s, pad) < 1 || fbnn_conv_out_dim(w, k, s, pad) < 1)
        return FBNN_ERR_ARG;
    return from_kernel(fbnn_k_maxpool_bits(x, (int32_t)c, (int32_t)h, (int32_t)w, (int32_t)k,
                                           (int32_t)s, (int32_t)pad, y));
}

fbnn_status fbnn_fully_connected(const float *x, int n_in, const float *w, const float *b,
                                 int n_out, float *y)
{
    if (!count_ok(n_in) || !dim_ok(n_out)) return FBNN_ERR_ARG;
    return from_kernel(fbnn_k_fc(x, (int32_t)n_in, w, b, (int32_t)n_out, y));
}

fbnn_status fbnn_quant_uniform(const float *x, int n, int bits, float lo, float hi, float *y)
{
    if (!count_ok(n) || bits < 1 || bits > FBNN_LAYER_MAX_QUANT_BITS) return FBNN_ERR_ARG;
    return from_kernel(fbnn_k_quant_uniform(x, (int32_t)n, (int32_t)bits, lo, hi, y));
}
