/**
 * @file model_internal.h
 * @brief The validated in-memory model: descriptors pointing into the file.
 *
 * Only src/model_loader.c builds these from bytes; everything else trusts
 * them (every index, shape and size in here has been checked).
 */
#ifndef FBNN_MODEL_INTERNAL_H
#define FBNN_MODEL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "fbnn_real.h"
#include "fracbnn/fracbnn.h"

enum { FBNN_DT_F32 = 1, FBNN_DT_BITS = 2, FBNN_DT_I32 = 3 };
enum { FBNN_VK_U8 = 1, FBNN_VK_REAL = 2, FBNN_VK_BITS = 3, FBNN_VK_Q2 = 4 };
/**
 * The op types (models/FORMAT.md): one line per type; everything else lives in its
 * check/run functions (src/ops_<family>.c) and its kernel. Expanded into
 * the enum below, the declarations of ops_impl.h and the registry rows of
 * ops.c, so adding an op is one line here (docs/HACKING.md).
 *
 * X(ENUM, code, name, inputs min, inputs max, params, attrs, optional
 *   trailing attrs, flags (FBNN_OPF_*, ops.h), chain step kind
 *   (FBNN_CHAIN_*, cpu/dispatch.h; 0 = not a fused-chain step))
 * Codes are ascending and unique, 1..max without gaps (a static check in
 * ops.c).
 */
#define FBNN_OP_LIST(X)                                                                                      \
    X(THERMOMETER, 1, thermometer, 1, 1, 0, 2, 0, 0, 0)                                                     \
    X(BCONV, 2, bconv, 1, 1, 1, 3, 4, FBNN_OPF_WINDOW | FBNN_OPF_PAD, 0) /* [V, Pl, Pb, Pr] */             \
    X(PGCONV, 3, pgconv, 1, 1, 2, 3, 0, FBNN_OPF_WINDOW | FBNN_OPF_PAD, 0)                                  \
    X(AFFINE, 4, affine, 1, 1, 2, 0, 0, FBNN_OPF_INPLACE, FBNN_CHAIN_AFFINE)                                \
    X(RPRELU, 5, rprelu, 1, 1, 3, 0, 0, FBNN_OPF_INPLACE, FBNN_CHAIN_RPRELU)                                \
    X(ADD, 6, add, 2, 2, 0, 0, 0, FBNN_OPF_INPLACE, FBNN_CHAIN_ADD)                                         \
    X(AVGPOOL, 7, avgpool, 1, 1, 0, 3, 0, FBNN_OPF_WINDOW, 0) /* attr[2]: channel duplication */          \
    X(GLOBAL_AVGPOOL, 8, global_avgpool, 1, 1, 0, 0, 0, 0, 0)                                               \
    X(MAXPOOL, 9, maxpool, 1, 1, 0, 3, 0, FBNN_OPF_WINDOW | FBNN_OPF_PAD, 0)                                \
    X(FC, 10, fc, 1, 1, 2, 0, 0, 0, 0)                                                                      \
    X(QUANT2, 11, quant2, 1, 1, 0, 0, 0, FBNN_OPF_CHAIN_END, 0)                                             \
    X(SIGN, 12, sign, 1, 1, 0, 0, 0, 0, 0)                                                                  \
    X(CONCAT, 13, concat, 2, 4, 0, 0, 0, 0, 0)                                                              \
    X(QUANT_UNIFORM, 14, quant_uniform, 1, 1, 1, 1, 0, FBNN_OPF_INPLACE, 0)                                \
    X(BFC, 15, bfc, 1, 1, 3, 0, 0, 0, 0) /* binary FC, real out: weight bits, scale, bias */                 \
    X(BCONV_THR, 16, bconv_thr, 1, 1, 2, 3, 1, FBNN_OPF_WINDOW | FBNN_OPF_PAD, 0) /* thresholds; [bits] */    \
    X(BFC_THR, 17, bfc_thr, 1, 1, 2, 0, 1, 0, 0) /* binary FC, bits out via thresholds; [bits] */          \
    X(RCONV, 18, rconv, 1, 1, 2, 7, 0, FBNN_OPF_WINDOW | FBNN_OPF_PAD, 0) /* K,S,Pt,Pl,Pb,Pr,G */           \
    X(QUANT_KBIT, 19, quant_kbit, 1, 1, 0, 1, 0, 0, 0) /* planes */                                           \
    X(KCONV, 20, kconv, 1, 1, 2, 8, 0, FBNN_OPF_WINDOW | FBNN_OPF_PAD, 0) /* K,S,Pt,Pl,Pb,Pr,planes,bases */

