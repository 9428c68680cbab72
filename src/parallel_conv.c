/**
 * @file parallel_conv.c
 * @brief Threads inside one image: convolutions split by output rows or
 * channels over the context's thread pool (fbnn_run), and the pool itself.
 *
 * Why these splits: every output value of a conv depends only on its
 * window and its channel's weights (and threshold), so any partition of the
 * outputs computes each value with exactly the code that computes it
 * single-threaded -- results are bit-identical for any thread count. Rows
 * are split through the table's `_rows` entries (the SIMD kernels keep
 * their full 16-channel blocks); a table without them gets a channel split
 * (the same kernel with out_c reduced and the pointers advanced). The cheap
 * elementwise ops between convs are not worth a hand-off.
 * The pool is owned here, below the runtime, so that fbnn_context_free()
 * (runtime.c) can stop it without calling up into the batch layer
 * (run_batch.c), which borrows the same pool for whole images.
 */
#include <stdlib.h>

#include "context_internal.h"

/* Slices are multiples of this many output channels, so SIMD kernels that
 * block output channels keep full blocks. */
#define SPLIT_ALIGN 8
/* Below this many popcount words (out positions x taps x words) a conv is
 * run by one thread: the hand-off (about a microsecond) would dominate. */
#define SPLIT_MIN_WORDS 8192.0

void fbnn_par_release_pool(fbnn_context *ctx)
{
    fbnn_thread_pool_destroy(ctx->pool);
    ctx->pool = NULL;
}

/* The pool, created on first use; NULL = run single-threaded (no threads
 * wanted, or they could not be started: still correct, just slower). */
fbnn_thread_pool *fbnn_par_pool(fbnn_context *ctx)
{
    if (ctx->n_threads < 2 || ctx->in_batch) return NULL;
    if (!ctx->pool) ctx->pool = fbnn_thread_pool_create(ctx->n_threads);
    return ctx->pool;
}

/* --------------------------------------- convs split by rows or channels */
/* The table's `_rows` entries come with the blocked SIMD convs (dispatch.h
 * declares them through FBNN_DECLARE_CONV_VARIANT); a table without them
 * is split by channels. */
#ifdef FBNN_DECLARE_CONV_VARIANT
#define HAVE_ROWS 1
#define ROWS_FN(name) ctx->kt.name##_rows
#else
#define HAVE_ROWS 0
#define ROWS_FN(name) NULL
#endif
typedef struct conv_job {
    const fbnn_kernel_table *kt;
    int pg, by_rows;
    const uint32_t *in, *lsb, *weights, *wblk;
    const fbnn_real *threshold;
    fbnn_conv_params p;
    fbnn_real *out;
    int32_t slice;          /* output rows (or channels) per task; the last one: the rest */
    uint32_t gated[FBNN_MAX_THREADS];
    int rc[FBNN_MAX_THREADS];
} conv_job;

static void conv_task(void *arg, uint32_t task, uint32_t worker)
{
    conv_job *j = (conv_job *)arg;
    fbnn_conv_params p = j->p;
    int32_t a = (int32_t)task * j->slice, total = j->by_rows ? p.out_h : p.out_c;
    int32_t b = total - a < j->slice ? total : a + j->slice;
    size_t wstride = (size_t)p.k * (size_t)p.k * (size_t)FBNN_WORDS(p.in_c);
    size_t ostride = (size_t)p.out_h * (size_t)p.out_w;
    uint32_t g = 0;
    int rc;
    (void)worker;
    if (j->by_rows) {
#if HAVE_ROWS
        /* Rows [a, b) of every channel: the SIMD kernels keep full channel blocks. */
        if (j->pg)
            rc = j->wblk && j->kt->pgconv_rows_blk
                     ? j->kt->pgconv_rows_blk(j->in, j->lsb, j->weights, j->wblk, j->threshold, &p, a, b, j->out, &g)
                     : j->kt->pgconv_rows(j->in, j->lsb, j->weights, j->threshold, &p, a, b, j->out, &g);
        else
            rc = j->wblk && j->kt->bconv_rows_blk
                     ? j->kt->bconv_rows_blk(j->in, j->weights, j->wblk, &p, a, b, j->out)
                     : j->kt->bconv_rows(j->in, j->weights, &p, a, b, j->out);
#else
        rc = FBNN_K_EBADARG; /* unreachable: by_rows is 0 without row entries */
#endif
    } else {
        /* Channels [a, b): the same kernel on a smaller out_c. */
        p.out_c = b - a;
        if (j->pg)
            rc = j->kt->pgconv(j->in, j->lsb, j->weights + (size_t)a * wstride, j->threshold + a, &p,
                               j->out + (size_t)a * ostride, &g);
        else
            rc = j->kt->bconv(j->in, j->weights + (size_t)a * wstride, &p, j->out + (size_t)a * ostride);
    }
    j->gated[task] = g;
    j->rc[task] = rc;
}

