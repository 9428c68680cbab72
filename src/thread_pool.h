/**
 * @file thread_pool.h
 * @brief A small persistent worker pool (pthreads) owned by one context.
 *
 * The caller of fbnn_thread_pool_run() is worker 0 and works too; the pool owns
 * n_threads - 1 extra threads. Tasks are handed out dynamically (a shared
 * counter), so which worker runs which task is not deterministic: task
 * functions must make their results independent of the worker (they only
 * use the worker index to pick per-worker scratch memory).
 *
 * Built without threads (FBNN_NO_THREADS), fbnn_thread_pool_create() returns NULL
 * and contexts stay single-threaded.
 */
#ifndef FBNN_THREAD_POOL_H
#define FBNN_THREAD_POOL_H

#include <stddef.h>
#include <stdint.h>

typedef struct fbnn_thread_pool fbnn_thread_pool;

/** One task: `task` in [0, n_tasks), `worker` in [0, n_threads). */
typedef void (*fbnn_task_fn)(void *arg, uint32_t task, uint32_t worker);

/** Start n_threads - 1 worker threads (n_threads >= 2); NULL on failure. */
fbnn_thread_pool *fbnn_thread_pool_create(uint32_t n_threads);

/** Stop and join the workers, free the pool (NULL is allowed). */
void fbnn_thread_pool_destroy(fbnn_thread_pool *pool);

/** Bytes the pool allocates for n_threads (for memory reports). */
size_t fbnn_thread_pool_bytes(uint32_t n_threads);

/** Threads of the pool including the caller. */
uint32_t fbnn_thread_pool_threads(const fbnn_thread_pool *pool);

/** Run fn(arg, t, worker) for t = 0..n_tasks-1 on all threads; returns when
 *  every task has finished. Not reentrant: one job at a time per pool. */
void fbnn_thread_pool_run(fbnn_thread_pool *pool, uint32_t n_tasks, fbnn_task_fn fn, void *arg);

#endif /* FBNN_THREAD_POOL_H */
