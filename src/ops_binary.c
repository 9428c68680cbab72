/**
 * @file ops_binary.c
 * @brief Check and run functions of the binary ops of issue 18 (rows in
 * ops.c): bfc (binary fully connected, real out), bconv_thr (binary conv
 * with the FINN-style threshold epilogue, bits out) and bfc_thr (binary FC
 * with the threshold epilogue, bits out).
 *
 * Thresholds are one I32 tensor [C_out, 2]: (t, flip) per output channel;
 * the output bit is +1 iff sum >= t (flip 0) or sum <= t (flip 1). The
 * integer sums never become floats (models/FORMAT.md 2.4). With the
 * optional attribute "bits" k > 1 (bconv_thr attr[3], bfc_thr attr[0])
 * the tensor is [C_out, 2^k] (2^k - 1 sorted thresholds, flip) and the
 * output is k bit planes of the codes (the QUANT_KBIT layout, KCONV input).
 */
#include "ops_impl.h"

/* Output bits (planes) of a threshold op: its optional attribute at index
 * ai (1 when the file omits it), 1..FBNN_THR_MAX_PLANES. */
static int32_t thr_planes(const fbnn_op_desc *op, uint32_t ai)
{
    return op->n_attr > ai ? op->attr[ai] : 1;
}

static fbnn_status check_planes(uint32_t i, const fbnn_op_desc *op, uint32_t ai, uint32_t c, const char *nm,
                                fbnn_error *err)
{
    int32_t planes = thr_planes(op, ai);
    if (planes < 1 || planes > FBNN_THR_MAX_PLANES)
        FBNN_ATTR_FAIL("op %u (%s): output bits %ld not in 1..%d", i, nm, (long)planes, FBNN_THR_MAX_PLANES);
    if ((uint64_t)planes * c > (uint64_t)FBNN_K_MAX_DIM)
        FBNN_SHAPE_FAIL("op %u (%s): %ld bit planes x %u channels > %d", i, nm, (long)planes, c, FBNN_K_MAX_DIM);
    return FBNN_OK;
}

/* Little-endian int32 at b, read bytewise (no alignment or host-order assumption). */
static int32_t rd_i32(const uint8_t *b)
{
    return (int32_t)((uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24));
}

/* The threshold tensor of op (param index pi) for c output channels with
 * `planes` output bits: I32 [c, 2^planes] = 2^planes - 1 thresholds, then
 * the flip (0 or 1); the thresholds of a channel in the order its code
 * counts them (non-decreasing with flip 0, non-increasing with flip 1), so
 * code n means "passed the first n", as FINN's MultiThreshold. */
static fbnn_status check_thr(const struct fbnn_model *m, uint32_t i, const fbnn_op_desc *op, uint32_t pi,
                             uint32_t c, int32_t planes, const char *nm, fbnn_error *err)
{
    const fbnn_tensor_desc *t = &m->tensors[op->param[pi]];
    const uint32_t row = 1u << planes;
    const uint8_t *b;
    uint32_t o, j;
    if (t->dtype != FBNN_DT_I32 || t->ndim != 2 || t->dims[0] != c || t->dims[1] != row)
        FBNN_SHAPE_FAIL("op %u (%s): thresholds must be an I32 tensor [%u,%u] (%u thresholds, flip)", i, nm, c, row,
                        row - 1u);
    b = (const uint8_t *)t->data;
    for (o = 0; o < c; ++o) {
        const uint8_t *r = b + 4u * row * o;
        int32_t f = rd_i32(r + 4u * (row - 1u));
        if (f != 0 && f != 1)
            FBNN_ATTR_FAIL("op %u (%s): flip of output channel %u is %ld, must be 0 or 1", i, nm, o, (long)f);
        for (j = 1; j + 1 < row; ++j) {
            int32_t a = rd_i32(r + 4u * (j - 1u)), z = rd_i32(r + 4u * j);
            if (f == 0 ? z < a : z > a)
                FBNN_ATTR_FAIL("op %u (%s): thresholds %u and %u of output channel %u (%ld, %ld) are out of order "
                               "(%s with flip %ld)", i, nm, j - 1u, j, o, (long)a, (long)z,
                               f == 0 ? "non-decreasing" : "non-increasing", (long)f);
        }
    }
    return FBNN_OK;
}

