/**
 * @file cmd_bench.c
 * @brief `fbnn bench`: throughput, single-image latency and a per-layer
 * table of one model.
 *
 * Method (docs/PERFORMANCE.md): every figure is the median of repeated
 * timings (CLOCK_MONOTONIC) after one warm-up, so a descheduled repeat on a
 * shared machine does not move it. Per-layer times come from the library's
 * op hook (fbnn_context_set_op_hook): the hook reads the clock before and
 * after every op of fbnn_run(); its own cost (two clock reads per op, about
 * 50 ns) is included in the layer times but not in the latency figure,
 * which is measured without the hook.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "dataset_io.h"
#include "png_write.h"

/* ------------------------------------------------------------------ bench */
static void help_bench(FILE *f)
{
    fprintf(f,
            "usage: fbnn bench MODEL [options]\n"
            "\n"
            "Time MODEL on this machine: images/s of fbnn_run_batch(), single-image latency\n"
            "of fbnn_run(), and a per-layer table (median time per op, binary ops/s of the\n"
            "convolutions, share of PG output positions where the LSB conv fired).\n"
            "Every figure is the median of the repeats, after one warm-up run.\n"
            "  --threads N   threads of the context (default 1)\n"
            "  --batch B     images per fbnn_run_batch() call (default 256)\n"
            "  --iters K     timed repeats of the batch; the latency and the per-layer\n"
            "                table use max(10*K, 50) single-image runs (default 20)\n"
            "  --data FILE   CIFAR-10 binary batch to take the images from (real images\n"
            "                give real LSB gating); default: deterministic random pixels\n"
            "  --no-layers   skip the per-layer table\n"
            "  --no-fuse     run the elementwise ops one by one (fbnn_context_set_fusion\n"
            "                off): per-op times instead of fused chains, same results\n"
            "  --chart FILE  also draw the per-layer times as a bar chart PNG (one row per op,\n"
            "                bar length = median time; convs blue, other ops grey)\n");
}

typedef struct layer_prof {
    uint32_t n_ops, run;      /* run: index of the current repeat */
    double t_begin;
    double *times;            /* [n_ops][runs] */
    uint32_t runs;
    uint64_t *gated, *positions;
    uint8_t *fused;           /* [n_ops]: ran inside a fused chain started by an earlier op */
} layer_prof;

static void prof_hook(void *user, const fbnn_op_event *ev)
{
    layer_prof *p = (layer_prof *)user;
    double t = fbnn_cli_now();
    if (!ev->end) {
        p->t_begin = t;
        return;
    }
    if (ev->op_index < p->n_ops && p->run < p->runs) {
        p->times[(size_t)ev->op_index * p->runs + p->run] = t - p->t_begin;
        p->gated[ev->op_index] += ev->pg_gated;
        p->positions[ev->op_index] += ev->pg_positions;
        if (ev->fused) p->fused[ev->op_index] = 1;
    }
}

/* Nominal binary ops of one run of a conv op: 2 per 1-bit multiply-accumulate
 * (xor + popcount-add), all k*k taps counted (padding included); a PG conv
 * adds its LSB pass at the positions where it fired. */
static double conv_binops(const fbnn_layer_info *l, double gated_share)
{
    double per_pos = 2.0 * l->k * l->k * l->in_c;
    double pos = (double)l->out_c * l->out_h * l->out_w;
    if (strcmp(l->op_name, "bconv") == 0) return per_pos * pos;
    if (strcmp(l->op_name, "pgconv") == 0) return per_pos * pos * (1.0 + gated_share);
    /* the binary ops of issue 18: bconv_thr per output channel of its
     * weights (k-bit codes: out_c / B), the binary FCs per input x output */
    if (strcmp(l->op_name, "bconv_thr") == 0) return per_pos * (double)fbnn_cli_thr_channels(l) * l->out_h * l->out_w;
    if (strcmp(l->op_name, "bfc") == 0) return 2.0 * l->in_c * l->in_h * l->in_w * l->out_c;
    if (strcmp(l->op_name, "bfc_thr") == 0) return 2.0 * l->in_c * l->in_h * l->in_w * (double)fbnn_cli_thr_channels(l);
    return 0.0;
}

/* Layout of the --chart PNG (also relied on by tests/cli_outputs.sh). */
#define CHART_W 760
#define CHART_TOP 28
#define CHART_ROW 12
#define CHART_BAR_X 160
#define CHART_BAR_MAX 480

