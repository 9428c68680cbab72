/**
 * @file fbnn.c
 * @brief The `fbnn` command line tool: info, classify, eval (cli_eval.c),
 *        bench (cmd_bench.c, when built in).
 *
 * Every subcommand has --help; info, classify and eval have --json for
 * scripts (one JSON document on stdout, nothing else there). Errors are one
 * line "fbnn: error: ..." on stderr and a documented exit code (cli_util.h).
 * Uses only the public API (include/fracbnn) and the I/O helpers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "dataset_io.h"
#include "fracbnn/fracbnn.h"
#include "image_io.h"

#ifdef FBNN_HAVE_CMD_BENCH
int fbnn_cmd_bench(int argc, char **argv); /* tools/cli/cmd_bench.c */
#endif

static void usage(FILE *f)
{
    fprintf(f,
            "fbnn %s - FracBNN inference tool\n"
            "\n"
            "usage: fbnn info MODEL [--json]\n"
            "       fbnn classify MODEL IMAGE... [-k K] [--json]\n"
            "       fbnn eval MODEL CIFAR10_BATCH.bin [options]\n"
            "       fbnn eval MODEL IMAGES.idx[.gz] LABELS.idx[.gz] [options]\n"
#ifdef FBNN_HAVE_CMD_BENCH
            "       fbnn bench MODEL [options]\n"
#endif
            "       fbnn --version\n"
            "       fbnn COMMAND --help     (options of one command)\n"
            "\n"
            "exit codes:\n"
            "  0  success\n"
            "  1  bad input: a model, image or dataset cannot be read or is invalid\n"
            "     (classify: at least one image failed; the others are still printed)\n"
            "  2  usage error (unknown command or option, missing argument)\n"
            "  3  an output file (--predictions, --confusion-png, ...) cannot be written\n"
            "  4  out of memory or internal error\n",
            fbnn_version());
}

static void help_info(FILE *f)
{
    fprintf(f, "usage: fbnn info MODEL [--json]\n"
               "\n"
               "Validate MODEL and describe it: input format, classes, file/weight/context\n"
               "bytes, and one line per op with input and output kind and shape [C,H,W],\n"
               "kernel/stride/padding, parameter bytes and operation counts:\n"
               "  binops  1-bit multiply-accumulates (XNOR + popcount): binary convs and the\n"
               "          MSB conv of each PG conv; `lsb<=` is the LSB conv of a PG conv,\n"
               "          which only runs where the precision gate fires (an upper bound)\n"
               "  flops   float multiply-accumulates (fully connected layer)\n"
               "  --json  the same as one JSON object\n");
}

static void help_classify(FILE *f)
{
    fprintf(f, "usage: fbnn classify MODEL IMAGE... [-k K] [--json]\n"
               "\n"
               "Classify JPEG or PNG images of any size. Each image is converted to the\n"
               "model's colour space (BT.601 grey or RGB), scaled with area averaging so\n"
               "its shorter side fits the model input, centre-cropped (or stretched, if the\n"
               "model says so) and inverted if the model expects it; see\n"
               "tools/cli/io/image_io.h for the exact arithmetic.\n"
               "  -k K    print the best K classes (default 5)\n"
               "  --json  one JSON object: {\"model\", \"results\": [{\"file\", \"top\": [{\"index\",\n"
               "          \"label\", \"probability\", \"logit\"}...]} or {\"file\", \"error\"}]}\n");
}

static const char *kind_name(uint32_t k)
{
    static const char *const n[] = {"?", "u8", "real", "bits", "q2"};
    return k <= 4 ? n[k] : "?";
}

/* Operation counts of one op (see help_info for what they mean). */
typedef struct op_counts {
    uint64_t binops, lsb_max, flops;
} op_counts;

static op_counts count_ops(const fbnn_layer_info *l)
{
    op_counts c = {0, 0, 0};
    uint64_t out = (uint64_t)l->out_c * l->out_h * l->out_w;
    uint64_t k2 = (uint64_t)(l->k > 0 ? l->k : 1) * (uint64_t)(l->k > 0 ? l->k : 1);
    if (strcmp(l->op_name, "bconv") == 0) {
        c.binops = out * l->in_c * k2;
    } else if (strcmp(l->op_name, "pgconv") == 0) {
        c.binops = out * l->in_c * k2;
        c.lsb_max = c.binops;
    } else if (strcmp(l->op_name, "fc") == 0) {
        c.flops = out * l->in_c * l->in_h * l->in_w;
    }
    return c;
}

