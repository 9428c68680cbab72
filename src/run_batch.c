/**
 * @file run_batch.c
 * @brief Threads across images: fbnn_run_batch() runs whole images per
 * thread, each worker in its own context (its own arena), and the thread
 * settings of a context.
 *
 * Why whole images: a worker with its own arena needs no synchronisation
 * inside an image at all; that is the throughput path. This file sits above
 * the runtime (it calls fbnn_run and creates worker contexts); the runtime
 * never calls into it: the worker contexts are released through the hook
 * ctx->release_workers that make_workers() installs.
 */
#include <stdlib.h>
#include <string.h>

#include "context_internal.h"


/* Free the worker contexts (ctx->release_workers; fbnn_context_free). */
static void release_workers(fbnn_context *ctx)
{
    uint32_t i;
    if (ctx->workers) {
        for (i = 0; i + 1u < ctx->n_threads; i++) fbnn_context_free(ctx->workers[i]);
        free(ctx->workers);
        ctx->workers = NULL;
    }
    ctx->release_workers = NULL;
}

/* Stop the pool and free the worker contexts (a new thread count). */
static void release_threads(fbnn_context *ctx)
{
    fbnn_par_release_pool(ctx);
    release_workers(ctx);
}

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
    release_threads(ctx);
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
    return one * n_threads + (n_threads - 1u) * sizeof(fbnn_context *) + fbnn_thread_pool_bytes(n_threads);
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
    ctx->release_workers = release_workers;
    return 1;
}

fbnn_status fbnn_run_batch(fbnn_context *ctx, const uint8_t *images, size_t image_size, size_t n, float *logits)
{
    const struct fbnn_model *m;
    fbnn_run_stats total;
    fbnn_op_hook hook;
    fbnn_thread_pool *pool;
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
    if (n >= 2 && (pool = fbnn_par_pool(ctx)) != NULL && make_workers(ctx) && n <= 0xFFFFFFFFu) {
        batch_job *job = (batch_job *)calloc(1, sizeof *job);
        if (job) {
            nt = fbnn_thread_pool_threads(pool);
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
            fbnn_thread_pool_run(pool, (uint32_t)n, batch_task, job);
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
