/*
 * Fused elementwise chain, AVX2 (see chain__generic.c for why and for the
 * order). Per chunk of FBNN_CHAIN_CHUNK pixels and per channel, the run of
 * values sits in a small buffer and each step is one vector loop over it
 * with the reference's float operations per lane (mul then add, never an
 * FMA: this file is built with -mavx2 only and -ffp-contract=off); the Q2
 * bits of the last value are ORed into per-pixel word accumulators of the
 * chunk, written out when all channels are done. Lanes past the last
 * multiple of 8 take the scalar per-element step of chain_step.h.
 */
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#include "chain_step.h"

/* One step over n values of channel ch (element index idx0 + i): v[i] =
 * step(in[i]), also written to the step's store buffer if it has one (in
 * the same pass: small copies would cost more than the arithmetic). */
static inline void put8(const fbnn_chain_step *s, float *v, size_t idx, int32_t i, __m256 y)
{
    _mm256_storeu_ps(v + i, y);
    if (s->store != NULL) _mm256_storeu_ps(s->store + idx, y);
}

static void step_run(const fbnn_chain_step *s, const float *in, float *v, int32_t n, int32_t ch, size_t idx0)
{
    int32_t i = 0;
    if (s->kind == FBNN_CHAIN_AFFINE) {
        const __m256 a = _mm256_broadcast_ss(s->p0 + ch), b = _mm256_broadcast_ss(s->p1 + ch);
        for (; i + 8 <= n; i += 8)
            put8(s, v, idx0 + (size_t)i, i, _mm256_add_ps(_mm256_mul_ps(a, _mm256_loadu_ps(in + i)), b));
    } else if (s->kind == FBNN_CHAIN_RPRELU) {
        const __m256 bx = _mm256_broadcast_ss(s->p0 + ch), sl = _mm256_broadcast_ss(s->p1 + ch),
                     by = _mm256_broadcast_ss(s->p2 + ch), zero = _mm256_setzero_ps();
        for (; i + 8 <= n; i += 8) {
            __m256 t = _mm256_add_ps(_mm256_loadu_ps(in + i), bx);
            /* t > 0 keeps t, otherwise (NaN included) slope * t, as the reference. */
            const __m256 pos = _mm256_cmp_ps(t, zero, _CMP_GT_OQ);
            t = _mm256_blendv_ps(_mm256_mul_ps(sl, t), t, pos);
            put8(s, v, idx0 + (size_t)i, i, _mm256_add_ps(t, by));
        }
    } else {
        const float *o = s->p0 + idx0;
        if (s->other_first)
            for (; i + 8 <= n; i += 8)
                put8(s, v, idx0 + (size_t)i, i, _mm256_add_ps(_mm256_loadu_ps(o + i), _mm256_loadu_ps(in + i)));
        else
            for (; i + 8 <= n; i += 8)
                put8(s, v, idx0 + (size_t)i, i, _mm256_add_ps(_mm256_loadu_ps(in + i), _mm256_loadu_ps(o + i)));
    }
    for (; i < n; i++) {
        v[i] = fbnn_chain_apply1(s, in[i], ch, idx0 + (size_t)i);
        if (s->store != NULL) s->store[idx0 + (size_t)i] = v[i];
    }
}

int fbnn_k_chain__avx2(const fbnn_real *x, int32_t c, int32_t hw, const fbnn_chain_step *steps, int32_t n_steps,
                       uint32_t *msb, uint32_t *lsb)
{
    float v[FBNN_CHAIN_CHUNK];
    /* Q2 word accumulators of the chunk: [word][pixel], for at most this many words per pixel. */
    enum { MAX_WORDS = 4 };
    uint32_t am[MAX_WORDS][FBNN_CHAIN_CHUNK], al[MAX_WORDS][FBNN_CHAIN_CHUNK];
    const __m256 t = _mm256_set1_ps(FBNN_R_TWO_THIRDS), neg_t = _mm256_set1_ps(-FBNN_R_TWO_THIRDS);
    const __m256 zero = _mm256_setzero_ps();
    const int32_t nw = FBNN_WORDS(c);
    int32_t p0, ch, k, i, wi;
    if (!fbnn_chain_args_ok(x, c, hw, steps, n_steps, msb, lsb)) return FBNN_K_EBADARG;
    if (msb != NULL && nw > MAX_WORDS) return fbnn_k_chain__generic(x, c, hw, steps, n_steps, msb, lsb);
    for (p0 = 0; p0 < hw; p0 += FBNN_CHAIN_CHUNK) {
        const int32_t n = hw - p0 < FBNN_CHAIN_CHUNK ? hw - p0 : FBNN_CHAIN_CHUNK;
        if (msb != NULL)
            for (wi = 0; wi < nw; wi++)
                for (i = 0; i < n; i++) am[wi][i] = al[wi][i] = 0u;
        for (ch = 0; ch < c; ch++) {
            const size_t idx0 = (size_t)ch * (size_t)hw + (size_t)p0;
            /* The first step reads x itself (no copy); the rest work in v. */
            for (k = 0; k < n_steps; k++) step_run(&steps[k], k == 0 ? x + idx0 : v, v, n, ch, idx0);
            if (msb != NULL) {
                const uint32_t b = (uint32_t)1u << (ch & 31);
                const __m256i bit = _mm256_set1_epi32((int)b);
                uint32_t *wm = am[ch >> 5], *wl = al[ch >> 5];
                for (i = 0; i + 8 <= n; i += 8) {
                    const __m256 x8 = _mm256_loadu_ps(v + i);
                    const __m256 m = _mm256_cmp_ps(x8, zero, _CMP_GE_OQ);
                    const __m256 l = _mm256_or_ps(_mm256_cmp_ps(x8, t, _CMP_GT_OQ),
                                                  _mm256_and_ps(_mm256_cmp_ps(x8, neg_t, _CMP_GE_OQ),
                                                                _mm256_cmp_ps(zero, x8, _CMP_GT_OQ)));
                    __m256i *pm = (__m256i *)(void *)(wm + i), *pl = (__m256i *)(void *)(wl + i);
                    _mm256_storeu_si256(pm, _mm256_or_si256(_mm256_loadu_si256(pm),
                                                            _mm256_and_si256(_mm256_castps_si256(m), bit)));
                    _mm256_storeu_si256(pl, _mm256_or_si256(_mm256_loadu_si256(pl),
                                                            _mm256_and_si256(_mm256_castps_si256(l), bit)));
                }
                for (; i < n; i++) {
                    uint32_t bm, bl;
                    fbnn_chain_q2_bits(v[i], &bm, &bl);
                    wm[i] |= bm ? b : 0u;
                    wl[i] |= bl ? b : 0u;
                }
            }
        }
        if (msb != NULL) {
            if (nw == 1) {
                for (i = 0; i < n; i++) {
                    msb[(size_t)(p0 + i)] = am[0][i];
                    lsb[(size_t)(p0 + i)] = al[0][i];
                }
            } else {
                for (i = 0; i < n; i++)
                    for (wi = 0; wi < nw; wi++) {
                        msb[(size_t)(p0 + i) * (size_t)nw + (size_t)wi] = am[wi][i];
                        lsb[(size_t)(p0 + i) * (size_t)nw + (size_t)wi] = al[wi][i];
                    }
            }
        }
    }
    return FBNN_K_OK;
}
#else
typedef int fbnn_chain_avx2_unused; /* ISO C forbids an empty unit */
#endif