static void human(char *buf, size_t n, uint64_t v)
{
    if (v >= 1000000u)
        snprintf(buf, n, "%.2fM", (double)v / 1e6);
    else if (v >= 1000u)
        snprintf(buf, n, "%.1fk", (double)v / 1e3);
    else
        snprintf(buf, n, "%llu", (unsigned long long)v);
}

static void info_json(const fbnn_model *m, const fbnn_model_info *info)
{
    uint32_t i;
    op_counts tot = {0, 0, 0};
    printf("{\"model\": ");
    fbnn_json_string(stdout, info->name);
    printf(", \"library_version\": \"%s\",\n \"input\": {\"channels\": %u, \"height\": %u, \"width\": %u, "
           "\"invert\": %u, \"resize_mode\": %u, \"therm_resolution\": %u, \"therm_bits\": %u},\n \"classes\": [",
           fbnn_version(), info->input_channels, info->input_height, info->input_width, info->invert,
           info->resize_mode, info->therm_resolution, info->therm_bits);
    for (i = 0; i < info->num_classes; i++) {
        if (i) printf(", ");
        fbnn_json_string(stdout, fbnn_model_label(m, i));
    }
    printf("],\n \"file_bytes\": %zu, \"weight_bytes\": %zu, \"context_bytes\": %zu,\n \"layers\": [\n",
           info->file_bytes, info->weight_bytes, info->context_bytes);
    for (i = 0; i < info->num_ops; i++) {
        fbnn_layer_info l;
        op_counts c;
        fbnn_model_layer(m, i, &l);
        c = count_ops(&l);
        tot.binops += c.binops;
        tot.lsb_max += c.lsb_max;
        tot.flops += c.flops;
        printf("  {\"index\": %u, \"op\": ", i);
        fbnn_json_string(stdout, l.op_name);
        printf(", \"in\": {\"kind\": \"%s\", \"shape\": [%u, %u, %u]}, \"out\": {\"kind\": \"%s\", \"shape\": [%u, %u, "
               "%u]}, \"k\": %d, \"stride\": %d, \"pad\": %d, \"param_bytes\": %zu, \"binops\": %llu, "
               "\"lsb_binops_max\": %llu, \"flops\": %llu}%s\n",
               kind_name(l.in_kind), l.in_c, l.in_h, l.in_w, kind_name(l.out_kind), l.out_c, l.out_h, l.out_w, l.k,
               l.stride, l.pad, l.param_bytes, (unsigned long long)c.binops, (unsigned long long)c.lsb_max,
               (unsigned long long)c.flops, i + 1 < info->num_ops ? "," : "");
    }
    printf(" ],\n \"totals\": {\"binops\": %llu, \"lsb_binops_max\": %llu, \"flops\": %llu}}\n",
           (unsigned long long)tot.binops, (unsigned long long)tot.lsb_max, (unsigned long long)tot.flops);
}

static void info_text(const fbnn_model *m, const fbnn_model_info *info)
{
    uint32_t i;
    op_counts tot = {0, 0, 0};
    char a[16], b[16], c3[16];
    printf("model:    %s\n", info->name);
    printf("input:    u8 [%u][%u][%u] planar%s, thermometer R=%u B=%u\n", info->input_channels,
           info->input_height, info->input_width, info->invert ? " (inverted)" : "", info->therm_resolution,
           info->therm_bits);
    printf("classes:  %u:", info->num_classes);
    for (i = 0; i < info->num_classes; i++)
        printf(" %s%s", fbnn_model_label(m, i), i + 1 < info->num_classes ? "," : "");
    printf("\nsizes:    file %zu bytes, weights %zu bytes, context %zu bytes\n", info->file_bytes,
           info->weight_bytes, info->context_bytes);
    printf("ops:      %u\n", info->num_ops);
    printf("  #  op              input              output             k s p  params   binops    lsb<=\n");
    for (i = 0; i < info->num_ops; i++) {
        fbnn_layer_info l;
        op_counts c;
        char in[32], out[32];
        fbnn_model_layer(m, i, &l);
        c = count_ops(&l);
        tot.binops += c.binops;
        tot.lsb_max += c.lsb_max;
        tot.flops += c.flops;
        snprintf(in, sizeof in, "%s[%u,%u,%u]", kind_name(l.in_kind), l.in_c, l.in_h, l.in_w);
        snprintf(out, sizeof out, "%s[%u,%u,%u]", kind_name(l.out_kind), l.out_c, l.out_h, l.out_w);
        printf("%3u  %-15s %-18s %-18s", i, l.op_name, in, out);
        if (l.k)
            printf(" %d %d %d", l.k, l.stride, l.pad);
        else
            printf("      ");
        printf("  %6zu", l.param_bytes);
        if (c.binops) {
            human(a, sizeof a, c.binops);
            printf("  %7s", a);
            if (c.lsb_max) {
                human(b, sizeof b, c.lsb_max);
                printf("  %7s", b);
            }
        } else if (c.flops) {
            human(a, sizeof a, c.flops);
            printf("  %7s flops", a);
        }
        putchar('\n');
    }
    human(a, sizeof a, tot.binops);
    human(b, sizeof b, tot.lsb_max);
    human(c3, sizeof c3, tot.flops);
    printf("total:    %s binops + up to %s gated LSB binops, %s flops\n", a, b, c3);
}

