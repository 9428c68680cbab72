/*
 * The one-lane (VL = 1) "vector" operations of the blocked conv
 * (conv_simd.h) that do not depend on how popcounts are counted: shared by
 * the portable instance (conv__generic.c) and the SWAR instance
 * (conv__swar.c). Float math per lane is the reference's exactly.
 * Not a public header: include only from those files, before conv_simd.h.
 */
#ifndef FBNN_LANE_SCALAR_H
#define FBNN_LANE_SCALAR_H

#include "dispatch.h"

#define VL 1

typedef uint32_t vu;
typedef fbnn_real vf;
typedef int vm;

static inline vu vu_zero(void) { return 0u; }
static inline vu vu_load(const uint32_t *p) { return *p; }
static inline vu vu_bcast(uint32_t x) { return x; }
static inline vu vu_add(vu a, vu b) { return (vu)((int32_t)a + (int32_t)b); }
static inline vu vu_conv_sum(vu pc, int32_t base) { return (vu)(base - 2 * (int32_t)pc); }
static inline vf vf_from_vu(vu s) { return fbnn_r_from_s32((int32_t)s); }
static inline vf vf_third(vu n) { return fbnn_r_third((int32_t)n); }
static inline void vf_store(float *p, vf v) { *p = v; }
static inline unsigned vm_bits(vm m) { return m ? 1u : 0u; }
static inline uint32_t vu_hsum(vu a) { return a; }

/* Signed int32 lane compare a > b as a lane mask, and a lane select by mask. */
static inline vm vu_gt(vu a, vu b) { return (int32_t)a > (int32_t)b; }
static inline vu vu_select(vm m, vu yes, vu no) { return m ? yes : no; }

/* VL bytes zero-extended to the u32 lanes (table rows of the prefix-code path). */
static inline vu vu_load_u8(const uint8_t *p) { return *p; }

/* The 16 lanes of a block as 16 bytes (values < 256). */
static inline void vu_store_u8(uint8_t *p, const vu *v)
{
    int i;
    for (i = 0; i < 16; i++) p[i] = (uint8_t)v[i];
}

#endif
