/*
 * image_io.c - JPEG/PNG loading (see image_io.h); the conversion to a model
 * input is in image_to_input.c.
 *
 * JPEG decoding uses stb_image compiled into stb_jpeg.c (JPEG only, memory
 * input only), so there is no runtime dependency on libstb.so.
 */
#include "image_io.h"
#include "io_err.h"

#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

#include "stb_jpeg.h"

/* ---- helpers ------------------------------------------------------------ */


static uint32_t be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

/* Read a whole file into a malloc'ed buffer (regular files, pipes, ...). */
static int read_whole_file(const char *path, size_t max_bytes, uint8_t **out, size_t *out_size,
                           char *err, size_t err_size)
{
    FILE *f;
    uint8_t *buf = NULL;
    size_t cap = 0, len = 0;

    *out = NULL;
    *out_size = 0;
    errno = 0;
    f = fopen(path, "rb");
    if (!f)
        return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_OPEN, "%s: cannot open: %s", path,
                       errno ? strerror(errno) : "unknown error");
    for (;;) {
        size_t got;
        if (len == cap) {
            size_t ncap = cap ? cap * 2 : 65536;
            uint8_t *nb;
            if (cap >= max_bytes + 1)
                break; /* over the limit: reported below */
            if (ncap > max_bytes + 1)
                ncap = max_bytes + 1;
            nb = (uint8_t *)realloc(buf, ncap);
            if (!nb) {
                free(buf);
                fclose(f);
                return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_NOMEM, "%s: out of memory reading the file",
                               path);
            }
            buf = nb;
            cap = ncap;
        }
        errno = 0;
        got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0 || len < cap) {
            if (ferror(f)) {
                int e = errno;
                free(buf);
                fclose(f);
                return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_READ, "%s: read error: %s", path,
                               e ? strerror(e) : "unknown error");
            }
            if (feof(f))
                break;
        }
    }
    fclose(f);
    if (len > max_bytes) {
        free(buf);
        if (max_bytes < FBNN_IMAGE_MAX_FILE_BYTES)
            return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_LIMIT,
                                   "%s: file larger than the limit of %lu bytes", path,
                                   (unsigned long)max_bytes);
        return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_SIZE, "%s: file larger than %u MiB", path,
                       (unsigned)(FBNN_IMAGE_MAX_FILE_BYTES >> 20));
    }
    *out = buf;
    *out_size = len;
    return FBNN_IO_OK;
}

/* ---- JPEG ---------------------------------------------------------------- */

/*
 * Walk the JPEG marker structure from just after SOI until EOI.
 * Returns FBNN_IO_OK if EOI is reached, FBNN_IO_ERR_TRUNCATED if the data
 * ends first, FBNN_IO_ERR_CORRUPT for an impossible segment length.
 */
