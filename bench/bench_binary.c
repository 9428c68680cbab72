/*
 * bench_binary: the threshold epilogue against the float epilogue, and the
 * binary FC against the float FC, per layer, through the kernel table the
 * runtime uses (FBNN_ISA=scalar|popcnt|avx2|avx512|avx512bw|neon selects the
 * set; default: the best for this CPU). One thread, batch 1.
 *
 * Per conv layer (in_c -> out_c, k x k, stride, pad, map):
 *   thr:   kt.bconv_thr_rows          (BCONV_THR: bits in, bits out)
 *   float: kt.bconv + kt.affine + kt.pack_sign (and kt.bconv alone, for the split)
 *   both convs over the 16-channel weight blocks the loader makes
 *   (kt.bconv_thr_rows_blk, kt.bconv_rows_blk) where the set has them, as
 *   in a loaded model; else repacked per call (marked in the output)
 *          (BCONV -> AFFINE (the BN) -> SIGN, the same layer before the
 *          exporter folds BN + sign into thresholds)
 * Per FC layer (n_in -> n_out):
 *   bfc_thr: kt.bfc_thr;  bfc+sign: kt.bfc + kt.pack_sign;
 *   bfc:     kt.bfc (bits in, real out);  fc: kt.fc (real in, real out).
 *
 * Before timing, every pair is checked to compute the same layer: the float
 * path's bits equal the threshold path's with a = 1, b = 0.5 - t (flip 0),
 * a = -1, b = t + 0.5 (flip 1), so s >= t <=> a*s + b >= 0 exactly.
 * Timing: R rounds; in each round every variant runs N times back to back in
 * turn (interleaved), its time per call is recorded; the median over rounds
 * is printed. Usage: bench_binary [--quick] [--rounds R]
 */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpu/dispatch.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static uint32_t rng = 12345u;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static void *xmalloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (!p) {
        fprintf(stderr, "bench_binary: out of memory\n");
        exit(2);
    }
    return p;
}

