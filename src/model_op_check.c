/**
 * @file model_op_check.c
 * @brief The per-op-type rules of .fbnn validation: arity, attributes, and
 * the shapes of inputs, parameters and output (models/FORMAT.md, 2.4 and
 * 3). Called by model_loader.c for each op, after its indices were checked
 * against the tables; every message names the op index and type.
 */
#include <string.h>

#include "model_internal.h"

/* Expected counts per op type: n_in (min, max), n_param, n_attr. */
static const struct {
    uint8_t in_min, in_max, n_param, n_attr;
} op_arity[FBNN_OP_MAX_TYPE + 1] = {
    {0, 0, 0, 0}, /* 0: invalid */
    {1, 1, 0, 2}, /* thermometer */
    {1, 1, 1, 3}, /* bconv */
    {1, 1, 2, 3}, /* pgconv */
    {1, 1, 2, 0}, /* affine */
    {1, 1, 3, 0}, /* rprelu */
    {2, 2, 0, 0}, /* add */
    {1, 1, 0, 3}, /* avgpool */
    {1, 1, 0, 0}, /* global_avgpool */
    {1, 1, 0, 3}, /* maxpool */
    {1, 1, 2, 0}, /* fc */
    {1, 1, 0, 0}, /* quant2 */
    {1, 1, 0, 0}, /* sign */
    {2, 4, 0, 0}, /* concat */
    {1, 1, 1, 1}, /* quant_uniform */
};

#define SHAPE_FAIL(...) return fbnn_fail(err, FBNN_ERR_SHAPE, __VA_ARGS__)
#define ATTR_FAIL(...) return fbnn_fail(err, FBNN_ERR_OP, __VA_ARGS__)

/* A param tensor must be F32 with exactly `n` elements (any ndim). */
static int is_f32_vec(const fbnn_tensor_desc *t, uint64_t n)
{
    return t->dtype == FBNN_DT_F32 && (uint64_t)t->dims[0] * t->dims[1] * t->dims[2] * t->dims[3] == n;
}

static int32_t out_size(int64_t in, int64_t k, int64_t s, int64_t p)
{
    if (in + 2 * p < k) return 0;
    return (int32_t)((in + 2 * p - k) / s + 1);
}

static fbnn_status check_window_attrs(uint32_t i, const fbnn_op_desc *op, int with_pad, fbnn_error *err)
{
    int32_t k = op->attr[0], s = op->attr[1], p = with_pad ? op->attr[2] : 0;
    if (k < 1 || k > 15) ATTR_FAIL("op %u (%s): kernel size %d not in 1..15", i, fbnn_op_name(op->type), k);
    if (s < 1 || s > 8) ATTR_FAIL("op %u (%s): stride %d not in 1..8", i, fbnn_op_name(op->type), s);
    if (p < 0 || p >= k) ATTR_FAIL("op %u (%s): padding %d not in 0..k-1", i, fbnn_op_name(op->type), p);
    return FBNN_OK;
}

