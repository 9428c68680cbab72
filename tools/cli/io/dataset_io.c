/*
 * dataset_io.c - CIFAR-10 binary and IDX (plain or gzip) readers (see dataset_io.h).
 */
#include "dataset_io.h"
#include "io_err.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>


static void clear_err(char *err, size_t err_size)
{
    if (err && err_size)
        err[0] = '\0';
}

/* ---- CIFAR-10 ------------------------------------------------------------ */

struct fbnn_cifar {
    FILE *f;
    size_t count;
    char *path;
};

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = (char *)malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

int fbnn_cifar_open(const char *path, fbnn_cifar **out, char *err, size_t err_size)
{
    fbnn_cifar *r;
    long end;
    int rc;

    clear_err(err, err_size);
    if (out)
        *out = NULL;
    if (!path || !out)
        return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_ARG, "fbnn_cifar_open: NULL argument");
    r = (fbnn_cifar *)calloc(1, sizeof *r);
    if (!r || !(r->path = dup_str(path))) {
        free(r);
        return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_NOMEM, "%s: out of memory", path);
    }
    errno = 0;
    r->f = fopen(path, "rb");
    if (!r->f) {
        rc = fbnn_io_set_err(err, err_size, FBNN_IO_ERR_OPEN, "%s: cannot open: %s", path,
                     errno ? strerror(errno) : "unknown error");
        fbnn_cifar_close(r);
        return rc;
    }
    if (fseek(r->f, 0, SEEK_END) != 0 || (end = ftell(r->f)) < 0) {
        rc = fbnn_io_set_err(err, err_size, FBNN_IO_ERR_READ, "%s: cannot determine the file size", path);
        fbnn_cifar_close(r);
        return rc;
    }
    if (end == 0 || (unsigned long)end % FBNN_CIFAR_RECORD_BYTES != 0) {
        rc = fbnn_io_set_err(err, err_size, FBNN_IO_ERR_FORMAT,
                     "%s: size %ld is not a non-zero multiple of %u bytes; not a CIFAR-10 binary batch "
                     "(1 label byte + 3072 pixel bytes per record)",
                     path, end, (unsigned)FBNN_CIFAR_RECORD_BYTES);
        fbnn_cifar_close(r);
        return rc;
    }
    r->count = (size_t)((unsigned long)end / FBNN_CIFAR_RECORD_BYTES);
    /* Make sure the file is readable (e.g. not a directory). */
    rc = fbnn_cifar_read(r, 0, NULL, NULL, err, err_size);
    if (rc != FBNN_IO_OK) {
        fbnn_cifar_close(r);
        return rc;
    }
    *out = r;
    return FBNN_IO_OK;
}

size_t fbnn_cifar_count(const fbnn_cifar *reader)
{
    return reader ? reader->count : 0;
}

int fbnn_cifar_read(fbnn_cifar *reader, size_t index, uint8_t *label,
                    uint8_t pixels[FBNN_CIFAR_IMAGE_BYTES], char *err, size_t err_size)
{
    uint8_t rec[FBNN_CIFAR_RECORD_BYTES];
    size_t got;

    clear_err(err, err_size);
    if (!reader || !reader->f)
        return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_ARG, "fbnn_cifar_read: NULL reader");
    if (index >= reader->count)
        return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_ARG, "%s: record %lu out of range (%lu records)",
                       reader->path, (unsigned long)index, (unsigned long)reader->count);
    if (index > (size_t)(LONG_MAX / FBNN_CIFAR_RECORD_BYTES) ||
        fseek(reader->f, (long)(index * FBNN_CIFAR_RECORD_BYTES), SEEK_SET) != 0)
        return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_READ, "%s: cannot seek to record %lu",
                       reader->path, (unsigned long)index);
    got = fread(rec, 1, sizeof rec, reader->f);
    if (got != sizeof rec) {
        if (ferror(reader->f))
            return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_READ, "%s: read error at record %lu",
                           reader->path, (unsigned long)index);
        return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_TRUNCATED, "%s: record %lu is cut off",
                       reader->path, (unsigned long)index);
    }
    if (rec[0] > 9)
        return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_FORMAT,
                       "%s: record %lu has label %u (CIFAR-10 labels are 0..9)", reader->path,
                       (unsigned long)index, (unsigned)rec[0]);
    if (label)
        *label = rec[0];
    if (pixels)
        memcpy(pixels, rec + 1, FBNN_CIFAR_IMAGE_BYTES);
    return FBNN_IO_OK;
}

