/**
 * @file fbnn_real.h
 * @brief The one scalar type of every epilogue, and the few operations on it.
 *
 * Every non-integer computation in the reference kernels (affine, RPReLU,
 * residual add, pools, classifier, PG scaling) is written against
 * `fbnn_real` and these helpers, never against `float` directly. Today the
 * type is IEEE binary32 and each helper is exactly one correctly rounded
 * operation, so the kernels reproduce the float32 arithmetic of the trained
 * model bit for bit (models/FORMAT.md section 4). A fixed-point build (for
 * FPU-less microcontrollers and FPGAs) replaces this header only.
 */
#ifndef FBNN_REAL_H
#define FBNN_REAL_H

#include <float.h>
#include <stdint.h>

/* Bit-exactness needs every float expression evaluated in its own type:
 * x87 excess precision (FLT_EVAL_METHOD 2) would round differently. */
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD != 0 && FLT_EVAL_METHOD != -1
#error "libfracbnn needs FLT_EVAL_METHOD == 0 (e.g. SSE2 math on x86: -msse2 -mfpmath=sse)"
#endif

typedef float fbnn_real;

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

#define FBNN_R_ZERO ((fbnn_real)0)
/** The 2-bit cut point 2/3, rounded to the scalar type. */
#define FBNN_R_TWO_THIRDS ((fbnn_real)2 / (fbnn_real)3)

#endif /* FBNN_REAL_H */
