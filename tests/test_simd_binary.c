/*
 * The binary ops with integer epilogues (src/cpu/conv/conv_simd_binary.h):
 * bconv_thr_rows, bfc and bfc_thr (and the k-bit threshold epilogues
 * bconv_thr_kbit_rows, bfc_thr_kbit, 1..4 planes) of every kernel set this CPU can run
 * (scalar, popcnt, avx2, avx512, avx512bw, neon), of the portable instance
 * (__generic) and, in the emulation build, of the AVX-512 instances over
 * tests/avx512_emul.h, against the reference kernels bit for bit (memcmp)
 * on random data:
 *  - bconv_thr: in/out channels {1,2,15,16,17,31,32,33,64,65,96,128,256,
 *    512}, k 1/3/5/7, stride 1/2, pad 0..k-1, maps 1x1..12x13 and a few
 *    model shapes; thresholds near the sums (both outcomes), far outside
 *    them, INT32_MIN/MAX, flips 0/1; the rows split into random slices, rows
 *    outside the slice and a guard zone after the output checked untouched;
 *    every-bit-differs inputs (largest popcounts: counter flushes); windows
 *    beyond the repack buffer (reference fallback);
 *  - bfc / bfc_thr: n_words 1..300 (tails after the vector words), n_in
 *    from 1 to 32 * n_words, n_out 1..200 (partial 4-row groups and 64-row
 *    chunks), real scale and bias incl. -0, inf, NaN;
 *  - refusals: NULL pointers and bad sizes give FBNN_K_EBADARG as the
 *    reference does.
 * Plain C (no CMocka) so that scripts/test_aarch64.sh runs it under qemu.
 * Exit 0 = all exact, 1 = a mismatch.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/dispatch.h"
#include "test_random.h"

#ifdef FBNN_TEST_AVX512_EMUL
#include "avx512_emul_api.h"
#endif

static int failures = 0;

/* One set of the three entry points under test. */
typedef struct bin_set {
    const char *name;
    fbnn_bconv_thr_rows_fn bconv_thr_rows;
    fbnn_bfc_fn bfc;
    fbnn_bfc_thr_fn bfc_thr;
    fbnn_bconv_thr_kbit_rows_fn bconv_thr_kbit_rows;
    fbnn_bfc_thr_kbit_fn bfc_thr_kbit;
    fbnn_bconv_thr_rows_blk_fn bconv_thr_rows_blk; /* NULL: the set has none */
} bin_set;

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return p;
}

static void fail(const bin_set *s, const char *what, const char *fmt, long a, long b, long c)
{
    if (++failures > 20) return;
    fprintf(stderr, "MISMATCH %s %s: ", s->name, what);
    fprintf(stderr, fmt, a, b, c);
    fprintf(stderr, "\n");
}

/* A threshold for a sum in [-lim, lim]: mostly near the middle of the
 * sums' spread (both outcomes occur), sometimes outside the range or extreme. */
static int32_t rnd_thr(int32_t lim)
{
    uint32_t r = fbnn_test_rnd() % 16u;
    int32_t spread = lim / 4 + 2;
    if (r == 0) return INT32_MIN;
    if (r == 1) return INT32_MAX;
    if (r == 2) return lim + 1 + (int32_t)(fbnn_test_rnd() % 5u);
    if (r == 3) return -lim - 1 - (int32_t)(fbnn_test_rnd() % 5u);
    if (r == 4) return (int32_t)(fbnn_test_rnd() % (uint32_t)(2 * lim + 1)) - lim;
    return (int32_t)(fbnn_test_rnd() % (uint32_t)(2 * spread + 1)) - spread;
}

/* n rows of 2^planes - 1 thresholds and a flip (sorted or not: the
 * kernels count passed thresholds either way). */
static void fill_thr(int32_t *thr, int32_t n, int32_t lim, int32_t planes)
{
    const int32_t row = 1 << planes;
    int32_t o, j;
    for (o = 0; o < n; o++) {
        for (j = 0; j < row - 1; j++) thr[row * o + j] = rnd_thr(lim);
        thr[row * o + row - 1] = (int32_t)(fbnn_test_rnd() & 1u);
    }
}

