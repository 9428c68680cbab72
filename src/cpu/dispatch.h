/**
 * @file dispatch.h
 * @brief The one table of kernel pointers, and the CPU features it is chosen by.
 *
 * Every optimised variant must be bit-identical to the reference kernel in
 * kernels/; the table is filled once per context (no global state). The ISA
 * can be forced with FBNN_ISA=scalar|popcnt|avx2|avx512|avx512bw|neon in the
 * environment, FBNN_FORCE_SCALAR=1 (same as FBNN_ISA=scalar), or
 * fbnn_context_set_isa().
 *
 * Conv entries come in two forms: the whole layer, and `_rows` (only output
 * rows [y0, y1) of every channel, `out` still the full planar buffer), so
 * threads can split a layer by rows; n_gated then counts only those rows.
 */
#ifndef FBNN_DISPATCH_H
#define FBNN_DISPATCH_H

#include "fbnn_kernels.h"
#include "fracbnn/fracbnn.h"

typedef int (*fbnn_bconv_fn)(const uint32_t *in, const uint32_t *weights, const fbnn_conv_params *p,
                             fbnn_real *out);
typedef int (*fbnn_pgconv_fn)(const uint32_t *msb, const uint32_t *lsb, const uint32_t *weights,
                              const fbnn_real *threshold, const fbnn_conv_params *p, fbnn_real *out,
                              uint32_t *n_gated);
typedef int (*fbnn_bconv_rows_fn)(const uint32_t *in, const uint32_t *weights, const fbnn_conv_params *p,
                                  int32_t y0, int32_t y1, fbnn_real *out);
typedef int (*fbnn_pgconv_rows_fn)(const uint32_t *msb, const uint32_t *lsb, const uint32_t *weights,
                                   const fbnn_real *threshold, const fbnn_conv_params *p, int32_t y0,
                                   int32_t y1, fbnn_real *out, uint32_t *n_gated);
/* The same over the weights also given as 16-channel blocks made at load
 * (fbnn_conv_blocks_pack; wblk may be NULL: then as the entries above). */
typedef int (*fbnn_bconv_rows_blk_fn)(const uint32_t *in, const uint32_t *weights, const uint32_t *wblk,
                                      const fbnn_conv_params *p, int32_t y0, int32_t y1, fbnn_real *out);
typedef int (*fbnn_pgconv_rows_blk_fn)(const uint32_t *msb, const uint32_t *lsb, const uint32_t *weights,
                                       const uint32_t *wblk, const fbnn_real *threshold, const fbnn_conv_params *p,
                                       int32_t y0, int32_t y1, fbnn_real *out, uint32_t *n_gated);

/* Longest window (k*k*words of in_c) the blocked SIMD convs take; longer
 * ones run a plain per-channel loop (conv_simd.h). */
#define FBNN_CONV_BLOCK_MAX_WLEN 512
/* Output channels per weight block of the blocked SIMD convs. */
#define FBNN_CONV_BLOCK_OC 16
/** Words of the weight blocks of a conv: out_c rounded up to 16 channels x wlen. */
static inline size_t fbnn_conv_blocks_words(int32_t out_c, int32_t wlen)
{
    return (size_t)((out_c + FBNN_CONV_BLOCK_OC - 1) / FBNN_CONV_BLOCK_OC) * FBNN_CONV_BLOCK_OC * (size_t)wlen;
}
/** Fill blk (fbnn_conv_blocks_words words) from weights [out_c][wlen]: block
 *  b holds channels 16b .. 16b+15 as [t][16 lanes] (word t of each channel
 *  side by side), lanes past out_c zero: the layout the blocked SIMD convs
 *  otherwise build per call and block (conv_simd.h, repack). */
void fbnn_conv_blocks_pack(const uint32_t *weights, int32_t out_c, int32_t wlen, uint32_t *blk);

