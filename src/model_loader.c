/**
 * @file model_loader.c
 * @brief The only code that parses bytes from outside: .fbnn validation.
 *
 * Order of checks (models/FORMAT.md section 3): size and magic, version,
 * declared size, checksum (before any table is trusted), header layout,
 * tensors, values, ops (counts, indices, attributes, shapes), graph, meta.
 * Every read is bounds-checked against the buffer with 64-bit arithmetic.
 * The per-op-type rules (arity, attributes, shapes) come from the op
 * registry (ops.c); descriptor memory from model_mem.c; the arena plan and
 * the context size from planner.c: all below this file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/dispatch.h"
#include "model_internal.h"
#include "ops.h"

#define HEADER_SIZE 64u
#define TENSOR_ENTRY 32u
#define VALUE_ENTRY 16u
#define OP_ENTRY 96u
#define META_SIZE 64u
#define MAX_COUNT 65536u

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }

static int host_is_little_endian(void)
{
    const uint32_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

/* Region [off, off+size) inside [0, file) ; returns 1 if ok. */
static int in_file(uint64_t off, uint64_t size, uint64_t file) { return off <= file && size <= file - off; }

static int overlaps(uint64_t a, uint64_t an, uint64_t b, uint64_t bn)
{
    return an && bn && a < b + bn && b < a + an;
}

/* ---------------------------------------------------------------- tensors */
static fbnn_status load_tensors(struct fbnn_model *m, uint32_t off, uint32_t data_off,
                                uint32_t data_size, fbnn_error *err)
{
    uint32_t i, d;
    for (i = 0; i < m->n_tensors; i++) {
        const uint8_t *e = m->buf + off + (size_t)i * TENSOR_ENTRY;
        fbnn_tensor_desc *t = &m->tensors[i];
        uint64_t count = 1, expect, toff;
        t->dtype = rd32(e);
        t->ndim = rd32(e + 4);
        for (d = 0; d < 4; d++) t->dims[d] = rd32(e + 8 + 4 * d);
        toff = rd32(e + 24);
        t->nbytes = rd32(e + 28);
        if (t->dtype < FBNN_DT_F32 || t->dtype > FBNN_DT_I32)
            return fbnn_fail(err, FBNN_ERR_TENSOR, "tensor %u: unknown dtype %u", i, t->dtype);
        if (t->ndim < 1 || t->ndim > 4)
            return fbnn_fail(err, FBNN_ERR_TENSOR, "tensor %u: ndim %u not in 1..4", i, t->ndim);
        for (d = 0; d < 4; d++) {
            if (t->dims[d] < 1 || t->dims[d] > 65535u || (d >= t->ndim && t->dims[d] != 1))
                return fbnn_fail(err, FBNN_ERR_TENSOR, "tensor %u: dim %u = %u out of range", i, d,
                                 t->dims[d]);
            count *= t->dims[d];
        }
        if (t->dtype == FBNN_DT_BITS) {
            if (t->ndim != 4)
                return fbnn_fail(err, FBNN_ERR_TENSOR, "tensor %u: packed weights need 4 dims", i);
            expect = (uint64_t)t->dims[0] * t->dims[1] * t->dims[2] * ((t->dims[3] + 31u) / 32u) * 4u;
        } else if (count > 0xFFFFFFFFu / 4u) {
            /* nbytes is a u32; also keeps 4*count from wrapping 64 bits. */
            return fbnn_fail(err, FBNN_ERR_TENSOR, "tensor %u: %llu elements do not fit in nbytes", i,
                             (unsigned long long)count);
        } else {
            expect = count * 4u;
        }
        if (expect != t->nbytes)
            return fbnn_fail(err, FBNN_ERR_TENSOR, "tensor %u: nbytes %u, expected %llu for its dims",
                             i, t->nbytes, (unsigned long long)expect);
        if (toff % 64u != 0)
            return fbnn_fail(err, FBNN_ERR_TENSOR, "tensor %u: offset %llu not 64-byte aligned", i,
                             (unsigned long long)toff);
        if (toff < data_off || !in_file(toff - data_off, t->nbytes, data_size))
            return fbnn_fail(err, FBNN_ERR_TENSOR, "tensor %u: payload [%llu, +%u) outside the data region",
                             i, (unsigned long long)toff, t->nbytes);
        t->data = m->buf + toff;
        m->weight_bytes += t->nbytes;
        if (t->dtype == FBNN_DT_BITS) {
            /* Padding bits above C_in in each tap's last word must be 0:
             * the popcount kernels rely on it. */
            uint32_t ci = t->dims[3], words = (ci + 31u) / 32u, rem = ci % 32u;
            if (rem) {
                uint64_t taps = (uint64_t)t->dims[0] * t->dims[1] * t->dims[2], k;
                uint32_t mask = ~((1u << rem) - 1u);
                const uint8_t *p = (const uint8_t *)t->data;
                for (k = 0; k < taps; k++)
                    if (rd32(p + (k * words + words - 1) * 4u) & mask)
                        return fbnn_fail(err, FBNN_ERR_TENSOR,
                                         "tensor %u: padding bits above channel %u are not zero", i, ci);
            }
        } else if (t->dtype == FBNN_DT_F32) {
            const uint8_t *p = (const uint8_t *)t->data;
            uint64_t k;
            for (k = 0; k < count; k++)
                if ((rd32(p + k * 4u) & 0x7F800000u) == 0x7F800000u)
                    return fbnn_fail(err, FBNN_ERR_TENSOR, "tensor %u: element %llu is NaN or Inf", i,
                                     (unsigned long long)k);
        }
    }
    return FBNN_OK;
}

