/**
 * @file ops_conv.c
 * @brief Check and run functions of the ops with weights or an input
 * encoding: thermometer, bconv, pgconv, fc (rows in ops.c).
 *
 * The checks enforce models/FORMAT.md (2.4, 3) for each type; every message
 * names the op index and type. The run functions take the buffers from the
 * arena plan and reach their kernels through the context's table.
 */
#include "ops_impl.h"

/* ------------------------------------------------------------ thermometer */
fbnn_status fbnn_op_check_thermometer(const struct fbnn_model *m, uint32_t i, const fbnn_op_desc *op, const char *nm,
                                      fbnn_error *err)
{
    const fbnn_value_desc *x = &m->values[op->in[0]], *y = &m->values[op->out];
    int32_t r = op->attr[0], b = op->attr[1];
    (void)nm;
    if (r < 1 || r > 255) FBNN_ATTR_FAIL("op %u (thermometer): resolution %d not in 1..255", i, r);
    if (b < 1 || b > 1024) FBNN_ATTR_FAIL("op %u (thermometer): bits %d not in 1..1024", i, b);
    if (x->kind != FBNN_VK_U8 || y->kind != FBNN_VK_BITS)
        FBNN_SHAPE_FAIL("op %u (thermometer): needs an 8-bit image in and packed bits out", i);
    if ((uint64_t)y->c != (uint64_t)x->c * (uint32_t)b || y->h != x->h || y->w != x->w)
        FBNN_SHAPE_FAIL("op %u (thermometer): output %ux%ux%u, expected %llux%ux%u", i, y->c, y->h, y->w,
                        (unsigned long long)x->c * (uint32_t)b, x->h, x->w);
    return FBNN_OK;
}

int fbnn_op_run_thermometer(fbnn_context *ctx, const fbnn_op_desc *op)
{
    const fbnn_value_desc *x = &ctx->model->values[op->in[0]];
    return ctx->kt.thermometer((const uint8_t *)fbnn_ctx_value(ctx, op->in[0]), (int32_t)x->c, (int32_t)x->h,
                               (int32_t)x->w, op->attr[0], op->attr[1], (uint32_t *)fbnn_ctx_value(ctx, op->out));
}

/* ------------------------------------------------------------------ convs */
/* bconv and pgconv: the same rules but for the input kind (and pgconv's
 * threshold, checked by its own function after these). */
static fbnn_status check_conv(const struct fbnn_model *m, uint32_t i, const fbnn_op_desc *op, const char *nm,
                              uint32_t want_in, fbnn_error *err)
{
    const fbnn_value_desc *x = &m->values[op->in[0]], *y = &m->values[op->out];
    const fbnn_tensor_desc *p0 = &m->tensors[op->param[0]];
    int32_t k = op->attr[0], s = op->attr[1], p = op->attr[2];
    fbnn_status st;
    if ((st = fbnn_check_window_attrs(i, op, nm, 1, err)) != FBNN_OK) return st;
    if (x->kind != want_in || y->kind != FBNN_VK_REAL)
        FBNN_SHAPE_FAIL("op %u (%s): input must be %s and output real", i, nm,
                        want_in == FBNN_VK_BITS ? "packed bits" : "2-bit (Q2)");
    if (p0->dtype != FBNN_DT_BITS || p0->dims[1] != (uint32_t)k || p0->dims[2] != (uint32_t)k ||
        p0->dims[3] != x->c || p0->dims[0] != y->c)
        FBNN_SHAPE_FAIL("op %u (%s): weight [%u,%u,%u,%u] does not fit %u->%u channels, kernel %d", i, nm,
                        p0->dims[0], p0->dims[1], p0->dims[2], p0->dims[3], x->c, y->c, k);
    /* |2*Sm + Sl| <= 3*k*k*Cin must be exact in f32 so that the PG
     * scaling is one correctly rounded division of an exact integer. */
    if (3u * (uint64_t)k * k * x->c >= ((uint64_t)1 << 24))
        FBNN_SHAPE_FAIL("op %u (%s): 3*k*k*Cin >= 2^24, sums would not be exact in float", i, nm);
    if (y->h != (uint32_t)fbnn_check_out_size(x->h, k, s, p) || y->w != (uint32_t)fbnn_check_out_size(x->w, k, s, p))
        FBNN_SHAPE_FAIL("op %u (%s): output %ux%u, expected %dx%d", i, nm, y->h, y->w,
                        fbnn_check_out_size(x->h, k, s, p), fbnn_check_out_size(x->w, k, s, p));
    return FBNN_OK;
}

fbnn_status fbnn_op_check_bconv(const struct fbnn_model *m, uint32_t i, const fbnn_op_desc *op, const char *nm,
                                fbnn_error *err)
{
    int32_t pv = op->n_attr > 3 ? op->attr[3] : 0;
    if (pv < -1 || pv > 1) FBNN_ATTR_FAIL("op %u (%s): padding value %d not in {-1, 0, +1}", i, nm, pv);
    if (op->n_attr > 4) return fbnn_op_check_bconv_asym(m, i, op, nm, err); /* per-side padding (1.2) */
    return check_conv(m, i, op, nm, FBNN_VK_BITS, err);
}

fbnn_status fbnn_op_check_pgconv(const struct fbnn_model *m, uint32_t i, const fbnn_op_desc *op, const char *nm,
                                 fbnn_error *err)
{
    fbnn_status st = check_conv(m, i, op, nm, FBNN_VK_Q2, err);
    if (st != FBNN_OK) return st;
    if (!fbnn_is_f32_vec(&m->tensors[op->param[1]], m->values[op->out].c))
        FBNN_SHAPE_FAIL("op %u (pgconv): threshold must be %u floats", i, m->values[op->out].c);
    return FBNN_OK;
}

