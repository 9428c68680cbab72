/**
 * @file fbnn_hls.h
 * @brief FBNN_HLS(...): an inline `#pragma HLS ...` that only Vitis HLS sees.
 *
 * Vitis HLS defines __SYNTHESIS__ while it synthesises; host compilers (and
 * HLS C simulation) never see the pragmas, so strict -Wall -Werror builds
 * stay free of unknown-pragma warnings. _Pragma is C99 and C++11.
 * Example: `FBNN_HLS(HLS PIPELINE II=1)`.
 */
#ifndef FBNN_HLS_H
#define FBNN_HLS_H

#ifdef __SYNTHESIS__
#define FBNN_HLS(x) _Pragma(#x)
#else
#define FBNN_HLS(x)
#endif

#endif /* FBNN_HLS_H */
