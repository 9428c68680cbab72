/**
 * @file bench_compare.c
 * @brief One process, one machine state: the ResNet-20 conv shapes and the
 * whole CIFAR-10 network through our scalar path, our best path, oneDNN f32
 * and oneDNN int8; plus this machine's xor+popcount and fp32 FMA limits, so
 * every speed is also a fraction of what the hardware can do.
 *
 *   bench_compare [--threads T] [--batch B] [--reps R] [--data CIFAR.bin] [--quick] [--imagenet]
 *
 * --imagenet: the 27 conv shapes of the FracBNN ImageNet network (3x3 and
 * 1x1, 32 to 1024 channels, batch 4) instead of ResNet-20's, no
 * whole-network part. Ours is the binary conv of each shape (the PG
 * layers' MSB pass; their LSB pass fires on part of the outputs).
 *
 * Run from the repository root (models/, ../shared/data). Every time is the
 * median of R repeats after one warm-up (docs/PERFORMANCE.md, "Method").
 * Work is counted the same way for everyone: one multiply-accumulate (MAC)
 * per output value, input channel and kernel tap (padding taps included);
 * ours are 1-bit MACs (xor + popcount), oneDNN's f32 or int8 MACs.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <oneapi/dnnl/dnnl.h>

#include "cpu/dispatch.h"
#include "fracbnn/fracbnn.h"
#include "peak.h"

void omp_set_num_threads(int n); /* libgomp: oneDNN's Debian build uses OpenMP */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static int g_reps = 15, g_threads = 2, g_batch = 64;

/* ------------------------------------------------------------ thread team */
typedef void (*team_fn)(void *arg, int tid, int n_threads);
typedef struct team {
    pthread_barrier_t bar;
    team_fn fn;
    void *arg;
    int n, reps;
    double *times;
} team;
typedef struct team_member {
    team *t;
    int tid;
} team_member;

static void *team_main(void *varg)
{
    team_member *m = (team_member *)varg;
    team *t = m->t;
    int r;
    for (r = 0; r <= t->reps; r++) { /* r = 0: warm-up */
        double t0;
        pthread_barrier_wait(&t->bar);
        t0 = now_s();
        t->fn(t->arg, m->tid, t->n);
        pthread_barrier_wait(&t->bar);
        if (m->tid == 0 && r > 0) t->times[r - 1] = now_s() - t0;
    }
    return NULL;
}

/* Wall time of fn run by n threads at once (barrier to barrier): the
 * median of the repeats, or with `fastest` (hardware probes) the fastest. */
static double team_time(int n, team_fn fn, void *arg, int fastest)
{
    team t;
    team_member mem[64];
    pthread_t th[64];
    double times[1024], med;
    int i;
    t.fn = fn;
    t.arg = arg;
    t.n = n;
    t.reps = g_reps;
    t.times = times;
    pthread_barrier_init(&t.bar, NULL, (unsigned)n);
    for (i = 0; i < n; i++) {
        mem[i].t = &t;
        mem[i].tid = i;
        if (i) pthread_create(&th[i], NULL, team_main, &mem[i]);
    }
    team_main(&mem[0]);
    for (i = 1; i < n; i++) pthread_join(th[i], NULL);
    pthread_barrier_destroy(&t.bar);
    med = median(times, g_reps);
    if (fastest)
        for (i = 0; i < g_reps; i++)
            if (times[i] < med) med = times[i];
    return med;
}

/* ------------------------------------------------------------------ peaks */
typedef struct peak_arg {
    int kind; /* 0 scalar, 1 avx2, 2 avx512, 3 fma */
    uint64_t iters;
    double work[64];
    uint64_t act[64][FBNN_PEAK_ACT_WORDS];
} peak_arg;

static void peak_work(void *varg, int tid, int n)
{
    peak_arg *a = (peak_arg *)varg;
    uint64_t sink = 0;
    float fs = 0;
    (void)n;
    switch (a->kind) {
    case 0: a->work[tid] = fbnn_peak_xorpop_scalar(a->act[tid], a->iters, &sink); break;
    case 1: a->work[tid] = fbnn_peak_xorpop_avx2(a->act[tid], a->iters, &sink); break;
    case 2: a->work[tid] = fbnn_peak_xorpop_avx512(a->act[tid], a->iters, &sink); break;
    case 4: a->work[tid] = fbnn_peak_xorpop_avx2_nib(a->act[tid], a->iters, &sink); break;
    default: a->work[tid] = fbnn_peak_fma_avx2(a->iters * 64u, &fs); break;
    }
    if (sink == 1 && fs == 1.0f) puts(""); /* keep the results alive */
}

