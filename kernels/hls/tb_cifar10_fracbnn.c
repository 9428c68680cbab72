/*
 * C-simulation testbench of the generated HLS top function
 * cifar10_fracbnn_top() (kernels/hls/cifar10_fracbnn_top.c).
 *
 *   tb_cifar10_fracbnn CIFAR10_BATCH.bin GOLDEN_LOGITS.f32 [N]
 *
 * Runs the top function on the first N records (default: all) and compares
 * its logits bit for bit with the golden logits of the float reference
 * (tests/data/cifar10_ref_logits.f32, which fbnn_run() also reproduces), and
 * reports top-1 accuracy. Exit 0 only if every logit matches. Plain C with
 * stdio only, as HLS C simulation requires; links only the kernels.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cifar10_fracbnn_top.h"

#define IMG (CIFAR10_FRACBNN_IN_C * CIFAR10_FRACBNN_IN_H * CIFAR10_FRACBNN_IN_W)
#define NCLS CIFAR10_FRACBNN_CLASSES

int main(int argc, char **argv)
{
    FILE *fd, *fg;
    unsigned char rec[1 + IMG];
    float gold[NCLS], logits[NCLS];
    long limit = argc > 3 ? atol(argv[3]) : -1, n = 0;
    long mismatches = 0, correct = 0;
    if (argc < 3) {
        fprintf(stderr, "usage: %s CIFAR10_BATCH.bin GOLDEN_LOGITS.f32 [N]\n", argv[0]);
        return 2;
    }
    fd = fopen(argv[1], "rb");
    fg = fopen(argv[2], "rb");
    if (!fd || !fg) {
        fprintf(stderr, "tb: cannot open %s\n", !fd ? argv[1] : argv[2]);
        if (fd) fclose(fd);
        if (fg) fclose(fg);
        return 1;
    }
    while ((limit < 0 || n < limit) && fread(rec, 1, sizeof rec, fd) == sizeof rec) {
        int k, best = 0;
        if (fread(gold, sizeof(float), NCLS, fg) != NCLS) {
            fprintf(stderr, "tb: golden file has fewer records than the data\n");
            mismatches++;
            break;
        }
        if (cifar10_fracbnn_top(rec + 1, logits) != 0) {
            fprintf(stderr, "tb: top function failed on record %ld\n", n);
            mismatches++;
        }
        if (memcmp(gold, logits, sizeof gold) != 0) {
            if (mismatches < 5) fprintf(stderr, "tb: record %ld: logits differ from golden\n", n);
            mismatches++;
        }
        for (k = 1; k < NCLS; k++)
            if (logits[k] > logits[best]) best = k;
        if (best == rec[0]) correct++;
        n++;
    }
    fclose(fd);
    fclose(fg);
    printf("HLS C-sim: %ld images, %ld correct (%.2f %%), %ld logit mismatches vs golden\n", n, correct,
           n ? 100.0 * (double)correct / (double)n : 0.0, mismatches);
    return (n > 0 && mismatches == 0) ? 0 : 1;
}