/* ----------------------------------------------------------------- values */
static fbnn_status load_values(struct fbnn_model *m, uint32_t off, fbnn_error *err)
{
    uint32_t i;
    for (i = 0; i < m->n_values; i++) {
        const uint8_t *e = m->buf + off + (size_t)i * VALUE_ENTRY;
        fbnn_value_desc *v = &m->values[i];
        v->kind = rd32(e);
        v->c = rd32(e + 4);
        v->h = rd32(e + 8);
        v->w = rd32(e + 12);
        if (v->kind < FBNN_VK_U8 || v->kind > FBNN_VK_Q2)
            return fbnn_fail(err, FBNN_ERR_VALUE, "value %u: unknown kind %u", i, v->kind);
        if (v->c < 1 || v->c > 65535u || v->h < 1 || v->h > 65535u || v->w < 1 || v->w > 65535u)
            return fbnn_fail(err, FBNN_ERR_VALUE, "value %u: shape %ux%ux%u out of range", i, v->c,
                             v->h, v->w);
        v->bytes = fbnn_value_bytes(v->kind, v->c, v->h, v->w);
        if (v->bytes == 0)
            return fbnn_fail(err, FBNN_ERR_VALUE, "value %u: %ux%ux%u is larger than 1 GiB", i, v->c,
                             v->h, v->w);
    }
    if (m->values[0].kind != FBNN_VK_U8)
        return fbnn_fail(err, FBNN_ERR_VALUE, "value 0 (the input) must be an 8-bit image");
    return FBNN_OK;
}

