/*
 * Loader rejection tests: starting from the bytes of the released model,
 * build one malformed model per defect class of models/FORMAT.md section 3
 * and check the exact status, that *out stays NULL, and that the message is
 * non-empty and names the problem ("tensor 3", "op 7", "meta", ...).
 *
 * Defects behind the checksum are made by patching a field and then
 * recomputing the CRC-32 (own zlib-compatible implementation below), so the
 * deeper stages of the validator are reached. Every patched case is first
 * loaded WITHOUT the CRC fix-up and must then give FBNN_ERR_CHECKSUM.
 *
 * Also: misaligned buffers, NULL arguments, missing files, and a valid
 * in-place load from a static buffer that must run and give the same logits
 * as fbnn_model_load_file(). The suite is meant to run clean under
 * ASan/LSan (cmake -DFBNN_SANITIZE=ON): every failure path frees everything.
 */
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

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static void wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* CRC-32, IEEE 802.3 reflected, poly 0xEDB88320 (same as zlib crc32). */
static uint32_t crc32_ieee(const uint8_t *p, size_t n)
{
    static uint32_t table[256];
    static int ready;
    uint32_t c = 0xFFFFFFFFu;
    size_t i;
    if (!ready) {
        uint32_t k, j, v;
        for (k = 0; k < 256; k++) {
            v = k;
            for (j = 0; j < 8; j++) v = (v & 1u) ? (v >> 1) ^ 0xEDB88320u : v >> 1;
            table[k] = v;
        }
        ready = 1;
    }
    for (i = 0; i < n; i++) c = table[(c ^ p[i]) & 0xFFu] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

/* Make bytes 8..15 consistent again: file_size = n, crc over [16, n). */
static void fix_crc(uint8_t *b, size_t n)
{
    wr32(b + 8, (uint32_t)n);
    wr32(b + 12, crc32_ieee(b + 16, n - 16));
}

static uint8_t *read_file(const char *path, size_t *n)
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
static uint8_t *copy_base(size_t extra)
{
    uint8_t *b = (uint8_t *)malloc(g_size + extra + 1);
    assert_non_null(b);
    memcpy(b, g_base, g_size);
    return b;
}

static int contains(const char *hay, const char *needle) { return strstr(hay, needle) != NULL; }

/* Load `n` bytes of `b` from memory and check status, *out == NULL and the
 * message (must be non-empty and contain `needle` if given). */
static void expect_status_at(const uint8_t *b, size_t n, fbnn_status want, const char *needle,
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
static void expect_patched_at(uint8_t *b, size_t n, fbnn_status want, const char *needle, const char *what,
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

static void begin(void) { g_cases = 0; }
static void report(const char *cls) { print_message("[ %-10s ] %u malformed models rejected\n", cls, g_cases); }

static int setup(void **state)
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

static int teardown(void **state)
{
    (void)state;
    free(g_base);
    return 0;
}

/* Facts about the released model the cases below rely on. */
static void test_base_model_layout(void **state)
{
    fbnn_model *m = NULL;
    fbnn_error err;
    (void)state;
    assert_int_equal(g_n_t, 167);
    assert_int_equal(g_n_v, 116);
    assert_int_equal(g_n_o, 115);
    /* op 0 thermometer, op 1 bconv (tensor 0: 16x3x3x96), op 2 affine,
     * op 3 quant2, op 4 pgconv (tensor 3: 16x3x3x16), op 7 add. */
    assert_int_equal(rd32(g_base + OP(0, OP_TYPE)), 1);
    assert_int_equal(rd32(g_base + OP(1, OP_TYPE)), 2);
    assert_int_equal(rd32(g_base + OP(1, OP_PARAM(0))), 0);
    assert_int_equal(rd32(g_base + OP(2, OP_TYPE)), 4);
    assert_int_equal(rd32(g_base + OP(3, OP_TYPE)), 11);
    assert_int_equal(rd32(g_base + OP(4, OP_TYPE)), 3);
    assert_int_equal(rd32(g_base + OP(4, OP_PARAM(0))), 3);
    assert_int_equal(rd32(g_base + OP(7, OP_TYPE)), 6);
    assert_int_equal(rd32(g_base + OP(114, OP_TYPE)), 10);
    assert_int_equal(rd32(g_base + TENSOR(0, 0)), 2);
    assert_int_equal(rd32(g_base + TENSOR(0, 20)), 96);
    assert_int_equal(rd32(g_base + TENSOR(3, 0)), 2);
    assert_int_equal(rd32(g_base + TENSOR(3, 20)), 16);
    assert_int_equal(rd32(g_base + TENSOR(1, 0)), 1);
    assert_int_equal(rd32(g_base + META(4)), 115);
    /* fc: weight is the second-to-last tensor (10x64), bias the last. */
    assert_int_equal(rd32(g_base + OP(114, OP_PARAM(0))), g_n_t - 2);
    assert_int_equal(rd32(g_base + OP(114, OP_PARAM(1))), g_n_t - 1);
    assert_int_equal(rd32(g_base + TENSOR(g_n_t - 2, 28)), 10 * 64 * 4);
    assert_int_equal(crc32_ieee((const uint8_t *)"123456789", 9), 0xCBF43926u);
    assert_int_equal(crc32_ieee(g_base + 16, g_size - 16), rd32(g_base + 12));
    assert_int_equal(fbnn_model_load_memory(g_base, g_size, &m, &err), FBNN_OK);
    assert_int_equal(err.status, FBNN_OK);
    fbnn_model_free(m);
}

/* ------------------------------------------------------ before the CRC */
static void test_truncated(void **state)
{
    size_t cuts[] = {1, 3, 4, 15, 16, 63, 64, 65, MODEL_SIZE / 2, MODEL_SIZE - 64, MODEL_SIZE - 1};
    size_t i;
    uint8_t *b = copy_base(0);
    (void)state;
    begin();
    expect_status(b, 0, FBNN_ERR_TRUNCATED, "empty", "empty buffer");
    expect_status(NULL, 0, FBNN_ERR_TRUNCATED, "empty", "NULL, 0 bytes");
    for (i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        char what[64];
        snprintf(what, sizeof what, "cut at %zu bytes", cuts[i]);
        /* Cut copies (exact-size allocations, so ASan sees any over-read). */
        {
            uint8_t *c = (uint8_t *)malloc(cuts[i]);
            assert_non_null(c);
            memcpy(c, g_base, cuts[i]);
            expect_status(c, cuts[i], FBNN_ERR_TRUNCATED, cuts[i] < 64 ? "header needs 64" : "truncated",
                          what);
            free(c);
        }
    }
    free(b);
    report("TRUNCATED");
}

static void test_magic_version(void **state)
{
    uint8_t *b = copy_base(0);
    static const char *const bad[] = {"FBNX", "fbnn", "\x89PNG", "\0\0\0\0", "NNBF"};
    size_t i;
    (void)state;
    begin();
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memcpy(b, bad[i], 4);
        expect_status(b, g_size, FBNN_ERR_MAGIC, "magic", bad[i]);
    }
    /* Short non-FBNN input is a magic error, not a truncation. */
    {
        uint32_t small[2];
        memcpy(small, "GIF89a\0", 8);
        expect_status((const uint8_t *)small, 6, FBNN_ERR_MAGIC, "magic", "short GIF");
        memcpy(small, "FBX\0", 4);
        expect_status((const uint8_t *)small, 3, FBNN_ERR_MAGIC, "magic", "3 bytes, not a prefix");
    }
    memcpy(b, "FBNN", 4);
    report("MAGIC");

    begin();
    b[4] = 2; /* major 2 */
    expect_status(b, g_size, FBNN_ERR_VERSION, "version 2.0", "major 2");
    b[4] = 0;
    expect_status(b, g_size, FBNN_ERR_VERSION, "version 0", "major 0");
    b[4] = 1;
    b[5] = 1; /* major 257 */
    expect_status(b, g_size, FBNN_ERR_VERSION, "version 257", "major 257");
    b[5] = 0;
    b[4] = 0xFF;
    b[5] = 0xFF;
    expect_status(b, g_size, FBNN_ERR_VERSION, "version 65535", "major 65535");
    b[4] = 1;
    b[5] = 0;
    report("VERSION");

    /* A higher minor version is accepted (additive changes only). */
    {
        fbnn_model *m = NULL;
        b[6] = 7;
        assert_int_equal(fbnn_model_load_memory(b, g_size, &m, NULL), FBNN_OK);
        assert_non_null(m);
        fbnn_model_free(m);
    }
    free(b);
}

/* Deterministic PRNG (xorshift32) so failures are reproducible. */
static uint32_t xs32(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *s = x;
}

static void test_checksum(void **state)
{
    uint8_t *b = copy_base(0);
    uint32_t seed = 0x12345678u;
    int i;
    (void)state;
    begin();
    /* One flipped bit anywhere from byte 12 (the stored CRC) to the end. */
    for (i = 0; i < 400; i++) {
        uint32_t pos = 12u + xs32(&seed) % (uint32_t)(g_size - 12u), bit = xs32(&seed) % 8u;
        char what[64];
        snprintf(what, sizeof what, "bit %u of byte %u", bit, pos);
        b[pos] ^= (uint8_t)(1u << bit);
        expect_status(b, g_size, FBNN_ERR_CHECKSUM, "checksum mismatch", what);
        b[pos] ^= (uint8_t)(1u << bit);
    }
    /* Edges: first covered byte, last byte, every bit of the CRC field. */
    for (i = 0; i < 8; i++) {
        b[16] ^= (uint8_t)(1u << i);
        expect_status(b, g_size, FBNN_ERR_CHECKSUM, "checksum", "byte 16");
        b[16] ^= (uint8_t)(1u << i);
        b[g_size - 1] ^= (uint8_t)(1u << i);
        expect_status(b, g_size, FBNN_ERR_CHECKSUM, "checksum", "last byte");
        b[g_size - 1] ^= (uint8_t)(1u << i);
    }
    for (i = 0; i < 32; i++) {
        b[12 + i / 8] ^= (uint8_t)(1u << (i % 8));
        expect_status(b, g_size, FBNN_ERR_CHECKSUM, "checksum", "crc field");
        b[12 + i / 8] ^= (uint8_t)(1u << (i % 8));
    }
    assert_memory_equal(b, g_base, g_size);
    free(b);
    report("CHECKSUM");
}

/* ------------------------------------------------- header (behind CRC) */
static void test_header(void **state)
{
    uint8_t *b;
    (void)state;
    begin();
    /* Trailing bytes: the buffer is longer than file_size. */
    b = copy_base(64);
    memset(b + g_size, 0, 64);
    expect_status(b, g_size + 1, FBNN_ERR_HEADER, "declares", "1 trailing byte");
    expect_status(b, g_size + 64, FBNN_ERR_HEADER, "declares", "64 trailing bytes");
    /* Even with a matching file_size and CRC the data region no longer ends
     * the file, which is fine; but file_size must match exactly. */
    free(b);
    /* file_size smaller than the buffer (no CRC fix: bytes 8..11 are not covered). */
    b = copy_base(0);
    wr32(b + 8, (uint32_t)g_size - 4);
    expect_status(b, g_size, FBNN_ERR_HEADER, "declares", "file_size too small");
    wr32(b + 8, (uint32_t)g_size + 4);
    expect_status(b, g_size, FBNN_ERR_TRUNCATED, "truncated", "file_size too large");
    wr32(b + 8, 0xFFFFFFFFu);
    expect_status(b, g_size, FBNN_ERR_TRUNCATED, "truncated", "file_size 4G");
    free(b);

    patch1(16, 63, FBNN_ERR_HEADER, "header size 63", "header_size");
    patch1(16, 0, FBNN_ERR_HEADER, "header size 0", "header_size 0");
    patch1(20, 1, FBNN_ERR_HEADER, "flags 0x1", "flags 1");
    patch1(20, 0x80000000u, FBNN_ERR_HEADER, "flags 0x80000000", "flags high bit");
    /* Counts. */
    patch1(24, 65537, FBNN_ERR_HEADER, "counts", "n_tensors 65537");
    patch1(24, 0xFFFFFFFFu, FBNN_ERR_HEADER, "counts", "n_tensors 2^32-1");
    patch1(32, 0, FBNN_ERR_HEADER, "counts", "n_values 0");
    patch1(32, 65537, FBNN_ERR_HEADER, "counts", "n_values 65537");
    patch1(40, 0, FBNN_ERR_HEADER, "counts", "n_ops 0");
    patch1(40, 0xFFFFFFFFu, FBNN_ERR_HEADER, "counts", "n_ops 2^32-1");
    /* In range but the table then runs past the end of the file. */
    patch1(24, 65536, FBNN_ERR_HEADER, "tensor table", "n_tensors 65536");
    patch1(40, 65536, FBNN_ERR_HEADER, "op table", "n_ops 65536");
    /* Meta size. */
    patch1(52, 65, FBNN_ERR_HEADER, "meta size 65", "meta_size");
    patch1(52, 0, FBNN_ERR_HEADER, "meta size 0", "meta_size 0");
    /* Misaligned offsets. */
    patch1(28, g_t_off + 2, FBNN_ERR_HEADER, "misaligned", "tensors_offset +2");
    patch1(36, g_v_off + 1, FBNN_ERR_HEADER, "misaligned", "values_offset +1");
    patch1(44, g_o_off + 3, FBNN_ERR_HEADER, "misaligned", "ops_offset +3");
    patch1(48, g_meta_off + 2, FBNN_ERR_HEADER, "misaligned", "meta_offset +2");
    patch1(56, g_d_off + 4, FBNN_ERR_HEADER, "misaligned", "data_offset +4 (not 64)");
    patch1(56, g_d_off + 32, FBNN_ERR_HEADER, "misaligned", "data_offset +32");
    /* Tables inside the header. */
    patch1(28, 0, FBNN_ERR_HEADER, "tensor table", "tensors_offset 0");
    patch1(36, 32, FBNN_ERR_HEADER, "value table", "values_offset 32");
    patch1(48, 60, FBNN_ERR_HEADER, "meta block", "meta_offset 60");
    /* Tables past the end of the file. */
    patch1(28, (uint32_t)g_size - 8, FBNN_ERR_HEADER, "tensor table", "tensor table past EOF");
    patch1(44, (uint32_t)g_size & ~3u, FBNN_ERR_HEADER, "op table", "op table at EOF");
    patch1(48, (uint32_t)g_size - 32, FBNN_ERR_HEADER, "meta block", "meta past EOF");
    patch1(48, 0xFFFFFFFCu, FBNN_ERR_HEADER, "meta block", "meta at 4G-4 (no 32-bit wrap)");
    patch1(56, 0xFFFFFFC0u, FBNN_ERR_HEADER, "data region", "data at 4G-64 (no 32-bit wrap)");
    patch1(60, g_d_size + 1, FBNN_ERR_HEADER, "data region", "data_size + 1");
    patch1(60, 0xFFFFFFFFu, FBNN_ERR_HEADER, "data region", "data_size 4G");
    patch1(56, ((uint32_t)g_size + 63u) & ~63u, FBNN_ERR_HEADER, "data region", "data past EOF");
    /* Overlapping tables. */
    patch1(36, g_t_off, FBNN_ERR_HEADER, "overlaps", "values over tensors");
    patch1(36, g_t_off + 32, FBNN_ERR_HEADER, "overlaps", "values inside tensors");
    patch1(44, g_v_off + 16, FBNN_ERR_HEADER, "overlaps", "ops inside values");
    patch1(48, g_o_off + 96, FBNN_ERR_HEADER, "overlaps", "meta inside ops");
    patch1(48, g_d_off, FBNN_ERR_HEADER, "overlaps", "meta inside data");
    patch1(56, g_meta_off & ~63u, FBNN_ERR_HEADER, "overlaps", "data over meta");
    patch1(32, g_n_v + 1, FBNN_ERR_HEADER, "overlaps", "value table one entry too long");
    patch1(24, g_n_t + 1, FBNN_ERR_HEADER, "overlaps", "tensor table one entry too long");
    report("HEADER");
}

/* -------------------------------------------------------------- tensors */
static void test_tensor(void **state)
{
    uint8_t *b;
    uint32_t t3_off = rd32(g_base + TENSOR(3, 24)), t0_off = rd32(g_base + TENSOR(0, 24));
    uint32_t t1_off = rd32(g_base + TENSOR(1, 24));
    (void)state;
    begin();
    patch1(TENSOR(3, 0), 0, FBNN_ERR_TENSOR, "tensor 3: unknown dtype 0", "dtype 0");
    patch1(TENSOR(3, 0), 4, FBNN_ERR_TENSOR, "tensor 3: unknown dtype 4", "dtype 4");
    patch1(TENSOR(166, 0), 0xFFFFFFFFu, FBNN_ERR_TENSOR, "tensor 166: unknown dtype", "dtype -1, last");
    patch1(TENSOR(3, 4), 0, FBNN_ERR_TENSOR, "tensor 3: ndim 0", "ndim 0");
    patch1(TENSOR(3, 4), 5, FBNN_ERR_TENSOR, "tensor 3: ndim 5", "ndim 5");
    patch1(TENSOR(3, 8), 0, FBNN_ERR_TENSOR, "tensor 3: dim 0 = 0", "dim 0 zero");
    patch1(TENSOR(3, 20), 65536, FBNN_ERR_TENSOR, "tensor 3: dim 3 = 65536", "dim too large");
    patch1(TENSOR(1, 12), 2, FBNN_ERR_TENSOR, "tensor 1: dim 1 = 2", "unused dim not 1");
    patch1(TENSOR(3, 4), 3, FBNN_ERR_TENSOR, "tensor 3", "packed weights with 3 dims");
    patch1(TENSOR(3, 28), 580, FBNN_ERR_TENSOR, "tensor 3: nbytes 580", "nbytes +4");
    patch1(TENSOR(3, 28), 0, FBNN_ERR_TENSOR, "tensor 3: nbytes 0", "nbytes 0");
    patch1(TENSOR(1, 28), 68, FBNN_ERR_TENSOR, "tensor 1: nbytes 68", "f32 nbytes");
    /* 16x3x3x16 bits is 576 bytes; as if the writer had not padded C_in. */
    patch1(TENSOR(3, 28), 16 * 9 * 2, FBNN_ERR_TENSOR, "tensor 3: nbytes 288", "unpadded bits");
    /* Offsets. */
    patch1(TENSOR(3, 24), t3_off + 4, FBNN_ERR_TENSOR, "tensor 3: offset", "offset +4 not aligned");
    patch1(TENSOR(3, 24), t3_off + 32, FBNN_ERR_TENSOR, "64-byte aligned", "offset +32");
    patch1(TENSOR(3, 24), 64, FBNN_ERR_TENSOR, "tensor 3: payload", "offset before data region");
    patch1(TENSOR(3, 24), 0, FBNN_ERR_TENSOR, "tensor 3: payload", "offset 0");
    patch1(TENSOR(3, 24), (g_d_off + g_d_size) & ~63u, FBNN_ERR_TENSOR, "outside the data region",
           "payload crosses the end");
    patch1(TENSOR(3, 24), ((uint32_t)g_size + 63u) & ~63u, FBNN_ERR_TENSOR, "outside the data region",
           "payload past EOF");
    patch1(TENSOR(3, 24), 0xFFFFFFC0u, FBNN_ERR_TENSOR, "outside the data region", "offset 4G-64");
    /* A big tensor that fits the file but not the data region (the data
     * region shrunk by 64 bytes: the last tensor's payload now crosses it). */
    {
        uint32_t last = rd32(g_base + TENSOR(g_n_t - 1, 24)) + rd32(g_base + TENSOR(g_n_t - 1, 28));
        b = copy_base(0);
        wr32(b + 60, last - g_d_off - 4);
        expect_patched(b, g_size, FBNN_ERR_TENSOR, "outside the data region", "data region shrunk");
    }
    /* F32 element count whose 4*count wraps 64 bits to a small nbytes:
     * 41387*39279*46226*61369 = 2^62 + 458, so 4*count = 2^64 + 1832.
     * The payload is put at the end of the data region, where only finite
     * floats and text follow, so a NaN scan over `count` elements would run
     * off the end of the buffer (it did before the loader checked this). */
    b = copy_base(0);
    wr32(b + TENSOR(1, 24), (g_d_off + g_d_size - 1832u) & ~63u);
    wr32(b + TENSOR(1, 4), 4);
    wr32(b + TENSOR(1, 8), 41387);
    wr32(b + TENSOR(1, 12), 39279);
    wr32(b + TENSOR(1, 16), 46226);
    wr32(b + TENSOR(1, 20), 61369);
    wr32(b + TENSOR(1, 28), 1832);
    expect_patched(b, g_size, FBNN_ERR_TENSOR, "tensor 1", "element count wraps 64 bits");
    /* Same for an I32 tensor. */
    b = copy_base(0);
    wr32(b + TENSOR(1, 0), 3);
    wr32(b + TENSOR(1, 4), 4);
    wr32(b + TENSOR(1, 8), 41387);
    wr32(b + TENSOR(1, 12), 39279);
    wr32(b + TENSOR(1, 16), 46226);
    wr32(b + TENSOR(1, 20), 61369);
    wr32(b + TENSOR(1, 28), 1832);
    expect_patched(b, g_size, FBNN_ERR_TENSOR, "tensor 1", "i32 element count wraps 64 bits");

    /* Padding bits: tensor 3 has C_in = 16, so bits 16..31 of every word
     * are padding. Try a few taps and bit positions. */
    {
        static const uint32_t words[] = {0, 1, 77, 143}; /* 16*3*3 = 144 taps */
        static const uint32_t bits[] = {16, 17, 31};
        size_t i, j;
        for (i = 0; i < 4; i++)
            for (j = 0; j < 3; j++) {
                b = copy_base(0);
                wr32(b + t3_off + 4 * words[i], rd32(b + t3_off + 4 * words[i]) | (1u << bits[j]));
                expect_patched(b, g_size, FBNN_ERR_TENSOR, "tensor 3: padding bits above channel 16",
                               "padding bit");
            }
        /* Same for the last 16-channel weight of layer 1 (tensor 48). */
        b = copy_base(0);
        {
            uint32_t o = rd32(b + TENSOR(48, 24));
            assert_int_equal(rd32(b + TENSOR(48, 20)), 16);
            wr32(b + o + 4 * 143, rd32(b + o + 4 * 143) | 0x80000000u);
        }
        expect_patched(b, g_size, FBNN_ERR_TENSOR, "tensor 48: padding bits", "padding bit, tensor 48");
        /* The first conv has C_in = 96 = 3 words: no padding, so flipping
         * bit 31 of its last word is just a different weight and loads. */
        b = copy_base(0);
        wr32(b + t0_off + 4 * 2, rd32(b + t0_off + 4 * 2) ^ 0x80000000u);
        fix_crc(b, g_size);
        {
            fbnn_model *m = NULL;
            assert_int_equal(fbnn_model_load_memory(b, g_size, &m, NULL), FBNN_OK);
            fbnn_model_free(m);
        }
        free(b);
        /* Tensor 57 (32 out, C_in = 16) and a 32-channel tensor (66): the
         * latter has no padding bits either. */
        b = copy_base(0);
        wr32(b + rd32(b + TENSOR(57, 24)), rd32(b + rd32(b + TENSOR(57, 24))) | 0x00010000u);
        expect_patched(b, g_size, FBNN_ERR_TENSOR, "tensor 57: padding bits", "padding bit, tensor 57");
        b = copy_base(0);
        assert_int_equal(rd32(b + TENSOR(66, 20)), 32);
        wr32(b + rd32(b + TENSOR(66, 24)), rd32(b + rd32(b + TENSOR(66, 24))) ^ 0x80000000u);
        fix_crc(b, g_size);
        {
            fbnn_model *m = NULL;
            assert_int_equal(fbnn_model_load_memory(b, g_size, &m, NULL), FBNN_OK);
            fbnn_model_free(m);
        }
        free(b);
    }
    /* NaN / Inf in float tensors. */
    {
        static const uint32_t bad[] = {0x7FC00000u, 0xFFC00001u, 0x7F800001u, 0x7F800000u, 0xFF800000u};
        size_t i;
        for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            b = copy_base(0);
            wr32(b + t1_off + 4 * 5, bad[i]);
            expect_patched(b, g_size, FBNN_ERR_TENSOR, "tensor 1: element 5 is NaN or Inf", "nan/inf");
        }
        /* The FC weight (second-to-last tensor), its last element. */
        b = copy_base(0);
        {
            uint32_t o = rd32(b + TENSOR(g_n_t - 2, 24)), nb = rd32(b + TENSOR(g_n_t - 2, 28));
            char needle[64];
            wr32(b + o + nb - 4, 0x7FC00000u);
            snprintf(needle, sizeof needle, "tensor %u: element %u is NaN", g_n_t - 2, nb / 4 - 1);
            expect_patched(b, g_size, FBNN_ERR_TENSOR, needle, "nan in fc weight");
        }
        /* Denormals and -0.0 are fine. */
        b = copy_base(0);
        wr32(b + t1_off, 0x00000001u);
        wr32(b + t1_off + 4, 0x80000000u);
        fix_crc(b, g_size);
        {
            fbnn_model *m = NULL;
            assert_int_equal(fbnn_model_load_memory(b, g_size, &m, NULL), FBNN_OK);
            fbnn_model_free(m);
        }
        free(b);
    }
    report("TENSOR");
}

/* --------------------------------------------------------------- values */
static void test_value(void **state)
{
    (void)state;
    begin();
    patch1(VALUE(5, 0), 0, FBNN_ERR_VALUE, "value 5: unknown kind 0", "kind 0");
    patch1(VALUE(5, 0), 5, FBNN_ERR_VALUE, "value 5: unknown kind 5", "kind 5");
    patch1(VALUE(115, 0), 0xFFFFFFFFu, FBNN_ERR_VALUE, "value 115: unknown kind", "kind -1, last");
    patch1(VALUE(5, 4), 0, FBNN_ERR_VALUE, "value 5: shape 0x32x32", "C 0");
    patch1(VALUE(5, 8), 0, FBNN_ERR_VALUE, "value 5: shape", "H 0");
    patch1(VALUE(5, 12), 0, FBNN_ERR_VALUE, "value 5: shape", "W 0");
    patch1(VALUE(5, 4), 65536, FBNN_ERR_VALUE, "value 5: shape 65536", "C 65536");
    patch1(VALUE(5, 8), 0x80000000u, FBNN_ERR_VALUE, "value 5: shape", "H 2^31");
    patch1(VALUE(5, 12), 0xFFFFFFFFu, FBNN_ERR_VALUE, "value 5: shape", "W 2^32-1");
    {
        uint8_t *b = copy_base(0);
        wr32(b + VALUE(5, 4), 65535);
        wr32(b + VALUE(5, 8), 65535);
        wr32(b + VALUE(5, 12), 65535);
        expect_patched(b, g_size, FBNN_ERR_VALUE, "value 5: 65535x65535x65535 is larger than 1 GiB",
                       "huge value");
        b = copy_base(0);
        wr32(b + VALUE(0, 8), 16384);
        wr32(b + VALUE(0, 12), 32768); /* 3 * 2^29 bytes of u8 */
        expect_patched(b, g_size, FBNN_ERR_VALUE, "value 0", "input > 1 GiB");
    }
    patch1(VALUE(0, 0), 2, FBNN_ERR_VALUE, "value 0 (the input)", "input not u8");
    report("VALUE");
}

/* ------------------------------------------------------------------ ops */
static void test_op(void **state)
{
    (void)state;
    begin();
    patch1(OP(7, OP_TYPE), 0, FBNN_ERR_OP, "op 7: unknown type 0", "type 0");
    patch1(OP(7, OP_TYPE), 15, FBNN_ERR_OP, "op 7: unknown type 15", "type 15");
    patch1(OP(7, OP_TYPE), 0xFFFFFFFFu, FBNN_ERR_OP, "op 7: unknown type", "type 2^32-1");
    patch1(OP(114, OP_TYPE), 1000, FBNN_ERR_OP, "op 114: unknown type 1000", "last op");
    /* Arity. */
    patch1(OP(7, OP_NIN), 1, FBNN_ERR_OP, "op 7 (add): 1 inputs", "add with 1 input");
    patch1(OP(2, OP_NIN), 2, FBNN_ERR_OP, "op 2 (affine): 2 inputs", "affine with 2 inputs");
    patch1(OP(2, OP_NIN), 0, FBNN_ERR_OP, "op 2 (affine)", "affine with 0 inputs");
    patch1(OP(2, OP_NIN), 0xFFFFFFFFu, FBNN_ERR_OP, "op 2 (affine)", "n_in 2^32-1");
    patch1(OP(2, OP_NPARAM), 1, FBNN_ERR_OP, "op 2 (affine): 1 inputs, 1 params", "affine 1 param");
    patch1(OP(2, OP_NPARAM), 7, FBNN_ERR_OP, "op 2 (affine)", "7 params");
    patch1(OP(1, OP_NATTR), 2, FBNN_ERR_OP, "op 1 (bconv)", "bconv 2 attrs");
    patch1(OP(1, OP_NATTR), 9, FBNN_ERR_OP, "op 1 (bconv)", "9 attrs");
    patch1(OP(0, OP_NATTR), 3, FBNN_ERR_OP, "op 0 (thermometer)", "thermometer 3 attrs");
    /* Indices. */
    patch1(OP(7, OP_IN(1)), 116, FBNN_ERR_OP, "op 7: input value 116 out of range", "in = n_values");
    patch1(OP(7, OP_IN(0)), 0xFFFFFFFFu, FBNN_ERR_OP, "op 7: input value 4294967295 out of range",
           "in = 2^32-1");
    patch1(OP(2, OP_PARAM(0)), 167, FBNN_ERR_OP, "op 2: parameter slot 0 holds invalid tensor 167",
           "param = n_tensors");
    patch1(OP(2, OP_PARAM(1)), 0x7FFFFFFFu, FBNN_ERR_OP, "op 2: parameter slot 1", "param huge");
    patch1(OP(7, OP_OUT), 116, FBNN_ERR_OP, "op 7: output value 116 out of range", "out = n_values");
    patch1(OP(7, OP_OUT), 0xFFFFFFFFu, FBNN_ERR_OP, "op 7: output value", "out huge");
    /* Unused slots must be 0. */
    patch1(OP(2, OP_IN(1)), 1, FBNN_ERR_OP, "op 2: unused input slot 1 not 0", "unused in");
    patch1(OP(7, OP_IN(3)), 1, FBNN_ERR_OP, "op 7: unused input slot 3", "unused in, add");
    patch1(OP(2, OP_PARAM(2)), 1, FBNN_ERR_OP, "op 2: parameter slot 2 holds invalid tensor 1",
           "unused param");
    patch1(OP(2, OP_PARAM(5)), 3, FBNN_ERR_OP, "op 2: parameter slot 5", "unused param 5");
    patch1(OP(1, OP_ATTR(3)), 1, FBNN_ERR_OP, "op 1: unused attribute 3 not 0", "unused attr");
    patch1(OP(2, OP_ATTR(0)), 3, FBNN_ERR_OP, "op 2: unused attribute 0", "affine attr");
    patch1(OP(2, OP_ATTR(7)), 0xFFFFFFFFu, FBNN_ERR_OP, "op 2: unused attribute 7", "attr 7 = -1");
    patch1(OP(2, OP_RESERVED), 1, FBNN_ERR_OP, "op 2: reserved", "reserved");
    /* Attributes: bconv (op 1) and pgconv (op 4) kernel 3, stride 1, pad 1. */
    patch1(OP(1, OP_ATTR(0)), 0, FBNN_ERR_OP, "op 1 (bconv): kernel size 0", "K 0");
    patch1(OP(1, OP_ATTR(0)), 16, FBNN_ERR_OP, "op 1 (bconv): kernel size 16", "K 16");
    patch1(OP(4, OP_ATTR(0)), -3, FBNN_ERR_OP, "op 4 (pgconv): kernel size -3", "K -3");
    patch1(OP(1, OP_ATTR(1)), 0, FBNN_ERR_OP, "op 1 (bconv): stride 0", "S 0");
    patch1(OP(1, OP_ATTR(1)), 9, FBNN_ERR_OP, "op 1 (bconv): stride 9", "S 9");
    patch1(OP(4, OP_ATTR(1)), -1, FBNN_ERR_OP, "op 4 (pgconv): stride -1", "S -1");
    patch1(OP(1, OP_ATTR(2)), 3, FBNN_ERR_OP, "op 1 (bconv): padding 3", "P = K");
    patch1(OP(1, OP_ATTR(2)), -1, FBNN_ERR_OP, "op 1 (bconv): padding -1", "P -1");
    patch1(OP(4, OP_ATTR(2)), 0x7FFFFFFF, FBNN_ERR_OP, "op 4 (pgconv): padding", "P huge");
    /* Thermometer (op 0): R 8, B 32. */
    patch1(OP(0, OP_ATTR(0)), 0, FBNN_ERR_OP, "op 0 (thermometer): resolution 0", "R 0");
    patch1(OP(0, OP_ATTR(0)), 256, FBNN_ERR_OP, "op 0 (thermometer): resolution 256", "R 256");
    patch1(OP(0, OP_ATTR(1)), 0, FBNN_ERR_OP, "op 0 (thermometer): bits 0", "B 0");
    patch1(OP(0, OP_ATTR(1)), 1025, FBNN_ERR_OP, "op 0 (thermometer): bits 1025", "B 1025");
    /* quant_uniform ranges the kernel cannot use (small models written by
     * tests/fuzz/make_seeds.py): hi - lo overflows to +inf; the 16-bit step
     * of [0, 1.4e-45] underflows to 0. Both loaded and then failed in
     * fbnn_run() before the loader checked them. */
    {
        static const char *const files[] = {"tests/fuzz/regress/model/quant_uniform_span_inf.fbnn",
                                            "tests/fuzz/regress/model/quant_uniform_step_zero.fbnn"};
        size_t i;
        for (i = 0; i < 2; i++) {
            fbnn_model *m = (fbnn_model *)(uintptr_t)0x1;
            fbnn_error err;
            assert_int_equal(fbnn_model_load_file(files[i], &m, &err), FBNN_ERR_OP);
            assert_null(m);
            assert_true(contains(err.message, "op 2 (quant_uniform): range"));
            g_cases++;
        }
    }
    report("OP");
}

/* ------------------------------------------------------- shapes, kinds */
static void test_shape(void **state)
{
    uint32_t v_out1 = rd32(g_base + OP(1, OP_OUT));
    (void)state;
    begin();
    /* Weight does not match the channels: op 1 (96 -> 16) given tensor 3
     * (16x3x3x16), op 4 (16 -> 16) given tensor 0 (16x3x3x96). */
    patch1(OP(1, OP_PARAM(0)), 3, FBNN_ERR_SHAPE, "op 1 (bconv): weight [16,3,3,16] does not fit 96->16",
           "bconv weight C_in");
    patch1(OP(4, OP_PARAM(0)), 0, FBNN_ERR_SHAPE, "op 4 (pgconv): weight [16,3,3,96]", "pgconv weight C_in");
    patch1(OP(1, OP_PARAM(0)), 1, FBNN_ERR_SHAPE, "op 1 (bconv): weight", "bconv weight is f32");
    /* tensor 57 is 32x3x3x16: wrong C_out for op 4. */
    patch1(OP(4, OP_PARAM(0)), 57, FBNN_ERR_SHAPE, "op 4 (pgconv): weight [32,3,3,16]", "pgconv C_out");
    patch1(OP(4, OP_PARAM(1)), 3, FBNN_ERR_SHAPE, "op 4 (pgconv): threshold", "threshold is bits");
    patch1(OP(2, OP_PARAM(0)), 0, FBNN_ERR_SHAPE, "op 2 (affine): parameter 0 must be 16 floats",
           "affine param is bits");
    patch1(OP(2, OP_PARAM(1)), g_n_t - 1, FBNN_ERR_SHAPE, "op 2 (affine): parameter 1 must be 16 floats",
           "affine param has 10 floats");
    /* Kernel size 5 with the 3x3 weight. */
    patch1(OP(1, OP_ATTR(0)), 5, FBNN_ERR_SHAPE, "op 1 (bconv): weight", "K 5 with 3x3 weights");
    /* Wrong output size: the value op 1 produces is 16x32x32. */
    patch1(VALUE(v_out1, 8), 31, FBNN_ERR_SHAPE, "op 1 (bconv): output 31x32, expected 32x32", "H 31");
    patch1(VALUE(v_out1, 12), 16, FBNN_ERR_SHAPE, "op 1 (bconv): output 32x16", "W 16");
    patch1(OP(1, OP_ATTR(1)), 2, FBNN_ERR_SHAPE, "op 1 (bconv): output 32x32, expected 16x16", "stride 2");
    patch1(VALUE(v_out1, 4), 32, FBNN_ERR_SHAPE, "op 1 (bconv): weight", "C_out 32");
    /* Kinds. */
    patch1(VALUE(v_out1, 0), 3, FBNN_ERR_SHAPE, "op 1 (bconv): input must be packed bits and output real",
           "bconv output bits");
    patch1(VALUE(rd32(g_base + OP(3, OP_OUT)), 0), 3, FBNN_ERR_SHAPE, "op 3 (quant2)", "quant2 out bits");
    patch1(VALUE(rd32(g_base + OP(0, OP_OUT)), 4), 95, FBNN_ERR_SHAPE, "op 0 (thermometer): output 95x32x32",
           "thermometer C");
    patch1(OP(0, OP_ATTR(1)), 31, FBNN_ERR_SHAPE, "op 0 (thermometer): output 96x32x32, expected 93x32x32",
           "thermometer B 31");
    /* add: second operand a different value of another shape (value 0, u8). */
    patch1(OP(7, OP_IN(1)), 0, FBNN_ERR_SHAPE, "op 7 (add): operands differ", "add of u8");
    /* fc (op 114): weight given the bias tensor. */
    patch1(OP(114, OP_PARAM(0)), g_n_t - 1, FBNN_ERR_SHAPE, "op 114 (fc): weight", "fc weight");
    patch1(OP(114, OP_PARAM(1)), g_n_t - 2, FBNN_ERR_SHAPE, "op 114 (fc): bias", "fc bias");
    report("SHAPE");
}

/* ---------------------------------------------------------------- graph */
static void test_graph(void **state)
{
    uint32_t out1 = rd32(g_base + OP(1, OP_OUT)), out5 = rd32(g_base + OP(5, OP_OUT));
    char needle[80];
    (void)state;
    begin();
    /* Use before definition: op 2 reads the value op 5 produces. */
    snprintf(needle, sizeof needle, "op 2: reads value %u before it is produced", out5);
    patch1(OP(2, OP_IN(0)), out5, FBNN_ERR_GRAPH, needle, "use before def");
    /* An op reading its own output. */
    snprintf(needle, sizeof needle, "op 2: reads value %u", rd32(g_base + OP(2, OP_OUT)));
    patch1(OP(2, OP_IN(0)), rd32(g_base + OP(2, OP_OUT)), FBNN_ERR_GRAPH, needle, "reads own output");
    /* Produced twice: op 2 writes op 1's output. */
    snprintf(needle, sizeof needle, "op 2: value %u is produced twice", out1);
    patch1(OP(2, OP_OUT), out1, FBNN_ERR_GRAPH, needle, "produced twice");
    /* Writing the input. */
    patch1(OP(2, OP_OUT), 0, FBNN_ERR_GRAPH, "op 2: value 0 is produced twice (or is the input)",
           "writes the input");
    /* Never produced: drop the last op (the FC that makes the logits). */
    patch1(40, g_n_o - 1, FBNN_ERR_GRAPH, "value 115 is never produced", "last op dropped");
    report("GRAPH");
}

/* ----------------------------------------------------------------- meta */
static void test_meta(void **state)
{
    uint32_t lab_off = rd32(g_base + META(12)), lab_size = rd32(g_base + META(16));
    uint32_t name_off = rd32(g_base + META(20)), name_size = rd32(g_base + META(24));
    uint8_t *b;
    (void)state;
    begin();
    assert_int_equal(lab_size, 60);
    assert_int_equal(g_base[lab_off + lab_size - 1], 0);
    /* Labels: last NUL replaced, first label empty, a middle one empty. */
    b = copy_base(0);
    b[lab_off + lab_size - 1] = 'x';
    expect_patched(b, g_size, FBNN_ERR_META, "meta: label 9 is not NUL-terminated", "last NUL");
    b = copy_base(0);
    b[lab_off] = 0;
    expect_patched(b, g_size, FBNN_ERR_META, "meta: label 0 is empty", "empty label 0");
    b = copy_base(0);
    {
        /* "airplane\0automobile\0bird\0...": "bird" -> "\0ird", so label 2
         * is empty (and 11 strings follow). */
        uint32_t k;
        for (k = lab_off; k + 6 <= lab_off + lab_size; k++)
            if (memcmp(b + k, "\0bird\0", 6) == 0) break;
        assert_true(k + 6 <= lab_off + lab_size);
        b[k + 1] = 0;
    }
    expect_patched(b, g_size, FBNN_ERR_META, "meta: label 2 is empty", "empty label 2");
    patch1(META(16), lab_size - 1, FBNN_ERR_META, "meta: label 9 is not NUL-terminated", "labels_size - 1");
    patch1(META(16), lab_size + 1, FBNN_ERR_META, "meta: labels block has 1 bytes after 10 labels",
           "labels_size + 1");
    patch1(META(16), 0, FBNN_ERR_META, "meta: labels", "labels_size 0");
    patch1(META(12), 64, FBNN_ERR_META, "meta: labels [64, +60) outside the data region", "labels in header");
    patch1(META(12), 0xFFFFFFF0u, FBNN_ERR_META, "meta: labels", "labels at 4G");
    patch1(META(16), 0xFFFFFFFFu, FBNN_ERR_META, "meta: labels", "labels size 4G");
    /* Class count. */
    patch1(META(8), 9, FBNN_ERR_META, "meta: output value 115 is not real [9,1,1]", "9 classes");
    patch1(META(8), 11, FBNN_ERR_META, "meta: output value 115 is not real [11,1,1]", "11 classes");
    patch1(META(8), 0, FBNN_ERR_META, "meta: 0 classes", "0 classes");
    patch1(META(8), 65536, FBNN_ERR_META, "meta: 65536 classes", "65536 classes");
    patch1(META(8), 0xFFFFFFFFu, FBNN_ERR_META, "meta: 4294967295 classes", "2^32-1 classes");
    /* Output value. */
    patch1(META(4), 114, FBNN_ERR_META, "meta: output value 114 is not real [10,1,1]", "output [64,1,1]");
    patch1(META(4), 1, FBNN_ERR_META, "meta: output value 1 is not real", "output = bits map");
    patch1(META(4), 0, FBNN_ERR_META, "meta: output value 0 is not real", "output = input");
    patch1(META(4), 116, FBNN_ERR_META, "meta: output value 116 out of range", "output out of range");
    patch1(META(0), 1, FBNN_ERR_META, "meta: input value must be 0", "input 1");
    /* Colour, resize, invert, reserved. */
    patch1(META(28), 1, FBNN_ERR_META, "meta: colour 1 does not match the input's 3 channels", "colour 1");
    patch1(META(28), 0, FBNN_ERR_META, "meta: colour 0", "colour 0");
    patch1(META(32), 2, FBNN_ERR_META, "meta: resize mode 2", "resize 2");
    patch1(META(36), 2, FBNN_ERR_META, "invert 2", "invert 2");
    patch1(META(40), 1, FBNN_ERR_META, "meta: reserved field at 40", "reserved 40");
    patch1(META(60), 1, FBNN_ERR_META, "meta: reserved field at 60", "reserved 60");
    /* Name. */
    b = copy_base(0);
    b[name_off + name_size - 1] = '!';
    expect_patched(b, g_size, FBNN_ERR_META, "meta: name is not one NUL-terminated string", "name NUL");
    b = copy_base(0);
    b[name_off + 3] = 0;
    expect_patched(b, g_size, FBNN_ERR_META, "meta: name is not one", "name with inner NUL");
    patch1(META(24), 0, FBNN_ERR_META, "meta: name", "name_size 0");
    patch1(META(20), 0, FBNN_ERR_META, "meta: name [0, +53) outside the data region", "name at 0");
    patch1(META(24), name_size + 4, FBNN_ERR_META, "meta: name", "name past the data region");
    report("META");
}

/* ------------------------------------------------------ API arguments */
static void test_alignment_args_io(void **state)
{
    uint8_t *raw = (uint8_t *)malloc(g_size + 8);
    fbnn_model *m = (fbnn_model *)(uintptr_t)0x1;
    fbnn_error err;
    size_t off;
    (void)state;
    assert_non_null(raw);
    begin();
    /* raw is at least 8-aligned: +1, +2, +3, +5 are not 4-aligned. */
    for (off = 1; off < 8; off++) {
        if (off == 4) continue;
        memcpy(raw + off, g_base, g_size);
        expect_status(raw + off, g_size, FBNN_ERR_ALIGNMENT, "not 4-byte aligned", "misaligned");
    }
    /* 4-aligned but not 8- or 64-aligned is accepted (format: 4 bytes). */
    memcpy(raw + 4, g_base, g_size);
    assert_int_equal(fbnn_model_load_memory(raw + 4, g_size, &m, &err), FBNN_OK);
    fbnn_model_free(m);
    free(raw);
    report("ALIGNMENT");

    begin();
    m = (fbnn_model *)(uintptr_t)0x1;
    assert_int_equal(fbnn_model_load_memory(g_base, g_size, NULL, &err), FBNN_ERR_ARG);
    assert_int_equal(err.status, FBNN_ERR_ARG);
    assert_true(err.message[0] != 0);
    assert_int_equal(fbnn_model_load_memory(NULL, g_size, &m, &err), FBNN_ERR_ARG);
    assert_null(m);
    assert_int_equal(err.status, FBNN_ERR_ARG);
    assert_true(contains(err.message, "NULL"));
    assert_int_equal(fbnn_model_load_memory(NULL, 1, &m, NULL), FBNN_ERR_ARG);
    m = (fbnn_model *)(uintptr_t)0x1;
    assert_int_equal(fbnn_model_load_file(NULL, &m, &err), FBNN_ERR_ARG);
    assert_null(m);
    assert_true(contains(err.message, "NULL"));
    assert_int_equal(fbnn_model_load_file(MODEL, NULL, &err), FBNN_ERR_ARG);
    assert_true(err.message[0] != 0);
    assert_int_equal(fbnn_model_load_file(NULL, NULL, NULL), FBNN_ERR_ARG);
    /* Other API entry points with NULL. */
    fbnn_model_free(NULL);
    fbnn_context_free(NULL);
    assert_int_equal(fbnn_context_create(NULL, NULL), FBNN_ERR_ARG);
    assert_int_equal(fbnn_context_size_for(NULL), 0);
    assert_null(fbnn_model_label(NULL, 0));
    assert_int_equal(fbnn_model_get_info(NULL, NULL), FBNN_ERR_ARG);
    assert_int_equal(fbnn_run(NULL, NULL, 0), FBNN_ERR_ARG);
    g_cases += 10;
    report("ARG");

    begin();
    m = (fbnn_model *)(uintptr_t)0x1;
    assert_int_equal(fbnn_model_load_file("models/does-not-exist.fbnn", &m, &err), FBNN_ERR_IO);
    assert_null(m);
    assert_int_equal(err.status, FBNN_ERR_IO);
    /* "PATH: cannot open: <strerror(errno)>" */
    assert_true(contains(err.message, "models/does-not-exist.fbnn: cannot open: "));
    assert_true(contains(err.message, strerror(ENOENT)));
    assert_int_equal(fbnn_model_load_file("no/such/dir/model.fbnn", &m, NULL), FBNN_ERR_IO);
    assert_null(m);
    /* A directory opens on Linux (with a bogus huge size) but is unreadable. */
    m = (fbnn_model *)(uintptr_t)0x1;
    assert_int_equal(fbnn_model_load_file("models", &m, &err), FBNN_ERR_IO);
    assert_null(m);
    assert_true(contains(err.message, "models: cannot read: "));
    assert_true(contains(err.message, strerror(EISDIR)));
    g_cases += 3;
    report("IO");
}

/* Defects through fbnn_model_load_file too (same validator, owned buffer). */
static void test_load_file_rejects(void **state)
{
    static const struct {
        size_t cut;
        fbnn_status want;
    } cases[] = {{0, FBNN_ERR_TRUNCATED}, {3, FBNN_ERR_TRUNCATED}, {63, FBNN_ERR_TRUNCATED},
                 {64, FBNN_ERR_TRUNCATED}, {MODEL_SIZE / 2, FBNN_ERR_TRUNCATED},
                 {MODEL_SIZE - 1, FBNN_ERR_TRUNCATED}};
    size_t i;
    FILE *f;
    fbnn_model *m;
    fbnn_error err;
    const char *tmpl = FBNN_TEST_TMPDIR "/loader_reject.tmp";
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        f = fopen(tmpl, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(g_base, 1, cases[i].cut, f), cases[i].cut);
        fclose(f);
        m = (fbnn_model *)(uintptr_t)0x1;
        assert_int_equal(fbnn_model_load_file(tmpl, &m, &err), cases[i].want);
        assert_null(m);
        assert_int_equal(err.status, cases[i].want);
        assert_true(err.message[0] != 0);
    }
    /* Flipped bit and trailing byte. */
    {
        uint8_t *b = copy_base(1);
        b[40000] ^= 0x10;
        f = fopen(tmpl, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(b, 1, g_size, f), g_size);
        fclose(f);
        assert_int_equal(fbnn_model_load_file(tmpl, &m, &err), FBNN_ERR_CHECKSUM);
        assert_null(m);
        b[40000] ^= 0x10;
        b[g_size] = 0;
        f = fopen(tmpl, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(b, 1, g_size + 1, f), g_size + 1);
        fclose(f);
        assert_int_equal(fbnn_model_load_file(tmpl, &m, &err), FBNN_ERR_HEADER);
        assert_null(m);
        free(b);
    }
    remove(tmpl);
}

