/*
 * The BNN family's real-valued and k-bit ops (src/cpu/rconv, src/cpu/kconv,
 * src/cpu/realpool, src/cpu/bconvpad): rconv, kconv, the float max pool, pack_sign and
 * quant_kbit of every
 * kernel set this CPU can run (every ISA up to FBNN_ISA_COUNT), against the
 * reference kernels bit for bit (memcmp; two NaNs match whatever their
 * payload, test_random.h) on random shapes and data:
 *  - rconv: groups 1, 2, 3 and depthwise (multiplier 1 and 2), k 1..7,
 *    stride 1..3, each side's padding 0..k-1 on its own (asymmetric), odd
 *    maps 1x1..19x23 and flattened 1x1 convs, float or 8-bit input, bias or
 *    none; ordinary values (rounding in every add), the edge values of
 *    test_random.h (0, -0, inf, NaN, tiny), non-finite weights (the
 *    variants' reference fallback);
 *  - kconv: planes 1..4, bases 1..4, in_c 1..100 (plane words not aligned),
 *    k 1..5, stride 1..3, asymmetric padding;
 *  - maxpool: k 1..4, stride 1..4, pad 0..k-1, NaN, -0 and equal values;
 *  - pack_sign and quant_kbit (1..4 planes): c 1..100, odd maps, -0, NaN,
 *    tiny values, values at the code steps;
 *  - bconv_asym (per-side padding) and bconv_pad_value (the +-1 padding
 *    correction over random reals): in_c 1..256 (word tails), k 1..7,
 *    stride 1..3, padding value -1/0/+1;
 *  - refusals: NULL pointers and bad shapes give FBNN_K_EBADARG as the
 *    reference does.
 * A guard zone after every output must stay untouched.
 * Plain C (no CMocka) so that scripts/test_aarch64.sh runs it under qemu.
 * Exit 0 = all exact, 1 = a mismatch.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/dispatch.h"
#include "test_random.h"

enum { GUARD = 64 };

static int failures = 0;
static long checked = 0;

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return p;
}

static int32_t rnd(int32_t n) { return (int32_t)(fbnn_test_rnd() % (uint32_t)n); }

/* An ordinary float (every add rounds), or with probability 1/mix an edge value. */
static fbnn_real rnd_val(int32_t mix)
{
    if (mix > 0 && rnd(mix) == 0) return fbnn_test_rnd_real();
    return (fbnn_real)((double)(int32_t)(fbnn_test_rnd() % 200001u) - 100000.0) / (fbnn_real)31337.0f;
}

static void fail(const char *isa, const char *what, const char *shape)
{
    if (++failures > 20) return;
    fprintf(stderr, "MISMATCH %s %s: %s\n", isa, what, shape);
}

/* The guard words after an output of n floats/words still hold 0xA5. */
static int guard_ok(const void *buf, size_t n_bytes)
{
    const unsigned char *g = (const unsigned char *)buf + n_bytes;
    size_t i;
    for (i = 0; i < GUARD * 4; i++)
        if (g[i] != 0xA5) return 0;
    return 1;
}

/* ------------------------------------------------------------------ rconv */
static void check_rconv(const char *isa, fbnn_rconv_fn fn, const fbnn_conv2_params *p, int u8, int with_bias,
                        int mix, int bad_w)
{
    const size_t n_in = (size_t)p->in_c * (size_t)p->in_h * (size_t)p->in_w;
    const size_t n_w = (size_t)p->out_c * (size_t)(p->in_c / p->groups) * (size_t)(p->k * p->k);
    const size_t n_out = (size_t)p->out_c * (size_t)p->out_h * (size_t)p->out_w;
    fbnn_real *x = xmalloc(n_in * 4), *w = xmalloc(n_w * 4), *b = xmalloc((size_t)p->out_c * 4);
    uint8_t *xu = xmalloc(n_in);
    fbnn_real *y_ref = xmalloc(n_out * 4), *y_var = xmalloc((n_out + GUARD) * 4);
    char shape[200];
    size_t i;
    int rc_ref, rc;
    for (i = 0; i < n_in; i++) {
        x[i] = rnd_val(mix);
        xu[i] = (uint8_t)fbnn_test_rnd();
    }
    for (i = 0; i < n_w; i++) w[i] = rnd_val(mix);
    for (i = 0; i < (size_t)p->out_c; i++) b[i] = rnd_val(mix);
    if (bad_w) w[(size_t)rnd((int32_t)n_w)] = rnd(2) ? (fbnn_real)INFINITY : (fbnn_real)NAN;
    snprintf(shape, sizeof shape, "in %dx%dx%d out_c %d k %d s %d pad t%d l%d b%d r%d groups %d u8 %d bias %d mix %d bad_w %d",
             p->in_c, p->in_h, p->in_w, p->out_c, p->k, p->stride, p->pad_t, p->pad_l, p->pad_b, p->pad_r, p->groups,
             u8, with_bias, mix, bad_w);
    rc_ref = fbnn_k_rconv(u8 ? NULL : x, u8 ? xu : NULL, w, with_bias ? b : NULL, p, y_ref);
    memset(y_var, 0xA5, (n_out + GUARD) * 4);
    rc = fn(u8 ? NULL : x, u8 ? xu : NULL, w, with_bias ? b : NULL, p, y_var);
    if (rc_ref != FBNN_K_OK || rc != FBNN_K_OK || !fbnn_test_same_reals(y_ref, y_var, n_out) ||
        !guard_ok(y_var, n_out * 4))
        fail(isa, "rconv", shape);
    checked++;
    free(x);
    free(w);
    free(b);
    free(xu);
    free(y_ref);
    free(y_var);
}

