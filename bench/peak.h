/**
 * @file peak.h
 * @brief Hardware-limit microbenchmarks of bench_compare: xor+popcount and
 * fp32 FMA throughput of one thread, each ISA variant in its own file with
 * its own compile flags (called only after a run-time CPU check).
 *
 * Every function runs `iters` iterations of an unrolled loop over data in L1
 * and returns the work done: 1-bit multiply-accumulates (one xor + popcount
 * + add per bit) or fp32 multiply-accumulates (one lane of an FMA).
 */
#ifndef FBNN_BENCH_PEAK_H
#define FBNN_BENCH_PEAK_H

#include <stdint.h>

/** 64-bit scalar xor + POPCNT + add (-mpopcnt); returns bit-MACs done. */
double fbnn_peak_xorpop_scalar(const uint64_t *act, uint64_t iters, uint64_t *sink);
/** AVX2: xor + nibble-LUT popcount (vpshufb) + byte adds (-mavx2). */
double fbnn_peak_xorpop_avx2(const uint64_t *act, uint64_t iters, uint64_t *sink);
/** AVX2 on operands pre-split into low/high nibble planes: xor + vpshufb + byte add per plane (-mavx2). */
double fbnn_peak_xorpop_avx2_nib(const uint64_t *act, uint64_t iters, uint64_t *sink);
/** AVX-512: xor + VPOPCNTQ + add (-mavx512f -mavx512vpopcntdq). */
double fbnn_peak_xorpop_avx512(const uint64_t *act, uint64_t iters, uint64_t *sink);
/** AVX2 + FMA: independent fp32 FMA chains (-mavx2 -mfma); returns fp32 MACs done. */
double fbnn_peak_fma_avx2(uint64_t iters, float *sink);

/** Size in uint64_t words of the activation buffer the xorpop loops read (L1 resident). */
#define FBNN_PEAK_ACT_WORDS 512

#endif