static int cmd_info(int argc, char **argv)
{
    fbnn_model *m;
    fbnn_model_info info;
    const char *path = NULL;
    int i, json = 0, rc;
    for (i = 2; i < argc; i++) {
        if (fbnn_cli_is_help(argv[i])) {
            help_info(stdout);
            return FBNN_EXIT_OK;
        } else if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return fbnn_cli_error(FBNN_EXIT_USAGE, "info: unknown option '%s' (see fbnn info --help)", argv[i]);
        } else if (!path) {
            path = argv[i];
        } else {
            return fbnn_cli_error(FBNN_EXIT_USAGE, "info: unexpected argument '%s'", argv[i]);
        }
    }
    if (!path) {
        help_info(stderr);
        return FBNN_EXIT_USAGE;
    }
    if ((rc = fbnn_cli_load_model(path, &m)) != 0) return rc;
    fbnn_model_get_info(m, &info);
    if (json)
        info_json(m, &info);
    else
        info_text(m, &info);
    fbnn_model_free(m);
    return FBNN_EXIT_OK;
}

/* Classify one image into `top`; returns 0 or an exit code with `err` set. */
static int classify_one(const char *path, fbnn_context *ctx, const fbnn_model_info *info, uint8_t *input,
                        uint32_t n_top, fbnn_class_score *top, char *err, size_t err_size)
{
    fbnn_image img;
    char msg[256];
    size_t n_in = (size_t)info->input_channels * info->input_height * info->input_width;
    int s = fbnn_image_load(path, &img, msg, sizeof msg);
    if (s != 0) {
        snprintf(err, err_size, "%s", msg);
        return s == FBNN_IO_ERR_NOMEM ? FBNN_EXIT_NOMEM : FBNN_EXIT_INPUT;
    }
    s = fbnn_image_to_input(&img, info->input_channels, info->input_height, info->input_width, info->resize_mode,
                            info->invert, input, msg, sizeof msg);
    fbnn_image_free(&img);
    if (s != 0) {
        snprintf(err, err_size, "%s: %s", path, msg);
        return s == FBNN_IO_ERR_NOMEM ? FBNN_EXIT_NOMEM : FBNN_EXIT_INPUT;
    }
    if (fbnn_run(ctx, input, n_in) != FBNN_OK || fbnn_topk(ctx, n_top, top) != FBNN_OK) {
        snprintf(err, err_size, "%s: inference failed", path);
        return FBNN_EXIT_NOMEM;
    }
    return FBNN_EXIT_OK;
}