static void conv_params(const struct fbnn_model *m, const fbnn_op_desc *op, fbnn_conv_params *p)
{
    const fbnn_value_desc *x = &m->values[op->in[0]], *y = &m->values[op->out];
    p->in_c = (int32_t)x->c;
    p->in_h = (int32_t)x->h;
    p->in_w = (int32_t)x->w;
    p->out_c = (int32_t)y->c;
    p->k = op->attr[0];
    p->stride = op->attr[1];
    p->pad = op->attr[2];
    p->out_h = (int32_t)y->h;
    p->out_w = (int32_t)y->w;
}

/* The convs go through parallel_conv.c, which splits them over the
 * context's threads (if any) and calls ctx->kt.bconv / pgconv (_rows). */
int fbnn_op_run_bconv(fbnn_context *ctx, const fbnn_op_desc *op)
{
    const struct fbnn_model *m = ctx->model;
    const uint32_t *w = (const uint32_t *)m->tensors[op->param[0]].data;
    fbnn_real *out = (fbnn_real *)fbnn_ctx_value(ctx, op->out);
    fbnn_conv_params p;
    int rc;
    if (op->n_attr > 4) return fbnn_op_run_bconv_asym(ctx, op); /* per-side padding (1.2) */
    conv_params(m, op, &p);
    rc = fbnn_par_bconv(ctx, (const uint32_t *)fbnn_ctx_value(ctx, op->in[0]), w, fbnn_conv_blocks_of(m, op), &p, out);
    /* Padding with +1/-1 (Larq, daBNN): every bconv kernel pads with 0, and
     * the border correction adds the padded taps exactly afterwards. */
    if (rc == FBNN_K_OK && op->n_attr > 3 && op->attr[3] != 0)
        rc = ctx->kt.bconv_pad_value(w, &p, op->attr[3], out);
    return rc;
}

int fbnn_op_run_pgconv(fbnn_context *ctx, const fbnn_op_desc *op)
{
    const struct fbnn_model *m = ctx->model;
    const fbnn_value_desc *x = &m->values[op->in[0]], *y = &m->values[op->out];
    const uint32_t *in = (const uint32_t *)fbnn_ctx_value(ctx, op->in[0]);
    size_t plane = x->bytes / 2u / sizeof(uint32_t);
    uint32_t gated = 0;
    fbnn_conv_params p;
    int rc;
    conv_params(m, op, &p);
    rc = fbnn_par_pgconv(ctx, in, in + plane, (const uint32_t *)m->tensors[op->param[0]].data, fbnn_conv_blocks_of(m, op),
                         fbnn_op_tdata(m, op, 1), &p, (fbnn_real *)fbnn_ctx_value(ctx, op->out), &gated);
    ctx->stats.pg_gated += gated;
    ctx->stats.pg_positions += (uint64_t)y->c * y->h * y->w;
    return rc;
}

/* --------------------------------------------------------------------- fc */
fbnn_status fbnn_op_check_fc(const struct fbnn_model *m, uint32_t i, const fbnn_op_desc *op, const char *nm,
                             fbnn_error *err)
{
    const fbnn_value_desc *x = &m->values[op->in[0]], *y = &m->values[op->out];
    const fbnn_tensor_desc *p0 = &m->tensors[op->param[0]], *b = &m->tensors[op->param[1]];
    uint64_t n_in = (uint64_t)x->c * x->h * x->w;
    (void)nm;
    if (x->kind != FBNN_VK_REAL || y->kind != FBNN_VK_REAL || y->h != 1 || y->w != 1)
        FBNN_SHAPE_FAIL("op %u (fc): needs a real input and a real [N,1,1] output", i);
    if (p0->dtype != FBNN_DT_F32 || p0->ndim != 2 || p0->dims[0] != y->c || p0->dims[1] != n_in)
        FBNN_SHAPE_FAIL("op %u (fc): weight must be [%u,%llu] floats", i, y->c, (unsigned long long)n_in);
    if (!fbnn_is_f32_vec(b, y->c)) FBNN_SHAPE_FAIL("op %u (fc): bias must be %u floats", i, y->c);
    return FBNN_OK;
}

int fbnn_op_run_fc(fbnn_context *ctx, const fbnn_op_desc *op)
{
    const struct fbnn_model *m = ctx->model;
    const fbnn_value_desc *x = &m->values[op->in[0]], *y = &m->values[op->out];
    int32_t n_in = (int32_t)x->c * ((int32_t)x->h * (int32_t)x->w);
    const fbnn_real *panel = m->fc_panel ? m->fc_panel[op - m->ops] : NULL;
    if (panel && ctx->kt.fc_panel)
        return ctx->kt.fc_panel((const fbnn_real *)fbnn_ctx_value(ctx, op->in[0]), n_in, panel,
                                fbnn_op_tdata(m, op, 0), fbnn_op_tdata(m, op, 1), (int32_t)y->c,
                                (fbnn_real *)fbnn_ctx_value(ctx, op->out));
    return ctx->kt.fc((const fbnn_real *)fbnn_ctx_value(ctx, op->in[0]), n_in, fbnn_op_tdata(m, op, 0),
                      fbnn_op_tdata(m, op, 1), (int32_t)y->c, (fbnn_real *)fbnn_ctx_value(ctx, op->out));
}
