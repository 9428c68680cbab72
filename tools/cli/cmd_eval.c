/**
 * @file cmd_eval.c
 * @brief `fbnn eval`: accuracy and confusion matrix of a model on a labelled
 *        set (CIFAR-10 batch or IDX files), as text, JSON and/or PNG; with
 *        --threads/--batch/--repeat also the measured images/s.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_util.h"
#include "dataset_io.h"
#include "png_write.h"

/* Layout of the confusion PNG, in pixels (documented in help_eval). */
#define CM_SCALE 2   /* font scale of all text */
#define CM_CELL 56   /* side of one matrix cell */
#define CM_MARGIN 16 /* outer margin */
#define CM_GAP 8     /* between blocks */

static void help_eval(FILE *f)
{
    fprintf(f,
            "usage: fbnn eval MODEL CIFAR10_BATCH.bin [options]\n"
            "       fbnn eval MODEL IMAGES.idx[.gz] LABELS.idx[.gz] [options]\n"
            "\n"
            "Run MODEL on every image of a labelled set (CIFAR-10 binary batch, or IDX\n"
            "image + label files as used by MNIST / Fashion-MNIST, plain or gzip) and\n"
            "print the top-1 accuracy, the share of PG positions where the LSB conv\n"
            "fired, and the confusion matrix (rows: true class, columns: predicted).\n"
            "A progress bar is shown while stdout is a terminal.\n"
            "  --predictions FILE    write the predicted class of each image, one per line\n"
            "  --logits FILE         write the logits of every image as raw float32 in\n"
            "                        host byte order, image after image (images x classes)\n"
            "  --confusion-png FILE  write the confusion matrix as a PNG heat map: cell\n"
            "                        colour = share of the true class (row), white 0 %% to\n"
            "                        dark blue 100 %%, with the count printed in the cell\n"
            "  --json                print one JSON object instead of text: {\"model\",\n"
            "                        \"images\", \"correct\", \"accuracy\", \"lsb_fired\",\n"
            "                        \"classes\", \"confusion\" (rows = true class)}\n"
            "  --no-progress         never draw the progress bar\n"
            "  --threads N           threads of the context (default 1); results are\n"
            "                        bit-identical for every N\n"
            "  --batch B             images per fbnn_run_batch() call (default 256); the\n"
            "                        text output ends with the measured images/s\n"
            "  --repeat N            run the whole set N times (default 1) and report the\n"
            "                        median images/s of the passes, with min and max (for\n"
            "                        noisy machines); every pass must predict the same\n");
}

static void progress(uint32_t done, uint32_t total, int *last_pct)
{
    int pct = total ? (int)(100.0 * done / total) : 100, i, fill = pct / 4;
    if (pct == *last_pct) return;
    *last_pct = pct;
    printf("\r[");
    for (i = 0; i < 25; i++) putchar(i < fill ? '#' : '.');
    printf("] %3d %% %u/%u", pct, done, total);
    fflush(stdout);
}

static void eval_progress(uint32_t done, uint32_t total, void *user)
{
    progress(done, total, (int *)user);
}

static void progress_clear(void)
{
    printf("\r%60s\r", "");
    fflush(stdout);
}

/* Called after every chunk: images done so far, total. */
typedef void (*progress_fn)(uint32_t done, uint32_t total, void *user);

/*
 * Classify `count` images (back to back, `image_bytes` each) with
 * fbnn_run_batch() in chunks of `chunk` images (with the context's threads):
 * pred[i] = index of the largest logit (lowest index on ties, as
 * fbnn_topk()); `stats` = sum of the PG statistics; `seconds` = wall time
 * spent inside fbnn_run_batch(). `on_chunk` may be NULL. `all_logits`, if
 * not NULL, receives count * num_classes floats (image i at i * num_classes).
 */