/* -------------------------------------------------------------------- ops */
static fbnn_status load_ops(struct fbnn_model *m, uint32_t off, fbnn_error *err)
{
    uint32_t i, j;
    fbnn_status st;
    size_t mark = m->ws_used; /* workspace scratch is returned by restoring the mark */
    unsigned char *defined = (unsigned char *)fbnn_model_alloc(m, m->n_values, 1);
    if (!defined) return fbnn_fail(err, FBNN_ERR_NOMEM, "out of memory validating ops");
    defined[0] = 1;
    for (i = 0; i < m->n_ops; i++) {
        const uint8_t *e = m->buf + off + (size_t)i * OP_ENTRY;
        fbnn_op_desc *op = &m->ops[i];
        op->type = rd32(e);
        op->n_in = rd32(e + 4);
        for (j = 0; j < FBNN_MAX_IN; j++) op->in[j] = rd32(e + 8 + 4 * j);
        op->out = rd32(e + 24);
        op->n_param = rd32(e + 28);
        for (j = 0; j < FBNN_MAX_PARAM; j++) op->param[j] = rd32(e + 32 + 4 * j);
        op->n_attr = rd32(e + 56);
        for (j = 0; j < FBNN_MAX_ATTR; j++) op->attr[j] = (int32_t)rd32(e + 60 + 4 * j);
        st = FBNN_OK;
        if (!fbnn_op_row_of(op->type)) {
            st = fbnn_fail(err, FBNN_ERR_OP, "op %u: unknown type %u", i, op->type);
        } else if (!fbnn_op_arity_ok(op)) {
            st = fbnn_fail(err, FBNN_ERR_OP, "op %u (%s): %u inputs, %u params, %u attrs is not its arity",
                           i, fbnn_op_name(op->type), op->n_in, op->n_param, op->n_attr);
        } else if (rd32(e + 92) != 0) {
            st = fbnn_fail(err, FBNN_ERR_OP, "op %u: reserved field is not zero", i);
        }
        for (j = 0; st == FBNN_OK && j < FBNN_MAX_IN; j++) {
            if (j >= op->n_in) {
                if (op->in[j] != 0) st = fbnn_fail(err, FBNN_ERR_OP, "op %u: unused input slot %u not 0", i, j);
            } else if (op->in[j] >= m->n_values) {
                st = fbnn_fail(err, FBNN_ERR_OP, "op %u: input value %u out of range (%u values)", i,
                               op->in[j], m->n_values);
            } else if (!defined[op->in[j]]) {
                st = fbnn_fail(err, FBNN_ERR_GRAPH, "op %u: reads value %u before it is produced", i, op->in[j]);
            }
        }
        for (j = 0; st == FBNN_OK && j < FBNN_MAX_PARAM; j++) {
            if (j >= op->n_param ? op->param[j] != 0 : op->param[j] >= m->n_tensors)
                st = fbnn_fail(err, FBNN_ERR_OP, "op %u: parameter slot %u holds invalid tensor %u", i, j,
                               op->param[j]);
        }
        for (j = op->n_attr; st == FBNN_OK && j < FBNN_MAX_ATTR; j++)
            if (op->attr[j] != 0) st = fbnn_fail(err, FBNN_ERR_OP, "op %u: unused attribute %u not 0", i, j);
        if (st == FBNN_OK) {
            if (op->out >= m->n_values)
                st = fbnn_fail(err, FBNN_ERR_OP, "op %u: output value %u out of range", i, op->out);
            else if (defined[op->out])
                st = fbnn_fail(err, FBNN_ERR_GRAPH, "op %u: value %u is produced twice (or is the input)", i,
                               op->out);
        }
        if (st == FBNN_OK) st = fbnn_check_op_shapes(m, i, op, err);
        if (st != FBNN_OK) {
            fbnn_model_release(m, defined);
            return st;
        }
        defined[op->out] = 1;
    }
    for (j = 0; j < m->n_values; j++)
        if (!defined[j]) {
            fbnn_model_release(m, defined);
            return fbnn_fail(err, FBNN_ERR_GRAPH, "value %u is never produced", j);
        }
    fbnn_model_release(m, defined);
    if (m->in_ws) m->ws_used = mark;
    return FBNN_OK;
}

/* ------------------------------------------------------------------- meta */
static fbnn_status check_string_region(uint32_t off, uint32_t size, uint32_t data_off, uint32_t data_size)
{
    return off >= data_off && size > 0 && in_file((uint64_t)off - data_off, size, data_size) ? FBNN_OK
                                                                                             : FBNN_ERR_META;
}

