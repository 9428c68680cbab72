/*
 * One loaded model shared by N pthreads, each with its own context
 * (issue 7, part 3): every thread classifies every image of a CIFAR-10
 * batch (thread t starts at a different image so that the threads run
 * different images at the same moment) and its logits must be bit-identical
 * (memcmp) to a single-threaded pass made first. Run under ThreadSanitizer
 * by scripts/tsan_check.sh: the model must really be read-only and the
 * library free of global mutable state.
 *
 *   test_concurrency [CIFAR_BIN [MAX_IMAGES [THREADS]]]
 *
 * Defaults: ../shared/data/cifar10_test_846.bin when present, else the 64
 * bundled images; all images; 4 threads. Exit 0 = identical, 1 = mismatch
 * or error.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fracbnn/fracbnn.h"
#include "test_files.h"

#define MODEL "models/cifar10_fracbnn.fbnn"
#define RECORD 3073u
#define MAX_THREADS 16

typedef struct job {
    const fbnn_model *model;
    const uint8_t *images; /* records: label byte + 3072 pixels */
    size_t n_images;
    uint32_t n_classes;
    size_t start;          /* first image this thread runs */
    float *logits;         /* n_images * n_classes, in image order */
    fbnn_status status;
} job;

static void *worker(void *arg)
{
    job *j = (job *)arg;
    fbnn_context *ctx = NULL;
    size_t k;
    j->status = fbnn_context_create(j->model, &ctx);
    for (k = 0; k < j->n_images && j->status == FBNN_OK; k++) {
        size_t i = (j->start + k) % j->n_images;
        uint32_t nc = 0;
        const float *lg;
        j->status = fbnn_run(ctx, j->images + i * RECORD + 1, RECORD - 1);
        if (j->status != FBNN_OK) break;
        lg = fbnn_logits(ctx, &nc);
        if (!lg || nc != j->n_classes) {
            j->status = FBNN_ERR_ARG;
            break;
        }
        memcpy(j->logits + i * nc, lg, nc * sizeof(float));
    }
    fbnn_context_free(ctx);
    return NULL;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "../shared/data/cifar10_test_846.bin";
    size_t max_images = argc > 2 ? (size_t)strtoul(argv[2], NULL, 10) : 0;
    int n_threads = argc > 3 ? atoi(argv[3]) : 4, t, bad = 0;
    size_t size = 0, n;
    uint8_t *data = fbnn_test_read_file(path, &size);
    fbnn_model *m = NULL;
    fbnn_error err;
    fbnn_model_info info;
    job ref, jobs[MAX_THREADS];
    pthread_t tid[MAX_THREADS];

    if (!data && argc <= 1) {
        path = "tests/data/cifar10_test_first64.bin";
        data = fbnn_test_read_file(path, &size);
    }
    if (!data || size % RECORD != 0 || n_threads < 1 || n_threads > MAX_THREADS) {
        fprintf(stderr, "test_concurrency: cannot use %s (or bad thread count)\n", path);
        return 1;
    }
    n = size / RECORD;
    if (max_images && max_images < n) n = max_images;
    if (fbnn_model_load_file(MODEL, &m, &err) != FBNN_OK) {
        fprintf(stderr, "test_concurrency: %s\n", err.message);
        return 1;
    }
    fbnn_model_get_info(m, &info);

    /* Reference: the same work in the main thread, alone. */
    memset(&ref, 0, sizeof ref);
    ref.model = m;
    ref.images = data;
    ref.n_images = n;
    ref.n_classes = info.num_classes;
    ref.logits = (float *)calloc(n * info.num_classes, sizeof(float));
    worker(&ref);
    if (ref.status != FBNN_OK) {
        fprintf(stderr, "test_concurrency: reference run failed: %s\n", fbnn_status_str(ref.status));
        return 1;
    }

    for (t = 0; t < n_threads; t++) {
        jobs[t] = ref;
        jobs[t].start = (size_t)t * n / (size_t)n_threads;
        jobs[t].logits = (float *)calloc(n * info.num_classes, sizeof(float));
        jobs[t].status = FBNN_ERR_ARG;
        if (pthread_create(&tid[t], NULL, worker, &jobs[t]) != 0) {
            fprintf(stderr, "test_concurrency: pthread_create failed\n");
            return 1;
        }
    }
    for (t = 0; t < n_threads; t++) pthread_join(tid[t], NULL);
    for (t = 0; t < n_threads; t++) {
        if (jobs[t].status != FBNN_OK) {
            fprintf(stderr, "thread %d: %s\n", t, fbnn_status_str(jobs[t].status));
            bad = 1;
        } else if (memcmp(jobs[t].logits, ref.logits, n * info.num_classes * sizeof(float)) != 0) {
            fprintf(stderr, "thread %d: logits differ from the single-threaded pass\n", t);
            bad = 1;
        }
        free(jobs[t].logits);
    }
    printf("test_concurrency: %d threads x %zu images of %s, one shared model: %s\n", n_threads, n,
           path, bad ? "MISMATCH" : "bit-identical to one thread");
    free(ref.logits);
    free(data);
    fbnn_model_free(m);
    return bad;
}