/* The entry under test: the 1-bit one (kbit 0), the k-bit one with
 * `planes` (kbit 1), or the k-bit one over load-time weight blocks wblk
 * (kbit 2). */
static int conv_var(const bin_set *s, int kbit, const uint32_t *x, const uint32_t *w, const uint32_t *wblk,
                    const int32_t *thr, int32_t planes, const fbnn_conv_params *p, int32_t y0, int32_t y1, uint32_t *y)
{
    if (kbit == 2) return s->bconv_thr_rows_blk(x, w, wblk, thr, planes, p, y0, y1, y);
    return kbit ? s->bconv_thr_kbit_rows(x, w, thr, planes, p, y0, y1, y) : s->bconv_thr_rows(x, w, thr, p, y0, y1, y);
}

/* ---------------------------------------------------------------- bconv_thr */
/* planes 1 checks the 1-bit entry (kbit 0) or the k-bit one with planes 1
 * (kbit 1) against the 1-bit reference; planes > 1 the k-bit entry; kbit 2
 * the k-bit entry over weight blocks (fbnn_conv_blocks_pack, as the loader
 * makes them), where the set has it. */
static void check_conv(const bin_set *s, const fbnn_conv_params *p, int extreme, int32_t planes, int kbit)
{
    enum { GUARD = 64 };
    const size_t nw = (size_t)FBNN_WORDS(p->in_c), nwo = (size_t)FBNN_WORDS(planes * p->out_c);
    const size_t n_in = (size_t)p->in_h * (size_t)p->in_w * nw;
    const size_t n_w = (size_t)p->out_c * (size_t)(p->k * p->k) * nw;
    const size_t n_out = (size_t)p->out_h * (size_t)p->out_w * nwo;
    uint32_t *x = xmalloc(n_in * 4), *w = xmalloc(n_w * 4);
    uint32_t *y_ref = xmalloc(n_out * 4), *y_var = xmalloc((n_out + GUARD) * 4);
    int32_t *thr = xmalloc((size_t)p->out_c * 4 * ((size_t)1 << planes));
    const int32_t wlen = p->k * p->k * (int32_t)nw;
    uint32_t *wblk = NULL;
    int32_t y0, y1, rc, ref_rc;
    if (kbit == 2 && (s->bconv_thr_rows_blk == NULL || wlen > FBNN_CONV_BLOCK_MAX_WLEN)) {
        free(x); free(w); free(y_ref); free(y_var); free(thr);
        return;
    }
    fbnn_test_fill_bits(x, (size_t)p->in_h * (size_t)p->in_w, p->in_c);
    fbnn_test_fill_bits(w, (size_t)p->out_c * (size_t)(p->k * p->k), p->in_c);
    if (extreme) {
        /* Every channel bit differs from the weights: the largest popcounts. */
        size_t i;
        for (i = 0; i < n_w; i++) w[i] = 0u;
        for (i = 0; i < n_in; i++) x[i] = (i % nw == nw - 1 && p->in_c % 32) ? (1u << (p->in_c % 32)) - 1u : ~0u;
    }
    if (kbit == 2) {
        wblk = xmalloc(fbnn_conv_blocks_words(p->out_c, wlen) * 4);
        fbnn_conv_blocks_pack(w, p->out_c, wlen, wblk);
    }
    fill_thr(thr, p->out_c, p->k * p->k * p->in_c, planes);
    if (extreme) thr[0] = -p->k * p->k * p->in_c; /* exactly the extreme sum */
    ref_rc = planes == 1 ? fbnn_k_bconv_thr_rows(x, w, thr, p, 0, p->out_h, y_ref)
                         : fbnn_k_bconv_thr_kbit_rows(x, w, thr, planes, p, 0, p->out_h, y_ref);
    if (ref_rc != FBNN_K_OK) {
        fail(s, "bconv_thr reference refused", "in_c=%ld out_c=%ld k=%ld", p->in_c, p->out_c, p->k);
        goto out;
    }
    /* Whole layer, then random slices over a buffer pre-set to a pattern. */
    memset(y_var, 0xA5, (n_out + GUARD) * 4);
    rc = conv_var(s, kbit, x, w, wblk, thr, planes, p, 0, p->out_h, y_var);
    if (rc != FBNN_K_OK || memcmp(y_ref, y_var, n_out * 4) != 0)
        fail(s, kbit == 2 ? "bconv_thr_rows_blk" : kbit ? "bconv_thr_kbit" : "bconv_thr", "in_c=%ld out_c=%ld planes=%ld",
             p->in_c, p->out_c, planes);
    memset(y_var, 0xA5, (n_out + GUARD) * 4);
    {
        /* Random slices; a skipped slice must stay untouched, the others equal the reference. */
        const size_t row = (size_t)p->out_w * nwo;
        uint32_t pat;
        size_t i;
        memset(&pat, 0xA5, 4);
        for (y0 = 0; y0 < p->out_h; y0 = y1) {
            const int skip = fbnn_test_rnd() % 4u == 0u;
            y1 = y0 + 1 + (int32_t)(fbnn_test_rnd() % 3u);
            if (y1 > p->out_h) y1 = p->out_h;
            if (!skip) {
                rc = conv_var(s, kbit, x, w, wblk, thr, planes, p, y0, y1, y_var);
                if (rc != FBNN_K_OK) fail(s, "bconv_thr rows rc", "%ld %ld %ld", rc, y0, y1);
            }
            for (i = (size_t)y0 * row; i < (size_t)y1 * row; i++)
                if (y_var[i] != (skip ? pat : y_ref[i])) {
                    fail(s, skip ? "bconv_thr wrote a row outside its slice" : "bconv_thr slice",
                         "row %ld in_c=%ld out_c=%ld", (long)(i / row), p->in_c, p->out_c);
                    break;
                }
        }
        for (i = n_out; i < n_out + GUARD; i++)
            if (y_var[i] != pat) {
                fail(s, "bconv_thr wrote past the output", "out_c=%ld %ldx%ld", p->out_c, p->out_h, p->out_w);
                break;
            }
    }
out:
    free(x); free(w); free(y_ref); free(y_var); free(thr); free(wblk);
}