static int cmd_classify(int argc, char **argv)
{
    fbnn_model *m = NULL;
    fbnn_context *ctx = NULL;
    fbnn_model_info info;
    fbnn_class_score *top = NULL;
    uint8_t *input = NULL;
    const char *model_path = NULL;
    int i, rc = FBNN_EXIT_OK, json = 0, n_images = 0, first = 1;
    long want = 5;
    uint32_t n_top, k;

    for (i = 2; i < argc; i++) {
        if (fbnn_cli_is_help(argv[i])) {
            help_classify(stdout);
            return FBNN_EXIT_OK;
        } else if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (strcmp(argv[i], "-k") == 0 || strcmp(argv[i], "--top") == 0) {
            char *end;
            if (++i >= argc) return fbnn_cli_error(FBNN_EXIT_USAGE, "classify: %s needs a number", argv[i - 1]);
            want = strtol(argv[i], &end, 10);
            if (*end || want < 1 || want > 100000)
                return fbnn_cli_error(FBNN_EXIT_USAGE, "classify: bad value '%s' for -k", argv[i]);
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return fbnn_cli_error(FBNN_EXIT_USAGE, "classify: unknown option '%s' (see fbnn classify --help)",
                                  argv[i]);
        } else if (!model_path) {
            model_path = argv[i];
        } else {
            n_images++;
        }
    }
    if (!model_path || n_images == 0) {
        help_classify(stderr);
        return FBNN_EXIT_USAGE;
    }
    if ((rc = fbnn_cli_load_model(model_path, &m)) != 0) return rc;
    fbnn_model_get_info(m, &info);
    n_top = info.num_classes < (uint32_t)want ? info.num_classes : (uint32_t)want;
    input = (uint8_t *)malloc((size_t)info.input_channels * info.input_height * info.input_width);
    top = (fbnn_class_score *)malloc(n_top * sizeof *top);
    if (!input || !top || fbnn_context_create(m, &ctx) != FBNN_OK) {
        rc = fbnn_cli_error(FBNN_EXIT_NOMEM, "out of memory");
        goto out;
    }
    if (json) {
        printf("{\"model\": ");
        fbnn_json_string(stdout, info.name);
        printf(", \"results\": [\n");
    }
    for (i = 2; i < argc; i++) {
        char err[512];
        int r;
        if (strcmp(argv[i], "--json") == 0) continue;
        if (strcmp(argv[i], "-k") == 0 || strcmp(argv[i], "--top") == 0) {
            i++;
            continue;
        }
        if (argv[i] == model_path) continue;
        r = classify_one(argv[i], ctx, &info, input, n_top, top, err, sizeof err);
        if (r != FBNN_EXIT_OK) {
            fprintf(stderr, "fbnn: error: %s\n", err);
            if (rc == FBNN_EXIT_OK || r == FBNN_EXIT_NOMEM) rc = r;
        }
        if (json) {
            printf("%s  {\"file\": ", first ? "" : ",\n");
            fbnn_json_string(stdout, argv[i]);
            if (r != FBNN_EXIT_OK) {
                printf(", \"error\": ");
                fbnn_json_string(stdout, err);
                printf("}");
            } else {
                printf(", \"top\": [");
                for (k = 0; k < n_top; k++) {
                    printf("%s{\"index\": %u, \"label\": ", k ? ", " : "", top[k].index);
                    fbnn_json_string(stdout, top[k].label);
                    printf(", \"probability\": %.9g, \"logit\": %.9g}", top[k].probability, top[k].logit);
                }
                printf("]}");
            }
            first = 0;
        } else if (r == FBNN_EXIT_OK) {
            printf("%s:\n", argv[i]);
            for (k = 0; k < n_top; k++) printf("  %6.2f %%  %s\n", 100.0 * top[k].probability, top[k].label);
        }
    }
    if (json) printf("\n]}\n");
out:
    free(top);
    free(input);
    fbnn_context_free(ctx);
    fbnn_model_free(m);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return FBNN_EXIT_USAGE;
    }
    if (fbnn_cli_is_help(argv[1])) {
        usage(stdout);
        return FBNN_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("fbnn %s\n", fbnn_version());
        return FBNN_EXIT_OK;
    }
    if (strcmp(argv[1], "info") == 0) return cmd_info(argc, argv);
    if (strcmp(argv[1], "classify") == 0) return cmd_classify(argc, argv);
    if (strcmp(argv[1], "eval") == 0) return fbnn_cmd_eval(argc, argv);
#ifdef FBNN_HAVE_CMD_BENCH
    /* `bench` lives in cmd_bench.c (compiled in when that file exists, see CMakeLists.txt). */
    if (strcmp(argv[1], "bench") == 0) return fbnn_cmd_bench(argc, argv);
#endif
    fbnn_cli_error(FBNN_EXIT_USAGE, "unknown command '%s'", argv[1]);
    usage(stderr);
    return FBNN_EXIT_USAGE;
}
