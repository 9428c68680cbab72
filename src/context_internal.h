/**
 * @file context_internal.h
 * @brief The context descriptor, shared by runtime.c (single image) and
 * parallel.c (threads, batches).
 */
#ifndef FBNN_CONTEXT_INTERNAL_H
#define FBNN_CONTEXT_INTERNAL_H

#include "cpu/dispatch.h"
#include "model_internal.h"
#include "pool.h"

struct fbnn_context {
    const struct fbnn_model *model;
    uint8_t *arena;
    const uint8_t *input;   /* the caller's image during fbnn_run() */
    int owned;              /* allocated by fbnn_context_create() */
    int have_result;
    fbnn_kernel_table kt;
    fbnn_run_stats stats;
    /* Threads (parallel.c); all zero/NULL in a single-threaded context. */
    uint32_t n_threads;            /* requested threads, 0 or 1 = single */
    fbnn_pool *pool;               /* created lazily by the first parallel run */
    struct fbnn_context **workers; /* n_threads - 1 contexts for batches */
    int in_batch;                  /* the caller is a batch worker: no splitting */
    int no_fusion;                 /* fbnn_context_set_fusion(ctx, 0) */
    /* Optional per-op hook (fbnn_context_set_op_hook). */
    fbnn_op_hook hook;
    void *hook_user;
};

/** Run one binary conv with the context's table, split by output channels
 *  over the context's threads when it has any (parallel.c). */
int fbnn_par_bconv(fbnn_context *ctx, const uint32_t *in, const uint32_t *weights,
                   const fbnn_conv_params *p, fbnn_real *out);

/** Same for a PG conv; *n_gated receives the total over all slices. */
int fbnn_par_pgconv(fbnn_context *ctx, const uint32_t *msb, const uint32_t *lsb, const uint32_t *weights,
                    const fbnn_real *threshold, const fbnn_conv_params *p, fbnn_real *out,
                    uint32_t *n_gated);

/** Stop the pool and free the worker contexts (fbnn_context_free). */
void fbnn_par_release(fbnn_context *ctx);

#endif /* FBNN_CONTEXT_INTERNAL_H */
