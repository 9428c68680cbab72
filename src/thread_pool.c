/**
 * @file thread_pool.c
 * @brief Persistent worker pool: spin briefly, then sleep on a condition.
 *
 * fbnn_run() with N threads hands out one job per convolution (a few to a
 * few hundred microseconds each), so waking sleeping threads through the
 * kernel for every job would cost as much as the work. Workers therefore
 * spin on the job generation for a short while (FBNN_THREAD_POOL_SPIN polls) after
 * each job before they block on a condition variable; a context that is
 * idle costs no CPU after that. With more threads than online CPUs nobody
 * spins (the thread waited for may be the one that is not running). The
 * counters are GCC/Clang __atomic builtins; the mutex + condition pairs make
 * the sleeping path free of lost wake-ups (the generation and the pending
 * count are always re-checked under the mutex before waiting).
 */
#if !defined(FBNN_NO_THREADS)
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <unistd.h>
#endif
#include <stdlib.h>

#include "thread_pool.h"

#if defined(FBNN_NO_THREADS) || !(defined(__GNUC__) || defined(__clang__))

fbnn_thread_pool *fbnn_thread_pool_create(uint32_t n_threads)
{
    (void)n_threads;
    return NULL;
}
void fbnn_thread_pool_destroy(fbnn_thread_pool *pool) { (void)pool; }
size_t fbnn_thread_pool_bytes(uint32_t n_threads)
{
    (void)n_threads;
    return 0;
}
uint32_t fbnn_thread_pool_threads(const fbnn_thread_pool *pool)
{
    (void)pool;
    return 1;
}
void fbnn_thread_pool_run(fbnn_thread_pool *pool, uint32_t n_tasks, fbnn_task_fn fn, void *arg)
{
    uint32_t t;
    (void)pool;
    for (t = 0; t < n_tasks; t++) fn(arg, t, 0);
}

#else

/* Polls before sleeping: about 50-200 us depending on the CPU's pause. */
#define FBNN_THREAD_POOL_SPIN 4096

struct fbnn_thread_pool {
    pthread_mutex_t mu;
    pthread_cond_t start_cv, done_cv;
    uint32_t n_threads;
    int spin;            /* polls before sleeping (0 when oversubscribed) */
    pthread_t *threads;
    /* The job: written by the caller before the generation is bumped. */
    fbnn_task_fn fn;
    void *arg;
    uint32_t n_tasks;
    uint32_t next_task;  /* atomic: next task to hand out */
    uint32_t pending;    /* atomic: workers (excluding the caller) not done */
    uint32_t generation; /* atomic: bumped once per job */
    int stop;            /* under mu */
};

typedef struct worker_arg {
    fbnn_thread_pool *pool;
    uint32_t index;
} worker_arg;

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static void run_tasks(fbnn_thread_pool *p, uint32_t worker)
{
    for (;;) {
        uint32_t t = __atomic_fetch_add(&p->next_task, 1u, __ATOMIC_ACQ_REL);
        if (t >= p->n_tasks) break;
        p->fn(p->arg, t, worker);
    }
}

static void *worker_main(void *varg)
{
    worker_arg *wa = (worker_arg *)varg;
    fbnn_thread_pool *p = wa->pool;
    uint32_t index = wa->index, seen = 0;
    free(wa);
    for (;;) {
        int spin;
        uint32_t gen = __atomic_load_n(&p->generation, __ATOMIC_ACQUIRE);
        for (spin = 0; gen == seen && spin < p->spin; spin++) {
            cpu_relax();
            gen = __atomic_load_n(&p->generation, __ATOMIC_ACQUIRE);
        }
        if (gen == seen) {
            pthread_mutex_lock(&p->mu);
            while (!p->stop && __atomic_load_n(&p->generation, __ATOMIC_ACQUIRE) == seen)
                pthread_cond_wait(&p->start_cv, &p->mu);
            if (p->stop) {
                pthread_mutex_unlock(&p->mu);
                return NULL;
            }
            gen = __atomic_load_n(&p->generation, __ATOMIC_ACQUIRE);
            pthread_mutex_unlock(&p->mu);
        }
        seen = gen;
        if (p->fn == NULL) return NULL; /* the stop job */
        run_tasks(p, index);
        if (__atomic_sub_fetch(&p->pending, 1u, __ATOMIC_ACQ_REL) == 0) {
            pthread_mutex_lock(&p->mu);
            pthread_cond_signal(&p->done_cv);
            pthread_mutex_unlock(&p->mu);
        }
    }
}