/* MACs per second of `kind` on n threads, from the fastest repeat (not the
 * median): the probe estimates a hardware limit, and a shared host's steal
 * time can only lower a reading; one disturbed probe would otherwise
 * inflate every efficiency printed against it. */
static double peak_rate(peak_arg *a, int kind, int n, uint64_t iters)
{
    double t, work = 0;
    int i;
    a->kind = kind;
    a->iters = iters;
    t = team_time(n, peak_work, a, 1);
    for (i = 0; i < n; i++) work += a->work[i];
    return work / t;
}

/* ------------------------------------------------------------ conv shapes */
typedef struct shape {
    const char *name;
    int ic, oc, h, stride, count; /* count: how many of the network's convs have it */
    int bin_ic;                   /* input channels of our binary version (thermometer: 96) */
    int k;                        /* kernel size (padding k / 2) */
} shape;

static const shape resnet20_shapes[] = {
    {"conv1 3->16 32x32", 3, 16, 32, 1, 1, 96, 3},
    {"16->16 32x32", 16, 16, 32, 1, 6, 16, 3},
    {"16->32 32x32 s2", 16, 32, 32, 2, 1, 16, 3},
    {"32->32 16x16", 32, 32, 16, 1, 5, 32, 3},
    {"32->64 16x16 s2", 32, 64, 16, 2, 1, 32, 3},
    {"64->64 8x8", 64, 64, 8, 1, 5, 64, 3},
};
/* The FracBNN ImageNet network's 27 convs (--imagenet): the stem, then per
 * block (in, out, stride) a 3x3 in -> in at stride s and a 1x1 in -> out. */
static const shape imagenet_shapes[] = {
    {"stem 3->32 224 s2", 3, 32, 224, 2, 1, 96, 3},
    {"3x3 32 112", 32, 32, 112, 1, 1, 32, 3},
    {"1x1 32->64 112", 32, 64, 112, 1, 1, 32, 1},
    {"3x3 64 112 s2", 64, 64, 112, 2, 1, 64, 3},
    {"1x1 64->128 56", 64, 128, 56, 1, 1, 64, 1},
    {"3x3 128 56", 128, 128, 56, 1, 1, 128, 3},
    {"1x1 128->128 56", 128, 128, 56, 1, 1, 128, 1},
    {"3x3 128 56 s2", 128, 128, 56, 2, 1, 128, 3},
    {"1x1 128->256 28", 128, 256, 28, 1, 1, 128, 1},
    {"3x3 256 28", 256, 256, 28, 1, 1, 256, 3},
    {"1x1 256->256 28", 256, 256, 28, 1, 1, 256, 1},
    {"3x3 256 28 s2", 256, 256, 28, 2, 1, 256, 3},
    {"1x1 256->512 14", 256, 512, 14, 1, 1, 256, 1},
    {"3x3 512 14", 512, 512, 14, 1, 5, 512, 3},
    {"1x1 512->512 14", 512, 512, 14, 1, 5, 512, 1},
    {"3x3 512 14 s2", 512, 512, 14, 2, 1, 512, 3},
    {"1x1 512->1024 7", 512, 1024, 7, 1, 1, 512, 1},
    {"3x3 1024 7", 1024, 1024, 7, 1, 1, 1024, 3},
    {"1x1 1024->1024 7", 1024, 1024, 7, 1, 1, 1024, 1},
};
static const shape *shapes = resnet20_shapes;
static int N_SHAPES = (int)(sizeof resnet20_shapes / sizeof resnet20_shapes[0]);

static int out_size_k(int h, int s, int k) { return (h + 2 * (k / 2) - k) / s + 1; }
static double shape_macs(const shape *s, int ic)
{
    int o = out_size_k(s->h, s->stride, s->k);
    return (double)s->oc * o * o * (double)(s->k * s->k) * ic;
}