static int jpeg_check_structure(const uint8_t *d, size_t n, const char **why, uint32_t *w,
                                uint32_t *h, size_t *scan_bytes)
{
    size_t p = 2, scan_start;
    *w = *h = 0;
    *scan_bytes = 0;
    for (;;) {
        const uint8_t *ff;
        unsigned m;
        size_t len;

        /* Find the next 0xFF (stray bytes are skipped, like libjpeg does),
           then skip fill bytes. */
        if (p >= n) {
            *why = "no EOI marker";
            return FBNN_IO_ERR_TRUNCATED;
        }
        ff = (const uint8_t *)memchr(d + p, 0xFF, n - p);
        if (!ff) {
            *why = "no EOI marker";
            return FBNN_IO_ERR_TRUNCATED;
        }
        p = (size_t)(ff - d);
        while (p < n && d[p] == 0xFF)
            p++;
        if (p >= n) {
            *why = "no EOI marker";
            return FBNN_IO_ERR_TRUNCATED;
        }
        m = d[p++];
        if (m == 0xD9)
            return FBNN_IO_OK; /* EOI: anything after it is ignored */
        if (m == 0x00 || m == 0x01 || m == 0xD8 || (m >= 0xD0 && m <= 0xD7))
            continue; /* no length field */
        if (n - p < 2) {
            *why = "segment header cut off";
            return FBNN_IO_ERR_TRUNCATED;
        }
        len = ((size_t)d[p] << 8) | d[p + 1];
        if (len < 2) {
            *why = "invalid segment length";
            return FBNN_IO_ERR_CORRUPT;
        }
        if (n - p < len) {
            *why = "segment cut off";
            return FBNN_IO_ERR_TRUNCATED;
        }
        /* DHT: each table has at most 256 codes. stb_image 2.27 does not
           check this and writes past its tables, so reject it here. */
        if (m == 0xC4) {
            size_t q = p + 2, end = p + len;
            while (q < end) {
                size_t codes = 0, i;
                if (end - q < 17 || (d[q] >> 4) > 1 || (d[q] & 15) > 3) {
                    *why = "invalid Huffman table";
                    return FBNN_IO_ERR_CORRUPT;
                }
                for (i = 1; i <= 16; i++)
                    codes += d[q + i];
                if (codes > 256 || end - q - 17 < codes) {
                    *why = "invalid Huffman table";
                    return FBNN_IO_ERR_CORRUPT;
                }
                q += 17 + codes;
            }
        }
        /* SOFn (not DHT C4, JPG C8, DAC CC): precision, height, width */
        if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC && len >= 7 &&
            *w == 0 && *h == 0) {
            *h = ((uint32_t)d[p + 3] << 8) | d[p + 4];
            *w = ((uint32_t)d[p + 5] << 8) | d[p + 6];
        }
        p += len;
        if (m == 0xDA) {
            /* Entropy-coded data: runs until a marker other than RSTn;
               0xFF 0x00 is a stuffed data byte, 0xFF 0xFF a fill byte. */
            scan_start = p;
            for (;;) {
                if (p >= n) {
                    *why = "scan data cut off, no EOI marker";
                    return FBNN_IO_ERR_TRUNCATED;
                }
                ff = (const uint8_t *)memchr(d + p, 0xFF, n - p);
                if (!ff) {
                    *why = "scan data cut off, no EOI marker";
                    return FBNN_IO_ERR_TRUNCATED;
                }
                p = (size_t)(ff - d);
                if (p + 1 >= n) {
                    *why = "scan data cut off, no EOI marker";
                    return FBNN_IO_ERR_TRUNCATED;
                }
                m = d[p + 1];
                if (m == 0x00 || (m >= 0xD0 && m <= 0xD7))
                    p += 2;
                else if (m == 0xFF)
                    p += 1;
                else
                    break; /* a real marker starts at p */
            }
            *scan_bytes += p - scan_start;
        }
    }
}

/* FBNN_IO_ERR_LIMIT if w*h exceeds the caller's pixel cap, else FBNN_IO_OK. */
static int check_pixels(const fbnn_image_limits *lim, uint32_t w, uint32_t h, const char *fmt,
                        const char *name, char *err, size_t err_size)
{
    if ((uint64_t)w * h <= lim->max_pixels)
        return FBNN_IO_OK;
    return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_LIMIT,
                           "%s: %s is %lux%lu = %llu pixels, over the limit of %llu pixels", name, fmt,
                           (unsigned long)w, (unsigned long)h, (unsigned long long)w * h,
                           (unsigned long long)lim->max_pixels);
}

