/*
 * Portable C instance of the blocked conv (conv_simd.h) with one lane per
 * "vector": the row-range entry points of the scalar and popcnt ISAs (the
 * full-layer scalar entries stay the reference kernels). Exact by the same
 * argument as every instance: integer popcounts, then the reference's float
 * operations per output.
 */
#include "lane_scalar.h"

#define FBNN_SIMD_SUFFIX generic
#define FLUSH_EVERY 0x7fffffff

typedef uint32_t vc;

static inline vc vc_zero(void) { return 0u; }
static inline vc vc_xpop(vc c, vu x, vu w) { return c + fbnn_popcount32(x ^ w); }
static inline vu vu_flush(vu acc, vc c) { return acc + c; }

#include "conv_simd.h"