static fbnn_status classify_all(fbnn_context *ctx, const uint8_t *pixels, size_t image_bytes, uint32_t count,
                                uint32_t chunk, uint32_t *pred, fbnn_run_stats *stats, double *seconds,
                                progress_fn on_chunk, void *user, float *all_logits)
{
    float *lg;
    uint32_t nc = 0, done = 0, i, j;
    fbnn_status s = FBNN_OK;
    double t = 0.0;
    memset(stats, 0, sizeof *stats);
    *seconds = 0.0;
    if (count == 0) return FBNN_OK;
    if (chunk < 1) chunk = 1;
    if (chunk > count) chunk = count;
    /* The number of classes, from one (untimed) run of the first image. */
    if ((s = fbnn_run(ctx, pixels, image_bytes)) != FBNN_OK) return s;
    fbnn_logits(ctx, &nc);
    lg = (float *)malloc((size_t)chunk * nc * sizeof(float));
    if (!lg) return FBNN_ERR_NOMEM;
    while (done < count) {
        uint32_t n = count - done < chunk ? count - done : chunk;
        fbnn_run_stats st;
        double t0 = fbnn_cli_now();
        s = fbnn_run_batch(ctx, pixels + (size_t)done * image_bytes, image_bytes, n, lg);
        t += fbnn_cli_now() - t0;
        if (s != FBNN_OK) break;
        fbnn_last_run_stats(ctx, &st);
        if (all_logits) memcpy(all_logits + (size_t)done * nc, lg, (size_t)n * nc * sizeof(float));
        stats->pg_gated += st.pg_gated;
        stats->pg_positions += st.pg_positions;
        for (i = 0; i < n; i++) {
            const float *l = lg + (size_t)i * nc;
            uint32_t best = 0;
            for (j = 1; j < nc; j++)
                if (l[j] > l[best]) best = j;
            pred[done + i] = best;
        }
        done += n;
        if (on_chunk) on_chunk(done, count, user);
    }
    free(lg);
    *seconds = t;
    return s;
}

static int write_confusion_png(const char *path, const fbnn_model *m, uint32_t n, const uint32_t *cm,
                               uint32_t images, uint32_t correct)
{
    fbnn_canvas c;
    char line1[96], line2[96], buf[64], err[256];
    int label_w = 0, left, top, width, height, w1, w2, i, j;
    const fbnn_rgb grid = fbnn_rgb_make(200, 200, 200);

    snprintf(line1, sizeof line1, "ROWS: TRUE CLASS, COLUMNS: PREDICTED");
    snprintf(line2, sizeof line2, "%u IMAGES, TOP-1 ACCURACY %.2f %%", images,
             images ? 100.0 * correct / images : 0.0);
    for (i = 0; i < (int)n; i++) {
        int w;
        snprintf(buf, sizeof buf, "%d %s", i, fbnn_model_label(m, (uint32_t)i));
        w = fbnn_text_width(buf, CM_SCALE);
        if (w > label_w) label_w = w;
    }
    /* left: margin, row labels, gap; top: margin, two title lines, gap, column numbers, gap */
    left = CM_MARGIN + label_w + CM_GAP;
    top = CM_MARGIN + 2 * FBNN_FONT_HEIGHT * CM_SCALE + CM_GAP + FBNN_FONT_HEIGHT * CM_SCALE;
    width = left + (int)n * CM_CELL + CM_MARGIN;
    w1 = fbnn_text_width(line1, CM_SCALE);
    w2 = fbnn_text_width(line2, CM_SCALE);
    if (CM_MARGIN + (w1 > w2 ? w1 : w2) + CM_MARGIN > width) width = CM_MARGIN + (w1 > w2 ? w1 : w2) + CM_MARGIN;
    height = top + (int)n * CM_CELL + CM_MARGIN;
    if (fbnn_canvas_init(&c, (uint32_t)width, (uint32_t)height, FBNN_RGB_WHITE) != 0)
        return fbnn_cli_error(FBNN_EXIT_NOMEM, "confusion PNG: cannot allocate %dx%d pixels", width, height);
    fbnn_canvas_text(&c, CM_MARGIN, CM_MARGIN, line1, CM_SCALE, FBNN_RGB_BLACK);
    fbnn_canvas_text(&c, CM_MARGIN, CM_MARGIN + FBNN_FONT_HEIGHT * CM_SCALE, line2, CM_SCALE, FBNN_RGB_BLACK);
    for (i = 0; i < (int)n; i++) {
        uint64_t row = 0;
        int y = top + i * CM_CELL;
        snprintf(buf, sizeof buf, "%d", i);
        fbnn_canvas_text(&c, left + i * CM_CELL + (CM_CELL - fbnn_text_width(buf, CM_SCALE)) / 2,
                         top - FBNN_FONT_HEIGHT * CM_SCALE, buf, CM_SCALE, FBNN_RGB_BLACK);
        snprintf(buf, sizeof buf, "%d %s", i, fbnn_model_label(m, (uint32_t)i));
        fbnn_canvas_text(&c, CM_MARGIN, y + (CM_CELL - 7 * CM_SCALE) / 2, buf, CM_SCALE, FBNN_RGB_BLACK);
        for (j = 0; j < (int)n; j++) row += cm[(size_t)i * n + (size_t)j];
        for (j = 0; j < (int)n; j++) {
            uint32_t v = cm[(size_t)i * n + (size_t)j];
            double t = row ? (double)v / (double)row : 0.0;
            int x = left + j * CM_CELL, s = CM_SCALE;
            fbnn_canvas_fill_rect(&c, x, y, CM_CELL, CM_CELL, fbnn_heat_color(t));
            fbnn_canvas_frame_rect(&c, x, y, CM_CELL + 1, CM_CELL + 1, grid);
            if (!v) continue; /* empty cells stay blank: the eye finds the errors faster */
            snprintf(buf, sizeof buf, "%u", v);
            if (fbnn_text_width(buf, s) > CM_CELL - 4) s = 1; /* 5+ digits */
            fbnn_canvas_text(&c, x + (CM_CELL - fbnn_text_width(buf, s)) / 2, y + (CM_CELL - 7 * s) / 2, buf, s,
                             fbnn_heat_text_color(t));
        }
    }
    if (fbnn_canvas_write_png(&c, path, err, sizeof err) != 0) {
        fbnn_canvas_free(&c);
        return fbnn_cli_error(FBNN_EXIT_OUTPUT, "%s", err);
    }
    fbnn_canvas_free(&c);
    return FBNN_EXIT_OK;
}