void fbnn_cifar_close(fbnn_cifar *reader)
{
    if (!reader)
        return;
    if (reader->f)
        fclose(reader->f);
    free(reader->path);
    free(reader);
}

int fbnn_dataset_load_cifar10(const char *path, fbnn_dataset *ds, char *err, size_t err_size)
{
    fbnn_cifar *r = NULL;
    size_t i, n;
    int rc;

    clear_err(err, err_size);
    if (ds)
        memset(ds, 0, sizeof *ds);
    if (!path || !ds)
        return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_ARG, "fbnn_dataset_load_cifar10: NULL argument");
    rc = fbnn_cifar_open(path, &r, err, err_size);
    if (rc != FBNN_IO_OK)
        return rc;
    n = fbnn_cifar_count(r);
    if (n > UINT32_MAX || n > SIZE_MAX / FBNN_CIFAR_IMAGE_BYTES) {
        fbnn_cifar_close(r);
        return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_SIZE, "%s: too many records", path);
    }
    ds->pixels = (uint8_t *)malloc(n * FBNN_CIFAR_IMAGE_BYTES);
    ds->labels = (uint8_t *)malloc(n);
    if (!ds->pixels || !ds->labels) {
        fbnn_cifar_close(r);
        fbnn_dataset_free(ds);
        return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_NOMEM, "%s: out of memory for %lu records", path,
                       (unsigned long)n);
    }
    for (i = 0; i < n; i++) {
        rc = fbnn_cifar_read(r, i, &ds->labels[i], ds->pixels + i * FBNN_CIFAR_IMAGE_BYTES, err,
                             err_size);
        if (rc != FBNN_IO_OK) {
            fbnn_cifar_close(r);
            fbnn_dataset_free(ds);
            return rc;
        }
    }
    fbnn_cifar_close(r);
    ds->count = (uint32_t)n;
    ds->channels = 3;
    ds->height = 32;
    ds->width = 32;
    return FBNN_IO_OK;
}

/* ---- IDX ----------------------------------------------------------------- */

/* Copy zlib's message: gzerror()'s string is freed by gzclose(). */
static void copy_why(char *why, size_t why_size, const char *msg)
{
    snprintf(why, why_size, "%s", (msg && msg[0]) ? msg : "end of file");
}

/*
 * Read exactly `n` bytes. Returns FBNN_IO_OK, FBNN_IO_ERR_TRUNCATED (end of
 * data first; *got tells how much was read), FBNN_IO_ERR_CORRUPT (bad gzip
 * stream) or FBNN_IO_ERR_READ; `why` receives zlib's explanation.
 */
static int gz_read_exact(gzFile g, uint8_t *buf, size_t n, size_t *got, char *why,
                         size_t why_size)
{
    *got = 0;
    copy_why(why, why_size, NULL);
    while (*got < n) {
        size_t want = n - *got;
        int r, errnum = 0;
        const char *msg;
        if (want > (1u << 30))
            want = 1u << 30;
        r = gzread(g, buf + *got, (unsigned)want);
        if (r > 0) {
            *got += (size_t)r;
            continue;
        }
        msg = gzerror(g, &errnum);
        if (r == 0 && errnum == Z_OK)
            return FBNN_IO_ERR_TRUNCATED; /* clean end of file */
        copy_why(why, why_size, msg);
        if (errnum == Z_BUF_ERROR)
            return FBNN_IO_ERR_TRUNCATED; /* gzip stream cut off */
        if (errnum == Z_ERRNO)
            return FBNN_IO_ERR_READ;
        return FBNN_IO_ERR_CORRUPT;
    }
    return FBNN_IO_OK;
}

