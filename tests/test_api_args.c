/*
 * Every public function of include/fracbnn/fracbnn.h and layers.h called
 * with bad arguments (issue 7, part 2): NULL pointers, zero, negative, one
 * past the documented range, INT_MAX/UINT32_MAX/SIZE_MAX sizes and sizes
 * whose products overflow. Each call must return its specific status
 * (docs/ERRORS.md), leave out-parameters in their documented state and not
 * crash; run under ASan+UBSan in CI, so an out-of-bounds access during
 * validation is a failure too. Valid calls next to the bad ones show that
 * the rejection is about the argument, not a broken set-up.
 *
 * Plain C: one line per failed check, exit 1 on any failure.
 */
#define _POSIX_C_SOURCE 200112L /* posix_memalign */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fracbnn/fracbnn.h"
#include "fracbnn/layers.h"

#define MODEL "models/cifar10_fracbnn.fbnn"

static void *alloc64(size_t n)
{
    void *p = NULL;
    return posix_memalign(&p, 64, n) == 0 ? p : NULL;
}

static int g_fail, g_checks;
#define CHECK(cond)                                                                    \
    do {                                                                               \
        g_checks++;                                                                    \
        if (!(cond)) {                                                                 \
            printf("FAIL line %d: %s\n", __LINE__, #cond);                             \
            g_fail = 1;                                                                \
        }                                                                              \
    } while (0)
/* A call that must return status `want`. */
#define EXPECT(want, call) CHECK((call) == (want))

static void test_status_strings(void)
{
    int s;
    for (s = FBNN_OK; s <= FBNN_ERR_LIMIT; s++) {
        const char *t = fbnn_status_str((fbnn_status)s);
        CHECK(t != NULL && t[0] != 0 && strcmp(t, "unknown status") != 0);
    }
    CHECK(strcmp(fbnn_status_str((fbnn_status)(FBNN_ERR_LIMIT + 1)), "unknown status") == 0);
    CHECK(strcmp(fbnn_status_str((fbnn_status)-1), "unknown status") == 0);
    CHECK(fbnn_version() != NULL && fbnn_version()[0] != 0);
}

static void test_load(const uint8_t *buf, size_t n)
{
    fbnn_model *m = (fbnn_model *)(uintptr_t)1;
    fbnn_error err;
    fbnn_load_options o;
    memset(&o, 0, sizeof o);

    /* NULL out: FBNN_ERR_ARG, and err is filled. */
    EXPECT(FBNN_ERR_ARG, fbnn_model_load_file(MODEL, NULL, &err));
    CHECK(err.status == FBNN_ERR_ARG && err.message[0] != 0);
    EXPECT(FBNN_ERR_ARG, fbnn_model_load_file(NULL, &m, NULL));
    CHECK(m == NULL);
    EXPECT(FBNN_ERR_ARG, fbnn_model_load_file_ex(NULL, &o, &m, &err));
    EXPECT(FBNN_ERR_ARG, fbnn_model_load_file_ex(MODEL, &o, NULL, &err));
    EXPECT(FBNN_ERR_IO, fbnn_model_load_file("", &m, &err));
    EXPECT(FBNN_ERR_IO, fbnn_model_load_file("tests/no/such/file.fbnn", &m, &err));
    EXPECT(FBNN_ERR_IO, fbnn_model_load_file("tests", &m, &err)); /* a directory */
    m = (fbnn_model *)(uintptr_t)1;
    EXPECT(FBNN_ERR_ARG, fbnn_model_load_memory(NULL, 10, &m, &err));
    CHECK(m == NULL);
    EXPECT(FBNN_ERR_ARG, fbnn_model_load_memory(buf, n, NULL, &err));
    EXPECT(FBNN_ERR_ARG, fbnn_model_load_memory_ex(NULL, 1, NULL, &m, NULL));
    EXPECT(FBNN_ERR_TRUNCATED, fbnn_model_load_memory(NULL, 0, &m, &err)); /* empty model */
    EXPECT(FBNN_ERR_TRUNCATED, fbnn_model_load_memory(buf, 0, &m, &err));
    EXPECT(FBNN_ERR_TRUNCATED, fbnn_model_load_memory(buf, 3, &m, &err));
    EXPECT(FBNN_ERR_TRUNCATED, fbnn_model_load_memory(buf, 63, &m, &err));
    EXPECT(FBNN_ERR_TRUNCATED, fbnn_model_load_memory(buf, n - 1, &m, &err));
    /* Huge sizes: the header's u32 file_size differs, nothing past the buffer is read. */
    EXPECT(FBNN_ERR_HEADER, fbnn_model_load_memory(buf, SIZE_MAX, &m, &err));
    EXPECT(FBNN_ERR_HEADER, fbnn_model_load_memory(buf, (size_t)UINT32_MAX + 1u + n, &m, &err));
    EXPECT(FBNN_ERR_ALIGNMENT, fbnn_model_load_memory(buf + 1, n - 1, &m, &err));
    o.max_model_bytes = 1;
    EXPECT(FBNN_ERR_LIMIT, fbnn_model_load_memory_ex(buf, n, &o, &m, &err));
    EXPECT(FBNN_ERR_LIMIT, fbnn_model_load_file_ex(MODEL, &o, &m, &err));
    o.max_model_bytes = 0;
    o.max_context_bytes = 1;
    EXPECT(FBNN_ERR_LIMIT, fbnn_model_load_memory_ex(buf, n, &o, &m, &err));
    CHECK(m == NULL);
    fbnn_model_free(NULL); /* allowed */
}

static void test_model_queries(const fbnn_model *m)
{
    fbnn_model_info info;
    fbnn_layer_info li;
    EXPECT(FBNN_ERR_ARG, fbnn_model_get_info(NULL, &info));
    EXPECT(FBNN_ERR_ARG, fbnn_model_get_info(m, NULL));
    EXPECT(FBNN_OK, fbnn_model_get_info(m, &info));
    CHECK(fbnn_model_label(NULL, 0) == NULL);
    CHECK(fbnn_model_label(m, info.num_classes) == NULL);
    CHECK(fbnn_model_label(m, UINT32_MAX) == NULL);
    CHECK(fbnn_model_label(m, 0) != NULL);
    EXPECT(FBNN_ERR_ARG, fbnn_model_layer(NULL, 0, &li));
    EXPECT(FBNN_ERR_ARG, fbnn_model_layer(m, 0, NULL));
    EXPECT(FBNN_ERR_ARG, fbnn_model_layer(m, info.num_ops, &li));
    EXPECT(FBNN_ERR_ARG, fbnn_model_layer(m, UINT32_MAX, &li));
    EXPECT(FBNN_OK, fbnn_model_layer(m, info.num_ops - 1, &li));
    CHECK(fbnn_context_size_for(NULL) == 0);
    CHECK(fbnn_context_size_for(m) == info.context_bytes);
    CHECK(fbnn_context_size_for_threads(NULL, 4) == 0);
    CHECK(fbnn_context_size_for_threads(m, 1) == info.context_bytes);
}

static void hook(void *user, const fbnn_op_event *e)
{
    (void)e;
    ++*(int *)user;
}

static void test_context(const fbnn_model *m)
{
    fbnn_context *ctx = (fbnn_context *)(uintptr_t)1, *c2;
    fbnn_model_info info;
    size_t need = fbnn_context_size_for(m), n_in;
    uint8_t *mem, *img;
    float *logits;
    fbnn_class_score top[12];
    fbnn_run_stats rs;
    uint32_t nc = 77;
    int calls = 0;

    fbnn_model_get_info(m, &info);
    n_in = (size_t)info.input_channels * info.input_height * info.input_width;
    EXPECT(FBNN_ERR_ARG, fbnn_context_create(NULL, &ctx));
    CHECK(ctx == NULL);
    EXPECT(FBNN_ERR_ARG, fbnn_context_create(m, NULL));
    mem = (uint8_t *)alloc64(need + 64);
    CHECK(mem != NULL);
    ctx = (fbnn_context *)(uintptr_t)1;
    EXPECT(FBNN_ERR_ARG, fbnn_context_init(NULL, mem, need, &ctx));
    CHECK(ctx == NULL);
    EXPECT(FBNN_ERR_ARG, fbnn_context_init(m, NULL, need, &ctx));
    EXPECT(FBNN_ERR_ARG, fbnn_context_init(m, mem, need, NULL));
    EXPECT(FBNN_ERR_BUFFER_SIZE, fbnn_context_init(m, mem, need - 1, &ctx));
    EXPECT(FBNN_ERR_BUFFER_SIZE, fbnn_context_init(m, mem, 0, &ctx));
    EXPECT(FBNN_ERR_ALIGNMENT, fbnn_context_init(m, mem + 1, need, &ctx));
    EXPECT(FBNN_OK, fbnn_context_init(m, mem, need, &c2));
    EXPECT(FBNN_ERR_UNSUPPORTED, fbnn_context_set_threads(c2, 2)); /* caller memory: no heap */

    EXPECT(FBNN_OK, fbnn_context_create(m, &ctx));
    img = (uint8_t *)calloc(n_in + 1, 1);
    logits = (float *)calloc(2u * info.num_classes, sizeof(float));
    /* Before any run there is no result. */
    CHECK(fbnn_logits(ctx, &nc) == NULL && nc == 0);
    EXPECT(FBNN_ERR_ARG, fbnn_topk(ctx, 1, top));
    /* fbnn_run */
    EXPECT(FBNN_ERR_ARG, fbnn_run(NULL, img, n_in));
    EXPECT(FBNN_ERR_ARG, fbnn_run(ctx, NULL, n_in));
    EXPECT(FBNN_ERR_INPUT, fbnn_run(ctx, img, 0));
    EXPECT(FBNN_ERR_INPUT, fbnn_run(ctx, img, n_in - 1));
    EXPECT(FBNN_ERR_INPUT, fbnn_run(ctx, img, n_in + 1));
    EXPECT(FBNN_ERR_INPUT, fbnn_run(ctx, img, SIZE_MAX));
    EXPECT(FBNN_OK, fbnn_run(ctx, img, n_in));
    /* results */
    CHECK(fbnn_logits(NULL, &nc) == NULL && nc == 0);
    CHECK(fbnn_logits(ctx, NULL) != NULL);
    CHECK(fbnn_logits(ctx, &nc) != NULL && nc == info.num_classes);
    EXPECT(FBNN_ERR_ARG, fbnn_topk(NULL, 1, top));
    EXPECT(FBNN_ERR_ARG, fbnn_topk(ctx, 0, top));
    EXPECT(FBNN_ERR_ARG, fbnn_topk(ctx, 1, NULL));
    EXPECT(FBNN_OK, fbnn_topk(ctx, UINT32_MAX, top)); /* clamped to num_classes (10 <= 12) */
    EXPECT(FBNN_ERR_ARG, fbnn_last_run_stats(NULL, &rs));
    EXPECT(FBNN_ERR_ARG, fbnn_last_run_stats(ctx, NULL));
    EXPECT(FBNN_OK, fbnn_last_run_stats(ctx, &rs));
    /* A failed run clears the result. */
    EXPECT(FBNN_ERR_INPUT, fbnn_run(ctx, img, n_in + 1));
    CHECK(fbnn_logits(ctx, &nc) == NULL);
    /* threads */
    EXPECT(FBNN_ERR_ARG, fbnn_context_set_threads(NULL, 1));
    EXPECT(FBNN_ERR_ARG, fbnn_context_set_threads(ctx, 0));
    EXPECT(FBNN_ERR_ARG, fbnn_context_set_threads(ctx, 257));
    EXPECT(FBNN_ERR_ARG, fbnn_context_set_threads(ctx, UINT32_MAX));
    CHECK(fbnn_context_threads(NULL) == 1);
    CHECK(fbnn_context_threads(ctx) == 1);
    /* batches */
    EXPECT(FBNN_ERR_ARG, fbnn_run_batch(NULL, img, n_in, 1, logits));
    EXPECT(FBNN_ERR_ARG, fbnn_run_batch(ctx, NULL, n_in, 1, logits));
    EXPECT(FBNN_ERR_ARG, fbnn_run_batch(ctx, img, n_in, 1, NULL));
    EXPECT(FBNN_ERR_INPUT, fbnn_run_batch(ctx, img, n_in + 1, 1, logits));
    EXPECT(FBNN_ERR_INPUT, fbnn_run_batch(ctx, img, 0, 1, logits));
    /* n * image_size and n * num_classes * 4 cannot be buffers that exist. */
    EXPECT(FBNN_ERR_ARG, fbnn_run_batch(ctx, img, n_in, SIZE_MAX / n_in + 1, logits));
    EXPECT(FBNN_ERR_ARG, fbnn_run_batch(ctx, img, n_in, SIZE_MAX, logits));
    EXPECT(FBNN_OK, fbnn_run_batch(ctx, img, n_in, 0, NULL)); /* n == 0: nothing */
    EXPECT(FBNN_OK, fbnn_run_batch(ctx, img, n_in, 1, logits));
    /* op hook */
    EXPECT(FBNN_ERR_ARG, fbnn_context_set_op_hook(NULL, hook, &calls));
    EXPECT(FBNN_OK, fbnn_context_set_op_hook(ctx, hook, &calls));
    EXPECT(FBNN_OK, fbnn_run(ctx, img, n_in));
    CHECK(calls == 2 * (int)info.num_ops);
    EXPECT(FBNN_OK, fbnn_context_set_op_hook(ctx, NULL, NULL));
    /* fusion switch: any int is a valid on/off; NULL is not a context */
    EXPECT(FBNN_ERR_ARG, fbnn_context_set_fusion(NULL, 1));
    EXPECT(FBNN_OK, fbnn_context_set_fusion(ctx, 0));
    EXPECT(FBNN_OK, fbnn_run(ctx, img, n_in));
    EXPECT(FBNN_OK, fbnn_context_set_fusion(ctx, 7));
    EXPECT(FBNN_OK, fbnn_run(ctx, img, n_in));

    fbnn_context_free(NULL); /* allowed */
    fbnn_context_free(ctx);
    free(mem);
    free(img);
    free(logits);
}

static void test_layers(void)
{
    static float fx[4 * 64], fy[4 * 64], fa[64], fb[64];
    static uint32_t u[64], u2[64], wt[64];
    static uint8_t img[64];
    static int8_t s8[64];
    fbnn_conv_shape s = {32, 4, 4, 2, 3, 1, 1}, bad;
    uint32_t gated;
    const int huge[] = {0, -1, INT_MIN, 65536, INT_MAX};
    size_t i;

    CHECK(fbnn_conv_out_dim(4, 3, 1, 1) == 4);
    CHECK(fbnn_packed_map_words(32, 2, 2) == 4);
    CHECK(fbnn_packed_weight_words(2, 32, 3) == 18);
    for (i = 0; i < sizeof huge / sizeof huge[0]; i++) {
        int v = huge[i];
        CHECK(fbnn_conv_out_dim(v, 3, 1, 1) == 0);
        CHECK(fbnn_conv_out_dim(4, v, 1, 0) == 0);
        CHECK(fbnn_conv_out_dim(4, 3, v, 0) == 0);
        CHECK(fbnn_packed_map_words(v, 2, 2) == 0 && fbnn_packed_map_words(2, v, 2) == 0 &&
              fbnn_packed_map_words(2, 2, v) == 0);
        CHECK(fbnn_packed_weight_words(v, 2, 3) == 0 && fbnn_packed_weight_words(2, v, 3) == 0 &&
              fbnn_packed_weight_words(2, 2, v) == 0);
        EXPECT(FBNN_ERR_ARG, fbnn_thermometer_encode(img, v, 2, 2, 8, 4, u));
        EXPECT(FBNN_ERR_ARG, fbnn_pack_sign(fx, 2, v, 2, u));
        EXPECT(FBNN_ERR_ARG, fbnn_quant2_pack(fx, 2, 2, v, u, u2));
        EXPECT(FBNN_ERR_ARG, fbnn_unpack_bits(u, v, 2, 2, s8));
        EXPECT(FBNN_ERR_ARG, fbnn_pack_weights(fx, v, 2, 3, wt));
        EXPECT(FBNN_ERR_ARG, fbnn_affine(fx, fa, fb, v, 4, fy));
        if (v <= 0) EXPECT(FBNN_ERR_ARG, fbnn_rprelu(fx, fa, fa, fb, 2, v, fy));
        EXPECT(FBNN_ERR_ARG, fbnn_rprelu(fx, fa, fa, fb, v, 4, fy));
        if (v <= 0) EXPECT(FBNN_ERR_ARG, fbnn_residual_add(fx, fx, v, fy));
        EXPECT(FBNN_ERR_ARG, fbnn_avgpool(fx, 2, v, 4, 2, 2, 1, fy));
        EXPECT(FBNN_ERR_ARG, fbnn_avgpool(fx, 2, 4, 4, v, 2, 1, fy));
        EXPECT(FBNN_ERR_ARG, fbnn_avgpool2x2(fx, 2, 4, v, 1, fy));
        EXPECT(FBNN_ERR_ARG, fbnn_global_avgpool(fx, v, 4, 4, fy));
        EXPECT(FBNN_ERR_ARG, fbnn_maxpool(fx, 2, 4, 4, 2, v, 0, fy));
        EXPECT(FBNN_ERR_ARG, fbnn_maxpool_bits(u, 2, 4, 4, v, 2, 0, u2));
        if (v <= 0) EXPECT(FBNN_ERR_ARG, fbnn_fully_connected(fx, v, fa, fb, 2, fy));
        if (v <= 0) EXPECT(FBNN_ERR_ARG, fbnn_fully_connected(fx, 4, fa, fb, v, fy));
        EXPECT(FBNN_ERR_ARG, fbnn_quant_uniform(fx, 4, v, 0.f, 1.f, fy));
        bad = s; bad.in_c = v;   EXPECT(FBNN_ERR_ARG, fbnn_bconv(u, wt, &bad, fy));
        bad = s; bad.in_h = v;   EXPECT(FBNN_ERR_ARG, fbnn_bconv(u, wt, &bad, fy));
        bad = s; bad.out_c = v;  EXPECT(FBNN_ERR_ARG, fbnn_pgconv(u, u2, wt, fa, &bad, fy, &gated));
        bad = s; bad.k = v;      EXPECT(FBNN_ERR_ARG, fbnn_pgconv(u, u2, wt, fa, &bad, fy, &gated));
        bad = s; bad.stride = v; EXPECT(FBNN_ERR_ARG, fbnn_bconv(u, wt, &bad, fy));
    }
    /* A 15x15 window on the 4x4 map without padding does not fit. */
    bad = s; bad.k = 15; bad.in_c = 65535; bad.pad = 0;
    EXPECT(FBNN_ERR_ARG, fbnn_bconv(u, wt, &bad, fy));
    /* PG conv: 3*k*k*in_c must stay < 2^24 (one correctly rounded n/3 of an
     * exact integer); rejected before anything is read (the buffers here are
     * far too small). The accepted boundary is in tests/test_layers.c. */
    bad = s; bad.k = 15; bad.in_c = 65535; bad.pad = 0; bad.in_h = 15; bad.in_w = 15;
    EXPECT(FBNN_ERR_ARG, fbnn_pgconv(u, u2, wt, fa, &bad, fy, &gated));
    bad.in_c = 24856; /* 3*225*24856 = 16 777 800 >= 2^24 */
    EXPECT(FBNN_ERR_ARG, fbnn_pgconv(u, u2, wt, fa, &bad, fy, &gated));
    bad = s; bad.pad = 3; /* pad must be < k */
    EXPECT(FBNN_ERR_ARG, fbnn_bconv(u, wt, &bad, fy));
    bad = s; bad.pad = -1;
    EXPECT(FBNN_ERR_ARG, fbnn_bconv(u, wt, &bad, fy));
    /* NULL pointers with valid sizes. */
    EXPECT(FBNN_ERR_ARG, fbnn_thermometer_encode(NULL, 1, 2, 2, 8, 4, u));
    EXPECT(FBNN_ERR_ARG, fbnn_thermometer_encode(img, 1, 2, 2, 8, 4, NULL));
    EXPECT(FBNN_ERR_ARG, fbnn_thermometer_encode(img, 1, 2, 2, 0, 4, u));   /* resolution 0 */
    EXPECT(FBNN_ERR_ARG, fbnn_thermometer_encode(img, 1, 2, 2, 256, 4, u)); /* resolution > 255 */
    EXPECT(FBNN_ERR_ARG, fbnn_pack_sign(NULL, 2, 2, 2, u));
    EXPECT(FBNN_ERR_ARG, fbnn_pack_sign(fx, 2, 2, 2, NULL));
    EXPECT(FBNN_ERR_ARG, fbnn_quant2_pack(fx, 2, 2, 2, NULL, u2));
    EXPECT(FBNN_ERR_ARG, fbnn_quant2_pack(fx, 2, 2, 2, u, NULL));
    EXPECT(FBNN_ERR_ARG, fbnn_unpack_bits(NULL, 2, 2, 2, s8));
    EXPECT(FBNN_ERR_ARG, fbnn_pack_weights(NULL, 2, 2, 3, wt));
    EXPECT(FBNN_ERR_ARG, fbnn_bconv(NULL, wt, &s, fy));
    EXPECT(FBNN_ERR_ARG, fbnn_bconv(u, NULL, &s, fy));
    EXPECT(FBNN_ERR_ARG, fbnn_bconv(u, wt, NULL, fy));
    EXPECT(FBNN_ERR_ARG, fbnn_bconv(u, wt, &s, NULL));
    EXPECT(FBNN_ERR_ARG, fbnn_pgconv(u, NULL, wt, fa, &s, fy, &gated));
    EXPECT(FBNN_ERR_ARG, fbnn_pgconv(u, u2, wt, NULL, &s, fy, &gated));
    EXPECT(FBNN_ERR_ARG, fbnn_affine(fx, NULL, fb, 2, 4, fy));
    EXPECT(FBNN_ERR_ARG, fbnn_rprelu(fx, fa, NULL, fb, 2, 4, fy));
    EXPECT(FBNN_ERR_ARG, fbnn_residual_add(fx, NULL, 4, fy));
    EXPECT(FBNN_ERR_ARG, fbnn_avgpool(NULL, 2, 4, 4, 2, 2, 1, fy));
    EXPECT(FBNN_ERR_ARG, fbnn_avgpool2x2(fx, 2, 4, 4, 1, NULL));
    EXPECT(FBNN_ERR_ARG, fbnn_global_avgpool(NULL, 2, 4, 4, fy));
    EXPECT(FBNN_ERR_ARG, fbnn_maxpool(fx, 2, 4, 4, 2, 2, 0, NULL));
    EXPECT(FBNN_ERR_ARG, fbnn_maxpool_bits(NULL, 2, 4, 4, 2, 2, 0, u2));
    EXPECT(FBNN_ERR_ARG, fbnn_fully_connected(fx, 4, NULL, fb, 2, fy));
    EXPECT(FBNN_ERR_ARG, fbnn_quant_uniform(NULL, 4, 2, 0.f, 1.f, fy));
    /* quant_uniform ranges the kernel cannot use. */
    EXPECT(FBNN_ERR_ARG, fbnn_quant_uniform(fx, 4, 2, 1.f, 1.f, fy));
    EXPECT(FBNN_ERR_ARG, fbnn_quant_uniform(fx, 4, 2, 1.f, 0.f, fy));
    EXPECT(FBNN_ERR_ARG, fbnn_quant_uniform(fx, 4, 2, -3e38f, 3e38f, fy));
    /* And valid calls succeed. */
    EXPECT(FBNN_OK, fbnn_bconv(u, wt, &s, fy));
    EXPECT(FBNN_OK, fbnn_pgconv(u, u2, wt, fa, &s, fy, &gated));
    EXPECT(FBNN_OK, fbnn_pgconv(u, u2, wt, fa, &s, fy, NULL));
    EXPECT(FBNN_OK, fbnn_quant_uniform(fx, 4, 2, 0.f, 1.f, fy));
    EXPECT(FBNN_OK, fbnn_residual_add(fx, fx, 4, fy));
}

/* Functions added after the first sweep: ISA selection and the static loader. */
static void test_isa_and_static(const fbnn_model *m, const uint8_t *buf, size_t n)
{
    fbnn_context *ctx = NULL;
    fbnn_model *sm = (fbnn_model *)(uintptr_t)1;
    fbnn_error err;
    size_t need = fbnn_model_static_size(buf, n);
    uint8_t *mem = (uint8_t *)alloc64(need + 64u);
    const char *name;

    EXPECT(FBNN_ERR_ARG, fbnn_context_set_isa(NULL, FBNN_ISA_AUTO));
    CHECK(fbnn_context_isa(NULL) == NULL);
    EXPECT(FBNN_OK, fbnn_context_create(m, &ctx));
    name = fbnn_context_isa(ctx);
    CHECK(name != NULL && name[0] != 0);
    EXPECT(FBNN_ERR_ARG, fbnn_context_set_isa(ctx, (fbnn_isa)-1));
    EXPECT(FBNN_ERR_ARG, fbnn_context_set_isa(ctx, (fbnn_isa)1000));
    CHECK(fbnn_context_isa(ctx) == name || strcmp(fbnn_context_isa(ctx), name) == 0); /* unchanged */
    EXPECT(FBNN_OK, fbnn_context_set_isa(ctx, FBNN_ISA_SCALAR));
    CHECK(strcmp(fbnn_context_isa(ctx), "scalar") == 0);
    EXPECT(FBNN_OK, fbnn_context_set_isa(ctx, FBNN_ISA_AUTO));
    fbnn_context_free(ctx);

    CHECK(need > 0);
    CHECK(fbnn_model_static_size(NULL, n) == 0);
    CHECK(fbnn_model_static_size(buf, 0) == 0);
    CHECK(fbnn_model_static_size(buf, 63) == 0);
    CHECK(mem != NULL);
    if (!mem) return;
    EXPECT(FBNN_ERR_ARG, fbnn_model_load_static(NULL, n, mem, need, &sm, &err));
    CHECK(sm == NULL);
    EXPECT(FBNN_ERR_ARG, fbnn_model_load_static(buf, n, NULL, need, &sm, &err));
    EXPECT(FBNN_ERR_ARG, fbnn_model_load_static(buf, n, mem, need, NULL, &err));
    EXPECT(FBNN_ERR_BUFFER_SIZE, fbnn_model_load_static(buf, n, mem, 0, &sm, &err));
    EXPECT(FBNN_ERR_BUFFER_SIZE, fbnn_model_load_static(buf, n, mem, need - 1u, &sm, &err));
    CHECK(sm == NULL);
    EXPECT(FBNN_ERR_TRUNCATED, fbnn_model_load_static(buf, n - 1u, mem, need, &sm, NULL));
    EXPECT(FBNN_ERR_ALIGNMENT, fbnn_model_load_static(buf + 2, n - 2u, mem, need, &sm, &err));
    EXPECT(FBNN_OK, fbnn_model_load_static(buf, n, mem + 1, need, &sm, &err)); /* any alignment */
    CHECK(sm != NULL);
    fbnn_model_free(sm); /* allowed, no-op */
    free(mem);
}

int main(void)
{
    FILE *f = fopen(MODEL, "rb");
    uint8_t *buf = (uint8_t *)alloc64(128u * 1024u);
    size_t n = 0;
    fbnn_model *m = NULL;
    fbnn_error err;

    if (!f || !buf) {
        printf("cannot read %s\n", MODEL);
        return 1;
    }
    n = fread(buf, 1, 128u * 1024u, f);
    fclose(f);
    test_status_strings();
    test_load(buf, n);
    if (fbnn_model_load_memory(buf, n, &m, &err) != FBNN_OK) {
        printf("valid model does not load: %s\n", err.message);
        return 1;
    }
    test_model_queries(m);
    test_context(m);
    test_layers();
    test_isa_and_static(m, buf, n);
    fbnn_model_free(m);
    free(buf);
    printf("test_api_args: %d checks, %s\n", g_checks, g_fail ? "FAILED" : "all passed");
    return g_fail;
}