/* Publish a job and bump the generation (under the mutex, so a worker that
 * is about to sleep sees either the old generation and gets the broadcast,
 * or the new one). */
static void publish(fbnn_thread_pool *p, uint32_t n_tasks, fbnn_task_fn fn, void *arg)
{
    p->fn = fn;
    p->arg = arg;
    p->n_tasks = n_tasks;
    __atomic_store_n(&p->next_task, 0u, __ATOMIC_RELAXED);
    __atomic_store_n(&p->pending, p->n_threads - 1u, __ATOMIC_RELAXED);
    pthread_mutex_lock(&p->mu);
    __atomic_add_fetch(&p->generation, 1u, __ATOMIC_ACQ_REL);
    pthread_cond_broadcast(&p->start_cv);
    pthread_mutex_unlock(&p->mu);
}

fbnn_thread_pool *fbnn_thread_pool_create(uint32_t n_threads)
{
    fbnn_thread_pool *p;
    uint32_t i;
    if (n_threads < 2) return NULL;
    p = (fbnn_thread_pool *)calloc(1, sizeof *p);
    if (!p) return NULL;
    p->threads = (pthread_t *)calloc(n_threads - 1u, sizeof(pthread_t));
    if (!p->threads) {
        free(p);
        return NULL;
    }
    p->n_threads = n_threads;
    p->spin = FBNN_THREAD_POOL_SPIN;
#ifdef _SC_NPROCESSORS_ONLN
    {
        /* More threads than CPUs: a spinning thread would only steal the
         * time slice of the one it waits for. */
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        if (cpus > 0 && (long)n_threads > cpus) p->spin = 0;
    }
#endif
    if (pthread_mutex_init(&p->mu, NULL) != 0) goto fail_mu;
    if (pthread_cond_init(&p->start_cv, NULL) != 0) goto fail_start;
    if (pthread_cond_init(&p->done_cv, NULL) != 0) goto fail_done;
    for (i = 0; i + 1u < n_threads; i++) {
        worker_arg *wa = (worker_arg *)malloc(sizeof *wa);
        if (wa) {
            wa->pool = p;
            wa->index = i + 1u;
        }
        if (!wa || pthread_create(&p->threads[i], NULL, worker_main, wa) != 0) {
            free(wa);
            /* Stop the i workers already running. */
            p->n_threads = i + 1u;
            fbnn_thread_pool_destroy(p);
            return NULL;
        }
    }
    return p;
fail_done:
    pthread_cond_destroy(&p->start_cv);
fail_start:
    pthread_mutex_destroy(&p->mu);
fail_mu:
    free(p->threads);
    free(p);
    return NULL;
}

void fbnn_thread_pool_destroy(fbnn_thread_pool *p)
{
    uint32_t i;
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    p->fn = NULL;
    __atomic_add_fetch(&p->generation, 1u, __ATOMIC_ACQ_REL);
    pthread_cond_broadcast(&p->start_cv);
    pthread_mutex_unlock(&p->mu);
    for (i = 0; i + 1u < p->n_threads; i++) pthread_join(p->threads[i], NULL);
    pthread_cond_destroy(&p->done_cv);
    pthread_cond_destroy(&p->start_cv);
    pthread_mutex_destroy(&p->mu);
    free(p->threads);
    free(p);
}

uint32_t fbnn_thread_pool_threads(const fbnn_thread_pool *p) { return p ? p->n_threads : 1u; }

size_t fbnn_thread_pool_bytes(uint32_t n_threads)
{
    if (n_threads < 2) return 0;
    return sizeof(fbnn_thread_pool) + (n_threads - 1u) * (sizeof(pthread_t) + sizeof(worker_arg));
}

void fbnn_thread_pool_run(fbnn_thread_pool *p, uint32_t n_tasks, fbnn_task_fn fn, void *arg)
{
    int spin;
    if (n_tasks == 0) return;
    if (n_tasks == 1) { /* nothing to share: skip the hand-off */
        fn(arg, 0, 0);
        return;
    }
    publish(p, n_tasks, fn, arg);
    run_tasks(p, 0);
    for (spin = 0; spin < p->spin && __atomic_load_n(&p->pending, __ATOMIC_ACQUIRE) != 0; spin++)
        cpu_relax();
    if (__atomic_load_n(&p->pending, __ATOMIC_ACQUIRE) != 0) {
        pthread_mutex_lock(&p->mu);
        while (__atomic_load_n(&p->pending, __ATOMIC_ACQUIRE) != 0) pthread_cond_wait(&p->done_cv, &p->mu);
        pthread_mutex_unlock(&p->mu);
    }
}

#endif