static int conv_shape(fbnn_conv_params *p, int32_t in_c, int32_t out_c, int32_t k, int32_t s, int32_t pad,
                      int32_t h, int32_t w)
{
    p->in_c = in_c;
    p->out_c = out_c;
    p->k = k;
    p->stride = s;
    p->pad = pad;
    p->in_h = h;
    p->in_w = w;
    p->out_h = fbnn_out_size(h, k, s, pad);
    p->out_w = fbnn_out_size(w, k, s, pad);
    return p->out_h > 0 && p->out_w > 0 && fbnn_k_conv_params_check(p) == FBNN_K_OK;
}

static void run_conv(const bin_set *s)
{
    static const int32_t ch[] = {1, 2, 15, 16, 17, 31, 32, 33, 64, 65, 96, 128, 256, 512};
    static const int32_t ks[] = {1, 3, 5, 7};
    const size_t nch = sizeof ch / sizeof ch[0];
    size_t a, b, ki;
    int n = 0;
    fbnn_conv_params p;
    for (a = 0; a < nch; a++)
        for (b = 0; b < nch; b++)
            for (ki = 0; ki < 4; ki++) {
                const int32_t k = ks[ki], big = ch[a] * ch[b] >= 16384;
                const int32_t st = 1 + (int32_t)(fbnn_test_rnd() % 2u), pad = (int32_t)(fbnn_test_rnd() % (uint32_t)k);
                const int32_t hmax = big ? 5 : 12;
                const int32_t h = 1 + (int32_t)(fbnn_test_rnd() % (uint32_t)hmax);
                const int32_t w = 1 + (int32_t)(fbnn_test_rnd() % (uint32_t)(hmax + 1));
                if (ki >= 2 && big) continue;
                if (!conv_shape(&p, ch[a], ch[b], k, st, pad, h, w)) continue;
                check_conv(s, &p, (a + b + ki) % 7 == 0, 1, 0);
                /* and the k-bit epilogue with 1..4 planes */
                check_conv(s, &p, (a + b + ki) % 7 == 0, 1 + (int32_t)(fbnn_test_rnd() % 4u), 1);
                /* and over load-time weight blocks, 1..4 planes */
                check_conv(s, &p, (a + b + ki) % 5 == 0, 1 + (int32_t)(fbnn_test_rnd() % 4u), 2);
                n++;
            }
    /* Model shapes (Fashion-MNIST BinaryNet-style), wide rows, the fallback beyond the repack buffer. */
    if (conv_shape(&p, 64, 64, 3, 1, 1, 28, 28)) check_conv(s, &p, 0, 1, 0), check_conv(s, &p, 0, 2 + (int32_t)(n % 3), 1), check_conv(s, &p, 0, 1, 2), n++;
    if (conv_shape(&p, 128, 128, 3, 1, 1, 14, 14)) check_conv(s, &p, 0, 1, 0), check_conv(s, &p, 0, 2 + (int32_t)(n % 3), 1), check_conv(s, &p, 0, 1, 2), n++;
    if (conv_shape(&p, 64, 128, 3, 2, 1, 14, 14)) check_conv(s, &p, 0, 1, 0), check_conv(s, &p, 0, 2 + (int32_t)(n % 3), 1), check_conv(s, &p, 0, 1, 2), n++;
    if (conv_shape(&p, 32, 48, 3, 1, 0, 5, 70)) check_conv(s, &p, 0, 1, 0), check_conv(s, &p, 0, 2 + (int32_t)(n % 3), 1), check_conv(s, &p, 0, 1, 2), n++;
    if (conv_shape(&p, 2048, 20, 3, 1, 1, 3, 4)) check_conv(s, &p, 0, 1, 0), check_conv(s, &p, 0, 2 + (int32_t)(n % 3), 1), check_conv(s, &p, 0, 1, 2), n++;
    if (conv_shape(&p, 1024, 33, 3, 1, 1, 3, 3)) check_conv(s, &p, 1, 1, 0), check_conv(s, &p, 1, 4, 1), check_conv(s, &p, 1, 3, 2), n++;
    printf("%-22s bconv_thr: %d shapes checked (1 bit, and 1..4 bits%s)\n", s->name, n,
           s->bconv_thr_rows_blk ? ", also over weight blocks" : "");
}