static fbnn_status load_meta(struct fbnn_model *m, uint32_t off, uint32_t data_off, uint32_t data_size,
                             fbnn_error *err)
{
    const uint8_t *e = m->buf + off;
    uint32_t labels_off = rd32(e + 12), labels_size = rd32(e + 16);
    uint32_t name_off = rd32(e + 20), name_size = rd32(e + 24), j, n;
    const fbnn_value_desc *out;
    const char *s, *end;
    m->input_value = rd32(e);
    m->output_value = rd32(e + 4);
    m->n_classes = rd32(e + 8);
    m->colour = rd32(e + 28);
    m->resize_mode = rd32(e + 32);
    m->invert = rd32(e + 36);
    if (m->input_value != 0) return fbnn_fail(err, FBNN_ERR_META, "meta: input value must be 0");
    if (m->output_value >= m->n_values)
        return fbnn_fail(err, FBNN_ERR_META, "meta: output value %u out of range", m->output_value);
    out = &m->values[m->output_value];
    if (m->n_classes < 1 || m->n_classes > 65535u)
        return fbnn_fail(err, FBNN_ERR_META, "meta: %u classes", m->n_classes);
    if (out->kind != FBNN_VK_REAL || out->c != m->n_classes || out->h != 1 || out->w != 1)
        return fbnn_fail(err, FBNN_ERR_META, "meta: output value %u is not real [%u,1,1]", m->output_value,
                         m->n_classes);
    if (m->colour != m->values[0].c)
        return fbnn_fail(err, FBNN_ERR_META, "meta: colour %u does not match the input's %u channels",
                         m->colour, m->values[0].c);
    if (m->resize_mode > 2 || m->invert > 1)
        return fbnn_fail(err, FBNN_ERR_META, "meta: resize mode %u / invert %u invalid", m->resize_mode,
                         m->invert);
    for (j = 40; j < META_SIZE; j += 4)
        if (rd32(e + j) != 0) return fbnn_fail(err, FBNN_ERR_META, "meta: reserved field at %u not 0", j);
    if (check_string_region(labels_off, labels_size, data_off, data_size) != FBNN_OK)
        return fbnn_fail(err, FBNN_ERR_META, "meta: labels [%u, +%u) outside the data region", labels_off,
                         labels_size);
    if (check_string_region(name_off, name_size, data_off, data_size) != FBNN_OK)
        return fbnn_fail(err, FBNN_ERR_META, "meta: name [%u, +%u) outside the data region", name_off,
                         name_size);
    if (m->buf[name_off + name_size - 1] != 0 || memchr(m->buf + name_off, 0, name_size) !=
                                                     (const void *)(m->buf + name_off + name_size - 1))
        return fbnn_fail(err, FBNN_ERR_META, "meta: name is not one NUL-terminated string");
    m->name = (const char *)(m->buf + name_off);
    s = (const char *)(m->buf + labels_off);
    end = s + labels_size;
    for (n = 0; n < m->n_classes; n++) {
        const char *z = (const char *)memchr(s, 0, (size_t)(end - s));
        if (!z) return fbnn_fail(err, FBNN_ERR_META, "meta: label %u is not NUL-terminated", n);
        if (z == s) return fbnn_fail(err, FBNN_ERR_META, "meta: label %u is empty", n);
        m->labels[n] = s;
        s = z + 1;
    }
    if (s != end)
        return fbnn_fail(err, FBNN_ERR_META, "meta: labels block has %u bytes after %u labels",
                         (unsigned)(end - s), m->n_classes);
    return FBNN_OK;
}

