/*
 * Shared helpers of the loader rejection tests (test_loader_reject.c,
 * test_loader_reject_graph.c): the released model's bytes and table
 * offsets (setup/teardown), patch-and-expect helpers, field offsets.
 */
#ifndef FBNN_LOADER_REJECT_UTIL_H
#define FBNN_LOADER_REJECT_UTIL_H
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fracbnn/fracbnn.h"

#define MODEL "models/cifar10_fracbnn.fbnn"
#ifndef FBNN_TEST_TMPDIR
#define FBNN_TEST_TMPDIR "."
#endif
#define MODEL_SIZE 80156u

/* ------------------------------------------------------------ utilities */
static uint8_t *g_base;   /* pristine copy of the released model */
static size_t g_size;

/* Header fields of the released model (read from g_base). */
static uint32_t g_t_off, g_v_off, g_o_off, g_meta_off, g_d_off, g_d_size;
static uint32_t g_n_t, g_n_v, g_n_o;

/* Case counters per class, printed at the end of each group. */
static unsigned g_cases;

static inline uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

#include "test_crc32.h"

/* Make bytes 8..15 consistent again: file_size = n, crc over [16, n). */
static inline void fix_crc(uint8_t *b, size_t n)
{
    wr32(b + 8, (uint32_t)n);
    wr32(b + 12, crc32_ieee(b + 16, n - 16));
}

static inline uint8_t *read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long len;
    if (!f) return NULL;
    if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return NULL;
    }
    buf = (uint8_t *)malloc((size_t)len + 1);
    if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *n = (size_t)len;
    return buf;
}

/* A fresh copy of the model (malloc: at least 8-byte aligned), with `extra`
 * spare bytes at the end. */
static inline uint8_t *copy_base(size_t extra)
{
    uint8_t *b = (uint8_t *)malloc(g_size + extra + 1);
    assert_non_null(b);
    memcpy(b, g_base, g_size);
    return b;
}

static inline int contains(const char *hay, const char *needle) { return strstr(hay, needle) != NULL; }

/* Load `n` bytes of `b` from memory and check status, *out == NULL and the
 * message (must be non-empty and contain `needle` if given). */
static inline void expect_status_at(const uint8_t *b, size_t n, fbnn_status want, const char *needle,
                             const char *what, int line)
{
    fbnn_model *m = (fbnn_model *)(uintptr_t)0x1; /* must be reset to NULL */
    fbnn_error err;
    fbnn_status st;
    memset(&err, 0x55, sizeof err);
    st = fbnn_model_load_memory(b, n, &m, &err);
    g_cases++;
    if (st != want || m != NULL || err.status != want || err.message[0] == 0 ||
        memchr(err.message, 0, sizeof err.message) == NULL ||
        (needle && !contains(err.message, needle))) {
        print_error("line %d (%s): got %s (%d) \"%.*s\", wanted %s (%d) containing \"%s\"\n", line, what,
                    fbnn_status_str(st), (int)st, (int)sizeof err.message, err.message,
                    fbnn_status_str(want), (int)want, needle ? needle : "");
        if (st == FBNN_OK && m != NULL && m != (fbnn_model *)(uintptr_t)0x1) fbnn_model_free(m);
        fail();
    }
    /* Same result without an error struct (err is optional). */
    m = (fbnn_model *)(uintptr_t)0x1;
    assert_int_equal(fbnn_model_load_memory(b, n, &m, NULL), want);
    assert_null(m);
}
#define expect_status(b, n, want, needle, what) expect_status_at(b, n, want, needle, what, __LINE__)

/* For a defect behind the checksum: the patched, un-fixed buffer must fail
 * the CRC; after the fix-up it must give `want`. Frees b. */
static inline void expect_patched_at(uint8_t *b, size_t n, fbnn_status want, const char *needle, const char *what,
                              int line)
{
    expect_status_at(b, n, FBNN_ERR_CHECKSUM, "checksum", what, line);
    g_cases--; /* count the defect once */
    fix_crc(b, n);
    expect_status_at(b, n, want, needle, what, line);
    free(b);
}
#define expect_patched(b, n, want, needle, what) expect_patched_at(b, n, want, needle, what, __LINE__)

/* Patch one u32 of a fresh copy at byte `off`, fix the CRC, expect `want`. */
#define patch1(off, val, want, needle, what)                                                      \
    do {                                                                                          \
        uint8_t *b_ = copy_base(0);                                                               \
        wr32(b_ + (off), (uint32_t)(val));                                                        \
        expect_patched(b_, g_size, want, needle, what);                                           \
    } while (0)

/* Entry addresses in the released model. */
#define TENSOR(i, f) (g_t_off + 32u * (i) + (f))
#define VALUE(i, f) (g_v_off + 16u * (i) + (f))
#define OP(i, f) (g_o_off + 96u * (i) + (f))
#define META(f) (g_meta_off + (f))
/* op fields */
#define OP_TYPE 0
#define OP_NIN 4
#define OP_IN(j) (8 + 4 * (j))
#define OP_OUT 24
#define OP_NPARAM 28
#define OP_PARAM(j) (32 + 4 * (j))
#define OP_NATTR 56
#define OP_ATTR(j) (60 + 4 * (j))
#define OP_RESERVED 92

static inline void begin(void) { g_cases = 0; }
static inline void report(const char *cls) { print_message("[ %-10s ] %u malformed models rejected\n", cls, g_cases); }

static inline int setup(void **state)
{
    (void)state;
    g_base = read_file(MODEL, &g_size);
    if (!g_base || g_size != MODEL_SIZE) return -1;
    g_n_t = rd32(g_base + 24);
    g_t_off = rd32(g_base + 28);
    g_n_v = rd32(g_base + 32);
    g_v_off = rd32(g_base + 36);
    g_n_o = rd32(g_base + 40);
    g_o_off = rd32(g_base + 44);
    g_meta_off = rd32(g_base + 48);
    g_d_off = rd32(g_base + 56);
    g_d_size = rd32(g_base + 60);
    return 0;
}

static inline int teardown(void **state)
{
    (void)state;
    free(g_base);
    return 0;
}

/* Deterministic PRNG (xorshift32) so failures are reproducible. */
static inline uint32_t xs32(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *s = x;
}

#endif /* FBNN_LOADER_REJECT_UTIL_H */