static uint32_t be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

/*
 * Open an IDX file, check its magic and read its `ndim` dimensions, then read
 * exactly prod(dims) bytes of data (growing the buffer with the data actually
 * present) and make sure nothing follows.
 */
static int idx_load(const char *path, uint32_t magic, uint32_t ndim, uint32_t *dims,
                    uint8_t **data, char *err, size_t err_size)
{
    gzFile g;
    uint8_t hdr[16];
    size_t hdr_bytes = 4 + 4 * (size_t)ndim, total = 1, cap, have = 0, got;
    uint8_t *buf = NULL;
    const char *what = (magic == FBNN_IDX_IMAGES_MAGIC) ? "IDX image file" : "IDX label file";
    char why[128];
    uint32_t m, i;
    int rc;

    *data = NULL;
    errno = 0;
    g = gzopen(path, "rb");
    if (!g)
        return fbnn_io_set_err(err, err_size, errno ? FBNN_IO_ERR_OPEN : FBNN_IO_ERR_NOMEM,
                       "%s: cannot open: %s", path, errno ? strerror(errno) : "out of memory");
    (void)gzbuffer(g, 1u << 17);

    rc = gz_read_exact(g, hdr, hdr_bytes, &got, why, sizeof why);
    if (rc != FBNN_IO_OK) {
        gzclose(g);
        if (rc == FBNN_IO_ERR_TRUNCATED && got == 0 && strcmp(why, "end of file") == 0)
            return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_FORMAT, "%s: empty file, not an %s", path,
                           what);
        if (rc == FBNN_IO_ERR_TRUNCATED)
            return fbnn_io_set_err(err, err_size, rc, "%s: truncated %s header (%lu of %lu bytes: %s)",
                           path, what, (unsigned long)got, (unsigned long)hdr_bytes, why);
        return fbnn_io_set_err(err, err_size, rc, "%s: cannot read %s header: %s", path, what,
                       why);
    }
    m = be32(hdr);
    if (m != magic) {
        gzclose(g);
        if ((m & 0xFFFF0000u) == 0 && (m & 0xFFu) == ndim && ((m >> 8) & 0xFFu) != 0x08)
            return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_FORMAT,
                           "%s: IDX element type 0x%02x not supported (only unsigned bytes, 0x08)",
                           path, (unsigned)((m >> 8) & 0xFFu));
        return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_FORMAT,
                       "%s: bad magic 0x%08lx, expected 0x%08lx (%s)", path, (unsigned long)m,
                       (unsigned long)magic, what);
    }
    for (i = 0; i < ndim; i++) {
        dims[i] = be32(hdr + 4 + 4 * i);
        if (dims[i] == 0 || (i > 0 && dims[i] > FBNN_IDX_MAX_DIM)) {
            gzclose(g);
            return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_SIZE,
                           "%s: invalid dimension %lu = %lu in the %s header", path,
                           (unsigned long)i, (unsigned long)dims[i], what);
        }
        if (total > SIZE_MAX / dims[i]) {
            gzclose(g);
            return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_SIZE, "%s: %s too large for memory", path,
                           what);
        }
        total *= dims[i];
    }

    /* Read the data, growing the buffer as data actually arrives. */
    cap = total < (1u << 20) ? total : (1u << 20);
    for (;;) {
        uint8_t *nb = (uint8_t *)realloc(buf, cap);
        if (!nb) {
            free(buf);
            gzclose(g);
            return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_NOMEM, "%s: out of memory (%lu bytes)", path,
                           (unsigned long)cap);
        }
        buf = nb;
        rc = gz_read_exact(g, buf + have, cap - have, &got, why, sizeof why);
        have += got;
        if (rc != FBNN_IO_OK) {
            free(buf);
            gzclose(g);
            if (rc == FBNN_IO_ERR_TRUNCATED)
                return fbnn_io_set_err(err, err_size, rc,
                               "%s: truncated %s: header declares %lu data bytes, only %lu present (%s)",
                               path, what, (unsigned long)total, (unsigned long)have, why);
            return fbnn_io_set_err(err, err_size, rc, "%s: cannot read %s data: %s", path, what,
                           why);
        }
        if (have == total)
            break;
        cap = (cap > total / 2) ? total : cap * 2;
    }

    /* Nothing may follow the declared data. */
    {
        uint8_t extra;
        int r = gzread(g, &extra, 1), errnum = 0;
        const char *msg = gzerror(g, &errnum);
        if (r != 0 || errnum != Z_OK) {
            copy_why(why, sizeof why, msg);
            free(buf);
            gzclose(g);
            if (r > 0)
                return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_SIZE,
                               "%s: %s has more data than its header declares (%lu bytes)", path,
                               what, (unsigned long)total);
            return fbnn_io_set_err(err, err_size,
                           errnum == Z_BUF_ERROR ? FBNN_IO_ERR_TRUNCATED
                           : errnum == Z_ERRNO   ? FBNN_IO_ERR_READ
                                                 : FBNN_IO_ERR_CORRUPT,
                           "%s: damaged end of %s: %s", path, what, why);
        }
    }
    gzclose(g);
    *data = buf;
    return FBNN_IO_OK;
}

