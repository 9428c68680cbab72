/**
 * @file ops_impl.h
 * @brief The check and run functions of every op (ops_conv.c,
 * ops_eltwise.c, ops_shape.c), referenced by the rows of ops.c, and the
 * small helpers they share.
 */
#ifndef FBNN_OPS_IMPL_H
#define FBNN_OPS_IMPL_H

#include "context_internal.h"
#include "ops.h"

#define FBNN_SHAPE_FAIL(...) return fbnn_fail(err, FBNN_ERR_SHAPE, __VA_ARGS__)
#define FBNN_ATTR_FAIL(...) return fbnn_fail(err, FBNN_ERR_OP, __VA_ARGS__)

/* A param tensor must be F32 with exactly `n` elements (any ndim). */
static inline int fbnn_is_f32_vec(const fbnn_tensor_desc *t, uint64_t n)
{
    return t->dtype == FBNN_DT_F32 && (uint64_t)t->dims[0] * t->dims[1] * t->dims[2] * t->dims[3] == n;
}

/* Output size of a window over validated, possibly large attributes
 * (64-bit: the attributes are not range-checked yet when this runs). */
static inline int32_t fbnn_check_out_size(int64_t in, int64_t k, int64_t s, int64_t p)
{
    if (in + 2 * p < k) return 0;
    return (int32_t)((in + 2 * p - k) / s + 1);
}

/* Kernel size, stride and (with_pad) padding of a window op. */
static inline fbnn_status fbnn_check_window_attrs(uint32_t i, const fbnn_op_desc *op, const char *nm, int with_pad,
                                                  fbnn_error *err)
{
    int32_t k = op->attr[0], s = op->attr[1], p = with_pad ? op->attr[2] : 0;
    if (k < 1 || k > 15) FBNN_ATTR_FAIL("op %u (%s): kernel size %d not in 1..15", i, nm, k);
    if (s < 1 || s > 8) FBNN_ATTR_FAIL("op %u (%s): stride %d not in 1..8", i, nm, s);
    if (p < 0 || p >= k) FBNN_ATTR_FAIL("op %u (%s): padding %d not in 0..k-1", i, nm, p);
    return FBNN_OK;
}

/* Parameter tensor i of op as floats. */
static inline const float *fbnn_op_tdata(const struct fbnn_model *m, const fbnn_op_desc *op, uint32_t i)
{
    return (const float *)m->tensors[op->param[i]].data;
}

#define FBNN_DECLARE_OP(name)                                                                                  \
    fbnn_status fbnn_op_check_##name(const struct fbnn_model *m, uint32_t i, const fbnn_op_desc *op,         \
                                     const char *nm, fbnn_error *err);                                      \
    int fbnn_op_run_##name(fbnn_context *ctx, const fbnn_op_desc *op);

/* The check and run functions of every row of FBNN_OP_LIST, defined in
 * ops_conv.c (thermometer, bconv, pgconv, fc), ops_eltwise.c (affine,
 * rprelu, add, quant2, sign, quant_uniform) and ops_shape.c (avgpool,
 * global_avgpool, maxpool, concat). */
#define FBNN_DECLARE_OP_(E, code, name, ...) FBNN_DECLARE_OP(name)
FBNN_OP_LIST(FBNN_DECLARE_OP_)

/* bconv with per-side padding (7 attributes; ops_conv2.c), called by
 * bconv's own check and run functions. */
FBNN_DECLARE_OP(bconv_asym)

#endif /* FBNN_OPS_IMPL_H */