/* Ours: binary conv of one shape over the batch, images split over threads. */
typedef struct bconv_arg {
    fbnn_kernel_table kt;
    fbnn_conv_params p;
    const uint32_t *in, *w; /* in: batch x in_h x in_w x words */
    size_t in_stride;
    fbnn_real *out[64];
    int batch;
} bconv_arg;

static void bconv_work(void *varg, int tid, int n)
{
    bconv_arg *a = (bconv_arg *)varg;
    int i0 = a->batch * tid / n, i1 = a->batch * (tid + 1) / n, i;
    for (i = i0; i < i1; i++) a->kt.bconv(a->in + (size_t)i * a->in_stride, a->w, &a->p, a->out[tid]);
}

static uint32_t rng = 0x12345678u;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

/* Seconds per batch of our binary conv (median), scalar or best table. */
static double ours_conv(const shape *s, int force_scalar, int threads, const char **isa)
{
    bconv_arg a;
    size_t nw = (size_t)FBNN_WORDS(s->bin_ic), i, n_in, n_w;
    uint32_t *in, *w;
    double t;
    int k;
    memset(&a, 0, sizeof a);
    fbnn_kernel_table_init(&a.kt, force_scalar);
    *isa = a.kt.isa;
    a.p.in_c = s->bin_ic;
    a.p.in_h = a.p.in_w = s->h;
    a.p.out_c = s->oc;
    a.p.k = s->k;
    a.p.stride = s->stride;
    a.p.pad = s->k / 2;
    a.p.out_h = a.p.out_w = out_size_k(s->h, s->stride, s->k);
    a.in_stride = (size_t)s->h * s->h * nw;
    n_in = a.in_stride * (size_t)g_batch;
    n_w = (size_t)s->oc * (size_t)(s->k * s->k) * nw;
    in = (uint32_t *)malloc(n_in * 4);
    w = (uint32_t *)malloc(n_w * 4);
    /* random bits, padding bits of the last word 0 (the layout contract) */
    for (i = 0; i < n_in; i++) in[i] = (i % nw == nw - 1 && s->bin_ic % 32) ? rnd() & ((1u << (s->bin_ic % 32)) - 1u) : rnd();
    for (i = 0; i < n_w; i++) w[i] = (i % nw == nw - 1 && s->bin_ic % 32) ? rnd() & ((1u << (s->bin_ic % 32)) - 1u) : rnd();
    a.in = in;
    a.w = w;
    a.batch = g_batch;
    for (k = 0; k < threads; k++) a.out[k] = (fbnn_real *)malloc((size_t)s->oc * a.p.out_h * a.p.out_w * sizeof(fbnn_real));
    t = team_time(threads, bconv_work, &a, 0);
    for (k = 0; k < threads; k++) free(a.out[k]);
    free(in);
    free(w);
    return t;
}

