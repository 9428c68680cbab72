/**
 * @file model_mem.c
 * @brief Memory of a model's descriptors: allocation (heap or the caller's
 * workspace), release, and the size of a value buffer.
 *
 * Why its own file: the loader, the planner and the fuser all allocate
 * through these helpers. Kept below all of them, the data flows one way
 * (bytes -> validated model -> plan -> context -> run) and no planning file
 * has to call back up into the loader.
 */
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"

size_t fbnn_value_bytes(uint32_t kind, uint32_t c, uint32_t h, uint32_t w)
{
    uint64_t px = (uint64_t)h * w, n;
    switch (kind) {
    case FBNN_VK_U8: n = px * c; break;
    case FBNN_VK_REAL: n = px * c * 4u; break;
    case FBNN_VK_BITS: n = px * ((c + 31u) / 32u) * 4u; break;
    case FBNN_VK_Q2: n = px * ((c + 31u) / 32u) * 8u; break;
    default: return 0;
    }
    if (n == 0 || n > FBNN_MAX_VALUE_BYTES) return 0;
    return (size_t)n;
}

void *fbnn_model_alloc(struct fbnn_model *m, size_t n, size_t size)
{
    size_t bytes, at;
    if (size && n > (size_t)-1 / size) return NULL;
    bytes = n * size;
    if (!m->in_ws) return calloc(n ? n : 1, size ? size : 1);
    /* 16-byte align the address (not just the offset: ws may be unaligned) */
    at = m->ws_used + (size_t)((16u - (((uintptr_t)m->ws + m->ws_used) & 15u)) & 15u);
    if (at > m->ws_cap || bytes > m->ws_cap - at) return NULL;
    m->ws_used = at + bytes;
    memset(m->ws + at, 0, bytes);
    return m->ws + at;
}

void fbnn_model_release(struct fbnn_model *m, void *p)
{
    if (!m->in_ws) free(p);
}

void fbnn_model_free(fbnn_model *model)
{
    if (!model || model->in_ws) return; /* caller memory: nothing to give back */
    free(model->desc_block);
    free((void *)model->labels);
    free(model->fuse);
    if (model->fc_panel) {
        uint32_t i;
        for (i = 0; i < model->n_ops; i++) free(model->fc_panel[i]);
        free(model->fc_panel);
    }
    if (model->conv_blk) {
        uint32_t i;
        for (i = 0; i < model->n_ops; i++) free(model->conv_blk[i]);
        free(model->conv_blk);
    }
    free(model->owned_buf);
    free(model);
}
