/*
 * Fused elementwise chain, AArch64 Advanced SIMD (see chain__generic.c for
 * why and for the order; this kernel keeps that order). Per chunk of
 * FBNN_CHAIN_CHUNK pixels and per channel, the channel's run of values sits
 * in a small buffer and each step is one vector loop over it, 4 lanes at a
 * time, with the reference's float operations and operand order per lane
 * (fmul then fadd, never fmla: -ffp-contract=off, see eltwise__neon.c); the
 * rest of a run (< 4 values) takes the scalar step of chain_step.h.
 *
 * The Q2 bits of the last value are ORed into one pair of word rows for the
 * chunk's pixels, and a word row is written out as soon as its 32 channels
 * are done (a word depends on its own channels only), so any channel count
 * is handled with one small buffer. Like the generic kernel, this writes
 * msb/lsb words of the chunk while the chunk's later channels are still to
 * be read: fine, since the runtime only fuses when the packed planes
 * overlap nothing the chain reads.
 */
#if defined(__aarch64__)
#include <arm_neon.h>
#include <string.h>

#include "chain_step.h"

/* v[i..i+4) = y, also to the step's store buffer if it has one (in the same
 * pass: a separate copy would cost more than the arithmetic). */
static inline void put4(const fbnn_chain_step *s, float *v, size_t idx, int32_t i, float32x4_t y)
{
    vst1q_f32(v + i, y);
    if (s->store != NULL) vst1q_f32(s->store + idx, y);
}

/* One step over the n values of channel ch starting at element idx0: v[i] =
 * step(in[i]). in may be v itself (each vector is loaded before it is
 * stored), or x / the ADD input, which store may coincide with exactly. */
static void step_run(const fbnn_chain_step *s, const float *in, float *v, int32_t n, int32_t ch, size_t idx0)
{
    int32_t i = 0;
    if (s->kind == FBNN_CHAIN_AFFINE) {
        const float32x4_t a = vld1q_dup_f32(s->p0 + ch), b = vld1q_dup_f32(s->p1 + ch);
        for (; i + 4 <= n; i += 4)
            put4(s, v, idx0 + (size_t)i, i, vaddq_f32(vmulq_f32(a, vld1q_f32(in + i)), b));
    } else if (s->kind == FBNN_CHAIN_RPRELU) {
        const float32x4_t bx = vld1q_dup_f32(s->p0 + ch), sl = vld1q_dup_f32(s->p1 + ch),
                          by = vld1q_dup_f32(s->p2 + ch), zero = vdupq_n_f32(0.0f);
        for (; i + 4 <= n; i += 4) {
            const float32x4_t t = vaddq_f32(vld1q_f32(in + i), bx);
            /* t > 0 keeps t, otherwise (-0, NaN included) slope * t, as the reference. */
            const uint32x4_t pos = vcgtq_f32(t, zero);
            put4(s, v, idx0 + (size_t)i, i, vaddq_f32(vbslq_f32(pos, t, vmulq_f32(sl, t)), by));
        }
    } else {
        const float *o = s->p0 + idx0;
        if (s->other_first)
            for (; i + 4 <= n; i += 4)
                put4(s, v, idx0 + (size_t)i, i, vaddq_f32(vld1q_f32(o + i), vld1q_f32(in + i)));
        else
            for (; i + 4 <= n; i += 4)
                put4(s, v, idx0 + (size_t)i, i, vaddq_f32(vld1q_f32(in + i), vld1q_f32(o + i)));
    }
    for (; i < n; i++) {
        v[i] = fbnn_chain_apply1(s, in[i], ch, idx0 + (size_t)i);
        if (s->store != NULL) s->store[idx0 + (size_t)i] = v[i];
    }
}

/* ORs bit b of the Q2 code of v[0..n) into word rows wm / wl: the
 * predicates of fbnn_chain_q2_bits one for one (all false for NaN). */
static void q2_or(const float *v, int32_t n, uint32_t b, uint32_t *wm, uint32_t *wl)
{
    const float32x4_t zero = vdupq_n_f32(0.0f), t = vdupq_n_f32(FBNN_R_TWO_THIRDS),
                      neg_t = vdupq_n_f32(-FBNN_R_TWO_THIRDS);
    const uint32x4_t bit = vdupq_n_u32(b);
    int32_t i;
    for (i = 0; i + 4 <= n; i += 4) {
        const float32x4_t x4 = vld1q_f32(v + i);
        const uint32x4_t m = vcgeq_f32(x4, zero);
        const uint32x4_t l = vorrq_u32(vcgtq_f32(x4, t), vandq_u32(vcgeq_f32(x4, neg_t), vcgtq_f32(zero, x4)));
        vst1q_u32(wm + i, vorrq_u32(vld1q_u32(wm + i), vandq_u32(m, bit)));
        vst1q_u32(wl + i, vorrq_u32(vld1q_u32(wl + i), vandq_u32(l, bit)));
    }
    for (; i < n; i++) {
        uint32_t bm, bl;
        fbnn_chain_q2_bits(v[i], &bm, &bl);
        wm[i] |= bm ? b : 0u;
        wl[i] |= bl ? b : 0u;
    }
}

int fbnn_k_chain__neon(const fbnn_real *x, int32_t c, int32_t hw, const fbnn_chain_step *steps, int32_t n_steps,
                       uint32_t *msb, uint32_t *lsb)
{
    float v[FBNN_CHAIN_CHUNK];
    uint32_t wm[FBNN_CHAIN_CHUNK], wl[FBNN_CHAIN_CHUNK]; /* word ch >> 5 of the chunk's pixels */
    const int32_t nw = FBNN_WORDS(c);
    int32_t p0, ch, k, i;
    if (!fbnn_chain_args_ok(x, c, hw, steps, n_steps, msb, lsb)) return FBNN_K_EBADARG;
    for (p0 = 0; p0 < hw; p0 += FBNN_CHAIN_CHUNK) {
        const int32_t n = hw - p0 < FBNN_CHAIN_CHUNK ? hw - p0 : FBNN_CHAIN_CHUNK;
        for (ch = 0; ch < c; ch++) {
            const size_t idx0 = (size_t)ch * (size_t)hw + (size_t)p0;
            /* The first step reads x itself (no copy); the rest work in v. */
            for (k = 0; k < n_steps; k++) step_run(&steps[k], k == 0 ? x + idx0 : v, v, n, ch, idx0);
            if (msb == NULL) continue;
            if ((ch & 31) == 0)
                for (i = 0; i < n; i++) wm[i] = wl[i] = 0u;
            q2_or(v, n, (uint32_t)1u << (ch & 31), wm, wl);
            if ((ch & 31) == 31 || ch == c - 1) {
                /* Word ch >> 5 of every pixel of the chunk is complete. */
                const size_t w = (size_t)(ch >> 5);
                if (nw == 1) {
                    memcpy(msb + p0, wm, (size_t)n * sizeof wm[0]);
                    memcpy(lsb + p0, wl, (size_t)n * sizeof wl[0]);
                } else {
                    for (i = 0; i < n; i++) {
                        msb[(size_t)(p0 + i) * (size_t)nw + w] = wm[i];
                        lsb[(size_t)(p0 + i) * (size_t)nw + w] = wl[i];
                    }
                }
            }
        }
    }
    return FBNN_K_OK;
}
#else
typedef int fbnn_chain_neon_unused; /* ISO C forbids an empty unit */
#endif