/* ----------------------------------------------------------------- oneDNN */
#define DNNL_OK(x)                                                                                     \
    do {                                                                                               \
        dnnl_status_t st_ = (x);                                                                       \
        if (st_ != dnnl_success) {                                                                     \
            fprintf(stderr, "bench_compare: oneDNN call failed (%d): %s\n", (int)st_, #x);              \
            exit(1);                                                                                   \
        }                                                                                              \
    } while (0)

typedef struct dconv {
    dnnl_primitive_t prim;
    dnnl_memory_t src, wei, dst;
    char impl[64];
} dconv;

static dnnl_engine_t g_eng;
static dnnl_stream_t g_stream;

static dnnl_memory_t make_mem(const dnnl_memory_desc_t *md)
{
    dnnl_memory_t m;
    void *p;
    DNNL_OK(dnnl_memory_create(&m, md, g_eng, DNNL_MEMORY_ALLOCATE));
    DNNL_OK(dnnl_memory_get_data_handle(m, &p));
    memset(p, 0x3f, dnnl_memory_desc_get_size(md)); /* 0.747f / 63: finite, no denormals */
    return m;
}

/* One conv 3x3 pad 1 of shape s, batch N: f32 (src/wei/dst f32) or int8
 * (src u8, weights s8, dst u8 with an output scale, as quantised inference). */
static void dconv_make(dconv *d, const shape *s, int n, int int8)
{
    int o = out_size_k(s->h, s->stride, s->k);
    dnnl_dims_t src = {n, s->ic, s->h, s->h}, wei = {s->oc, s->ic, s->k, s->k}, dst = {n, s->oc, o, o};
    dnnl_dims_t strides = {s->stride, s->stride}, pad = {s->k / 2, s->k / 2};
    dnnl_memory_desc_t smd, wmd, dmd;
    dnnl_convolution_desc_t cd;
    dnnl_primitive_desc_t pd;
    dnnl_primitive_attr_t attr = NULL;
    const char *impl = NULL;
    DNNL_OK(dnnl_memory_desc_init_by_tag(&smd, 4, src, int8 ? dnnl_u8 : dnnl_f32, dnnl_format_tag_any));
    DNNL_OK(dnnl_memory_desc_init_by_tag(&wmd, 4, wei, int8 ? dnnl_s8 : dnnl_f32, dnnl_format_tag_any));
    DNNL_OK(dnnl_memory_desc_init_by_tag(&dmd, 4, dst, int8 ? dnnl_u8 : dnnl_f32, dnnl_format_tag_any));
    DNNL_OK(dnnl_convolution_forward_desc_init(&cd, dnnl_forward_inference, dnnl_convolution_direct, &smd, &wmd,
                                               NULL, &dmd, strides, pad, pad));
    if (int8) {
        float scale = 1.0f / 64.0f;
        DNNL_OK(dnnl_primitive_attr_create(&attr));
        DNNL_OK(dnnl_primitive_attr_set_output_scales(attr, 1, 0, &scale));
    }
    DNNL_OK(dnnl_primitive_desc_create(&pd, &cd, attr, g_eng, NULL));
    d->src = make_mem(dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0));
    d->wei = make_mem(dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0));
    d->dst = make_mem(dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0));
    DNNL_OK(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl));
    snprintf(d->impl, sizeof d->impl, "%s", impl ? impl : "?");
    DNNL_OK(dnnl_primitive_create(&d->prim, pd));
    DNNL_OK(dnnl_primitive_desc_destroy(pd));
    if (attr) dnnl_primitive_attr_destroy(attr);
}

static void dconv_free(dconv *d)
{
    dnnl_primitive_destroy(d->prim);
    dnnl_memory_destroy(d->src);
    dnnl_memory_destroy(d->wei);
    dnnl_memory_destroy(d->dst);
}

static void dconv_run(dconv *d)
{
    dnnl_exec_arg_t args[3] = {{DNNL_ARG_SRC, d->src}, {DNNL_ARG_WEIGHTS, d->wei}, {DNNL_ARG_DST, d->dst}};
    DNNL_OK(dnnl_primitive_execute(d->prim, g_stream, 3, args));
}

/* Median seconds of running `n` convs in sequence (one batch through them). */
static double dconv_time(dconv *d, int n)
{
    double t[1024];
    int r, i;
    for (r = 0; r <= g_reps; r++) {
        double t0 = now_s();
        for (i = 0; i < n; i++) dconv_run(&d[i]);
        DNNL_OK(dnnl_stream_wait(g_stream));
        if (r > 0) t[r - 1] = now_s() - t0;
    }
    return median(t, g_reps);
}

/* --------------------------------------------------------- whole network */
static uint8_t *load_images(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf, *img;
    long len;
    size_t i;
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = (uint8_t *)malloc((size_t)len);
    if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
        fclose(f);
        free(buf);
        return NULL;
    }
    fclose(f);
    *n = (size_t)len / 3073u;
    img = (uint8_t *)malloc(*n * 3072u);
    for (i = 0; i < *n; i++) memcpy(img + i * 3072u, buf + i * 3073u + 1, 3072u);
    free(buf);
    return img;
}