/* Binary FC weights: BITS [n_out, H, W, C] over a packed input [C,H,W]. */
static fbnn_status check_bfc_common(const struct fbnn_model *m, uint32_t i, const fbnn_op_desc *op, const char *nm,
                                    uint32_t want_out, fbnn_error *err)
{
    const fbnn_value_desc *x = &m->values[op->in[0]], *y = &m->values[op->out];
    const fbnn_tensor_desc *w = &m->tensors[op->param[0]];
    uint64_t n_in = (uint64_t)x->c * x->h * x->w;
    if (x->kind != FBNN_VK_BITS || y->kind != want_out || y->h != 1 || y->w != 1)
        FBNN_SHAPE_FAIL("op %u (%s): needs a packed-bit input and a %s [N,1,1] output", i, nm,
                        want_out == FBNN_VK_REAL ? "real" : "packed-bit");
    /* bfc_thr with k output bits: y has k planes of the weight's outputs */
    const uint32_t planes = want_out == FBNN_VK_BITS ? (uint32_t)thr_planes(op, 0) : 1u;
    if (w->dtype != FBNN_DT_BITS || w->ndim != 4 || w->dims[0] * planes != y->c || w->dims[1] != x->h ||
        w->dims[2] != x->w || w->dims[3] != x->c)
        FBNN_SHAPE_FAIL("op %u (%s): weight must be BITS [%u,%u,%u,%u] (outputs, H, W, C of the input)", i, nm,
                        y->c / planes, x->h, x->w, x->c);
    if (n_in >= ((uint64_t)1 << 24))
        FBNN_SHAPE_FAIL("op %u (%s): %llu inputs >= 2^24, sums would not be exact", i, nm, (unsigned long long)n_in);
    return FBNN_OK;
}

/* -------------------------------------------------------------------- bfc */
fbnn_status fbnn_op_check_bfc(const struct fbnn_model *m, uint32_t i, const fbnn_op_desc *op, const char *nm,
                              fbnn_error *err)
{
    uint32_t n = m->values[op->out].c;
    fbnn_status st = check_bfc_common(m, i, op, nm, FBNN_VK_REAL, err);
    if (st != FBNN_OK) return st;
    if (!fbnn_is_f32_vec(&m->tensors[op->param[1]], n)) FBNN_SHAPE_FAIL("op %u (bfc): scale must be %u floats", i, n);
    if (!fbnn_is_f32_vec(&m->tensors[op->param[2]], n)) FBNN_SHAPE_FAIL("op %u (bfc): bias must be %u floats", i, n);
    return FBNN_OK;
}

static void bfc_sizes(const struct fbnn_model *m, const fbnn_op_desc *op, int32_t *n_words, int32_t *n_in)
{
    const fbnn_value_desc *x = &m->values[op->in[0]];
    *n_words = (int32_t)(x->h * x->w * (uint32_t)FBNN_WORDS(x->c));
    *n_in = (int32_t)(x->c * x->h * x->w);
}

int fbnn_op_run_bfc(fbnn_context *ctx, const fbnn_op_desc *op)
{
    const struct fbnn_model *m = ctx->model;
    int32_t nw, n_in;
    bfc_sizes(m, op, &nw, &n_in);
    return ctx->kt.bfc((const uint32_t *)fbnn_ctx_value(ctx, op->in[0]), nw, n_in,
                       (const uint32_t *)m->tensors[op->param[0]].data, fbnn_op_tdata(m, op, 1),
                       fbnn_op_tdata(m, op, 2), (int32_t)m->values[op->out].c,
                       (fbnn_real *)fbnn_ctx_value(ctx, op->out));
}

