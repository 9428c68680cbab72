/**
 * @file fuse.c
 * @brief Which elementwise ops fbnn_run() may run as one fused chain.
 *
 * Between two convolutions a FracBNN block runs AFFINE -> RPRELU -> ADD ->
 * AFFINE -> QUANT2 over the same [C][H][W] map. Which ops can be chain
 * steps (a non-zero chain_kind) and which may end a chain
 * (FBNN_OPF_CHAIN_END) is in their rows of the op registry (ops.c). With a chain kernel in the
 * context's table (fbnn_chain_fn), fbnn_run() runs such a run of ops in one
 * pass: each element makes one trip through the caches and values that only
 * the next op of the chain reads are never stored. The plan is structural
 * and made once per model, after the arena plan, in m->fuse[]:
 *   - fuse[i] & FBNN_FUSE_LEN: at the first op of a chain, its length (>= 2,
 *     the last op may be the QUANT2 that ends it); 0 elsewhere;
 *   - fuse[i] & FBNN_FUSE_STORE: op i's output is read outside its chain
 *     (or is the model output), so the fused kernel stores it.
 * A chain is only planned if no buffer it writes overlaps a buffer it
 * reads at an offset (the arena reuses dead buffers; exact in-place
 * coincidence is fine: fbnn_chain_fn reads each element before writing it).
 *   - fuse[i] & FBNN_FUSE_ABSORB: op i lies inside a chain but does not
 *     run: it is a QUANT_UNIFORM or a CONCAT of one map with itself whose
 *     output only an ADD later in the chain reads (the ImageNet blocks'
 *     shortcuts Q4(x) and cat(Q4(x), Q4(x))); the ADD step reads their
 *     input and applies them per element (fbnn_chain_step o_c, q_*), the
 *     same float operations. So a block's AFFINE -> RPRELU, shortcut,
 *     ADD -> AFFINE -> QUANT2 is one pass instead of four.
 *   - fuse[i] & FBNN_FUSE_QPOOL: op i is a QUANT_UNIFORM outside any chain
 *     whose output only the AVGPOOL i+1 reads (the ImageNet stride-2
 *     blocks' shortcut avgpool(Q4(x))): the pair may run as one quantising
 *     pool that never stores Q4(x) (the pool kernel's avgpool_q), if the
 *     pool's output does not overlap x (the pool may not write over its
 *     input, and x is its input then) and its rows are long (FBNN_QPOOL_MIN_WO).
 * Maps under FBNN_FUSE_MIN_BYTES are not fused: there the separate kernels
 * already work in L1 and the chain's per-channel step overhead costs more
 * than it saves (the kernel table's chain_min_bytes may raise the bar). Without the plan (allocation failed) every op runs alone.
 */
#include "model_internal.h"
#include "ops.h"

#define FBNN_FUSE_MIN_BYTES (16u * 1024u)

typedef struct range {
    size_t off, size;
} range;

static int is_step(uint32_t t) { return fbnn_op_row_of(t)->chain_kind != 0; }

static int is_chain_end(uint32_t t) { return (fbnn_op_row_of(t)->flags & FBNN_OPF_CHAIN_END) != 0; }

/* A step with a second map operand (ADD): it reads another buffer. */
static int is_binary_step(uint32_t t) { return fbnn_op_row_of(t)->chain_kind == FBNN_CHAIN_ADD; }

static int same_map(const fbnn_value_desc *a, const fbnn_value_desc *b)
{
    return a->kind == FBNN_VK_REAL && b->kind == FBNN_VK_REAL && a->c == b->c && a->h == b->h && a->w == b->w;
}

static int overlap(range a, range b) { return a.off < b.off + b.size && b.off < a.off + a.size; }

/* Op j may be absorbed into a later ADD of the chain being planned (first
 * op i): a QUANT_UNIFORM, or a CONCAT of one map with itself, whose output
 * has exactly one reading op (readers counts input slots: a CONCAT reads
 * its map twice), whose input was made before the chain (or by an op
 * absorbed already), and of the same spatial size as the chain's map. */