/* ---------------------------------------------------------------- bfc */
static void check_fc(const bin_set *s, int32_t n_words, int32_t n_in, int32_t n_out)
{
    const size_t nwo = (size_t)FBNN_WORDS(n_out);
    uint32_t *x = xmalloc((size_t)n_words * 4), *w = xmalloc((size_t)n_out * (size_t)n_words * 4);
    uint32_t *b_ref = xmalloc(nwo * 4), *b_var = xmalloc((nwo + 4) * 4);
    fbnn_real *scale = xmalloc((size_t)n_out * sizeof(fbnn_real)), *bias = xmalloc((size_t)n_out * sizeof(fbnn_real));
    fbnn_real *y_ref = xmalloc((size_t)n_out * sizeof(fbnn_real));
    fbnn_real *y_var = xmalloc(((size_t)n_out + 4) * sizeof(fbnn_real));
    int32_t *thr = xmalloc((size_t)n_out * 8);
    int32_t i, o;
    /* Random words; the bits past n_in zero in the input (both layouts keep them 0). */
    for (i = 0; i < n_words; i++) x[i] = fbnn_test_rnd();
    for (i = 0; i < n_out * n_words; i++) w[i] = fbnn_test_rnd();
    if (n_in < 32 * n_words) {
        for (i = n_in / 32 + 1; i < n_words; i++) x[i] = 0u;
        if (n_in % 32) x[n_in / 32] &= (1u << (n_in % 32)) - 1u;
        else x[n_in / 32] = 0u;
    }
    for (o = 0; o < n_out; o++) {
        scale[o] = (fbnn_test_rnd() % 4u) ? (fbnn_real)((int32_t)(fbnn_test_rnd() % 2001u) - 1000) / 337.0f
                                          : fbnn_test_rnd_real();
        bias[o] = (fbnn_test_rnd() % 4u) ? (fbnn_real)((int32_t)(fbnn_test_rnd() % 2001u) - 1000) / 91.0f
                                         : fbnn_test_rnd_real();
    }
    fill_thr(thr, n_out, n_in, 1);
    memset(y_var, 0x5A, ((size_t)n_out + 4) * sizeof(fbnn_real));
    memset(b_var, 0x5A, (nwo + 4) * 4);
    if (fbnn_k_bfc(x, n_words, n_in, w, scale, bias, n_out, y_ref) != FBNN_K_OK ||
        fbnn_k_bfc_thr(x, n_words, n_in, w, thr, n_out, b_ref) != FBNN_K_OK) {
        fail(s, "bfc reference refused", "n_words=%ld n_in=%ld n_out=%ld", n_words, n_in, n_out);
        goto out;
    }
    if (s->bfc(x, n_words, n_in, w, scale, bias, n_out, y_var) != FBNN_K_OK ||
        !fbnn_test_same_reals(y_ref, y_var, (size_t)n_out))
        fail(s, "bfc", "n_words=%ld n_in=%ld n_out=%ld", n_words, n_in, n_out);
    if (s->bfc_thr(x, n_words, n_in, w, thr, n_out, b_var) != FBNN_K_OK || memcmp(b_ref, b_var, nwo * 4) != 0)
        fail(s, "bfc_thr", "n_words=%ld n_in=%ld n_out=%ld", n_words, n_in, n_out);
    {
        uint32_t pat;
        fbnn_real rpat;
        memset(&pat, 0x5A, 4);
        memset(&rpat, 0x5A, sizeof rpat);
        for (i = 0; i < 4; i++)
            if (b_var[nwo + (size_t)i] != pat || memcmp(&y_var[n_out + i], &rpat, sizeof rpat) != 0)
                fail(s, "bfc wrote past the output", "n_out=%ld %ld %ld", n_out, 0, 0);
    }
    {
        /* The k-bit epilogue, 1..4 planes. */
        const int32_t planes = 1 + (int32_t)(fbnn_test_rnd() % 4u);
        const size_t nwk = (size_t)FBNN_WORDS(planes * n_out);
        int32_t *tk = xmalloc((size_t)n_out * 4 * ((size_t)1 << planes));
        uint32_t *k_ref = xmalloc(nwk * 4), *k_var = xmalloc((nwk + 4) * 4), pat;
        memset(&pat, 0x5A, 4);
        memset(k_var, 0x5A, (nwk + 4) * 4);
        fill_thr(tk, n_out, n_in, planes);
        if (fbnn_k_bfc_thr_kbit(x, n_words, n_in, w, tk, planes, n_out, k_ref) != FBNN_K_OK ||
            s->bfc_thr_kbit(x, n_words, n_in, w, tk, planes, n_out, k_var) != FBNN_K_OK ||
            memcmp(k_ref, k_var, nwk * 4) != 0)
            fail(s, "bfc_thr_kbit", "n_words=%ld n_out=%ld planes=%ld", n_words, n_out, planes);
        for (i = 0; i < 4; i++)
            if (k_var[nwk + (size_t)i] != pat) fail(s, "bfc_thr_kbit wrote past the output", "%ld%ld%ld", n_out, 0, 0);
        free(tk); free(k_ref); free(k_var);
    }
out:
    free(x); free(w); free(b_ref); free(b_var); free(scale); free(bias); free(y_ref); free(y_var); free(thr);
}

