/**
 * @file fbnn_real.h
 * @brief The one scalar type of every epilogue, and the few operations on it.
 *
 * Every non-integer computation in the reference kernels (affine, RPReLU,
 * residual add, pools, classifier, PG scaling) is written against
 * `fbnn_real` and these helpers, never against `float` directly.
 *
 * Default instantiation: IEEE binary32, each helper exactly one correctly
 * rounded operation, so the kernels reproduce the float32 arithmetic of the
 * trained model bit for bit (models/FORMAT.md section 4). This is the only
 * instantiation the library itself is built with.
 *
 * Fixed-point instantiation (FPGA / FPU-less builds of the kernels and the
 * HLS top functions only): define FBNN_REAL_FIXED_FRAC=F (1..30). A value v
 * is then stored as the integer round(v * 2^F): int32_t for F <= 16 (range
 * +-2^(31-F)), int64_t above (range +-2^(63-F)). Every helper rounds to
 * nearest (ties away from zero) and saturates instead of overflowing, so the
 * results are deterministic on every compiler and in HLS. It is a different
 * arithmetic: its accuracy is measured on its own (docs/FPGA.md), never
 * claimed equal to the float path.
 */
#ifndef FBNN_REAL_H
#define FBNN_REAL_H

#include <stdint.h>

#ifndef FBNN_REAL_FIXED_FRAC

#include <float.h>

/* Bit-exactness needs every float expression evaluated in its own type:
 * x87 excess precision (FLT_EVAL_METHOD 2) would round differently. */
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD != 0 && FLT_EVAL_METHOD != -1
#error "libfracbnn needs FLT_EVAL_METHOD == 0 (e.g. SSE2 math on x86: -msse2 -mfpmath=sse)"
#endif

typedef float fbnn_real;

/** A compile-time constant of the scalar type from a double literal whose
 *  value is exactly a float32 (generated code uses it for weights). */
#define FBNN_R_LIT(x) ((fbnn_real)(x))

/** Exact conversion of a conv sum (|v| < 2^24) to the scalar type. */
static inline fbnn_real fbnn_r_from_s32(int32_t v) { return (fbnn_real)v; }
/** One rounding: a + b. */
static inline fbnn_real fbnn_r_add(fbnn_real a, fbnn_real b) { return a + b; }
/** One rounding: a * b (never fused with a following add). */
static inline fbnn_real fbnn_r_mul(fbnn_real a, fbnn_real b) { return a * b; }
/** One rounding: a / b. */
static inline fbnn_real fbnn_r_div(fbnn_real a, fbnn_real b) { return a / b; }
/** num / 3 for an integer num (PG conv scaling): correctly rounded when
 *  |num| <= 2^24, which the model loader guarantees (3*k*k*Cin < 2^24);
 *  beyond that the conversion to float rounds first, as the float reference does. */
static inline fbnn_real fbnn_r_third(int32_t num) { return (fbnn_real)num / (fbnn_real)3; }
/** a > b. */
static inline int fbnn_r_gt(fbnn_real a, fbnn_real b) { return a > b; }
/** a >= b. */
static inline int fbnn_r_ge(fbnn_real a, fbnn_real b) { return a >= b; }
/** Round a non-negative value to the nearest integer, ties to even (NaN and
 *  values >= 2^23, already integral, pass through): the 2^23 trick is exact
 *  in binary32 round-to-nearest. */
static inline fbnn_real fbnn_r_rint_nonneg(fbnn_real v)
{
    const fbnn_real two23 = (fbnn_real)8388608.0f;
    if (v >= two23) return v;
    if (!(v >= (fbnn_real)0)) return v;
    return (v + two23) - two23;
}
/** Conversion for testbenches and hosts (exact). */
static inline double fbnn_r_to_double(fbnn_real v) { return (double)v; }

#define FBNN_R_ZERO ((fbnn_real)0)
/** The 2-bit cut point 2/3, rounded to the scalar type. */
#define FBNN_R_TWO_THIRDS ((fbnn_real)2 / (fbnn_real)3)

#else /* FBNN_REAL_FIXED_FRAC: signed fixed point with F fractional bits */

#if FBNN_REAL_FIXED_FRAC < 1 || FBNN_REAL_FIXED_FRAC > 30
#error "FBNN_REAL_FIXED_FRAC must be 1..30"
#endif

#define FBNN_R_FRAC FBNN_REAL_FIXED_FRAC

#if FBNN_REAL_FIXED_FRAC <= 16
typedef int32_t fbnn_real;
#define FBNN_R_MAX ((fbnn_real)INT32_MAX)
#define FBNN_R_MIN ((fbnn_real)(-INT32_MAX))
#else
typedef int64_t fbnn_real;
#define FBNN_R_MAX ((fbnn_real)INT64_MAX)
#define FBNN_R_MIN ((fbnn_real)(-INT64_MAX))
#endif

/** 2^F, the fixed-point one, as a double (constant expressions only). */
#define FBNN_R_ONE_D ((double)((int64_t)1 << FBNN_R_FRAC))
/** round(x * 2^F), ties away from zero; usable in static initialisers. */
#define FBNN_R_LIT(x) ((fbnn_real)((x) * FBNN_R_ONE_D + ((x) < 0 ? -0.5 : 0.5)))