/* Images/s of the whole FracBNN network: fbnn_run_batch of B images. */
static double ours_net(const fbnn_model *m, const uint8_t *imgs, size_t n_imgs, int force_scalar, int threads,
                       const char **isa_note)
{
    fbnn_context *ctx;
    float *lg = (float *)malloc((size_t)g_batch * 10 * sizeof(float));
    uint8_t *batch = (uint8_t *)malloc((size_t)g_batch * 3072u);
    double t[1024];
    int r, i;
    /* FBNN_FORCE_SCALAR is read when a context's kernel table is filled. */
    if (force_scalar) setenv("FBNN_FORCE_SCALAR", "1", 1);
    if (fbnn_context_create(m, &ctx) != FBNN_OK) exit(1);
    unsetenv("FBNN_FORCE_SCALAR");
    *isa_note = force_scalar ? "scalar" : "best";
    fbnn_context_set_threads(ctx, (uint32_t)threads);
    for (r = 0; r <= g_reps; r++) {
        double t0;
        for (i = 0; i < g_batch; i++) /* a different slice of the real images every repeat */
            memcpy(batch + (size_t)i * 3072u, imgs + ((size_t)(r * g_batch + i) % n_imgs) * 3072u, 3072u);
        t0 = now_s();
        if (fbnn_run_batch(ctx, batch, 3072u, (size_t)g_batch, lg) != FBNN_OK) exit(1);
        if (r > 0) t[r - 1] = now_s() - t0;
    }
    fbnn_context_free(ctx);
    free(lg);
    free(batch);
    return g_batch / median(t, g_reps);
}