static void run_fc(const bin_set *s)
{
    static const int32_t nws[] = {1, 2, 3, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 100, 196, 300};
    static const int32_t nos[] = {1, 2, 3, 4, 5, 10, 31, 32, 33, 63, 64, 65, 128, 200};
    size_t a, b;
    int n = 0;
    for (a = 0; a < sizeof nws / sizeof nws[0]; a++)
        for (b = 0; b < sizeof nos / sizeof nos[0]; b++) {
            const int32_t nw = nws[a];
            const int32_t n_in = (b % 3 == 0) ? 32 * nw : 32 * (nw - 1) + 1 + (int32_t)(fbnn_test_rnd() % 32u);
            check_fc(s, nw, n_in, nos[b]);
            n++;
        }
    /* Every bit differs (largest popcounts: counter flushes over 300 words). */
    {
        const int32_t nw = 300, n_out = 9;
        uint32_t *x = xmalloc(nw * 4), *w = xmalloc((size_t)n_out * nw * 4), b_ref[1], b_var[1];
        int32_t thr[2 * 9], i;
        fbnn_real sc[9], bi[9], y_ref[9], y_var[9];
        for (i = 0; i < nw; i++) x[i] = ~0u;
        memset(w, 0, (size_t)n_out * nw * 4);
        for (i = 0; i < n_out; i++) {
            sc[i] = 1.0f;
            bi[i] = 0.0f;
            thr[2 * i] = -32 * nw + i - 4;
            thr[2 * i + 1] = i & 1;
        }
        if (fbnn_k_bfc(x, nw, 32 * nw, w, sc, bi, n_out, y_ref) != FBNN_K_OK ||
            s->bfc(x, nw, 32 * nw, w, sc, bi, n_out, y_var) != FBNN_K_OK ||
            memcmp(y_ref, y_var, sizeof y_ref) != 0)
            fail(s, "bfc all bits differ", "%ld %ld %ld", 0, 0, 0);
        if (fbnn_k_bfc_thr(x, nw, 32 * nw, w, thr, n_out, b_ref) != FBNN_K_OK ||
            s->bfc_thr(x, nw, 32 * nw, w, thr, n_out, b_var) != FBNN_K_OK || b_ref[0] != b_var[0])
            fail(s, "bfc_thr all bits differ", "%ld %ld %ld", (long)b_ref[0], (long)b_var[0], 0);
        free(x);
        free(w);
        n++;
    }
    printf("%-22s bfc, bfc_thr: %d shapes checked\n", s->name, n);
}