/* A random valid shape; mode 0 any, 1 depthwise, 2 flattened 1x1. */
static void rnd_conv2(fbnn_conv2_params *p, int mode)
{
    static const int32_t groups_of[] = {1, 1, 2, 3};
    memset(p, 0, sizeof *p);
    p->k = mode == 2 ? 1 : 1 + rnd(rnd(4) == 0 ? 7 : 5);
    p->stride = mode == 2 ? 1 : 1 + rnd(3);
    p->pad_t = rnd(p->k);
    p->pad_l = rnd(p->k);
    p->pad_b = rnd(p->k);
    p->pad_r = rnd(p->k);
    if (mode == 2) p->pad_t = p->pad_l = p->pad_b = p->pad_r = 0;
    p->in_h = 1 + rnd(19);
    p->in_w = 1 + rnd(23);
    if (p->in_h + p->pad_t + p->pad_b < p->k) p->in_h = p->k;
    if (p->in_w + p->pad_l + p->pad_r < p->k) p->in_w = p->k;
    if (mode == 1) {
        p->groups = p->in_c = 1 + rnd(40);
        p->out_c = p->in_c * (1 + rnd(2));
    } else {
        p->groups = groups_of[rnd(4)];
        p->in_c = p->groups * (1 + rnd(mode == 2 ? 70 : 20));
        p->out_c = p->groups * (1 + rnd(20));
    }
    p->planes = 1;
    p->bases = 1;
    p->out_h = (p->in_h + p->pad_t + p->pad_b - p->k) / p->stride + 1;
    p->out_w = (p->in_w + p->pad_l + p->pad_r - p->k) / p->stride + 1;
}