typedef int (*fbnn_affine_fn)(const fbnn_real *x, const fbnn_real *a, const fbnn_real *b, int32_t c,
                              int32_t hw, fbnn_real *y);
typedef int (*fbnn_rprelu_fn)(const fbnn_real *x, const fbnn_real *bx, const fbnn_real *slope,
                              const fbnn_real *by, int32_t c, int32_t hw, fbnn_real *y);
typedef int (*fbnn_add_fn)(const fbnn_real *x0, const fbnn_real *x1, int32_t n, fbnn_real *y);
typedef int (*fbnn_quant2_fn)(const fbnn_real *x, int32_t c, int32_t h, int32_t w, uint32_t *msb,
                              uint32_t *lsb);

typedef int (*fbnn_thermometer_fn)(const uint8_t *img, int32_t c, int32_t h, int32_t w, int32_t resolution,
                                   int32_t bits, uint32_t *out);
typedef int (*fbnn_avgpool_fn)(const fbnn_real *x, int32_t c, int32_t h, int32_t w, int32_t k, int32_t s,
                               int32_t dup, fbnn_real *y);
/* avgpool of fbnn_k_quant_uniform(x, bits, lo, hi) without storing the quantised map. */
typedef int (*fbnn_avgpool_q_fn)(const fbnn_real *x, int32_t c, int32_t h, int32_t w, int32_t k, int32_t s,
                                 int32_t dup, int32_t q_bits, fbnn_real q_lo, fbnn_real q_hi, fbnn_real *y);
typedef int (*fbnn_global_avgpool_fn)(const fbnn_real *x, int32_t c, int32_t h, int32_t w, fbnn_real *y);
typedef int (*fbnn_maxpool_fn)(const fbnn_real *x, int32_t c, int32_t h, int32_t w, int32_t k, int32_t s,
                               int32_t pad, fbnn_real *y);
typedef int (*fbnn_maxpool_bits_fn)(const uint32_t *x, int32_t c, int32_t h, int32_t w, int32_t k, int32_t s,
                                    int32_t pad, uint32_t *y);
typedef int (*fbnn_fc_fn)(const fbnn_real *x, int32_t n_in, const fbnn_real *w, const fbnn_real *b, int32_t n_out,
                          fbnn_real *y);
/**
 * The float FC over column panels of its weights (fbnn_fc_panel_pack):
 * panel block jb holds rows 16 jb .. 16 jb + 15 of the row-major
 * [n_out][n_in] matrix w as n_in x 16 floats, panel[(jb * n_in + i) * 16 +
 * k] = w[16 jb + k][i], so that the 16 weights of one column are one
 * contiguous read. Rows past the last full block are read from w. The
 * result is fbnn_k_fc's, bit for bit.
 */
#define FBNN_FC_PANEL_ROWS 16
typedef int (*fbnn_fc_panel_fn)(const fbnn_real *x, int32_t n_in, const fbnn_real *panel, const fbnn_real *w,
                                const fbnn_real *b, int32_t n_out, fbnn_real *y);
/** Floats of the panels of an [n_out][n_in] weight: its full blocks of 16 rows. */
static inline size_t fbnn_fc_panel_floats(int32_t n_in, int32_t n_out)
{
    return (size_t)(n_out / FBNN_FC_PANEL_ROWS) * FBNN_FC_PANEL_ROWS * (size_t)n_in;
}
/** Fill panel (fbnn_fc_panel_floats(n_in, n_out) floats) from the row-major w. */
void fbnn_fc_panel_pack(const fbnn_real *w, int32_t n_in, int32_t n_out, fbnn_real *panel);

typedef int (*fbnn_pack_sign_fn)(const fbnn_real *x, int32_t c, int32_t h, int32_t w, uint32_t *out);
typedef int (*fbnn_bconv_pad_value_fn)(const uint32_t *weights, const fbnn_conv_params *p, int32_t pad_value,
                                       fbnn_real *out);