static int absorbable(const struct fbnn_model *m, uint32_t i, uint32_t j, const uint32_t *readers,
                      const uint32_t *producer, const uint8_t *store_out, const fbnn_value_desc *map)
{
    const fbnn_op_desc *op = &m->ops[j];
    const fbnn_value_desc *in = &m->values[op->in[0]], *out = &m->values[op->out];
    uint32_t k, src = op->in[0], p;
    if (op->type != FBNN_OP_QUANT_UNIFORM && op->type != FBNN_OP_CONCAT) return 0;
    if (in->kind != FBNN_VK_REAL || out->kind != FBNN_VK_REAL || in->h != map->h || in->w != map->w) return 0;
    if (op->out == m->output_value) return 0;
    if (op->type == FBNN_OP_CONCAT)
        for (k = 1; k < op->n_in; k++)
            if (op->in[k] != src) return 0;
    if (readers[op->out] != 1) {
        /* Only the duplicating CONCAT right after it reads it (once per slot). */
        const fbnn_op_desc *nx = j + 1 < m->n_ops ? &m->ops[j + 1] : NULL;
        if (op->type != FBNN_OP_QUANT_UNIFORM || nx == NULL || nx->type != FBNN_OP_CONCAT ||
            nx->n_in != readers[op->out])
            return 0;
        for (k = 0; k < nx->n_in; k++)
            if (nx->in[k] != op->out) return 0;
    }
    if (src == m->input_value) return 0;
    p = producer[src];
    if (p == UINT32_MAX) return 0;
    /* Made before the chain, or by an op of it that is absorbed itself. */
    return p < i || (p < j && store_out[p - i] == 2);
}

/* Length of the chain that can start at op i (0 or 1: none); store_out[k]
 * of its ops: 1 = stored, 2 = absorbed, 0 = neither. */
static uint32_t chain_at(const struct fbnn_model *m, uint32_t i, const uint32_t *readers, const uint32_t *producer,
                         uint8_t *store_out)
{
    range rd[2 * FBNN_FUSE_MAX + 2], wr[FBNN_FUSE_MAX + 2];
    uint32_t n_rd = 0, n_wr = 0, len = 0, cur, a, b, j, pending = 0, safe_len = 0;
    const fbnn_value_desc *map;
    if (!is_step(m->ops[i].type)) return 0;
    map = &m->values[m->ops[i].in[0]];
    /* Worth it only from 16 KiB maps: measured on Zen 3 with the register
     * chain kernel (fbnn bench, threshold 32 KiB vs none, the chain ops of
     * the six blocks summed): 32x16x16 (32 KiB) 24.9 -> 19.9 us fused, but
     * 64x8x8 (16 KiB, already in L1) 12.2 -> 14.1 us; after the AVX2 chain
     * dropped its general per-channel decode, 64x8x8 fused 12.9 -> 12.0 and
     * 12.99 -> 12.37 us (min of 6 and 8 interleaved runs). Kernel tables
     * may ask for bigger maps at run time (chain_min_bytes: the portable
     * and NEON chains keep 32 KiB). */
    if (map->bytes < FBNN_FUSE_MIN_BYTES) return 0;
    cur = m->ops[i].in[0]; /* the running value enters as the first input */
    if (cur == m->input_value) return 0;
    rd[n_rd].off = map->arena_off;
    rd[n_rd++].size = map->bytes;
    for (j = i; j < m->n_ops && len < FBNN_FUSE_MAX; j++) {
        const fbnn_op_desc *op = &m->ops[j];
        const fbnn_value_desc *out = &m->values[op->out];
        if (is_chain_end(op->type)) {
            /* The quantiser ends the chain; its input stays stored if others read it too. */
            if (len == 0 || op->in[0] != cur) break;
            if (out->kind != FBNN_VK_Q2 || out->c != map->c || out->h != map->h || out->w != map->w) break;
            wr[n_wr].off = out->arena_off;
            wr[n_wr++].size = out->bytes;
            store_out[len++] = 0; /* packed bits: written by the chain kernel itself */
            break;
        }
        if (!is_step(op->type) && absorbable(m, i, j, readers, producer, store_out, map)) {
            /* Runs inside the ADD that reads it; until that ADD is in the
             * chain, the chain may not end here. */
            store_out[len++] = 2;
            pending++;
            continue;
        }
        if (!is_step(op->type) || !same_map(out, map)) break;
        /* After the first op, the running value must feed this one (the
         * first op's input is `map` itself, REAL as same_map() checked). */
        if (j > i && op->in[0] != cur && !(is_binary_step(op->type) && op->in[1] == cur)) break;
        if (is_binary_step(op->type)) {
            uint32_t other = op->in[0] == cur ? op->in[1] : op->in[0], p, src = other;
            if (other == cur || other == m->input_value || !same_map(&m->values[other], map)) break;
            /* An absorbed shortcut: the ADD reads what its ops read. */
            while ((p = producer[src]) != UINT32_MAX && p >= i && p < j && store_out[p - i] == 2) {
                src = m->ops[p].in[0];
                pending--;
            }
            rd[n_rd].off = m->values[src].arena_off;
            rd[n_rd++].size = m->values[src].bytes;
        }
        /* Stored if anything but the next op of the chain reads it (the
         * chain condition above makes that next op a reader), or it is the
         * model output; the last op's output is settled below. */
        store_out[len] = (uint8_t)(readers[op->out] != 1 || op->out == m->output_value);
        cur = op->out;
        len++;
        if (pending == 0) safe_len = len;
    }
    /* Absorbed ops nobody in the chain consumed: cut the chain before them
     * (safe_len: the last length with none pending; a quantiser end is
     * only reached with none pending, as it follows a step). */
    if (pending != 0 || (len > 0 && store_out[len - 1] == 2)) len = safe_len;
    if (len < 2) return 0;
    /* The last op's output leaves the chain unless the quantiser ends it. */
    if (!is_chain_end(m->ops[i + len - 1].type)) store_out[len - 1] = 1;
    for (j = 0; j < len; j++)
        if (store_out[j] == 1 && !is_chain_end(m->ops[i + j].type)) {
            wr[n_wr].off = m->values[m->ops[i + j].out].arena_off;
            wr[n_wr++].size = m->values[m->ops[i + j].out].bytes;
        }
    for (a = 0; a < n_wr; a++)
        for (b = 0; b < n_rd; b++)
            if (overlap(wr[a], rd[b]) && !(wr[a].off == rd[b].off && wr[a].size == rd[b].size)) return 0;
    /* Two written buffers: only exact coincidence (one op in place over another). */
    for (a = 0; a < n_wr; a++)
        for (b = a + 1; b < n_wr; b++)
            if (overlap(wr[a], wr[b]) && !(wr[a].off == wr[b].off && wr[a].size == wr[b].size)) return 0;
    return len;
}