static void run_rconv(const char *isa, fbnn_rconv_fn fn)
{
    int it;
    fbnn_conv2_params p;
    for (it = 0; it < 400; it++) {
        rnd_conv2(&p, it % 5 == 3 ? 1 : it % 5 == 4 ? 2 : 0);
        check_rconv(isa, fn, &p, rnd(4) == 0, rnd(3) != 0, it % 7 == 0 ? 3 : it % 7 == 1 ? 0 : 50, it % 23 == 5);
    }
    /* Model shapes: the Fashion stems, Bi-Real shortcuts, a QuickNet-like depthwise. */
    {
        static const int32_t shapes[][10] = {
            /* in_c in_h in_w out_c k s pad_t pad_l pad_b pad_r; groups 1 unless in_c == out_c == 32 below */
            {1, 28, 28, 32, 3, 1, 1, 1, 1, 1},  {32, 14, 14, 48, 1, 1, 0, 0, 0, 0}, {48, 7, 7, 96, 1, 1, 0, 0, 0, 0},
            {96, 3, 3, 192, 1, 1, 0, 0, 0, 0},  {3, 32, 32, 16, 3, 2, 0, 0, 1, 1},  {3, 31, 33, 8, 7, 2, 3, 3, 3, 3},
            {32, 16, 16, 32, 3, 2, 0, 0, 1, 1}, {16, 9, 9, 64, 1, 2, 0, 0, 0, 0},
        };
        size_t i;
        for (i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
            memset(&p, 0, sizeof p);
            p.in_c = shapes[i][0];
            p.in_h = shapes[i][1];
            p.in_w = shapes[i][2];
            p.out_c = shapes[i][3];
            p.k = shapes[i][4];
            p.stride = shapes[i][5];
            p.pad_t = shapes[i][6];
            p.pad_l = shapes[i][7];
            p.pad_b = shapes[i][8];
            p.pad_r = shapes[i][9];
            p.groups = i == 6 ? 32 : 1;
            p.planes = p.bases = 1;
            p.out_h = (p.in_h + p.pad_t + p.pad_b - p.k) / p.stride + 1;
            p.out_w = (p.in_w + p.pad_l + p.pad_r - p.k) / p.stride + 1;
            check_rconv(isa, fn, &p, i == 0, 1, 50, 0);
            check_rconv(isa, fn, &p, 0, 0, 0, 0);
        }
    }
    /* Refusals. */
    {
        fbnn_real x[4] = {0}, w[4] = {0}, y[4];
        fbnn_conv2_params q;
        memset(&q, 0, sizeof q);
        q.in_c = q.in_h = q.in_w = q.out_c = q.k = q.stride = q.groups = q.planes = q.bases = 1;
        q.out_h = q.out_w = 1;
        if (fn(NULL, NULL, w, NULL, &q, y) != FBNN_K_EBADARG || fn(x, NULL, NULL, NULL, &q, y) != FBNN_K_EBADARG ||
            fn(x, NULL, w, NULL, &q, NULL) != FBNN_K_EBADARG)
            fail(isa, "rconv refusal", "NULL");
        q.out_w = 2;
        if (fn(x, NULL, w, NULL, &q, y) != FBNN_K_EBADARG) fail(isa, "rconv refusal", "out_w");
    }
}