/* ----------------------------------------------------------------- header */
static fbnn_status parse(struct fbnn_model *m, fbnn_error *err)
{
    const uint8_t *b = m->buf;
    uint64_t size = m->size;
    uint32_t file_size, t_off, v_off, o_off, meta_off, meta_size, d_off, d_size;
    uint64_t regions[5][2];
    size_t desc_bytes;
    uint16_t vmaj;
    int i, j;
    fbnn_status st;

    if (size == 0) return fbnn_fail(err, FBNN_ERR_TRUNCATED, "model is empty (0 bytes)");
    if (size < 4 || memcmp(b, "FBNN", 4) != 0) {
        if (size < 4 && memcmp(b, "FBNN", (size_t)size) == 0)
            return fbnn_fail(err, FBNN_ERR_TRUNCATED, "model is only %llu bytes (header needs 64)",
                             (unsigned long long)size);
        return fbnn_fail(err, FBNN_ERR_MAGIC, "not a .fbnn model: magic is not \"FBNN\"");
    }
    if (size < HEADER_SIZE)
        return fbnn_fail(err, FBNN_ERR_TRUNCATED, "model is only %llu bytes (header needs 64)",
                         (unsigned long long)size);
    vmaj = rd16(b + 4);
    if (vmaj != 1)
        return fbnn_fail(err, FBNN_ERR_VERSION, "format version %u.%u, this library reads 1.x", vmaj,
                         rd16(b + 6));
    file_size = rd32(b + 8);
    if ((uint64_t)file_size > size)
        return fbnn_fail(err, FBNN_ERR_TRUNCATED, "model truncated: %llu of %u bytes present",
                         (unsigned long long)size, file_size);
    if ((uint64_t)file_size < size)
        return fbnn_fail(err, FBNN_ERR_HEADER, "model has %llu bytes but its header declares %u",
                         (unsigned long long)size, file_size);
    if (fbnn_crc32(b + 16, (size_t)(size - 16)) != rd32(b + 12))
        return fbnn_fail(err, FBNN_ERR_CHECKSUM,
                         "checksum mismatch (corrupt file): stored 0x%08x, computed 0x%08x", rd32(b + 12),
                         fbnn_crc32(b + 16, (size_t)(size - 16)));
    if (rd32(b + 16) != HEADER_SIZE || rd32(b + 20) != 0)
        return fbnn_fail(err, FBNN_ERR_HEADER, "header size %u / flags 0x%x invalid", rd32(b + 16),
                         rd32(b + 20));
    m->n_tensors = rd32(b + 24);
    t_off = rd32(b + 28);
    m->n_values = rd32(b + 32);
    v_off = rd32(b + 36);
    m->n_ops = rd32(b + 40);
    o_off = rd32(b + 44);
    meta_off = rd32(b + 48);
    meta_size = rd32(b + 52);
    d_off = rd32(b + 56);
    d_size = rd32(b + 60);
    if (m->n_tensors > MAX_COUNT || m->n_values < 1 || m->n_values > MAX_COUNT || m->n_ops < 1 ||
        m->n_ops > MAX_COUNT)
        return fbnn_fail(err, FBNN_ERR_HEADER, "table counts out of range: %u tensors, %u values, %u ops",
                         m->n_tensors, m->n_values, m->n_ops);
    if (meta_size != META_SIZE) return fbnn_fail(err, FBNN_ERR_HEADER, "meta size %u, expected 64", meta_size);
    if ((t_off | v_off | o_off | meta_off) % 4u != 0 || d_off % 64u != 0)
        return fbnn_fail(err, FBNN_ERR_HEADER, "table offsets misaligned");
    regions[0][0] = t_off;    regions[0][1] = (uint64_t)m->n_tensors * TENSOR_ENTRY;
    regions[1][0] = v_off;    regions[1][1] = (uint64_t)m->n_values * VALUE_ENTRY;
    regions[2][0] = o_off;    regions[2][1] = (uint64_t)m->n_ops * OP_ENTRY;
    regions[3][0] = meta_off; regions[3][1] = META_SIZE;
    regions[4][0] = d_off;    regions[4][1] = d_size;
    for (i = 0; i < 5; i++) {
        static const char *const what[] = {"tensor table", "value table", "op table", "meta block",
                                           "data region"};
        if (regions[i][0] < HEADER_SIZE || !in_file(regions[i][0], regions[i][1], size))
            return fbnn_fail(err, FBNN_ERR_HEADER, "%s [%llu, +%llu) outside the file", what[i],
                             (unsigned long long)regions[i][0], (unsigned long long)regions[i][1]);
        for (j = 0; j < i; j++)
            if (overlaps(regions[i][0], regions[i][1], regions[j][0], regions[j][1]))
                return fbnn_fail(err, FBNN_ERR_HEADER, "%s overlaps the %s", what[i], what[j]);
    }

    desc_bytes = (size_t)m->n_tensors * sizeof(fbnn_tensor_desc) + (size_t)m->n_values * sizeof(fbnn_value_desc) +
                 (size_t)m->n_ops * sizeof(fbnn_op_desc);
    m->desc_block = fbnn_model_alloc(m, 1, desc_bytes + sizeof(fbnn_tensor_desc));
    if (!m->desc_block) return fbnn_fail(err, FBNN_ERR_NOMEM, "out of memory for model descriptors");
    /* Most strictly aligned first: tensor and value descriptors hold
     * pointers/size_t (8-byte alignment), op descriptors only u32/i32. */
    m->tensors = (fbnn_tensor_desc *)m->desc_block;
    m->values = (fbnn_value_desc *)(m->tensors + m->n_tensors);
    m->ops = (fbnn_op_desc *)(m->values + m->n_values);

    if ((st = load_tensors(m, t_off, d_off, d_size, err)) != FBNN_OK) return st;
    if ((st = load_values(m, v_off, err)) != FBNN_OK) return st;
    if ((st = load_ops(m, o_off, err)) != FBNN_OK) return st;
    {
        uint32_t n_classes = rd32(b + meta_off + 8);
        if (n_classes < 1 || n_classes > 65535u)
            return fbnn_fail(err, FBNN_ERR_META, "meta: %u classes", n_classes);
        m->labels = (const char **)fbnn_model_alloc(m, n_classes, sizeof(char *));
        if (!m->labels) return fbnn_fail(err, FBNN_ERR_NOMEM, "out of memory for labels");
    }
    if ((st = load_meta(m, meta_off, d_off, d_size, err)) != FBNN_OK) return st;
    if (fbnn_plan_arena(m) != 0)
        return fbnn_fail(err, FBNN_ERR_VALUE, "activations need more memory than this platform can address");
    fbnn_plan_fusion(m);
    if (!m->in_ws) {
        /* Weight copies in the layouts read by the kernel set a new context
         * takes (one CPU detection for both plans). That set honours
         * FBNN_FORCE_SCALAR and FBNN_ISA, so a process forced to the
         * reference kernels makes no copies it would never read; a context
         * later switched to a SIMD set without them runs that set's
         * unblocked paths (same results). */
        fbnn_kernel_table best;
        fbnn_kernel_table_init(&best, 0);
        fbnn_plan_fc_panels(m, &best);
        fbnn_plan_conv_blocks(m, &best);
    }
    return FBNN_OK;
}

