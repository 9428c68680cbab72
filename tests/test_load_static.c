/**
 * @file test_load_static.c
 * @brief fbnn_model_load_static(): a model descriptor in caller memory.
 *
 * The static load must give the same model as fbnn_model_load_memory()
 * (bit-identical logits with the PyTorch golden logits on the 64 bundled
 * CIFAR-10 images, same info and labels), fit in exactly
 * fbnn_model_static_size() bytes at any alignment, refuse a buffer one byte
 * too small before writing past it, and report the same status as the heap
 * loader for corrupt models.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fracbnn/fracbnn.h"
#include "test_files.h"

#define CIFAR_MODEL "models/cifar10_fracbnn.fbnn"
#define FMNIST_MODEL "models/fashion_mnist_fracbnn.fbnn"
#define GOLDEN_LOGITS "tests/data/cifar10_ref_logits.f32"
#define BUNDLED_DATA "tests/data/cifar10_test_first64.bin"
#define REC 3073

static void test_static_matches_golden(void **state)
{
    size_t n_model, n_data, n_gold, need, i, misalign;
    uint8_t *model_bytes = fbnn_test_read_file(CIFAR_MODEL, &n_model);
    uint8_t *data = fbnn_test_read_file(BUNDLED_DATA, &n_data);
    float *gold = (float *)fbnn_test_read_file(GOLDEN_LOGITS, &n_gold);
    (void)state;
    assert_non_null(model_bytes);
    assert_non_null(data);
    assert_non_null(gold);
    need = fbnn_model_static_size(model_bytes, n_model);
    assert_true(need > 0 && need < 64u * 1024u);
    /* Every start alignment 0..15 of the caller's memory. */
    for (misalign = 0; misalign < 16; misalign++) {
        uint8_t *mem = (uint8_t *)malloc(need + 16u);
        uint8_t *ctx_mem;
        fbnn_model *m = NULL;
        fbnn_context *ctx = NULL;
        fbnn_error err;
        fbnn_model_info info;
        assert_non_null(mem);
        memset(mem, 0xA5, need + 16u);
        assert_int_equal(fbnn_model_load_static(model_bytes, n_model, mem + misalign, need, &m, &err), FBNN_OK);
        /* nothing written past the promised size */
        for (i = misalign + need; i < need + 16u; i++) assert_int_equal(mem[i], 0xA5);
        assert_int_equal(fbnn_model_get_info(m, &info), FBNN_OK);
        assert_int_equal(info.num_classes, 10);
        assert_string_equal(fbnn_model_label(m, 3), "cat");
        ctx_mem = (uint8_t *)malloc(fbnn_context_size_for(m) + 64u);
        assert_non_null(ctx_mem);
        assert_int_equal(fbnn_context_init(m, (void *)(((uintptr_t)ctx_mem + 63u) & ~(uintptr_t)63u),
                                           fbnn_context_size_for(m), &ctx),
                         FBNN_OK);
        for (i = 0; i < n_data / REC; i += (misalign == 0 ? 1u : 16u)) {
            assert_int_equal(fbnn_run(ctx, data + i * REC + 1, REC - 1), FBNN_OK);
            assert_memory_equal(fbnn_logits(ctx, NULL), gold + i * 10, 10 * sizeof(float));
        }
        fbnn_model_free(m); /* allowed, does nothing */
        free(ctx_mem);
        free(mem);
    }
    free(model_bytes);
    free(data);
    free(gold);
}

static void test_static_too_small_and_args(void **state)
{
    size_t n_model, need;
    uint8_t *model_bytes = fbnn_test_read_file(FMNIST_MODEL, &n_model);
    uint8_t *mem;
    fbnn_model *m = (fbnn_model *)1;
    fbnn_error err;
    (void)state;
    assert_non_null(model_bytes);
    need = fbnn_model_static_size(model_bytes, n_model);
    assert_true(need > 0);
    mem = (uint8_t *)malloc(need);
    assert_non_null(mem);
    assert_int_equal(fbnn_model_load_static(model_bytes, n_model, mem, need - 1u, &m, &err), FBNN_ERR_BUFFER_SIZE);
    assert_null(m);
    assert_non_null(strstr(err.message, "needed"));
    assert_int_equal(fbnn_model_load_static(model_bytes, n_model, mem, 8, &m, &err), FBNN_ERR_BUFFER_SIZE);
    assert_int_equal(fbnn_model_load_static(model_bytes, n_model, NULL, need, &m, &err), FBNN_ERR_ARG);
    assert_int_equal(fbnn_model_load_static(NULL, n_model, mem, need, &m, &err), FBNN_ERR_ARG);
    assert_int_equal(fbnn_model_load_static(model_bytes, n_model, mem, need, NULL, &err), FBNN_ERR_ARG);
    assert_int_equal(fbnn_model_load_static(model_bytes + 1, n_model - 1, mem, need, &m, &err), FBNN_ERR_ALIGNMENT);
    assert_int_equal(fbnn_model_static_size(NULL, 100), 0);
    assert_int_equal(fbnn_model_static_size(model_bytes, 10), 0);
    assert_int_equal(fbnn_model_load_static(model_bytes, n_model, mem, need, &m, &err), FBNN_OK);
    assert_non_null(m);
    free(mem);
    free(model_bytes);
}

/* Corrupt models: the static loader reports exactly what the heap loader reports. */
static void test_static_same_errors(void **state)
{
    size_t n_model, need, k;
    uint8_t *model_bytes = fbnn_test_read_file(CIFAR_MODEL, &n_model);
    uint8_t *copy, *mem;
    (void)state;
    assert_non_null(model_bytes);
    need = fbnn_model_static_size(model_bytes, n_model);
    copy = (uint8_t *)malloc(n_model + 64u);
    mem = (uint8_t *)malloc(need);
    assert_non_null(copy);
    assert_non_null(mem);
    for (k = 0; k < 200; k++) {
        fbnn_model *a = NULL, *b = NULL;
        fbnn_status sa, sb;
        size_t len = n_model;
        memcpy(copy, model_bytes, n_model);
        if (k % 4 == 0) len = (k * 7919u) % n_model;          /* truncated */
        else copy[(k * 104729u) % n_model] ^= (uint8_t)(1u << (k % 8)); /* one flipped bit */
        sa = fbnn_model_load_memory(copy, len, &a, NULL);
        sb = fbnn_model_load_static(copy, len, mem, need, &b, NULL);
        if (sb == FBNN_ERR_BUFFER_SIZE) continue; /* a corrupted count may ask for more; refused before use */
        assert_int_equal(sa, sb);
        assert_true(sa != FBNN_OK);
        assert_null(b);
        fbnn_model_free(a);
    }
    free(copy);
    free(mem);
    free(model_bytes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_static_matches_golden),
        cmocka_unit_test(test_static_too_small_and_args),
        cmocka_unit_test(test_static_same_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
