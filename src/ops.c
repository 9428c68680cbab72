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

/* name, inputs min/max, params, attrs, flags, chain step kind, check, run.
 * (optional attrs last). Type 0 is invalid (a zeroed op entry); its row has no name. */
static const fbnn_op_row rows[FBNN_OP_MAX_TYPE + 1] = {
    [FBNN_OP_THERMOMETER] = {"thermometer", 1, 1, 0, 2, 0, 0,
        fbnn_op_check_thermometer, fbnn_op_run_thermometer},
    [FBNN_OP_BCONV] = {"bconv", 1, 1, 1, 3, FBNN_OPF_WINDOW | FBNN_OPF_PAD, 0,
        fbnn_op_check_bconv, fbnn_op_run_bconv, 1}, /* attr[3] optional: padding value */
    [FBNN_OP_PGCONV] = {"pgconv", 1, 1, 2, 3, FBNN_OPF_WINDOW | FBNN_OPF_PAD, 0,
        fbnn_op_check_pgconv, fbnn_op_run_pgconv},
    [FBNN_OP_AFFINE] = {"affine", 1, 1, 2, 0, FBNN_OPF_INPLACE, FBNN_CHAIN_AFFINE,
        fbnn_op_check_affine, fbnn_op_run_affine},
    [FBNN_OP_RPRELU] = {"rprelu", 1, 1, 3, 0, FBNN_OPF_INPLACE, FBNN_CHAIN_RPRELU,
        fbnn_op_check_rprelu, fbnn_op_run_rprelu},
    [FBNN_OP_ADD] = {"add", 2, 2, 0, 0, FBNN_OPF_INPLACE, FBNN_CHAIN_ADD,
        fbnn_op_check_add, fbnn_op_run_add},
    [FBNN_OP_AVGPOOL] = {"avgpool", 1, 1, 0, 3, FBNN_OPF_WINDOW, 0,
        fbnn_op_check_avgpool, fbnn_op_run_avgpool}, /* attr[2]: channel duplication */
    [FBNN_OP_GLOBAL_AVGPOOL] = {"global_avgpool", 1, 1, 0, 0, 0, 0,
        fbnn_op_check_global_avgpool, fbnn_op_run_global_avgpool},
    [FBNN_OP_MAXPOOL] = {"maxpool", 1, 1, 0, 3, FBNN_OPF_WINDOW | FBNN_OPF_PAD, 0,
        fbnn_op_check_maxpool, fbnn_op_run_maxpool},
    [FBNN_OP_FC] = {"fc", 1, 1, 2, 0, 0, 0,
        fbnn_op_check_fc, fbnn_op_run_fc},
    [FBNN_OP_QUANT2] = {"quant2", 1, 1, 0, 0, FBNN_OPF_CHAIN_END, 0,
        fbnn_op_check_quant2, fbnn_op_run_quant2},
    [FBNN_OP_SIGN] = {"sign", 1, 1, 0, 0, 0, 0,
        fbnn_op_check_sign, fbnn_op_run_sign},
    [FBNN_OP_CONCAT] = {"concat", 2, 4, 0, 0, 0, 0,
        fbnn_op_check_concat, fbnn_op_run_concat},
    [FBNN_OP_QUANT_UNIFORM] = {"quant_uniform", 1, 1, 1, 1, FBNN_OPF_INPLACE, 0,
        fbnn_op_check_quant_uniform, fbnn_op_run_quant_uniform},
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
           op->n_attr >= r->n_attr && op->n_attr <= (uint32_t)r->n_attr + r->n_attr_opt;
}

fbnn_status fbnn_check_op_shapes(const struct fbnn_model *m, uint32_t i, const fbnn_op_desc *op, fbnn_error *err)
{
    const fbnn_op_row *r = fbnn_op_row_of(op->type);
    if (!r) return fbnn_fail(err, FBNN_ERR_OP, "op %u: unknown type %u", i, op->type);
    return r->check(m, i, op, r->name, err);
}