/* ---------------------------------------------------------------- bfc_thr */
fbnn_status fbnn_op_check_bfc_thr(const struct fbnn_model *m, uint32_t i, const fbnn_op_desc *op, const char *nm,
                                  fbnn_error *err)
{
    const uint32_t n = m->tensors[op->param[0]].dims[0];
    const int32_t planes = thr_planes(op, 0);
    fbnn_status st;
    if ((st = check_planes(i, op, 0, n, nm, err)) != FBNN_OK) return st;
    if ((st = check_bfc_common(m, i, op, nm, FBNN_VK_BITS, err)) != FBNN_OK) return st;
    return check_thr(m, i, op, 1, n, planes, nm, err);
}

int fbnn_op_run_bfc_thr(fbnn_context *ctx, const fbnn_op_desc *op)
{
    const struct fbnn_model *m = ctx->model;
    int32_t nw, n_in;
    bfc_sizes(m, op, &nw, &n_in);
    {
    const int32_t planes = thr_planes(op, 0), n_out = (int32_t)m->tensors[op->param[0]].dims[0];
    const uint32_t *x = (const uint32_t *)fbnn_ctx_value(ctx, op->in[0]);
    const uint32_t *w = (const uint32_t *)m->tensors[op->param[0]].data;
    const int32_t *thr = (const int32_t *)m->tensors[op->param[1]].data;
    uint32_t *y = (uint32_t *)fbnn_ctx_value(ctx, op->out);
    if (planes > 1) return ctx->kt.bfc_thr_kbit(x, nw, n_in, w, thr, planes, n_out, y);
    return ctx->kt.bfc_thr(x, nw, n_in, w, thr, n_out, y);
    }
}

/* -------------------------------------------------------------- bconv_thr */
fbnn_status fbnn_op_check_bconv_thr(const struct fbnn_model *m, uint32_t i, const fbnn_op_desc *op, const char *nm,
                                    fbnn_error *err)
{
    const fbnn_value_desc *x = &m->values[op->in[0]], *y = &m->values[op->out];
    const fbnn_tensor_desc *w = &m->tensors[op->param[0]];
    int32_t k = op->attr[0], s = op->attr[1], p = op->attr[2], planes = thr_planes(op, 3);
    fbnn_status st;
    if ((st = fbnn_check_window_attrs(i, op, nm, 1, err)) != FBNN_OK) return st;
    if ((st = check_planes(i, op, 3, w->dims[0], nm, err)) != FBNN_OK) return st;
    if (x->kind != FBNN_VK_BITS || y->kind != FBNN_VK_BITS)
        FBNN_SHAPE_FAIL("op %u (%s): input and output must be packed bits", i, nm);
    if (w->dtype != FBNN_DT_BITS || w->dims[1] != (uint32_t)k || w->dims[2] != (uint32_t)k || w->dims[3] != x->c ||
        w->dims[0] * (uint32_t)planes != y->c)
        FBNN_SHAPE_FAIL("op %u (%s): weight [%u,%u,%u,%u] does not fit %u->%u channels (%ld bit planes), kernel %d", i,
                        nm, w->dims[0], w->dims[1], w->dims[2], w->dims[3], x->c, y->c, (long)planes, k);
    if ((uint64_t)k * k * x->c >= ((uint64_t)1 << 24))
        FBNN_SHAPE_FAIL("op %u (%s): k*k*Cin >= 2^24, sums would not be exact", i, nm);
    if (y->h != (uint32_t)fbnn_check_out_size(x->h, k, s, p) || y->w != (uint32_t)fbnn_check_out_size(x->w, k, s, p))
        FBNN_SHAPE_FAIL("op %u (%s): output %ux%u, expected %dx%d", i, nm, y->h, y->w,
                        fbnn_check_out_size(x->h, k, s, p), fbnn_check_out_size(x->w, k, s, p));
    return check_thr(m, i, op, 1, w->dims[0], planes, nm, err);
}