static int decode_jpeg(const uint8_t *d, size_t n, const char *name, const fbnn_image_limits *lim,
                       fbnn_image *img, char *err, size_t err_size)
{
    const char *why = NULL;
    int w = 0, h = 0, comp = 0, want;
    uint32_t sof_w, sof_h;
    size_t scan_bytes;
    int rc = jpeg_check_structure(d, n, &why, &sof_w, &sof_h, &scan_bytes);
    unsigned char *px;

    if (rc == FBNN_IO_ERR_TRUNCATED)
        return fbnn_io_set_err(err, err_size, rc, "%s: truncated JPEG (%s)", name, why);
    if (rc != FBNN_IO_OK)
        return fbnn_io_set_err(err, err_size, rc, "%s: corrupt JPEG (%s)", name, why);
    if (sof_w > FBNN_IMAGE_MAX_DIM || sof_h > FBNN_IMAGE_MAX_DIM)
        return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_SIZE,
                       "%s: JPEG is %lux%lu, larger than the limit of %u pixels per side", name,
                       (unsigned long)sof_w, (unsigned long)sof_h, (unsigned)FBNN_IMAGE_MAX_DIM);
    if ((rc = check_pixels(lim, sof_w, sof_h, "JPEG", name, err, err_size)) != FBNN_IO_OK)
        return rc;
    /* Every component is Huffman-coded with >= 1 bit per 8x8 block (DC
     * code) and is subsampled at most 4x per axis, so the scans of a real
     * image hold >= ceil(w/32)*ceil(h/32) bits. stb_image would otherwise
     * allocate and walk the whole declared image (seconds for a 382-byte
     * file declaring 12044x4112) before noticing the data is missing. */
    if ((uint64_t)scan_bytes * 8u < (uint64_t)((sof_w + 31u) / 32u) * ((sof_h + 31u) / 32u))
        return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_TRUNCATED,
                               "%s: truncated JPEG (%lu bytes of scan data cannot code %lux%lu pixels)",
                               name, (unsigned long)scan_bytes, (unsigned long)sof_w,
                               (unsigned long)sof_h);
    if (n > (size_t)INT_MAX)
        return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_SIZE, "%s: JPEG file too large", name);
    if (!fbnn_stb_jpeg_info(d, (int)n, &w, &h, &comp)) {
        const char *r = fbnn_stb_jpeg_failure();
        if (r && strcmp(r, "too large") == 0)
            return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_SIZE,
                           "%s: JPEG dimensions larger than %u pixels", name,
                           (unsigned)FBNN_IMAGE_MAX_DIM);
        return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_CORRUPT, "%s: corrupt JPEG (%s)", name,
                       r ? r : "header not understood");
    }
    if (w <= 0 || h <= 0)
        return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_SIZE, "%s: JPEG has zero width or height", name);
    if ((unsigned)w > FBNN_IMAGE_MAX_DIM || (unsigned)h > FBNN_IMAGE_MAX_DIM)
        return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_SIZE,
                       "%s: JPEG is %dx%d, larger than the limit of %u pixels per side", name, w, h,
                       (unsigned)FBNN_IMAGE_MAX_DIM);
    want = comp == 1 ? 1 : 3;
    px = fbnn_stb_jpeg_load(d, (int)n, &w, &h, &comp, want);
    if (!px) {
        const char *r = fbnn_stb_jpeg_failure();
        if (r && strcmp(r, "outofmem") == 0)
            return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_NOMEM, "%s: out of memory decoding JPEG",
                           name);
        return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_CORRUPT, "%s: corrupt JPEG (%s)", name,
                       r ? r : "decoder error");
    }
    img->width = (uint32_t)w;
    img->height = (uint32_t)h;
    img->channels = (uint32_t)want;
    img->pixels = px;
    return FBNN_IO_OK;
}

/* ---- PNG ----------------------------------------------------------------- */

typedef struct png_job {
    png_structp png;
    png_infop info;
    const uint8_t *data;
    size_t size, pos;
    int code;          /* status to report when libpng jumps back */
    char msg[192];     /* libpng's or our message */
    uint8_t *pixels;   /* decoded image (owned until handed over) */
    png_bytep *rows;
    uint32_t width, height, channels;
} png_job;

