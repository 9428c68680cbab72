/*
 * Real-valued conv (rconv_simd.h) with the neon primitives (vec/vec_neon.h),
 * entry point fbnn_k_rconv__neon (no flags; -ffp-contract=off keeps vmul and
 * vadd separate roundings, never vfma).
 */
#if defined(__aarch64__)
#include "fbnn_kernels.h" /* size_t, fbnn_real: before the vec header */
#include "vec/vec_neon.h"

/* 8 channels x 2 chunks = 16 of the 32 q registers. */
#define RC_NCF 2

/* Lanes j < n at column ix + j*s inside [0, w), others 0 (lane inserts). */
static inline vf rc_ld_f32_part(const float *row, int32_t ix, int32_t s, int32_t w, int32_t n)
{
    float t[4];
    int32_t j;
    for (j = 0; j < 4; ++j) {
        int32_t c = ix + j * s;
        t[j] = j < n && c >= 0 && c < w ? row[c] : 0.0f;
    }
    return vld1q_f32(t);
}
static inline vf rc_ld_u8_part(const uint8_t *row, int32_t ix, int32_t s, int32_t w, int32_t n)
{
    uint32_t t[4];
    int32_t j;
    for (j = 0; j < 4; ++j) {
        int32_t c = ix + j * s;
        t[j] = j < n && c >= 0 && c < w ? (uint32_t)row[c] : 0u;
    }
    return vcvtq_f32_u32(vld1q_u32(t));
}
/* 4 pixels, converted exactly. */
static inline vf rc_ld_u8_full(const uint8_t *p) { return rc_ld_u8_part(p, 0, 1, 4, 4); }

#include "rconv_simd.h"
#else
typedef int fbnn_rconv_neon_unused; /* ISO C forbids an empty unit */
#endif
