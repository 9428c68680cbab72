/*
 * The fused elementwise chain as one template over the float vector
 * primitives of src/cpu/vec/vec_*.h (included first by the instance file,
 * with eltwise_simd.h: vf_rprelu). Entry point fbnn_k_chain__<VEC_SUFFIX>.
 * See chain__generic.c for why and for the order: chunk by chunk, channel
 * by channel, element by element.
 *
 * Per chunk of pixels (up to 1024, see fbnn_k_chain) and per channel, the
 * steps are first decoded once (kind, operand order, parameters broadcast
 * into vectors, pointers offset to the channel's run); then each block of
 * BLOCK vectors of VF_LANES pixels is loaded once and goes through all steps
 * in registers, with the Q2 bits of the final value ORed into per-pixel word
 * accumulators of the chunk (written out when all channels are done). The
 * chains the models have (AFFINE; AFFINE RPRELU ADD AFFINE) run in loops of
 * their own without any dispatch; any other chain pays it once per step and
 * block, not per vector. No step stores or reloads a buffer unless the chain
 * asks for its result. Keeping the chunk-per-channel order matters: going
 * pixel by pixel across channels strides by a whole plane, a power of two at
 * these sizes, and thrashes one L1 set (chain_step.h).
 *
 * Exactness: per lane, the reference's float operations in its order (mul
 * then add, never an FMA: -ffp-contract=off and no FMA primitive), ordered
 * compares as the reference's > and >= (NaN false). Lanes past the last
 * multiple of VF_LANES take the scalar per-element step of chain_step.h.
 */
#ifndef FBNN_CHAIN_SIMD_H
#define FBNN_CHAIN_SIMD_H

#include "chain_step.h"

#define CHAIN_CAT2_(a, b) a##__##b
#define CHAIN_CAT_(a, b) CHAIN_CAT2_(a, b)
#define CHAIN_NAME(op) CHAIN_CAT_(op, VEC_SUFFIX)

#if defined(__GNUC__) || defined(__clang__)
/* The block and Q2 helpers must be inlined with constant sizes and modes:
 * the values then live in registers and the mode branches disappear. */
#define CHAIN_INLINE inline __attribute__((always_inline))
#else
#define CHAIN_INLINE inline
#endif

/* Vectors per block (VEC_CHAIN_BLOCK of the vec header): independent work
 * for the out-of-order core and few store tests per vector. */
#define BLOCK VEC_CHAIN_BLOCK
#define VL VF_LANES

/* Decoded step kinds; ADD keeps its operand order (NaN payloads aside, the
 * result is the same, but the reference's order costs nothing). */
enum { OP_AFFINE, OP_RPRELU, OP_ADD_VO, OP_ADD_OV };

/* Q2 accumulation modes: none; one word per pixel with the msb bit of
 * channel ch at bit ch and the lsb bit at bit 16 + ch (c <= 16: one OR
 * per vector for both planes); separate msb / lsb words (any c up to
 * MAX_WORDS words). */
enum { Q2_NONE, Q2_COMB, Q2_SPLIT };

/* At most this many Q2 words per pixel in one pass (more: slices of this
 * many words), and the accumulator words of a chunk. */
#define MAX_WORDS 4
#define ACC_WORDS 2048

/* One decoded step for one channel of one chunk. */
typedef struct step_regs {
    vf p0, p1, p2;     /* broadcast parameters (AFFINE: a, b; RPRELU: bx, slope, by) */
    const float *o;    /* ADD: the other operand at the channel's run */
    float *st;         /* where to store the step's output, or NULL */
    int q;             /* ADD: the other operand goes through the uniform quantiser */
    vf qlo, qhi, qnlo, qd; /* its lo, hi, -lo, d broadcast */
} step_regs;

/* One channel's decoded chain (for one chunk). */
typedef struct chan_prog {
    step_regs r[FBNN_CHAIN_MAX_STEPS];
    int op[FBNN_CHAIN_MAX_STEPS];
    int n_steps;
} chan_prog;

