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
#include "loader_reject_util.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base_model_layout),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_magic_version),
        cmocka_unit_test(test_checksum),
        cmocka_unit_test(test_header),
        cmocka_unit_test(test_tensor),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
