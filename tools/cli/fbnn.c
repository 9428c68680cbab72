/**
 * @file fbnn.c
 * @brief The `fbnn` command line tool: info, eval, classify.
 *
 *   fbnn info MODEL
 *   fbnn eval MODEL CIFAR10.bin [--predictions FILE]
 *   fbnn eval MODEL IMAGES.idx[.gz] LABELS.idx[.gz] [--predictions FILE]
 *   fbnn classify MODEL IMAGE...
 *
 * Any error prints one line "fbnn: error: ..." to stderr and exits non-zero.
 * Uses only the public API (include/fracbnn) and the I/O helpers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset_io.h"
#include "fracbnn/fracbnn.h"
#include "image_io.h"

static int fail(const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "fbnn: error: ");
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
    return 1;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: fbnn info MODEL\n"
            "       fbnn eval MODEL CIFAR10_BATCH.bin [--predictions FILE]\n"
            "       fbnn eval MODEL IMAGES.idx[.gz] LABELS.idx[.gz] [--predictions FILE]\n"
            "       fbnn classify MODEL IMAGE...   (JPEG or PNG, any size)\n");
}

static int load_model(const char *path, fbnn_model **m)
{
    fbnn_error err;
    if (fbnn_model_load_file(path, m, &err) != FBNN_OK) {
        fprintf(stderr, "fbnn: error: %s: %s: %s\n", path, fbnn_status_str(err.status), err.message);
        return 1;
    }
    return 0;
}

static const char *kind_name(uint32_t k)
{
    static const char *const n[] = {"?", "u8", "real", "bits", "q2"};
    return k <= 4 ? n[k] : "?";
}

static int cmd_info(int argc, char **argv)
{
    fbnn_model *m;
    fbnn_model_info info;
    uint32_t i;
    if (argc != 3) {
        usage(stderr);
        return 2;
    }
    if (load_model(argv[2], &m)) return 1;
    fbnn_model_get_info(m, &info);
    printf("model:    %s\n", info.name);
    printf("input:    u8 [%u][%u][%u] planar%s, thermometer R=%u B=%u\n", info.input_channels,
           info.input_height, info.input_width, info.invert ? " (inverted)" : "", info.therm_resolution,
           info.therm_bits);
    printf("classes:  %u:", info.num_classes);
    for (i = 0; i < info.num_classes; i++) printf(" %s%s", fbnn_model_label(m, i), i + 1 < info.num_classes ? "," : "");
    printf("\nsizes:    file %zu bytes, weights %zu bytes, context %zu bytes\n", info.file_bytes,
           info.weight_bytes, info.context_bytes);
    printf("ops:      %u\n", info.num_ops);
    printf("  #  op              input              output             k s p  params\n");
    for (i = 0; i < info.num_ops; i++) {
        fbnn_layer_info l;
        char in[32], out[32];
        fbnn_model_layer(m, i, &l);
        snprintf(in, sizeof in, "%s[%u,%u,%u]", kind_name(l.in_kind), l.in_c, l.in_h, l.in_w);
        snprintf(out, sizeof out, "%s[%u,%u,%u]", kind_name(l.out_kind), l.out_c, l.out_h, l.out_w);
        printf("%3u  %-15s %-18s %-18s", i, l.op_name, in, out);
        if (l.k)
            printf(" %d %d %d", l.k, l.stride, l.pad);
        else
            printf("      ");
        printf("  %zu\n", l.param_bytes);
    }
    fbnn_model_free(m);
    return 0;
}

static int cmd_eval(int argc, char **argv)
{
    const char *pred_path = NULL, *paths[2] = {NULL, NULL};
    int n_paths = 0, i, rc = 1;
    fbnn_model *m = NULL;
    fbnn_context *ctx = NULL;
    fbnn_model_info info;
    fbnn_dataset ds;
    char err[256];
    FILE *pf = NULL;
    uint64_t gated = 0, positions = 0;
    uint32_t correct = 0, k;
    size_t img_bytes;

    memset(&ds, 0, sizeof ds);
    if (argc < 4) {
        usage(stderr);
        return 2;
    }
    for (i = 3; i < argc; i++) {
        if (strcmp(argv[i], "--predictions") == 0) {
            if (++i >= argc) return fail("%s needs a file name%s", "--predictions", "");
            pred_path = argv[i];
        } else if (n_paths < 2) {
            paths[n_paths++] = argv[i];
        } else {
            return fail("unexpected argument '%s'%s", argv[i], "");
        }
    }
    if (load_model(argv[2], &m)) return 1;
    fbnn_model_get_info(m, &info);
    if ((n_paths == 1 ? fbnn_dataset_load_cifar10(paths[0], &ds, err, sizeof err)
                      : fbnn_dataset_load_idx(paths[0], paths[1], &ds, err, sizeof err)) != 0) {
        fail("%s%s", err, "");
        goto out;
    }
    if (ds.channels != info.input_channels || ds.height != info.input_height || ds.width != info.input_width) {
        fprintf(stderr, "fbnn: error: dataset images are %ux%ux%u but the model takes %ux%ux%u\n", ds.channels,
                ds.height, ds.width, info.input_channels, info.input_height, info.input_width);
        goto out;
    }
    if (!ds.labels) {
        fail("dataset has no labels%s%s", "", "");
        goto out;
    }
    if (fbnn_context_create(m, &ctx) != FBNN_OK) {
        fail("cannot create a context (out of memory)%s%s", "", "");
        goto out;
    }
    if (pred_path && !(pf = fopen(pred_path, "w"))) {
        fail("cannot write '%s'%s", pred_path, "");
        goto out;
    }
    img_bytes = (size_t)ds.channels * ds.height * ds.width;
    for (k = 0; k < ds.count; k++) {
        const uint8_t *img = ds.pixels + (size_t)k * img_bytes;
        fbnn_class_score top;
        fbnn_run_stats st;
        fbnn_status s = fbnn_run(ctx, img, img_bytes);
        if (s != FBNN_OK) {
            fail("inference failed: %s%s", fbnn_status_str(s), "");
            goto out;
        }
        fbnn_topk(ctx, 1, &top);
        fbnn_last_run_stats(ctx, &st);
        gated += st.pg_gated;
        positions += st.pg_positions;
        if (top.index == ds.labels[k]) correct++;
        if (pf) fprintf(pf, "%u\n", top.index);
    }
    if (pf && fclose(pf) != 0) {
        pf = NULL;
        fail("write error on '%s'%s", pred_path, "");
        goto out;
    }
    pf = NULL;
    printf("images: %u\ncorrect: %u\ntop-1 accuracy: %.2f %%\n", ds.count, correct,
           ds.count ? 100.0 * correct / ds.count : 0.0);
    if (positions)
        printf("LSB conv fired at %.2f %% of PG output positions\n", 100.0 * (double)gated / (double)positions);
    rc = 0;
out:
    if (pf) fclose(pf);
    fbnn_dataset_free(&ds);
    fbnn_context_free(ctx);
    fbnn_model_free(m);
    return rc;
}

static int cmd_classify(int argc, char **argv)
{
    fbnn_model *m = NULL;
    fbnn_context *ctx = NULL;
    fbnn_model_info info;
    uint8_t *input = NULL;
    size_t n_in;
    int i, rc = 0;
    if (argc < 4) {
        usage(stderr);
        return 2;
    }
    if (load_model(argv[2], &m)) return 1;
    fbnn_model_get_info(m, &info);
    n_in = (size_t)info.input_channels * info.input_height * info.input_width;
    input = (uint8_t *)malloc(n_in);
    if (!input || fbnn_context_create(m, &ctx) != FBNN_OK) {
        free(input);
        fbnn_model_free(m);
        return fail("out of memory%s%s", "", "");
    }
    for (i = 3; i < argc; i++) {
        fbnn_image img;
        char err[256];
        fbnn_class_score top[5];
        uint32_t k, n_top = info.num_classes < 5 ? info.num_classes : 5;
        if (fbnn_image_load(argv[i], &img, err, sizeof err) != 0) {
            fprintf(stderr, "fbnn: error: %s\n", err);
            rc = 1;
            continue;
        }
        if (fbnn_image_to_input(&img, info.input_channels, info.input_height, info.input_width,
                                info.resize_mode, info.invert, input, err, sizeof err) != 0) {
            fprintf(stderr, "fbnn: error: %s: %s\n", argv[i], err);
            fbnn_image_free(&img);
            rc = 1;
            continue;
        }
        fbnn_image_free(&img);
        if (fbnn_run(ctx, input, n_in) != FBNN_OK || fbnn_topk(ctx, n_top, top) != FBNN_OK) {
            fprintf(stderr, "fbnn: error: %s: inference failed\n", argv[i]);
            rc = 1;
            continue;
        }
        printf("%s:\n", argv[i]);
        for (k = 0; k < n_top; k++) printf("  %6.2f %%  %s\n", 100.0 * top[k].probability, top[k].label);
    }
    free(input);
    fbnn_context_free(ctx);
    fbnn_model_free(m);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "info") == 0) return cmd_info(argc, argv);
    if (strcmp(argv[1], "eval") == 0) return cmd_eval(argc, argv);
    if (strcmp(argv[1], "classify") == 0) return cmd_classify(argc, argv);
    fail("unknown command '%s'%s", argv[1], "");
    usage(stderr);
    return 2;
}
