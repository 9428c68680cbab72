/*
 * C-simulation testbench of the HLS kernels of the binary ops with integer
 * epilogues (issue 18): the binary FC fbnn_k_bfc, and the threshold
 * epilogue of fbnn_k_bconv_thr / fbnn_k_bfc_thr with one output bit and
 * fbnn_k_bconv_thr_kbit / fbnn_k_bfc_thr_kbit with k-bit codes, at the
 * shapes of the Fashion-MNIST BinaryNet-style model and a few more.
 *
 *   tb_binary DIR
 *
 * DIR holds case0.bin, case1.bin, ... written by tests/make_hls_binary.py
 * (inputs, weights, thresholds or scale/bias, and the expected output of
 * the Python float32 reference). The threshold ops never leave the
 * integers, so their packed outputs must be bit-identical (memcmp) in every
 * instantiation, fixed point included; each output bit must take both
 * values somewhere (k bits: every plane). The bfc output is compared
 * bit for bit in the float build, and within the rounding of the scale
 * (|s| + 1 units of the last place) in a fixed-point one.
 * Host-only: everything inside #ifndef __SYNTHESIS__.
 */
#ifndef __SYNTHESIS__
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fbnn_kernels.h"

static int read_all(FILE *f, void *p, size_t n)
{
    return fread(p, 1, n, f) == n ? 0 : -1;
}

/* Both values of every output channel's bits occur over the pixels (a
 * constant output would test little). */
static int both_values(const uint32_t *y, size_t pixels, int32_t c)
{
    const int32_t nw = FBNN_WORDS(c);
    int32_t ch, seen_ok = 0;
    for (ch = 0; ch < c; ch++) {
        size_t px;
        int ones = 0, zeros = 0;
        for (px = 0; px < pixels; px++) {
            if ((y[px * (size_t)nw + (size_t)(ch >> 5)] >> (ch & 31)) & 1u) ones = 1;
            else zeros = 1;
        }
        seen_ok += ones && zeros;
    }
    /* an FC has one pixel: then across channels */
    if (pixels == 1) {
        int ones = 0, zeros = 0;
        for (ch = 0; ch < c; ch++) {
            if ((y[ch >> 5] >> (ch & 31)) & 1u) ones = 1;
            else zeros = 1;
        }
        return ones && zeros;
    }
    return seen_ok * 2 >= c; /* most channels vary */
}