#define FBNN_OP_ENUM_(E, code, name, ...) FBNN_OP_##E = code,
/* The largest code: codes ascend, so "0 *0 + c1 *0 + c2 ... *0 + cn" = cn. */
#define FBNN_OP_LASTC_(E, code, name, ...) *0 + (code)
enum { FBNN_OP_LIST(FBNN_OP_ENUM_) FBNN_OP_MAX_TYPE = 0 FBNN_OP_LIST(FBNN_OP_LASTC_) };

#define FBNN_MAX_IN 4
#define FBNN_MAX_PARAM 6
#define FBNN_MAX_ATTR 8

typedef struct fbnn_tensor_desc {
    uint32_t dtype;
    uint32_t ndim;
    uint32_t dims[4];
    uint32_t nbytes;
    const void *data; /* points into the model buffer, 64-byte aligned in the file */
} fbnn_tensor_desc;

typedef struct fbnn_value_desc {
    uint32_t kind;
    uint32_t c, h, w;
    size_t bytes;       /* size of the activation buffer (Q2: both planes) */
    size_t arena_off;   /* planned offset in the context arena */
} fbnn_value_desc;

typedef struct fbnn_op_desc {
    uint32_t type;
    uint32_t n_in;
    uint32_t in[FBNN_MAX_IN];
    uint32_t out;
    uint32_t n_param;
    uint32_t param[FBNN_MAX_PARAM];
    uint32_t n_attr;
    int32_t attr[FBNN_MAX_ATTR];
} fbnn_op_desc;

struct fbnn_model {
    const uint8_t *buf;   /* the model bytes (owned or caller's) */
    size_t size;
    void *owned_buf;      /* non-NULL when loaded from a file */

    uint32_t n_tensors, n_values, n_ops;
    fbnn_tensor_desc *tensors;
    fbnn_value_desc *values;
    fbnn_op_desc *ops;

    uint32_t input_value, output_value, n_classes;
    const char **labels;  /* n_classes pointers into buf */
    const char *name;
    uint32_t colour, resize_mode, invert;

    /* Fused elementwise chains (fuse.c); NULL = none planned. */
    uint8_t *fuse;

    /* Column panels of big float FC weights (fc_panels.c): fc_panel[i] for
     * op i, or NULL (then the row-major tensor is used); panel_bytes: their
     * heap bytes. NULL array = none made. */
    fbnn_real **fc_panel;
    /* Weights of binary / PG convs in 16-channel blocks (conv_blocks.c):
     * conv_blk[i] for op i (raw allocation; fbnn_conv_blocks_of() aligns),
     * or NULL. NULL array = none made. panel_bytes counts them too. */
    void **conv_blk;
    size_t panel_bytes;

    size_t weight_bytes;
    size_t arena_bytes;   /* planned activation arena */
    void *desc_block;     /* single allocation holding the arrays above */

    /* fbnn_model_load_static(): everything above lives in caller memory
     * [ws, ws + ws_cap); allocations bump ws_used and nothing is freed. */
    uint8_t *ws;
    size_t ws_cap, ws_used;
    int in_ws;
};