typedef int (*fbnn_bconv_thr_rows_fn)(const uint32_t *in, const uint32_t *weights, const int32_t *thr,
                                      const fbnn_conv_params *p, int32_t y0, int32_t y1, uint32_t *out);
typedef int (*fbnn_bfc_fn)(const uint32_t *in, int32_t n_words, int32_t n_in, const uint32_t *weights,
                           const fbnn_real *scale, const fbnn_real *bias, int32_t n_out, fbnn_real *out);
typedef int (*fbnn_bfc_thr_fn)(const uint32_t *in, int32_t n_words, int32_t n_in, const uint32_t *weights,
                               const int32_t *thr, int32_t n_out, uint32_t *out);
typedef int (*fbnn_bconv_thr_kbit_rows_fn)(const uint32_t *in, const uint32_t *weights, const int32_t *thr,
                                           int32_t planes, const fbnn_conv_params *p, int32_t y0, int32_t y1,
                                           uint32_t *out);
typedef int (*fbnn_bfc_thr_kbit_fn)(const uint32_t *in, int32_t n_words, int32_t n_in, const uint32_t *weights,
                                    const int32_t *thr, int32_t planes, int32_t n_out, uint32_t *out);
/* bconv_thr_kbit_rows with the weights also as 16-channel blocks made at load
 * (fbnn_conv_blocks_pack; wblk may be NULL: then exactly the entry above). */
typedef int (*fbnn_bconv_thr_rows_blk_fn)(const uint32_t *in, const uint32_t *weights, const uint32_t *wblk,
                                          const int32_t *thr, int32_t planes, const fbnn_conv_params *p, int32_t y0,
                                          int32_t y1, uint32_t *out);
typedef int (*fbnn_quant_uniform_fn)(const fbnn_real *x, int32_t n, int32_t bits, fbnn_real lo, fbnn_real hi,
                                     fbnn_real *y);
typedef int (*fbnn_rconv_fn)(const fbnn_real *x_real, const uint8_t *x_u8, const fbnn_real *weights,
                             const fbnn_real *bias, const fbnn_conv2_params *p, fbnn_real *out);
typedef int (*fbnn_quant_kbit_fn)(const fbnn_real *x, int32_t c, int32_t h, int32_t w, int32_t planes,
                                  uint32_t *out);
typedef int (*fbnn_kconv_fn)(const uint32_t *in, const uint32_t *weights, const fbnn_real *alpha,
                             const fbnn_conv2_params *p, fbnn_real *out);
typedef int (*fbnn_bconv_asym_fn)(const uint32_t *in, const uint32_t *weights, const fbnn_conv2_params *p,
                                  int32_t pad_value, fbnn_real *out);

/**
 * One step of a fused elementwise chain (fbnn_chain_fn): the ops AFFINE,
 * RPRELU and ADD of the graph, applied to the running value v of every
 * element [c][i] of a planar [C][HW] map with exactly the reference's float
 * operations, in order.
 */
typedef struct fbnn_chain_step {
    uint32_t kind;               /**< FBNN_CHAIN_AFFINE, FBNN_CHAIN_RPRELU or FBNN_CHAIN_ADD */
    uint32_t other_first;        /**< ADD: 1 = other + v (other is the left operand), 0 = v + other */
    const fbnn_real *p0, *p1, *p2; /**< AFFINE: a, b; RPRELU: bx, slope, by; ADD: other [o_c or C][HW] */
    fbnn_real *store;            /**< where to write the step's output [C][HW], or NULL */
    /* ADD only: the other operand as the graph's shortcut computes it, so
     * that the ops producing it need not run first (fuse.c absorbs them):
     * channel ch reads channel ch % o_c of p0 (o_c = 0: ch itself; a
     * CONCAT of one map with itself), and with q_bits != 0 each value read
     * goes through fbnn_k_quant_uniform(bits, q_lo, q_hi) first (q_d: its
     * step, (q_hi - q_lo) / (2^bits - 1), as that kernel computes it). */
    int32_t o_c;
    int32_t q_bits;
    fbnn_real q_lo, q_hi, q_d;
} fbnn_chain_step;
#define FBNN_CHAIN_AFFINE 1u
#define FBNN_CHAIN_RPRELU 2u
#define FBNN_CHAIN_ADD 3u
#define FBNN_CHAIN_MAX_STEPS 16

