/*
 * Binary fully connected layers (BFC, BFC_THR; kernels/fbnn_k_bfc.c) for
 * the "swar" ISA (cores without a popcount instruction: Arm Cortex-M):
 * the reference's loops with each row's popcount from byte counters
 * (conv_swar.h). Exact: the same integer sums, then the reference's float
 * expressions (BFC) or fbnn_thr_bit compare (BFC_THR).
 */
#include "conv/conv_swar.h"

int fbnn_k_bfc__swar(const uint32_t *in, int32_t n_words, int32_t n_in, const uint32_t *weights,
                     const fbnn_real *scale, const fbnn_real *bias, int32_t n_out, fbnn_real *out)
{
    int32_t o;
    if (in == NULL || weights == NULL || scale == NULL || bias == NULL || out == NULL) return FBNN_K_EBADARG;
    if (fbnn_k_bfc_check(n_words, n_in, n_out) != FBNN_K_OK) return FBNN_K_EBADARG;
    for (o = 0; o < n_out; ++o) {
        const int32_t s = n_in - 2 * (int32_t)swar_pop_run(in, weights + (size_t)o * (size_t)n_words, n_words);
        out[o] = fbnn_r_add(fbnn_r_mul(fbnn_r_from_s32(s), scale[o]), bias[o]);
    }
    return FBNN_K_OK;
}

int fbnn_k_bfc_thr__swar(const uint32_t *in, int32_t n_words, int32_t n_in, const uint32_t *weights,
                         const int32_t *thr, int32_t n_out, uint32_t *out)
{
    int32_t o;
    if (in == NULL || weights == NULL || thr == NULL || out == NULL) return FBNN_K_EBADARG;
    if (fbnn_k_bfc_check(n_words, n_in, n_out) != FBNN_K_OK) return FBNN_K_EBADARG;
    for (o = 0; o < FBNN_WORDS(n_out); ++o) out[o] = 0u;
    for (o = 0; o < n_out; ++o) {
        const int32_t s = n_in - 2 * (int32_t)swar_pop_run(in, weights + (size_t)o * (size_t)n_words, n_words);
        if (fbnn_thr_bit(s, thr[2 * o], thr[2 * o + 1])) out[o >> 5] |= (uint32_t)1u << (o & 31);
    }
    return FBNN_K_OK;
}
