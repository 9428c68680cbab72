/**
 * @file runtime.c
 * @brief Contexts (planned memory) and the graph walk of fbnn_run().
 *
 * A context is one block: the descriptor, then the 64-byte aligned arena
 * whose layout the model planned at load time (planner.c). fbnn_run() walks
 * the ops in order and calls one kernel per op through the context's kernel
 * table; nothing is allocated while it runs.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "context_internal.h"

#define CTX_HEADER (((sizeof(struct fbnn_context)) + 63u) / 64u * 64u)

size_t fbnn_context_size_for(const fbnn_model *model)
{
    if (!model) return 0;
    return CTX_HEADER + model->arena_bytes + 64u; /* +64: room to align the arena */
}

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
    a = (uintptr_t)memory + CTX_HEADER;
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
    fbnn_par_release(ctx); /* worker pool and per-thread arenas */
    free(ctx);
}

/* ------------------------------------------------------------------ run */
static void *vbuf(const fbnn_context *ctx, uint32_t v)
{
    if (v == ctx->model->input_value) return (void *)ctx->input;
    return ctx->arena + ctx->model->values[v].arena_off;
}

static const float *tdata(const struct fbnn_model *m, const fbnn_op_desc *op, uint32_t i)
{
    return (const float *)m->tensors[op->param[i]].data;
}

static void conv_params(const struct fbnn_model *m, const fbnn_op_desc *op, fbnn_conv_params *p)
{
    const fbnn_value_desc *x = &m->values[op->in[0]], *y = &m->values[op->out];
    p->in_c = (int32_t)x->c;
    p->in_h = (int32_t)x->h;
    p->in_w = (int32_t)x->w;
    p->out_c = (int32_t)y->c;
    p->k = op->attr[0];
    p->stride = op->attr[1];
    p->pad = op->attr[2];
    p->out_h = (int32_t)y->h;
    p->out_w = (int32_t)y->w;
}