/**
 * A fused elementwise chain: for every element, v = x; each step in turn;
 * then, if msb != NULL, the Q2 packing of the final v (fbnn_k_quant2_pack
 * layout: pixel-major words, FBNN_WORDS(c) per pixel). Every element is
 * read (x, ADD inputs) before anything of a LATER element in the kernel's
 * order is written, so a written buffer may coincide exactly with a read
 * one (in place), but must not overlap it at an offset; the runtime
 * checks that before fusing.
 */
typedef int (*fbnn_chain_fn)(const fbnn_real *x, int32_t c, int32_t hw, const fbnn_chain_step *steps,
                             int32_t n_steps, uint32_t *msb, uint32_t *lsb);

typedef struct fbnn_kernel_table {
    fbnn_bconv_fn bconv;
    fbnn_pgconv_fn pgconv;
    fbnn_bconv_rows_fn bconv_rows;
    fbnn_pgconv_rows_fn pgconv_rows;
    /* The _rows entries over weight blocks made at load (NULL: the sets
     * without the blocked SIMD convs). */
    fbnn_bconv_rows_blk_fn bconv_rows_blk;
    fbnn_pgconv_rows_blk_fn pgconv_rows_blk;
    /* Elementwise epilogue (reference signatures of fbnn_kernels.h). */
    fbnn_affine_fn affine;
    fbnn_rprelu_fn rprelu;
    fbnn_add_fn add;
    fbnn_quant2_fn quant2;
    fbnn_thermometer_fn thermometer;
    /* Fused elementwise chain (NULL: the runtime runs the ops one by one,
     * as the scalar set does). */
    fbnn_chain_fn chain;
    /* Fuse a planned chain only on maps of at least this many bytes (below,
     * the separate kernels work in L1 and the chain's per-channel set-up
     * may cost more than it saves; measured per kernel, dispatch.c). */
    uint32_t chain_min_bytes;
    fbnn_avgpool_fn avgpool;
    /* A QUANT_UNIFORM read only by the AVGPOOL after it, as one pass
     * (fuse.c, FBNN_FUSE_QPOOL; NULL: the two ops run one by one, as the
     * scalar sets do). */
    fbnn_avgpool_q_fn avgpool_q;
    fbnn_global_avgpool_fn global_avgpool;
    /* Every op reaches its kernel through this table (src/ops*.c); of
     * these, maxpool and pack_sign have SIMD variants in the avx2, avx512
     * and neon rows (SET_BNN, as do rconv, quant_kbit, kconv, bconv_asym
     * and bconv_pad_value below), the others only the reference kernel. */
    fbnn_maxpool_fn maxpool;
    fbnn_maxpool_bits_fn maxpool_bits;
    fbnn_fc_fn fc;
    /* fc over the model's weight panels (NULL: the scalar sets; fc only). */
    fbnn_fc_panel_fn fc_panel;
    fbnn_pack_sign_fn pack_sign;
    fbnn_quant_uniform_fn quant_uniform;
    fbnn_bconv_pad_value_fn bconv_pad_value; /* border correction of a bconv padded with +1/-1 */
    /* Binary ops of issue 18: conv with the threshold epilogue (rows
     * [y0, y1), bits out), binary FC (real out) and binary FC with the
     * threshold epilogue (bits out); SIMD variants in every conv
     * instance (conv_simd_binary.h), the reference on the scalar set. */
    fbnn_bconv_thr_rows_fn bconv_thr_rows;
    fbnn_bfc_fn bfc;
    fbnn_bfc_thr_fn bfc_thr;
    fbnn_rconv_fn rconv;             /* real conv (1.2); SIMD variants per ISA */
    fbnn_quant_kbit_fn quant_kbit;   /* k-bit activation planes (1.2) */
    fbnn_kconv_fn kconv;             /* k-bit x multi-base binary conv (1.2) */
    fbnn_bconv_asym_fn bconv_asym;   /* bconv with per-side padding (1.2) */
    /* k-bit threshold epilogue (bconv_thr / bfc_thr with planes > 1): bit planes out. */
    fbnn_bconv_thr_kbit_rows_fn bconv_thr_kbit_rows;
    fbnn_bfc_thr_kbit_fn bfc_thr_kbit;
    /* bconv_thr (1..4 planes) over load-time weight blocks; NULL on the
     * scalar and SWAR sets, which read the weights as they are. */
    fbnn_bconv_thr_rows_blk_fn bconv_thr_rows_blk;
    fbnn_isa id;     /**< the chosen variant set */
    const char *isa; /**< name of the variant set: "scalar", "popcnt", "avx2",
                          "avx512-vpopcntdq", "avx512bw" or "neon" */
} fbnn_kernel_table;

