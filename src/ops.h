/**
 * @file ops.h
 * @brief The op registry: one row per op type with everything the library
 * knows about that type (name, arity, validation, in-place rule, fusion,
 * layer report, how it runs).
 *
 * Why one table: the loader, checker, planner, fuser, `info` and the
 * runtime all read the row instead of switching on the type, so adding an
 * op means one line of FBNN_OP_LIST (model_internal.h; the row, the enum
 * and the declarations are generated from it), its check and run functions
 * (an ops_<family>.c), its kernel and its kernel-table slot -- not an edit
 * in every stage of the pipeline (docs/HACKING.md).
 */
#ifndef FBNN_OPS_H
#define FBNN_OPS_H

#include "cpu/dispatch.h"
#include "model_internal.h"

/* Row flags. */
/** The kernel allows y == x: the planner lets the output take over the
 *  buffer of an input that dies at this op (the residual stream is
 *  updated in place). */
#define FBNN_OPF_INPLACE 0x1u
/** May end a fused chain: the chain kernel packs the running value into
 *  its Q2 planes itself (the quantiser). */
#define FBNN_OPF_CHAIN_END 0x2u
/** attr[0] and attr[1] are a window's kernel size and stride (reported by
 *  fbnn_model_layer). */
#define FBNN_OPF_WINDOW 0x4u
/** attr[2] is the window's zero padding (with FBNN_OPF_WINDOW). */
#define FBNN_OPF_PAD 0x8u

/** Attribute and shape rules of one op, whose indices the loader already
 *  checked against the tables; `name` is the row's, for the messages. */
typedef fbnn_status (*fbnn_op_check_fn)(const struct fbnn_model *m, uint32_t i, const fbnn_op_desc *op,
                                        const char *name, fbnn_error *err);

/** Run one op of a validated model in ctx (its buffers from the arena
 *  plan, its kernel from ctx->kt); returns an FBNN_K_* code. */
typedef int (*fbnn_op_run_fn)(fbnn_context *ctx, const fbnn_op_desc *op);

typedef struct fbnn_op_row {
    const char *name;        /* short lower-case name ("pgconv"), as in models/FORMAT.md */
    uint8_t in_min, in_max;  /* inputs */
    uint8_t n_param, n_attr; /* constant tensors, attributes (required) */
    uint32_t flags;          /* FBNN_OPF_* */
    uint32_t chain_kind;     /* FBNN_CHAIN_AFFINE / _RPRELU / _ADD if the op can be a step of a fused
                                chain (its params are the step's p0.. in order; a 2-input step adds
                                the other input), 0 if not */
    fbnn_op_check_fn check;
    fbnn_op_run_fn run;
    uint8_t n_attr_opt;      /* optional trailing attributes after the n_attr required ones (a file of an
                                older minor version omits them; absent = 0) */
} fbnn_op_row;

/** The row of an op type, NULL if the type is unknown. */
const fbnn_op_row *fbnn_op_row_of(uint32_t type);

/** Short lower-case name of an op type ("pgconv"), "?" if unknown. */
const char *fbnn_op_name(uint32_t type);

/** 1 if op's type is known and its input, parameter and attribute counts
 *  are that type's. */
int fbnn_op_arity_ok(const fbnn_op_desc *op);

/** The attributes and the input / parameter / output shapes of op i (a
 *  known type), whose indices are already checked against the tables. */
fbnn_status fbnn_check_op_shapes(const struct fbnn_model *m, uint32_t i, const fbnn_op_desc *op, fbnn_error *err);

#endif /* FBNN_OPS_H */