/* The same refusals as the reference. */
static void run_refusals(const bin_set *s)
{
    uint32_t x[4] = {0}, w[16] = {0}, y[4];
    int32_t thr[8] = {0};
    fbnn_real sc[4] = {1, 1, 1, 1}, bi[4] = {0}, yr[4];
    fbnn_conv_params p;
    if (s->bfc(NULL, 1, 1, w, sc, bi, 1, yr) != FBNN_K_EBADARG) fail(s, "bfc NULL in", "%ld%ld%ld", 0, 0, 0);
    if (s->bfc(x, 1, 33, w, sc, bi, 1, yr) != FBNN_K_EBADARG) fail(s, "bfc n_in > 32*n_words", "%ld%ld%ld", 0, 0, 0);
    if (s->bfc(x, 1, 1, w, sc, bi, 0, yr) != FBNN_K_EBADARG) fail(s, "bfc n_out 0", "%ld%ld%ld", 0, 0, 0);
    if (s->bfc_thr(x, 1, 1, w, NULL, 1, y) != FBNN_K_EBADARG) fail(s, "bfc_thr NULL thr", "%ld%ld%ld", 0, 0, 0);
    if (s->bfc_thr(x, 0, 1, w, thr, 1, y) != FBNN_K_EBADARG) fail(s, "bfc_thr n_words 0", "%ld%ld%ld", 0, 0, 0);
    conv_shape(&p, 4, 4, 1, 1, 0, 2, 2);
    if (s->bconv_thr_rows(x, w, thr, &p, 0, 3, y) != FBNN_K_EBADARG) fail(s, "bconv_thr y1", "%ld%ld%ld", 0, 0, 0);
    if (s->bconv_thr_rows(x, w, NULL, &p, 0, 2, y) != FBNN_K_EBADARG) fail(s, "bconv_thr NULL", "%ld%ld%ld", 0, 0, 0);
    if (s->bconv_thr_kbit_rows(x, w, thr, 0, &p, 0, 2, y) != FBNN_K_EBADARG) fail(s, "kbit planes 0", "%ld%ld%ld", 0, 0, 0);
    if (s->bconv_thr_kbit_rows(x, w, thr, 5, &p, 0, 2, y) != FBNN_K_EBADARG) fail(s, "kbit planes 5", "%ld%ld%ld", 0, 0, 0);
    if (s->bfc_thr_kbit(x, 1, 1, w, thr, 5, 1, y) != FBNN_K_EBADARG) fail(s, "bfc kbit planes 5", "%ld%ld%ld", 0, 0, 0);
    p.out_h = 3;
    if (s->bconv_thr_rows(x, w, thr, &p, 0, 1, y) != FBNN_K_EBADARG) fail(s, "bconv_thr shape", "%ld%ld%ld", 0, 0, 0);
}

