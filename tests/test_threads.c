/*
 * Threads and batches (issue 4): for every thread count 1..4, fbnn_run()
 * (convs split by output channels) and fbnn_run_batch() (whole images per
 * thread) give logits bit-identical (memcmp) to the PyTorch float32
 * reference on real CIFAR-10 images, and the same PG statistics. Also the
 * API contract: caller-memory contexts stay single-threaded, argument
 * errors, the op hook.
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

#define MODEL "models/cifar10_fracbnn.fbnn"
#define FMNIST_MODEL "models/fashion_mnist_fracbnn.fbnn"
#define GOLDEN_LOGITS "tests/data/cifar10_ref_logits.f32"
#define FULL_DATA "../shared/data/cifar10_test_846.bin"
#define BUNDLED_DATA "tests/data/cifar10_test_first64.bin"
#define REC 3073
#define IMG 3072

typedef struct fixture {
    fbnn_model *m;
    uint8_t *images; /* n planar images back to back (labels stripped) */
    float *gold;     /* n x 10 reference logits */
    size_t n;
} fixture;

static int setup(void **state)
{
    fixture *fx = (fixture *)calloc(1, sizeof *fx);
    size_t n_data, n_gold, i;
    uint8_t *data = fbnn_test_read_file(FULL_DATA, &n_data);
    if (!data) data = fbnn_test_read_file(BUNDLED_DATA, &n_data);
    if (!fx || !data) return -1;
    fx->n = n_data / REC;
    {
        /* FBNN_TEST_IMAGES=N runs only the first N (the forced-scalar
         * variant: the reference kernels are ~15x slower). */
        const char *lim = getenv("FBNN_TEST_IMAGES");
        if (lim && atoi(lim) >= 64 && (size_t)atoi(lim) < fx->n) fx->n = (size_t)atoi(lim);
    }
    fx->images = (uint8_t *)malloc(fx->n * IMG);
    for (i = 0; i < fx->n; i++) memcpy(fx->images + i * IMG, data + i * REC + 1, IMG);
    free(data);
    fx->gold = (float *)fbnn_test_read_file(GOLDEN_LOGITS, &n_gold);
    if (!fx->gold || n_gold < fx->n * 10 * sizeof(float)) return -1;
    if (fbnn_model_load_file(MODEL, &fx->m, NULL) != FBNN_OK) return -1;
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = (fixture *)*state;
    fbnn_model_free(fx->m);
    free(fx->images);
    free(fx->gold);
    free(fx);
    return 0;
}

/* fbnn_run_batch over all images with N = 1..4 threads == reference. */
static void test_batch_bit_identical(void **state)
{
    fixture *fx = (fixture *)*state;
    float *lg = (float *)malloc(fx->n * 10 * sizeof(float));
    fbnn_run_stats st1 = {0, 0};
    uint32_t nt;
    assert_non_null(lg);
    print_message("%zu images\n", fx->n);
    for (nt = 1; nt <= 4; nt++) {
        fbnn_context *ctx;
        fbnn_run_stats st;
        assert_int_equal(fbnn_context_create(fx->m, &ctx), FBNN_OK);
        assert_int_equal(fbnn_context_set_threads(ctx, nt), FBNN_OK);
        assert_int_equal(fbnn_context_threads(ctx), nt);
        memset(lg, 0xFF, fx->n * 10 * sizeof(float)); /* NaN: nothing left over */
        assert_int_equal(fbnn_run_batch(ctx, fx->images, IMG, fx->n, lg), FBNN_OK);
        assert_memory_equal(lg, fx->gold, fx->n * 10 * sizeof(float));
        assert_null(fbnn_logits(ctx, NULL)); /* a batch leaves no single result */
        assert_int_equal(fbnn_last_run_stats(ctx, &st), FBNN_OK);
        if (nt == 1) st1 = st;
        assert_true(st.pg_positions > 0 && st.pg_gated > 0);
        assert_true(st.pg_gated == st1.pg_gated && st.pg_positions == st1.pg_positions);
        /* again on the same (now warm) pool, an odd-sized tail of the batch */
        assert_int_equal(fbnn_run_batch(ctx, fx->images + 7 * IMG, IMG, 13, lg), FBNN_OK);
        assert_memory_equal(lg, fx->gold + 70, 13 * 10 * sizeof(float));
        fbnn_context_free(ctx);
    }
    free(lg);
}

/* fbnn_run with N threads (convs split by output channels) == reference,
 * with the same per-image PG statistics. */