static int cmp_d(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Random packed pixels, padding bits 0. */
static void fill_bits(uint32_t *x, size_t pixels, int32_t c)
{
    const int32_t nw = FBNN_WORDS(c);
    size_t i;
    int32_t j;
    for (i = 0; i < pixels; i++)
        for (j = 0; j < nw; j++) {
            uint32_t v = rnd();
            if (j == nw - 1 && c % 32) v &= (1u << (c % 32)) - 1u;
            x[i * (size_t)nw + (size_t)j] = v;
        }
}

typedef struct conv_case {
    int32_t in_c, out_c, k, s, pad, h, w;
} conv_case;

static int rounds = 51;
static int quick = 0;

#define NV 4
typedef struct timing {
    const char *name[NV];
    double t[NV][64];
    int nv;
} timing;

/* The two conv paths as the runtime runs them: over the weight blocks the
 * loader makes (src/conv_blocks.c) when the set takes them (blk != NULL),
 * else repacking per call. */
static int run_thr(const fbnn_kernel_table *kt, const uint32_t *x, const uint32_t *w, const uint32_t *blk,
                   const int32_t *thr, const fbnn_conv_params *p, uint32_t *y)
{
    if (blk != NULL) return kt->bconv_thr_rows_blk(x, w, blk, thr, 1, p, 0, p->out_h, y);
    return kt->bconv_thr_rows(x, w, thr, p, 0, p->out_h, y);
}

static int run_bconv(const fbnn_kernel_table *kt, const uint32_t *x, const uint32_t *w, const uint32_t *blk,
                     const fbnn_conv_params *p, fbnn_real *y)
{
    if (blk != NULL) return kt->bconv_rows_blk(x, w, blk, p, 0, p->out_h, y);
    return kt->bconv(x, w, p, y);
}

static void conv_layer(const fbnn_kernel_table *kt, const conv_case *c)
{
    fbnn_conv_params p;
    size_t nw, nwo, n_in, n_w, ohw;
    uint32_t *x, *w, *y_thr, *y_f, *blk = NULL;
    int32_t *thr, o, wlen;
    fbnn_real *a, *b, *ybuf;
    double tt[3][128], med[3];
    int r, it, iters;
    p.in_c = c->in_c; p.out_c = c->out_c; p.k = c->k; p.stride = c->s; p.pad = c->pad;
    p.in_h = c->h; p.in_w = c->w;
    p.out_h = fbnn_out_size(c->h, c->k, c->s, c->pad);
    p.out_w = fbnn_out_size(c->w, c->k, c->s, c->pad);
    nw = (size_t)FBNN_WORDS(p.in_c);
    nwo = (size_t)FBNN_WORDS(p.out_c);
    n_in = (size_t)p.in_h * (size_t)p.in_w * nw;
    n_w = (size_t)p.out_c * (size_t)(p.k * p.k) * nw;
    ohw = (size_t)p.out_h * (size_t)p.out_w;
    x = xmalloc(n_in * 4); w = xmalloc(n_w * 4);
    y_thr = xmalloc(ohw * nwo * 4); y_f = xmalloc(ohw * nwo * 4);
    thr = xmalloc((size_t)p.out_c * 8);
    a = xmalloc((size_t)p.out_c * sizeof *a); b = xmalloc((size_t)p.out_c * sizeof *b);
    ybuf = xmalloc((size_t)p.out_c * ohw * sizeof *ybuf);
    fill_bits(x, (size_t)p.in_h * (size_t)p.in_w, p.in_c);
    fill_bits(w, (size_t)p.out_c * (size_t)(p.k * p.k), p.in_c);
    wlen = p.k * p.k * (int32_t)nw;
    if (kt->bconv_rows_blk && kt->bconv_thr_rows_blk && wlen <= FBNN_CONV_BLOCK_MAX_WLEN) {
        blk = xmalloc(fbnn_conv_blocks_words(p.out_c, wlen) * 4);
        fbnn_conv_blocks_pack(w, p.out_c, wlen, blk);
    }
    for (o = 0; o < p.out_c; o++) {
        thr[2 * o] = (int32_t)(rnd() % 9u) - 4;
        thr[2 * o + 1] = (int32_t)(rnd() & 1u);
        a[o] = thr[2 * o + 1] ? -1.0f : 1.0f;
        b[o] = thr[2 * o + 1] ? (fbnn_real)thr[2 * o] + 0.5f : 0.5f - (fbnn_real)thr[2 * o];
    }
    /* Same layer? */
    if (run_thr(kt, x, w, blk, thr, &p, y_thr) != 0 || run_bconv(kt, x, w, blk, &p, ybuf) != 0 ||
        kt->affine(ybuf, a, b, p.out_c, (int32_t)ohw, ybuf) != 0 ||
        kt->pack_sign(ybuf, p.out_c, p.out_h, p.out_w, y_f) != 0 || memcmp(y_thr, y_f, ohw * nwo * 4) != 0) {
        fprintf(stderr, "bench_binary: the two paths disagree on %d->%d %dx%d\n", p.in_c, p.out_c, p.in_h, p.in_w);
        exit(1);
    }
    /* About 0.5 ms of work (short rounds: fewer preemptions on a shared machine) per variant and round. */
    {
        double t0 = now();
        int n = 0;
        while (now() - t0 < 5e-4 || n < 3) {
            run_thr(kt, x, w, blk, thr, &p, y_thr);
            n++;
        }
        iters = quick ? 1 : n;
    }
    for (r = 0; r < rounds; r++) {
        double t0;
        /* Each variant starts warm (one untimed call): the order in a round does not matter. */
        run_thr(kt, x, w, blk, thr, &p, y_thr);
        t0 = now();
        for (it = 0; it < iters; it++) run_thr(kt, x, w, blk, thr, &p, y_thr);
        tt[0][r] = (now() - t0) / iters;
        run_bconv(kt, x, w, blk, &p, ybuf);
        kt->affine(ybuf, a, b, p.out_c, (int32_t)ohw, ybuf);
        kt->pack_sign(ybuf, p.out_c, p.out_h, p.out_w, y_f);
        t0 = now();
        for (it = 0; it < iters; it++) {
            run_bconv(kt, x, w, blk, &p, ybuf);
            kt->affine(ybuf, a, b, p.out_c, (int32_t)ohw, ybuf);
            kt->pack_sign(ybuf, p.out_c, p.out_h, p.out_w, y_f);
        }
        tt[1][r] = (now() - t0) / iters;
        run_bconv(kt, x, w, blk, &p, ybuf);
        t0 = now();
        for (it = 0; it < iters; it++) run_bconv(kt, x, w, blk, &p, ybuf);
        tt[2][r] = (now() - t0) / iters;
    }
    for (r = 0; r < 3; r++) med[r] = median(tt[r], rounds);
    printf("bconv %4d->%-4d %dx%d s%d p%d %3dx%-3d | thr %8.2f us | bconv+affine+sign %8.2f us | speed-up %5.2fx"
           " | (bconv alone %8.2f us)%s\n",
           p.in_c, p.out_c, p.k, p.k, p.stride, p.pad, p.in_h, p.in_w, 1e6 * med[0], 1e6 * med[1], med[1] / med[0],
           1e6 * med[2], blk != NULL ? "" : " repacked per call");
    free(x); free(w); free(y_thr); free(y_f); free(thr); free(a); free(b); free(ybuf); free(blk);
}

/* Variant v of the binary FC: 0 bfc_thr, 1 bfc + sign (the float epilogue), 2 bfc alone. */
static void fc_variant(const fbnn_kernel_table *kt, int v, const uint32_t *x, int32_t n_words, int32_t n_in,
                       const uint32_t *w, const int32_t *thr, const fbnn_real *sc, const fbnn_real *bi,
                       int32_t n_out, uint32_t *y_thr, fbnn_real *yr, uint32_t *y_f)
{
    if (v == 0) {
        kt->bfc_thr(x, n_words, n_in, w, thr, n_out, y_thr);
    } else {
        kt->bfc(x, n_words, n_in, w, sc, bi, n_out, yr);
        if (v == 1) kt->pack_sign(yr, n_out, 1, 1, y_f);
    }
}

static void fc_layer(const fbnn_kernel_table *kt, int32_t c, int32_t h, int32_t wd, int32_t n_out)
{
    const int32_t n_in = c * h * wd, n_words = h * wd * FBNN_WORDS(c), nwo = FBNN_WORDS(n_out);
    uint32_t *x = xmalloc((size_t)n_words * 4), *w = xmalloc((size_t)n_words * (size_t)n_out * 4);
    uint32_t *y_thr = xmalloc((size_t)nwo * 4), *y_f = xmalloc((size_t)nwo * 4);
    int32_t *thr = xmalloc((size_t)n_out * 8), o, i;
    fbnn_real *sc = xmalloc((size_t)n_out * sizeof *sc), *bi = xmalloc((size_t)n_out * sizeof *bi);
    fbnn_real *yr = xmalloc((size_t)n_out * sizeof *yr), *xr = xmalloc((size_t)n_in * sizeof *xr);
    fbnn_real *wr = xmalloc((size_t)n_in * (size_t)n_out * sizeof *wr);
    double tt[4][128], med[4];
    int r, it, iters;
    fill_bits(x, (size_t)h * (size_t)wd, c);
    fill_bits(w, (size_t)n_out * (size_t)h * (size_t)wd, c);
    for (i = 0; i < n_in; i++) xr[i] = (rnd() & 1u) ? 1.0f : -1.0f;
    for (i = 0; i < n_in * n_out; i++) wr[i] = (fbnn_real)((int32_t)(rnd() % 201u) - 100) / 64.0f;
    for (o = 0; o < n_out; o++) {
        thr[2 * o] = (int32_t)(rnd() % 41u) - 20;
        thr[2 * o + 1] = (int32_t)(rnd() & 1u);
        sc[o] = thr[2 * o + 1] ? -1.0f : 1.0f;
        bi[o] = thr[2 * o + 1] ? (fbnn_real)thr[2 * o] + 0.5f : 0.5f - (fbnn_real)thr[2 * o];
    }
    if (kt->bfc_thr(x, n_words, n_in, w, thr, n_out, y_thr) != 0 ||
        kt->bfc(x, n_words, n_in, w, sc, bi, n_out, yr) != 0 || kt->pack_sign(yr, n_out, 1, 1, y_f) != 0 ||
        memcmp(y_thr, y_f, (size_t)nwo * 4) != 0) {
        fprintf(stderr, "bench_binary: bfc_thr and bfc+sign disagree on %d->%d\n", n_in, n_out);
        exit(1);
    }
    {
        double t0 = now();
        int n = 0;
        while (now() - t0 < 5e-4 || n < 3) {
            kt->bfc(x, n_words, n_in, w, sc, bi, n_out, yr);
            n++;
        }
        iters = quick ? 1 : n;
    }
    /* The three binary variants interleaved, their order rotated every
     * round: the first one timed after a cache-cold start pays for it (on
     * 8192->1024, 1 MB of weights, that was 30 %), so every variant takes
     * that place equally often. The float FC (its weights 32x bigger, it
     * evicts the caches) is timed in its own rounds afterwards. */
    for (r = 0; r < rounds; r++) {
        int j;
        for (j = 0; j < 3; j++) {
            const int v = (r + j) % 3;
            double t0;
            for (it = 0; it < 2; it++) fc_variant(kt, v, x, n_words, n_in, w, thr, sc, bi, n_out, y_thr, yr, y_f);
            t0 = now();
            for (it = 0; it < iters; it++) fc_variant(kt, v, x, n_words, n_in, w, thr, sc, bi, n_out, y_thr, yr, y_f);
            tt[v][r] = (now() - t0) / iters;
        }
    }
    for (r = 0; r < rounds; r++) {
        double t0;
        kt->fc(xr, n_in, wr, bi, n_out, yr);
        t0 = now();
        for (it = 0; it < (iters + 7) / 8; it++) kt->fc(xr, n_in, wr, bi, n_out, yr);
        tt[3][r] = (now() - t0) / ((iters + 7) / 8);
    }
    for (i = 0; i < 4; i++) med[i] = median(tt[i], rounds);
    printf("fc %6d->%-4d | bfc_thr %8.2f us | bfc+sign %8.2f us (%4.2fx) | bfc %8.2f us | float fc %9.2f us (%5.1fx)\n",
           n_in, n_out, 1e6 * med[0], 1e6 * med[1], med[1] / med[0], 1e6 * med[2], 1e6 * med[3], med[3] / med[2]);
    free(x); free(w); free(y_thr); free(y_f); free(thr); free(sc); free(bi); free(yr); free(xr); free(wr);
}

int main(int argc, char **argv)
{
    static const conv_case convs[] = {
        /* fashion_mnist_binarynet (ops 1, 3, 5; since session 13) */
        {8, 64, 3, 1, 1, 28, 28},
        {64, 128, 3, 1, 1, 14, 14},
        {128, 64, 3, 1, 1, 7, 7},
        /* the narrower binarynet of sessions 4-12; xnornet's binary convs (32 -> 64, 64 -> 64) */
        {8, 32, 3, 1, 1, 28, 28},
        {32, 64, 3, 1, 1, 14, 14},
        {64, 64, 3, 1, 1, 7, 7},
        /* wider layers of the same kind (VGG-small / BinaryNet CIFAR-style) */
        {128, 128, 3, 1, 1, 16, 16},
        {128, 256, 3, 2, 1, 16, 16},
        {256, 256, 3, 1, 1, 8, 8},
        {512, 512, 3, 1, 1, 4, 4},
    };
    fbnn_kernel_table kt;
    size_t i;
    int a;
    for (a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--quick") == 0) {
            quick = 1;
            rounds = 1;
        } else if (strcmp(argv[a], "--rounds") == 0 && a + 1 < argc) {
            rounds = atoi(argv[++a]);
            if (rounds < 1 || rounds > 128) rounds = 51;
        } else {
            fprintf(stderr, "usage: bench_binary [--quick] [--rounds R (1..128)]\n");
            return 2;
        }
    }
    fbnn_kernel_table_init(&kt, 0);
    printf("kernel set: %s; one thread, batch 1; medians of %d interleaved rounds\n", kt.isa, rounds);
    for (i = 0; i < sizeof convs / sizeof convs[0]; i++) conv_layer(&kt, &convs[i]);
    fc_layer(&kt, 64, 7, 7, 256);   /* binarynet op 6 (bfc_thr), xnornet op 6 (bfc) */
    fc_layer(&kt, 256, 1, 1, 10);   /* binarynet op 7 (bfc) */
    fc_layer(&kt, 512, 4, 4, 1024); /* a VGG-style classifier layer */
    return 0;
}