static fbnn_status finish(struct fbnn_model *m, const fbnn_load_options *opt, fbnn_model **out,
                          fbnn_error *err)
{
    fbnn_status st = parse(m, err);
    /* The arena is planned but not allocated yet: refuse before any context exists. */
    if (st == FBNN_OK && opt && opt->max_context_bytes &&
        fbnn_context_size_for(m) > opt->max_context_bytes)
        st = fbnn_fail(err, FBNN_ERR_LIMIT, "a context needs %llu bytes, over the limit of %llu",
                       (unsigned long long)fbnn_context_size_for(m),
                       (unsigned long long)opt->max_context_bytes);
    if (st != FBNN_OK) {
        fbnn_model_free(m);
        return st;
    }
    if (err) {
        err->status = FBNN_OK;
        err->message[0] = 0;
    }
    *out = m;
    return FBNN_OK;
}

static fbnn_status over_model_cap(const fbnn_load_options *opt, uint64_t size, fbnn_error *err)
{
    if (!opt || !opt->max_model_bytes || size <= opt->max_model_bytes) return FBNN_OK;
    return fbnn_fail(err, FBNN_ERR_LIMIT, "model is %llu bytes, over the limit of %llu",
                     (unsigned long long)size, (unsigned long long)opt->max_model_bytes);
}

fbnn_status fbnn_model_load_memory(const void *data, size_t size, fbnn_model **out, fbnn_error *err)
{
    return fbnn_model_load_memory_ex(data, size, NULL, out, err);
}