static void print_text(const fbnn_model *m, uint32_t n, const uint32_t *cm)
{
    uint32_t i, j, maxv = 0;
    int w = 1;
    for (i = 0; i < n * n; i++)
        if (cm[i] > maxv) maxv = cm[i];
    for (; maxv >= 10; maxv /= 10) w++;
    if (w < 3) w = 3;
    printf("confusion matrix (rows: true class, columns: predicted):\n     ");
    for (j = 0; j < n; j++) printf(" %*u", w, j);
    putchar('\n');
    for (i = 0; i < n; i++) {
        uint64_t row = 0;
        printf("  %2u:", i);
        for (j = 0; j < n; j++) {
            printf(" %*u", w, cm[i * n + j]);
            row += cm[i * n + j];
        }
        if (row)
            printf("   %6.2f %%  %s\n", 100.0 * cm[i * n + i] / (double)row, fbnn_model_label(m, i));
        else
            printf("        -    %s\n", fbnn_model_label(m, i));
    }
}

static void print_json(const fbnn_model *m, const fbnn_model_info *info, uint32_t images, uint32_t correct,
                       uint64_t gated, uint64_t positions, const uint32_t *cm)
{
    uint32_t n = info->num_classes, i, j;
    printf("{\"model\": ");
    fbnn_json_string(stdout, info->name);
    printf(", \"images\": %u, \"correct\": %u, \"accuracy\": %.6f, \"lsb_fired\": ", images, correct,
           images ? (double)correct / images : 0.0);
    if (positions)
        printf("%.6f", (double)gated / (double)positions);
    else
        printf("null");
    printf(",\n \"classes\": [");
    for (i = 0; i < n; i++) {
        if (i) printf(", ");
        fbnn_json_string(stdout, fbnn_model_label(m, i));
    }
    printf("],\n \"confusion\": [");
    for (i = 0; i < n; i++) {
        printf("%s\n  [", i ? "," : "");
        for (j = 0; j < n; j++) printf("%s%u", j ? ", " : "", cm[i * n + j]);
        printf("]");
    }
    printf("\n]}\n");
}

