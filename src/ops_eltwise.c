/**
 * @file ops_eltwise.c
 * @brief Check and run functions of the elementwise ops: affine, rprelu,
 * add, quant_uniform (real -> real, same shape) and the packing quantisers
 * quant2 and sign (rows in ops.c).
 */
#include <string.h>

#include "ops_impl.h"

/* Input and output real maps of the same shape; every parameter (if
 * per_channel) is one float per channel. */
static fbnn_status check_same_map(const struct fbnn_model *m, uint32_t i, const fbnn_op_desc *op, const char *nm,
                                  int per_channel, fbnn_error *err)
{
    const fbnn_value_desc *x = &m->values[op->in[0]], *y = &m->values[op->out];
    uint32_t j;
    if (x->kind != FBNN_VK_REAL || y->kind != FBNN_VK_REAL || y->c != x->c || y->h != x->h || y->w != x->w)
        FBNN_SHAPE_FAIL("op %u (%s): input and output must be real maps of the same shape", i, nm);
    for (j = 0; j < op->n_param && per_channel; j++)
        if (!fbnn_is_f32_vec(&m->tensors[op->param[j]], x->c))
            FBNN_SHAPE_FAIL("op %u (%s): parameter %u must be %u floats", i, nm, j, x->c);
    return FBNN_OK;
}

/* ----------------------------------------------------------------- affine */
fbnn_status fbnn_op_check_affine(const struct fbnn_model *m, uint32_t i, const fbnn_op_desc *op, const char *nm,
                                 fbnn_error *err)
{
    return check_same_map(m, i, op, nm, 1, err);
}

int fbnn_op_run_affine(fbnn_context *ctx, const fbnn_op_desc *op)
{
    const struct fbnn_model *m = ctx->model;
    const fbnn_value_desc *x = &m->values[op->in[0]];
    return ctx->kt.affine((const fbnn_real *)fbnn_ctx_value(ctx, op->in[0]), fbnn_op_tdata(m, op, 0),
                          fbnn_op_tdata(m, op, 1), (int32_t)x->c, (int32_t)x->h * (int32_t)x->w,
                          (fbnn_real *)fbnn_ctx_value(ctx, op->out));
}

/* ----------------------------------------------------------------- rprelu */
fbnn_status fbnn_op_check_rprelu(const struct fbnn_model *m, uint32_t i, const fbnn_op_desc *op, const char *nm,
                                 fbnn_error *err)
{
    return check_same_map(m, i, op, nm, 1, err);
}

int fbnn_op_run_rprelu(fbnn_context *ctx, const fbnn_op_desc *op)
{
    const struct fbnn_model *m = ctx->model;
    const fbnn_value_desc *x = &m->values[op->in[0]];
    return ctx->kt.rprelu((const fbnn_real *)fbnn_ctx_value(ctx, op->in[0]), fbnn_op_tdata(m, op, 0),
                          fbnn_op_tdata(m, op, 1), fbnn_op_tdata(m, op, 2), (int32_t)x->c,
                          (int32_t)x->h * (int32_t)x->w, (fbnn_real *)fbnn_ctx_value(ctx, op->out));
}

/* -------------------------------------------------------------------- add */
fbnn_status fbnn_op_check_add(const struct fbnn_model *m, uint32_t i, const fbnn_op_desc *op, const char *nm,
                              fbnn_error *err)
{
    const fbnn_value_desc *x = &m->values[op->in[0]], *x1 = &m->values[op->in[1]];
    fbnn_status st = check_same_map(m, i, op, nm, 1, err);
    if (st != FBNN_OK) return st;
    if (x1->kind != FBNN_VK_REAL || x1->c != x->c || x1->h != x->h || x1->w != x->w)
        FBNN_SHAPE_FAIL("op %u (add): operands differ in shape", i);
    return FBNN_OK;
}

int fbnn_op_run_add(fbnn_context *ctx, const fbnn_op_desc *op)
{
    const fbnn_value_desc *x = &ctx->model->values[op->in[0]];
    return ctx->kt.add((const fbnn_real *)fbnn_ctx_value(ctx, op->in[0]),
                       (const fbnn_real *)fbnn_ctx_value(ctx, op->in[1]),
                       (int32_t)x->c * ((int32_t)x->h * (int32_t)x->w), (fbnn_real *)fbnn_ctx_value(ctx, op->out));
}

