/**
 * @file fbnn_pg_layer.c
 * @brief HLS layer engine: PG binary conv + fused epilogue (fbnn_pg_layer.h).
 *
 * Hardware structure (what the pragmas ask Vitis HLS for):
 *  - the two Q2 input planes are burst-copied once into on-chip buffers
 *    (BRAM, cyclically partitioned by words so one pixel's words are read
 *    in one cycle);
 *  - per output channel, its K*K*WORDS weight words and its 8 parameters are
 *    copied into registers (complete partition);
 *  - the output-pixel loop is pipelined at II=1: its K x K x WORDS popcount
 *    tree for the MSB and the LSB plane is fully unrolled (constant bounds),
 *    so one output value per cycle leaves the epilogue.
 * The LSB sum is computed for every pixel (in parallel, it costs no cycle)
 * but used only where the gate fires, as in fbnn_k_pgconv: same result.
 * Every loop has a compile-time bound from the config header; run-time
 * shapes only end loops early.
 */
#include <stddef.h>
#include <stdint.h>

#include "fbnn_kernels.h"
#include "fbnn_hls.h"
#include "fbnn_pg_layer.h"

#define PG_K FBNN_CFG_K
#define PG_PAD (FBNN_CFG_K / 2)
#define PG_WORDS FBNN_CFG_MAX_WORDS
#define PG_IN_PIX (FBNN_CFG_MAX_IN_H * FBNN_CFG_MAX_IN_W)
#define PG_IN_WORDS (PG_IN_PIX * PG_WORDS)
#define PG_W_WORDS (PG_K * PG_K * PG_WORDS)

#if PG_K < 1
#error "the layer engine needs one kernel size over all PG layers (FBNN_CFG_K)"
#endif

static int32_t shape_ok(int32_t in_c, int32_t in_h, int32_t in_w, int32_t out_c, int32_t stride)
{
    return in_c >= 1 && in_c <= FBNN_CFG_MAX_IN_C && in_h >= 1 && in_h <= FBNN_CFG_MAX_IN_H && in_w >= 1 &&
           in_w <= FBNN_CFG_MAX_IN_W && out_c >= 1 && out_c <= FBNN_CFG_MAX_OUT_C && stride >= 1 &&
           stride <= FBNN_K_MAX_STRIDE && in_h + 2 * PG_PAD >= PG_K && in_w + 2 * PG_PAD >= PG_K;
}

