/*
 * Part of the conv_simd.h template, included from it once per ISA instance
 * after conv_simd_gemm.h (not a header of its own): 1x1 stride-1 convs with
 * the vector lanes over 16 consecutive pixels of one output channel (the
 * ImageNet network's PGconv1x1 layers, 32 to 1024 input channels).
 *
 * Why: the GEMM of conv_simd_gemm.h has its lanes over 16 output channels,
 * so every result is a [pixel][channel] tile that must be transposed to the
 * planar output map (24 shuffles per 64 floats). On Zen 4 that
 * transposition took 15 % of a 256 -> 256 28 x 28 PG layer (19 of 132 us,
 * measured by leaving it out). Here one vector holds one output channel's
 * 16 pixels, so results are stored straight into their plane. The price is
 * moving the packed input into [word][pixel] order, once per chunk of
 * pixels for all output channels: nw words per pixel against out_c floats
 * of output per pixel, 32-1024x less data than the output transposition
 * (and nothing to move at one word per pixel: read in place).
 * Per register block (16 pixels x PIXGEMM_P channels) and input word: one
 * vector load of 16 pixels' word, then per channel one xor with the
 * broadcast weight word, one popcount, one add: the same three vector ops
 * per 512 binary MACs as the other GEMM.
 *
 * PG convs: the MSB pass, the gates of the block (integer compares as in
 * every other path: 2*Sm > G, fbnn_simd_gate_int), the LSB pass where one
 * fires, then pg_out's integers and fl(n / 3) per lane. Every output is the
 * reference's bit for bit. Pixels past the last whole group of 16 (a
 * range's last 0-15) go through the channel-lane GEMM (gemm1x1_range).
 *
 * An instance turns the path on with FBNN_SIMD_PIXGEMM (VL = 16 u32 lanes
 * whose vc_xpop counts into 32-bit lanes without flushes) and provides what
 * conv_simd_pixlane.h asks for; the epilogue is that file's.
 */
#if defined(FBNN_SIMD_PIXGEMM) && defined(FBNN_SIMD_GEMM_P) && FBNN_SIMD_GEMM_P > 0

/* Output channels per register block (2 x 8 counters, 8 weight words). */
#define PIXGEMM_P 8
/* Words of one plane's transposed chunk (8 KiB; both planes of a chunk stay
 * in L1 while all output channels sweep it). */
#define PIXGEMM_WORDS 2048

/* xt[i * n + t] = x[t * nw + i] for t < n pixels, i < nw words. */
static FBNN_SIMD_INLINE void SIMD_FN(pixgemm_transpose)(const uint32_t *x, int32_t nw, int32_t n, uint32_t *xt)
{
    int32_t t, i;
#ifdef FBNN_SIMD_HAVE_XPOSE16
    if (n % 16 == 0) { /* always here: n is a multiple of 16 */
        for (t = 0; t < n; t += 16) vu_xpose16(x + (size_t)t * (size_t)nw, nw, xt + t, (size_t)n);
        return;
    }
#endif
    for (t = 0; t < n; t++)
        for (i = 0; i < nw; i++) xt[(size_t)i * (size_t)n + (size_t)t] = x[(size_t)t * (size_t)nw + (size_t)i];
}

/* pc[c] (c < nc) = per pixel lane, sum over the nw words of popcount(x ^
 * w[c][i]); xt: word i's 16 pixels at xt + i * ld; w: channel c's row at w +
 * c * nw. nc is a literal at the hot call, so the channel loop unrolls. */
static FBNN_SIMD_INLINE void SIMD_FN(pixgemm_pass)(const uint32_t *xt, size_t ld, int32_t nw, const uint32_t *w,
                                                   int32_t nc, vu *pc)
{
    int32_t i, c;
    for (c = 0; c < nc; c++) pc[c] = vu_zero();
    for (i = 0; i < nw; i++) {
        const vu x = vu_load(xt + (size_t)i * ld);
        for (c = 0; c < nc; c++) pc[c] = vc_xpop(pc[c], x, vu_bcast(w[(size_t)c * (size_t)nw + (size_t)i]));
    }
}

/* One register block: 16 pixels (xt columns) x nc channels (weight rows
 * from w, integer gates g); results to dst + c * hw (conv_simd_pixlane.h's
 * epilogue, the base alike in all lanes). */
static FBNN_SIMD_INLINE uint32_t SIMD_FN(pixgemm_block)(const uint32_t *xtm, const uint32_t *xtl, size_t ld,
                                                        int32_t nw, const uint32_t *w, const int32_t *g, int32_t nc,
                                                        int32_t base, float *dst, size_t hw)
{
    const unsigned all = vm_head(VL);
    const vu bv = vu_bcast((uint32_t)base);
    vu pm[PIXGEMM_P], pl[PIXGEMM_P];
    vm m[PIXGEMM_P];
    SIMD_FN(pixgemm_pass)(xtm, ld, nw, w, nc, pm);
    if (xtl == NULL) {
        SIMD_FN(pixlane_bin_out)(pm, bv, nc, VL, dst, hw);
        return 0u;
    }
    if (SIMD_FN(pixlane_gate)(pm, bv, g, nc, all, m) == 0u)
        return SIMD_FN(pixlane_pg_out)(pm, NULL, m, bv, nc, all, VL, dst, hw);
    SIMD_FN(pixgemm_pass)(xtl, ld, nw, w, nc, pl);
    return SIMD_FN(pixlane_pg_out)(pm, pl, m, bv, nc, all, VL, dst, hw);
}