/* ---------------------------------------------------------- quant_uniform */
fbnn_status fbnn_op_check_quant_uniform(const struct fbnn_model *m, uint32_t i, const fbnn_op_desc *op,
                                        const char *nm, fbnn_error *err)
{
    const fbnn_tensor_desc *p0 = &m->tensors[op->param[0]];
    float r[2];
    fbnn_status st = check_same_map(m, i, op, nm, 0, err);
    if (st != FBNN_OK) return st;
    if (op->attr[0] < 1 || op->attr[0] > 16)
        FBNN_ATTR_FAIL("op %u (quant_uniform): bits %d not in 1..16", i, op->attr[0]);
    if (!fbnn_is_f32_vec(p0, 2)) FBNN_SHAPE_FAIL("op %u (quant_uniform): range must be 2 floats", i);
    memcpy(r, p0->data, sizeof r);
    if (!(r[0] < r[1])) FBNN_ATTR_FAIL("op %u (quant_uniform): range needs lo < hi", i);
    {
        /* The kernel's own preconditions: hi - lo finite, step > 0. */
        float span = r[1] - r[0], step = span / (float)((1 << op->attr[0]) - 1);
        if (!(span - span == 0.0f) || !(step > 0.0f))
            FBNN_ATTR_FAIL("op %u (quant_uniform): range [%g, %g] gives no finite, non-zero %d-bit step", i,
                           (double)r[0], (double)r[1], op->attr[0]);
    }
    return FBNN_OK;
}

int fbnn_op_run_quant_uniform(fbnn_context *ctx, const fbnn_op_desc *op)
{
    const fbnn_value_desc *x = &ctx->model->values[op->in[0]];
    const float *r = fbnn_op_tdata(ctx->model, op, 0);
    return ctx->kt.quant_uniform((const fbnn_real *)fbnn_ctx_value(ctx, op->in[0]),
                                 (int32_t)x->c * ((int32_t)x->h * (int32_t)x->w), op->attr[0], r[0], r[1],
                                 (fbnn_real *)fbnn_ctx_value(ctx, op->out));
}

/* ---------------------------------------------------------- quant2, sign */
/* A real map packed into bits of kind `want` of the same shape. */
static fbnn_status check_pack(const struct fbnn_model *m, uint32_t i, const fbnn_op_desc *op, const char *nm,
                              uint32_t want, fbnn_error *err)
{
    const fbnn_value_desc *x = &m->values[op->in[0]], *y = &m->values[op->out];
    if (x->kind != FBNN_VK_REAL || y->kind != want || y->c != x->c || y->h != x->h || y->w != x->w)
        FBNN_SHAPE_FAIL("op %u (%s): output must have the input's shape", i, nm);
    return FBNN_OK;
}

fbnn_status fbnn_op_check_quant2(const struct fbnn_model *m, uint32_t i, const fbnn_op_desc *op, const char *nm,
                                 fbnn_error *err)
{
    return check_pack(m, i, op, nm, FBNN_VK_Q2, err);
}

int fbnn_op_run_quant2(fbnn_context *ctx, const fbnn_op_desc *op)
{
    const fbnn_value_desc *x = &ctx->model->values[op->in[0]], *y = &ctx->model->values[op->out];
    uint32_t *out = (uint32_t *)fbnn_ctx_value(ctx, op->out);
    size_t plane = y->bytes / 2u / sizeof(uint32_t);
    return ctx->kt.quant2((const fbnn_real *)fbnn_ctx_value(ctx, op->in[0]), (int32_t)x->c, (int32_t)x->h,
                          (int32_t)x->w, out, out + plane);
}

fbnn_status fbnn_op_check_sign(const struct fbnn_model *m, uint32_t i, const fbnn_op_desc *op, const char *nm,
                               fbnn_error *err)
{
    return check_pack(m, i, op, nm, FBNN_VK_BITS, err);
}

int fbnn_op_run_sign(fbnn_context *ctx, const fbnn_op_desc *op)
{
    const fbnn_value_desc *x = &ctx->model->values[op->in[0]];
    return ctx->kt.pack_sign((const fbnn_real *)fbnn_ctx_value(ctx, op->in[0]), (int32_t)x->c, (int32_t)x->h,
                             (int32_t)x->w, (uint32_t *)fbnn_ctx_value(ctx, op->out));
}
