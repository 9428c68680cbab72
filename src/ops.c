/**
 * @file ops.c
 * @brief The op registry (ops.h): one row per op type, indexed by type.
 *
 * Every stage reads a type's properties here: the loader (name, arity,
 * check), the planner (FBNN_OPF_INPLACE), the fuser (chain_kind,
 * FBNN_OPF_CHAIN_END), fbnn_model_layer (window flags) and fbnn_run (run).
 * The per-type code lives in ops_conv.c, ops_eltwise.c and ops_shape.c.
 */
#include "ops_impl.h"

#define ROW(name, in_min, in_max, n_param, n_attr, flags, chain)                                            \
    {#name, in_min, in_max, n_param, n_attr, flags, chain, fbnn_op_check_##name, fbnn_op_run_##name}

/* Type 0 is invalid (a zeroed op entry); its row has no name. */
static const fbnn_op_row rows[FBNN_OP_MAX_TYPE + 1] = {
    [FBNN_OP_THERMOMETER] = ROW(thermometer, 1, 1, 0, 2, 0, 0),
    [FBNN_OP_BCONV] = ROW(bconv, 1, 1, 1, 3, FBNN_OPF_WINDOW | FBNN_OPF_PAD, 0),
    [FBNN_OP_PGCONV] = ROW(pgconv, 1, 1, 2, 3, FBNN_OPF_WINDOW | FBNN_OPF_PAD, 0),
    [FBNN_OP_AFFINE] = ROW(affine, 1, 1, 2, 0, FBNN_OPF_INPLACE, FBNN_CHAIN_AFFINE),
    [FBNN_OP_RPRELU] = ROW(rprelu, 1, 1, 3, 0, FBNN_OPF_INPLACE, FBNN_CHAIN_RPRELU),
    [FBNN_OP_ADD] = ROW(add, 2, 2, 0, 0, FBNN_OPF_INPLACE, FBNN_CHAIN_ADD),
    [FBNN_OP_AVGPOOL] = ROW(avgpool, 1, 1, 0, 3, FBNN_OPF_WINDOW, 0), /* attr[2]: channel duplication */
    [FBNN_OP_GLOBAL_AVGPOOL] = ROW(global_avgpool, 1, 1, 0, 0, 0, 0),
    [FBNN_OP_MAXPOOL] = ROW(maxpool, 1, 1, 0, 3, FBNN_OPF_WINDOW | FBNN_OPF_PAD, 0),
    [FBNN_OP_FC] = ROW(fc, 1, 1, 2, 0, 0, 0),
    [FBNN_OP_QUANT2] = ROW(quant2, 1, 1, 0, 0, FBNN_OPF_CHAIN_END, 0),
    [FBNN_OP_SIGN] = ROW(sign, 1, 1, 0, 0, 0, 0),
    [FBNN_OP_CONCAT] = ROW(concat, 2, 4, 0, 0, 0, 0),
    [FBNN_OP_QUANT_UNIFORM] = ROW(quant_uniform, 1, 1, 1, 1, FBNN_OPF_INPLACE, 0),
};

const fbnn_op_row *fbnn_op_row_of(uint32_t type)
{
    return type >= 1 && type <= FBNN_OP_MAX_TYPE && rows[type].name ? &rows[type] : NULL;
}

const char *fbnn_op_name(uint32_t type)
{
    const fbnn_op_row *r = fbnn_op_row_of(type);
    return r ? r->name : "?";
}

int fbnn_op_arity_ok(const fbnn_op_desc *op)
{
    const fbnn_op_row *r = fbnn_op_row_of(op->type);
    return r && op->n_in >= r->in_min && op->n_in <= r->in_max && op->n_param == r->n_param &&
           op->n_attr == r->n_attr;
}

fbnn_status fbnn_check_op_shapes(const struct fbnn_model *m, uint32_t i, const fbnn_op_desc *op, fbnn_error *err)
{
    const fbnn_op_row *r = fbnn_op_row_of(op->type);
    if (!r) return fbnn_fail(err, FBNN_ERR_OP, "op %u: unknown type %u", i, op->type);
    return r->check(m, i, op, r->name, err);
}