static int write_chart(const char *path, fbnn_model *m, const double *med, uint32_t n_ops, uint32_t runs)
{
    fbnn_canvas c;
    char text[96], err[256];
    double mx = 0.0;
    uint32_t i;
    for (i = 0; i < n_ops; i++)
        if (med[i] > mx) mx = med[i];
    if (fbnn_canvas_init(&c, CHART_W, CHART_TOP + CHART_ROW * n_ops + 8, FBNN_RGB_WHITE) != 0)
        return fbnn_cli_error(FBNN_EXIT_NOMEM, "out of memory for the chart");
    snprintf(text, sizeof text, "per-layer time, median of %u runs (longest bar = %.1f us)", runs, 1e6 * mx);
    fbnn_canvas_text(&c, 4, 8, text, 1, FBNN_RGB_BLACK);
    for (i = 0; i < n_ops; i++) {
        fbnn_layer_info l;
        int y = CHART_TOP + (int)(CHART_ROW * i), len;
        int conv;
        fbnn_model_layer(m, i, &l);
        conv = strcmp(l.op_name, "bconv") == 0 || strcmp(l.op_name, "pgconv") == 0;
        snprintf(text, sizeof text, "%3u %s %ux%ux%u", i, l.op_name, l.out_c, l.out_h, l.out_w);
        fbnn_canvas_text(&c, 4, y + 2, text, 1, FBNN_RGB_BLACK);
        len = mx > 0 ? (int)(CHART_BAR_MAX * med[i] / mx + 0.5) : 0;
        if (len < 1) len = 1; /* every op gets a visible bar */
        fbnn_canvas_fill_rect(&c, CHART_BAR_X, y + 1, len, CHART_ROW - 2,
                              conv ? fbnn_rgb_make(40, 90, 200) : fbnn_rgb_make(150, 150, 150));
        snprintf(text, sizeof text, "%.1f", 1e6 * med[i]);
        fbnn_canvas_text(&c, CHART_BAR_X + len + 4, y + 2, text, 1, FBNN_RGB_BLACK);
    }
    if (fbnn_canvas_write_png(&c, path, err, sizeof err) != 0) {
        fbnn_canvas_free(&c);
        return fbnn_cli_error(FBNN_EXIT_OUTPUT, "bench: %s", err);
    }
    fbnn_canvas_free(&c);
    printf("chart: %s (%u x %u)\n", path, (unsigned)CHART_W, (unsigned)(CHART_TOP + CHART_ROW * n_ops + 8));
    return FBNN_EXIT_OK;
}

static int print_layers(fbnn_model *m, fbnn_context *ctx, const uint8_t *imgs, uint32_t n_imgs, size_t isz,
                        uint32_t runs, const char *chart_path)
{
    fbnn_model_info info;
    layer_prof p;
    double total = 0.0, *med;
    uint32_t i, r;
    int rc;
    fbnn_model_get_info(m, &info);
    memset(&p, 0, sizeof p);
    p.n_ops = info.num_ops;
    p.runs = runs;
    p.times = (double *)calloc((size_t)info.num_ops * runs, sizeof(double));
    p.gated = (uint64_t *)calloc(info.num_ops, sizeof(uint64_t));
    p.positions = (uint64_t *)calloc(info.num_ops, sizeof(uint64_t));
    p.fused = (uint8_t *)calloc(info.num_ops, 1);
    med = (double *)calloc(info.num_ops, sizeof(double));
    if (!p.times || !p.gated || !p.positions || !p.fused || !med) {
        free(p.fused);
        free(p.times);
        free(p.gated);
        free(p.positions);
        free(med);
        return fbnn_cli_error(FBNN_EXIT_NOMEM, "out of memory");
    }
    fbnn_context_set_op_hook(ctx, prof_hook, &p);
    for (r = 0; r < runs; r++) {
        p.run = r;
        fbnn_run(ctx, imgs + (size_t)(r % n_imgs) * isz, isz);
    }
    fbnn_context_set_op_hook(ctx, NULL, NULL);
    for (i = 0; i < info.num_ops; i++) {
        med[i] = fbnn_cli_median(p.times + (size_t)i * runs, runs);
        total += med[i];
    }
    printf("\nper layer (fbnn_run, median of %u images; Gbop/s = 1e9 binary ops/s, 2 per 1-bit MAC;\n"
           "'fused' = ran in the fused elementwise chain timed at the op above it, --no-fuse to split):\n", runs);
    printf("  #  op              output           time us  share   Gbop/s  LSB fired\n");
    for (i = 0; i < info.num_ops; i++) {
        fbnn_layer_info l;
        char shape[32];
        double share = p.positions[i] ? (double)p.gated[i] / (double)p.positions[i] : 0.0, ops;
        fbnn_model_layer(m, i, &l);
        ops = conv_binops(&l, share);
        snprintf(shape, sizeof shape, "%ux%ux%u", l.out_c, l.out_h, l.out_w);
        printf("%3u  %-15s %-15s %8.2f %5.1f %%", i, l.op_name, shape, 1e6 * med[i],
               total > 0 ? 100.0 * med[i] / total : 0.0);
        if (ops > 0 && med[i] > 0)
            printf(" %8.1f", ops / med[i] / 1e9);
        else
            printf("         ");
        if (p.positions[i]) printf("  %6.2f %%", 100.0 * share);
        if (p.fused[i]) printf("  fused");
        putchar('\n');
    }
    printf("sum of layer medians: %.2f us\n", 1e6 * total);
    rc = chart_path ? write_chart(chart_path, m, med, info.num_ops, runs) : FBNN_EXIT_OK;
    free(p.fused);
    free(p.times);
    free(p.gated);
    free(p.positions);
    free(med);
    return rc;
}

