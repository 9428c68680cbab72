/*
 * Golden-directory check: the C library must reproduce an exporter's golden
 * logits bit for bit.
 *
 *   test_golden_dir PREFIX [MODEL]
 *
 * Files PREFIX+"golden.txt" ("N C H W classes"), PREFIX+"golden_inputs.u8"
 * (uint8 [N][C][H][W]) and PREFIX+"golden_logits.f32" (little-endian float32
 * [N][classes]) and the model MODEL (default PREFIX+"model.fbnn"), as
 * written by tools/make_roundtrip_golden.py (PREFIX = "DIR/": the CI round
 * trip: train a tiny model, export, compare) and by the exporter
 * (tools/export_fbnn.py --golden-prefix).
 * Exit 0 when every logit matches; otherwise prints the first differences.
 * With FBNN_TEST_THREADS=N in the environment the context runs N threads.
 * With FBNN_TEST_SUBSET=K:R only the inputs i with i % K == R are run (so
 * that a large model's inputs can be split over ISA x thread configurations
 * and every input is still checked by every ISA; tests/imagenet_golden.sh).
 * With FBNN_TEST_ISA=NAME ("scalar", "popcnt", "avx2", "avx512", "avx512bw",
 * "neon", "swar") the context is switched to that ISA with
 * fbnn_context_set_isa(); exit 77 (skipped) when this CPU or build lacks it
 * (FBNN_ISA instead falls back to the automatic choice silently).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fracbnn/fracbnn.h"

/* FBNN_TEST_ISA names, in fbnn_isa order from FBNN_ISA_SCALAR on. */
static const char *const isa_names[] = {"scalar", "popcnt", "avx2", "avx512", "avx512bw", "neon", "swar"};

static void *read_file(const char *dir, const char *name, size_t *n)
{
    char path[4096];
    FILE *f;
    long len;
    void *buf;
    snprintf(path, sizeof path, "%s%s", dir, name);
    f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "test_golden_dir: cannot open %s\n", path);
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc(len > 0 ? (size_t)len : 1);
    if (buf && len > 0 && fread(buf, 1, (size_t)len, f) != (size_t)len) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *n = (size_t)len;
    return buf;
}

int main(int argc, char **argv)
{
    char model_path[4096];
    unsigned n, c, h, w, classes, i, j, bad = 0, every = 1, rest = 0, ran = 0;
    size_t n_in, n_lg, n_txt;
    char *txt;
    uint8_t *inputs;
    float *gold;
    fbnn_model *m;
    fbnn_context *ctx;
    fbnn_model_info info;
    fbnn_error err;
    int rc = 1;

    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: test_golden_dir PREFIX [MODEL]\n");
        return 2;
    }
    txt = (char *)read_file(argv[1], "golden.txt", &n_txt);
    inputs = (uint8_t *)read_file(argv[1], "golden_inputs.u8", &n_in);
    gold = (float *)read_file(argv[1], "golden_logits.f32", &n_lg);
    if (!txt || !inputs || !gold) goto out_files;
    txt = (char *)realloc(txt, n_txt + 1);
    txt[n_txt] = 0;
    if (sscanf(txt, "%u %u %u %u %u", &n, &c, &h, &w, &classes) != 5 || n == 0 ||
        n_in != (size_t)n * c * h * w || n_lg != (size_t)n * classes * sizeof(float)) {
        fprintf(stderr, "test_golden_dir: golden files are inconsistent\n");
        goto out_files;
    }
    if (argc == 3)
        snprintf(model_path, sizeof model_path, "%s", argv[2]);
    else
        snprintf(model_path, sizeof model_path, "%smodel.fbnn", argv[1]);
    if (fbnn_model_load_file(model_path, &m, &err) != FBNN_OK) {
        fprintf(stderr, "test_golden_dir: %s: %s\n", model_path, err.message);
        goto out_files;
    }
    fbnn_model_get_info(m, &info);
    if (info.input_channels != c || info.input_height != h || info.input_width != w ||
        info.num_classes != classes || fbnn_context_create(m, &ctx) != FBNN_OK) {
        fprintf(stderr, "test_golden_dir: model does not match golden.txt\n");
        fbnn_model_free(m);
        goto out_files;
    }
    if (getenv("FBNN_TEST_THREADS")) { /* the same check with an N-thread context */
        long t = strtol(getenv("FBNN_TEST_THREADS"), NULL, 10);
        if (t < 1 || t > 256 || fbnn_context_set_threads(ctx, (uint32_t)t) != FBNN_OK) {
            fprintf(stderr, "test_golden_dir: cannot use FBNN_TEST_THREADS=%ld\n", t);
            fbnn_context_free(ctx);
            fbnn_model_free(m);
            goto out_files;
        }
    }
    if (getenv("FBNN_TEST_ISA")) {
        const char *want = getenv("FBNN_TEST_ISA");
        fbnn_status st = FBNN_ERR_ARG;
        for (i = 0; i < sizeof isa_names / sizeof isa_names[0]; i++)
            if (strcmp(want, isa_names[i]) == 0) st = fbnn_context_set_isa(ctx, (fbnn_isa)(FBNN_ISA_SCALAR + i));
        if (st != FBNN_OK) {
            fprintf(stderr, "test_golden_dir: ISA %s %s\n", want,
                    st == FBNN_ERR_UNSUPPORTED ? "not available here: skipped" : "unknown");
            fbnn_context_free(ctx);
            fbnn_model_free(m);
            free(txt);
            free(inputs);
            free(gold);
            return st == FBNN_ERR_UNSUPPORTED ? 77 : 1;
        }
    }
    if (getenv("FBNN_TEST_SUBSET") &&
        (sscanf(getenv("FBNN_TEST_SUBSET"), "%u:%u", &every, &rest) != 2 || every == 0 || rest >= every)) {
        fprintf(stderr, "test_golden_dir: FBNN_TEST_SUBSET must be K:R with 0 <= R < K\n");
        fbnn_context_free(ctx);
        fbnn_model_free(m);
        goto out_files;
    }
    for (i = 0; i < n; i++) {
        const float *lg;
        if (i % every != rest)
            continue;
        ran++;
        if (fbnn_run(ctx, inputs + (size_t)i * c * h * w, (size_t)c * h * w) != FBNN_OK) {
            fprintf(stderr, "test_golden_dir: run %u failed\n", i);
            bad++;
            continue;
        }
        lg = fbnn_logits(ctx, NULL);
        for (j = 0; j < classes; j++) {
            const float g = gold[(size_t)i * classes + j];
            if (memcmp(&lg[j], &g, sizeof g) != 0) {
                if (bad < 10)
                    fprintf(stderr, "input %u class %u: C %.9g, golden %.9g\n", i, j, (double)lg[j], (double)g);
                bad++;
            }
        }
    }
    printf("%s: %u of %u inputs x %u classes, %u logits differ (ISA %s)\n", argv[1], ran, n, classes, bad,
           fbnn_context_isa(ctx));
    rc = (bad || ran == 0) ? 1 : 0;
    fbnn_context_free(ctx);
    fbnn_model_free(m);
out_files:
    free(txt);
    free(inputs);
    free(gold);
    return rc;
}