/* Where the ADD step's other operand of channel ch starts (pixel pix0 of
 * its channel: ch itself, or ch % o_c of a duplicated map), and its
 * quantiser's parameters. */
static CHAIN_INLINE void decode_other(step_regs *r, const fbnn_chain_step *s, int32_t ch, int32_t hw, size_t idx0)
{
    const size_t pix0 = idx0 - (size_t)ch * (size_t)hw;
    r->o = s->o_c > 0 ? s->p0 + (size_t)(ch % s->o_c) * (size_t)hw + pix0 : s->p0 + idx0;
    r->q = s->q_bits > 0;
    if (r->q) {
        r->qlo = vf_set1(s->q_lo);
        r->qhi = vf_set1(s->q_hi);
        r->qnlo = vf_set1(-s->q_lo);
        r->qd = vf_set1(s->q_d);
    }
}

static void decode(chan_prog *cp, const fbnn_chain_step *steps, int32_t n_steps, int32_t ch, int32_t hw, size_t idx0)
{
    int32_t k;
    cp->n_steps = n_steps;
    for (k = 0; k < n_steps; k++) {
        const fbnn_chain_step *s = &steps[k];
        step_regs *r = &cp->r[k];
        r->st = s->store != NULL ? s->store + idx0 : NULL;
        r->o = NULL;
        r->p0 = r->p1 = r->p2 = vf_zero();
        if (s->kind == FBNN_CHAIN_AFFINE) {
            cp->op[k] = OP_AFFINE;
            r->p0 = vf_bcast(s->p0 + ch);
            r->p1 = vf_bcast(s->p1 + ch);
        } else if (s->kind == FBNN_CHAIN_RPRELU) {
            cp->op[k] = OP_RPRELU;
            r->p0 = vf_bcast(s->p0 + ch);
            r->p1 = vf_bcast(s->p1 + ch);
            r->p2 = vf_bcast(s->p2 + ch);
        } else {
            cp->op[k] = s->other_first ? OP_ADD_OV : OP_ADD_VO;
            decode_other(r, s, ch, hw, idx0);
        }
    }
}

/* The uniform quantiser of an ADD step's other operand (eltwise_simd.h). */
static CHAIN_INLINE vf vf_quant(vf o, const step_regs *r) { return vf_quant_uniform(o, r->qlo, r->qhi, r->qnlo, r->qd); }

/* One step on nv vectors at pixel i of the channel's run, then its store
 * if it has one. Inlined with a constant op, the switch folds away. Each
 * step reads its inputs at these pixels before it stores, so every element
 * is read before anything at its index is written. */
static CHAIN_INLINE void step_apply(int op, const step_regs *r, int32_t i, int nv, vf *v)
{
    int j;
    switch (op) {
    case OP_AFFINE:
        for (j = 0; j < nv; j++) v[j] = vf_add(vf_mul(r->p0, v[j]), r->p1);
        break;
    case OP_RPRELU:
        for (j = 0; j < nv; j++) v[j] = vf_rprelu(v[j], r->p0, r->p1, r->p2);
        break;
    case OP_ADD_VO:
        if (r->q)
            for (j = 0; j < nv; j++) v[j] = vf_add(v[j], vf_quant(vf_load(r->o + i + VL * j), r));
        else
            for (j = 0; j < nv; j++) v[j] = vf_add(v[j], vf_load(r->o + i + VL * j));
        break;
    default: /* OP_ADD_OV */
        if (r->q)
            for (j = 0; j < nv; j++) v[j] = vf_add(vf_quant(vf_load(r->o + i + VL * j), r), v[j]);
        else
            for (j = 0; j < nv; j++) v[j] = vf_add(vf_load(r->o + i + VL * j), v[j]);
        break;
    }
    if (r->st != NULL)
        for (j = 0; j < nv; j++) vf_store(r->st + i + VL * j, v[j]);
}

/* Step sequences with a loop of their own (PAT_ANY: any chain, the step
 * kind dispatched per step and block). A FracBNN ResNet block's chain is
 * AFFINE, RPRELU, ADD, AFFINE (+ Q2); the stem's is AFFINE (+ Q2). Whether
 * a step stores stays a test per step and block (predictable, and every
 * combination would be one more copy of the loop). */