/* Pixels [q_a, q_main) of rows [y0, y1), q_main = q_a + a multiple of 16;
 * returns q_main, or -1 if the layer is not a 1x1 stride-1 unpadded conv
 * whose words fit a chunk of 16 pixels. *n_gated: the gated outputs. */
static FBNN_SIMD_NOINLINE int32_t SIMD_FN(pixgemm_part)(const uint32_t *msb, const uint32_t *lsb,
                                                        const uint32_t *weights, const fbnn_real *thr,
                                                        const fbnn_conv_params *p, int32_t y0, int32_t y1,
                                                        fbnn_real *out, uint32_t *n_gated)
{
    FBNN_SIMD_ALIGN uint32_t xtm[PIXGEMM_WORDS], xtl[PIXGEMM_WORDS];
    int32_t gall[PIXLANE_GATES];
    const int32_t nw = FBNN_WORDS(p->in_c), base = p->in_c, lim = 128 * nw;
    const size_t hw = (size_t)p->out_h * (size_t)p->out_w;
    const int32_t q_a = y0 * p->out_w, q_b = y1 * p->out_w;
    int32_t chunk, c0, o0, t, q_main;
    uint32_t gated = 0u;

    if (p->k != 1 || p->stride != 1 || p->pad != 0 || p->in_h != p->out_h || p->in_w != p->out_w ||
        nw * VL > PIXGEMM_WORDS || nw > FBNN_SIMD_MAX_WLEN || (lsb != NULL && p->out_c > PIXLANE_GATES))
        return -1;
    /* The last 0-15 pixels go to the channel-lane GEMM: on 14 x 14 and
     * 7 x 7 maps that measured faster than one more group with its extra
     * lanes masked (Zen 4: 61.5 against 63.8 us, 256 -> 512 at 14 x 14). */
    q_main = q_a + ((q_b - q_a) & ~(VL - 1));
    /* One word per pixel: the packed input is already [word][pixel], so
     * the whole range is one chunk read in place (each channel block then
     * writes its planes front to back, as on the 3x3 pixel-lane path). */
    chunk = nw == 1 ? q_main - q_a : (PIXGEMM_WORDS / nw) & ~(VL - 1);
    /* The integer gates once per call, not per chunk (4 chunks on 28 x 28). */
    if (lsb != NULL) SIMD_FN(pixlane_gates_all)(thr, p->out_c, lim, gall);
    for (c0 = q_a; c0 < q_main; c0 += chunk) {
        const int32_t n = q_main - c0 < chunk ? q_main - c0 : chunk;
        const uint32_t *xm_c = xtm, *xl_c = xtl;
        if (nw == 1) {
            xm_c = msb + c0;
            xl_c = lsb != NULL ? lsb + c0 : NULL;
        } else {
            SIMD_FN(pixgemm_transpose)(msb + (size_t)c0 * (size_t)nw, nw, n, xtm);
            if (lsb != NULL) SIMD_FN(pixgemm_transpose)(lsb + (size_t)c0 * (size_t)nw, nw, n, xtl);
        }
        for (o0 = 0; o0 < p->out_c; o0 += PIXGEMM_P) {
            const int32_t nc = p->out_c - o0 < PIXGEMM_P ? p->out_c - o0 : PIXGEMM_P;
            const uint32_t *w = weights + (size_t)o0 * (size_t)nw;
            float *const dst = out + (size_t)o0 * hw + (size_t)c0;
            const uint32_t *const xl = lsb != NULL ? xl_c : NULL;
            const int32_t *g = gall + o0; /* read only with lsb != NULL */
            for (t = 0; t < n; t += VL) {
                if (nc == PIXGEMM_P)
                    gated += SIMD_FN(pixgemm_block)(xm_c + t, xl != NULL ? xl + t : NULL, (size_t)n, nw, w, g,
                                                    PIXGEMM_P, base, dst + t, hw);
                else
                    gated += SIMD_FN(pixgemm_block)(xm_c + t, xl != NULL ? xl + t : NULL, (size_t)n, nw, w, g, nc,
                                                    base, dst + t, hw);
            }
        }
    }
    *n_gated = gated;
    return q_main;
}

/* Returns 1 if it computed rows [y0, y1), 0 if the layer is not for this
 * path. The channel-lane GEMM takes the last 0-15 pixels, its stack frame
 * beside this path's rather than inside it. */
static FBNN_SIMD_INLINE int SIMD_FN(pixgemm_rows)(const uint32_t *msb, const uint32_t *lsb, const uint32_t *weights,
                                                  const uint32_t *wblk, const fbnn_real *thr,
                                                  const fbnn_conv_params *p, int32_t y0, int32_t y1, fbnn_real *out,
                                                  uint32_t *n_gated)
{
    uint32_t gated = 0u, rest = 0u;
    const int32_t q_main = SIMD_FN(pixgemm_part)(msb, lsb, weights, thr, p, y0, y1, out, &gated);
    if (q_main < 0) return 0;
    if (q_main < y1 * p->out_w)
        SIMD_FN(gemm1x1_range)(msb, lsb, weights, wblk, thr, p, y0, q_main, y1 * p->out_w, out, &rest);
    if (n_gated != NULL) *n_gated = gated + rest;
    return 1;
}

#undef PIXGEMM_WORDS
#undef PIXGEMM_P
#endif /* FBNN_SIMD_PIXGEMM */
