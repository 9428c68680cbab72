/**
 * @file classify.c
 * @brief Smallest complete use of libfracbnn: classify one JPEG/PNG photo.
 *
 *   classify MODEL.fbnn PHOTO.jpg
 *
 * Load the model, ask it for its input size, turn the photo into 8-bit
 * planar pixels of that size (tools/cli/io: area-average resize of the
 * shorter side + centre crop), run, print the top-5 classes.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fracbnn/fracbnn.h"
#include "image_io.h"

int main(int argc, char **argv)
{
    fbnn_model *model;
    fbnn_context *ctx;
    fbnn_model_info info;
    fbnn_error err;
    fbnn_image photo;
    fbnn_class_score top[5];
    char msg[256];
    uint8_t *pixels;
    size_t n;
    uint32_t k, n_top;

    if (argc != 3) {
        fprintf(stderr, "usage: %s MODEL.fbnn IMAGE\n", argv[0]);
        return 2;
    }
    if (fbnn_model_load_file(argv[1], &model, &err) != FBNN_OK) {
        fprintf(stderr, "classify: %s\n", err.message);
        return 1;
    }
    fbnn_model_get_info(model, &info);
    if (fbnn_image_load(argv[2], &photo, msg, sizeof msg) != 0) {
        fprintf(stderr, "classify: %s\n", msg);
        fbnn_model_free(model);
        return 1;
    }
    n = (size_t)info.input_channels * info.input_height * info.input_width;
    pixels = (uint8_t *)malloc(n);
    if (!pixels || fbnn_image_to_input(&photo, info.input_channels, info.input_height, info.input_width,
                                       info.resize_mode, info.invert, pixels, msg, sizeof msg) != 0 ||
        fbnn_context_create(model, &ctx) != FBNN_OK) {
        fprintf(stderr, "classify: cannot prepare the input\n");
        free(pixels);
        fbnn_image_free(&photo);
        fbnn_model_free(model);
        return 1;
    }
    fbnn_image_free(&photo);
    n_top = info.num_classes < 5 ? info.num_classes : 5;
    if (fbnn_run(ctx, pixels, n) == FBNN_OK && fbnn_topk(ctx, n_top, top) == FBNN_OK)
        for (k = 0; k < n_top; k++) printf("%5.1f%%  %s\n", 100.0 * top[k].probability, top[k].label);
    fbnn_context_free(ctx);
    free(pixels);
    fbnn_model_free(model);
    return 0;
}