fbnn_status fbnn_model_load_memory_ex(const void *data, size_t size, const fbnn_load_options *opt,
                                      fbnn_model **out, fbnn_error *err)
{
    struct fbnn_model *m;
    fbnn_status st;
    if (out) *out = NULL;
    if (!out || (!data && size))
        return fbnn_fail(err, FBNN_ERR_ARG, "fbnn_model_load_memory: NULL argument");
    if ((st = over_model_cap(opt, size, err)) != FBNN_OK) return st;
    if (!host_is_little_endian())
        return fbnn_fail(err, FBNN_ERR_UNSUPPORTED, "in-place models need a little-endian host");
    if (((uintptr_t)data & 3u) != 0)
        return fbnn_fail(err, FBNN_ERR_ALIGNMENT, "model buffer %p is not 4-byte aligned", data);
    m = (struct fbnn_model *)calloc(1, sizeof *m);
    if (!m) return fbnn_fail(err, FBNN_ERR_NOMEM, "out of memory");
    m->buf = (const uint8_t *)data;
    m->size = size;
    return finish(m, opt, out, err);
}

fbnn_status fbnn_model_load_file(const char *path, fbnn_model **out, fbnn_error *err)
{
    return fbnn_model_load_file_ex(path, NULL, out, err);
}

#if defined(FBNN_NO_FILE_IO)
/* Bare-metal build (CMake FBNN_FILE_IO=OFF): no stdio; models come from
 * memory or flash (fbnn_model_load_memory(), fbnn_model_load_static()). */
fbnn_status fbnn_model_load_file_ex(const char *path, const fbnn_load_options *opt, fbnn_model **out,
                                    fbnn_error *err)
{
    (void)opt;
    if (out) *out = NULL;
    return fbnn_fail(err, FBNN_ERR_UNSUPPORTED, "%s: this build has no file I/O (FBNN_FILE_IO=OFF)",
                     path ? path : "(null)");
}
#else
/* The OS reason of a failed stdio call, for error messages. */
static const char *os_reason(int e) { return e ? strerror(e) : "unknown error"; }

fbnn_status fbnn_model_load_file_ex(const char *path, const fbnn_load_options *opt, fbnn_model **out,
                                    fbnn_error *err)
{
    struct fbnn_model *m;
    FILE *f;
    long len;
    size_t cap;
    fbnn_status st;
    if (out) *out = NULL;
    if (!path || !out) return fbnn_fail(err, FBNN_ERR_ARG, "fbnn_model_load_file: NULL argument");
    if (!host_is_little_endian())
        return fbnn_fail(err, FBNN_ERR_UNSUPPORTED, "models need a little-endian host");
    /* I/O messages: "PATH: what failed: OS reason" (strerror(errno)). */
    errno = 0;
    f = fopen(path, "rb");
    if (!f) return fbnn_fail(err, FBNN_ERR_IO, "%s: cannot open: %s", path, os_reason(errno));
    if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        int e = errno;
        fclose(f);
        return fbnn_fail(err, FBNN_ERR_IO, "%s: cannot determine the size: %s", path, os_reason(e));
    }
    /* A directory opens on Linux and reports a huge size; reading fails. */
    errno = 0;
    if (len > 0 && (getc(f) == EOF || fseek(f, 0, SEEK_SET) != 0)) {
        int e = errno;
        fclose(f);
        return fbnn_fail(err, FBNN_ERR_IO, "%s: cannot read: %s", path,
                         e ? strerror(e) : "not a regular file?");
    }
    if ((unsigned long)len > 0xFFFFFFFFul) {
        fclose(f);
        return fbnn_fail(err, FBNN_ERR_HEADER, "%s: larger than 4 GiB", path);
    }
    if ((st = over_model_cap(opt, (uint64_t)len, err)) != FBNN_OK) {
        fclose(f);
        return st;
    }
    m = (struct fbnn_model *)calloc(1, sizeof *m);
    cap = ((size_t)len + 63u) / 64u * 64u + 64u;
    if (m) m->owned_buf = malloc(cap + 64u);
    if (!m || !m->owned_buf) {
        fclose(f);
        free(m);
        return fbnn_fail(err, FBNN_ERR_NOMEM, "%s: out of memory for %ld bytes", path, len);
    }
    /* 64-byte align the copy so weights are aligned as in ROM. */
    m->buf = (const uint8_t *)m->owned_buf + ((64u - ((uintptr_t)m->owned_buf & 63u)) & 63u);
    m->size = (size_t)len;
    errno = 0;
    if (len > 0 && fread((void *)m->buf, 1, (size_t)len, f) != (size_t)len) {
        int e = errno;
        fclose(f);
        fbnn_model_free(m);
        return fbnn_fail(err, FBNN_ERR_IO, "%s: read error: %s", path, os_reason(e));
    }
    fclose(f);
    return finish(m, opt, out, err);
}
#endif /* FBNN_NO_FILE_IO */

