/**
 * @file context_isa.c
 * @brief Choosing the kernel variant set of a context (fbnn_context_set_isa).
 */
#include "context_internal.h"

fbnn_status fbnn_context_set_isa(fbnn_context *ctx, fbnn_isa isa)
{
    fbnn_kernel_table t;
    if (!ctx || (int)isa < 0 || (int)isa >= FBNN_ISA_COUNT) return FBNN_ERR_ARG;
    if (fbnn_kernel_table_select(&t, isa) != 0) return FBNN_ERR_UNSUPPORTED;
    ctx->kt = t;
    return FBNN_OK;
}

const char *fbnn_context_isa(const fbnn_context *ctx)
{
    return ctx ? ctx->kt.isa : NULL;
}
