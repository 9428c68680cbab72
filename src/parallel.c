/**
 * @file parallel.c
 * @brief Threads of a context: convolutions split by output channels
 * (fbnn_run) and whole images per thread (fbnn_run_batch).
 *
 * Why these splits: every output value of a conv depends only on its
 * window and its channel's weights (and threshold), so any partition of the
 * outputs computes each value with exactly the code that computes it
 * single-threaded -- results are bit-identical for any thread count. Rows
 * are split through the table's `_rows` entries (the SIMD kernels keep
 * their full 16-channel blocks); a table without them gets a channel split
 * (the same kernel with out_c reduced and the pointers advanced). The cheap
 * elementwise ops between convs are not worth a hand-off.
 * Across a batch, every thread runs whole images in its own arena (a full
 * context each), which needs no synchronisation inside an image at all:
 * that is the throughput path.
 */
#include <stdlib.h>
#include <string.h>

#include "context_internal.h"

#define FBNN_MAX_THREADS 256u
/* Slices are multiples of this many output channels, so SIMD kernels that
 * block output channels keep full blocks. */
#define SPLIT_ALIGN 8
/* Below this many popcount words (out positions x taps x words) a conv is
 * run by one thread: the hand-off (about a microsecond) would dominate. */
#define SPLIT_MIN_WORDS 8192.0

fbnn_status fbnn_context_set_threads(fbnn_context *ctx, uint32_t n_threads)
{
    if (!ctx || n_threads < 1 || n_threads > FBNN_MAX_THREADS) return FBNN_ERR_ARG;
    if (n_threads == (ctx->n_threads ? ctx->n_threads : 1u)) return FBNN_OK;
    if (n_threads > 1) {
#if defined(FBNN_NO_THREADS)
        return FBNN_ERR_UNSUPPORTED;
#else
        if (!ctx->owned) return FBNN_ERR_UNSUPPORTED; /* caller memory: no heap, ever */
#endif
    }
    fbnn_par_release(ctx);
    ctx->n_threads = n_threads;
    return FBNN_OK;
}

uint32_t fbnn_context_threads(const fbnn_context *ctx)
{
    return (ctx && ctx->n_threads > 1) ? ctx->n_threads : 1u;
}

size_t fbnn_context_size_for_threads(const fbnn_model *model, uint32_t n_threads)
{
    size_t one = fbnn_context_size_for(model);
    if (!model) return 0;
    if (n_threads < 2) return one;
    return one * n_threads + (n_threads - 1u) * sizeof(fbnn_context *) + fbnn_pool_bytes(n_threads);
}

fbnn_status fbnn_context_set_op_hook(fbnn_context *ctx, fbnn_op_hook hook, void *user)
{
    if (!ctx) return FBNN_ERR_ARG;
    ctx->hook = hook;
    ctx->hook_user = hook ? user : NULL;
    return FBNN_OK;
}

void fbnn_par_release(fbnn_context *ctx)
{
    uint32_t i;
    fbnn_pool_destroy(ctx->pool);
    ctx->pool = NULL;
    if (ctx->workers) {
        for (i = 0; i + 1u < ctx->n_threads; i++) fbnn_context_free(ctx->workers[i]);
        free(ctx->workers);
        ctx->workers = NULL;
    }
}

/* The pool, created on first use; NULL = run single-threaded (no threads
 * wanted, or they could not be started: still correct, just slower). */
