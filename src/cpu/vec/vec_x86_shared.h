/*
 * Part of vec_avx2.h and vec_avx512.h (included from each, after its
 * primitives; not a header of its own): the helpers that read the same on
 * both x86 widths, written once over VF_LANES, vw_store, vf_load and the
 * width's even/odd deinterleave VF_DEINT2_ISA(p, &even, &odd) (stride 2,
 * the only one x86 needs: VF_STRIDE_MAX = VF_DEINT_MAX = 2).
 */

/* acc[j] lane p (j < nacc) to out[p * nw + j]: word j of pixel p. */
static inline void vw_store_words(uint32_t *out, int32_t nw, int32_t nacc, const vw *acc)
{
    uint32_t tmp[VF_LANES];
    int32_t j, k;
    if (nw == 1) {
        vw_store(out, acc[0]);
        return;
    }
    for (j = 0; j < nacc; ++j) {
        vw_store(tmp, acc[j]);
        for (k = 0; k < VF_LANES; ++k) out[(size_t)k * (size_t)nw + (size_t)j] = tmp[k];
    }
}

/* out[i] lane j = p[s * j + i], i < s (s = 2 .. VF_DEINT_MAX); reads p[0 .. 2 * VF_LANES). */
static inline void vf_deint(const float *p, int32_t s, vf *out)
{
    (void)s;
    VF_DEINT2_ISA(p, &out[0], &out[1]);
}
/* Lane j = p[s * j] (s = 1 .. VF_STRIDE_MAX); reads p[0 .. VF_LANES * s). */
static inline vf vf_load_stride(const float *p, int32_t s)
{
    vf v[2];
    if (s == 1) return vf_load(p);
    VF_DEINT2_ISA(p, &v[0], &v[1]);
    return v[0];
}