/** Zeroed memory for the loader and planner (model_mem.c): from the
 *  caller's workspace for fbnn_model_load_static() models, from calloc() otherwise. NULL if
 *  out of memory or if n * size overflows. */
void *fbnn_model_alloc(struct fbnn_model *m, size_t n, size_t size);

/** Give back memory from fbnn_model_alloc(): free() on the heap; in a
 *  workspace only the most recent allocations can be returned, by
 *  restoring ws_used to a mark taken before them (see the callers). */
void fbnn_model_release(struct fbnn_model *m, void *p);

/** Scratch bytes fbnn_plan_arena() needs for a model with n_values values
 *  (an upper bound, incl. alignment), for fbnn_model_static_size(). */
size_t fbnn_plan_scratch_bytes(uint32_t n_values);

/** Largest value buffer the loader accepts (1 GiB): keeps every arena
 *  offset sum far from wrapping, even with a 32-bit size_t. */
#define FBNN_MAX_VALUE_BYTES ((uint64_t)1 << 30)

/** Bytes of a value buffer of the given kind and shape (0 if larger than
 *  FBNN_MAX_VALUE_BYTES); model_mem.c. */
size_t fbnn_value_bytes(uint32_t kind, uint32_t c, uint32_t h, uint32_t w);

/** Plan the arena (liveness-based reuse); fills values[].arena_off and
 *  arena_bytes. Returns 0, or -1 if the arena would not be addressable. */
int fbnn_plan_arena(struct fbnn_model *m);

struct fbnn_kernel_table; /* cpu/dispatch.h */
/** Make m->fc_panel for the FC ops whose weights are worth a panel copy
 *  (heap-loaded models only; none if `best`, the CPU's best kernel set, has
 *  no panel FC; fc_panels.c). Out of memory: none, still correct. */
void fbnn_plan_fc_panels(struct fbnn_model *m, const struct fbnn_kernel_table *best);
/** Make m->conv_blk for the binary and PG convs the blocked SIMD kernels
 *  take (heap-loaded models only; none if `best` takes no blocks;
 *  conv_blocks.c). Out of memory: none. */
void fbnn_plan_conv_blocks(struct fbnn_model *m, const struct fbnn_kernel_table *best);
/** The 16-channel weight blocks of conv op `op`, or NULL (none made). */
const uint32_t *fbnn_conv_blocks_of(const struct fbnn_model *m, const fbnn_op_desc *op);

/** fuse[] entries (fuse.c): chain length at a chain's first op, and the
 *  flag of ops whose output the fused kernel must store. */
#define FBNN_FUSE_LEN 0x1Fu
#define FBNN_FUSE_STORE 0x80u
/** ...and of ops absorbed into a later ADD step of their chain (a
 *  QUANT_UNIFORM and/or a CONCAT of one map with itself that only feed
 *  that ADD): the chain computes their output on the fly, they do not run. */
#define FBNN_FUSE_ABSORB 0x40u
/** ...and of a QUANT_UNIFORM whose only reader is the AVGPOOL right after
 *  it: the pair runs as one quantising pool (kernel table avgpool_q). */
#define FBNN_FUSE_QPOOL 0x20u
/** ...planned only for pool output rows at least this wide (fuse.c says why). */
#define FBNN_QPOOL_MIN_WO 32u
#define FBNN_FUSE_MAX 16u

/** Plan the fused elementwise chains of a loaded, arena-planned model into
 *  m->fuse (n_ops bytes, left NULL if out of memory: no fusion). */
void fbnn_plan_fusion(struct fbnn_model *m);

/** Format an error into err (may be NULL); returns status. */
fbnn_status fbnn_fail(fbnn_error *err, fbnn_status status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/** CRC-32 (IEEE, zlib-compatible) of n bytes. */
uint32_t fbnn_crc32(const uint8_t *data, size_t n);

#endif /* FBNN_MODEL_INTERNAL_H */
