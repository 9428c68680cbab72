/*
 * test_io_dataset.c - CLI dataset I/O (tools/cli/io): the CIFAR-10 binary
 * batch and IDX (MNIST / Fashion-MNIST, plain or gzip) readers, on real
 * files and on damaged or hostile ones. Run from the repository root.
 * (Images: test_io_image.c.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "dataset_io.h"
#include "io_test_util.h"

#define CIFAR_FULL_PATH "../shared/data/cifar10_test_846.bin"
#define CIFAR_BUNDLED_PATH "tests/data/cifar10_test_first64.bin"

/* The 846 shared real test images when the checkout sits next to them,
 * else the 64 bundled ones (a fresh clone elsewhere). */
static const char *cifar_path(size_t *count)
{
    FILE *f = fopen(CIFAR_FULL_PATH, "rb");
    if (f) {
        fclose(f);
        *count = 846;
        return CIFAR_FULL_PATH;
    }
    *count = 64;
    return CIFAR_BUNDLED_PATH;
}
#define FMNIST_IMAGES "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"
#define FMNIST_LABELS "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz"

static void write_gz(const char *path, const void *data, size_t n)
{
    gzFile g = gzopen(path, "wb");
    assert_non_null(g);
    assert_int_equal(gzwrite(g, data, (unsigned)n), (int)n);
    assert_int_equal(gzclose(g), Z_OK);
}

/* ---- CIFAR-10 ------------------------------------------------------------ */

static void test_cifar_stream(void **state)
{
    fbnn_cifar *r = NULL;
    char err[256];
    uint8_t label, pix[FBNN_CIFAR_IMAGE_BYTES];
    size_t n;
    uint8_t *raw;
    size_t count;
    const char *CIFAR_PATH = cifar_path(&count);
    (void)state;
    if (fbnn_cifar_open(CIFAR_PATH, &r, err, sizeof err) != FBNN_IO_OK)
        fail_msg("%s", err);
    assert_int_equal(fbnn_cifar_count(r), count);
    assert_int_equal(fbnn_cifar_read(r, 0, &label, pix, err, sizeof err), FBNN_IO_OK);
    assert_int_equal(label, 3); /* cat */
    raw = read_file(CIFAR_PATH, &n);
    assert_int_equal(n, count * 3073);
    assert_memory_equal(pix, raw + 1, 3072);
    assert_int_equal(fbnn_cifar_read(r, count - 1, &label, pix, err, sizeof err), FBNN_IO_OK);
    assert_int_equal(label, raw[(count - 1) * 3073]);
    assert_memory_equal(pix, raw + (count - 1) * 3073 + 1, 3072);
    assert_int_equal(fbnn_cifar_read(r, 1, &label, NULL, err, sizeof err), FBNN_IO_OK);
    assert_int_equal(label, 8);
    assert_int_equal(fbnn_cifar_read(r, count, &label, pix, err, sizeof err), FBNN_IO_ERR_ARG);
    check_msg(err);
    fbnn_cifar_close(r);
    fbnn_cifar_close(NULL);
    assert_int_equal(fbnn_cifar_count(NULL), 0);
    free(raw);
}

static void test_cifar_load_all(void **state)
{
    fbnn_dataset ds;
    char err[256];
    size_t n, i;
    uint8_t *raw;
    size_t count;
    const char *CIFAR_PATH = cifar_path(&count);
    (void)state;
    if (fbnn_dataset_load_cifar10(CIFAR_PATH, &ds, err, sizeof err) != FBNN_IO_OK)
        fail_msg("%s", err);
    assert_int_equal(ds.count, count);
    assert_int_equal(ds.channels, 3);
    assert_int_equal(ds.height, 32);
    assert_int_equal(ds.width, 32);
    assert_int_equal(fbnn_dataset_image_bytes(&ds), 3072);
    raw = read_file(CIFAR_PATH, &n);
    for (i = 0; i < count; i++) {
        assert_int_equal(ds.labels[i], raw[i * 3073]);
        assert_memory_equal(fbnn_dataset_image(&ds, (uint32_t)i), raw + i * 3073 + 1, 3072);
    }
    assert_int_equal(ds.labels[0], 3);
    free(raw);
    fbnn_dataset_free(&ds);
    assert_null(ds.pixels);
    fbnn_dataset_free(&ds);
}