typedef struct thr_job {
    const fbnn_kernel_table *kt;
    const uint32_t *in, *w, *wblk; /* wblk: the load-time weight blocks or NULL */
    const int32_t *thr;
    int32_t planes;
    fbnn_conv_params p;
    uint32_t *out;
    int32_t slice;
    int rc[FBNN_MAX_THREADS];
} thr_job;

/* Rows [a, b) through the kernel over the load-time blocks, else the 1-bit
 * or the k-bit kernel (the same outputs). */
static int thr_rows(const thr_job *j, int32_t a, int32_t b)
{
    if (j->wblk != NULL && j->kt->bconv_thr_rows_blk != NULL)
        return j->kt->bconv_thr_rows_blk(j->in, j->w, j->wblk, j->thr, j->planes, &j->p, a, b, j->out);
    if (j->planes > 1) return j->kt->bconv_thr_kbit_rows(j->in, j->w, j->thr, j->planes, &j->p, a, b, j->out);
    return j->kt->bconv_thr_rows(j->in, j->w, j->thr, &j->p, a, b, j->out);
}

static void thr_task(void *arg, uint32_t task, uint32_t worker)
{
    thr_job *j = (thr_job *)arg;
    int32_t a = (int32_t)task * j->slice;
    int32_t b = j->p.out_h - a < j->slice ? j->p.out_h : a + j->slice;
    int rc = thr_rows(j, a, b);
    if (rc != FBNN_K_OK) j->rc[worker] = rc;
}

/* Rows are split over the context's threads: each output pixel's word is
 * computed by exactly the same code whichever thread runs it, so results
 * are bit-identical for any thread count. */
int fbnn_op_run_bconv_thr(fbnn_context *ctx, const fbnn_op_desc *op)
{
    const struct fbnn_model *m = ctx->model;
    const fbnn_value_desc *x = &m->values[op->in[0]], *y = &m->values[op->out];
    thr_job j;
    fbnn_thread_pool *pool;
    uint32_t n_threads, n_tasks, t;
    j.kt = &ctx->kt;
    j.in = (const uint32_t *)fbnn_ctx_value(ctx, op->in[0]);
    j.w = (const uint32_t *)m->tensors[op->param[0]].data;
    j.wblk = fbnn_conv_blocks_of(m, op); /* NULL: none made (static models, no SIMD set) */
    j.thr = (const int32_t *)m->tensors[op->param[1]].data;
    j.out = (uint32_t *)fbnn_ctx_value(ctx, op->out);
    j.p.in_c = (int32_t)x->c;
    j.p.in_h = (int32_t)x->h;
    j.p.in_w = (int32_t)x->w;
    j.planes = thr_planes(op, 3);
    j.p.out_c = (int32_t)m->tensors[op->param[0]].dims[0];
    j.p.k = op->attr[0];
    j.p.stride = op->attr[1];
    j.p.pad = op->attr[2];
    j.p.out_h = (int32_t)y->h;
    j.p.out_w = (int32_t)y->w;
    pool = fbnn_par_pool(ctx);
    n_threads = pool ? fbnn_thread_pool_threads(pool) : 1u;
    if (n_threads < 2 || y->h < 2u ||
        (double)y->h * y->w * y->c * (double)j.p.k * j.p.k * FBNN_WORDS(x->c) < 8192.0)
        return thr_rows(&j, 0, j.p.out_h);
    n_tasks = n_threads < y->h ? n_threads : y->h;
    j.slice = (int32_t)((y->h + n_tasks - 1u) / n_tasks);
    n_tasks = (y->h + (uint32_t)j.slice - 1u) / (uint32_t)j.slice;
    for (t = 0; t < FBNN_MAX_THREADS; ++t) j.rc[t] = FBNN_K_OK;
    fbnn_thread_pool_run(pool, n_tasks, thr_task, &j);
    for (t = 0; t < FBNN_MAX_THREADS; ++t)
        if (j.rc[t] != FBNN_K_OK) return j.rc[t];
    return FBNN_K_OK;
}