/* Instances of the blocked conv (conv_simd.h). */
#define FBNN_DECLARE_CONV_VARIANT(sfx)                                                                   \
    int fbnn_k_bconv__##sfx(const uint32_t *in, const uint32_t *weights, const fbnn_conv_params *p,     \
                            fbnn_real *out);                                                            \
    int fbnn_k_pgconv__##sfx(const uint32_t *msb, const uint32_t *lsb, const uint32_t *weights,         \
                             const fbnn_real *threshold, const fbnn_conv_params *p, fbnn_real *out,     \
                             uint32_t *n_gated);                                                        \
    int fbnn_k_bconv_rows__##sfx(const uint32_t *in, const uint32_t *weights, const fbnn_conv_params *p, \
                                 int32_t y0, int32_t y1, fbnn_real *out);                               \
    int fbnn_k_pgconv_rows__##sfx(const uint32_t *msb, const uint32_t *lsb, const uint32_t *weights,    \
                                  const fbnn_real *threshold, const fbnn_conv_params *p, int32_t y0,    \
                                  int32_t y1, fbnn_real *out, uint32_t *n_gated);                       \
    int fbnn_k_bconv_rows_blk__##sfx(const uint32_t *in, const uint32_t *weights, const uint32_t *wblk, \
                                     const fbnn_conv_params *p, int32_t y0, int32_t y1, fbnn_real *out); \
    int fbnn_k_pgconv_rows_blk__##sfx(const uint32_t *msb, const uint32_t *lsb, const uint32_t *weights, \
                                      const uint32_t *wblk, const fbnn_real *threshold,                 \
                                      const fbnn_conv_params *p, int32_t y0, int32_t y1, fbnn_real *out,  \
                                      uint32_t *n_gated);

/* The binary ops with integer epilogues over the conv primitives
 * (src/cpu/conv/conv_simd_binary.h, built into every conv instance). */