/* ------------------------------------------------------- maxpool, pack_sign */
static void run_pool_sign(const char *isa, fbnn_maxpool_fn mp, fbnn_pack_sign_fn ps, fbnn_quant_kbit_fn qk)
{
    int it;
    char shape[160];
    for (it = 0; it < 400; it++) {
        const int32_t k = 1 + rnd(4), s = 1 + rnd(4), pad = rnd(k);
        int32_t c = 1 + rnd(it % 4 == 0 ? 100 : 9), h = 1 + rnd(21), w = 1 + rnd(37);
        const int32_t mix = it % 5 == 0 ? 2 : 20;
        int32_t ho, wo;
        size_t n_in, n_out, n_bits, i;
        fbnn_real *x, *y_ref, *y_var;
        uint32_t *b_ref, *b_var;
        if (h + 2 * pad < k) h = k;
        if (w + 2 * pad < k) w = k;
        if (it % 8 == 1) {
            h = 28;
            w = 28;
        }
        ho = (h + 2 * pad - k) / s + 1;
        wo = (w + 2 * pad - k) / s + 1;
        n_in = (size_t)c * (size_t)h * (size_t)w;
        n_out = (size_t)c * (size_t)ho * (size_t)wo;
        n_bits = (size_t)h * (size_t)w * (size_t)FBNN_WORDS(c);
        x = xmalloc(n_in * 4);
        y_ref = xmalloc(n_out * 4);
        y_var = xmalloc((n_out + GUARD) * 4);
        b_ref = xmalloc(n_bits * 4);
        b_var = xmalloc((n_bits + GUARD) * 4);
        /* Few distinct values: equal taps (the earlier one stays), -0 vs +0. */
        for (i = 0; i < n_in; i++) x[i] = it % 3 == 2 ? (fbnn_real)(rnd(5) - 2) * (rnd(2) ? 1.0f : -0.0f) : rnd_val(mix);
        snprintf(shape, sizeof shape, "c %d h %d w %d k %d s %d pad %d mix %d", c, h, w, k, s, pad, mix);
        memset(y_var, 0xA5, (n_out + GUARD) * 4);
        if (fbnn_k_maxpool(x, c, h, w, k, s, pad, y_ref) != FBNN_K_OK || mp(x, c, h, w, k, s, pad, y_var) != FBNN_K_OK ||
            !fbnn_test_same_reals(y_ref, y_var, n_out) || !guard_ok(y_var, n_out * 4))
            fail(isa, "maxpool", shape);
        memset(b_var, 0xA5, (n_bits + GUARD) * 4);
        if (fbnn_k_pack_sign(x, c, h, w, b_ref) != FBNN_K_OK || ps(x, c, h, w, b_var) != FBNN_K_OK ||
            memcmp(b_ref, b_var, n_bits * 4) != 0 || !guard_ok(b_var, n_bits * 4))
            fail(isa, "pack_sign", shape);
        {
            const int32_t planes = 1 + rnd(4);
            const size_t n_q = (size_t)h * (size_t)w * (size_t)FBNN_WORDS(planes * c);
            uint32_t *q_ref = xmalloc(n_q * 4), *q_var = xmalloc((n_q + GUARD) * 4);
            /* Values around the code steps (k/n +- ulp) and outside [0, 1]. */
            if (it % 3 == 1)
                for (i = 0; i < n_in; i++)
                    x[i] = (fbnn_real)rnd(2 * 15 + 3) / (fbnn_real)(2 * ((1 << planes) - 1)) - 0.05f * (fbnn_real)rnd(2);
            memset(q_var, 0xA5, (n_q + GUARD) * 4);
            if (fbnn_k_quant_kbit(x, c, h, w, planes, q_ref) != FBNN_K_OK ||
                qk(x, c, h, w, planes, q_var) != FBNN_K_OK || memcmp(q_ref, q_var, n_q * 4) != 0 ||
                !guard_ok(q_var, n_q * 4))
                fail(isa, "quant_kbit", shape);
            if (qk(x, c, h, w, 5, q_var) != FBNN_K_EBADARG || qk(NULL, c, h, w, planes, q_var) != FBNN_K_EBADARG)
                fail(isa, "quant_kbit refusal", shape);
            free(q_ref);
            free(q_var);
        }
        checked += 3;
        free(x);
        free(y_ref);
        free(y_var);
        free(b_ref);
        free(b_var);
    }
    {
        fbnn_real x[16] = {0}, y[16];
        uint32_t b[16];
        if (mp(NULL, 1, 4, 4, 2, 2, 0, y) != FBNN_K_EBADARG || mp(x, 1, 4, 4, 2, 2, 0, NULL) != FBNN_K_EBADARG ||
            mp(x, 1, 4, 4, 2, 2, 2, y) != FBNN_K_EBADARG || mp(x, 0, 4, 4, 2, 2, 0, y) != FBNN_K_EBADARG)
            fail(isa, "maxpool refusal", "bad args");
        if (ps(NULL, 1, 4, 4, b) != FBNN_K_EBADARG || ps(x, 1, 4, 4, NULL) != FBNN_K_EBADARG ||
            ps(x, 0, 4, 4, b) != FBNN_K_EBADARG || ps(x, 1, 0, 4, b) != FBNN_K_EBADARG)
            fail(isa, "pack_sign refusal", "bad args");
    }
}