static void test_run_split_bit_identical(void **state)
{
    fixture *fx = (fixture *)*state;
    size_t i, n = fx->n < 96 ? fx->n : 96;
    uint32_t nt;
    for (nt = 1; nt <= 4; nt++) {
        fbnn_context *ctx, *ref;
        assert_int_equal(fbnn_context_create(fx->m, &ctx), FBNN_OK);
        assert_int_equal(fbnn_context_create(fx->m, &ref), FBNN_OK);
        assert_int_equal(fbnn_context_set_threads(ctx, nt), FBNN_OK);
        for (i = 0; i < n; i++) {
            fbnn_run_stats a, b;
            assert_int_equal(fbnn_run(ctx, fx->images + i * IMG, IMG), FBNN_OK);
            assert_memory_equal(fbnn_logits(ctx, NULL), fx->gold + i * 10, 10 * sizeof(float));
            assert_int_equal(fbnn_run(ref, fx->images + i * IMG, IMG), FBNN_OK);
            fbnn_last_run_stats(ctx, &a);
            fbnn_last_run_stats(ref, &b);
            assert_true(a.pg_gated == b.pg_gated && a.pg_positions == b.pg_positions);
        }
        fbnn_context_free(ctx);
        fbnn_context_free(ref);
    }
}

/* Changing the thread count (pool torn down and rebuilt) keeps results. */
static void test_thread_count_changes(void **state)
{
    fixture *fx = (fixture *)*state;
    static const uint32_t seq[] = {4, 2, 1, 3, 3, 2};
    float lg[32 * 10];
    fbnn_context *ctx;
    size_t k;
    assert_int_equal(fbnn_context_create(fx->m, &ctx), FBNN_OK);
    for (k = 0; k < sizeof seq / sizeof seq[0]; k++) {
        assert_int_equal(fbnn_context_set_threads(ctx, seq[k]), FBNN_OK);
        assert_int_equal(fbnn_run_batch(ctx, fx->images, IMG, 32, lg), FBNN_OK);
        assert_memory_equal(lg, fx->gold, sizeof lg);
        assert_int_equal(fbnn_run(ctx, fx->images + 40 * IMG, IMG), FBNN_OK);
        assert_memory_equal(fbnn_logits(ctx, NULL), fx->gold + 400, 10 * sizeof(float));
    }
    fbnn_context_free(ctx);
}

/* A context in caller memory never uses the heap: one thread only, and the
 * batch API still works on it. */
static void test_caller_memory_context(void **state)
{
    fixture *fx = (fixture *)*state;
    size_t need = fbnn_context_size_for(fx->m);
    void *block = malloc(need + 64);
    void *mem = (void *)(((uintptr_t)block + 63u) & ~(uintptr_t)63u);
    fbnn_context *ctx;
    float lg[5 * 10];
    assert_int_equal(fbnn_context_init(fx->m, mem, need, &ctx), FBNN_OK);
    assert_int_equal(fbnn_context_set_threads(ctx, 2), FBNN_ERR_UNSUPPORTED);
    assert_int_equal(fbnn_context_set_threads(ctx, 1), FBNN_OK);
    assert_int_equal(fbnn_context_threads(ctx), 1);
    assert_int_equal(fbnn_run_batch(ctx, fx->images, IMG, 5, lg), FBNN_OK);
    assert_memory_equal(lg, fx->gold, sizeof lg);
    free(block);
}

static void test_api_errors_and_sizes(void **state)
{
    fixture *fx = (fixture *)*state;
    fbnn_context *ctx;
    float lg[10];
    size_t one = fbnn_context_size_for(fx->m);
    assert_int_equal(fbnn_context_create(fx->m, &ctx), FBNN_OK);
    assert_int_equal(fbnn_context_set_threads(NULL, 2), FBNN_ERR_ARG);
    assert_int_equal(fbnn_context_set_threads(ctx, 0), FBNN_ERR_ARG);
    assert_int_equal(fbnn_context_set_threads(ctx, 257), FBNN_ERR_ARG);
    assert_int_equal(fbnn_context_threads(NULL), 1);
    assert_int_equal(fbnn_context_threads(ctx), 1);
    assert_int_equal(fbnn_run_batch(NULL, fx->images, IMG, 1, lg), FBNN_ERR_ARG);
    assert_int_equal(fbnn_run_batch(ctx, NULL, IMG, 1, lg), FBNN_ERR_ARG);
    assert_int_equal(fbnn_run_batch(ctx, fx->images, IMG, 1, NULL), FBNN_ERR_ARG);
    assert_int_equal(fbnn_run_batch(ctx, fx->images, IMG - 1, 1, lg), FBNN_ERR_INPUT);
    assert_int_equal(fbnn_run_batch(ctx, NULL, IMG, 0, NULL), FBNN_OK);
    assert_int_equal(fbnn_context_size_for_threads(fx->m, 1), one);
    assert_true(fbnn_context_size_for_threads(fx->m, 2) >= 2 * one);
    assert_true(fbnn_context_size_for_threads(fx->m, 4) >= 4 * one);
    assert_int_equal(fbnn_context_size_for_threads(NULL, 2), 0);
    fbnn_context_free(ctx);
}

typedef struct hook_log {
    uint32_t begins, ends, last_index;
    int in_op, order_ok;
    uint64_t gated, positions;
} hook_log;

