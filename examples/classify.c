/**
 * @file classify.c
 * @brief The smallest complete libfracbnn program: classify one photo.
 *
 *   classify MODEL.fbnn IMAGE          (IMAGE: JPEG or PNG, any size)
 *
 * prints the best 5 classes with their softmax probabilities, e.g.
 *
 *    92.3 %  cat
 *     7.7 %  frog
 *     ...
 *
 * Steps: load and validate the model; ask it for its input size; decode the
 * image and turn it into 8-bit planar pixels of that size; run; top-5.
 *
 * Preprocessing (tools/cli/io/image_io.h, the same for `fbnn classify`):
 * the image is converted to the model's colour space (RGB, or BT.601 grey
 * `(77R + 150G + 29B + 128) >> 8`), scaled by one factor so that the
 * model input is covered (the shorter side becomes the input size) with
 * exact area averaging (a box filter: every source pixel contributes in
 * proportion to its overlap with an output pixel), and the centred window
 * of the input size is cropped out; models whose metadata asks for it get
 * `255 - v` (Fashion-MNIST: white garments on black). The training data
 * (CIFAR-10 32x32, Fashion-MNIST 28x28) was never resized, so an image
 * at exactly the input size passes through unchanged, and an image that
 * is an integer multiple of it in both directions is averaged back exactly.
 *
 * Exit status: 0 ok, 1 the model or image cannot be used, 2 usage.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fracbnn/fracbnn.h"
#include "image_io.h" /* tools/cli/io: JPEG/PNG decoding + resize/crop */

int main(int argc, char **argv)
{
    fbnn_model *model = NULL;
    fbnn_context *ctx = NULL;
    fbnn_model_info info;
    fbnn_error err;
    fbnn_image photo;
    fbnn_class_score top[5];
    char msg[256];
    uint8_t *pixels = NULL;
    size_t n;
    uint32_t k, n_top;
    int rc = 1;

    if (argc != 3) {
        fprintf(stderr, "usage: %s MODEL.fbnn IMAGE\n", argv[0]);
        return 2;
    }
    /* 1. Model: read, validate every table, plan the activation memory. */
    if (fbnn_model_load_file(argv[1], &model, &err) != FBNN_OK) {
        fprintf(stderr, "classify: %s: %s: %s\n", argv[1], fbnn_status_str(err.status), err.message);
        return 1;
    }
    fbnn_model_get_info(model, &info);

    /* 2. Image -> [C][H][W] bytes of the model's input size. */
    n = (size_t)info.input_channels * info.input_height * info.input_width;
    if (fbnn_image_load(argv[2], &photo, msg, sizeof msg) != 0) {
        fprintf(stderr, "classify: %s\n", msg);
        goto out;
    }
    pixels = (uint8_t *)malloc(n);
    if (!pixels || fbnn_image_to_input(&photo, info.input_channels, info.input_height, info.input_width,
                                       info.resize_mode, info.invert, pixels, msg, sizeof msg) != 0) {
        fprintf(stderr, "classify: %s: %s\n", argv[2], pixels ? msg : "out of memory");
        fbnn_image_free(&photo);
        goto out;
    }
    fbnn_image_free(&photo);

    /* 3. Inference: all memory is allocated once here; fbnn_run() allocates nothing. */
    if (fbnn_context_create(model, &ctx) != FBNN_OK || fbnn_run(ctx, pixels, n) != FBNN_OK) {
        fprintf(stderr, "classify: inference failed\n");
        goto out;
    }

    /* 4. Best classes, with softmax probabilities over all classes. */
    n_top = info.num_classes < 5 ? info.num_classes : 5;
    fbnn_topk(ctx, n_top, top);
    for (k = 0; k < n_top; k++) printf("%6.1f %%  %s\n", 100.0 * top[k].probability, top[k].label);
    rc = 0;
out:
    fbnn_context_free(ctx);
    free(pixels);
    fbnn_model_free(model);
    return rc;
}