enum { PAT_ANY, PAT_A, PAT_ARPA_VO, PAT_ARPA_OV };

static int pattern_of(const chan_prog *cp)
{
    const int *op = cp->op;
    if (cp->n_steps == 1 && op[0] == OP_AFFINE) return PAT_A;
    if (cp->n_steps == 4 && op[0] == OP_AFFINE && op[1] == OP_RPRELU && op[3] == OP_AFFINE)
        return op[2] == OP_ADD_VO ? PAT_ARPA_VO : op[2] == OP_ADD_OV ? PAT_ARPA_OV : PAT_ANY;
    return PAT_ANY;
}

/* decode() for the fixed patterns (pat != PAT_ANY, known at compile time
 * once inlined): straight-line broadcasts, no loop over the steps and no
 * kind tests, so that a channel's set-up is a handful of loads. On maps of
 * 64 or 256 pixels per channel the general decode and a call per channel
 * cost about as much as the channel's own vectors. */
static CHAIN_INLINE void decode_fixed(int pat, chan_prog *cp, const fbnn_chain_step *steps, int32_t ch, int32_t hw,
                                      size_t idx0)
{
    int32_t k;
    const int32_t n = pat == PAT_A ? 1 : 4;
    cp->n_steps = n;
    for (k = 0; k < n; k++) {
        const fbnn_chain_step *s = &steps[k];
        step_regs *r = &cp->r[k];
        r->st = s->store != NULL ? s->store + idx0 : NULL;
        r->o = NULL;
        r->p2 = vf_zero();
        /* (op[] for the lone vectors at the run's end, which take the general loop) */
        if (k == 2) {
            cp->op[k] = pat == PAT_ARPA_VO ? OP_ADD_VO : OP_ADD_OV;
            r->p0 = r->p1 = r->p2;
            decode_other(r, s, ch, hw, idx0);
        } else {
            cp->op[k] = k == 1 ? OP_RPRELU : OP_AFFINE;
            r->p0 = vf_bcast(s->p0 + ch);
            r->p1 = vf_bcast(s->p1 + ch);
            if (k == 1) r->p2 = vf_bcast(s->p2 + ch);
        }
    }
}

/* nv vectors at pixel i of the channel's run through all steps (pat
 * constant once inlined: the fixed patterns written out, no dispatch). */
static CHAIN_INLINE void run_steps(int pat, const chan_prog *cp, int32_t i, int nv, vf *v)
{
    int k;
    if (pat == PAT_A) {
        step_apply(OP_AFFINE, &cp->r[0], i, nv, v);
    } else if (pat == PAT_ARPA_VO || pat == PAT_ARPA_OV) {
        step_apply(OP_AFFINE, &cp->r[0], i, nv, v);
        step_apply(OP_RPRELU, &cp->r[1], i, nv, v);
        step_apply(pat == PAT_ARPA_VO ? OP_ADD_VO : OP_ADD_OV, &cp->r[2], i, nv, v);
        step_apply(OP_AFFINE, &cp->r[3], i, nv, v);
    } else {
        for (k = 0; k < cp->n_steps; k++) {
            switch (cp->op[k]) {
            case OP_AFFINE: step_apply(OP_AFFINE, &cp->r[k], i, nv, v); break;
            case OP_RPRELU: step_apply(OP_RPRELU, &cp->r[k], i, nv, v); break;
            case OP_ADD_VO: step_apply(OP_ADD_VO, &cp->r[k], i, nv, v); break;
            default: step_apply(OP_ADD_OV, &cp->r[k], i, nv, v); break;
            }
        }
    }
}

#ifndef VQ2_HAVE_ACC
/* The Q2 bits of v ORed into *m and *l, for vec headers without a masked
 * OR of their own (vec_avx512.h has one). */
static CHAIN_INLINE void vq2_acc_bits(vf v, vw bits, vw *m, vw *l)
{
    vw bm, bl;
    vq2_bits(v, bits, &bm, &bl);
    *m = vw_or(*m, bm);
    *l = vw_or(*l, bl);
}
#endif

