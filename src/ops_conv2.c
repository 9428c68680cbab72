/**
 * @file ops_conv2.c
 * @brief Check and run functions of the 1.2 convolutions (issue 18 part B):
 * rconv (real-valued conv, groups), quant_kbit (k-bit activation planes),
 * kconv (k-bit x multi-base binary conv), and bconv's per-side padding.
 *
 * Per-side padding attributes are (Pt, Pl, Pb, Pr), each 0..K-1; the output
 * is Ho = (H + Pt + Pb - K) / S + 1, Wo = (W + Pl + Pr - K) / S + 1
 * (models/FORMAT.md 2.4).
 */
#include "ops_impl.h"

static int32_t out2(int64_t in, int64_t k, int64_t s, int64_t a, int64_t b)
{
    if (in + a + b < k) return 0;
    return (int32_t)((in + a + b - k) / s + 1);
}

/* K, S and the four pads at attr[ip..ip+3] (bconv: Pt = attr[2], the
 * others at 4..6, passed as idx[]); the output size. */
static fbnn_status check_pads(const struct fbnn_model *m, uint32_t i, const fbnn_op_desc *op, const char *nm,
                              const int32_t pad[4], fbnn_error *err)
{
    const fbnn_value_desc *x = &m->values[op->in[0]], *y = &m->values[op->out];
    int32_t k = op->attr[0], s = op->attr[1], j;
    static const char *const side[4] = {"top", "left", "bottom", "right"};
    if (k < 1 || k > 15) FBNN_ATTR_FAIL("op %u (%s): kernel size %d not in 1..15", i, nm, k);
    if (s < 1 || s > 8) FBNN_ATTR_FAIL("op %u (%s): stride %d not in 1..8", i, nm, s);
    for (j = 0; j < 4; ++j)
        if (pad[j] < 0 || pad[j] >= k)
            FBNN_ATTR_FAIL("op %u (%s): %s padding %d not in 0..k-1", i, nm, side[j], pad[j]);
    if (y->h != (uint32_t)out2(x->h, k, s, pad[0], pad[2]) || y->w != (uint32_t)out2(x->w, k, s, pad[1], pad[3]) ||
        y->h < 1 || y->w < 1)
        FBNN_SHAPE_FAIL("op %u (%s): output %ux%u, expected %dx%d", i, nm, y->h, y->w,
                        out2(x->h, k, s, pad[0], pad[2]), out2(x->w, k, s, pad[1], pad[3]));
    return FBNN_OK;
}

static void params2(const struct fbnn_model *m, const fbnn_op_desc *op, const int32_t pad[4], fbnn_conv2_params *p)
{
    const fbnn_value_desc *x = &m->values[op->in[0]], *y = &m->values[op->out];
    p->in_c = (int32_t)x->c;
    p->in_h = (int32_t)x->h;
    p->in_w = (int32_t)x->w;
    p->out_c = (int32_t)y->c;
    p->k = op->attr[0];
    p->stride = op->attr[1];
    p->pad_t = pad[0];
    p->pad_l = pad[1];
    p->pad_b = pad[2];
    p->pad_r = pad[3];
    p->groups = 1;
    p->planes = 1;
    p->bases = 1;
    p->out_h = (int32_t)y->h;
    p->out_w = (int32_t)y->w;
}

/* ------------------------------------------------------- bconv, per side */
static void bconv_pads(const fbnn_op_desc *op, int32_t pad[4])
{
    pad[0] = op->attr[2];
    pad[1] = op->attr[4];
    pad[2] = op->attr[5];
    pad[3] = op->attr[6];
}