int fbnn_cmd_eval(int argc, char **argv)
{
    const char *pred_path = NULL, *png_path = NULL, *logits_path = NULL, *paths[3] = {NULL, NULL, NULL};
    int n_paths = 0, i, rc = FBNN_EXIT_INPUT, json = 0, show_progress = 1, last_pct = -1;
    fbnn_model *m = NULL;
    fbnn_context *ctx = NULL;
    fbnn_model_info info;
    fbnn_dataset ds;
    FILE *pf = NULL;
    uint64_t gated = 0, positions = 0;
    uint32_t correct = 0, k, *cm = NULL, *pred = NULL, *pred2 = NULL, threads = 1, batch = 256, repeat = 1, r;
    double seconds = 0.0, *pass_s = NULL;
    float *all_logits = NULL;
    size_t img_bytes;

    memset(&ds, 0, sizeof ds);
    for (i = 2; i < argc; i++) {
        if (fbnn_cli_is_help(argv[i])) {
            help_eval(stdout);
            return FBNN_EXIT_OK;
        } else if (strcmp(argv[i], "--predictions") == 0 || strcmp(argv[i], "--confusion-png") == 0) {
            if (i + 1 >= argc) return fbnn_cli_error(FBNN_EXIT_USAGE, "eval: %s needs a file name", argv[i]);
            if (argv[i][2] == 'p')
                pred_path = argv[++i];
            else
                png_path = argv[++i];
        } else if (strcmp(argv[i], "--logits") == 0) {
            if (i + 1 >= argc) return fbnn_cli_error(FBNN_EXIT_USAGE, "eval: %s needs a file name", argv[i]);
            logits_path = argv[++i];
        } else if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (strcmp(argv[i], "--no-progress") == 0) {
            show_progress = 0;
        } else if (strcmp(argv[i], "--threads") == 0 || strcmp(argv[i], "--batch") == 0 ||
                   strcmp(argv[i], "--repeat") == 0) {
            uint32_t *dst = argv[i][2] == 't' ? &threads : argv[i][2] == 'b' ? &batch : &repeat;
            if (i + 1 >= argc ||
                fbnn_cli_parse_u32(argv[i + 1], argv[i][2] == 't' ? 256u : argv[i][2] == 'b' ? 1u << 20 : 1000u, dst) != 0)
                return fbnn_cli_error(FBNN_EXIT_USAGE, "eval: %s needs a positive integer", argv[i]);
            i++;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return fbnn_cli_error(FBNN_EXIT_USAGE, "eval: unknown option '%s' (see fbnn eval --help)", argv[i]);
        } else if (n_paths < 3) {
            paths[n_paths++] = argv[i];
        } else {
            return fbnn_cli_error(FBNN_EXIT_USAGE, "eval: unexpected argument '%s'", argv[i]);
        }
    }
    if (n_paths < 1) return fbnn_cli_missing("eval", "MODEL", help_eval);
    if (n_paths < 2) return fbnn_cli_missing("eval", "DATASET (CIFAR10_BATCH.bin or IMAGES.idx LABELS.idx)", help_eval);
    show_progress = show_progress && !json && isatty(STDOUT_FILENO);
    if ((rc = fbnn_cli_load_model(paths[0], &m)) != 0) return rc;
    rc = FBNN_EXIT_INPUT;
    fbnn_model_get_info(m, &info);
    if (fbnn_cli_load_dataset(paths[1], paths[2], &info, &ds) != 0) goto out;
    if (!ds.labels) {
        fbnn_cli_error(FBNN_EXIT_INPUT, "dataset has no labels");
        goto out;
    }
    for (k = 0; k < ds.count; k++)
        if (ds.labels[k] >= info.num_classes) {
            fbnn_cli_error(FBNN_EXIT_INPUT, "label %u of image %u is not a class of the model (%u classes)",
                           ds.labels[k], k, info.num_classes);
            goto out;
        }
    cm = (uint32_t *)calloc((size_t)info.num_classes * info.num_classes, sizeof *cm);
    pred = (uint32_t *)malloc((ds.count ? ds.count : 1u) * sizeof *pred);
    pred2 = (uint32_t *)malloc((ds.count ? ds.count : 1u) * sizeof *pred2);
    pass_s = (double *)malloc(repeat * sizeof *pass_s);
    if (logits_path) all_logits = (float *)malloc(((size_t)ds.count * info.num_classes + 1u) * sizeof(float));
    if (!cm || !pred || !pred2 || !pass_s || (logits_path && !all_logits) || fbnn_context_create(m, &ctx) != FBNN_OK) {
        rc = fbnn_cli_error(FBNN_EXIT_NOMEM, "out of memory");
        goto out;
    }
    if (fbnn_context_set_threads(ctx, threads) != FBNN_OK) {
        rc = fbnn_cli_error(FBNN_EXIT_USAGE, "eval: %u threads are not supported by this build", threads);
        goto out;
    }
    if (pred_path && !(pf = fopen(pred_path, "w"))) {
        rc = fbnn_cli_error(FBNN_EXIT_OUTPUT, "cannot write '%s'", pred_path);
        goto out;
    }
    img_bytes = fbnn_dataset_image_bytes(&ds);
    {
        /* Batches over the context's threads (classify_all); same predictions
         * as image-by-image fbnn_run + fbnn_topk (argmax, lowest index on ties). */
        fbnn_run_stats st;
        fbnn_status s = classify_all(ctx, ds.pixels, img_bytes, ds.count, batch, pred, &st, &seconds,
                                          show_progress ? eval_progress : NULL, &last_pct, all_logits);
        if (s != FBNN_OK) {
            if (show_progress) progress_clear();
            rc = fbnn_cli_error(FBNN_EXIT_NOMEM, "inference failed: %s", fbnn_status_str(s));
            goto out;
        }
        gated = st.pg_gated;
        positions = st.pg_positions;
        pass_s[0] = seconds;
        /* Further timed passes (--repeat): the same predictions, or it is an error. */
        for (r = 1; r < repeat; r++) {
            s = classify_all(ctx, ds.pixels, img_bytes, ds.count, batch, pred2, &st, &pass_s[r], NULL, NULL, NULL);
            if (s != FBNN_OK || memcmp(pred, pred2, (size_t)ds.count * sizeof *pred) != 0) {
                if (show_progress) progress_clear();
                rc = fbnn_cli_error(FBNN_EXIT_NOMEM, "inference failed on pass %u: %s", r + 1,
                                    s != FBNN_OK ? fbnn_status_str(s) : "predictions differ from pass 1");
                goto out;
            }
        }
        seconds = fbnn_cli_median(pass_s, repeat);
    }
    for (k = 0; k < ds.count; k++) {
        if (pred[k] == ds.labels[k]) correct++;
        cm[(size_t)ds.labels[k] * info.num_classes + pred[k]]++;
        if (pf) fprintf(pf, "%u\n", pred[k]);
    }
    if (show_progress) progress_clear();
    if (pf) {
        int bad = ferror(pf);
        if (fclose(pf) != 0) bad = 1;
        pf = NULL;
        if (bad) {
            rc = fbnn_cli_error(FBNN_EXIT_OUTPUT, "write error on '%s'", pred_path);
            goto out;
        }
    }
    if (logits_path) {
        FILE *lf = fopen(logits_path, "wb");
        size_t nv = (size_t)ds.count * info.num_classes;
        int bad = !lf || fwrite(all_logits, sizeof(float), nv, lf) != nv;
        if (lf && fclose(lf) != 0) bad = 1;
        if (bad) {
            rc = fbnn_cli_error(FBNN_EXIT_OUTPUT, "cannot write '%s'", logits_path);
            goto out;
        }
    }
    if (png_path && (rc = write_confusion_png(png_path, m, info.num_classes, cm, ds.count, correct)) != 0) goto out;
    if (json) {
        print_json(m, &info, ds.count, correct, gated, positions, cm);
    } else {
        printf("images: %u\ncorrect: %u\ntop-1 accuracy: %.2f %%\n", ds.count, correct,
               ds.count ? 100.0 * correct / ds.count : 0.0);
        if (positions)
            printf("LSB conv fired at %.2f %% of PG output positions\n", 100.0 * (double)gated / (double)positions);
        print_text(m, info.num_classes, cm);
        if (seconds > 0 && repeat == 1)
            printf("throughput: %.0f images/s (%u thread%s, batch %u, inference time only)\n", ds.count / seconds,
                   threads, threads == 1 ? "" : "s", batch);
        else if (seconds > 0)
            printf("throughput: %.0f images/s (median of %u passes, min %.0f, max %.0f; %u thread%s, batch %u, "
                   "inference time only)\n",
                   ds.count / seconds, repeat, ds.count / pass_s[repeat - 1], ds.count / pass_s[0], threads,
                   threads == 1 ? "" : "s", batch);
    }
    rc = FBNN_EXIT_OK;
out:
    if (pf) fclose(pf);
    free(pred);
    free(pred2);
    free(pass_s);
    free(all_logits);
    free(cm);
    fbnn_dataset_free(&ds);
    fbnn_context_free(ctx);
    fbnn_model_free(m);
    return rc;
}
