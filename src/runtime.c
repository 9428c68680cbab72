/**
 * @file runtime.c
 * @brief Contexts (planned memory) and the graph walk of fbnn_run().
 *
 * A context is one block: the descriptor, then the 64-byte aligned arena
 * whose layout the model planned at load time (planner.c, which also says
 * how big the block is). fbnn_run() walks the ops in order and runs each
 * through its row of the op registry (ops.c), whose run function reaches
 * the kernel through the context's kernel table; nothing is allocated while
 * it runs. Threads inside an image come from parallel_conv.c below; batches
 * (run_batch.c) sit above this file and are never called from it.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "context_internal.h"
#include "ops.h"
#include "cpu/elementwise/chain_step.h"

fbnn_status fbnn_context_init(const fbnn_model *model, void *memory, size_t size, fbnn_context **out)
{
    struct fbnn_context *ctx;
    uintptr_t a;
    if (out) *out = NULL;
    if (!model || !memory || !out) return FBNN_ERR_ARG;
    if (((uintptr_t)memory & 7u) != 0) return FBNN_ERR_ALIGNMENT;
    if (size < fbnn_context_size_for(model)) return FBNN_ERR_BUFFER_SIZE;
    ctx = (struct fbnn_context *)memory;
    memset(ctx, 0, sizeof *ctx);
    ctx->model = model;
    a = (uintptr_t)memory + FBNN_CTX_HEADER;
    a = (a + 63u) & ~(uintptr_t)63u;
    ctx->arena = (uint8_t *)a;
    fbnn_kernel_table_init(&ctx->kt, 0);
    *out = ctx;
    return FBNN_OK;
}

fbnn_status fbnn_context_create(const fbnn_model *model, fbnn_context **out)
{
    void *mem;
    fbnn_status st;
    if (out) *out = NULL;
    if (!model || !out) return FBNN_ERR_ARG;
    mem = malloc(fbnn_context_size_for(model));
    if (!mem) return FBNN_ERR_NOMEM;
    st = fbnn_context_init(model, mem, fbnn_context_size_for(model), out);
    if (st != FBNN_OK) {
        free(mem);
        return st;
    }
    (*out)->owned = 1;
    return FBNN_OK;
}

void fbnn_context_free(fbnn_context *ctx)
{
    if (!ctx || !ctx->owned) return;
    fbnn_par_release_pool(ctx);
    /* Worker contexts of batches: freed by the layer that made them. */
    if (ctx->release_workers) ctx->release_workers(ctx);
    free(ctx);
}

/* ------------------------------------------------------------------ run */
static const float *tdata(const struct fbnn_model *m, const fbnn_op_desc *op, uint32_t i)
{
    return (const float *)m->tensors[op->param[i]].data;
}

/* An ADD step's other operand may be an absorbed shortcut (fuse.c): a CONCAT
 * of a map with itself or a QUANT_UNIFORM, both computed by the chain kernel
 * itself. Follow such ops back (a CONCAT may read a QUANT_UNIFORM) to the
 * value the step really reads, filling the step's o_c and q_* on the way. */
static uint32_t absorbed_operand(const struct fbnn_model *m, uint32_t first, uint32_t end, uint32_t other,
                                 fbnn_chain_step *s)
{
    int found = 1;
    while (found) {
        uint32_t a;
        found = 0;
        for (a = first; a < end && !found; a++) {
            const fbnn_op_desc *ab = &m->ops[a];
            if (!(m->fuse[a] & FBNN_FUSE_ABSORB) || ab->out != other) continue;
            if (ab->type == FBNN_OP_CONCAT) {
                s->o_c = (int32_t)m->values[ab->in[0]].c;
            } else {
                const float *r = tdata(m, ab, 0);
                s->q_bits = ab->attr[0];
                s->q_lo = r[0];
                s->q_hi = r[1];
                s->q_d = fbnn_chain_q_step(s->q_lo, s->q_hi, s->q_bits);
            }
            other = ab->in[0];
            found = 1;
        }
    }
    return other;
}

/* Ops i .. i+len-1 as one fused chain (fuse.c planned it; the table has a
 * chain kernel). Values only the next op of the chain reads are not stored. */