/* Signed value from a sign and a magnitude, saturated to +-FBNN_R_MAX. */
static inline fbnn_real fbnn_r_from_mag(int neg, uint64_t m)
{
    if (m > (uint64_t)FBNN_R_MAX) m = (uint64_t)FBNN_R_MAX;
    return neg ? (fbnn_real)(-(int64_t)m) : (fbnn_real)m;
}
/* |v| as an unsigned 64-bit magnitude (exact, also for the minimum). */
static inline uint64_t fbnn_r_mag(int64_t v) { return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v; }

/* round(n / d) for magnitudes, ties away from zero; d > 0. */
static inline uint64_t fbnn_r_udiv_round(uint64_t n, uint64_t d) { return n / d + ((n % d) >= d - n % d ? 1u : 0u); }

/** v * 2^F (saturated). */
static inline fbnn_real fbnn_r_from_s32(int32_t v)
{
    uint64_t m = fbnn_r_mag(v);
    if (m > ((uint64_t)FBNN_R_MAX >> FBNN_R_FRAC)) return fbnn_r_from_mag(v < 0, (uint64_t)FBNN_R_MAX);
    return fbnn_r_from_mag(v < 0, m << FBNN_R_FRAC);
}
/** a + b, saturated. */
static inline fbnn_real fbnn_r_add(fbnn_real a, fbnn_real b)
{
    if (b > 0 && a > FBNN_R_MAX - b) return FBNN_R_MAX;
    if (b < 0 && a < FBNN_R_MIN - b) return FBNN_R_MIN;
    return a + b;
}
/** round(a * b / 2^F), ties away from zero, saturated. The product of the
 *  magnitudes is formed exactly in 128 bits from 32-bit limbs. */
static inline fbnn_real fbnn_r_mul(fbnn_real a, fbnn_real b)
{
    const uint64_t ua = fbnn_r_mag(a), ub = fbnn_r_mag(b);
    const uint64_t al = ua & 0xFFFFFFFFu, ah = ua >> 32, bl = ub & 0xFFFFFFFFu, bh = ub >> 32;
    const uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
    const uint64_t mid = (ll >> 32) + (lh & 0xFFFFFFFFu) + (hl & 0xFFFFFFFFu);
    uint64_t lo = (ll & 0xFFFFFFFFu) | (mid << 32);
    uint64_t hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
    const uint64_t half = (uint64_t)1 << (FBNN_R_FRAC - 1);
    lo += half;
    if (lo < half) ++hi; /* carry of the rounding add */
    if ((hi >> FBNN_R_FRAC) != 0u) return fbnn_r_from_mag((a < 0) != (b < 0), (uint64_t)FBNN_R_MAX);
    return fbnn_r_from_mag((a < 0) != (b < 0), (hi << (64 - FBNN_R_FRAC)) | (lo >> FBNN_R_FRAC));
}
/** round(a * 2^F / b), ties away from zero, saturated (b == 0 saturates). */
static inline fbnn_real fbnn_r_div(fbnn_real a, fbnn_real b)
{
    const uint64_t ua = fbnn_r_mag(a), ub = fbnn_r_mag(b);
    const int neg = (a < 0) != (b < 0);
    if (ub == 0u || ua > (UINT64_MAX >> FBNN_R_FRAC)) return fbnn_r_from_mag(neg, (uint64_t)FBNN_R_MAX);
    return fbnn_r_from_mag(neg, fbnn_r_udiv_round(ua << FBNN_R_FRAC, ub));
}
/** round(num * 2^F / 3): the PG conv scaling of an integer sum. */
static inline fbnn_real fbnn_r_third(int32_t num)
{
    return fbnn_r_from_mag(num < 0, fbnn_r_udiv_round(fbnn_r_mag(num) << FBNN_R_FRAC, 3u));
}
/** a > b. */
static inline int fbnn_r_gt(fbnn_real a, fbnn_real b) { return a > b; }
/** a >= b. */
static inline int fbnn_r_ge(fbnn_real a, fbnn_real b) { return a >= b; }
/** Round a non-negative value to the nearest integer, ties to even. */
static inline fbnn_real fbnn_r_rint_nonneg(fbnn_real v)
{
    const fbnn_real one = (fbnn_real)1 << FBNN_R_FRAC, half = (fbnn_real)1 << (FBNN_R_FRAC - 1);
    fbnn_real ip, fr;
    if (v < 0) return v;
    ip = v - (v & (one - 1));
    fr = v - ip;
    if (fr > half || (fr == half && ((ip >> FBNN_R_FRAC) & 1) != 0)) return fbnn_r_add(ip, one);
    return ip;
}
/** Conversion for testbenches and hosts (exact for F <= 52). */
static inline double fbnn_r_to_double(fbnn_real v) { return (double)v / FBNN_R_ONE_D; }

#define FBNN_R_ZERO ((fbnn_real)0)
/** round(2/3 * 2^F): 2^(F+1) mod 3 is never 0, so (2^(F+1) + 1) / 3 rounds to nearest. */
#define FBNN_R_TWO_THIRDS ((fbnn_real)((((int64_t)1 << (FBNN_R_FRAC + 1)) + 1) / 3))

#endif /* FBNN_REAL_FIXED_FRAC */

#endif /* FBNN_REAL_H */
