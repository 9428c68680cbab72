/*
 * The quantising average pool (kernel table avgpool_q: avgpool of
 * fbnn_k_quant_uniform(x) in one pass, src/cpu/pool/pool_simd.h) of every
 * kernel set this CPU runs against the reference pair, fbnn_k_quant_uniform
 * then fbnn_k_avgpool, bit for bit (memcmp): windows k x k at strides 1..3,
 * duplication 1..2, maps with and without vector tails, quantisers of 1 to
 * 16 bits, inputs on the quantiser's levels and exactly half-way between
 * them (round half to even), outside the range, -0, subnormals, infinities
 * and one NaN encoding; and the arguments both must refuse. Sets without
 * the kernel (scalar, popcnt, swar: the runtime runs the two ops apart) are
 * listed and skipped. Plain C, so it also runs under qemu-aarch64
 * (scripts/test_aarch64.sh).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/dispatch.h"
#include "test_random.h"

static int failures;

typedef struct quantiser {
    int32_t bits;
    float lo, hi;
} quantiser;

/* An input for quantiser q: on a level, half-way between two levels (the
 * rounding ties), near them, outside [lo, hi], or special. One NaN
 * encoding only, so sums of NaNs are the same bits in any order. */
static float rnd_input(const quantiser *q)
{
    static const float special[] = {0.0f, -0.0f, 1e-40f, -1e-40f, 3.0e38f, -3.0e38f};
    const float d = (q->hi - q->lo) / (float)((1 << q->bits) - 1);
    const uint32_t r = fbnn_test_rnd() % 32, lv = fbnn_test_rnd() % (uint32_t)(1 << (q->bits < 8 ? q->bits : 8));
    if (r < 6) return special[r];
    if (r == 6) return (float)INFINITY;
    if (r == 7) return -(float)INFINITY;
    if (r == 8) return (float)NAN;
    if (r < 14) return q->lo + ((float)lv + 0.5f) * d; /* a tie (as float arithmetic makes it) */
    if (r < 18) return nextafterf(q->lo + ((float)lv + 0.5f) * d, r & 1 ? 10.0f : -10.0f);
    if (r < 22) return q->lo + (float)lv * d;
    return q->lo - 1.0f + (q->hi - q->lo + 2.0f) * (float)(fbnn_test_rnd() % 100001) / 100000.0f;
}