static fbnn_pool *get_pool(fbnn_context *ctx)
{
    if (ctx->n_threads < 2 || ctx->in_batch) return NULL;
    if (!ctx->pool) ctx->pool = fbnn_pool_create(ctx->n_threads);
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
    const uint32_t *in, *lsb, *weights;
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
            rc = j->kt->pgconv_rows(j->in, j->lsb, j->weights, j->threshold, &p, a, b, j->out, &g);
        else
            rc = j->kt->bconv_rows(j->in, j->weights, &p, a, b, j->out);
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
                    const fbnn_real *threshold, const fbnn_conv_params *p, fbnn_real *out, uint32_t *n_gated)
{
    conv_job job;
    fbnn_pool *pool;
    uint32_t n, t, gated = 0;
    int32_t slice = 0;
    int by_rows = HAVE_ROWS && (pg ? ROWS_FN(pgconv) != NULL : ROWS_FN(bconv) != NULL);
    if (ctx->n_threads < 2 || ctx->in_batch || (n = n_slices(ctx, p, by_rows, &slice)) < 2 ||
        !(pool = get_pool(ctx))) {
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
    job.threshold = threshold;
    job.p = *p;
    job.out = out;
    job.slice = slice;
    fbnn_pool_run(pool, n, conv_task, &job);
    for (t = 0; t < n; t++) {
        if (job.rc[t] != FBNN_K_OK) return job.rc[t];
        gated += job.gated[t];
    }
    if (n_gated) *n_gated = gated;
    return FBNN_K_OK;
}

int fbnn_par_bconv(fbnn_context *ctx, const uint32_t *in, const uint32_t *weights, const fbnn_conv_params *p,
                   fbnn_real *out)
{
    return run_conv(ctx, 0, in, NULL, weights, NULL, p, out, NULL);
}

int fbnn_par_pgconv(fbnn_context *ctx, const uint32_t *msb, const uint32_t *lsb, const uint32_t *weights,
                    const fbnn_real *threshold, const fbnn_conv_params *p, fbnn_real *out, uint32_t *n_gated)
{
    return run_conv(ctx, 1, msb, lsb, weights, threshold, p, out, n_gated);
}

/* ------------------------------------------------------------- batches */
typedef struct batch_job {
    fbnn_context *ctx;
    const uint8_t *images;
    size_t image_size;
    float *logits;
    uint32_t n_classes;
    fbnn_run_stats stats[FBNN_MAX_THREADS];
    fbnn_status status[FBNN_MAX_THREADS];
} batch_job;

/* Run image `i` on context `c`; add its stats to `acc`. */
static fbnn_status run_one(fbnn_context *c, const uint8_t *img, size_t size, float *out, uint32_t n_classes,
                           fbnn_run_stats *acc)
{
    fbnn_status s = fbnn_run(c, img, size);
    if (s != FBNN_OK) return s;
    memcpy(out, fbnn_logits(c, NULL), n_classes * sizeof(float));
    acc->pg_gated += c->stats.pg_gated;
    acc->pg_positions += c->stats.pg_positions;
    return FBNN_OK;
}

static void batch_task(void *arg, uint32_t task, uint32_t worker)
{
    batch_job *j = (batch_job *)arg;
    fbnn_context *c = worker == 0 ? j->ctx : j->ctx->workers[worker - 1u];
    fbnn_status s;
    if (j->status[worker] != FBNN_OK) return;
    s = run_one(c, j->images + (size_t)task * j->image_size, j->image_size,
                j->logits + (size_t)task * j->n_classes, j->n_classes, &j->stats[worker]);
    j->status[worker] = s;
}

/* One single-threaded context per extra thread, sharing the model and the
 * caller's kernel table (so a forced ISA applies to all of them). */
static int make_workers(fbnn_context *ctx)
{
    uint32_t i, n = ctx->n_threads - 1u;
    if (ctx->workers) return 1;
    ctx->workers = (fbnn_context **)calloc(n, sizeof(fbnn_context *));
    if (!ctx->workers) return 0;
    for (i = 0; i < n; i++) {
        if (fbnn_context_create(ctx->model, &ctx->workers[i]) != FBNN_OK) {
            while (i > 0) fbnn_context_free(ctx->workers[--i]);
            free(ctx->workers);
            ctx->workers = NULL;
            return 0;
        }
        ctx->workers[i]->kt = ctx->kt;
        ctx->workers[i]->no_fusion = ctx->no_fusion;
    }
    return 1;
}

fbnn_status fbnn_run_batch(fbnn_context *ctx, const uint8_t *images, size_t image_size, size_t n, float *logits)
{
    const struct fbnn_model *m;
    fbnn_run_stats total;
    fbnn_op_hook hook;
    fbnn_pool *pool;
    fbnn_status s = FBNN_OK;
    uint32_t t, nt;
    size_t i;
    if (!ctx || (n > 0 && (!images || !logits))) return FBNN_ERR_ARG;
    m = ctx->model;
    if (image_size != m->values[m->input_value].bytes) return FBNN_ERR_INPUT;
    /* n images / n logit rows that no buffer can hold (size arithmetic would wrap). */
    if (n > SIZE_MAX / image_size || n > SIZE_MAX / sizeof(float) / m->n_classes) return FBNN_ERR_ARG;
    memset(&total, 0, sizeof total);
    hook = ctx->hook;
    ctx->hook = NULL; /* documented: batches do not call the hook */
    if (n >= 2 && (pool = get_pool(ctx)) != NULL && make_workers(ctx) && n <= 0xFFFFFFFFu) {
        batch_job *job = (batch_job *)calloc(1, sizeof *job);
        if (job) {
            nt = fbnn_pool_threads(pool);
            for (t = 0; t + 1u < nt; t++) { /* a changed ISA or fusion setting applies */
                ctx->workers[t]->kt = ctx->kt;
                ctx->workers[t]->no_fusion = ctx->no_fusion;
            }
            job->ctx = ctx;
            job->images = images;
            job->image_size = image_size;
            job->logits = logits;
            job->n_classes = m->n_classes;
            ctx->in_batch = 1; /* worker 0 runs on ctx: no nested splitting */
            fbnn_pool_run(pool, (uint32_t)n, batch_task, job);
            ctx->in_batch = 0;
            for (t = 0; t < nt; t++) {
                if (job->status[t] != FBNN_OK && s == FBNN_OK) s = job->status[t];
                total.pg_gated += job->stats[t].pg_gated;
                total.pg_positions += job->stats[t].pg_positions;
            }
            free(job);
            ctx->hook = hook;
            ctx->have_result = 0;
            ctx->stats = total;
            return s;
        }
    }
    /* One thread (or no pool/memory): image after image, each may still use
     * the threads inside its convs. */
    for (i = 0; i < n && s == FBNN_OK; i++)
        s = run_one(ctx, images + i * image_size, image_size, logits + i * m->n_classes, m->n_classes, &total);
    ctx->hook = hook;
    ctx->have_result = 0;
    ctx->stats = total;
    return s;
}