static void png_job_error(png_structp png, png_const_charp msg)
{
    png_job *job = (png_job *)png_get_error_ptr(png);
    if (job->code == FBNN_IO_OK)
        job->code = FBNN_IO_ERR_CORRUPT;
    if (job->msg[0] == '\0')
        snprintf(job->msg, sizeof job->msg, "%s", msg ? msg : "libpng error");
    png_longjmp(png, 1);
}

static void png_job_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg; /* warnings (bad ancillary chunks, ...) are not fatal */
}

static void png_job_read(png_structp png, png_bytep out, size_t len)
{
    png_job *job = (png_job *)png_get_io_ptr(png);
    if (len > job->size - job->pos) {
        job->code = FBNN_IO_ERR_TRUNCATED;
        snprintf(job->msg, sizeof job->msg, "file ends after %lu bytes",
                 (unsigned long)job->size);
        png_error(png, job->msg);
    }
    memcpy(out, job->data + job->pos, len);
    job->pos += len;
}

static void png_job_fail(png_job *job, int code, const char *msg)
{
    job->code = code;
    snprintf(job->msg, sizeof job->msg, "%s", msg);
    png_longjmp(job->png, 1);
}

/* All state lives in *job (not in locals of this function), so nothing is
   indeterminate after a longjmp back into the setjmp below. */
static int png_job_run(png_job *job)
{
    if (setjmp(png_jmpbuf(job->png)))
        return 1;
    {
        png_uint_32 w, h, y;
        int depth, ctype;
        size_t rowbytes, in_ch, out_ch, npx, k;

        png_set_read_fn(job->png, job, png_job_read);
        png_read_info(job->png, job->info);
        w = png_get_image_width(job->png, job->info);
        h = png_get_image_height(job->png, job->info);
        if (w == 0 || h == 0)
            png_job_fail(job, FBNN_IO_ERR_SIZE, "zero width or height");
        if (w > FBNN_IMAGE_MAX_DIM || h > FBNN_IMAGE_MAX_DIM)
            png_job_fail(job, FBNN_IO_ERR_SIZE, "image larger than the per-side limit");
        depth = png_get_bit_depth(job->png, job->info);
        ctype = png_get_color_type(job->png, job->info);
        if (ctype == PNG_COLOR_TYPE_PALETTE)
            png_set_palette_to_rgb(job->png);
        if (ctype == PNG_COLOR_TYPE_GRAY && depth < 8)
            png_set_expand_gray_1_2_4_to_8(job->png);
        if (png_get_valid(job->png, job->info, PNG_INFO_tRNS))
            png_set_tRNS_to_alpha(job->png);
        if (depth == 16)
            png_set_scale_16(job->png);
        (void)png_set_interlace_handling(job->png);
        png_read_update_info(job->png, job->info);

        in_ch = png_get_channels(job->png, job->info);
        rowbytes = png_get_rowbytes(job->png, job->info);
        if (in_ch < 1 || in_ch > 4 || png_get_bit_depth(job->png, job->info) != 8 ||
            rowbytes != (size_t)w * in_ch)
            png_job_fail(job, FBNN_IO_ERR_CORRUPT, "unexpected pixel layout after conversion");
        out_ch = in_ch >= 3 ? 3 : 1;

        job->pixels = (uint8_t *)malloc(rowbytes * h);
        job->rows = (png_bytep *)malloc(sizeof(png_bytep) * h);
        if (!job->pixels || !job->rows)
            png_job_fail(job, FBNN_IO_ERR_NOMEM, "out of memory");
        for (y = 0; y < h; y++)
            job->rows[y] = job->pixels + (size_t)y * rowbytes;
        png_read_image(job->png, job->rows);
        png_read_end(job->png, NULL); /* requires the rest of the file up to IEND */

        /* Composite alpha over white, compacting in place (the output
           offset of pixel k never passes the input offset of pixel k+1). */
        if (in_ch == 2 || in_ch == 4) {
            uint8_t *px = job->pixels;
            size_t c;
            npx = (size_t)w * h;
            for (k = 0; k < npx; k++) {
                const uint8_t *s = px + k * in_ch;
                uint8_t *dpx = px + k * out_ch;
                unsigned a = s[in_ch - 1];
                for (c = 0; c < out_ch; c++)
                    dpx[c] = (uint8_t)((s[c] * a + 255u * (255u - a) + 127u) / 255u);
            }
            {
                uint8_t *shrunk = (uint8_t *)realloc(px, npx * out_ch);
                if (shrunk)
                    job->pixels = shrunk;
            }
        }
        job->width = w;
        job->height = h;
        job->channels = (uint32_t)out_ch;
    }
    return 0;
}

