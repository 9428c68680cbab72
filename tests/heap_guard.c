/**
 * @file heap_guard.c
 * @brief Link-time malloc guard for the no-heap claim of examples/embed_rom.c.
 *
 * Linked with -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free,
 * --wrap=fbnn_model_load_static: every heap call made by the program's own
 * objects and by libfracbnn.a goes through the __wrap_ functions below
 * (calls made inside the shared libc itself, e.g. stdio buffers, do not).
 * The guard arms when fbnn_model_load_static() is entered: any heap call
 * from then on (model load, context set-up, fbnn_run(), fbnn_topk(),
 * printing) aborts the program. Heap calls before it (C runtime start-up
 * code of our own objects, if any) are counted and reported at exit.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fracbnn/fracbnn.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
fbnn_status __real_fbnn_model_load_static(const void *data, size_t size, void *memory, size_t memory_size,
                                          fbnn_model **out, fbnn_error *err);

static volatile int armed;
static void *volatile sink;
static volatile unsigned long calls; /* volatile: GCC assumes malloc() leaves globals alone */
static volatile unsigned long long bytes;

static void check(const char *what, size_t n)
{
    if (armed) {
        fprintf(stderr, "heap_guard: %s(%zu) after fbnn_model_load_static() was entered: the no-heap claim is broken\n", what, n);
        abort();
    }
    calls++;
    bytes += n;
}

void *__wrap_malloc(size_t n)
{
    check("malloc", n);
    return __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t m)
{
    check("calloc", n * m);
    return __real_calloc(n, m);
}

void *__wrap_realloc(void *p, size_t n)
{
    check("realloc", n);
    return __real_realloc(p, n);
}

void __wrap_free(void *p)
{
    if (p) check("free", 0);
    __real_free(p);
}

static void report(void)
{
    printf("heap_guard: before fbnn_model_load_static: %lu heap calls, %llu bytes; from the load on: 0\n", calls, bytes);
}

fbnn_status __wrap_fbnn_model_load_static(const void *data, size_t size, void *memory, size_t memory_size,
                                          fbnn_model **out, fbnn_error *err)
{
    /* Prove the wrapping is live before trusting silence: this malloc must be seen. */
    unsigned long before = calls;
    sink = malloc(1); /* volatile: the compiler may not drop the malloc/free pair */
    if (calls != before + 1) {
        fprintf(stderr, "heap_guard: malloc is not wrapped; nothing would be checked\n");
        abort();
    }
    free(sink);
    calls -= 2;
    bytes -= 1;
    atexit(report);
    armed = 1;
    return __real_fbnn_model_load_static(data, size, memory, memory_size, out, err);
}