static int run_chain(fbnn_context *ctx, uint32_t i, uint32_t len)
{
    const struct fbnn_model *m = ctx->model;
    fbnn_chain_step st[FBNN_CHAIN_MAX_STEPS];
    const fbnn_value_desc *x = &m->values[m->ops[i].in[0]];
    uint32_t k, cur = m->ops[i].in[0];
    int32_t n = 0;
    uint32_t *msb = NULL, *lsb = NULL;
    for (k = 0; k < len && n < FBNN_CHAIN_MAX_STEPS; k++) {
        const fbnn_op_desc *op = &m->ops[i + k];
        const fbnn_op_row *row = fbnn_op_row_of(op->type);
        fbnn_chain_step *s;
        if (m->fuse[i + k] & FBNN_FUSE_ABSORB) continue; /* computed by the ADD that reads it */
        if (row->flags & FBNN_OPF_CHAIN_END) {
            msb = (uint32_t *)fbnn_ctx_value(ctx, op->out);
            lsb = msb + m->values[op->out].bytes / 2u / sizeof(uint32_t);
            break;
        }
        s = &st[n++];
        memset(s, 0, sizeof *s);
        s->kind = row->chain_kind;
        if (row->chain_kind == FBNN_CHAIN_ADD) {
            /* The binary step: p0 is the other operand. The reference adds
             * in[0] + in[1]: keep the operand order. */
            uint32_t other = op->in[0] == cur ? op->in[1] : op->in[0];
            s->other_first = op->in[0] != cur;
            other = absorbed_operand(m, i, i + k, other, s);
            s->p0 = (const fbnn_real *)fbnn_ctx_value(ctx, other);
        } else {
            /* The op's parameters are the step's p0, p1, p2 in order. */
            if (op->n_param > 0) s->p0 = tdata(m, op, 0);
            if (op->n_param > 1) s->p1 = tdata(m, op, 1);
            if (op->n_param > 2) s->p2 = tdata(m, op, 2);
        }
        s->store = (m->fuse[i + k] & FBNN_FUSE_STORE) ? (fbnn_real *)fbnn_ctx_value(ctx, op->out) : NULL;
        cur = op->out;
    }
    return ctx->kt.chain((const fbnn_real *)fbnn_ctx_value(ctx, m->ops[i].in[0]), (int32_t)x->c,
                         (int32_t)(x->h * x->w), st, n, msb, lsb);
}

/* Ops i (QUANT_UNIFORM) and i+1 (AVGPOOL of its output) as one quantising
 * pool (fuse.c, FBNN_FUSE_QPOOL; the table has avgpool_q). */
static int run_qpool(fbnn_context *ctx, uint32_t i)
{
    const struct fbnn_model *m = ctx->model;
    const fbnn_op_desc *q = &m->ops[i], *pool = &m->ops[i + 1];
    const fbnn_value_desc *x = &m->values[q->in[0]];
    const float *r = tdata(m, q, 0);
    return ctx->kt.avgpool_q((const fbnn_real *)fbnn_ctx_value(ctx, q->in[0]), (int32_t)x->c, (int32_t)x->h,
                             (int32_t)x->w, pool->attr[0], pool->attr[1], pool->attr[2], q->attr[0], r[0], r[1],
                             (fbnn_real *)fbnn_ctx_value(ctx, pool->out));
}