/* Sum of the IDAT chunk lengths up to IEND or the end of the data. */
static uint64_t png_idat_bytes(const uint8_t *d, size_t n)
{
    uint64_t sum = 0;
    size_t p = 8;
    while (n - p >= 12) {
        uint32_t len = be32(d + p);
        if (memcmp(d + p + 4, "IDAT", 4) == 0)
            sum += len;
        if (memcmp(d + p + 4, "IEND", 4) == 0 || len > n - p - 12)
            break;
        p += 12 + (size_t)len;
    }
    return sum;
}

static int decode_png(const uint8_t *d, size_t n, const char *name, const fbnn_image_limits *lim,
                      fbnn_image *img, char *err, size_t err_size)
{
    png_job job;
    int failed;

    /* Check the IHDR dimensions up front for a clear message. */
    if (n >= 24 && memcmp(d + 12, "IHDR", 4) == 0) {
        uint32_t w = be32(d + 16), h = be32(d + 20);
        if (w == 0 || h == 0)
            return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_SIZE, "%s: PNG has zero width or height",
                           name);
        if (w > FBNN_IMAGE_MAX_DIM || h > FBNN_IMAGE_MAX_DIM)
            return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_SIZE,
                           "%s: PNG is %lux%lu, larger than the limit of %u pixels per side", name,
                           (unsigned long)w, (unsigned long)h, (unsigned)FBNN_IMAGE_MAX_DIM);
        if ((failed = check_pixels(lim, w, h, "PNG", name, err, err_size)) != FBNN_IO_OK)
            return failed;
        /* Deflate expands at most 1032:1 and every pixel has >= 1 bit, so a
         * file whose IDAT data is too short is refused before libpng
         * allocates the declared rows (1 GiB for 16384x16384 RGBA). */
        if (png_idat_bytes(d, n) * 1032u + 1024u < (uint64_t)w * h / 8u)
            return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_TRUNCATED,
                                   "%s: truncated PNG (too little image data for %lux%lu pixels)",
                                   name, (unsigned long)w, (unsigned long)h);
    }

    memset(&job, 0, sizeof job);
    job.data = d;
    job.size = n;
    job.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &job, png_job_error, png_job_warning);
    if (!job.png)
        return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_NOMEM, "%s: cannot create PNG decoder", name);
    job.info = png_create_info_struct(job.png);
    if (!job.info) {
        png_destroy_read_struct(&job.png, NULL, NULL);
        return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_NOMEM, "%s: cannot create PNG decoder", name);
    }
    failed = png_job_run(&job);
    png_destroy_read_struct(&job.png, &job.info, NULL);
    free(job.rows);
    if (failed) {
        free(job.pixels);
        if (job.code == FBNN_IO_ERR_TRUNCATED)
            return fbnn_io_set_err(err, err_size, job.code, "%s: truncated PNG (%s)", name, job.msg);
        if (job.code == FBNN_IO_ERR_NOMEM)
            return fbnn_io_set_err(err, err_size, job.code, "%s: out of memory decoding PNG", name);
        if (job.code == FBNN_IO_ERR_SIZE)
            return fbnn_io_set_err(err, err_size, job.code, "%s: PNG %s", name, job.msg);
        return fbnn_io_set_err(err, err_size, job.code == FBNN_IO_OK ? FBNN_IO_ERR_CORRUPT : job.code,
                       "%s: corrupt PNG (%s)", name, job.msg);
    }
    img->width = job.width;
    img->height = job.height;
    img->channels = job.channels;
    img->pixels = job.pixels;
    return FBNN_IO_OK;
}

