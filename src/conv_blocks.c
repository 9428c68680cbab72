/**
 * @file conv_blocks.c
 * @brief Weights of binary and PG convs in 16-channel blocks, made once at load.
 *
 * Why: the blocked SIMD convs (src/cpu/conv/conv_simd.h) read one block of
 * 16 output channels as [t][16 lanes], word t of each channel side by side,
 * so that one vector load gives the 16 channels' word t. From the [out_c]
 * [k][k][words] tensor they built that block per call, per block and per
 * thread, a scalar transposition. Where a block covers few output pixels
 * that is a visible share of the layer: on a Zen 4 core 11 % of a 3x3
 * 1024-channel PG conv at 7x7, 9 % of a 1x1 one, 3 % at 14x14 (measured
 * with the repack skipped, same core, interleaved). Here every such conv of
 * a heap-loaded model gets its blocks once (a second copy of its weights,
 * reported with the FC panels by fbnn_model_panel_bytes()); the kernels take
 * them through the table's _rows_blk entries. fbnn_model_load_static()
 * models keep their workspace bound and repack per call, as do convs with
 * windows longer than the blocked kernels take, and no blocks are made on
 * CPUs without a SIMD conv set.
 */
#include <stdlib.h>

#include "model_internal.h"
#include "cpu/dispatch.h"

/* Blocks start on this boundary (whole cache lines, aligned vector loads). */
#define FBNN_CONV_BLOCK_ALIGN 64u

void fbnn_conv_blocks_pack(const uint32_t *weights, int32_t out_c, int32_t wlen, uint32_t *blk)
{
    const int32_t nblk = (out_c + FBNN_CONV_BLOCK_OC - 1) / FBNN_CONV_BLOCK_OC;
    int32_t b, t, l;
    for (b = 0; b < nblk; b++)
        for (t = 0; t < wlen; t++)
            for (l = 0; l < FBNN_CONV_BLOCK_OC; l++) {
                const int32_t o = b * FBNN_CONV_BLOCK_OC + l;
                blk[((size_t)b * (size_t)wlen + (size_t)t) * FBNN_CONV_BLOCK_OC + (size_t)l] =
                    o < out_c ? weights[(size_t)o * (size_t)wlen + (size_t)t] : 0u;
            }
}

const uint32_t *fbnn_conv_blocks_of(const struct fbnn_model *m, const fbnn_op_desc *op)
{
    const void *raw;
    if (!m->conv_blk || !(raw = m->conv_blk[op - m->ops])) return NULL;
    return (const uint32_t *)(((uintptr_t)raw + (FBNN_CONV_BLOCK_ALIGN - 1u)) & ~(uintptr_t)(FBNN_CONV_BLOCK_ALIGN - 1u));
}

void fbnn_plan_conv_blocks(struct fbnn_model *m, const fbnn_kernel_table *best)
{
    uint32_t i;
    if (m->in_ws) return;
    /* Not when the kernel set a new context takes reads no blocks (no SIMD
     * convs, or FBNN_FORCE_SCALAR / FBNN_ISA=scalar at load): they would
     * never be read. (A context switched to such a set later, by
     * fbnn_context_set_isa, leaves them unread; a debugging mode.) */
    if (!best->pgconv_rows_blk) return;
    for (i = 0; i < m->n_ops; i++) {
        const fbnn_op_desc *op = &m->ops[i];
        const fbnn_value_desc *x;
        int32_t wlen;
        size_t bytes;
        int32_t out_c;
        /* PG convs, binary convs with symmetric padding (the asymmetric
         * form has kernels of its own) and binary convs with the threshold
         * epilogue (their output value holds planes x out_c channels: the
         * weight tensor's first dimension is out_c). */
        if (op->type != FBNN_OP_PGCONV && !(op->type == FBNN_OP_BCONV && op->n_attr <= 4) &&
            op->type != FBNN_OP_BCONV_THR)
            continue;
        if (op->type == FBNN_OP_BCONV_THR && !best->bconv_thr_rows_blk) continue;
        x = &m->values[op->in[0]];
        out_c = (int32_t)m->tensors[op->param[0]].dims[0];
        wlen = op->attr[0] * op->attr[0] * (int32_t)FBNN_WORDS(x->c);
        if (wlen > FBNN_CONV_BLOCK_MAX_WLEN) continue;
        if (!m->conv_blk && !(m->conv_blk = (void **)calloc(m->n_ops, sizeof *m->conv_blk))) return;
        bytes = fbnn_conv_blocks_words(out_c, wlen) * sizeof(uint32_t);
        m->conv_blk[i] = malloc(bytes + FBNN_CONV_BLOCK_ALIGN - 1u);
        if (!m->conv_blk[i]) continue; /* out of memory: this op repacks per call */
        fbnn_conv_blocks_pack((const uint32_t *)m->tensors[op->param[0]].data, out_c, wlen,
                              (uint32_t *)fbnn_conv_blocks_of(m, op));
        m->panel_bytes += bytes;
    }
}
