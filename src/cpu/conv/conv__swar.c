/*
 * The blocked conv (conv_simd.h) for cores without a popcount instruction
 * (Arm Cortex-M: ARMv7E-M, ARMv8.1-M), under the suffix "swarblk": one lane
 * per "vector", popcounts as four byte counters per 32-bit word
 * (conv_swar.h: swar_xpop, widened every FLUSH_EVERY = 31 steps by
 * swar_sum, USAD8 with the DSP extension). The "swar" ISA takes the binary
 * convs from here (above all the thermometer stem's prefix-code path) and
 * the PG conv from pgconv__swar.c (direct, no spilled 16-lane counters). The <= 16-channel path
 * (conv_simd_split16.h) reads the two 16-bit halves of the counters apart.
 * Portable C: compiled and tested (bit-identical to the reference) on every
 * architecture, selected automatically only where nothing faster exists.
 */
#include "conv_swar.h"
#include "lane_scalar.h"

#define FBNN_SIMD_SUFFIX swarblk
#define FLUSH_EVERY 31
/* Small stack buffers (conv_simd.h): this instance runs on microcontrollers
 * with a few KiB of stack per task. Repacked weights up to 3x3 x 256
 * channels (4.5 KiB), input bands of 1024 words, a prefix-code table of
 * 16 taps x words (8.4 KiB): about 20 KiB of stack at most (measured by
 * stack painting in examples/mcu); larger layers take the plain loop. */
#define FBNN_SIMD_MAX_WLEN 72
#define FBNN_SIMD_COMB_WORDS 1024
#define FBNN_SIMD_PREFIX_MAX_T 16

typedef uint32_t vc;

static inline vc vc_zero(void) { return 0u; }
static inline vc vc_xpop(vc c, vu x, vu w) { return swar_xpop(c, x, w); }
static inline vu vu_flush(vu acc, vc c) { return acc + swar_sum(c); }

/* Lanes holding two 16-bit halves: byte sums of bytes 0-1 (lo) and 2-3 (hi). */
#define FBNN_SIMD_HAVE_SPLIT16 1
/* swar has its own threshold conv (bconv_thr__swar.c): no second one in flash. */
#define FBNN_SIMD_NO_THR_SPLIT16 1
static inline void vc_split16(vc c, vu *lo, vu *hi)
{
    const uint32_t h = (c & 0x00ff00ffu) + ((c >> 8) & 0x00ff00ffu);
    *lo = h & 0xffffu;
    *hi = h >> 16;
}

#include "conv_simd.h"