int fbnn_idx_load_images(const char *path, uint32_t *count, uint32_t *height, uint32_t *width,
                         uint8_t **pixels, char *err, size_t err_size)
{
    uint32_t dims[3];
    int rc;

    clear_err(err, err_size);
    if (pixels)
        *pixels = NULL;
    if (!path || !count || !height || !width || !pixels)
        return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_ARG, "fbnn_idx_load_images: NULL argument");
    *count = *height = *width = 0;
    rc = idx_load(path, FBNN_IDX_IMAGES_MAGIC, 3, dims, pixels, err, err_size);
    if (rc != FBNN_IO_OK)
        return rc;
    *count = dims[0];
    *height = dims[1];
    *width = dims[2];
    return FBNN_IO_OK;
}

int fbnn_idx_load_labels(const char *path, uint32_t *count, uint8_t **labels, char *err,
                         size_t err_size)
{
    uint32_t dims[1];
    int rc;

    clear_err(err, err_size);
    if (labels)
        *labels = NULL;
    if (!path || !count || !labels)
        return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_ARG, "fbnn_idx_load_labels: NULL argument");
    *count = 0;
    rc = idx_load(path, FBNN_IDX_LABELS_MAGIC, 1, dims, labels, err, err_size);
    if (rc != FBNN_IO_OK)
        return rc;
    *count = dims[0];
    return FBNN_IO_OK;
}

int fbnn_dataset_load_idx(const char *images_path, const char *labels_path, fbnn_dataset *ds,
                          char *err, size_t err_size)
{
    uint32_t n, h, w, nl;
    int rc;

    clear_err(err, err_size);
    if (ds)
        memset(ds, 0, sizeof *ds);
    if (!images_path || !ds)
        return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_ARG, "fbnn_dataset_load_idx: NULL argument");
    rc = fbnn_idx_load_images(images_path, &n, &h, &w, &ds->pixels, err, err_size);
    if (rc != FBNN_IO_OK)
        return rc;
    if (labels_path) {
        rc = fbnn_idx_load_labels(labels_path, &nl, &ds->labels, err, err_size);
        if (rc != FBNN_IO_OK) {
            fbnn_dataset_free(ds);
            return rc;
        }
        if (nl != n) {
            fbnn_dataset_free(ds);
            return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_MISMATCH,
                           "%s has %lu images but %s has %lu labels", images_path,
                           (unsigned long)n, labels_path, (unsigned long)nl);
        }
    }
    ds->count = n;
    ds->channels = 1;
    ds->height = h;
    ds->width = w;
    return FBNN_IO_OK;
}

void fbnn_dataset_free(fbnn_dataset *ds)
{
    if (!ds)
        return;
    free(ds->pixels);
    free(ds->labels);
    memset(ds, 0, sizeof *ds);
}