int main(int argc, char **argv)
{
    const char *data = "../shared/data/cifar10_test_846.bin", *model = "models/cifar10_fracbnn.fbnn";
    fbnn_cpu_features f;
    peak_arg *pk = (peak_arg *)calloc(1, sizeof *pk);
    double xp1 = 0, xpT = 0, fma1 = 0, fmaT = 0, v;
    uint64_t it_pop = 20000, it_fma = 200000;
    double net_f32 = 0, net_i8 = 0, tot_ours = 0, tot_sc = 0;
    int i, k, quick = 0, imagenet = 0, n_convs = 19;
    fbnn_model *m;
    uint8_t *imgs;
    size_t n_imgs;
    dconv net[2][27];
    const char *isa = "?";

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) g_threads = atoi(argv[++i]);
        else if (strcmp(argv[i], "--batch") == 0 && i + 1 < argc) g_batch = atoi(argv[++i]);
        else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc) g_reps = atoi(argv[++i]);
        else if (strcmp(argv[i], "--data") == 0 && i + 1 < argc) data = argv[++i];
        else if (strcmp(argv[i], "--model") == 0 && i + 1 < argc) model = argv[++i];
        else if (strcmp(argv[i], "--quick") == 0) quick = 1;
        else if (strcmp(argv[i], "--imagenet") == 0) imagenet = 1;
        else {
            fprintf(stderr, "usage: bench_compare [--threads T] [--batch B] [--reps R] [--data F] [--model F] [--quick]"
                            " [--imagenet]\n");
            return 2;
        }
    }
    if (imagenet) {
        /* The ImageNet network's conv shapes instead of ResNet-20's (and no
         * whole-network part: fbnn bench / bench/pytorch_imagenet.py time
         * the network); batch 4 keeps oneDNN's 224x224 f32 buffers small. */
        shapes = imagenet_shapes;
        N_SHAPES = (int)(sizeof imagenet_shapes / sizeof imagenet_shapes[0]);
        n_convs = 27;
        g_batch = 4;
    }
    if (quick) { /* smoke test: every path once, tiny */
        g_reps = 1;
        g_batch = 4;
        it_pop = 10;
        it_fma = 100;
    }
    if (g_threads < 1 || g_threads > 64 || g_batch < 1 || g_reps < 1 || g_reps > 1024) {
        fprintf(stderr, "bench_compare: threads 1..64, batch >= 1, reps 1..1024\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0); /* progress visible when redirected */
    omp_set_num_threads(g_threads);
    fbnn_cpu_detect(&f);
    printf("bench_compare: threads %d, batch %d, median of %d repeats\n\n", g_threads, g_batch, g_reps);

    /* --- hardware limits --- */
    printf("hardware limits, fastest of %d repeats (MAC = one 1-bit xor+popcount+add, or one fp32 FMA lane):\n", g_reps);
#if defined(__x86_64__)
    for (i = 0; i < FBNN_PEAK_ACT_WORDS; i++)
        for (k = 0; k < 64; k++) pk->act[k][i] = ((uint64_t)rnd() << 32) | rnd();
    if (f.popcnt) {
        double a = peak_rate(pk, 0, 1, it_pop), b = peak_rate(pk, 0, g_threads, it_pop);
        printf("  xor+popcnt   scalar 64-bit  %8.1f Gbit-MAC/s (1 thread) %8.1f (%d threads)\n", a / 1e9, b / 1e9, g_threads);
        if (a > xp1) xp1 = a;
        if (b > xpT) xpT = b;
    }
    if (f.avx2 && f.fma) { /* the FMA probe needs it too */
        double a = peak_rate(pk, 1, 1, it_pop), b = peak_rate(pk, 1, g_threads, it_pop);
        printf("  xor+popcount AVX2 vpshufb   %8.1f Gbit-MAC/s (1 thread) %8.1f (%d threads)\n", a / 1e9, b / 1e9, g_threads);
        if (a > xp1) xp1 = a;
        if (b > xpT) xpT = b;
        a = peak_rate(pk, 4, 1, it_pop);
        b = peak_rate(pk, 4, g_threads, it_pop);
        printf("  xor+popcount AVX2, nibble planes %5.1f Gbit-MAC/s (1 thread) %8.1f (%d threads)\n", a / 1e9, b / 1e9, g_threads);
        if (a > xp1) xp1 = a;
        if (b > xpT) xpT = b;
        fma1 = peak_rate(pk, 3, 1, it_fma);
        fmaT = peak_rate(pk, 3, g_threads, it_fma);
        printf("  fp32 FMA     AVX2           %8.1f GMAC/s     (1 thread) %8.1f (%d threads)\n", fma1 / 1e9, fmaT / 1e9, g_threads);
    }
    if (f.avx512vpopcntdq) {
        double a = peak_rate(pk, 2, 1, it_pop), b = peak_rate(pk, 2, g_threads, it_pop);
        printf("  xor+popcount AVX-512 VPOPCNTQ %6.1f Gbit-MAC/s (1 thread) %8.1f (%d threads)\n", a / 1e9, b / 1e9, g_threads);
        if (a > xp1) xp1 = a;
        if (b > xpT) xpT = b;
    } else {
        printf("  xor+popcount AVX-512 VPOPCNTQ: not on this CPU (skipped)\n");
    }
#endif
    if (fmaT > 0) printf("  peak ratio: xor+popcount / fp32 FMA = %.1fx (MAC/s, %d threads)\n", xpT / fmaT, g_threads);
    if (xpT > 0)
        printf("  eff column below: ours best / %.1f Gbit-MAC/s (the fastest xor+popcount probe, %d threads)\n",
               xpT / 1e9, g_threads);

    DNNL_OK(dnnl_engine_create(&g_eng, dnnl_cpu, 0));
    DNNL_OK(dnnl_stream_create(&g_stream, g_eng, dnnl_stream_default_flags));

    /* --- conv shapes --- */
    printf("\n%s conv shapes, batch %d, %d threads: images/s of the layer (GMAC/s)\n",
           imagenet ? "FracBNN ImageNet" : "ResNet-20", g_batch, g_threads);
    printf("  %-18s %3s %16s %16s %16s %16s  best/f32 best/int8  eff\n", "shape", "n", "ours scalar", "ours best",
           "oneDNN f32", "oneDNN int8");
    for (i = 0; i < 2; i++)
        for (k = 0; k < 27; k++) net[i][k].prim = NULL;
    {
        int idx = 0;
        for (k = 0; k < N_SHAPES; k++) {
            const shape *s = &shapes[k];
            double ts = ours_conv(s, 1, g_threads, &isa), tb = ours_conv(s, 0, g_threads, &isa);
            double mb = shape_macs(s, s->bin_ic), mf = shape_macs(s, s->ic), tf, ti;
            int j;
            dconv df, di;
            dconv_make(&df, s, g_batch, 0);
            dconv_make(&di, s, g_batch, 1);
            tf = dconv_time(&df, 1);
            ti = dconv_time(&di, 1);
            printf("  %-18s %3d %7.0f (%6.1f) %7.0f (%6.1f) %7.0f (%6.1f) %7.0f (%6.1f)  %6.2fx %8.2fx  %4.1f%%\n", s->name,
                   s->count, g_batch / ts, mb * g_batch / ts / 1e9, g_batch / tb, mb * g_batch / tb / 1e9, g_batch / tf,
                   mf * g_batch / tf / 1e9, g_batch / ti, mf * g_batch / ti / 1e9, tf / tb, ti / tb,
                   xpT > 0 ? 100.0 * mb * g_batch / tb / xpT : 0.0);
            if (k == N_SHAPES - 1) printf("  oneDNN kernels: f32 %s, int8 %s; ours best: %s\n", df.impl, di.impl, isa);
            dconv_free(&df);
            dconv_free(&di);
            tot_ours += s->count * tb;
            tot_sc += s->count * ts;
            for (j = 0; j < s->count; j++, idx++) {
                dconv_make(&net[0][idx], s, g_batch, 0);
                dconv_make(&net[1][idx], s, g_batch, 1);
            }
        }
    }
    net_f32 = g_batch / dconv_time(net[0], n_convs);
    net_i8 = g_batch / dconv_time(net[1], n_convs);
    printf("  all %d convs (sum of the layer medians): ours scalar %.0f img/s, ours best %.0f img/s\n", n_convs,
           g_batch / tot_sc, g_batch / tot_ours);
    for (i = 0; i < 2; i++)
        for (k = 0; k < n_convs; k++) dconv_free(&net[i][k]);
    if (imagenet) {
        printf("  all %d convs in sequence: oneDNN f32 %.1f img/s, oneDNN int8 %.1f img/s; ours best (sum) / oneDNN "
               "f32 %.2fx, / oneDNN int8 %.2fx\n",
               n_convs, net_f32, net_i8, (g_batch / tot_ours) / net_f32, (g_batch / tot_ours) / net_i8);
        free(pk);
        dnnl_stream_destroy(g_stream);
        dnnl_engine_destroy(g_eng);
        return 0;
    }

    /* --- whole network --- */
    if (fbnn_model_load_file(model, &m, NULL) != FBNN_OK) {
        fprintf(stderr, "bench_compare: cannot load %s (run from the repository root)\n", model);
        return 1;
    }
    imgs = load_images(data, &n_imgs);
    if (!imgs) imgs = load_images("tests/data/cifar10_test_first64.bin", &n_imgs);
    if (!imgs || n_imgs == 0) {
        fprintf(stderr, "bench_compare: no CIFAR-10 images\n");
        return 1;
    }
    printf("\nwhole CIFAR-10 network, batch %d (%zu real test images cycled):\n", g_batch, n_imgs);
    {
        const char *note;
        double s1 = ours_net(m, imgs, n_imgs, 1, 1, &note), sT = ours_net(m, imgs, n_imgs, 1, g_threads, &note);
        double b1 = ours_net(m, imgs, n_imgs, 0, 1, &note), bT = ours_net(m, imgs, n_imgs, 0, g_threads, &note);
        printf("  ours scalar (FracBNN, full model)   %8.0f img/s (1 thread) %8.0f (%d threads, %.2fx)\n", s1, sT,
               g_threads, sT / s1);
        printf("  ours best   (FracBNN, full model)   %8.0f img/s (1 thread) %8.0f (%d threads, %.2fx)\n", b1, bT,
               g_threads, bT / b1);
        printf("  oneDNN f32  (ResNet-20, 19 convs)   %8.0f img/s (%d threads)\n", net_f32, g_threads);
        printf("  oneDNN int8 (ResNet-20, 19 convs)   %8.0f img/s (%d threads)\n", net_i8, g_threads);
        printf("  ratios (%d threads): best/scalar %.2fx, best/oneDNN f32 %.2fx, best/oneDNN int8 %.2fx\n", g_threads,
               bT / sT, bT / net_f32, bT / net_i8);
        v = tot_ours > 0 ? (g_batch / tot_ours) / net_f32 : 0;
        printf("  convs only (sum of layer medians above) best/oneDNN f32 %.2fx, best/oneDNN int8 %.2fx\n", v,
               (g_batch / tot_ours) / net_i8);
    }
    fbnn_model_free(m);
    free(imgs);
    free(pk);
    dnnl_stream_destroy(g_stream);
    dnnl_engine_destroy(g_eng);
    return 0;
}
