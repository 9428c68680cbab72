/**
 * @file embed_rom.c
 * @brief The microcontroller story: the model is a const array compiled into
 *        the binary, inference runs in a static buffer, nothing is read
 *        from files and fbnn_run() never touches a heap.
 *
 * The build generates two headers with tools/fbnn_to_c_array.py (see
 * examples/CMakeLists.txt):
 *   - model_rom.h: models/cifar10_fracbnn.fbnn as `model_rom` (read-only
 *     data, i.e. flash on a microcontroller);
 *   - image_rom.h: one CIFAR-10 test image (record 0, a cat) as 3072 planar
 *     R, G, B bytes, standing in for a camera frame.
 *
 * Memory:
 *   - weights: used in place from `model_rom` (fbnn_model_load_memory()
 *     validates the file and keeps pointers into it; no copy);
 *   - the model descriptor: fbnn_model_load_memory() allocates a small
 *     descriptor (op table, labels) with malloc() once at start-up, a few
 *     KiB, not the weights; the test prints how many bytes;
 *   - activations: `arena`, a static buffer, set up by fbnn_context_init();
 *     no malloc/free from there on (ctest examples_embed_rom_noheap links
 *     this program with a malloc guard that aborts on any heap call after
 *     fbnn_context_init() is entered).
 *
 * EMBED_ARENA_BYTES must be at least the model's context size, which
 * `fbnn info MODEL` prints ("context ... bytes"); the program checks it.
 */
#include <stdint.h>
#include <stdio.h>

#include "fracbnn/fracbnn.h"
#include "image_rom.h"
#include "model_rom.h"

#ifndef EMBED_ARENA_BYTES
#define EMBED_ARENA_BYTES (192u * 1024u)
#endif

/* All activation memory; 64-byte aligned as fbnn_context_init() asks. */
static union {
    uint64_t align;
    unsigned char bytes[EMBED_ARENA_BYTES];
} arena
#if defined(__GNUC__)
    __attribute__((aligned(64)))
#endif
    ;

int main(void)
{
    fbnn_model *model;
    fbnn_context *ctx;
    fbnn_error err;
    fbnn_class_score top[5];
    size_t need;
    uint32_t k;

    if (fbnn_model_load_memory(model_rom.bytes, MODEL_ROM_SIZE, &model, &err) != FBNN_OK) {
        printf("model: %s: %s\n", fbnn_status_str(err.status), err.message);
        return 1;
    }
    need = fbnn_context_size_for(model);
    if (need > sizeof arena.bytes) {
        printf("arena too small: the model needs %zu bytes, EMBED_ARENA_BYTES is %zu\n", need,
               (size_t)sizeof arena.bytes);
        return 1;
    }
    if (fbnn_context_init(model, arena.bytes, sizeof arena.bytes, &ctx) != FBNN_OK ||
        fbnn_run(ctx, image_rom.bytes, IMAGE_ROM_SIZE) != FBNN_OK || fbnn_topk(ctx, 5, top) != FBNN_OK) {
        printf("inference failed\n");
        return 1;
    }
    printf("model %u bytes in ROM, context %zu of %zu static bytes\n", MODEL_ROM_SIZE, need,
           (size_t)sizeof arena.bytes);
    for (k = 0; k < 5; k++) printf("%6.1f %%  %s\n", 100.0 * top[k].probability, top[k].label);
    /* No fbnn_context_free(): the arena is ours. The descriptor goes back
       with fbnn_model_free(), though firmware would simply keep it. */
    fbnn_model_free(model);
    return 0;
}
