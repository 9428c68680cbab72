/**
 * @file dispatch.h
 * @brief The one table of kernel pointers, and the CPU features it is chosen by.
 *
 * Every optimised variant must be bit-identical to the reference kernel in
 * kernels/; the table is filled once per context (no global state), and
 * FBNN_FORCE_SCALAR=1 in the environment forces the reference path.
 */
#ifndef FBNN_DISPATCH_H
#define FBNN_DISPATCH_H

#include "fbnn_kernels.h"

typedef int (*fbnn_bconv_fn)(const uint32_t *in, const uint32_t *weights, const fbnn_conv_params *p,
                             fbnn_real *out);
typedef int (*fbnn_pgconv_fn)(const uint32_t *msb, const uint32_t *lsb, const uint32_t *weights,
                              const fbnn_real *threshold, const fbnn_conv_params *p, fbnn_real *out,
                              uint32_t *n_gated);

typedef struct fbnn_kernel_table {
    fbnn_bconv_fn bconv;
    fbnn_pgconv_fn pgconv;
    const char *isa; /**< name of the chosen variant set, e.g. "scalar" */
} fbnn_kernel_table;

#if defined(__x86_64__) || defined(__i386__)
/* x86 variants: the reference source compiled with -mpopcnt. */
int fbnn_k_bconv__popcnt(const uint32_t *in, const uint32_t *weights, const fbnn_conv_params *p,
                         fbnn_real *out);
int fbnn_k_pgconv__popcnt(const uint32_t *msb, const uint32_t *lsb, const uint32_t *weights,
                          const fbnn_real *threshold, const fbnn_conv_params *p, fbnn_real *out,
                          uint32_t *n_gated);
#define FBNN_HAVE_POPCNT_VARIANTS 1
#endif

/** CPU features relevant to the kernels, detected at run time. */
typedef struct fbnn_cpu_features {
    int popcnt, avx2, avx512f, avx512bw, avx512vpopcntdq, neon;
} fbnn_cpu_features;

/** Detect the features of the CPU we run on. */
void fbnn_cpu_detect(fbnn_cpu_features *f);

/** Fill `t` with the best kernels for this CPU (reference ones if force_scalar). */
void fbnn_kernel_table_init(fbnn_kernel_table *t, int force_scalar);

#endif /* FBNN_DISPATCH_H */
