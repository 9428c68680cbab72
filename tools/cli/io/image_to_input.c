/*
 * image_to_input.c - a decoded image to a model input (see image_io.h):
 * resampled per axis (area average when shrinking, bilinear when growing),
 * channels converted and optionally inverted, into a uint8 [C][H][W]
 * buffer. Split from image_io.c, which decodes the files.
 */
#include "image_io.h"
#include "io_err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Resampling weights of one axis: output i = sum_t w[off[i]+t] * src[start[i]+t]. */
typedef struct axis_weights {
    uint32_t *start;
    uint32_t *count;
    size_t *off;
    double *w;
} axis_weights;

static void axis_free(axis_weights *a)
{
    free(a->start);
    free(a->count);
    free(a->off);
    free(a->w);
}

/*
 * n outputs from m source pixels; output pixel i covers [o+i, o+i+1) in the
 * scaled space, i.e. [(o+i)/s, (o+i+1)/s) in the source.
 * s <= 1: area average (box); s > 1: bilinear.
 */
static int axis_build(uint32_t n, uint32_t m, double s, double o, axis_weights *a)
{
    size_t per, total = 0;
    uint32_t i;

    memset(a, 0, sizeof *a);
    if (s <= 1.0) {
        double span = 1.0 / s;
        if (span > (double)m + 2.0)
            span = (double)m + 2.0;
        per = (size_t)ceil(span) + 2;
    } else {
        per = 2;
    }
    a->start = (uint32_t *)malloc(sizeof(uint32_t) * n);
    a->count = (uint32_t *)malloc(sizeof(uint32_t) * n);
    a->off = (size_t *)malloc(sizeof(size_t) * n);
    a->w = (double *)malloc(sizeof(double) * per * n);
    if (!a->start || !a->count || !a->off || !a->w) {
        axis_free(a);
        return FBNN_IO_ERR_NOMEM;
    }
    for (i = 0; i < n; i++) {
        double *w = a->w + total;
        uint32_t cnt = 0, j0;
        if (s <= 1.0) {
            double lo = (o + i) / s, hi = (o + i + 1.0) / s, sum = 0.0;
            uint32_t j, j1;
            if (lo < 0.0)
                lo = 0.0;
            if (hi > (double)m)
                hi = (double)m;
            if (hi - lo < 1e-9) { /* degenerate (cannot happen for valid input): nearest */
                double c = lo < (double)m ? lo : (double)m - 0.5;
                j0 = (uint32_t)c;
                if (j0 >= m)
                    j0 = m - 1;
                w[0] = 1.0;
                cnt = 1;
            } else {
                j0 = (uint32_t)floor(lo);
                j1 = (uint32_t)ceil(hi);
                if (j1 > m)
                    j1 = m;
                /* drop slivers caused by rounding of the interval ends */
                while (j0 + 1 < j1 && (double)(j0 + 1) - lo < 1e-9)
                    j0++;
                while (j1 - 1 > j0 && hi - (double)(j1 - 1) < 1e-9)
                    j1--;
                for (j = j0; j < j1 && cnt < per; j++) {
                    double a0 = lo > (double)j ? lo : (double)j;
                    double b0 = hi < (double)j + 1.0 ? hi : (double)j + 1.0;
                    double cov = b0 - a0;
                    if (cov < 0.0)
                        cov = 0.0;
                    w[cnt++] = cov;
                    sum += cov;
                }
                if (sum > 0.0) {
                    for (j = 0; j < cnt; j++)
                        w[j] /= sum;
                } else {
                    w[0] = 1.0;
                    cnt = 1;
                }
            }
        } else {
            double c = (o + i + 0.5) / s - 0.5, f;
            double fl = floor(c);
            if (fl < 0.0) {
                j0 = 0;
                w[0] = 1.0;
                cnt = 1;
            } else if (fl >= (double)(m - 1)) {
                j0 = m - 1;
                w[0] = 1.0;
                cnt = 1;
            } else {
                j0 = (uint32_t)fl;
                f = c - fl;
                w[0] = 1.0 - f;
                w[1] = f;
                cnt = 2;
            }
        }
        a->start[i] = j0;
        a->count[i] = cnt;
        a->off[i] = total;
        total += cnt;
    }
    return FBNN_IO_OK;
}