/* ORs the channel's Q2 bits of nv vectors at pixel i into the accumulators
 * (vq2_comb / vq2_bits of the vec header: the reference's predicates). */
static CHAIN_INLINE void q2_acc(int mode, const vf *v, int nv, int32_t i, vw bits, uint32_t *wm, uint32_t *wl)
{
    int j;
    for (j = 0; j < nv; j++) {
        if (mode == Q2_COMB) {
            /* msb in the low halves, lsb in the high halves; bits = 1 << ch | 1 << (16 + ch). */
            uint32_t *pw = wm + i + VL * j;
            vw_store(pw, vw_or(vw_load(pw), vq2_comb(v[j], bits)));
        } else if (mode == Q2_SPLIT) {
            uint32_t *pm = wm + i + VL * j, *pl = wl + i + VL * j;
            vw m = vw_load(pm), l = vw_load(pl);
            vq2_acc_bits(v[j], bits, &m, &l);
            vw_store(pm, m);
            vw_store(pl, l);
        }
    }
}

/* nv vectors at pixel i of the channel's run: load, steps, Q2 bits. */
static CHAIN_INLINE void run_vectors(int mode, int pat, const chan_prog *cp, const float *xr, int32_t i, int nv,
                                     vw bits, uint32_t *wm, uint32_t *wl)
{
    vf v[BLOCK];
    int j;
    for (j = 0; j < nv; j++) v[j] = vf_load(xr + i + VL * j);
    run_steps(pat, cp, i, nv, v);
    q2_acc(mode, v, nv, i, bits, wm, wl);
}

#ifdef VF_HAVE_MASKED
/* The last cnt < VL pixels of a channel's run as one partial vector
 * (masked loads read only them, masked stores write only them; the other
 * lanes compute on zeros and are dropped). Per valid lane the same IEEE
 * operations as the scalar step, so the same values; on maps such as
 * 14x14 (196 = 12 x 16 + 4) the scalar tail cost about a third of the
 * chain. */
static CHAIN_INLINE void run_tail_masked(int mode, const chan_prog *cp, const float *xr, int32_t i, int32_t cnt,
                                         vw bits, uint32_t *wm, uint32_t *wl)
{
    vf v = vf_load_stride_n(xr + i, 1, cnt);
    int k;
    for (k = 0; k < cp->n_steps; k++) {
        const step_regs *r = &cp->r[k];
        if (cp->op[k] == OP_AFFINE) {
            v = vf_add(vf_mul(r->p0, v), r->p1);
        } else if (cp->op[k] == OP_RPRELU) {
            v = vf_rprelu(v, r->p0, r->p1, r->p2);
        } else {
            vf o = vf_load_stride_n(r->o + i, 1, cnt);
            if (r->q) o = vf_quant(o, r);
            v = cp->op[k] == OP_ADD_VO ? vf_add(v, o) : vf_add(o, v);
        }
        if (r->st != NULL) vf_store_n(r->st + i, v, cnt);
    }
    if (mode == Q2_COMB) {
        vw_store_n(wm + i, vw_or(vw_load_n(wm + i, cnt), vq2_comb(v, bits)), cnt);
    } else if (mode == Q2_SPLIT) {
        vw m, l;
        vq2_bits(v, bits, &m, &l);
        vw_store_n(wm + i, vw_or(vw_load_n(wm + i, cnt), m), cnt);
        vw_store_n(wl + i, vw_or(vw_load_n(wl + i, cnt), l), cnt);
    }
}
#endif

/* One channel's run of n pixels of the chunk (xr: the run in x, idx0: its
 * element index); mode and pat constant once inlined. The single vectors
 * and scalar lanes of the end (hw not a multiple of the block) use the
 * general step loop. */
