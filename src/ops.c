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

/* The rows, from FBNN_OP_LIST (model_internal.h), indexed by type; type 0
 * is invalid (a zeroed op entry) and its row has no name. */
#define FBNN_OP_ROW_(E, code, nm, in_min, in_max, n_param, n_attr, n_opt, flags, chain)                     \
    [code] = {#nm, in_min, in_max, n_param, n_attr, flags, chain, fbnn_op_check_##nm, fbnn_op_run_##nm, n_opt},
static const fbnn_op_row rows[FBNN_OP_MAX_TYPE + 1] = {FBNN_OP_LIST(FBNN_OP_ROW_)};

/* The codes must be 1..FBNN_OP_MAX_TYPE, each once: a code past the end fails to
 * compile (initializer index out of bounds), and a gap or repeat changes the
 * sum or the sum of squares (C99 static check by array size). */
#define FBNN_OP_SUM_(E, code, ...) +(code)
#define FBNN_OP_SQ_(E, code, ...) +(code) * (code)
#define FBNN_OP_N_ FBNN_OP_MAX_TYPE
typedef char fbnn_op_codes_are_1_to_n[(0 FBNN_OP_LIST(FBNN_OP_SUM_)) ==
                                                  FBNN_OP_N_ * (FBNN_OP_N_ + 1) / 2 &&
                                              (0 FBNN_OP_LIST(FBNN_OP_SQ_)) ==
                                                  FBNN_OP_N_ * (FBNN_OP_N_ + 1) * (2 * FBNN_OP_N_ + 1) / 6
                                          ? 1
                                          : -1];

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
