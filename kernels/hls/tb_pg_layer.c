/*
 * C-simulation testbench of the layer engine fbnn_hls_pg_layer()
 * (kernels/hls/fbnn_pg_layer.c).
 *
 *   tb_pg_layer [SEED]
 *
 * For every PG conv shape of the network config (generated/config_cifar10.h) and for
 * the flag combinations, random Q2 planes, weights and per-channel
 * parameters go through the engine and through the chain of reference
 * kernels (fbnn_k_pgconv, fbnn_k_affine, fbnn_k_rprelu, fbnn_k_add,
 * fbnn_k_affine). The outputs must be bit-identical (memcmp) and the gate
 * counts equal, in whichever fbnn_real instantiation this is built; the gate
 * must fire for some outputs and not for others (both branches exercised).
 * Host-only: everything inside #ifndef __SYNTHESIS__.
 */
#ifndef __SYNTHESIS__
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fbnn_kernels.h"
#include "fbnn_pg_layer.h"

#define MAXW FBNN_CFG_MAX_WORDS
#define MAX_IN (FBNN_CFG_MAX_IN_H * FBNN_CFG_MAX_IN_W * MAXW)
#define MAX_OUT (FBNN_CFG_MAX_OUT_C * FBNN_CFG_MAX_OUT_H * FBNN_CFG_MAX_OUT_W)
#define MAX_WT (FBNN_CFG_MAX_OUT_C * FBNN_CFG_K * FBNN_CFG_K * MAXW)

static uint32_t msb[MAX_IN], lsb[MAX_IN], wts[MAX_WT];
static fbnn_real chan[FBNN_CFG_MAX_OUT_C * FBNN_PG_NPARAM];
static fbnn_real prm[FBNN_PG_NPARAM][FBNN_CFG_MAX_OUT_C];
static fbnn_real res[MAX_OUT], got[MAX_OUT], t0[MAX_OUT], t1[MAX_OUT];

static uint32_t rng_state;
static uint32_t rnd(void)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return rng_state;
}
/* Uniform in [lo, hi), rounded to a float first so that both paths and every
 * instantiation start from the same real values. */
static fbnn_real uni(double lo, double hi)
{
    double u = (double)(float)(lo + (hi - lo) * (double)(rnd() >> 8) / 16777216.0);
    return FBNN_R_LIT(u);
}
/* Random packed bits of `c` channels per pixel, padding bits 0. */
static void rnd_bits(uint32_t *x, int32_t pixels, int32_t c)
{
    int32_t nw = FBNN_WORDS(c), p, w;
    for (p = 0; p < pixels; p++)
        for (w = 0; w < nw; w++) {
            int32_t valid = c - 32 * w;
            uint32_t v = rnd();
            x[p * nw + w] = valid >= 32 ? v : v & (((uint32_t)1u << valid) - 1u);
        }
}