static int run_op(fbnn_context *ctx, const fbnn_op_desc *op)
{
    const struct fbnn_model *m = ctx->model;
    const fbnn_value_desc *x = &m->values[op->in[0]], *y = &m->values[op->out];
    void *in = vbuf(ctx, op->in[0]), *out = vbuf(ctx, op->out);
    int32_t c = (int32_t)x->c, h = (int32_t)x->h, w = (int32_t)x->w, hw = h * w;
    fbnn_conv_params p;
    uint32_t j;

    switch (op->type) {
    case FBNN_OP_THERMOMETER:
        return ctx->kt.thermometer((const uint8_t *)in, c, h, w, op->attr[0], op->attr[1], (uint32_t *)out);
    case FBNN_OP_BCONV:
        conv_params(m, op, &p);
        return fbnn_par_bconv(ctx, (const uint32_t *)in, (const uint32_t *)m->tensors[op->param[0]].data, &p,
                              (fbnn_real *)out);
    case FBNN_OP_PGCONV: {
        size_t plane = x->bytes / 2u / sizeof(uint32_t);
        uint32_t gated = 0;
        int rc;
        conv_params(m, op, &p);
        rc = fbnn_par_pgconv(ctx, (const uint32_t *)in, (const uint32_t *)in + plane,
                             (const uint32_t *)m->tensors[op->param[0]].data, tdata(m, op, 1), &p,
                             (fbnn_real *)out, &gated);
        ctx->stats.pg_gated += gated;
        ctx->stats.pg_positions += (uint64_t)y->c * y->h * y->w;
        return rc;
    }
    case FBNN_OP_AFFINE:
        return ctx->kt.affine((const fbnn_real *)in, tdata(m, op, 0), tdata(m, op, 1), c, hw, (fbnn_real *)out);
    case FBNN_OP_RPRELU:
        return ctx->kt.rprelu((const fbnn_real *)in, tdata(m, op, 0), tdata(m, op, 1), tdata(m, op, 2), c, hw,
                             (fbnn_real *)out);
    case FBNN_OP_ADD:
        return ctx->kt.add((const fbnn_real *)in, (const fbnn_real *)vbuf(ctx, op->in[1]), c * hw,
                          (fbnn_real *)out);
    case FBNN_OP_AVGPOOL:
        return ctx->kt.avgpool((const fbnn_real *)in, c, h, w, op->attr[0], op->attr[1], op->attr[2],
                               (fbnn_real *)out);
    case FBNN_OP_GLOBAL_AVGPOOL:
        return ctx->kt.global_avgpool((const fbnn_real *)in, c, h, w, (fbnn_real *)out);
    case FBNN_OP_MAXPOOL:
        if (x->kind == FBNN_VK_BITS)
            return fbnn_k_maxpool_bits((const uint32_t *)in, c, h, w, op->attr[0], op->attr[1], op->attr[2],
                                       (uint32_t *)out);
        return fbnn_k_maxpool((const fbnn_real *)in, c, h, w, op->attr[0], op->attr[1], op->attr[2],
                              (fbnn_real *)out);
    case FBNN_OP_FC:
        return fbnn_k_fc((const fbnn_real *)in, c * hw, tdata(m, op, 0), tdata(m, op, 1), (int32_t)y->c,
                         (fbnn_real *)out);
    case FBNN_OP_QUANT2: {
        size_t plane = y->bytes / 2u / sizeof(uint32_t);
        return ctx->kt.quant2((const fbnn_real *)in, c, h, w, (uint32_t *)out, (uint32_t *)out + plane);
    }
    case FBNN_OP_SIGN:
        return fbnn_k_pack_sign((const fbnn_real *)in, c, h, w, (uint32_t *)out);
    case FBNN_OP_CONCAT: {
        /* Planar [C][H][W]: channel concatenation is back-to-back copies. */
        uint8_t *dst = (uint8_t *)out;
        for (j = 0; j < op->n_in; j++) {
            size_t n = m->values[op->in[j]].bytes;
            memcpy(dst, vbuf(ctx, op->in[j]), n);
            dst += n;
        }
        return FBNN_K_OK;
    }
    case FBNN_OP_QUANT_UNIFORM: {
        const float *r = tdata(m, op, 0);
        return fbnn_k_quant_uniform((const fbnn_real *)in, c * hw, op->attr[0], r[0], r[1], (fbnn_real *)out);
    }
    default:
        return FBNN_K_EBADARG; /* unreachable: the loader rejects unknown ops */
    }
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
        fbnn_chain_step *s;
        if (op->type == FBNN_OP_QUANT2) {
            msb = (uint32_t *)vbuf(ctx, op->out);
            lsb = msb + m->values[op->out].bytes / 2u / sizeof(uint32_t);
            break;
        }
        s = &st[n++];
        memset(s, 0, sizeof *s);
        if (op->type == FBNN_OP_AFFINE) {
            s->kind = FBNN_CHAIN_AFFINE;
            s->p0 = tdata(m, op, 0);
            s->p1 = tdata(m, op, 1);
        } else if (op->type == FBNN_OP_RPRELU) {
            s->kind = FBNN_CHAIN_RPRELU;
            s->p0 = tdata(m, op, 0);
            s->p1 = tdata(m, op, 1);
            s->p2 = tdata(m, op, 2);
        } else {
            /* The reference adds in[0] + in[1]: keep the operand order. */
            s->kind = FBNN_CHAIN_ADD;
            s->other_first = op->in[0] != cur;
            s->p0 = (const fbnn_real *)vbuf(ctx, op->in[0] == cur ? op->in[1] : op->in[0]);
        }
        s->store = (m->fuse[i + k] & FBNN_FUSE_STORE) ? (fbnn_real *)vbuf(ctx, op->out) : NULL;
        cur = op->out;
    }
    return ctx->kt.chain((const fbnn_real *)vbuf(ctx, m->ops[i].in[0]), (int32_t)x->c, (int32_t)(x->h * x->w), st, n,
                         msb, lsb);
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
        /* The plan marks every chain worth it for some kernel; this table's
         * chain may want bigger maps (dispatch.h, chain_min_bytes). */
        if (len >= 2 && m->values[m->ops[i].in[0]].bytes < ctx->kt.chain_min_bytes) len = 0;
        int rc;
        if (ctx->hook) {
            memset(&ev, 0, sizeof ev);
            ev.op_index = i;
            ctx->hook(ctx->hook_user, &ev);
        }
        rc = len >= 2 ? run_chain(ctx, i, len) : run_op(ctx, &m->ops[i]);
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

fbnn_status fbnn_last_run_stats(const fbnn_context *ctx, fbnn_run_stats *stats)
{
    if (!ctx || !stats) return FBNN_ERR_ARG;
    *stats = ctx->stats;
    return FBNN_OK;
}
