/*
 * C-simulation testbench of the HLS PG conv kernel fbnn_k_pgconv() at the
 * shapes of the FracBNN ImageNet network (issue 17): the 1x1 PG conv with
 * 1024 channels (7x7), the stride-2 3x3 PG conv with 512 channels
 * (14x14 -> 7x7) and the stride-2 3x3 PG conv with 64 channels
 * (112x112 -> 56x56).
 *
 *   tb_pg_imagenet DIR
 *
 * DIR holds case0.bin .. case2.bin written by tests/make_hls_pg_imagenet.py
 * (inputs, weights, thresholds and the expected output of the Python float32
 * reference). The kernel's output must be bit-identical (memcmp) and the LSB
 * pass must fire on some outputs but not all. In a fixed-point
 * instantiation the thresholds are converted with FBNN_R_LIT and the output
 * is compared after conversion to double, within one unit of the last place
 * plus the float32 reference's own rounding (|want| * 2^-24).
 * Host-only: everything inside #ifndef __SYNTHESIS__.
 */
#ifndef __SYNTHESIS__
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fbnn_kernels.h"

static int read_all(FILE *f, void *p, size_t n)
{
    return fread(p, 1, n, f) == n ? 0 : -1;
}

static int run_case(const char *dir, int i)
{
    char path[4096];
    FILE *f;
    int32_t h[9];
    fbnn_conv_params p;
    size_t nin, nwt, nout;
    uint32_t *msb = NULL, *lsb = NULL, *wt = NULL, gated = 0;
    float *thr = NULL, *want = NULL;
    fbnn_real *thr_r = NULL, *got = NULL;
    size_t j, differ = 0;
    int rc = 1;

    snprintf(path, sizeof path, "%s/case%d.bin", dir, i);
    f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "tb_pg_imagenet: cannot open %s\n", path);
        return 1;
    }
    if (read_all(f, h, sizeof h) != 0)
        goto out;
    p.in_c = h[0], p.in_h = h[1], p.in_w = h[2], p.out_c = h[3], p.k = h[4], p.stride = h[5], p.pad = h[6];
    p.out_h = h[7], p.out_w = h[8];
    if (fbnn_k_conv_params_check(&p) != 0)
        goto out;
    nin = (size_t)p.in_h * p.in_w * FBNN_WORDS(p.in_c);
    nwt = (size_t)p.out_c * p.k * p.k * FBNN_WORDS(p.in_c);
    nout = (size_t)p.out_c * p.out_h * p.out_w;
    msb = (uint32_t *)malloc(nin * 4), lsb = (uint32_t *)malloc(nin * 4), wt = (uint32_t *)malloc(nwt * 4);
    thr = (float *)malloc((size_t)p.out_c * 4), want = (float *)malloc(nout * 4);
    thr_r = (fbnn_real *)malloc((size_t)p.out_c * sizeof(fbnn_real));
    got = (fbnn_real *)malloc(nout * sizeof(fbnn_real));
    if (!msb || !lsb || !wt || !thr || !thr_r || !want || !got || read_all(f, msb, nin * 4) ||
        read_all(f, lsb, nin * 4) || read_all(f, wt, nwt * 4) || read_all(f, thr, (size_t)p.out_c * 4) ||
        read_all(f, want, nout * 4))
        goto out;
    for (j = 0; j < (size_t)p.out_c; j++)
        thr_r[j] = FBNN_R_LIT(thr[j]);
    if (fbnn_k_pgconv(msb, lsb, wt, thr_r, &p, got, &gated) != 0) {
        fprintf(stderr, "tb_pg_imagenet: case %d: kernel rejected the shape\n", i);
        goto out;
    }
#ifdef FBNN_REAL_FIXED_FRAC
    for (j = 0; j < nout; j++) {
        /* one unit of the fixed-point format, plus the float32 reference's
         * own rounding (half an ulp of |want|, <= |want| * 2^-24): at these
         * channel counts outputs reach ~1000, where a float32 ulp (6e-5)
         * exceeds a Q24 unit (6e-8) */
        double d = fbnn_r_to_double(got[j]) - (double)want[j];
        double tol = 1.0 / FBNN_R_ONE_D + (want[j] < 0 ? -(double)want[j] : (double)want[j]) / 16777216.0;
        differ += d > tol || d < -tol;
    }
#else
    differ = memcmp(got, want, nout * sizeof(float)) != 0;
#endif
    rc = differ != 0 || gated == 0 || gated == nout;
    printf("case %d: %dx%dx%d -> %dx%dx%d k%d s%d p%d: %s, LSB on %u of %lu outputs (%.1f %%)\n", i, p.in_c,
           p.in_h, p.in_w, p.out_c, p.out_h, p.out_w, p.k, p.stride, p.pad,
           differ == 0 ? "identical to the reference" : "DIFFERENT", gated, (unsigned long)nout,
           100.0 * gated / (double)nout);
out:
    if (rc && !got)
        fprintf(stderr, "tb_pg_imagenet: case %d: short or unreadable file %s\n", i, path);
    fclose(f);
    free(msb), free(lsb), free(wt), free(thr), free(thr_r), free(want), free(got);
    return rc;
}

int main(int argc, char **argv)
{
    int i, bad = 0;
    if (argc != 2) {
        fprintf(stderr, "usage: tb_pg_imagenet DIR\n");
        return 2;
    }
    for (i = 0; i < 3; i++)
        bad += run_case(argv[1], i);
    return bad ? 1 : 0;
}
#else
typedef int fbnn_tb_pg_imagenet_unused;
#endif /* __SYNTHESIS__ */