/* Images to run: from a CIFAR-10 file (cycled to `want`), or random. */
static uint8_t *bench_images(const char *data, const fbnn_model_info *info, uint32_t want, uint32_t *n_out,
                             int *rc)
{
    size_t isz = (size_t)info->input_channels * info->input_height * info->input_width, i;
    uint8_t *imgs = (uint8_t *)malloc((size_t)want * isz);
    *rc = FBNN_EXIT_OK;
    if (!imgs) {
        *rc = fbnn_cli_error(FBNN_EXIT_NOMEM, "out of memory");
        return NULL;
    }
    if (data) {
        fbnn_dataset ds;
        if ((*rc = fbnn_cli_load_dataset(data, NULL, info, &ds)) != 0 || ds.count == 0) {
            if (*rc == 0) *rc = fbnn_cli_error(FBNN_EXIT_INPUT, "%s: no images", data);
            fbnn_dataset_free(&ds);
            free(imgs);
            return NULL;
        }
        for (i = 0; i < want; i++) memcpy(imgs + i * isz, fbnn_dataset_image(&ds, (uint32_t)(i % ds.count)), isz);
        fbnn_dataset_free(&ds);
    } else {
        uint32_t s = 0x2545F491u;
        for (i = 0; i < (size_t)want * isz; i++) {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            imgs[i] = (uint8_t)s;
        }
    }
    *n_out = want;
    return imgs;
}

