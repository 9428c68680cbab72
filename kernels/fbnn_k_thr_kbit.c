/**
 * @file fbnn_k_thr_kbit.c
 * @brief Binary conv and binary FC with the k-bit threshold epilogue
 * (FINN's multi-threshold), bit planes out.
 *
 * A binary layer followed by BN and a k-bit uniform activation (DoReFa,
 * FINN) needs no float: the activation code is the number of the 2^k - 1
 * per-channel integer thresholds the popcount sum has passed (the exporter
 * folds BN scale and shift and the quantiser's steps into them; a negative
 * BN scale is the flip, counting s <= t instead of s >= t). The code's bit
 * i is written to plane i, packed channel i * C + o: the layout QUANT_KBIT
 * writes, so a KCONV with the same planes reads it directly.
 *
 * Sums as fbnn_k_bconv_thr / fbnn_k_bfc_thr (zero padding, exact integers).
 */
#include "fbnn_k_bconv_window.h"

/* Plane bits of `code` for channel o of c into the cleared words yo. */
static void put_code(uint32_t *yo, int32_t code, int32_t planes, int32_t c, int32_t o)
{
    int32_t i;
    for (i = 0; i < FBNN_THR_MAX_PLANES; ++i) {
        FBNN_HLS(HLS UNROLL)
        if (i < planes && ((code >> i) & 1) != 0) {
            const int32_t ch = i * c + o;
            yo[ch >> 5] |= (uint32_t)1u << (ch & 31);
        }
    }
}

int fbnn_k_bconv_thr_kbit_rows(const uint32_t *in, const uint32_t *weights, const int32_t *thr, int32_t planes,
                               const fbnn_conv_params *p, int32_t y0, int32_t y1, uint32_t *out)
{
    int32_t nw, nwo, o, oy, ox, stride_t;

    if (in == NULL || weights == NULL || thr == NULL || out == NULL) return FBNN_K_EBADARG;
    if (planes < 1 || planes > FBNN_THR_MAX_PLANES) return FBNN_K_EBADARG;
    if (fbnn_k_conv_params_check(p) != FBNN_K_OK) return FBNN_K_EBADARG;
    if ((int64_t)planes * p->out_c > FBNN_K_MAX_DIM) return FBNN_K_EBADARG;
    if (y0 < 0 || y1 > p->out_h || y0 > y1) return FBNN_K_EBADARG;

    nw = FBNN_WORDS(p->in_c);
    nwo = FBNN_WORDS(planes * p->out_c);
    stride_t = (int32_t)1 << planes;
    for (oy = y0; oy < y1; ++oy) {
        for (ox = 0; ox < p->out_w; ++ox) {
            uint32_t *yo = out + ((size_t)oy * (size_t)p->out_w + (size_t)ox) * (size_t)nwo;
            for (o = 0; o < nwo; ++o) yo[o] = 0u;
            for (o = 0; o < p->out_c; ++o) {
                const int32_t s =
                    fbnn_bconv_window_sum(in, weights + (size_t)o * (size_t)p->k * (size_t)p->k * (size_t)nw, p, oy, ox);
                put_code(yo, fbnn_thr_code(s, thr + (size_t)o * (size_t)stride_t, planes), planes, p->out_c, o);
            }
        }
    }
    return FBNN_K_OK;
}

int fbnn_k_bconv_thr_kbit(const uint32_t *in, const uint32_t *weights, const int32_t *thr, int32_t planes,
                          const fbnn_conv_params *p, uint32_t *out)
{
    if (p == NULL) return FBNN_K_EBADARG;
    return fbnn_k_bconv_thr_kbit_rows(in, weights, thr, planes, p, 0, p->out_h, out);
}

int fbnn_k_bfc_thr_kbit(const uint32_t *in, int32_t n_words, int32_t n_in, const uint32_t *weights,
                        const int32_t *thr, int32_t planes, int32_t n_out, uint32_t *out)
{
    int32_t o, i, nwo, stride_t;
    if (in == NULL || weights == NULL || thr == NULL || out == NULL) return FBNN_K_EBADARG;
    if (planes < 1 || planes > FBNN_THR_MAX_PLANES) return FBNN_K_EBADARG;
    if (fbnn_k_bfc_check(n_words, n_in, n_out) != FBNN_K_OK) return FBNN_K_EBADARG;
    if ((int64_t)planes * n_out > FBNN_K_MAX_DIM) return FBNN_K_EBADARG;
    nwo = FBNN_WORDS(planes * n_out);
    stride_t = (int32_t)1 << planes;
    for (o = 0; o < nwo; ++o) out[o] = 0u;
    for (o = 0; o < n_out; ++o) {
        const uint32_t *wo = weights + (size_t)o * (size_t)n_words;
        uint32_t pc = 0u;
        for (i = 0; i < n_words; ++i) {
            FBNN_HLS(HLS PIPELINE II=1)
            FBNN_HLS(HLS LOOP_TRIPCOUNT max=256)
            pc += fbnn_popcount32(in[i] ^ wo[i]);
        }
        put_code(out, fbnn_thr_code(n_in - 2 * (int32_t)pc, thr + (size_t)o * (size_t)stride_t, planes), planes,
                 n_out, o);
    }
    return FBNN_K_OK;
}