/* ------------------------------------------------------------------ kconv */
static void run_kconv(const char *isa, fbnn_kconv_fn fn)
{
    int it;
    char shape[200];
    for (it = 0; it < 300; it++) {
        fbnn_conv2_params p;
        size_t nw, nwp, n_in, n_w, n_out, i;
        uint32_t *x, *w;
        fbnn_real *alpha, *y_ref, *y_var;
        memset(&p, 0, sizeof p);
        p.k = 1 + rnd(it % 10 == 0 ? 5 : 3);
        p.stride = 1 + rnd(3);
        p.pad_t = rnd(p.k);
        p.pad_l = rnd(p.k);
        p.pad_b = rnd(p.k);
        p.pad_r = rnd(p.k);
        p.in_h = 1 + rnd(13);
        p.in_w = 1 + rnd(15);
        if (p.in_h + p.pad_t + p.pad_b < p.k) p.in_h = p.k;
        if (p.in_w + p.pad_l + p.pad_r < p.k) p.in_w = p.k;
        p.in_c = it % 4 == 0 ? 32 * (1 + rnd(4)) : 1 + rnd(100);
        p.out_c = 1 + rnd(40);
        p.groups = 1;
        p.planes = 1 + rnd(4);
        p.bases = 1 + rnd(4);
        p.out_h = (p.in_h + p.pad_t + p.pad_b - p.k) / p.stride + 1;
        p.out_w = (p.in_w + p.pad_l + p.pad_r - p.k) / p.stride + 1;
        if (it == 7) { /* a window beyond the unpacking buffer: the reference fallback */
            p.in_c = 1000;
            p.k = 3;
            p.planes = 2;
            p.pad_t = p.pad_l = p.pad_b = p.pad_r = 1;
            p.in_h = p.in_w = 3;
            p.stride = 1;
            p.out_h = p.out_w = 3;
            p.out_c = 3;
        }
        nw = (size_t)FBNN_WORDS(p.in_c);
        nwp = (size_t)FBNN_WORDS(p.planes * p.in_c);
        n_in = (size_t)p.in_h * (size_t)p.in_w * nwp;
        n_w = (size_t)p.bases * (size_t)p.out_c * (size_t)(p.k * p.k) * nw;
        n_out = (size_t)p.out_c * (size_t)p.out_h * (size_t)p.out_w;
        x = xmalloc(n_in * 4);
        w = xmalloc(n_w * 4);
        alpha = xmalloc((size_t)(p.bases * p.out_c) * 4);
        y_ref = xmalloc(n_out * 4);
        y_var = xmalloc((n_out + GUARD) * 4);
        fbnn_test_fill_bits(x, (size_t)p.in_h * (size_t)p.in_w, p.planes * p.in_c);
        fbnn_test_fill_bits(w, (size_t)(p.bases * p.out_c) * (size_t)(p.k * p.k), p.in_c);
        for (i = 0; i < (size_t)(p.bases * p.out_c); i++) alpha[i] = rnd_val(it % 3 == 0 ? 4 : 0);
        snprintf(shape, sizeof shape, "in %dx%dx%d planes %d bases %d out_c %d k %d s %d pad t%d l%d b%d r%d", p.in_c,
                 p.in_h, p.in_w, p.planes, p.bases, p.out_c, p.k, p.stride, p.pad_t, p.pad_l, p.pad_b, p.pad_r);
        memset(y_var, 0xA5, (n_out + GUARD) * 4);
        if (fbnn_k_kconv(x, w, alpha, &p, y_ref) != FBNN_K_OK || fn(x, w, alpha, &p, y_var) != FBNN_K_OK ||
            !fbnn_test_same_reals(y_ref, y_var, n_out) || !guard_ok(y_var, n_out * 4))
            fail(isa, "kconv", shape);
        checked++;
        if (it == 0) {
            if (fn(NULL, w, alpha, &p, y_var) != FBNN_K_EBADARG || fn(x, w, NULL, &p, y_var) != FBNN_K_EBADARG)
                fail(isa, "kconv refusal", "NULL");
            p.groups = 2;
            if (fn(x, w, alpha, &p, y_var) != FBNN_K_EBADARG) fail(isa, "kconv refusal", "groups");
        }
        free(x);
        free(w);
        free(alpha);
        free(y_ref);
        free(y_var);
    }
}

