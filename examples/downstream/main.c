/*
 * Downstream consumer of an installed libfracbnn: checks that the headers
 * and the library agree on the version, loads a model, runs it on a
 * synthetic mid-grey image and prints the best class.
 *
 *   downstream MODEL.fbnn
 */
#include <fracbnn/fracbnn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    fbnn_model *m;
    fbnn_context *ctx;
    fbnn_model_info info;
    fbnn_error err;
    fbnn_class_score best;
    unsigned char *img;
    size_t n;

    if (argc != 2) {
        fprintf(stderr, "usage: downstream MODEL.fbnn\n");
        return 2;
    }
    if (strcmp(fbnn_version(), FBNN_VERSION_STRING) != 0) {
        fprintf(stderr, "header %s but library %s\n", FBNN_VERSION_STRING, fbnn_version());
        return 1;
    }
    if (fbnn_model_load_file(argv[1], &m, &err) != FBNN_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    fbnn_model_get_info(m, &info);
    n = (size_t)info.input_channels * info.input_height * info.input_width;
    img = (unsigned char *)malloc(n);
    if (!img || fbnn_context_create(m, &ctx) != FBNN_OK) return 1;
    memset(img, 128, n);
    if (fbnn_run(ctx, img, n) != FBNN_OK || fbnn_topk(ctx, 1, &best) != FBNN_OK) return 1;
    printf("libfracbnn %s: %s: best class %u (%s)\n", fbnn_version(), info.name, best.index, best.label);
    fbnn_context_free(ctx);
    fbnn_model_free(m);
    free(img);
    return 0;
}
