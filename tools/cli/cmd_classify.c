/**
 * @file cmd_classify.c
 * @brief `fbnn classify`: top-k classes of JPEG/PNG images of any size
 *        (decoded, converted and resized by tools/cli/io/image_io.h), as
 *        text or JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "image_io.h"

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

int fbnn_cmd_classify(int argc, char **argv)
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
    if (!model_path) return fbnn_cli_missing("classify", "MODEL", help_classify);
    if (n_images == 0) return fbnn_cli_missing("classify", "IMAGE", help_classify);
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