/* Number of slices for this conv (1 = do not split) and their size. */
static uint32_t n_slices(const fbnn_context *ctx, const fbnn_conv_params *p, int by_rows, int32_t *slice)
{
    double work = (double)p->out_c * p->out_h * p->out_w * p->k * p->k * FBNN_WORDS(p->in_c);
    int32_t unit = by_rows ? 1 : SPLIT_ALIGN, total = by_rows ? p->out_h : p->out_c;
    int32_t groups = (total + unit - 1) / unit, per;
    uint32_t n = ctx->n_threads;
    if (n < 2 || groups < 2 || work < SPLIT_MIN_WORDS) return 1;
    if ((uint32_t)groups < n) n = (uint32_t)groups;
    per = (groups + (int32_t)n - 1) / (int32_t)n;
    *slice = per * unit;
    return (uint32_t)((total + *slice - 1) / *slice);
}

static int run_conv(fbnn_context *ctx, int pg, const uint32_t *in, const uint32_t *lsb, const uint32_t *weights,
                    const uint32_t *wblk, const fbnn_real *threshold, const fbnn_conv_params *p, fbnn_real *out,
                    uint32_t *n_gated)
{
    conv_job job;
    fbnn_thread_pool *pool;
    uint32_t n, t, gated = 0;
    int32_t slice = 0;
    int by_rows = HAVE_ROWS && (pg ? ROWS_FN(pgconv) != NULL : ROWS_FN(bconv) != NULL);
    if (ctx->n_threads < 2 || ctx->in_batch || (n = n_slices(ctx, p, by_rows, &slice)) < 2 ||
        !(pool = fbnn_par_pool(ctx))) {
        /* One thread: the whole layer as one row range over the load-time
         * weight blocks where the table takes them. */
        if (pg && wblk && ctx->kt.pgconv_rows_blk)
            return ctx->kt.pgconv_rows_blk(in, lsb, weights, wblk, threshold, p, 0, p->out_h, out, n_gated);
        if (!pg && wblk && ctx->kt.bconv_rows_blk)
            return ctx->kt.bconv_rows_blk(in, weights, wblk, p, 0, p->out_h, out);
        if (pg) return ctx->kt.pgconv(in, lsb, weights, threshold, p, out, n_gated);
        return ctx->kt.bconv(in, weights, p, out);
    }
    /* Shapes were validated by the loader; the slices keep them valid. */
    job.kt = &ctx->kt;
    job.pg = pg;
    job.by_rows = by_rows;
    job.in = in;
    job.lsb = lsb;
    job.weights = weights;
    job.wblk = by_rows ? wblk : NULL; /* channel slices would need the blocks offset */
    job.threshold = threshold;
    job.p = *p;
    job.out = out;
    job.slice = slice;
    fbnn_thread_pool_run(pool, n, conv_task, &job);
    for (t = 0; t < n; t++) {
        if (job.rc[t] != FBNN_K_OK) return job.rc[t];
        gated += job.gated[t];
    }
    if (n_gated) *n_gated = gated;
    return FBNN_K_OK;
}

int fbnn_par_bconv(fbnn_context *ctx, const uint32_t *in, const uint32_t *weights, const uint32_t *wblk,
                   const fbnn_conv_params *p, fbnn_real *out)
{
    return run_conv(ctx, 0, in, NULL, weights, wblk, NULL, p, out, NULL);
}

int fbnn_par_pgconv(fbnn_context *ctx, const uint32_t *msb, const uint32_t *lsb, const uint32_t *weights,
                    const uint32_t *wblk, const fbnn_real *threshold, const fbnn_conv_params *p, fbnn_real *out,
                    uint32_t *n_gated)
{
    return run_conv(ctx, 1, msb, lsb, weights, wblk, threshold, p, out, n_gated);
}