int fbnn_cmd_bench(int argc, char **argv)
{
    const char *model_path = NULL, *data = NULL, *chart = NULL;
    uint32_t threads = 1, batch = 256, iters = 20, n_imgs = 0, runs, r;
    int i, rc, layers = 1, fuse = 1;
    fbnn_model *m = NULL;
    fbnn_context *ctx = NULL;
    fbnn_model_info info;
    uint8_t *imgs = NULL;
    float *lg = NULL;
    double *t = NULL;
    size_t isz;

    for (i = 2; i < argc; i++) {
        const char *a = argv[i];
        uint32_t *dst = NULL, max = 0;
        if (fbnn_cli_is_help(a)) {
            help_bench(stdout);
            return FBNN_EXIT_OK;
        }
        if (strcmp(a, "--threads") == 0) dst = &threads, max = 256;
        else if (strcmp(a, "--batch") == 0) dst = &batch, max = 1u << 20;
        else if (strcmp(a, "--iters") == 0) dst = &iters, max = 1u << 20;
        if (dst) {
            if (i + 1 >= argc || fbnn_cli_parse_u32(argv[i + 1], max, dst) != 0)
                return fbnn_cli_error(FBNN_EXIT_USAGE, "bench: %s needs an integer in 1..%u", a, max);
            i++;
        } else if (strcmp(a, "--data") == 0) {
            if (i + 1 >= argc) return fbnn_cli_error(FBNN_EXIT_USAGE, "bench: --data needs a file name");
            data = argv[++i];
        } else if (strcmp(a, "--chart") == 0) {
            if (i + 1 >= argc) return fbnn_cli_error(FBNN_EXIT_USAGE, "bench: --chart needs a file name");
            chart = argv[++i];
        } else if (strcmp(a, "--no-layers") == 0) {
            layers = 0;
        } else if (strcmp(a, "--no-fuse") == 0) {
            fuse = 0;
        } else if (a[0] == '-' && a[1]) {
            return fbnn_cli_error(FBNN_EXIT_USAGE, "bench: unknown option '%s' (see fbnn bench --help)", a);
        } else if (!model_path) {
            model_path = a;
        } else {
            return fbnn_cli_error(FBNN_EXIT_USAGE, "bench: unexpected argument '%s'", a);
        }
    }
    if (!model_path) return fbnn_cli_missing("bench", "MODEL", help_bench);
    if (chart && !layers)
        return fbnn_cli_error(FBNN_EXIT_USAGE, "bench: --chart needs the per-layer table (drop --no-layers)");
    if ((rc = fbnn_cli_load_model(model_path, &m)) != 0) return rc;
    fbnn_model_get_info(m, &info);
    isz = (size_t)info.input_channels * info.input_height * info.input_width;
    runs = iters * 10 < 50 ? 50 : iters * 10;
    if (!(imgs = bench_images(data, &info, batch, &n_imgs, &rc))) goto out;
    lg = (float *)malloc((size_t)batch * info.num_classes * sizeof(float));
    t = (double *)malloc((runs > iters ? runs : iters) * sizeof(double));
    if (!lg || !t || fbnn_context_create(m, &ctx) != FBNN_OK) {
        rc = fbnn_cli_error(FBNN_EXIT_NOMEM, "out of memory");
        goto out;
    }
    fbnn_context_set_fusion(ctx, fuse);
    if (fbnn_context_set_threads(ctx, threads) != FBNN_OK) {
        rc = fbnn_cli_error(FBNN_EXIT_USAGE, "bench: %u threads are not supported by this build", threads);
        goto out;
    }
    printf("model: %s (%s)\nthreads: %u, batch: %u, iters: %u, images: %s\n", info.name, model_path, threads, batch,
           iters, data ? data : "random pixels");
    printf("memory: %zu bytes of context for %u thread(s)\n", fbnn_context_size_for_threads(m, threads), threads);

    /* Throughput: the whole batch per call; warm-up first (pool, arenas). */
    rc = FBNN_EXIT_NOMEM;
    if (fbnn_run_batch(ctx, imgs, isz, batch, lg) != FBNN_OK) goto fail_run;
    for (r = 0; r < iters; r++) {
        double t0 = fbnn_cli_now();
        if (fbnn_run_batch(ctx, imgs, isz, batch, lg) != FBNN_OK) goto fail_run;
        t[r] = fbnn_cli_now() - t0;
    }
    {
        double med = fbnn_cli_median(t, iters);
        printf("throughput: %.0f images/s (fbnn_run_batch of %u, median of %u; best %.0f)\n", batch / med, batch,
               iters, batch / t[0]);
    }
    /* Latency: one image per fbnn_run (convs split over the threads). */
    if (fbnn_run(ctx, imgs, isz) != FBNN_OK) goto fail_run;
    for (r = 0; r < runs; r++) {
        double t0 = fbnn_cli_now();
        if (fbnn_run(ctx, imgs + (size_t)(r % n_imgs) * isz, isz) != FBNN_OK) goto fail_run;
        t[r] = fbnn_cli_now() - t0;
    }
    {
        double med = fbnn_cli_median(t, runs);
        printf("latency: %.1f us per image (fbnn_run, median of %u; min %.1f us) = %.0f images/s\n", 1e6 * med,
               runs, 1e6 * t[0], 1.0 / med);
    }
    rc = layers ? print_layers(m, ctx, imgs, n_imgs, isz, runs, chart) : FBNN_EXIT_OK;
    goto out;
fail_run:
    rc = fbnn_cli_error(FBNN_EXIT_NOMEM, "inference failed");
out:
    free(t);
    free(lg);
    free(imgs);
    fbnn_context_free(ctx);
    fbnn_model_free(m);
    return rc;
}
