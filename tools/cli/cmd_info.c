/**
 * @file cmd_info.c
 * @brief `fbnn info`: validate a model and describe it (input format,
 *        classes, sizes, one line per op with shapes and operation counts),
 *        as text or JSON.
 */
#include <stdio.h>
#include <string.h>

#include "cli_util.h"

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
    } else if (strcmp(l->op_name, "bconv_thr") == 0) {
        c.binops = fbnn_cli_thr_channels(l) * l->out_h * l->out_w * l->in_c * k2;
    } else if (strcmp(l->op_name, "bfc") == 0) {
        c.binops = out * l->in_c * l->in_h * l->in_w;
    } else if (strcmp(l->op_name, "bfc_thr") == 0) {
        c.binops = fbnn_cli_thr_channels(l) * l->in_c * l->in_h * l->in_w;
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
    printf("],\n \"file_bytes\": %zu, \"weight_bytes\": %zu, \"context_bytes\": %zu, \"panel_bytes\": %zu,\n"
           " \"layers\": [\n",
           info->file_bytes, info->weight_bytes, info->context_bytes, fbnn_model_panel_bytes(m));
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
    printf("\nsizes:    file %zu bytes, weights %zu bytes, context %zu bytes, weight panels %zu bytes\n",
           info->file_bytes, info->weight_bytes, info->context_bytes, fbnn_model_panel_bytes(m));
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

int fbnn_cmd_info(int argc, char **argv)
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
    if (!path) return fbnn_cli_missing("info", "MODEL", help_info);
    if ((rc = fbnn_cli_load_model(path, &m)) != 0) return rc;
    fbnn_model_get_info(m, &info);
    if (json)
        info_json(m, &info);
    else
        info_text(m, &info);
    fbnn_model_free(m);
    return FBNN_EXIT_OK;
}