#define FBNN_DECLARE_BINARY_VARIANT(sfx)                                                                   \
    int fbnn_k_bconv_thr_rows__##sfx(const uint32_t *in, const uint32_t *weights, const int32_t *thr,     \
                                     const fbnn_conv_params *p, int32_t y0, int32_t y1, uint32_t *out);   \
    int fbnn_k_bfc__##sfx(const uint32_t *in, int32_t n_words, int32_t n_in, const uint32_t *weights,     \
                          const fbnn_real *scale, const fbnn_real *bias, int32_t n_out, fbnn_real *out);  \
    int fbnn_k_bfc_thr__##sfx(const uint32_t *in, int32_t n_words, int32_t n_in, const uint32_t *weights, \
                              const int32_t *thr, int32_t n_out, uint32_t *out);                          \
    int fbnn_k_bconv_thr_kbit_rows__##sfx(const uint32_t *in, const uint32_t *weights, const int32_t *thr,  \
                                          int32_t planes, const fbnn_conv_params *p, int32_t y0, int32_t y1, \
                                          uint32_t *out);                                                    \
    int fbnn_k_bfc_thr_kbit__##sfx(const uint32_t *in, int32_t n_words, int32_t n_in,                      \
                                   const uint32_t *weights, const int32_t *thr, int32_t planes,             \
                                   int32_t n_out, uint32_t *out);                                           \
    int fbnn_k_bconv_thr_rows_blk__##sfx(const uint32_t *in, const uint32_t *weights, const uint32_t *wblk,  \
                                         const int32_t *thr, int32_t planes, const fbnn_conv_params *p,     \
                                         int32_t y0, int32_t y1, uint32_t *out);

/* Instances of the elementwise family (src/cpu/elementwise: epilogue ops,
 * Q2 pack, fused chain, uniform quantiser) and of the float FC over the same
 * vector primitives (src/cpu/fc/fc__<isa>.c). */
#define FBNN_DECLARE_ELTWISE_VARIANT(sfx)                                                                  \
    int fbnn_k_affine__##sfx(const fbnn_real *x, const fbnn_real *a, const fbnn_real *b, int32_t c,        \
                             int32_t hw, fbnn_real *y);                                                    \
    int fbnn_k_rprelu__##sfx(const fbnn_real *x, const fbnn_real *bx, const fbnn_real *slope,              \
                             const fbnn_real *by, int32_t c, int32_t hw, fbnn_real *y);                    \
    int fbnn_k_add__##sfx(const fbnn_real *x0, const fbnn_real *x1, int32_t n, fbnn_real *y);             \
    int fbnn_k_quant2_pack__##sfx(const fbnn_real *x, int32_t c, int32_t h, int32_t w, uint32_t *msb,     \
                                  uint32_t *lsb);                                                          \
    int fbnn_k_chain__##sfx(const fbnn_real *x, int32_t c, int32_t hw, const fbnn_chain_step *steps,      \
                            int32_t n_steps, uint32_t *msb, uint32_t *lsb);                               \
    int fbnn_k_quant_uniform__##sfx(const fbnn_real *x, int32_t n, int32_t bits, fbnn_real lo, fbnn_real hi, \
                                    fbnn_real *y);                                                         \
    int fbnn_k_fc__##sfx(const fbnn_real *x, int32_t n_in, const fbnn_real *w, const fbnn_real *b,         \
                         int32_t n_out, fbnn_real *y);                                                    \
    int fbnn_k_fc_panel__##sfx(const fbnn_real *x, int32_t n_in, const fbnn_real *panel, const fbnn_real *w, \
                               const fbnn_real *b, int32_t n_out, fbnn_real *y);

/* Instances of the pooling family (src/cpu/pool). */
#define FBNN_DECLARE_POOL_VARIANT(sfx)                                                                     \
    int fbnn_k_avgpool__##sfx(const fbnn_real *x, int32_t c, int32_t h, int32_t w, int32_t k, int32_t s,  \
                              int32_t dup, fbnn_real *y);                                                  \
    int fbnn_k_avgpool_q__##sfx(const fbnn_real *x, int32_t c, int32_t h, int32_t w, int32_t k, int32_t s, \
                                int32_t dup, int32_t q_bits, fbnn_real q_lo, fbnn_real q_hi, fbnn_real *y); \
    int fbnn_k_global_avgpool__##sfx(const fbnn_real *x, int32_t c, int32_t h, int32_t w, fbnn_real *y);

