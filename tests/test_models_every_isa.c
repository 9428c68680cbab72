/*
 * Shipped models through every kernel set and thread count: the logits of
 * each ISA this CPU can run (fbnn_context_set_isa, every id up to
 * FBNN_ISA_COUNT) with 1, 2 and 3 threads, by fbnn_run_batch over a batch
 * and by fbnn_run of single images (threads inside the layers), must equal
 * the reference kernels' (FBNN_ISA_SCALAR, one thread) bit for bit. The
 * images are deterministic pseudo-random pixels and flat grey levels.
 * Plain C (no CMocka) so it also runs under qemu-aarch64.
 *
 *   test_models_every_isa MODEL.fbnn...
 * Exit 0 = all identical, 1 = a difference or an error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/dispatch.h" /* fbnn_isa_name */
#include "fracbnn/fracbnn.h"

#define N_IMAGES 12

static int check_model(const char *path)
{
    fbnn_model *m = NULL;
    fbnn_context *ctx = NULL;
    fbnn_model_info info;
    fbnn_error err;
    size_t image_size, i;
    uint32_t nc = 0, seed = 12345u;
    uint8_t *images;
    float *ref, *got;
    int isa, threads, bad = 0, sets = 0;

    if (fbnn_model_load_file(path, &m, &err) != FBNN_OK || fbnn_model_get_info(m, &info) != FBNN_OK) {
        fprintf(stderr, "%s: cannot load: %s\n", path, err.message);
        return 1;
    }
    image_size = (size_t)info.input_channels * info.input_height * info.input_width;
    nc = info.num_classes;
    images = malloc(image_size * N_IMAGES);
    ref = malloc(sizeof(float) * nc * N_IMAGES);
    got = malloc(sizeof(float) * nc * N_IMAGES);
    if (images == NULL || ref == NULL || got == NULL || fbnn_context_create(m, &ctx) != FBNN_OK) {
        fprintf(stderr, "%s: out of memory\n", path);
        return 1;
    }
    for (i = 0; i < image_size * N_IMAGES; i++) {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        images[i] = (uint8_t)(seed >> 24);
    }
    for (i = 0; i < image_size; i++) { /* two flat images: 0 and 255 */
        images[i] = 0;
        images[image_size + i] = 255;
    }
    if (fbnn_context_set_isa(ctx, FBNN_ISA_SCALAR) != FBNN_OK) return 1;
    for (i = 0; i < N_IMAGES; i++) {
        if (fbnn_run(ctx, images + i * image_size, image_size) != FBNN_OK) {
            fprintf(stderr, "%s: reference run failed\n", path);
            return 1;
        }
        memcpy(ref + i * nc, fbnn_logits(ctx, NULL), sizeof(float) * nc);
    }
    for (isa = FBNN_ISA_SCALAR; isa < FBNN_ISA_COUNT; isa++) {
        if (fbnn_context_set_isa(ctx, (fbnn_isa)isa) != FBNN_OK) continue; /* not on this CPU/build */
        for (threads = 1; threads <= 3; threads++) {
            if (fbnn_context_set_threads(ctx, (uint32_t)threads) != FBNN_OK) continue; /* no threads */
            memset(got, 0, sizeof(float) * nc * N_IMAGES);
            if (fbnn_run_batch(ctx, images, image_size, N_IMAGES, got) != FBNN_OK ||
                memcmp(got, ref, sizeof(float) * nc * N_IMAGES) != 0) {
                fprintf(stderr, "MISMATCH %s: %s, %d threads, fbnn_run_batch\n", path, fbnn_context_isa(ctx), threads);
                bad = 1;
            }
            for (i = 0; i < 3; i++) {
                if (fbnn_run(ctx, images + i * image_size, image_size) != FBNN_OK ||
                    memcmp(fbnn_logits(ctx, NULL), ref + i * nc, sizeof(float) * nc) != 0) {
                    fprintf(stderr, "MISMATCH %s: %s, %d threads, fbnn_run image %u\n", path, fbnn_context_isa(ctx),
                            threads, (unsigned)i);
                    bad = 1;
                }
            }
            sets++;
        }
        fbnn_context_set_threads(ctx, 1);
    }
    printf("%s: %d ISA x thread settings, %d images each: %s\n", path, sets, N_IMAGES, bad ? "DIFFER" : "identical");
    fbnn_context_free(ctx);
    fbnn_model_free(m);
    free(images);
    free(ref);
    free(got);
    return bad;
}

int main(int argc, char **argv)
{
    int i, bad = 0;
    if (argc < 2) {
        fprintf(stderr, "usage: test_models_every_isa MODEL.fbnn...\n");
        return 1;
    }
    for (i = 1; i < argc; i++) bad |= check_model(argv[i]);
    return bad;
}
