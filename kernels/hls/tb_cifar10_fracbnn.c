/*
 * C-simulation testbench of the generated HLS top function
 * cifar10_fracbnn_top() (kernels/hls/generated/cifar10_fracbnn_top.c).
 *
 *   tb_cifar10_fracbnn CIFAR10_BATCH.bin GOLDEN_LOGITS.f32 [N]
 *                      [--min-agree PCT] [--max-err E] [--min-acc PCT]
 *
 * Runs the top function on the first N records (default: all) of a CIFAR-10
 * binary batch and compares with the golden float32 logits of the reference
 * (tests/data/cifar10_ref_logits.f32, which fbnn_run() reproduces bit for bit).
 *
 * Float instantiation (default): exit 0 only if every logit is bit-identical.
 * Fixed-point instantiation (-DFBNN_REAL_FIXED_FRAC=F): the logits are a
 * different arithmetic; the testbench reports this path's own accuracy, its
 * top-1 agreement with the float path and the largest logit error, and exits
 * 0 only if they meet the thresholds given (agreement >= PCT, max error <= E,
 * accuracy >= PCT).
 *
 * Host-only code: everything is inside #ifndef __SYNTHESIS__ (the subset
 * rule for stdio), and it links only the kernels.
 */
#ifndef __SYNTHESIS__
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "generated/cifar10_fracbnn_top.h"

#define IMG (CIFAR10_FRACBNN_IN_C * CIFAR10_FRACBNN_IN_H * CIFAR10_FRACBNN_IN_W)
#define NCLS CIFAR10_FRACBNN_CLASSES

#ifdef FBNN_REAL_FIXED_FRAC
#define PATH_NAME "fixed Q" FBNN_TB_STR(FBNN_REAL_FIXED_FRAC)
#define FBNN_TB_STR(x) FBNN_TB_STR2(x)
#define FBNN_TB_STR2(x) #x
#else
#define PATH_NAME "float32"
#endif

static double abs_d(double v) { return v < 0.0 ? -v : v; }

static int argmax_d(const double *v)
{
    int k, best = 0;
    for (k = 1; k < NCLS; k++)
        if (v[k] > v[best]) best = k;
    return best;
}

int main(int argc, char **argv)
{
    FILE *fd, *fg;
    unsigned char rec[1 + IMG];
    float gold[NCLS];
    fbnn_real logits[NCLS];
    long limit = -1, n = 0, mismatches = 0, correct = 0, agree = 0, failures = 0;
    double min_agree = -1.0, max_err_allowed = -1.0, min_acc = -1.0, max_err = 0.0;
    int a, pos = 0, ok;
    const char *data = NULL, *golden = NULL;

    for (a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--min-agree") == 0 && a + 1 < argc) min_agree = atof(argv[++a]);
        else if (strcmp(argv[a], "--max-err") == 0 && a + 1 < argc) max_err_allowed = atof(argv[++a]);
        else if (strcmp(argv[a], "--min-acc") == 0 && a + 1 < argc) min_acc = atof(argv[++a]);
        else if (pos == 0) { data = argv[a]; pos++; }
        else if (pos == 1) { golden = argv[a]; pos++; }
        else if (pos == 2) { limit = atol(argv[a]); pos++; }
        else pos = 99;
    }
    if (data == NULL || golden == NULL || pos > 3) {
        fprintf(stderr, "usage: %s CIFAR10_BATCH.bin GOLDEN_LOGITS.f32 [N] [--min-agree PCT] "
                        "[--max-err E] [--min-acc PCT]\n", argv[0]);
        return 2;
    }
    fd = fopen(data, "rb");
    fg = fopen(golden, "rb");
    if (!fd || !fg) {
        fprintf(stderr, "tb: cannot open %s\n", !fd ? data : golden);
        if (fd) fclose(fd);
        if (fg) fclose(fg);
        return 1;
    }
    while ((limit < 0 || n < limit) && fread(rec, 1, sizeof rec, fd) == sizeof rec) {
        double got[NCLS], ref[NCLS];
        int k;
        if (fread(gold, sizeof(float), NCLS, fg) != NCLS) {
            fprintf(stderr, "tb: golden file has fewer records than the data\n");
            failures++;
            break;
        }
        if (cifar10_fracbnn_top(rec + 1, logits) != 0) {
            fprintf(stderr, "tb: top function failed on record %ld\n", n);
            failures++;
        }
#ifndef FBNN_REAL_FIXED_FRAC
        if (memcmp(gold, logits, sizeof gold) != 0) {
            if (mismatches < 5) fprintf(stderr, "tb: record %ld: logits differ from golden\n", n);
            mismatches++;
        }
#endif
        for (k = 0; k < NCLS; k++) {
            got[k] = fbnn_r_to_double(logits[k]);
            ref[k] = (double)gold[k];
            if (abs_d(got[k] - ref[k]) > max_err) max_err = abs_d(got[k] - ref[k]);
        }
        if (argmax_d(got) == rec[0]) correct++;
        if (argmax_d(got) == argmax_d(ref)) agree++;
        n++;
    }
    fclose(fd);
    fclose(fg);
    printf("HLS C-sim [%s]: %ld images, %ld correct (%.2f %%)", PATH_NAME, n, correct,
           n ? 100.0 * (double)correct / (double)n : 0.0);
#ifndef FBNN_REAL_FIXED_FRAC
    printf(", %ld logit mismatches vs golden float32\n", mismatches);
#else
    printf("; vs float32 path: top-1 agreement %ld/%ld (%.2f %%), max |logit error| %.6g\n", agree, n,
           n ? 100.0 * (double)agree / (double)n : 0.0, max_err);
#endif
    ok = n > 0 && failures == 0 && mismatches == 0;
    if (min_agree >= 0.0 && 100.0 * (double)agree < min_agree * (double)n) {
        fprintf(stderr, "tb: agreement below %.2f %%\n", min_agree);
        ok = 0;
    }
    if (max_err_allowed >= 0.0 && !(max_err <= max_err_allowed)) {
        fprintf(stderr, "tb: max logit error above %g\n", max_err_allowed);
        ok = 0;
    }
    if (min_acc >= 0.0 && 100.0 * (double)correct < min_acc * (double)n) {
        fprintf(stderr, "tb: accuracy below %.2f %%\n", min_acc);
        ok = 0;
    }
    return ok ? 0 : 1;
}
#else
/* Nothing of the testbench is synthesised; ISO C wants a non-empty unit. */
typedef int fbnn_tb_cifar10_unused;
#endif /* __SYNTHESIS__ */