/* ---- public: loading ------------------------------------------------------ */

static const uint8_t PNG_SIG[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};

/* Limits with the defaults filled in. */
static fbnn_image_limits resolve_limits(const fbnn_image_limits *in)
{
    fbnn_image_limits l = {FBNN_IMAGE_DEFAULT_MAX_PIXELS, FBNN_IMAGE_MAX_FILE_BYTES};
    if (in && in->max_pixels)
        l.max_pixels = in->max_pixels;
    if (in && in->max_file_bytes && in->max_file_bytes < l.max_file_bytes)
        l.max_file_bytes = in->max_file_bytes;
    return l;
}

int fbnn_image_load_memory(const void *data, size_t size, const char *name, fbnn_image *img,
                           char *err, size_t err_size)
{
    return fbnn_image_load_memory_ex(data, size, name, NULL, img, err, err_size);
}

int fbnn_image_load_memory_ex(const void *data, size_t size, const char *name,
                              const fbnn_image_limits *limits, fbnn_image *img, char *err,
                              size_t err_size)
{
    const uint8_t *d = (const uint8_t *)data;
    fbnn_image_limits lim = resolve_limits(limits);
    if (err && err_size)
        err[0] = '\0';
    if (!name)
        name = "image";
    if (!img)
        return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_ARG, "%s: no output image", name);
    memset(img, 0, sizeof *img);
    if (!d && size)
        return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_ARG, "%s: NULL data", name);
    if (size == 0)
        return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_FORMAT, "%s: empty file", name);
    if (size > lim.max_file_bytes)
        return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_LIMIT,
                               "%s: %lu bytes, over the file size limit of %lu bytes", name,
                               (unsigned long)size, (unsigned long)lim.max_file_bytes);
    if (size >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF)
        return decode_jpeg(d, size, name, &lim, img, err, err_size);
    if (size >= 8 && memcmp(d, PNG_SIG, 8) == 0)
        return decode_png(d, size, name, &lim, img, err, err_size);
    {
        /* A file that is only the start of a signature was cut off. */
        static const uint8_t JPEG_SIG[3] = {0xFF, 0xD8, 0xFF};
        if ((size < 8 && memcmp(d, PNG_SIG, size) == 0) ||
            (size < 3 && memcmp(d, JPEG_SIG, size) == 0))
            return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_TRUNCATED,
                           "%s: truncated image file (%lu bytes)", name, (unsigned long)size);
    }
    return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_FORMAT,
                   "%s: unknown image format (only JPEG and PNG are supported)", name);
}

int fbnn_image_load(const char *path, fbnn_image *img, char *err, size_t err_size)
{
    return fbnn_image_load_ex(path, NULL, img, err, err_size);
}

int fbnn_image_load_ex(const char *path, const fbnn_image_limits *limits, fbnn_image *img,
                       char *err, size_t err_size)
{
    uint8_t *buf;
    size_t size;
    int rc;
    fbnn_image_limits lim = resolve_limits(limits);

    if (err && err_size)
        err[0] = '\0';
    if (img)
        memset(img, 0, sizeof *img);
    if (!path || !img)
        return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_ARG, "fbnn_image_load: NULL argument");
    rc = read_whole_file(path, lim.max_file_bytes, &buf, &size, err, err_size);
    if (rc != FBNN_IO_OK)
        return rc;
    rc = fbnn_image_load_memory_ex(buf, size, path, &lim, img, err, err_size);
    free(buf);
    return rc;
}

void fbnn_image_free(fbnn_image *img)
{
    if (!img)
        return;
    free(img->pixels);
    memset(img, 0, sizeof *img);
}