/* ------------------------------------------------ valid in-place load */
/* A static, 8-byte aligned buffer standing in for a model in ROM. */
static union {
    uint64_t align;
    uint8_t bytes[MODEL_SIZE];
} g_rom;

static void test_valid_in_place(void **state)
{
    fbnn_model *mf = NULL, *mm = NULL, *mm2 = NULL;
    fbnn_context *cf = NULL, *cm = NULL, *cm2 = NULL;
    fbnn_model_info inf, inm;
    fbnn_error err;
    uint8_t img[3 * 32 * 32];
    uint32_t nf, nm, i, k;
    const float *lf, *lm;
    (void)state;
    memcpy(g_rom.bytes, g_base, g_size);
    assert_int_equal(fbnn_model_load_file(MODEL, &mf, &err), FBNN_OK);
    assert_int_equal(fbnn_model_load_memory(g_rom.bytes, sizeof g_rom.bytes, &mm, &err), FBNN_OK);
    assert_int_equal(err.status, FBNN_OK);
    assert_int_equal(err.message[0], 0);
    /* Two models over the same bytes are independent. */
    assert_int_equal(fbnn_model_load_memory(g_rom.bytes, sizeof g_rom.bytes, &mm2, NULL), FBNN_OK);
    /* The loader does not write to the buffer. */
    assert_memory_equal(g_rom.bytes, g_base, g_size);

    assert_int_equal(fbnn_model_get_info(mf, &inf), FBNN_OK);
    assert_int_equal(fbnn_model_get_info(mm, &inm), FBNN_OK);
    assert_int_equal(inm.file_bytes, MODEL_SIZE);
    assert_int_equal(inm.weight_bytes, inf.weight_bytes);
    assert_int_equal(inm.context_bytes, inf.context_bytes);
    assert_int_equal(inm.num_classes, 10);
    assert_int_equal(inm.num_ops, 115);
    assert_string_equal(inm.name, inf.name);
    /* The name and labels point into the caller's buffer (no copy). */
    assert_true((const uint8_t *)inm.name >= g_rom.bytes && (const uint8_t *)inm.name < g_rom.bytes + g_size);
    assert_true((const uint8_t *)fbnn_model_label(mm, 3) >= g_rom.bytes &&
                (const uint8_t *)fbnn_model_label(mm, 3) < g_rom.bytes + g_size);
    assert_string_equal(fbnn_model_label(mm, 3), "cat");

    assert_int_equal(fbnn_context_create(mf, &cf), FBNN_OK);
    assert_int_equal(fbnn_context_create(mm, &cm), FBNN_OK);
    assert_int_equal(fbnn_context_create(mm2, &cm2), FBNN_OK);
    for (k = 0; k < 3; k++) {
        uint32_t seed = 0x9E3779B9u * (k + 1);
        for (i = 0; i < sizeof img; i++) img[i] = k == 0 ? 0 : (uint8_t)(xs32(&seed) >> 24);
        assert_int_equal(fbnn_run(cf, img, sizeof img), FBNN_OK);
        assert_int_equal(fbnn_run(cm, img, sizeof img), FBNN_OK);
        assert_int_equal(fbnn_run(cm2, img, sizeof img), FBNN_OK);
        lf = fbnn_logits(cf, &nf);
        lm = fbnn_logits(cm, &nm);
        assert_non_null(lf);
        assert_non_null(lm);
        assert_int_equal(nf, 10);
        assert_int_equal(nm, 10);
        assert_memory_equal(lf, lm, 10 * sizeof(float));
        assert_memory_equal(lf, fbnn_logits(cm2, NULL), 10 * sizeof(float));
    }
    /* Wrong input size is an input error, not a crash. */
    assert_int_equal(fbnn_run(cm, img, sizeof img - 1), FBNN_ERR_INPUT);
    assert_memory_equal(g_rom.bytes, g_base, g_size);
    fbnn_context_free(cf);
    fbnn_context_free(cm);
    fbnn_context_free(cm2);
    fbnn_model_free(mf);
    fbnn_model_free(mm);
    fbnn_model_free(mm2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base_model_layout),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_magic_version),
        cmocka_unit_test(test_checksum),
        cmocka_unit_test(test_header),
        cmocka_unit_test(test_tensor),
        cmocka_unit_test(test_value),
        cmocka_unit_test(test_op),
        cmocka_unit_test(test_shape),
        cmocka_unit_test(test_graph),
        cmocka_unit_test(test_meta),
        cmocka_unit_test(test_alignment_args_io),
        cmocka_unit_test(test_load_file_rejects),
        cmocka_unit_test(test_valid_in_place),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