/* Upper bound of the workspace fbnn_model_load_static() uses, from the header
 * counts alone (0 if the header cannot be read; the load then says why). */
size_t fbnn_model_static_size(const void *data, size_t size)
{
    const uint8_t *b = (const uint8_t *)data;
    uint32_t n_t, n_v, n_o, meta_off, n_classes;
    size_t desc, scratch;
    if (!b || size < HEADER_SIZE || memcmp(b, "FBNN", 4) != 0) return 0;
    n_t = rd32(b + 24);
    n_v = rd32(b + 32);
    n_o = rd32(b + 40);
    meta_off = rd32(b + 48);
    if (n_t > MAX_COUNT || n_v > MAX_COUNT || n_o > MAX_COUNT || (uint64_t)meta_off + 12u > size) return 0;
    n_classes = rd32(b + meta_off + 8);
    if (n_classes > 65535u) return 0;
    desc = (size_t)n_t * sizeof(fbnn_tensor_desc) + (size_t)n_v * sizeof(fbnn_value_desc) +
           (size_t)n_o * sizeof(fbnn_op_desc) + sizeof(fbnn_tensor_desc);
    scratch = fbnn_plan_scratch_bytes(n_v);
    if ((size_t)n_v + 16u > scratch) scratch = (size_t)n_v + 16u; /* op validation's flags */
    /* 16-byte alignment slack per block, and for the workspace base. */
    /* + the fusion plan (n_ops bytes, fuse.c); its scratch fits the planner's. */
    return sizeof(struct fbnn_model) + desc + (size_t)n_classes * sizeof(char *) + (size_t)n_o + scratch +
           7u * 16u;
}

fbnn_status fbnn_model_load_static(const void *data, size_t size, void *memory, size_t memory_size,
                                   fbnn_model **out, fbnn_error *err)
{
    struct fbnn_model *m;
    uintptr_t base;
    size_t need;
    if (out) *out = NULL;
    if (!out || !memory || (!data && size))
        return fbnn_fail(err, FBNN_ERR_ARG, "fbnn_model_load_static: NULL argument");
    if (!host_is_little_endian())
        return fbnn_fail(err, FBNN_ERR_UNSUPPORTED, "in-place models need a little-endian host");
    if (((uintptr_t)data & 3u) != 0)
        return fbnn_fail(err, FBNN_ERR_ALIGNMENT, "model buffer %p is not 4-byte aligned", data);
    need = fbnn_model_static_size(data, size);
    if (need != 0 && memory_size < need)
        return fbnn_fail(err, FBNN_ERR_BUFFER_SIZE, "descriptor memory: %llu bytes given, %llu needed",
                         (unsigned long long)memory_size, (unsigned long long)need);
    base = ((uintptr_t)memory + 15u) & ~(uintptr_t)15u;
    if (memory_size < (size_t)(base - (uintptr_t)memory) + sizeof *m)
        return fbnn_fail(err, FBNN_ERR_BUFFER_SIZE, "descriptor memory: %llu bytes is too small",
                         (unsigned long long)memory_size);
    m = (struct fbnn_model *)base;
    memset(m, 0, sizeof *m);
    m->in_ws = 1;
    m->ws = (uint8_t *)memory;
    m->ws_cap = memory_size;
    m->ws_used = (size_t)(base - (uintptr_t)memory) + sizeof *m;
    m->buf = (const uint8_t *)data;
    m->size = size;
    return finish(m, NULL, out, err);
}