static void test_cifar_errors(void **state)
{
    char path[512], err[256];
    fbnn_cifar *r = (fbnn_cifar *)&r;
    fbnn_dataset ds;
    uint8_t *buf = (uint8_t *)calloc(3 * 3073, 1);
    (void)state;
    assert_non_null(buf);

    tmp_path(path, sizeof path, "cifar_bad_size.bin");
    write_file(path, buf, 2 * 3073 + 5);
    assert_int_equal(fbnn_cifar_open(path, &r, err, sizeof err), FBNN_IO_ERR_FORMAT);
    check_msg(err);
    assert_non_null(strstr(err, "3073"));
    assert_null(r);
    assert_int_equal(fbnn_dataset_load_cifar10(path, &ds, err, sizeof err), FBNN_IO_ERR_FORMAT);
    assert_null(ds.pixels);
    remove(path);

    tmp_path(path, sizeof path, "cifar_empty.bin");
    write_file(path, buf, 0);
    assert_int_equal(fbnn_cifar_open(path, &r, err, sizeof err), FBNN_IO_ERR_FORMAT);
    check_msg(err);
    remove(path);

    /* record 2 has label 12: not CIFAR-10 */
    tmp_path(path, sizeof path, "cifar_bad_label.bin");
    buf[2 * 3073] = 12;
    write_file(path, buf, 3 * 3073);
    assert_int_equal(fbnn_cifar_open(path, &r, err, sizeof err), FBNN_IO_OK);
    assert_int_equal(fbnn_cifar_count(r), 3);
    assert_int_equal(fbnn_cifar_read(r, 1, NULL, NULL, err, sizeof err), FBNN_IO_OK);
    assert_int_equal(fbnn_cifar_read(r, 2, NULL, NULL, err, sizeof err), FBNN_IO_ERR_FORMAT);
    check_msg(err);
    fbnn_cifar_close(r);
    assert_int_equal(fbnn_dataset_load_cifar10(path, &ds, err, sizeof err), FBNN_IO_ERR_FORMAT);
    assert_null(ds.pixels);
    remove(path);

    assert_int_equal(fbnn_cifar_open("no/such/cifar.bin", &r, err, sizeof err), FBNN_IO_ERR_OPEN);
    check_msg(err);
    assert_int_equal(fbnn_cifar_open(NULL, &r, err, sizeof err), FBNN_IO_ERR_ARG);
    free(buf);
}

/* ---- IDX ----------------------------------------------------------------- */