fbnn_status fbnn_op_check_bconv_asym(const struct fbnn_model *m, uint32_t i, const fbnn_op_desc *op,
                                     const char *nm, fbnn_error *err)
{
    const fbnn_value_desc *x = &m->values[op->in[0]], *y = &m->values[op->out];
    const fbnn_tensor_desc *p0 = &m->tensors[op->param[0]];
    int32_t pad[4], k = op->attr[0];
    fbnn_status st;
    if (op->n_attr != 7)
        FBNN_ATTR_FAIL("op %u (%s): %u attributes; per-side padding needs all 7 (K, S, Pt, V, Pl, Pb, Pr)", i, nm,
                       op->n_attr);
    bconv_pads(op, pad);
    if ((st = check_pads(m, i, op, nm, pad, err)) != FBNN_OK) return st;
    if (x->kind != FBNN_VK_BITS || y->kind != FBNN_VK_REAL)
        FBNN_SHAPE_FAIL("op %u (%s): input must be packed bits and output real", i, nm);
    if (p0->dtype != FBNN_DT_BITS || p0->dims[1] != (uint32_t)k || p0->dims[2] != (uint32_t)k ||
        p0->dims[3] != x->c || p0->dims[0] != y->c)
        FBNN_SHAPE_FAIL("op %u (%s): weight [%u,%u,%u,%u] does not fit %u->%u channels, kernel %d", i, nm,
                        p0->dims[0], p0->dims[1], p0->dims[2], p0->dims[3], x->c, y->c, k);
    if (3u * (uint64_t)k * k * x->c >= ((uint64_t)1 << 24))
        FBNN_SHAPE_FAIL("op %u (%s): 3*k*k*Cin >= 2^24, sums would not be exact in float", i, nm);
    return FBNN_OK;
}

int fbnn_op_run_bconv_asym(fbnn_context *ctx, const fbnn_op_desc *op)
{
    const struct fbnn_model *m = ctx->model;
    int32_t pad[4];
    fbnn_conv2_params p;
    bconv_pads(op, pad);
    params2(m, op, pad, &p);
    return ctx->kt.bconv_asym((const uint32_t *)fbnn_ctx_value(ctx, op->in[0]),
                              (const uint32_t *)m->tensors[op->param[0]].data, &p, op->attr[3],
                              (fbnn_real *)fbnn_ctx_value(ctx, op->out));
}

/* ------------------------------------------------------------------ rconv */
fbnn_status fbnn_op_check_rconv(const struct fbnn_model *m, uint32_t i, const fbnn_op_desc *op, const char *nm,
                                fbnn_error *err)
{
    const fbnn_value_desc *x = &m->values[op->in[0]], *y = &m->values[op->out];
    const fbnn_tensor_desc *w = &m->tensors[op->param[0]];
    int32_t k = op->attr[0], g = op->attr[6];
    fbnn_status st;
    if (g < 1 || (uint32_t)g > x->c || x->c % (uint32_t)g != 0 || y->c % (uint32_t)g != 0)
        FBNN_ATTR_FAIL("op %u (%s): groups %d must divide the input (%u) and output (%u) channels", i, nm, g, x->c,
                       y->c);
    if ((st = check_pads(m, i, op, nm, &op->attr[2], err)) != FBNN_OK) return st;
    if ((x->kind != FBNN_VK_REAL && x->kind != FBNN_VK_U8) || y->kind != FBNN_VK_REAL)
        FBNN_SHAPE_FAIL("op %u (%s): input must be real or an 8-bit image and output real", i, nm);
    if (w->dtype != FBNN_DT_F32 || w->ndim != 4 || w->dims[0] != y->c || w->dims[1] != x->c / (uint32_t)g ||
        w->dims[2] != (uint32_t)k || w->dims[3] != (uint32_t)k)
        FBNN_SHAPE_FAIL("op %u (%s): weight must be F32 [%u,%u,%d,%d]", i, nm, y->c, x->c / (uint32_t)g, k, k);
    if (!fbnn_is_f32_vec(&m->tensors[op->param[1]], y->c))
        FBNN_SHAPE_FAIL("op %u (%s): bias must be %u floats", i, nm, y->c);
    return FBNN_OK;
}

int fbnn_op_run_rconv(fbnn_context *ctx, const fbnn_op_desc *op)
{
    const struct fbnn_model *m = ctx->model;
    const void *x = fbnn_ctx_value(ctx, op->in[0]);
    int u8 = m->values[op->in[0]].kind == FBNN_VK_U8;
    fbnn_conv2_params p;
    params2(m, op, &op->attr[2], &p);
    p.groups = op->attr[6];
    return ctx->kt.rconv(u8 ? NULL : (const fbnn_real *)x, u8 ? (const uint8_t *)x : NULL, fbnn_op_tdata(m, op, 0),
                         fbnn_op_tdata(m, op, 1), &p, (fbnn_real *)fbnn_ctx_value(ctx, op->out));
}

