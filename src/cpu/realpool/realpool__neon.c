/*
 * Float max pool and sign packing (realpool_simd.h) with the neon
 * primitives (vec/vec_neon.h), entry points fbnn_k_maxpool__neon,
 * fbnn_k_pack_sign__neon,
 * fbnn_k_quant_kbit__neon (no flags).
 */
#if defined(__aarch64__)
#include "fbnn_kernels.h" /* size_t, fbnn_real: before the vec header */
#include "vec/vec_neon.h"

/* Lanes j < n: p[j*s] (nothing else is read), others 0. */
static inline vf rp_ld_part(const float *p, int32_t s, int32_t n)
{
    float t[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    int32_t j;
    for (j = 0; j < n; ++j) t[j] = p[(size_t)j * (size_t)s];
    return vld1q_f32(t);
}
/* v where not (m >= v) and m is not NaN (m == m), else m. */
static inline vf rp_max(vf m, vf v)
{
    const uint32x4_t take = vbicq_u32(vceqq_f32(m, m), vcgeq_f32(m, v));
    return vbslq_f32(take, v, m);
}
static inline vw rp_or_ge0(vw acc, vf v, vw bit)
{
    return vorrq_u32(acc, vandq_u32(vcgeq_f32(v, vdupq_n_f32(0.0f)), bit));
}

static inline vw rp_kbit_code(vf x, vf n)
{
    const float32x4_t one = vdupq_n_f32(1.0f), two23 = vdupq_n_f32(8388608.0f);
    float32x4_t v = vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(x), vcgeq_f32(x, vdupq_n_f32(0.0f))));
    v = vbslq_f32(vcgtq_f32(v, one), one, v);
    v = vsubq_f32(vaddq_f32(vmulq_f32(v, n), two23), two23);
    return vcvtq_u32_f32(v);
}
static inline vw rp_or_codebit(vw acc, vw code, int32_t i, int32_t b)
{
    const uint32x4_t bit = vandq_u32(vshlq_u32(code, vdupq_n_s32(-i)), vdupq_n_u32(1u));
    return vorrq_u32(acc, vshlq_u32(bit, vdupq_n_s32(b)));
}

#include "realpool_simd.h"
#else
typedef int fbnn_realpool_neon_unused; /* ISO C forbids an empty unit */
#endif