void fbnn_plan_fusion(struct fbnn_model *m)
{
    uint8_t *fuse = (uint8_t *)fbnn_model_alloc(m, m->n_ops, 1);
    size_t mark = m->ws_used;
    uint32_t *readers, *producer;
    uint32_t i, j;
    m->fuse = NULL;
    if (!fuse) return;
    readers = (uint32_t *)fbnn_model_alloc(m, m->n_values, sizeof(uint32_t));
    producer = readers ? (uint32_t *)fbnn_model_alloc(m, m->n_values, sizeof(uint32_t)) : NULL;
    if (!producer) {
        if (readers) fbnn_model_release(m, readers);
        fbnn_model_release(m, fuse);
        return;
    }
    for (i = 0; i < m->n_values; i++) producer[i] = UINT32_MAX;
    for (i = 0; i < m->n_ops; i++) {
        for (j = 0; j < m->ops[i].n_in; j++) readers[m->ops[i].in[j]]++;
        producer[m->ops[i].out] = i;
    }
    for (i = 0; i < m->n_ops;) {
        uint8_t st[FBNN_FUSE_MAX + 1] = {0};
        uint32_t len = chain_at(m, i, readers, producer, st);
        if (len < 2) {
            i++;
            continue;
        }
        fuse[i] = (uint8_t)len;
        for (j = 0; j < len; j++) {
            if (st[j] == 1) fuse[i + j] |= FBNN_FUSE_STORE;
            if (st[j] == 2) fuse[i + j] |= FBNN_FUSE_ABSORB;
        }
        i += len;
    }
    for (i = 0; i + 1 < m->n_ops; i++) {
        const fbnn_op_desc *q = &m->ops[i], *pool = &m->ops[i + 1];
        range x, y;
        if (q->type != FBNN_OP_QUANT_UNIFORM || pool->type != FBNN_OP_AVGPOOL || fuse[i] != 0 || fuse[i + 1] != 0)
            continue;
        if (pool->in[0] != q->out || readers[q->out] != 1 || q->out == m->output_value || q->in[0] == m->input_value)
            continue;
        x.off = m->values[q->in[0]].arena_off;
        x.size = m->values[q->in[0]].bytes;
        y.off = m->values[pool->out].arena_off;
        y.size = m->values[pool->out].bytes;
        /* Only output rows of at least FBNN_QPOOL_MIN_WO: the fused pool
         * quantises each tap in the vector that loads it, and on short rows
         * those vectors are mostly partial, so it divides more often than
         * quant_uniform over the whole map (measured on Intel AVX-512,
         * session 15: 512 x 14 x 14 -> 7 x 7 67 against 46 us apart;
         * 64 x 112 x 112 -> 56 x 56 284 against 350 us apart). */
        if (!overlap(x, y) && m->values[pool->out].w >= FBNN_QPOOL_MIN_WO) fuse[i] |= FBNN_FUSE_QPOOL;
    }
    fbnn_model_release(m, producer);
    fbnn_model_release(m, readers);
    if (m->in_ws) m->ws_used = mark;
    m->fuse = fuse;
}
