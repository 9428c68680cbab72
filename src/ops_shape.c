/**
 * @file ops_shape.c
 * @brief Check and run functions of the ops that change a map's shape:
 * avgpool, maxpool, global_avgpool, concat (rows in ops.c).
 */
#include <string.h>

#include "ops_impl.h"

/* avgpool and maxpool: a window over the map; avgpool has no padding but
 * duplicates its output channels attr[2] times, maxpool also takes bits. */
static fbnn_status check_pool(const struct fbnn_model *m, uint32_t i, const fbnn_op_desc *op, const char *nm,
                              int is_max, fbnn_error *err)
{
    const fbnn_value_desc *x = &m->values[op->in[0]], *y = &m->values[op->out];
    int32_t k = op->attr[0], s = op->attr[1], p = is_max ? op->attr[2] : 0;
    uint64_t dup = is_max ? 1 : (uint64_t)op->attr[2];
    fbnn_status st;
    if ((st = fbnn_check_window_attrs(i, op, nm, is_max, err)) != FBNN_OK) return st;
    if (!is_max && (op->attr[2] < 1 || op->attr[2] > 16))
        FBNN_ATTR_FAIL("op %u (avgpool): duplication %d not in 1..16", i, op->attr[2]);
    if (is_max ? (x->kind != FBNN_VK_REAL && x->kind != FBNN_VK_BITS) || y->kind != x->kind
               : x->kind != FBNN_VK_REAL || y->kind != FBNN_VK_REAL)
        FBNN_SHAPE_FAIL("op %u (%s): unsupported input/output kinds", i, nm);
    if (y->c != x->c * dup || y->h != (uint32_t)fbnn_check_out_size(x->h, k, s, p) ||
        y->w != (uint32_t)fbnn_check_out_size(x->w, k, s, p))
        FBNN_SHAPE_FAIL("op %u (%s): output %ux%ux%u does not match the window", i, nm, y->c, y->h, y->w);
    return FBNN_OK;
}

/* ---------------------------------------------------------------- avgpool */
fbnn_status fbnn_op_check_avgpool(const struct fbnn_model *m, uint32_t i, const fbnn_op_desc *op, const char *nm,
                                  fbnn_error *err)
{
    return check_pool(m, i, op, nm, 0, err);
}

int fbnn_op_run_avgpool(fbnn_context *ctx, const fbnn_op_desc *op)
{
    const fbnn_value_desc *x = &ctx->model->values[op->in[0]];
    return ctx->kt.avgpool((const fbnn_real *)fbnn_ctx_value(ctx, op->in[0]), (int32_t)x->c, (int32_t)x->h,
                           (int32_t)x->w, op->attr[0], op->attr[1], op->attr[2],
                           (fbnn_real *)fbnn_ctx_value(ctx, op->out));
}

/* ---------------------------------------------------------------- maxpool */
fbnn_status fbnn_op_check_maxpool(const struct fbnn_model *m, uint32_t i, const fbnn_op_desc *op, const char *nm,
                                  fbnn_error *err)
{
    return check_pool(m, i, op, nm, 1, err);
}

int fbnn_op_run_maxpool(fbnn_context *ctx, const fbnn_op_desc *op)
{
    const fbnn_value_desc *x = &ctx->model->values[op->in[0]];
    void *in = fbnn_ctx_value(ctx, op->in[0]), *out = fbnn_ctx_value(ctx, op->out);
    if (x->kind == FBNN_VK_BITS)
        return ctx->kt.maxpool_bits((const uint32_t *)in, (int32_t)x->c, (int32_t)x->h, (int32_t)x->w,
                                    op->attr[0], op->attr[1], op->attr[2], (uint32_t *)out);
    return ctx->kt.maxpool((const fbnn_real *)in, (int32_t)x->c, (int32_t)x->h, (int32_t)x->w, op->attr[0],
                           op->attr[1], op->attr[2], (fbnn_real *)out);
}

/* --------------------------------------------------------- global_avgpool */
fbnn_status fbnn_op_check_global_avgpool(const struct fbnn_model *m, uint32_t i, const fbnn_op_desc *op,
                                         const char *nm, fbnn_error *err)
{
    const fbnn_value_desc *x = &m->values[op->in[0]], *y = &m->values[op->out];
    (void)nm;
    if (x->kind != FBNN_VK_REAL || y->kind != FBNN_VK_REAL || y->c != x->c || y->h != 1 || y->w != 1)
        FBNN_SHAPE_FAIL("op %u (global_avgpool): output must be real [%u,1,1]", i, x->c);
    return FBNN_OK;
}

int fbnn_op_run_global_avgpool(fbnn_context *ctx, const fbnn_op_desc *op)
{
    const fbnn_value_desc *x = &ctx->model->values[op->in[0]];
    return ctx->kt.global_avgpool((const fbnn_real *)fbnn_ctx_value(ctx, op->in[0]), (int32_t)x->c, (int32_t)x->h,
                                  (int32_t)x->w, (fbnn_real *)fbnn_ctx_value(ctx, op->out));
}

/* ----------------------------------------------------------------- concat */
fbnn_status fbnn_op_check_concat(const struct fbnn_model *m, uint32_t i, const fbnn_op_desc *op, const char *nm,
                                 fbnn_error *err)
{
    const fbnn_value_desc *x = &m->values[op->in[0]], *y = &m->values[op->out];
    uint64_t c = 0;
    uint32_t j;
    (void)nm;
    for (j = 0; j < op->n_in; j++) {
        const fbnn_value_desc *xj = &m->values[op->in[j]];
        if (xj->kind != FBNN_VK_REAL || xj->h != x->h || xj->w != x->w)
            FBNN_SHAPE_FAIL("op %u (concat): input %u is not a real map of %ux%u", i, j, x->h, x->w);
        c += xj->c;
    }
    if (y->kind != FBNN_VK_REAL || y->c != c || y->h != x->h || y->w != x->w)
        FBNN_SHAPE_FAIL("op %u (concat): output must be real [%llu,%u,%u]", i, (unsigned long long)c, x->h, x->w);
    return FBNN_OK;
}

/* Not a compute kernel, so no table slot: planar [C][H][W] channel
 * concatenation is back-to-back copies of the inputs. */
int fbnn_op_run_concat(fbnn_context *ctx, const fbnn_op_desc *op)
{
    uint8_t *dst = (uint8_t *)fbnn_ctx_value(ctx, op->out);
    uint32_t j;
    for (j = 0; j < op->n_in; j++) {
        size_t n = ctx->model->values[op->in[j]].bytes;
        memcpy(dst, fbnn_ctx_value(ctx, op->in[j]), n);
        dst += n;
    }
    return FBNN_K_OK;
}