/* The real-valued and k-bit ops of the BNN family (issue 18): real conv
 * (src/cpu/rconv), k-bit x multi-base conv (src/cpu/kconv), float max pool,
 * sign and k-bit packing (src/cpu/realpool), the binary conv's padding value
 * correction and per-side padded conv (src/cpu/bconvpad). */
#define FBNN_DECLARE_BNN_VARIANT(sfx)                                                                     \
    int fbnn_k_rconv__##sfx(const fbnn_real *x_real, const uint8_t *x_u8, const fbnn_real *weights,       \
                            const fbnn_real *bias, const fbnn_conv2_params *p, fbnn_real *out);        \
    int fbnn_k_maxpool__##sfx(const fbnn_real *x, int32_t c, int32_t h, int32_t w, int32_t k, int32_t s,  \
                              int32_t pad, fbnn_real *y);                                                  \
    int fbnn_k_pack_sign__##sfx(const fbnn_real *x, int32_t c, int32_t h, int32_t w, uint32_t *out);      \
    int fbnn_k_kconv__##sfx(const uint32_t *in, const uint32_t *weights, const fbnn_real *alpha,          \
                            const fbnn_conv2_params *p, fbnn_real *out);                                  \
    int fbnn_k_quant_kbit__##sfx(const fbnn_real *x, int32_t c, int32_t h, int32_t w, int32_t planes,     \
                                 uint32_t *out);                                                          \
    int fbnn_k_bconv_pad_value__##sfx(const uint32_t *weights, const fbnn_conv_params *p, int32_t pad_value, \
                                      fbnn_real *out);                                                    \
    int fbnn_k_bconv_asym__##sfx(const uint32_t *in, const uint32_t *weights, const fbnn_conv2_params *p,  \
                                 int32_t pad_value, fbnn_real *out);

FBNN_DECLARE_CONV_VARIANT(generic)
FBNN_DECLARE_BINARY_VARIANT(generic)
/* The "swar" ISA (cores without a popcount instruction: byte-counter
 * popcounts): the blocked instance for binary convs (conv__swar.c) and a
 * direct PG conv (pgconv__swar.c), threshold conv and binary FCs. */
FBNN_DECLARE_CONV_VARIANT(swarblk)
FBNN_DECLARE_BINARY_VARIANT(swarblk)
int fbnn_k_pgconv__swar(const uint32_t *msb, const uint32_t *lsb, const uint32_t *weights,
                        const fbnn_real *threshold, const fbnn_conv_params *p, fbnn_real *out, uint32_t *n_gated);
int fbnn_k_bconv_thr_rows__swar(const uint32_t *in, const uint32_t *weights, const int32_t *thr,
                                const fbnn_conv_params *p, int32_t y0, int32_t y1, uint32_t *out);
int fbnn_k_bfc__swar(const uint32_t *in, int32_t n_words, int32_t n_in, const uint32_t *weights,
                     const fbnn_real *scale, const fbnn_real *bias, int32_t n_out, fbnn_real *out);
int fbnn_k_bfc_thr__swar(const uint32_t *in, int32_t n_words, int32_t n_in, const uint32_t *weights,
                         const int32_t *thr, int32_t n_out, uint32_t *out);
int fbnn_k_quant2_pack__swar(const fbnn_real *x, int32_t c, int32_t h, int32_t w, uint32_t *msb, uint32_t *lsb);
int fbnn_k_pgconv_rows__swar(const uint32_t *msb, const uint32_t *lsb, const uint32_t *weights,
                             const fbnn_real *threshold, const fbnn_conv_params *p, int32_t y0, int32_t y1,
                             fbnn_real *out, uint32_t *n_gated);
int fbnn_k_chain__generic(const fbnn_real *x, int32_t c, int32_t hw, const fbnn_chain_step *steps, int32_t n_steps,
                          uint32_t *msb, uint32_t *lsb);
int fbnn_k_thermometer__words(const uint8_t *img, int32_t c, int32_t h, int32_t w, int32_t resolution,
                              int32_t bits, uint32_t *out);
