/**
 * @file fc_panels.c
 * @brief Column panels of the big float FC weights, made once at load.
 *
 * Why: the SIMD FC runs its lanes over outputs (so that every output adds
 * its products in the reference's order, fc_simd.h), which wants the 16
 * weights of one column side by side. From the row-major tensor it reads 16
 * rows at once, 16 pages apart on the ImageNet head (1024 -> 1000, 4 MB):
 * the hardware prefetchers do not follow 16 such streams, and the layer took
 * about 480 us on a Zen 4 core, ten times its arithmetic. The panel copy
 * (dispatch.h, fbnn_fc_panel_pack) is one sequential stream. It costs the
 * weight bytes a second time, so it is only made where the matrix is past
 * the L2 sizes where the strided reads still hit (FBNN_FC_PANEL_MIN_BYTES),
 * and only for heap-loaded models (fbnn_model_load_static() promises its
 * workspace bound, and the microcontroller sets have no panel kernel).
 */
#include <stdlib.h>

#include "model_internal.h"
#include "cpu/dispatch.h"

#define FBNN_FC_PANEL_MIN_BYTES (256u * 1024u)

void fbnn_fc_panel_pack(const fbnn_real *w, int32_t n_in, int32_t n_out, fbnn_real *panel)
{
    const int32_t nb = n_out / FBNN_FC_PANEL_ROWS;
    int32_t jb, i, k;
    for (jb = 0; jb < nb; jb++)
        for (i = 0; i < n_in; i++)
            for (k = 0; k < FBNN_FC_PANEL_ROWS; k++)
                panel[((size_t)jb * (size_t)n_in + (size_t)i) * FBNN_FC_PANEL_ROWS + (size_t)k] =
                    w[((size_t)jb * FBNN_FC_PANEL_ROWS + (size_t)k) * (size_t)n_in + (size_t)i];
}

void fbnn_plan_fc_panels(struct fbnn_model *m, const fbnn_kernel_table *best)
{
    uint32_t i;
    if (m->in_ws) return;
    /* Not where the best kernel set has no panel FC (no SIMD): never read. */
    if (!best->fc_panel) return;
    for (i = 0; i < m->n_ops; i++) {
        const fbnn_op_desc *op = &m->ops[i];
        const fbnn_tensor_desc *t;
        int32_t n_out, n_in;
        size_t bytes;
        if (op->type != FBNN_OP_FC) continue;
        t = &m->tensors[op->param[0]];
        n_out = (int32_t)t->dims[0];
        n_in = (int32_t)t->dims[1];
        if (n_out < FBNN_FC_PANEL_ROWS || t->nbytes < FBNN_FC_PANEL_MIN_BYTES) continue;
        if (!m->fc_panel && !(m->fc_panel = (fbnn_real **)calloc(m->n_ops, sizeof *m->fc_panel))) return;
        bytes = fbnn_fc_panel_floats(n_in, n_out) * sizeof(fbnn_real);
        m->fc_panel[i] = (fbnn_real *)malloc(bytes);
        if (!m->fc_panel[i]) continue; /* out of memory: this op reads the tensor */
        fbnn_fc_panel_pack((const fbnn_real *)t->data, n_in, n_out, m->fc_panel[i]);
        m->panel_bytes += bytes;
    }
}
