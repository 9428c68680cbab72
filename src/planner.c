/**
 * @file planner.c
 * @brief Plans the activation arena of a model once, at load time.
 *
 * Values are assigned byte offsets in one arena by liveness: a value lives
 * from the op that produces it to the last op that reads it (the model
 * output lives to the end). Allocation is first-fit over the gaps between
 * live buffers, in op order, so every context of a model has the same,
 * fixed footprint and inference never allocates. The graph input (value 0)
 * is read from the caller's buffer and takes no arena space. An op's output
 * shares memory with an input only for ops whose row in the registry says
 * FBNN_OPF_INPLACE (elementwise: affine, RPReLU, add, quant_uniform, whose
 * kernels allow y == x) and whose input dies at that op; every other op's
 * inputs are still live while it runs, so they never alias.
 * A run of consecutive elementwise ops (chain steps, the shortcut's
 * QUANT_UNIFORM / CONCAT and the QUANT2 that ends a chain) may execute as
 * one fused pass (fuse.c), in which each op reads its inputs element by
 * element while later ops of the run already write theirs; so a buffer read
 * inside such a run is not released before the run's last op, and no later
 * output of the run is placed over it at an offset. In-place takeover is
 * still decided by the true last reader (an exact alias is safe fused too).
 * Without this the ImageNet blocks after a widening block put the chain's
 * packed Q2 output over the block input that the fused shortcut still
 * reads, and fuse.c had to leave those chains unfused.
 * The size of a context (descriptor + arena) is computed here too, so that
 * the loader and fbnn_model_get_info() call down to the plan, not up into
 * the runtime.
 */
#include <stdlib.h>

#include "context_internal.h"
#include "ops.h"

#define ARENA_ALIGN 64u
/* Each value is at most 1 GiB (loader), so offsets below this limit never
 * wrap, even with a 32-bit size_t. */
#define ARENA_LIMIT ((size_t)-1 / 4u)

typedef struct live_buf {
    size_t off, size;
    uint32_t value;
} live_buf;

/* Ops that fuse.c may run inside one fused elementwise pass. */
static int is_elementwise(uint32_t type)
{
    const fbnn_op_row *row = fbnn_op_row_of(type);
    return row->chain_kind != 0 || (row->flags & FBNN_OPF_CHAIN_END) != 0 || type == FBNN_OP_QUANT_UNIFORM ||
           type == FBNN_OP_CONCAT;
}

static size_t align_up(size_t n) { return (n + ARENA_ALIGN - 1u) / ARENA_ALIGN * ARENA_ALIGN; }

size_t fbnn_context_size_for(const fbnn_model *model)
{
    if (!model) return 0;
    return FBNN_CTX_HEADER + model->arena_bytes + 64u; /* +64: room to align the arena */
}

size_t fbnn_plan_scratch_bytes(uint32_t n_values)
{
    return 2u * (size_t)n_values * sizeof(uint32_t) + (size_t)n_values * sizeof(live_buf) + 32u;
}

int fbnn_plan_arena(struct fbnn_model *m)
{
    size_t mark = m->ws_used; /* workspace scratch is returned by restoring the mark */
    uint32_t *last_use = (uint32_t *)fbnn_model_alloc(m, 2u * (size_t)m->n_values, sizeof(uint32_t));
    uint32_t *keep = last_use ? last_use + m->n_values : NULL; /* release after this op (see above) */
    live_buf *live = (live_buf *)fbnn_model_alloc(m, m->n_values, sizeof(live_buf));
    uint32_t n_live = 0, i, j, k;
    size_t top = 0;

    if (!last_use || !live) {
        /* Fallback without liveness information: every value gets its own
         * buffer. Still correct, just larger. */
        for (i = 1; i < m->n_values; i++) {
            m->values[i].arena_off = top;
            top += align_up(m->values[i].bytes);
        }
        m->arena_bytes = top;
        fbnn_model_release(m, last_use);
        fbnn_model_release(m, live);
        m->ws_used = m->in_ws ? mark : m->ws_used;
        return top <= ARENA_LIMIT ? 0 : -1;
    }
    for (i = 0; i < m->n_ops; i++)
        for (j = 0; j < m->ops[i].n_in; j++) last_use[m->ops[i].in[j]] = i;
    last_use[m->output_value] = m->n_ops;
    for (i = 0; i < m->n_values; i++) keep[i] = last_use[i];
    for (i = 0; i < m->n_ops;) {
        /* [i, r1]: a maximal run of elementwise ops. */
        uint32_t r1 = i;
        if (!is_elementwise(m->ops[i].type)) {
            i++;
            continue;
        }
        while (r1 + 1 < m->n_ops && is_elementwise(m->ops[r1 + 1].type)) r1++;
        for (k = i; k <= r1; k++)
            for (j = 0; j < m->ops[k].n_in; j++)
                if (keep[m->ops[k].in[j]] < r1) keep[m->ops[k].in[j]] = r1;
        i = r1 + 1;
    }

    for (i = 0; i < m->n_ops; i++) {
        const fbnn_op_desc *op = &m->ops[i];
        size_t need = align_up(m->values[op->out].bytes), cursor = 0, best = (size_t)-1;
        /* Release buffers whose last reader ran before this op. */
        for (j = 0; j < n_live;) {
            if (keep[live[j].value] < i) live[j] = live[--n_live];
            else j++;
        }
        /* Elementwise ops (their kernels allow y == x) take over the buffer
         * of an input that dies here: the residual stream is updated in place. */
        if (fbnn_op_row_of(op->type)->flags & FBNN_OPF_INPLACE) {
            int reused = 0;
            for (j = 0; j < op->n_in && !reused; j++) {
                uint32_t v = op->in[j];
                if (v == m->input_value || last_use[v] != i || m->values[v].bytes != m->values[op->out].bytes)
                    continue;
                for (k = 0; k < n_live; k++)
                    if (live[k].value == v) {
                        /* The buffer now holds op->out; it stays as long as either value needs it. */
                        if (keep[op->out] < keep[v]) keep[op->out] = keep[v];
                        live[k].value = op->out;
                        m->values[op->out].arena_off = live[k].off;
                        reused = 1;
                        break;
                    }
            }
            if (reused) continue;
        }
        /* Sort live buffers by offset (few of them: insertion sort). */
        for (j = 1; j < n_live; j++) {
            live_buf t = live[j];
            for (k = j; k > 0 && live[k - 1].off > t.off; k--) live[k] = live[k - 1];
            live[k] = t;
        }
        for (j = 0; j <= n_live; j++) {
            size_t gap_end = j < n_live ? live[j].off : (size_t)-1;
            if (gap_end >= cursor && gap_end - cursor >= need) {
                best = cursor;
                break;
            }
            if (j < n_live && live[j].off + live[j].size > cursor) cursor = live[j].off + live[j].size;
        }
        m->values[op->out].arena_off = best;
        live[n_live].off = best;
        live[n_live].size = need;
        live[n_live].value = op->out;
        n_live++;
        if (best + need > top) top = best + need;
        if (top > ARENA_LIMIT) break; /* cannot be addressed; reported below */
    }
    m->arena_bytes = top;
    fbnn_model_release(m, last_use);
    fbnn_model_release(m, live);
    m->ws_used = m->in_ws ? mark : m->ws_used;
    return top <= ARENA_LIMIT ? 0 : -1;
}