fbnn_status fbnn_run(fbnn_context *ctx, const uint8_t *image, size_t size)
{
    const struct fbnn_model *m;
    uint32_t i;
    if (!ctx || !image) return FBNN_ERR_ARG;
    m = ctx->model;
    ctx->have_result = 0;
    if (size != m->values[m->input_value].bytes) return FBNN_ERR_INPUT;
    ctx->input = image;
    memset(&ctx->stats, 0, sizeof ctx->stats);
    for (i = 0; i < m->n_ops; i++) {
        fbnn_op_event ev;
        fbnn_run_stats before = ctx->stats;
        uint32_t len = (ctx->kt.chain && m->fuse && !ctx->no_fusion) ? (m->fuse[i] & FBNN_FUSE_LEN) : 0u, k;
        const int qpool = ctx->kt.avgpool_q && m->fuse && !ctx->no_fusion && (m->fuse[i] & FBNN_FUSE_QPOOL);
        int rc;
        /* The plan marks every chain worth it for some kernel; this table's
         * chain may want bigger maps (dispatch.h, chain_min_bytes). */
        if (len >= 2 && m->values[m->ops[i].in[0]].bytes < ctx->kt.chain_min_bytes) len = 0;
        if (qpool) len = 2; /* (never a chain's first op: fuse.c) */
        if (ctx->hook) {
            memset(&ev, 0, sizeof ev);
            ev.op_index = i;
            ctx->hook(ctx->hook_user, &ev);
        }
        rc = qpool ? run_qpool(ctx, i)
             : len >= 2 ? run_chain(ctx, i, len)
                        : fbnn_op_row_of(m->ops[i].type)->run(ctx, &m->ops[i]);
        if (ctx->hook) {
            ev.end = 1;
            ev.pg_gated = ctx->stats.pg_gated - before.pg_gated;
            ev.pg_positions = ctx->stats.pg_positions - before.pg_positions;
            ctx->hook(ctx->hook_user, &ev);
            /* The other ops of a fused chain ran inside op i: they report
             * begin and end at once (their time is in op i's). */
            for (k = 1; k < len; k++) {
                memset(&ev, 0, sizeof ev);
                ev.op_index = i + k;
                ev.fused = 1;
                ctx->hook(ctx->hook_user, &ev);
                ev.end = 1;
                ctx->hook(ctx->hook_user, &ev);
            }
        }
        if (len >= 2) i += len - 1;
        if (rc != FBNN_K_OK) {
            ctx->input = NULL;
            return FBNN_ERR_SHAPE; /* a kernel refused validated sizes: a library bug */
        }
    }
    ctx->input = NULL;
    ctx->have_result = 1;
    return FBNN_OK;
}

const float *fbnn_logits(const fbnn_context *ctx, uint32_t *num_classes)
{
    if (!ctx || !ctx->have_result) {
        if (num_classes) *num_classes = 0;
        return NULL;
    }
    if (num_classes) *num_classes = ctx->model->n_classes;
    return (const float *)(ctx->arena + ctx->model->values[ctx->model->output_value].arena_off);
}

fbnn_status fbnn_topk(const fbnn_context *ctx, uint32_t k, fbnn_class_score *out)
{
    uint32_t n, i, j;
    const float *lg = fbnn_logits(ctx, &n);
    double mx, sum = 0.0;
    if (!ctx || !out || k == 0) return FBNN_ERR_ARG;
    if (!lg) return FBNN_ERR_ARG;
    if (k > n) k = n;
    mx = lg[0];
    for (i = 1; i < n; i++)
        if (lg[i] > mx) mx = lg[i];
    for (i = 0; i < n; i++) sum += exp((double)lg[i] - mx);
    /* Partial selection sort: k is small (top-5 of 10 or 1000). */
    for (j = 0; j < k; j++) {
        uint32_t best = n;
        for (i = 0; i < n; i++) {
            uint32_t t;
            int taken = 0;
            for (t = 0; t < j; t++)
                if (out[t].index == i) taken = 1;
            if (taken) continue;
            if (best == n || lg[i] > lg[best]) best = i;
        }
        out[j].index = best;
        out[j].label = ctx->model->labels[best];
        out[j].logit = lg[best];
        out[j].probability = (float)(exp((double)lg[best] - mx) / sum);
    }
    return FBNN_OK;
}

fbnn_status fbnn_context_set_fusion(fbnn_context *ctx, int enabled)
{
    if (!ctx) return FBNN_ERR_ARG;
    ctx->no_fusion = !enabled;
    return FBNN_OK;
}

fbnn_status fbnn_context_set_op_hook(fbnn_context *ctx, fbnn_op_hook hook, void *user)
{
    if (!ctx) return FBNN_ERR_ARG;
    ctx->hook = hook;
    ctx->hook_user = hook ? user : NULL;
    return FBNN_OK;
}

fbnn_status fbnn_last_run_stats(const fbnn_context *ctx, fbnn_run_stats *stats)
{
    if (!ctx || !stats) return FBNN_ERR_ARG;
    *stats = ctx->stats;
    return FBNN_OK;
}