static CHAIN_INLINE void run_channel(int mode, int pat, const chan_prog *cp, const float *xr, int32_t n, int32_t ch,
                                     int32_t hw, size_t idx0, const fbnn_chain_step *steps, int32_t n_steps,
                                     uint32_t *wm, uint32_t *wl)
{
    const uint32_t b = (uint32_t)1u << (ch & 31);
    const vw bits = vw_set1(mode == Q2_COMB ? (b | b << 16) : b);
    int32_t i = 0;
    for (; i + VL * BLOCK <= n; i += VL * BLOCK) run_vectors(mode, pat, cp, xr, i, BLOCK, bits, wm, wl);
    for (; i + VL <= n; i += VL) run_vectors(mode, PAT_ANY, cp, xr, i, 1, bits, wm, wl);
#ifdef VF_HAVE_MASKED
    if (i < n) {
        run_tail_masked(mode, cp, xr, i, n - i, bits, wm, wl);
        return;
    }
#endif
    for (; i < n; i++) {
        const fbnn_real v = fbnn_chain_element(xr[i], steps, n_steps, ch, idx0 + (size_t)i, hw);
        uint32_t bm, bl;
        if (mode == Q2_NONE) continue;
        fbnn_chain_q2_bits(v, &bm, &bl);
        if (mode == Q2_COMB) {
            wm[i] |= (bm ? b : 0u) | (bl ? b << 16 : 0u);
        } else {
            wm[i] |= bm ? b : 0u;
            wl[i] |= bl ? b : 0u;
        }
    }
}

/* Channels ch0 .. ch1-1 of one chunk (pixels p0 .. p0+n-1), the Q2 mode
 * and step pattern as constants: one copy of the channel loop for each pair
 * (chains without Q2 are rare: the general loop only). The accumulators
 * hold the words w0 .. w0+nw-1 (ch0 = 32 * w0). */
static CHAIN_INLINE void run_chunk(int mode, int pat, const fbnn_real *x, int32_t ch0, int32_t ch1, int32_t hw,
                                   int32_t p0, int32_t n, const fbnn_chain_step *steps, int32_t n_steps,
                                   uint32_t *acc, int32_t chunk, int32_t nw, int32_t w0)
{
    int32_t ch;
    for (ch = ch0; ch < ch1; ch++) {
        const size_t idx0 = (size_t)ch * (size_t)hw + (size_t)p0;
        uint32_t *wm = acc + (size_t)((ch >> 5) - w0) * (size_t)chunk, *wl = wm + (size_t)nw * (size_t)chunk;
        chan_prog cp;
        if (pat == PAT_ANY)
            decode(&cp, steps, n_steps, ch, hw, idx0);
        else
            decode_fixed(pat, &cp, steps, ch, hw, idx0);
        run_channel(mode, pat, &cp, x + idx0, n, ch, hw, idx0, steps, n_steps, wm, wl);
    }
}

static void chunk_dispatch(int mode, int pat, const fbnn_real *x, int32_t ch0, int32_t ch1, int32_t hw, int32_t p0,
                           int32_t n, const fbnn_chain_step *steps, int32_t n_steps, uint32_t *acc, int32_t chunk,
                           int32_t nw, int32_t w0)
{
#define CHAIN_RUN(M, P) run_chunk(M, P, x, ch0, ch1, hw, p0, n, steps, n_steps, acc, chunk, nw, w0)
    if (mode == Q2_COMB) {
        if (pat == PAT_A) CHAIN_RUN(Q2_COMB, PAT_A);
        else if (pat == PAT_ARPA_VO) CHAIN_RUN(Q2_COMB, PAT_ARPA_VO);
        else if (pat == PAT_ARPA_OV) CHAIN_RUN(Q2_COMB, PAT_ARPA_OV);
        else CHAIN_RUN(Q2_COMB, PAT_ANY);
    } else if (mode == Q2_SPLIT) {
        if (pat == PAT_A) CHAIN_RUN(Q2_SPLIT, PAT_A);
        else if (pat == PAT_ARPA_VO) CHAIN_RUN(Q2_SPLIT, PAT_ARPA_VO);
        else if (pat == PAT_ARPA_OV) CHAIN_RUN(Q2_SPLIT, PAT_ARPA_OV);
        else CHAIN_RUN(Q2_SPLIT, PAT_ANY);
    } else {
        CHAIN_RUN(Q2_NONE, PAT_ANY);
    }
#undef CHAIN_RUN
}