static void run_set(const bin_set *s)
{
    run_conv(s);
    run_fc(s);
    run_refusals(s);
}

int main(void)
{
    int i;
    const char *seed = getenv("FBNN_TEST_SEED");
    if (seed != NULL && *seed != '\0') fbnn_test_rng_seed((uint32_t)strtoul(seed, NULL, 10));
    {
        /* The portable instance, whichever ISA rows use it. */
        const bin_set g = {"generic", fbnn_k_bconv_thr_rows__generic, fbnn_k_bfc__generic, fbnn_k_bfc_thr__generic,
                           fbnn_k_bconv_thr_kbit_rows__generic, fbnn_k_bfc_thr_kbit__generic,
                           fbnn_k_bconv_thr_rows_blk__generic};
        run_set(&g);
    }
    for (i = FBNN_ISA_SCALAR; i < FBNN_ISA_COUNT; i++) {
        fbnn_kernel_table t;
        bin_set s;
        if (fbnn_kernel_table_select(&t, (fbnn_isa)i) != 0) {
            printf("%-22s skipped: this CPU or build lacks it\n", fbnn_isa_name((fbnn_isa)i));
            continue;
        }
        s.name = t.isa;
        s.bconv_thr_rows = t.bconv_thr_rows;
        s.bfc = t.bfc;
        s.bfc_thr = t.bfc_thr;
        s.bconv_thr_kbit_rows = t.bconv_thr_kbit_rows;
        s.bfc_thr_kbit = t.bfc_thr_kbit;
        s.bconv_thr_rows_blk = t.bconv_thr_rows_blk;
        run_set(&s);
    }
#ifdef FBNN_TEST_AVX512_EMUL
    {
        const bin_set e1 = {"avx512bw-emul", fbnn_k_bconv_thr_rows__avx512_emul, fbnn_k_bfc__avx512_emul,
                            fbnn_k_bfc_thr__avx512_emul, fbnn_k_bconv_thr_kbit_rows__avx512_emul,
                            fbnn_k_bfc_thr_kbit__avx512_emul, fbnn_k_bconv_thr_rows_blk__avx512_emul};
        const bin_set e2 = {"avx512vpopcnt-emul", fbnn_k_bconv_thr_rows__avx512vpopcnt_emul,
                            fbnn_k_bfc__avx512vpopcnt_emul, fbnn_k_bfc_thr__avx512vpopcnt_emul,
                            fbnn_k_bconv_thr_kbit_rows__avx512vpopcnt_emul, fbnn_k_bfc_thr_kbit__avx512vpopcnt_emul,
                            fbnn_k_bconv_thr_rows_blk__avx512vpopcnt_emul};
        run_set(&e1);
        run_set(&e2);
    }
#endif
    if (failures) {
        fprintf(stderr, "%d mismatches\n", failures);
        return 1;
    }
    printf("all binary-op variants bit-identical to the reference\n");
    return 0;
}