static void hook(void *user, const fbnn_op_event *ev)
{
    hook_log *h = (hook_log *)user;
    if (!ev->end) {
        if (h->in_op || (h->begins && ev->op_index != h->last_index + 1)) h->order_ok = 0;
        h->in_op = 1;
        h->begins++;
        h->last_index = ev->op_index;
    } else {
        if (!h->in_op || ev->op_index != h->last_index) h->order_ok = 0;
        h->in_op = 0;
        h->ends++;
        h->gated += ev->pg_gated;
        h->positions += ev->pg_positions;
    }
}

/* The op hook sees every op once, in order, and per-op PG counts that sum to
 * the run's statistics; batches do not call it. */
static void test_op_hook(void **state)
{
    fixture *fx = (fixture *)*state;
    fbnn_model_info info;
    fbnn_context *ctx;
    fbnn_run_stats st;
    float lg[4 * 10];
    uint32_t nt;
    fbnn_model_get_info(fx->m, &info);
    for (nt = 1; nt <= 2; nt++) {
        hook_log h;
        memset(&h, 0, sizeof h);
        h.order_ok = 1;
        assert_int_equal(fbnn_context_create(fx->m, &ctx), FBNN_OK);
        assert_int_equal(fbnn_context_set_threads(ctx, nt), FBNN_OK);
        assert_int_equal(fbnn_context_set_op_hook(ctx, hook, &h), FBNN_OK);
        assert_int_equal(fbnn_run(ctx, fx->images + 3 * IMG, IMG), FBNN_OK);
        assert_true(h.order_ok);
        assert_int_equal(h.begins, info.num_ops);
        assert_int_equal(h.ends, info.num_ops);
        fbnn_last_run_stats(ctx, &st);
        assert_true(h.gated == st.pg_gated && h.positions == st.pg_positions && st.pg_gated > 0);
        assert_int_equal(fbnn_run_batch(ctx, fx->images, IMG, 4, lg), FBNN_OK);
        assert_int_equal(h.begins, info.num_ops); /* not called by the batch */
        assert_int_equal(fbnn_context_set_op_hook(ctx, NULL, NULL), FBNN_OK);
        assert_int_equal(fbnn_run(ctx, fx->images, IMG), FBNN_OK);
        assert_int_equal(h.begins, info.num_ops);
        assert_int_equal(fbnn_context_set_op_hook(NULL, hook, &h), FBNN_ERR_ARG);
        fbnn_context_free(ctx);
    }
}

/* A second, differently shaped model (28x28 grey, our Fashion-MNIST
 * network): batches with 1..3 threads equal image-by-image fbnn_run(). */
static void test_second_model_batches(void **state)
{
    fbnn_model *m;
    fbnn_model_info info;
    fbnn_context *ref, *ctx;
    uint8_t *imgs;
    float *seq, *lg;
    size_t n = 24, sz, i;
    uint32_t nt, r = 12345u;
    (void)state;
    if (fbnn_model_load_file(FMNIST_MODEL, &m, NULL) != FBNN_OK) {
        print_message("%s not present: skipped\n", FMNIST_MODEL);
        skip();
    }
    fbnn_model_get_info(m, &info);
    sz = (size_t)info.input_channels * info.input_height * info.input_width;
    imgs = (uint8_t *)malloc(n * sz);
    seq = (float *)malloc(n * info.num_classes * sizeof(float));
    lg = (float *)malloc(n * info.num_classes * sizeof(float));
    assert_true(imgs && seq && lg);
    for (i = 0; i < n * sz; i++) {
        r = r * 1103515245u + 12345u;
        imgs[i] = (uint8_t)(r >> 24);
    }
    assert_int_equal(fbnn_context_create(m, &ref), FBNN_OK);
    for (i = 0; i < n; i++) {
        assert_int_equal(fbnn_run(ref, imgs + i * sz, sz), FBNN_OK);
        memcpy(seq + i * info.num_classes, fbnn_logits(ref, NULL), info.num_classes * sizeof(float));
    }
    for (nt = 1; nt <= 3; nt++) {
        assert_int_equal(fbnn_context_create(m, &ctx), FBNN_OK);
        assert_int_equal(fbnn_context_set_threads(ctx, nt), FBNN_OK);
        assert_int_equal(fbnn_run_batch(ctx, imgs, sz, n, lg), FBNN_OK);
        assert_memory_equal(lg, seq, n * info.num_classes * sizeof(float));
        assert_int_equal(fbnn_run(ctx, imgs + 5 * sz, sz), FBNN_OK);
        assert_memory_equal(fbnn_logits(ctx, NULL), seq + 5 * info.num_classes, info.num_classes * sizeof(float));
        fbnn_context_free(ctx);
    }
    fbnn_context_free(ref);
    fbnn_model_free(m);
    free(imgs);
    free(seq);
    free(lg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batch_bit_identical),
        cmocka_unit_test(test_run_split_bit_identical),
        cmocka_unit_test(test_thread_count_changes),
        cmocka_unit_test(test_caller_memory_context),
        cmocka_unit_test(test_api_errors_and_sizes),
        cmocka_unit_test(test_op_hook),
        cmocka_unit_test(test_second_model_batches),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