fbnn_status fbnn_check_op_shapes(const struct fbnn_model *m, uint32_t i, const fbnn_op_desc *op, fbnn_error *err)
{
    const fbnn_value_desc *x = &m->values[op->in[0]];
    const fbnn_value_desc *y = &m->values[op->out];
    const fbnn_tensor_desc *p0 = op->n_param > 0 ? &m->tensors[op->param[0]] : NULL;
    const char *nm = fbnn_op_name(op->type);
    fbnn_status st;
    uint32_t j;

    switch (op->type) {
    case FBNN_OP_THERMOMETER: {
        int32_t r = op->attr[0], b = op->attr[1];
        if (r < 1 || r > 255) ATTR_FAIL("op %u (thermometer): resolution %d not in 1..255", i, r);
        if (b < 1 || b > 1024) ATTR_FAIL("op %u (thermometer): bits %d not in 1..1024", i, b);
        if (x->kind != FBNN_VK_U8 || y->kind != FBNN_VK_BITS)
            SHAPE_FAIL("op %u (thermometer): needs an 8-bit image in and packed bits out", i);
        if ((uint64_t)y->c != (uint64_t)x->c * (uint32_t)b || y->h != x->h || y->w != x->w)
            SHAPE_FAIL("op %u (thermometer): output %ux%ux%u, expected %llux%ux%u", i, y->c, y->h, y->w,
                       (unsigned long long)x->c * (uint32_t)b, x->h, x->w);
        return FBNN_OK;
    }
    case FBNN_OP_BCONV:
    case FBNN_OP_PGCONV: {
        int32_t k = op->attr[0], s = op->attr[1], p = op->attr[2];
        uint32_t want_in = op->type == FBNN_OP_BCONV ? FBNN_VK_BITS : FBNN_VK_Q2;
        if ((st = check_window_attrs(i, op, 1, err)) != FBNN_OK) return st;
        if (x->kind != want_in || y->kind != FBNN_VK_REAL)
            SHAPE_FAIL("op %u (%s): input must be %s and output real", i, nm,
                       want_in == FBNN_VK_BITS ? "packed bits" : "2-bit (Q2)");
        if (p0->dtype != FBNN_DT_BITS || p0->dims[1] != (uint32_t)k || p0->dims[2] != (uint32_t)k ||
            p0->dims[3] != x->c || p0->dims[0] != y->c)
            SHAPE_FAIL("op %u (%s): weight [%u,%u,%u,%u] does not fit %u->%u channels, kernel %d", i, nm,
                       p0->dims[0], p0->dims[1], p0->dims[2], p0->dims[3], x->c, y->c, k);
        /* |2*Sm + Sl| <= 3*k*k*Cin must be exact in f32 so that the PG
         * scaling is one correctly rounded division of an exact integer. */
        if (3u * (uint64_t)k * k * x->c >= ((uint64_t)1 << 24))
            SHAPE_FAIL("op %u (%s): 3*k*k*Cin >= 2^24, sums would not be exact in float", i, nm);
        if (y->h != (uint32_t)out_size(x->h, k, s, p) || y->w != (uint32_t)out_size(x->w, k, s, p))
            SHAPE_FAIL("op %u (%s): output %ux%u, expected %dx%d", i, nm, y->h, y->w,
                       out_size(x->h, k, s, p), out_size(x->w, k, s, p));
        if (op->type == FBNN_OP_PGCONV && !is_f32_vec(&m->tensors[op->param[1]], y->c))
            SHAPE_FAIL("op %u (pgconv): threshold must be %u floats", i, y->c);
        return FBNN_OK;
    }
    case FBNN_OP_AFFINE:
    case FBNN_OP_RPRELU:
    case FBNN_OP_ADD:
    case FBNN_OP_QUANT_UNIFORM:
        if (x->kind != FBNN_VK_REAL || y->kind != FBNN_VK_REAL || y->c != x->c || y->h != x->h ||
            y->w != x->w)
            SHAPE_FAIL("op %u (%s): input and output must be real maps of the same shape", i, nm);
        for (j = 0; j < op->n_param && op->type != FBNN_OP_QUANT_UNIFORM; j++)
            if (!is_f32_vec(&m->tensors[op->param[j]], x->c))
                SHAPE_FAIL("op %u (%s): parameter %u must be %u floats", i, nm, j, x->c);
        if (op->type == FBNN_OP_ADD) {
            const fbnn_value_desc *x1 = &m->values[op->in[1]];
            if (x1->kind != FBNN_VK_REAL || x1->c != x->c || x1->h != x->h || x1->w != x->w)
                SHAPE_FAIL("op %u (add): operands differ in shape", i);
        }
        if (op->type == FBNN_OP_QUANT_UNIFORM) {
            float r[2];
            if (op->attr[0] < 1 || op->attr[0] > 16)
                ATTR_FAIL("op %u (quant_uniform): bits %d not in 1..16", i, op->attr[0]);
            if (!is_f32_vec(p0, 2)) SHAPE_FAIL("op %u (quant_uniform): range must be 2 floats", i);
            memcpy(r, p0->data, sizeof r);
            if (!(r[0] < r[1])) ATTR_FAIL("op %u (quant_uniform): range needs lo < hi", i);
            {
                /* The kernel's own preconditions: hi - lo finite, step > 0. */
                float span = r[1] - r[0], step = span / (float)((1 << op->attr[0]) - 1);
                if (!(span - span == 0.0f) || !(step > 0.0f))
                    ATTR_FAIL("op %u (quant_uniform): range [%g, %g] gives no finite, non-zero %d-bit step", i,
                              (double)r[0], (double)r[1], op->attr[0]);
            }
        }
        return FBNN_OK;
    case FBNN_OP_AVGPOOL:
    case FBNN_OP_MAXPOOL: {
        int is_max = op->type == FBNN_OP_MAXPOOL;
        int32_t k = op->attr[0], s = op->attr[1], p = is_max ? op->attr[2] : 0;
        uint64_t dup = is_max ? 1 : (uint64_t)op->attr[2];
        if ((st = check_window_attrs(i, op, is_max, err)) != FBNN_OK) return st;
        if (!is_max && (op->attr[2] < 1 || op->attr[2] > 16))
            ATTR_FAIL("op %u (avgpool): duplication %d not in 1..16", i, op->attr[2]);
        if (is_max ? (x->kind != FBNN_VK_REAL && x->kind != FBNN_VK_BITS) || y->kind != x->kind
                   : x->kind != FBNN_VK_REAL || y->kind != FBNN_VK_REAL)
            SHAPE_FAIL("op %u (%s): unsupported input/output kinds", i, nm);
        if (y->c != x->c * dup || y->h != (uint32_t)out_size(x->h, k, s, p) ||
            y->w != (uint32_t)out_size(x->w, k, s, p))
            SHAPE_FAIL("op %u (%s): output %ux%ux%u does not match the window", i, nm, y->c, y->h, y->w);
        return FBNN_OK;
    }
    case FBNN_OP_GLOBAL_AVGPOOL:
        if (x->kind != FBNN_VK_REAL || y->kind != FBNN_VK_REAL || y->c != x->c || y->h != 1 || y->w != 1)
            SHAPE_FAIL("op %u (global_avgpool): output must be real [%u,1,1]", i, x->c);
        return FBNN_OK;
    case FBNN_OP_FC: {
        uint64_t n_in = (uint64_t)x->c * x->h * x->w;
        const fbnn_tensor_desc *b = &m->tensors[op->param[1]];
        if (x->kind != FBNN_VK_REAL || y->kind != FBNN_VK_REAL || y->h != 1 || y->w != 1)
            SHAPE_FAIL("op %u (fc): needs a real input and a real [N,1,1] output", i);
        if (p0->dtype != FBNN_DT_F32 || p0->ndim != 2 || p0->dims[0] != y->c || p0->dims[1] != n_in)
            SHAPE_FAIL("op %u (fc): weight must be [%u,%llu] floats", i, y->c, (unsigned long long)n_in);
        if (!is_f32_vec(b, y->c)) SHAPE_FAIL("op %u (fc): bias must be %u floats", i, y->c);
        return FBNN_OK;
    }
    case FBNN_OP_QUANT2:
    case FBNN_OP_SIGN: {
        uint32_t want = op->type == FBNN_OP_QUANT2 ? FBNN_VK_Q2 : FBNN_VK_BITS;
        if (x->kind != FBNN_VK_REAL || y->kind != want || y->c != x->c || y->h != x->h || y->w != x->w)
            SHAPE_FAIL("op %u (%s): output must have the input's shape", i, nm);
        return FBNN_OK;
    }
    case FBNN_OP_CONCAT: {
        uint64_t c = 0;
        for (j = 0; j < op->n_in; j++) {
            const fbnn_value_desc *xj = &m->values[op->in[j]];
            if (xj->kind != FBNN_VK_REAL || xj->h != x->h || xj->w != x->w)
                SHAPE_FAIL("op %u (concat): input %u is not a real map of %ux%u", i, j, x->h, x->w);
            c += xj->c;
        }
        if (y->kind != FBNN_VK_REAL || y->c != c || y->h != x->h || y->w != x->w)
            SHAPE_FAIL("op %u (concat): output must be real [%llu,%u,%u]", i, (unsigned long long)c, x->h,
                       x->w);
        return FBNN_OK;
    }
    default:
        return fbnn_fail(err, FBNN_ERR_OP, "op %u: unknown type %u", i, op->type);
    }
}

int fbnn_op_arity_ok(const fbnn_op_desc *op)
{
    return op->type >= 1 && op->type <= FBNN_OP_MAX_TYPE && op->n_in >= op_arity[op->type].in_min &&
           op->n_in <= op_arity[op->type].in_max && op->n_param == op_arity[op->type].n_param &&
           op->n_attr == op_arity[op->type].n_attr;
}