#if defined(__x86_64__) || defined(__i386__)
/* x86 variants: the reference convs compiled with -mpopcnt ... */
int fbnn_k_bconv__popcnt(const uint32_t *in, const uint32_t *weights, const fbnn_conv_params *p,
                         fbnn_real *out);
int fbnn_k_pgconv__popcnt(const uint32_t *msb, const uint32_t *lsb, const uint32_t *weights,
                          const fbnn_real *threshold, const fbnn_conv_params *p, fbnn_real *out,
                          uint32_t *n_gated);
#define FBNN_HAVE_POPCNT_VARIANTS 1
/* ... and the vector families with AVX2 / AVX-512BW / AVX-512 VPOPCNTDQ. */
FBNN_DECLARE_CONV_VARIANT(avx2)
FBNN_DECLARE_CONV_VARIANT(avx512)
FBNN_DECLARE_CONV_VARIANT(avx512vpopcnt)
FBNN_DECLARE_BINARY_VARIANT(avx2)
FBNN_DECLARE_BINARY_VARIANT(avx512)
FBNN_DECLARE_BINARY_VARIANT(avx512vpopcnt)
FBNN_DECLARE_ELTWISE_VARIANT(avx2)
FBNN_DECLARE_ELTWISE_VARIANT(avx512)
FBNN_DECLARE_POOL_VARIANT(avx2)
FBNN_DECLARE_POOL_VARIANT(avx512)
FBNN_DECLARE_BNN_VARIANT(avx2)
FBNN_DECLARE_BNN_VARIANT(avx512)
#define FBNN_HAVE_X86_SIMD_VARIANTS 1
#endif
#if defined(__aarch64__)
FBNN_DECLARE_CONV_VARIANT(neon)
FBNN_DECLARE_BINARY_VARIANT(neon)
FBNN_DECLARE_ELTWISE_VARIANT(neon)
FBNN_DECLARE_POOL_VARIANT(neon)
FBNN_DECLARE_BNN_VARIANT(neon)
#define FBNN_HAVE_NEON_VARIANTS 1
#endif

/** CPU features relevant to the kernels, detected at run time (OS support
 *  of the vector state included: a feature is 1 only if usable). */
typedef struct fbnn_cpu_features {
    int popcnt, avx2, fma, avx512f, avx512bw, avx512vpopcntdq, avx512bitalg, neon;
} fbnn_cpu_features;

/** Detect the features of the CPU we run on (cpuid + xgetbv on x86). */
void fbnn_cpu_detect(fbnn_cpu_features *f);

/** 1 if `isa` can run on a CPU with features `f` (FBNN_ISA_AUTO: always). */
int fbnn_isa_available(fbnn_isa isa, const fbnn_cpu_features *f);

/** The name fbnn_isa_parse() takes for `isa` ("auto", "scalar", ...), NULL
 *  if out of range. */
const char *fbnn_isa_name(fbnn_isa isa);

/** Parse an ISA name ("scalar", "popcnt", "avx2", "avx512", "avx512bw", "neon",
 *  "auto"); FBNN_ISA_AUTO for NULL/empty, -1 if unknown. */
int fbnn_isa_parse(const char *name);

/**
 * Fill `t` with the kernels of `isa` (FBNN_ISA_AUTO: the best for this CPU).
 * Returns 0, or -1 (table untouched) if the CPU or build lacks `isa`.
 */
int fbnn_kernel_table_select(fbnn_kernel_table *t, fbnn_isa isa);

/** Fill `t` with the best kernels for this CPU, or the reference ones if
 *  force_scalar; FBNN_FORCE_SCALAR / FBNN_ISA in the environment override
 *  (an ISA this CPU lacks falls back to the automatic choice). */
void fbnn_kernel_table_init(fbnn_kernel_table *t, int force_scalar);

#endif /* FBNN_DISPATCH_H */