/* ------------------------------------------------ bconv_pad_value, bconv_asym */
static void run_bconvpad(const char *isa, fbnn_bconv_pad_value_fn pv, fbnn_bconv_asym_fn as)
{
    int it;
    char shape[200];
    for (it = 0; it < 300; it++) {
        fbnn_conv2_params p;
        fbnn_conv_params q;
        const int32_t value = rnd(3) - 1;
        size_t nw, n_in, n_w, n_out, i;
        uint32_t *x, *w;
        fbnn_real *y_ref, *y_var;
        memset(&p, 0, sizeof p);
        p.k = 1 + rnd(it % 10 == 0 ? 7 : 4);
        p.stride = 1 + rnd(3);
        p.pad_t = rnd(p.k);
        p.pad_l = rnd(p.k);
        p.pad_b = rnd(p.k);
        p.pad_r = rnd(p.k);
        p.in_h = 1 + rnd(15);
        p.in_w = 1 + rnd(17);
        if (p.in_h + p.pad_t + p.pad_b < p.k) p.in_h = p.k;
        if (p.in_w + p.pad_l + p.pad_r < p.k) p.in_w = p.k;
        p.in_c = it % 3 == 0 ? 32 * (1 + rnd(8)) : 1 + rnd(130);
        p.out_c = 1 + rnd(40);
        p.groups = p.planes = p.bases = 1;
        p.out_h = (p.in_h + p.pad_t + p.pad_b - p.k) / p.stride + 1;
        p.out_w = (p.in_w + p.pad_l + p.pad_r - p.k) / p.stride + 1;
        nw = (size_t)FBNN_WORDS(p.in_c);
        n_in = (size_t)p.in_h * (size_t)p.in_w * nw;
        n_w = (size_t)p.out_c * (size_t)(p.k * p.k) * nw;
        n_out = (size_t)p.out_c * (size_t)p.out_h * (size_t)p.out_w;
        x = xmalloc(n_in * 4);
        w = xmalloc(n_w * 4);
        y_ref = xmalloc(n_out * 4);
        y_var = xmalloc((n_out + GUARD) * 4);
        fbnn_test_fill_bits(x, (size_t)p.in_h * (size_t)p.in_w, p.in_c);
        fbnn_test_fill_bits(w, (size_t)p.out_c * (size_t)(p.k * p.k), p.in_c);
        snprintf(shape, sizeof shape, "in %dx%dx%d out_c %d k %d s %d pad t%d l%d b%d r%d value %d", p.in_c, p.in_h,
                 p.in_w, p.out_c, p.k, p.stride, p.pad_t, p.pad_l, p.pad_b, p.pad_r, value);
        memset(y_var, 0xA5, (n_out + GUARD) * 4);
        if (fbnn_k_bconv_asym(x, w, &p, value, y_ref) != FBNN_K_OK || as(x, w, &p, value, y_var) != FBNN_K_OK ||
            memcmp(y_ref, y_var, n_out * 4) != 0 || !guard_ok(y_var, n_out * 4))
            fail(isa, "bconv_asym", shape);
        /* The correction on a symmetric shape, over random reals already in the output. */
        q.in_c = p.in_c;
        q.in_h = p.in_h;
        q.in_w = p.in_w;
        q.out_c = p.out_c;
        q.k = p.k;
        q.stride = p.stride;
        q.pad = p.pad_t;
        if (q.in_h + 2 * q.pad < q.k) q.in_h = q.k;
        if (q.in_w + 2 * q.pad < q.k) q.in_w = q.k;
        q.out_h = (q.in_h + 2 * q.pad - q.k) / q.stride + 1;
        q.out_w = (q.in_w + 2 * q.pad - q.k) / q.stride + 1;
        n_out = (size_t)q.out_c * (size_t)q.out_h * (size_t)q.out_w;
        free(y_ref);
        free(y_var);
        y_ref = xmalloc(n_out * 4);
        y_var = xmalloc((n_out + GUARD) * 4);
        memset(y_var, 0xA5, (n_out + GUARD) * 4);
        for (i = 0; i < n_out; i++) y_ref[i] = y_var[i] = rnd_val(it % 4 == 0 ? 3 : 0);
        if (fbnn_k_bconv_pad_value(w, &q, value, y_ref) != FBNN_K_OK || pv(w, &q, value, y_var) != FBNN_K_OK ||
            !fbnn_test_same_reals(y_ref, y_var, n_out) || !guard_ok(y_var, n_out * 4))
            fail(isa, "bconv_pad_value", shape);
        checked += 2;
        if (it == 0) {
            if (as(NULL, w, &p, value, y_var) != FBNN_K_EBADARG || as(x, w, &p, 2, y_var) != FBNN_K_EBADARG ||
                pv(NULL, &q, 1, y_var) != FBNN_K_EBADARG || pv(w, &q, -2, y_var) != FBNN_K_EBADARG)
                fail(isa, "bconv pad refusal", shape);
        }
        free(x);
        free(w);
        free(y_ref);
        free(y_var);
    }
}

int main(void)
{
    int i;
    const char *seed = getenv("FBNN_TEST_SEED");
    if (seed != NULL && *seed != '\0') fbnn_test_rng_seed((uint32_t)strtoul(seed, NULL, 10));
    for (i = FBNN_ISA_SCALAR; i < FBNN_ISA_COUNT; i++) {
        fbnn_kernel_table t;
        if (fbnn_kernel_table_select(&t, (fbnn_isa)i) != 0) {
            printf("%-22s skipped: this CPU or build lacks it\n", fbnn_isa_name((fbnn_isa)i));
            continue;
        }
        run_rconv(t.isa, t.rconv);
        run_pool_sign(t.isa, t.maxpool, t.pack_sign, t.quant_kbit);
        run_kconv(t.isa, t.kconv);
        run_bconvpad(t.isa, t.bconv_pad_value, t.bconv_asym);
        printf("%-22s checked\n", t.isa);
    }
    if (failures) {
        fprintf(stderr, "%d mismatches\n", failures);
        return 1;
    }
    printf("all BNN-family real/k-bit variants bit-identical to the reference (%ld cases)\n", checked);
    return 0;
}