static void test_idx_fashion_mnist(void **state)
{
    fbnn_dataset ds;
    char err[256];
    uint32_t n, h, w;
    uint8_t *pix = NULL, *lab = NULL;
    unsigned long sum = 0;
    size_t i;
    (void)state;
    if (fbnn_dataset_load_idx(FMNIST_IMAGES, FMNIST_LABELS, &ds, err, sizeof err) != FBNN_IO_OK)
        fail_msg("%s", err);
    assert_int_equal(ds.count, 10000);
    assert_int_equal(ds.channels, 1);
    assert_int_equal(ds.height, 28);
    assert_int_equal(ds.width, 28);
    assert_int_equal(crc32(0L, ds.pixels, 10000 * 784), 0x12728439UL);
    for (i = 0; i < 784; i++)
        sum += fbnn_dataset_image(&ds, 0)[i];
    assert_int_equal(sum, 33456);
    {
        static const uint8_t first[10] = {9, 2, 1, 1, 6, 1, 4, 6, 5, 7};
        assert_memory_equal(ds.labels, first, 10);
    }
    fbnn_dataset_free(&ds);

    /* images only */
    assert_int_equal(fbnn_dataset_load_idx(FMNIST_IMAGES, NULL, &ds, err, sizeof err), FBNN_IO_OK);
    assert_null(ds.labels);
    assert_int_equal(ds.count, 10000);
    fbnn_dataset_free(&ds);

    assert_int_equal(fbnn_idx_load_images(FMNIST_IMAGES, &n, &h, &w, &pix, err, sizeof err),
                     FBNN_IO_OK);
    assert_int_equal(n, 10000);
    assert_int_equal(fbnn_idx_load_labels(FMNIST_LABELS, &n, &lab, err, sizeof err), FBNN_IO_OK);
    assert_int_equal(n, 10000);
    assert_int_equal(lab[0], 9);
    free(pix);
    free(lab);

    /* wrong kind of file for each reader */
    assert_int_equal(fbnn_idx_load_images(FMNIST_LABELS, &n, &h, &w, &pix, err, sizeof err),
                     FBNN_IO_ERR_FORMAT);
    check_msg(err);
    assert_non_null(strstr(err, "magic"));
    assert_null(pix);
    assert_int_equal(fbnn_idx_load_labels(FMNIST_IMAGES, &n, &lab, err, sizeof err),
                     FBNN_IO_ERR_FORMAT);
    assert_null(lab);
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* An IDX image file of n images h x w (pixel = index & 255), `data_bytes` of data. */
static uint8_t *make_idx_images(uint32_t magic, uint32_t n, uint32_t h, uint32_t w,
                                size_t data_bytes, size_t *size)
{
    uint8_t *b = (uint8_t *)malloc(16 + data_bytes);
    size_t i;
    assert_non_null(b);
    put_be32(b, magic);
    put_be32(b + 4, n);
    put_be32(b + 8, h);
    put_be32(b + 12, w);
    for (i = 0; i < data_bytes; i++)
        b[16 + i] = (uint8_t)i;
    *size = 16 + data_bytes;
    return b;
}

static void idx_images_fail(const char *path, int code, const char *needle)
{
    char err[256];
    uint32_t n = 1, h = 1, w = 1;
    uint8_t *pix = (uint8_t *)&n;
    int rc = fbnn_idx_load_images(path, &n, &h, &w, &pix, err, sizeof err);
    if (rc != code)
        fail_msg("%s: expected %d, got %d (%s)", path, code, rc, err);
    check_msg(err);
    if (needle && !strstr(err, needle))
        fail_msg("%s: message '%s' lacks '%s'", path, err, needle);
    assert_null(pix);
    assert_int_equal(n, 0);
}

static void test_idx_errors(void **state)
{
    char path[512], lpath[512], err[256];
    uint8_t *b, lab[8 + 5];
    size_t size, full, n;
    uint8_t *gzdata;
    fbnn_dataset ds;
    uint32_t cnt = 0, h = 0, w = 0;
    uint8_t *pix = NULL;
    (void)state;
    tmp_path(path, sizeof path, "idx_images");
    tmp_path(lpath, sizeof lpath, "idx_labels");

    /* a valid small file, plain and gzip */
    b = make_idx_images(FBNN_IDX_IMAGES_MAGIC, 3, 4, 5, 60, &size);
    write_file(path, b, size);
    assert_int_equal(fbnn_idx_load_images(path, &cnt, &h, &w, &pix, err, sizeof err), FBNN_IO_OK);
    assert_int_equal(cnt, 3);
    assert_int_equal(h, 4);
    assert_int_equal(w, 5);
    assert_memory_equal(pix, b + 16, 60);
    free(pix);
    write_gz(path, b, size);
    assert_int_equal(fbnn_idx_load_images(path, &cnt, &h, &w, &pix, err, sizeof err), FBNN_IO_OK);
    assert_memory_equal(pix, b + 16, 60);
    free(pix);

    /* label count mismatch */
    put_be32(lab, FBNN_IDX_LABELS_MAGIC);
    put_be32(lab + 4, 5);
    memset(lab + 8, 1, 5);
    write_file(lpath, lab, sizeof lab);
    assert_int_equal(fbnn_dataset_load_idx(path, lpath, &ds, err, sizeof err),
                     FBNN_IO_ERR_MISMATCH);
    check_msg(err);
    assert_null(ds.pixels);
    assert_null(ds.labels);
    put_be32(lab + 4, 3);
    write_file(lpath, lab, 8 + 3);
    assert_int_equal(fbnn_dataset_load_idx(path, lpath, &ds, err, sizeof err), FBNN_IO_OK);
    assert_int_equal(ds.count, 3);
    fbnn_dataset_free(&ds);
    /* truncated label file */
    put_be32(lab + 4, 4);
    write_file(lpath, lab, 8 + 3);
    assert_int_equal(fbnn_dataset_load_idx(path, lpath, &ds, err, sizeof err),
                     FBNN_IO_ERR_TRUNCATED);
    assert_null(ds.pixels);
    free(b);

    /* truncated data, plain and gzip */
    b = make_idx_images(FBNN_IDX_IMAGES_MAGIC, 100, 28, 28, 10 * 784, &size);
    write_file(path, b, size);
    idx_images_fail(path, FBNN_IO_ERR_TRUNCATED, "78400");
    write_gz(path, b, size);
    idx_images_fail(path, FBNN_IO_ERR_TRUNCATED, "truncated");
    free(b);
    /* header claims 2^31 images: fails as truncated without a 1.6 TB allocation */
    b = make_idx_images(FBNN_IDX_IMAGES_MAGIC, 0x80000000u, 28, 28, 5000, &size);
    write_file(path, b, size);
    idx_images_fail(path, FBNN_IO_ERR_TRUNCATED, NULL);
    free(b);
    /* trailing data */
    b = make_idx_images(FBNN_IDX_IMAGES_MAGIC, 2, 2, 2, 9, &size);
    write_file(path, b, size);
    idx_images_fail(path, FBNN_IO_ERR_SIZE, "more data");
    free(b);
    /* bad magic, unsupported type, zero and absurd dimensions, short header */
    b = make_idx_images(0x12345678u, 1, 2, 2, 4, &size);
    write_file(path, b, size);
    idx_images_fail(path, FBNN_IO_ERR_FORMAT, "magic");
    free(b);
    b = make_idx_images(0x00000D03u, 1, 2, 2, 16, &size);
    write_file(path, b, size);
    idx_images_fail(path, FBNN_IO_ERR_FORMAT, "0x0d");
    free(b);
    b = make_idx_images(FBNN_IDX_IMAGES_MAGIC, 0, 2, 2, 0, &size);
    write_file(path, b, size);
    idx_images_fail(path, FBNN_IO_ERR_SIZE, NULL);
    free(b);
    b = make_idx_images(FBNN_IDX_IMAGES_MAGIC, 1, 100000, 2, 8, &size);
    write_file(path, b, size);
    idx_images_fail(path, FBNN_IO_ERR_SIZE, NULL);
    write_file(path, b, 10);
    idx_images_fail(path, FBNN_IO_ERR_TRUNCATED, "header");
    free(b);

    /* garbage, empty, missing, directory */
    {
        uint8_t junk[1000];
        size_t i;
        uint32_t s = 12345;
        for (i = 0; i < sizeof junk; i++) {
            s = s * 1103515245u + 12345u;
            junk[i] = (uint8_t)(s >> 16);
        }
        junk[0] = 0x42; /* neither gzip nor IDX */
        write_file(path, junk, sizeof junk);
        idx_images_fail(path, FBNN_IO_ERR_FORMAT, "magic");
        /* a gzip header followed by garbage */
        junk[0] = 0x1f;
        junk[1] = 0x8b;
        junk[2] = 8;
        junk[3] = 0;
        write_file(path, junk, sizeof junk);
        {
            uint32_t c2, h2, w2;
            uint8_t *p2 = NULL;
            int rc = fbnn_idx_load_images(path, &c2, &h2, &w2, &p2, err, sizeof err);
            assert_int_not_equal(rc, FBNN_IO_OK);
            check_msg(err);
            assert_null(p2);
        }
    }
    write_file(path, "", 0);
    idx_images_fail(path, FBNN_IO_ERR_FORMAT, "empty");
    idx_images_fail("no/such/file.gz", FBNN_IO_ERR_OPEN, NULL);
    idx_images_fail("tests/data/io", FBNN_IO_ERR_READ, NULL);

    /* the real gzip file cut in half */
    gzdata = read_file(FMNIST_LABELS, &full);
    write_file(lpath, gzdata, full / 2);
    {
        uint8_t *l2 = NULL;
        uint32_t c2 = 7;
        assert_int_equal(fbnn_idx_load_labels(lpath, &c2, &l2, err, sizeof err),
                         FBNN_IO_ERR_TRUNCATED);
        check_msg(err);
        assert_null(l2);
        assert_int_equal(c2, 0);
    }
    free(gzdata);
    gzdata = read_file(FMNIST_IMAGES, &n);
    write_file(path, gzdata, n - n / 3);
    idx_images_fail(path, FBNN_IO_ERR_TRUNCATED, NULL);
    /* corrupt deflate data in the middle */
    gzdata[n / 2] ^= 0xFF;
    gzdata[n / 2 + 1] ^= 0x5A;
    write_file(path, gzdata, n);
    {
        uint32_t c2, h2, w2;
        uint8_t *p2 = NULL;
        int rc = fbnn_idx_load_images(path, &c2, &h2, &w2, &p2, err, sizeof err);
        assert_int_not_equal(rc, FBNN_IO_OK);
        check_msg(err);
        assert_null(p2);
    }
    free(gzdata);
    remove(path);
    remove(lpath);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cifar_stream),
        cmocka_unit_test(test_cifar_load_all),
        cmocka_unit_test(test_cifar_errors),
        cmocka_unit_test(test_idx_fashion_mnist),
        cmocka_unit_test(test_idx_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