int CHAIN_NAME(fbnn_k_chain)(const fbnn_real *x, int32_t c, int32_t hw, const fbnn_chain_step *steps, int32_t n_steps,
                       uint32_t *msb, uint32_t *lsb)
{
    /* The chunk's Q2 word accumulators: COMB [pixel]; SPLIT msb [word][pixel]
     * then lsb [word][pixel]. The chunk is as long as they fit (1024 pixels
     * with one word per pixel: a whole 32x32 map), since every channel of
     * every chunk pays for its decode and loop set-up (chunks of 256 pixels
     * measured about 18 % slower on 16x32x32); the accumulators (at most
     * 8 KiB) and a channel's runs (4 KiB each) stay in L1. Maps with more
     * than MAX_WORDS words per pixel (over 128 channels: the ImageNet
     * network's 256 to 1024) run in slices of MAX_WORDS words (128
     * channels), each slice a pass of its own over the map: every element
     * is still computed alone by the same steps (order across elements
     * does not matter, see step_apply). */
    uint32_t acc[ACC_WORDS];
    chan_prog cp;
    const int32_t nw = FBNN_WORDS(c);
    const int mode = msb == NULL ? Q2_NONE : c <= 16 ? Q2_COMB : Q2_SPLIT;
    int32_t p0, i, wi, w0;
    int pat;
    if (!fbnn_chain_args_ok(x, c, hw, steps, n_steps, msb, lsb)) return FBNN_K_EBADARG;
    /* The step pattern is the same for every channel. */
    decode(&cp, steps, n_steps, 0, hw, 0);
    pat = pattern_of(&cp);
    for (w0 = 0; w0 < nw; w0 += MAX_WORDS) {
        /* Words w0 .. w0+nws-1 (all of them without Q2), channels ch0 .. ch1-1. */
        const int32_t nws = mode != Q2_SPLIT ? nw : nw - w0 < MAX_WORDS ? nw - w0 : MAX_WORDS;
        const int32_t ch0 = 32 * w0, ch1 = mode != Q2_SPLIT || 32 * (w0 + nws) > c ? c : 32 * (w0 + nws);
        /* (A multiple of the block, so that only the map's end has lone vectors.) */
        const int32_t chunk = mode == Q2_SPLIT ? ACC_WORDS / (2 * nws) / (VL * BLOCK) * (VL * BLOCK) : ACC_WORDS / 2;
        for (p0 = 0; p0 < hw; p0 += chunk) {
            const int32_t n = hw - p0 < chunk ? hw - p0 : chunk;
            if (mode != Q2_NONE)
                for (wi = 0; wi < (mode == Q2_COMB ? 1 : 2 * nws); wi++)
                    for (i = 0; i < n; i++) acc[(size_t)wi * (size_t)chunk + (size_t)i] = 0u;
            chunk_dispatch(mode, pat, x, ch0, ch1, hw, p0, n, steps, n_steps, acc, chunk, nws, w0);
            if (mode == Q2_COMB) {
                for (i = 0; i < n; i++) {
                    msb[(size_t)(p0 + i)] = acc[i] & 0xffffu;
                    lsb[(size_t)(p0 + i)] = acc[i] >> 16;
                }
            } else if (mode == Q2_SPLIT) {
                for (i = 0; i < n; i++)
                    for (wi = 0; wi < nws; wi++) {
                        const size_t o = (size_t)(p0 + i) * (size_t)nw + (size_t)(w0 + wi);
                        msb[o] = acc[(size_t)wi * (size_t)chunk + (size_t)i];
                        lsb[o] = acc[(size_t)(nws + wi) * (size_t)chunk + (size_t)i];
                    }
            }
        }
        if (mode != Q2_SPLIT) break;
    }
    return FBNN_K_OK;
}

#endif /* FBNN_CHAIN_SIMD_H */
