/**
 * @file layers_conv2.c
 * @brief Layer-level API of the format 1.2 convolutions (include/fracbnn/
 *        layers.h): validating wrappers around the reference kernels
 *        fbnn_k_rconv, fbnn_k_quant_kbit, fbnn_k_kconv, fbnn_k_bconv_asym.
 *        Every argument is checked before anything is written.
 */
#include "fracbnn/layers.h"

#include "fbnn_kernels.h"

static fbnn_status kr(int rc) { return rc == FBNN_K_OK ? FBNN_OK : FBNN_ERR_ARG; }

static int to_params2(const fbnn_conv2_shape *s, fbnn_conv2_params *p)
{
    if (s == NULL) return 0;
    p->in_c = s->in_c;
    p->in_h = s->in_h;
    p->in_w = s->in_w;
    p->out_c = s->out_c;
    p->k = s->k;
    p->stride = s->stride;
    p->pad_t = s->pad_top;
    p->pad_l = s->pad_left;
    p->pad_b = s->pad_bottom;
    p->pad_r = s->pad_right;
    p->groups = s->groups;
    p->planes = s->planes;
    p->bases = s->bases;
    p->out_h = s->out_h;
    p->out_w = s->out_w;
    return fbnn_k_conv2_params_check(p) == FBNN_K_OK;
}

fbnn_status fbnn_conv2_shape_init(fbnn_conv2_shape *shape, int in_c, int in_h, int in_w, int out_c, int k,
                                  int stride, int pad_top, int pad_left, int pad_bottom, int pad_right)
{
    fbnn_conv2_shape s;
    fbnn_conv2_params p;
    if (shape == NULL || k < 1 || stride < 1) return FBNN_ERR_ARG;
    s.in_c = in_c;
    s.in_h = in_h;
    s.in_w = in_w;
    s.out_c = out_c;
    s.k = k;
    s.stride = stride;
    s.pad_top = pad_top;
    s.pad_left = pad_left;
    s.pad_bottom = pad_bottom;
    s.pad_right = pad_right;
    s.groups = s.planes = s.bases = 1;
    /* sizes are range-checked below; compute in 64 bits first */
    {
        long long hh = (long long)in_h + pad_top + pad_bottom - k, ww = (long long)in_w + pad_left + pad_right - k;
        if (hh < 0 || ww < 0 || hh / stride + 1 > 65535 || ww / stride + 1 > 65535) return FBNN_ERR_ARG;
        s.out_h = (int)(hh / stride + 1);
        s.out_w = (int)(ww / stride + 1);
    }
    if (!to_params2(&s, &p)) return FBNN_ERR_ARG;
    *shape = s;
    return FBNN_OK;
}

fbnn_status fbnn_rconv(const float *in, const float *w, const float *bias, const fbnn_conv2_shape *shape, float *out)
{
    fbnn_conv2_params p;
    if (in == NULL || !to_params2(shape, &p)) return FBNN_ERR_ARG;
    return kr(fbnn_k_rconv(in, NULL, w, bias, &p, out));
}

fbnn_status fbnn_rconv_u8(const uint8_t *in, const float *w, const float *bias, const fbnn_conv2_shape *shape,
                          float *out)
{
    fbnn_conv2_params p;
    if (in == NULL || !to_params2(shape, &p)) return FBNN_ERR_ARG;
    return kr(fbnn_k_rconv(NULL, in, w, bias, &p, out));
}

fbnn_status fbnn_quant_kbit(const float *x, int c, int h, int w, int planes, uint32_t *out)
{
    return kr(fbnn_k_quant_kbit(x, (int32_t)c, (int32_t)h, (int32_t)w, (int32_t)planes, out));
}

fbnn_status fbnn_kconv(const uint32_t *in, const uint32_t *weights, const float *alpha,
                       const fbnn_conv2_shape *shape, float *out)
{
    fbnn_conv2_params p;
    if (!to_params2(shape, &p)) return FBNN_ERR_ARG;
    return kr(fbnn_k_kconv(in, weights, alpha, &p, out));
}

fbnn_status fbnn_bconv_asym(const uint32_t *in, const uint32_t *weights, const fbnn_conv2_shape *shape,
                            int pad_value, float *out)
{
    fbnn_conv2_params p;
    if (!to_params2(shape, &p)) return FBNN_ERR_ARG;
    return kr(fbnn_k_bconv_asym(in, weights, &p, (int32_t)pad_value, out));
}
