/**
 * @file fbnn_k_bfc.c
 * @brief Binary fully connected layer (XNOR-popcount), real or bit output.
 *
 * The input is a packed-bit map [H][W][FBNN_WORDS(C)] read as one vector of
 * n_words = H*W*FBNN_WORDS(C) words holding n_in = C*H*W channels (padding
 * bits 0); each output o has a weight row of n_words words in the same
 * layout (padding bits 0). The exact integer dot product is
 *
 *   sum[o] = n_in - 2 * popcount(x XOR w[o])      (|sum| <= n_in < 2^24)
 *
 * fbnn_k_bfc:     y[o] = (fbnn_real)sum[o] * scale[o] + bias[o]
 *                 (one rounded multiply, then one rounded add: no FMA);
 * fbnn_k_bfc_thr: the threshold epilogue, bit o of the packed output is
 *                 1 (+1) iff sum[o] >= thr[2o] (thr[2o+1] == 0) or
 *                 sum[o] <= thr[2o] (thr[2o+1] == 1, a negative BN scale);
 *                 no float anywhere.
 */
#include "fbnn_kernels.h"
#include "hls/fbnn_hls.h" /* FBNN_HLS(...): pragmas only Vitis HLS sees */

static int32_t bfc_sum(const uint32_t *in, const uint32_t *wo, int32_t n_words, int32_t n_in)
{
    uint32_t pc = 0u;
    int32_t i;
    for (i = 0; i < n_words; ++i) {
        FBNN_HLS(HLS PIPELINE II=1)
        FBNN_HLS(HLS LOOP_TRIPCOUNT max=256)
        pc += fbnn_popcount32(in[i] ^ wo[i]);
    }
    return n_in - 2 * (int32_t)pc;
}

int fbnn_k_bfc(const uint32_t *in, int32_t n_words, int32_t n_in, const uint32_t *weights,
               const fbnn_real *scale, const fbnn_real *bias, int32_t n_out, fbnn_real *out)
{
    int32_t o;
    if (in == NULL || weights == NULL || scale == NULL || bias == NULL || out == NULL) return FBNN_K_EBADARG;
    if (fbnn_k_bfc_check(n_words, n_in, n_out) != FBNN_K_OK) return FBNN_K_EBADARG;
    for (o = 0; o < n_out; ++o) {
        int32_t s = bfc_sum(in, weights + (size_t)o * (size_t)n_words, n_words, n_in);
        fbnn_real t = fbnn_r_mul(fbnn_r_from_s32(s), scale[o]);
        out[o] = fbnn_r_add(t, bias[o]);
    }
    return FBNN_K_OK;
}

int fbnn_k_bfc_thr(const uint32_t *in, int32_t n_words, int32_t n_in, const uint32_t *weights,
                   const int32_t *thr, int32_t n_out, uint32_t *out)
{
    int32_t o, nw_out;
    if (in == NULL || weights == NULL || thr == NULL || out == NULL) return FBNN_K_EBADARG;
    if (fbnn_k_bfc_check(n_words, n_in, n_out) != FBNN_K_OK) return FBNN_K_EBADARG;
    nw_out = FBNN_WORDS(n_out);
    for (o = 0; o < nw_out; ++o) out[o] = 0u;
    for (o = 0; o < n_out; ++o) {
        int32_t s = bfc_sum(in, weights + (size_t)o * (size_t)n_words, n_words, n_in);
        if (fbnn_thr_bit(s, thr[2 * o], thr[2 * o + 1]))
            out[o >> 5] |= (uint32_t)1u << (o & 31);
    }
    return FBNN_K_OK;
}