/* ------------------------------------------------------------- quant_kbit */
fbnn_status fbnn_op_check_quant_kbit(const struct fbnn_model *m, uint32_t i, const fbnn_op_desc *op,
                                     const char *nm, fbnn_error *err)
{
    const fbnn_value_desc *x = &m->values[op->in[0]], *y = &m->values[op->out];
    int32_t pl = op->attr[0];
    if (pl < 1 || pl > 4) FBNN_ATTR_FAIL("op %u (%s): planes %d not in 1..4", i, nm, pl);
    if (x->kind != FBNN_VK_REAL || y->kind != FBNN_VK_BITS)
        FBNN_SHAPE_FAIL("op %u (%s): needs a real input and packed bits out", i, nm);
    if ((uint64_t)y->c != (uint64_t)x->c * (uint32_t)pl || y->h != x->h || y->w != x->w)
        FBNN_SHAPE_FAIL("op %u (%s): output %ux%ux%u, expected %llux%ux%u", i, nm, y->c, y->h, y->w,
                        (unsigned long long)x->c * (uint32_t)pl, x->h, x->w);
    return FBNN_OK;
}

int fbnn_op_run_quant_kbit(fbnn_context *ctx, const fbnn_op_desc *op)
{
    const fbnn_value_desc *x = &ctx->model->values[op->in[0]];
    return ctx->kt.quant_kbit((const fbnn_real *)fbnn_ctx_value(ctx, op->in[0]), (int32_t)x->c, (int32_t)x->h,
                              (int32_t)x->w, op->attr[0], (uint32_t *)fbnn_ctx_value(ctx, op->out));
}

/* ------------------------------------------------------------------ kconv */
fbnn_status fbnn_op_check_kconv(const struct fbnn_model *m, uint32_t i, const fbnn_op_desc *op, const char *nm,
                                fbnn_error *err)
{
    const fbnn_value_desc *x = &m->values[op->in[0]], *y = &m->values[op->out];
    const fbnn_tensor_desc *w = &m->tensors[op->param[0]];
    int32_t k = op->attr[0], pl = op->attr[6], nb = op->attr[7];
    uint32_t ci;
    fbnn_status st;
    if (pl < 1 || pl > 4) FBNN_ATTR_FAIL("op %u (%s): planes %d not in 1..4", i, nm, pl);
    if (nb < 1 || nb > 8) FBNN_ATTR_FAIL("op %u (%s): bases %d not in 1..8", i, nm, nb);
    if ((st = check_pads(m, i, op, nm, &op->attr[2], err)) != FBNN_OK) return st;
    if (x->kind != FBNN_VK_BITS || y->kind != FBNN_VK_REAL)
        FBNN_SHAPE_FAIL("op %u (%s): input must be packed bits and output real", i, nm);
    if (x->c % (uint32_t)pl != 0)
        FBNN_SHAPE_FAIL("op %u (%s): %u input channels are not %d planes", i, nm, x->c, pl);
    ci = x->c / (uint32_t)pl;
    if (w->dtype != FBNN_DT_BITS || (uint64_t)w->dims[0] != (uint64_t)y->c * (uint32_t)nb ||
        w->dims[1] != (uint32_t)k || w->dims[2] != (uint32_t)k || w->dims[3] != ci)
        FBNN_SHAPE_FAIL("op %u (%s): weight [%u,%u,%u,%u] is not %d bases of %u->%u channels, kernel %d", i, nm,
                        w->dims[0], w->dims[1], w->dims[2], w->dims[3], nb, ci, y->c, k);
    if (!fbnn_is_f32_vec(&m->tensors[op->param[1]], (uint64_t)y->c * (uint32_t)nb))
        FBNN_SHAPE_FAIL("op %u (%s): scales must be %d x %u floats", i, nm, nb, y->c);
    if ((((uint64_t)1 << pl) - 1u) * (uint64_t)k * k * ci >= ((uint64_t)1 << 24))
        FBNN_SHAPE_FAIL("op %u (%s): (2^planes-1)*k*k*Cin >= 2^24, sums would not be exact in float", i, nm);
    return FBNN_OK;
}

int fbnn_op_run_kconv(fbnn_context *ctx, const fbnn_op_desc *op)
{
    const struct fbnn_model *m = ctx->model;
    fbnn_conv2_params p;
    params2(m, op, &op->attr[2], &p);
    p.planes = op->attr[6];
    p.bases = op->attr[7];
    p.in_c = (int32_t)m->values[op->in[0]].c / p.planes;
    return ctx->kt.kconv((const uint32_t *)fbnn_ctx_value(ctx, op->in[0]),
                         (const uint32_t *)m->tensors[op->param[0]].data, fbnn_op_tdata(m, op, 1), &p,
                         (fbnn_real *)fbnn_ctx_value(ctx, op->out));
}
