/**
 * @file embed_rom.c
 * @brief The microcontroller story: the model is a const array compiled into
 *        the binary, inference runs in a static buffer, nothing is read
 *        from files and the library never touches a heap.
 *
 * The build generates two headers with tools/fbnn_to_c_array.py (see
 * examples/CMakeLists.txt):
 *   - model_rom.h: models/cifar10_fracbnn.fbnn as `model_rom` (read-only
 *     data, i.e. flash on a microcontroller);
 *   - image_rom.h: one CIFAR-10 test image (record 0, a cat) as 3072 planar
 *     R, G, B bytes, standing in for a camera frame.
 *
 * Memory (no heap at all, from the first line of main() to the last):
 *   - weights: used in place from `model_rom` (fbnn_model_load_static()
 *     validates the file and keeps pointers into it; no copy);
 *   - the model descriptor (op table, labels, loader scratch): `desc_mem`, a
 *     static buffer given to fbnn_model_load_static(); a few KiB, the
 *     program prints how many bytes (fbnn_model_static_size());
 *   - activations: `arena`, a static buffer, set up by fbnn_context_init().
 *   ctest examples_embed_rom_noheap links this program with a malloc guard
 *   that aborts on any heap call from the start of the model load on.
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

/* The model descriptor (tables, labels, loader scratch): ResNet-20 needs 24 636 bytes;
 * fbnn_model_static_size() says what a model needs. */
#ifndef EMBED_DESC_BYTES
#define EMBED_DESC_BYTES (32u * 1024u)
#endif
static union {
    uint64_t align;
    unsigned char bytes[EMBED_DESC_BYTES];
} desc_mem;

int main(void)
{
    fbnn_model *model;
    fbnn_context *ctx;
    fbnn_error err;
    fbnn_class_score top[5];
    size_t need;
    uint32_t k;

    if (fbnn_model_load_static(model_rom.bytes, MODEL_ROM_SIZE, desc_mem.bytes, sizeof desc_mem.bytes, &model,
                               &err) != FBNN_OK) {
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
    printf("model %u bytes in ROM, descriptor %zu of %zu static bytes, context %zu of %zu static bytes\n",
           MODEL_ROM_SIZE, fbnn_model_static_size(model_rom.bytes, MODEL_ROM_SIZE), (size_t)sizeof desc_mem.bytes,
           need, (size_t)sizeof arena.bytes);
    for (k = 0; k < 5; k++) printf("%6.1f %%  %s\n", 100.0 * top[k].probability, top[k].label);
    /* No fbnn_context_free() / fbnn_model_free(): all memory is static. */
    return 0;
}
