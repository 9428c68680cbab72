/**
 * @file context_internal.h
 * @brief The context descriptor, shared by runtime.c (single image), the op
 * run functions (ops_*.c), parallel_conv.c (threads inside an image) and
 * run_batch.c (threads across images).
 */
#ifndef FBNN_CONTEXT_INTERNAL_H
#define FBNN_CONTEXT_INTERNAL_H

#include "cpu/dispatch.h"
#include "model_internal.h"
#include "thread_pool.h"

struct fbnn_context {
    const struct fbnn_model *model;
    uint8_t *arena;
    const uint8_t *input;   /* the caller's image during fbnn_run() */
    int owned;              /* allocated by fbnn_context_create() */
    int have_result;
    fbnn_kernel_table kt;
    fbnn_run_stats stats;
    /* Threads (parallel_conv.c, run_batch.c); all zero/NULL in a
     * single-threaded context. */
    uint32_t n_threads;            /* requested threads, 0 or 1 = single */
    fbnn_thread_pool *pool;        /* created lazily by the first parallel run */
    struct fbnn_context **workers; /* n_threads - 1 contexts for batches */
    /* Frees `workers`; set by run_batch.c, which made them, so that
     * fbnn_context_free() (runtime.c) need not call up into the batch layer. */
    void (*release_workers)(struct fbnn_context *ctx);
    int in_batch;                  /* the caller is a batch worker: no splitting */
    int no_fusion;                 /* fbnn_context_set_fusion(ctx, 0) */
    /* Optional per-op hook (fbnn_context_set_op_hook). */
    fbnn_op_hook hook;
    void *hook_user;
};

/** Most threads of one context (fbnn_context_set_threads). */
#define FBNN_MAX_THREADS 256u

/** Bytes before the arena in a context block (fbnn_context_size_for in
 *  planner.c, fbnn_context_init in runtime.c). */
#define FBNN_CTX_HEADER (((sizeof(struct fbnn_context)) + 63u) / 64u * 64u)

/** The buffer of value v during fbnn_run(): the caller's image for the
 *  graph input, else the value's planned place in the arena. */
static inline void *fbnn_ctx_value(const struct fbnn_context *ctx, uint32_t v)
{
    if (v == ctx->model->input_value) return (void *)ctx->input;
    return ctx->arena + ctx->model->values[v].arena_off;
}

/** Run one binary conv with the context's table, split by output rows or
 *  channels over the context's threads when it has any (parallel_conv.c).
 *  wblk: the weights' 16-channel blocks made at load (conv_blocks.c), or NULL. */
int fbnn_par_bconv(fbnn_context *ctx, const uint32_t *in, const uint32_t *weights, const uint32_t *wblk,
                   const fbnn_conv_params *p, fbnn_real *out);

/** Same for a PG conv; *n_gated receives the total over all slices. */
int fbnn_par_pgconv(fbnn_context *ctx, const uint32_t *msb, const uint32_t *lsb, const uint32_t *weights,
                    const uint32_t *wblk, const fbnn_real *threshold, const fbnn_conv_params *p,
                    fbnn_real *out, uint32_t *n_gated);

/** The context's thread pool, created on first use; NULL = run
 *  single-threaded (one thread wanted, inside a batch worker, or threads
 *  could not be started: still correct, just slower). parallel_conv.c. */
fbnn_thread_pool *fbnn_par_pool(fbnn_context *ctx);

/** Stop and free the context's thread pool (parallel_conv.c). */
void fbnn_par_release_pool(fbnn_context *ctx);

#endif /* FBNN_CONTEXT_INTERNAL_H */