static void check_set(const fbnn_kernel_table *t)
{
    static const int32_t sizes[][2] = {{1, 1}, {2, 2}, {3, 5}, {4, 4}, {7, 9}, {14, 14}, {16, 16},
                                       {17, 17}, {28, 28}, {33, 35}, {2, 47}, {56, 56}};
    static const int32_t chs[] = {1, 3, 16, 17};
    static const quantiser qs[] = {{4, -1.0f, 1.0f}, {2, -0.5f, 1.5f}, {8, -3.0f, 2.5f}, {1, 0.0f, 1.0f},
                                   {16, -1.0f, 1.0f}};
    const size_t nsz = sizeof sizes / sizeof sizes[0];
    int32_t k, s, dup;
    size_t a, ci, qi;
    int n = 0;
    for (k = 1; k <= 3; k++)
        for (s = 1; s <= 3; s++)
            for (dup = 1; dup <= 2; dup++)
                for (ci = 0; ci < sizeof chs / sizeof chs[0]; ci++)
                    for (a = 0; a < nsz; a++) {
                        const int32_t c = chs[ci], h = sizes[a][0], w = sizes[a][1], off = (int32_t)(a & 1);
                        const int32_t ho = h >= k ? (h - k) / s + 1 : 1, wo = w >= k ? (w - k) / s + 1 : 1;
                        const size_t n_in = (size_t)c * (size_t)h * (size_t)w;
                        const size_t n_out = (size_t)dup * (size_t)c * (size_t)ho * (size_t)wo;
                        float *xb = malloc((n_in + 1) * 4), *xq = malloc(n_in * 4), *yr = malloc(n_out * 4),
                              *yv = malloc(n_out * 4);
                        size_t i;
                        if (!xb || !xq || !yr || !yv) exit(2);
                        for (qi = 0; qi < sizeof qs / sizeof qs[0]; qi++) {
                            const quantiser *q = &qs[qi];
                            int rr, rv;
                            for (i = 0; i < n_in; i++) xb[(size_t)off + i] = rnd_input(q);
                            memset(yr, 0x5A, n_out * 4);
                            memset(yv, 0xA5, n_out * 4);
                            rr = fbnn_k_quant_uniform(xb + off, (int32_t)n_in, q->bits, q->lo, q->hi, xq);
                            if (rr == FBNN_K_OK) rr = fbnn_k_avgpool(xq, c, h, w, k, s, dup, yr);
                            rv = t->avgpool_q(xb + off, c, h, w, k, s, dup, q->bits, q->lo, q->hi, yv);
                            if (rr != rv || (rr == FBNN_K_OK && memcmp(yr, yv, n_out * 4) != 0)) {
                                failures++;
                                fprintf(stderr, "%s: avgpool_q differs: k %d s %d dup %d c %d %dx%d bits %d\n",
                                        t->isa, k, s, dup, c, h, w, q->bits);
                            }
                            n++;
                        }
                        free(xb);
                        free(xq);
                        free(yr);
                        free(yv);
                    }
    {
        /* Arguments both must refuse: bad pools, bad quantisers, NULL. */
        static const quantiser bad_q[] = {{0, -1.0f, 1.0f}, {17, -1.0f, 1.0f}, {4, 1.0f, 1.0f}, {4, 1.0f, -1.0f}};
        float xs[16] = {0}, ys[64], tmp[16];
        size_t j;
        for (j = 0; j < sizeof bad_q / sizeof bad_q[0]; j++, n++) {
            const int rr = fbnn_k_quant_uniform(xs, 16, bad_q[j].bits, bad_q[j].lo, bad_q[j].hi, tmp);
            if (rr == FBNN_K_OK ||
                t->avgpool_q(xs, 1, 4, 4, 2, 2, 1, bad_q[j].bits, bad_q[j].lo, bad_q[j].hi, ys) != rr) {
                failures++;
                fprintf(stderr, "%s: avgpool_q accepted bad quantiser %zu\n", t->isa, j);
            }
        }
        if (t->avgpool_q(xs, 1, 4, 4, 2, 2, 1, 4, (float)NAN, 1.0f, ys) != FBNN_K_EBADARG ||
            t->avgpool_q(xs, 1, 4, 4, 2, 2, 1, 4, -1.0f, (float)INFINITY, ys) != FBNN_K_EBADARG ||
            t->avgpool_q(xs, 1, 4, 4, 0, 2, 1, 4, -1.0f, 1.0f, ys) != FBNN_K_EBADARG ||
            t->avgpool_q(xs, 1, 4, 4, 2, 2, 0, 4, -1.0f, 1.0f, ys) != FBNN_K_EBADARG ||
            t->avgpool_q(xs, 1, 1, 4, 2, 2, 1, 4, -1.0f, 1.0f, ys) != FBNN_K_EBADARG ||
            t->avgpool_q(NULL, 1, 4, 4, 2, 2, 1, 4, -1.0f, 1.0f, ys) != FBNN_K_EBADARG ||
            t->avgpool_q(xs, 1, 4, 4, 2, 2, 1, 4, -1.0f, 1.0f, NULL) != FBNN_K_EBADARG) {
            failures++;
            fprintf(stderr, "%s: avgpool_q accepted bad arguments\n", t->isa);
        }
        n += 7;
    }
    printf("%-18s %d avgpool_q cases checked\n", t->isa, n);
}

int main(void)
{
    int i, tested = 0;
    for (i = FBNN_ISA_SCALAR; i < FBNN_ISA_COUNT; i++) {
        fbnn_kernel_table t;
        if (fbnn_kernel_table_select(&t, (fbnn_isa)i) != 0) {
            printf("%-18s skipped: this CPU or build lacks it\n", fbnn_isa_name((fbnn_isa)i));
            continue;
        }
        if (t.avgpool_q == NULL) {
            printf("%-18s no quantising pool (QUANT_UNIFORM and AVGPOOL run apart)\n", t.isa);
            continue;
        }
        check_set(&t);
        tested++;
    }
    if (failures) {
        fprintf(stderr, "%d mismatches\n", failures);
        return 1;
    }
    printf("%d kernel sets: every quantising pool bit-identical to quant_uniform + avgpool\n", tested);
    return 0;
}