static int run_case(const char *dir, int i)
{
    char path[4096];
    FILE *f;
    int32_t h[12];
    fbnn_conv_params p;
    size_t nin, nwt, nthr = 0, nout;
    uint32_t *x = NULL, *wt = NULL, *want_b = NULL, *got_b = NULL;
    int32_t *thr = NULL;
    float *scale = NULL, *bias = NULL, *want_f = NULL;
    fbnn_real *scale_r = NULL, *bias_r = NULL, *got_f = NULL;
    int32_t op, bits, n_words, kr = -1;
    size_t j, differ = 0;
    int rc = 1, varied = 1;

    snprintf(path, sizeof path, "%s/case%d.bin", dir, i);
    f = fopen(path, "rb");
    if (!f) return -1; /* no more cases */
    if (read_all(f, h, sizeof h) != 0) goto out;
    op = h[0], bits = h[1];
    p.in_c = h[2], p.in_h = h[3], p.in_w = h[4], p.out_c = h[5], p.k = h[6], p.stride = h[7], p.pad = h[8];
    p.out_h = h[9], p.out_w = h[10];
    if (bits < 1 || bits > FBNN_THR_MAX_PLANES || op < 0 || op > 2) goto out;
    n_words = p.in_h * p.in_w * FBNN_WORDS(p.in_c);
    nin = (size_t)n_words;
    if (op == 0) {
        if (fbnn_k_conv_params_check(&p) != 0) goto out;
        nwt = (size_t)p.out_c * (size_t)(p.k * p.k) * (size_t)FBNN_WORDS(p.in_c);
        nout = (size_t)p.out_h * (size_t)p.out_w * (size_t)FBNN_WORDS(bits * p.out_c);
    } else {
        nwt = (size_t)p.out_c * nin;
        nout = op == 1 ? (size_t)p.out_c : (size_t)FBNN_WORDS(bits * p.out_c);
    }
    nthr = (size_t)p.out_c << bits;
    x = (uint32_t *)malloc(nin * 4), wt = (uint32_t *)malloc(nwt * 4);
    if (!x || !wt || read_all(f, x, nin * 4) || read_all(f, wt, nwt * 4)) goto out;
    if (op == 1) {
        scale = (float *)malloc((size_t)p.out_c * 4), bias = (float *)malloc((size_t)p.out_c * 4);
        scale_r = (fbnn_real *)malloc((size_t)p.out_c * sizeof(fbnn_real));
        bias_r = (fbnn_real *)malloc((size_t)p.out_c * sizeof(fbnn_real));
        want_f = (float *)malloc(nout * 4), got_f = (fbnn_real *)malloc(nout * sizeof(fbnn_real));
        if (!scale || !bias || !scale_r || !bias_r || !want_f || !got_f || read_all(f, scale, (size_t)p.out_c * 4) ||
            read_all(f, bias, (size_t)p.out_c * 4) || read_all(f, want_f, nout * 4))
            goto out;
        for (j = 0; j < (size_t)p.out_c; j++) scale_r[j] = FBNN_R_LIT(scale[j]), bias_r[j] = FBNN_R_LIT(bias[j]);
        kr = fbnn_k_bfc(x, n_words, h[11], wt, scale_r, bias_r, p.out_c, got_f);
        for (j = 0; j < nout; j++) {
#ifdef FBNN_REAL_FIXED_FRAC
            /* scale and bias rounded to the fixed grid (half a unit each, the
             * scale's error times |s| <= n_in), the product's rounding, and
             * the float reference's own rounding */
            double d = fbnn_r_to_double(got_f[j]) - (double)want_f[j];
            double tol = (0.5 * (double)h[11] + 2.0) / FBNN_R_ONE_D + 1e-6 * fabs((double)want_f[j]);
            differ += fabs(d) > tol;
#else
            differ += memcmp(&got_f[j], &want_f[j], sizeof(float)) != 0;
#endif
        }
    } else {
        thr = (int32_t *)malloc(nthr * 4);
        want_b = (uint32_t *)malloc(nout * 4), got_b = (uint32_t *)malloc(nout * 4);
        if (!thr || !want_b || !got_b || read_all(f, thr, nthr * 4) || read_all(f, want_b, nout * 4)) goto out;
        if (op == 0)
            kr = bits == 1 ? fbnn_k_bconv_thr(x, wt, thr, &p, got_b) : fbnn_k_bconv_thr_kbit(x, wt, thr, bits, &p, got_b);
        else
            kr = bits == 1 ? fbnn_k_bfc_thr(x, n_words, h[11], wt, thr, p.out_c, got_b)
                           : fbnn_k_bfc_thr_kbit(x, n_words, h[11], wt, thr, bits, p.out_c, got_b);
        differ = memcmp(got_b, want_b, nout * 4) != 0;
        varied = both_values(got_b, op == 0 ? (size_t)p.out_h * (size_t)p.out_w : 1u, bits * p.out_c);
    }
    if (kr != 0) {
        fprintf(stderr, "tb_binary: case %d: kernel rejected the shape\n", i);
        goto out;
    }
    rc = differ != 0 || !varied;
    printf("case %d: %s, %d bit(s), %dx%dx%d -> %d: %s%s\n", i, op == 0 ? "bconv_thr" : op == 1 ? "bfc" : "bfc_thr",
           bits, p.in_c, p.in_h, p.in_w, p.out_c, differ == 0 ? "identical to the reference" : "DIFFERENT",
           varied ? "" : " (outputs constant: case too weak)");
out:
    if (rc && kr == -1) fprintf(stderr, "tb_binary: case %d: short or unreadable file %s\n", i, path);
    fclose(f);
    free(x), free(wt), free(want_b), free(got_b), free(thr), free(scale), free(bias), free(want_f);
    free(scale_r), free(bias_r), free(got_f);
    return rc;
}

int main(int argc, char **argv)
{
    int i, r, bad = 0;
    if (argc != 2) {
        fprintf(stderr, "usage: tb_binary DIR\n");
        return 2;
    }
    for (i = 0; (r = run_case(argv[1], i)) >= 0; i++) bad += r;
    if (i < 9) {
        fprintf(stderr, "tb_binary: only %d cases in %s (expected 9)\n", i, argv[1]);
        return 1;
    }
    printf("%d cases, %d differ\n", i, bad);
    return bad ? 1 : 0;
}
#else
typedef int fbnn_tb_binary_unused;
#endif /* __SYNTHESIS__ */