static int run_layer(int32_t in_c, int32_t in_h, int32_t in_w, int32_t out_c, int32_t k, int32_t stride,
                     int32_t pad, int32_t out_h, int32_t out_w, int32_t flags)
{
    fbnn_conv_params p;
    int32_t o, j, n = out_c * out_h * out_w, hw = out_h * out_w;
    uint32_t g_ref = 0, g_eng = 0;
    int rc = 0;
    static const double lo[FBNN_PG_NPARAM] = {-6.0, 0.02, -1.0, -0.5, 0.0, -0.5, 0.5, -0.5};
    static const double hi[FBNN_PG_NPARAM] = {6.0, 0.5, 1.0, 0.5, 0.3, 0.5, 1.5, 0.5};

    p.in_c = in_c; p.in_h = in_h; p.in_w = in_w; p.out_c = out_c; p.k = k;
    p.stride = stride; p.pad = pad; p.out_h = out_h; p.out_w = out_w;
    rnd_bits(msb, in_h * in_w, in_c);
    rnd_bits(lsb, in_h * in_w, in_c);
    rnd_bits(wts, out_c * k * k, in_c);
    for (o = 0; o < out_c; o++)
        for (j = 0; j < FBNN_PG_NPARAM; j++) prm[j][o] = chan[o * FBNN_PG_NPARAM + j] = uni(lo[j], hi[j]);
    for (j = 0; j < n; j++) res[j] = uni(-2.0, 2.0);

    /* Reference chain. */
    rc |= fbnn_k_pgconv(msb, lsb, wts, prm[FBNN_PG_THRESHOLD], &p, t0, &g_ref);
    rc |= fbnn_k_affine(t0, prm[FBNN_PG_A1], prm[FBNN_PG_B1], out_c, hw, t1);
    rc |= fbnn_k_rprelu(t1, prm[FBNN_PG_BX], prm[FBNN_PG_SLOPE], prm[FBNN_PG_BY], out_c, hw, t0);
    if (flags & FBNN_PG_RESIDUAL) rc |= fbnn_k_add(t0, res, n, t0);
    if (flags & FBNN_PG_POST_AFFINE) rc |= fbnn_k_affine(t0, prm[FBNN_PG_A2], prm[FBNN_PG_B2], out_c, hw, t0);
    /* Engine. */
    memset(got, 0xA5, sizeof got);
    rc |= fbnn_hls_pg_layer(msb, lsb, wts, chan, res, got, in_c, in_h, in_w, out_c, stride, flags, &g_eng);
    if (rc != 0) {
        fprintf(stderr, "tb_pg_layer: a kernel returned an error\n");
        return 1;
    }
    if (memcmp(t0, got, (size_t)n * sizeof got[0]) != 0 || g_ref != g_eng) {
        fprintf(stderr, "tb_pg_layer: [%d,%d,%d]->%d s%d flags %d: engine differs from the reference chain "
                        "(gated %u vs %u)\n", (int)in_c, (int)in_h, (int)in_w, (int)out_c, (int)stride, (int)flags,
                (unsigned)g_eng, (unsigned)g_ref);
        return 1;
    }
    if (g_ref == 0u || g_ref == (uint32_t)n) {
        fprintf(stderr, "tb_pg_layer: gate never/always fired (%u of %d): test data too weak\n", (unsigned)g_ref,
                (int)n);
        return 1;
    }
    printf("  [%2d,%2d,%2d] -> [%2d,%2d,%2d] stride %d flags %d: %6d outputs bit-identical, gate fired %u\n",
           (int)in_c, (int)in_h, (int)in_w, (int)out_c, (int)out_h, (int)out_w, (int)stride, (int)flags, (int)n,
           (unsigned)g_ref);
    return 0;
}

int main(int argc, char **argv)
{
    int fails = 0, layers = 0, flags;
    rng_state = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 12345u;
    /* Every PG layer shape of the network, each with its fused-epilogue flags;
     * the first with every flag combination. */
#define FBNN_TB_LAYER(op, ic, ih, iw, oc, k, s, pd, oh, ow)                                           \
    if ((op) == 3) {                                                                                \
        for (flags = layers == 0 ? 0 : 3; flags <= 3; flags++)                                      \
            fails += run_layer(ic, ih, iw, oc, k, s, pd, oh, ow, flags);                            \
        layers++;                                                                                   \
    }
    FBNN_CFG_CONV_LAYERS(FBNN_TB_LAYER)
#ifdef FBNN_REAL_FIXED_FRAC
    printf("layer engine C-sim [fixed Q%d]: %d PG layers, %s\n", FBNN_REAL_FIXED_FRAC, layers,
           fails ? "MISMATCH" : "bit-identical to the reference kernels");
#else
    printf("layer engine C-sim [float32]: %d PG layers, %s\n", layers,
           fails ? "MISMATCH" : "bit-identical to the reference kernels");
#endif
    return (fails == 0 && layers == FBNN_CFG_N_PG_LAYERS) ? 0 : 1;
}
#else
typedef int fbnn_tb_pg_layer_unused;
#endif /* __SYNTHESIS__ */