int fbnn_hls_pg_layer(const uint32_t *msb, const uint32_t *lsb, const uint32_t *weights,
                      const fbnn_real *chan, const fbnn_real *residual, fbnn_real *out,
                      int32_t in_c, int32_t in_h, int32_t in_w, int32_t out_c, int32_t stride,
                      int32_t flags, uint32_t *n_gated)
{
    FBNN_HLS(HLS INTERFACE mode=m_axi port=msb offset=slave bundle=gin depth=2048)
    FBNN_HLS(HLS INTERFACE mode=m_axi port=lsb offset=slave bundle=gin depth=2048)
    FBNN_HLS(HLS INTERFACE mode=m_axi port=weights offset=slave bundle=gw depth=1152)
    FBNN_HLS(HLS INTERFACE mode=m_axi port=chan offset=slave bundle=gw depth=512)
    FBNN_HLS(HLS INTERFACE mode=m_axi port=residual offset=slave bundle=gres depth=16384)
    FBNN_HLS(HLS INTERFACE mode=m_axi port=out offset=slave bundle=gout depth=16384)
    FBNN_HLS(HLS INTERFACE mode=s_axilite port=msb bundle=control)
    FBNN_HLS(HLS INTERFACE mode=s_axilite port=lsb bundle=control)
    FBNN_HLS(HLS INTERFACE mode=s_axilite port=weights bundle=control)
    FBNN_HLS(HLS INTERFACE mode=s_axilite port=chan bundle=control)
    FBNN_HLS(HLS INTERFACE mode=s_axilite port=residual bundle=control)
    FBNN_HLS(HLS INTERFACE mode=s_axilite port=out bundle=control)
    FBNN_HLS(HLS INTERFACE mode=s_axilite port=in_c bundle=control)
    FBNN_HLS(HLS INTERFACE mode=s_axilite port=in_h bundle=control)
    FBNN_HLS(HLS INTERFACE mode=s_axilite port=in_w bundle=control)
    FBNN_HLS(HLS INTERFACE mode=s_axilite port=out_c bundle=control)
    FBNN_HLS(HLS INTERFACE mode=s_axilite port=stride bundle=control)
    FBNN_HLS(HLS INTERFACE mode=s_axilite port=flags bundle=control)
    FBNN_HLS(HLS INTERFACE mode=s_axilite port=n_gated bundle=control)
    FBNN_HLS(HLS INTERFACE mode=s_axilite port=return bundle=control)
    static uint32_t buf_m[PG_IN_WORDS];
    static uint32_t buf_l[PG_IN_WORDS];
    uint32_t wbuf[PG_W_WORDS];
    fbnn_real prm[FBNN_PG_NPARAM];
    FBNN_HLS(HLS ARRAY_PARTITION variable=buf_m cyclic factor=2 dim=1)
    FBNN_HLS(HLS ARRAY_PARTITION variable=buf_l cyclic factor=2 dim=1)
    FBNN_HLS(HLS ARRAY_PARTITION variable=wbuf complete dim=1)
    FBNN_HLS(HLS ARRAY_PARTITION variable=prm complete dim=1)
    int32_t nw, out_h, out_w, n_in, o, oy, ox, i;
    uint32_t gated = 0u;
    const int use_res = (flags & FBNN_PG_RESIDUAL) != 0;
    const int use_post = (flags & FBNN_PG_POST_AFFINE) != 0;

    if (msb == NULL || lsb == NULL || weights == NULL || chan == NULL || out == NULL || n_gated == NULL)
        return FBNN_K_EBADARG;
    if (!shape_ok(in_c, in_h, in_w, out_c, stride) || (use_res && residual == NULL)) return FBNN_K_EBADARG;
    nw = FBNN_WORDS(in_c);
    out_h = (in_h + 2 * PG_PAD - PG_K) / stride + 1;
    out_w = (in_w + 2 * PG_PAD - PG_K) / stride + 1;
    n_in = in_h * in_w * nw;

    for (i = 0; i < PG_IN_WORDS; ++i) {
        FBNN_HLS(HLS PIPELINE II=1)
        if (i >= n_in) break;
        buf_m[i] = msb[i];
        buf_l[i] = lsb[i];
    }

    for (o = 0; o < FBNN_CFG_MAX_OUT_C; ++o) {
        const fbnn_real zero = FBNN_R_ZERO;
        if (o >= out_c) break;
        for (i = 0; i < PG_W_WORDS; ++i) {
            FBNN_HLS(HLS PIPELINE II=1)
            int32_t tap = i / PG_WORDS, w = i % PG_WORDS;
            wbuf[i] = w < nw ? weights[((size_t)o * PG_K * PG_K + (size_t)tap) * (size_t)nw + (size_t)w] : 0u;
        }
        for (i = 0; i < FBNN_PG_NPARAM; ++i) {
            FBNN_HLS(HLS PIPELINE II=1)
            prm[i] = chan[(size_t)o * FBNN_PG_NPARAM + (size_t)i];
        }
        for (oy = 0; oy < FBNN_CFG_MAX_OUT_H; ++oy) {
            if (oy >= out_h) break;
            for (ox = 0; ox < FBNN_CFG_MAX_OUT_W; ++ox) {
                FBNN_HLS(HLS PIPELINE II=1)
                int32_t ky, kx, w, n_taps = 0, sm, sl;
                uint32_t pcm = 0u, pcl = 0u;
                fbnn_real y, t;
                size_t idx;
                if (ox >= out_w) break;
                for (ky = 0; ky < PG_K; ++ky) {
                    for (kx = 0; kx < PG_K; ++kx) {
                        const int32_t iy = oy * stride - PG_PAD + ky, ix = ox * stride - PG_PAD + kx;
                        if (iy >= 0 && iy < in_h && ix >= 0 && ix < in_w) {
                            const size_t base = ((size_t)iy * (size_t)in_w + (size_t)ix) * (size_t)nw;
                            ++n_taps;
                            for (w = 0; w < PG_WORDS; ++w) {
                                if (w < nw) {
                                    const uint32_t wt = wbuf[(ky * PG_K + kx) * PG_WORDS + w];
                                    pcm += fbnn_popcount32(buf_m[base + (size_t)w] ^ wt);
                                    pcl += fbnn_popcount32(buf_l[base + (size_t)w] ^ wt);
                                }
                            }
                        }
                    }
                }
                sm = n_taps * in_c - 2 * (int32_t)pcm;
                sl = n_taps * in_c - 2 * (int32_t)pcl;
                /* PG conv: the same helper calls as fbnn_k_pgconv. */
                y = fbnn_r_third(2 * sm);
                if (fbnn_r_gt(y, prm[FBNN_PG_THRESHOLD])) {
                    y = fbnn_r_third(2 * sm + sl);
                    ++gated;
                }
                /* Epilogue: fbnn_k_affine, fbnn_k_rprelu, fbnn_k_add, fbnn_k_affine. */
                y = fbnn_r_add(fbnn_r_mul(prm[FBNN_PG_A1], y), prm[FBNN_PG_B1]);
                t = fbnn_r_add(y, prm[FBNN_PG_BX]);
                if (!fbnn_r_gt(t, zero)) t = fbnn_r_mul(prm[FBNN_PG_SLOPE], t);
                y = fbnn_r_add(t, prm[FBNN_PG_BY]);
                idx = ((size_t)o * (size_t)out_h + (size_t)oy) * (size_t)out_w + (size_t)ox;
                if (use_res) y = fbnn_r_add(y, residual[idx]);
                if (use_post) y = fbnn_r_add(fbnn_r_mul(prm[FBNN_PG_A2], y), prm[FBNN_PG_B2]);
                out[idx] = y;
            }
        }
    }
    *n_gated = gated;
    return FBNN_K_OK;
}
