/**
 * @file fw_main.c
 * @brief Firmware example: classify FW_N_IMAGES Fashion-MNIST test images
 *        stored in flash with a model stored in flash, no heap.
 *
 * Generated at build time (examples/mcu/CMakeLists.txt):
 *   model_rom.h  the .fbnn model as `model_rom` (tools/fbnn_to_c_array.py);
 *   fw_images.h  the first N test images and labels (make_images_header.py).
 * Memory: the descriptor and the activation arena are static buffers
 * (fbnn_model_load_static(), fbnn_context_init()); the stack is the only
 * other RAM the library uses (measured by painting, startup.c).
 *
 * Output (one line each, parsed by scripts/test_mcu.sh):
 *   pred I LABEL PREDICTION         for every image
 *   isa NAME / images N / correct K / logits_fnv HEX
 *   insn_per_image X / insn_op I X  (instructions per op, mean per image; MCU only)
 *   model_bytes / desc_bytes / context_bytes / stack_used / heap_calls
 * FW_ISA picks the kernel set (FBNN_ISA_AUTO: the best, i.e. the Cortex-M
 * kernels on Cortex-M; FBNN_ISA_SCALAR: the portable reference path).
 * Exit status 0 only if everything ran and no heap call happened.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fracbnn/fracbnn.h"
#include "fw_images.h"
#include "mcu_platform.h"
#include "model_rom.h"

#ifndef FW_ISA
#define FW_ISA FBNN_ISA_AUTO
#endif
#ifndef FW_ARENA_BYTES
#define FW_ARENA_BYTES (256u * 1024u)
#endif
#ifndef FW_DESC_BYTES
#define FW_DESC_BYTES (16u * 1024u)
#endif
#define FW_MAX_OPS 128u

static union {
    uint64_t align;
    unsigned char bytes[FW_ARENA_BYTES];
} arena __attribute__((aligned(64)));
static union {
    uint64_t align;
    unsigned char bytes[FW_DESC_BYTES];
} desc_mem;

static uint64_t op_insns[FW_MAX_OPS];
static uint64_t op_begin;

static void put_u64(const char *key, uint64_t v, const char *tail)
{
    char buf[24];
    int i = (int)sizeof buf - 1;
    buf[i] = '\0';
    do {
        buf[--i] = (char)('0' + (int)(v % 10u));
        v /= 10u;
    } while (v && i > 0);
    if (key) mcu_puts(key);
    mcu_puts(&buf[i]);
    if (tail) mcu_puts(tail);
}

static void put_hex32(uint32_t v)
{
    char buf[9];
    int i;
    for (i = 7; i >= 0; i--, v >>= 4) buf[i] = "0123456789abcdef"[v & 15u];
    buf[8] = '\0';
    mcu_puts(buf);
}

static void op_hook(void *user, const fbnn_op_event *e)
{
    uint64_t now = mcu_counter_read();
    (void)user;
    if (!e->end)
        op_begin = now;
    else if (e->op_index < FW_MAX_OPS)
        op_insns[e->op_index] += now - op_begin;
}

static int fail(const char *what, const fbnn_error *err)
{
    mcu_puts(what);
    if (err) {
        mcu_puts(": ");
        mcu_puts(err->message);
    }
    mcu_puts("\n");
    return 1;
}

int main(void)
{
    fbnn_model *model;
    fbnn_context *ctx;
    fbnn_error err;
    size_t need;
    uint32_t i, k, correct = 0, fnv = 2166136261u, n_ops;
    uint64_t t0, total;
    fbnn_model_info info;
    fbnn_layer_info layer;

    if (fbnn_model_load_static(model_rom.bytes, MODEL_ROM_SIZE, desc_mem.bytes, sizeof desc_mem.bytes, &model,
                               &err) != FBNN_OK)
        return fail("model", &err);
    need = fbnn_context_size_for(model);
    if (need > sizeof arena.bytes) {
        put_u64("arena too small: the model needs ", need, " bytes\n");
        return 1;
    }
    if (fbnn_context_init(model, arena.bytes, sizeof arena.bytes, &ctx) != FBNN_OK) return fail("context", NULL);
    if (fbnn_context_set_isa(ctx, FW_ISA) != FBNN_OK) return fail("isa not available", NULL);
    if (fbnn_model_get_info(model, &info) != FBNN_OK) return fail("info", NULL);
    n_ops = info.num_ops;
    fbnn_context_set_op_hook(ctx, op_hook, NULL);
    mcu_counter_start();
    t0 = mcu_counter_read();
    for (i = 0; i < FW_N_IMAGES; i++) {
        uint32_t best = 0, c, n_cls = 0;
        const float *logits;
        if (fbnn_run(ctx, fw_images[i], FW_IMAGE_BYTES) != FBNN_OK) return fail("run", NULL);
        if ((logits = fbnn_logits(ctx, &n_cls)) == NULL) return fail("logits", NULL);
        for (c = 0; c < n_cls; c++) {
            uint32_t bits;
            memcpy(&bits, &logits[c], 4);
            for (k = 0; k < 4; k++) fnv = (fnv ^ ((bits >> (8u * k)) & 0xffu)) * 16777619u;
            if (logits[c] > logits[best]) best = c;
        }
        correct += best == fw_labels[i];
        put_u64("pred ", i, " ");
        put_u64(NULL, fw_labels[i], " ");
        put_u64(NULL, best, "\n");
    }
    total = mcu_counter_read() - t0;
    mcu_puts("isa ");
    mcu_puts(fbnn_context_isa(ctx));
    put_u64("\nimages ", FW_N_IMAGES, "\n");
    put_u64("correct ", correct, "\n");
    mcu_puts("logits_fnv ");
    put_hex32(fnv);
    mcu_puts("\n");
    put_u64("ticks_per_million_insn ", mcu_counter_ticks_per_million(), "\n");
    if (total) {
        put_u64("insn_per_image ", total / FW_N_IMAGES, "\n");
        for (k = 0; k < n_ops && k < FW_MAX_OPS; k++) {
            put_u64("insn_op ", k, " ");
            mcu_puts(fbnn_model_layer(model, k, &layer) == FBNN_OK ? layer.op_name : "?");
            put_u64(" ", op_insns[k] / FW_N_IMAGES, "\n");
        }
    }
    put_u64("model_bytes ", MODEL_ROM_SIZE, "\n");
    put_u64("desc_bytes ", fbnn_model_static_size(model_rom.bytes, MODEL_ROM_SIZE), "\n");
    put_u64("context_bytes ", need, "\n");
    put_u64("stack_used ", mcu_stack_used(), "\n");
    put_u64("stack_size ", mcu_stack_size(), "\n");
    put_u64("heap_calls ", mcu_heap_calls(), "\n");
    return mcu_heap_calls() == 0u ? 0 : 2;
}