int fbnn_image_to_input(const fbnn_image *img, uint32_t C, uint32_t H, uint32_t W,
                        uint32_t resize_mode, uint32_t invert, uint8_t *out_chw, char *err,
                        size_t err_size)
{
    axis_weights ax, ay;
    double sx, sy, ox = 0.0, oy = 0.0;
    uint32_t sw, sh, sc, K, x, y, j, jlo, jhi, k;
    double *tmp = NULL;
    uint8_t *rowbuf = NULL;
    size_t rows, plane;
    int rc;

    if (err && err_size)
        err[0] = '\0';
    if (!img || !out_chw)
        return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_ARG, "fbnn_image_to_input: NULL argument");
    if (!img->pixels || img->width == 0 || img->height == 0 || img->width > FBNN_IMAGE_MAX_DIM ||
        img->height > FBNN_IMAGE_MAX_DIM || (img->channels != 1 && img->channels != 3))
        return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_ARG,
                       "invalid source image (%lux%lu, %lu channels)", (unsigned long)img->width,
                       (unsigned long)img->height, (unsigned long)img->channels);
    if (C != 1 && C != 3)
        return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_ARG, "model input must have 1 or 3 channels, not %lu",
                       (unsigned long)C);
    if (H == 0 || W == 0 || H > FBNN_IMAGE_MAX_DIM || W > FBNN_IMAGE_MAX_DIM)
        return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_ARG, "invalid model input size %lux%lu",
                       (unsigned long)W, (unsigned long)H);
    if (resize_mode > 2)
        return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_ARG, "unknown resize mode %lu",
                       (unsigned long)resize_mode);

    sw = img->width;
    sh = img->height;
    sc = img->channels;
    K = (C == 1) ? 1 : sc; /* channels carried through the resampling */

    if (resize_mode == 0 || resize_mode == 2) {
        double s1 = (double)W / sw, s2 = (double)H / sh;
        double s = s1 > s2 ? s1 : s2;
        if (resize_mode == 2)
            s *= 8.0 / 7.0; /* ImageNet evaluation: shorter side 256 for a 224 crop */
        sx = sy = s;
        ox = ((double)sw * s - W) / 2.0;
        oy = ((double)sh * s - H) / 2.0;
        if (ox < 1e-9)
            ox = 0.0;
        if (oy < 1e-9)
            oy = 0.0;
    } else {
        sx = (double)W / sw;
        sy = (double)H / sh;
    }

    if ((rc = axis_build(W, sw, sx, ox, &ax)) != FBNN_IO_OK)
        return fbnn_io_set_err(err, err_size, rc, "out of memory resizing the image");
    if ((rc = axis_build(H, sh, sy, oy, &ay)) != FBNN_IO_OK) {
        axis_free(&ax);
        return fbnn_io_set_err(err, err_size, rc, "out of memory resizing the image");
    }

    /* Source rows that contribute to the output. */
    jlo = ay.start[0];
    jhi = 0;
    for (y = 0; y < H; y++) {
        if (ay.start[y] < jlo)
            jlo = ay.start[y];
        if (ay.start[y] + ay.count[y] > jhi)
            jhi = ay.start[y] + ay.count[y];
    }
    rows = (size_t)(jhi - jlo);
    plane = (size_t)H * W;
    tmp = (double *)malloc(sizeof(double) * rows * W * K);
    rowbuf = (uint8_t *)malloc((size_t)sw * K);
    if (!tmp || !rowbuf) {
        free(tmp);
        free(rowbuf);
        axis_free(&ax);
        axis_free(&ay);
        return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_NOMEM, "out of memory resizing the image");
    }

    /* Pass 1: horizontal resampling of each contributing row. */
    for (j = jlo; j < jhi; j++) {
        const uint8_t *src = img->pixels + (size_t)j * sw * sc;
        const uint8_t *row = src;
        double *t = tmp + (size_t)(j - jlo) * W * K;
        if (K == 1 && sc == 3) {
            for (x = 0; x < sw; x++) {
                const uint8_t *p = src + (size_t)x * 3;
                rowbuf[x] = (uint8_t)((77u * p[0] + 150u * p[1] + 29u * p[2] + 128u) >> 8);
            }
            row = rowbuf;
        }
        for (x = 0; x < W; x++) {
            const double *w = ax.w + ax.off[x];
            const uint8_t *p = row + (size_t)ax.start[x] * K;
            uint32_t t_, cnt = ax.count[x];
            for (k = 0; k < K; k++) {
                double acc = 0.0;
                for (t_ = 0; t_ < cnt; t_++)
                    acc += w[t_] * p[(size_t)t_ * K + k];
                t[(size_t)x * K + k] = acc;
            }
        }
    }

    /* Pass 2: vertical resampling, rounding, channel replication, invert, planar. */
    for (y = 0; y < H; y++) {
        const double *w = ay.w + ay.off[y];
        uint32_t t_, cnt = ay.count[y];
        const double *base = tmp + (size_t)(ay.start[y] - jlo) * W * K;
        for (x = 0; x < W; x++) {
            for (k = 0; k < K; k++) {
                double acc = 0.0;
                long v;
                uint8_t u;
                for (t_ = 0; t_ < cnt; t_++)
                    acc += w[t_] * base[(size_t)t_ * W * K + (size_t)x * K + k];
                v = (long)floor(acc + 0.5);
                if (v < 0)
                    v = 0;
                if (v > 255)
                    v = 255;
                u = (uint8_t)(invert ? 255 - v : v);
                if (K == C) {
                    out_chw[(size_t)k * plane + (size_t)y * W + x] = u;
                } else { /* grey source, RGB model: replicate */
                    uint32_t c;
                    for (c = 0; c < C; c++)
                        out_chw[(size_t)c * plane + (size_t)y * W + x] = u;
                }
            }
        }
    }

    free(tmp);
    free(rowbuf);
    axis_free(&ax);
    axis_free(&ay);
    return FBNN_IO_OK;
}
