/**
 * @file png_write.c
 * @brief RGB canvas, bitmap text and PNG output (see png_write.h).
 */
#include "png_write.h"

#include <errno.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "font5x7.h"
#include "io_err.h"
#include "io_status.h"

#define CANVAS_MAX_DIM 16384u

int fbnn_canvas_init(fbnn_canvas *c, uint32_t width, uint32_t height, fbnn_rgb background)
{
    size_t i, n;
    if (!c) return FBNN_IO_ERR_ARG;
    memset(c, 0, sizeof *c);
    if (width == 0 || height == 0 || width > CANVAS_MAX_DIM || height > CANVAS_MAX_DIM) return FBNN_IO_ERR_ARG;
    n = (size_t)width * height;
    c->rgb = (uint8_t *)malloc(n * 3u);
    if (!c->rgb) return FBNN_IO_ERR_NOMEM;
    c->width = width;
    c->height = height;
    for (i = 0; i < n; i++) {
        c->rgb[3 * i] = background.r;
        c->rgb[3 * i + 1] = background.g;
        c->rgb[3 * i + 2] = background.b;
    }
    return FBNN_IO_OK;
}

void fbnn_canvas_free(fbnn_canvas *c)
{
    if (!c) return;
    free(c->rgb);
    memset(c, 0, sizeof *c);
}

void fbnn_canvas_fill_rect(fbnn_canvas *c, int x, int y, int w, int h, fbnn_rgb color)
{
    long x0 = x, y0 = y, x1 = (long)x + w, y1 = (long)y + h, xx, yy;
    if (!c || !c->rgb) return;
    if (x0 < 0) x0 = 0;
    if (y0 < 0) y0 = 0;
    if (x1 > (long)c->width) x1 = (long)c->width;
    if (y1 > (long)c->height) y1 = (long)c->height;
    for (yy = y0; yy < y1; yy++)
        for (xx = x0; xx < x1; xx++) {
            uint8_t *p = c->rgb + 3u * ((size_t)yy * c->width + (size_t)xx);
            p[0] = color.r;
            p[1] = color.g;
            p[2] = color.b;
        }
}

void fbnn_canvas_frame_rect(fbnn_canvas *c, int x, int y, int w, int h, fbnn_rgb color)
{
    if (w <= 0 || h <= 0) return;
    fbnn_canvas_fill_rect(c, x, y, w, 1, color);
    fbnn_canvas_fill_rect(c, x, y + h - 1, w, 1, color);
    fbnn_canvas_fill_rect(c, x, y, 1, h, color);
    fbnn_canvas_fill_rect(c, x + w - 1, y, 1, h, color);
}

int fbnn_text_width(const char *text, int scale)
{
    int best = 0, cur = 0;
    if (!text) return 0;
    if (scale < 1) scale = 1;
    for (; *text; text++) {
        if (*text == '\n') {
            cur = 0;
            continue;
        }
        cur++;
        if (cur > best) best = cur;
    }
    /* the last character has no trailing 1-pixel gap */
    return best ? (best * FBNN_FONT_ADVANCE - 1) * scale : 0;
}

int fbnn_canvas_text(fbnn_canvas *c, int x, int y, const char *text, int scale, fbnn_rgb color)
{
    int cx = x, cy = y;
    const char *s;
    if (!c || !text) return 0;
    if (scale < 1) scale = 1;
    for (s = text; *s; s++) {
        const char *g;
        int r, k;
        if (*s == '\n') {
            cx = x;
            cy += FBNN_FONT_HEIGHT * scale;
            continue;
        }
        g = fbnn_font5x7_glyph((unsigned char)*s);
        for (r = 0; r < 7; r++)
            for (k = 0; k < 5; k++)
                if (g[r * 5 + k] == '#') fbnn_canvas_fill_rect(c, cx + k * scale, cy + r * scale, scale, scale, color);
        cx += FBNN_FONT_ADVANCE * scale;
    }
    return fbnn_text_width(text, scale);
}

fbnn_rgb fbnn_heat_color(double t)
{
    /* white (255,255,255) -> dark blue (8,48,107): light for "few", dark for "many" */
    if (!(t > 0.0)) t = 0.0; /* also catches NaN */
    if (t > 1.0) t = 1.0;
    return fbnn_rgb_make((uint8_t)(255.0 + (8.0 - 255.0) * t + 0.5), (uint8_t)(255.0 + (48.0 - 255.0) * t + 0.5),
                         (uint8_t)(255.0 + (107.0 - 255.0) * t + 0.5));
}

fbnn_rgb fbnn_heat_text_color(double t)
{
    return t > 0.5 ? FBNN_RGB_WHITE : FBNN_RGB_BLACK;
}

typedef struct png_out {
    char *err;
    size_t err_size;
    int failed;
} png_out;

static void on_png_error(png_structp png, png_const_charp msg)
{
    png_out *o = (png_out *)png_get_error_ptr(png);
    if (o && !o->failed) {
        fbnn_io_set_err(o->err, o->err_size, FBNN_IO_ERR_READ, "PNG write failed: %s", msg);
        o->failed = 1;
    }
    png_longjmp(png, 1);
}

static void on_png_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

int fbnn_png_write_rgb(const char *path, uint32_t width, uint32_t height, const uint8_t *rgb, char *err,
                       size_t err_size)
{
    FILE *f;
    png_structp png;
    png_infop info = NULL;
    png_out o;
    volatile int rc = FBNN_IO_OK;
    uint32_t y;

    if (!path || !rgb || width == 0 || height == 0 || width > CANVAS_MAX_DIM || height > CANVAS_MAX_DIM)
        return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_ARG, "PNG write: invalid arguments");
    f = fopen(path, "wb");
    if (!f) return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_OPEN, "cannot write '%s': %s", path, strerror(errno));
    o.err = err;
    o.err_size = err_size;
    o.failed = 0;
    png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &o, on_png_error, on_png_warning);
    if (png) info = png_create_info_struct(png);
    if (!png || !info) {
        png_destroy_write_struct(&png, NULL);
        fclose(f);
        return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_NOMEM, "PNG write: out of memory");
    }
    if (setjmp(png_jmpbuf(png))) {
        rc = FBNN_IO_ERR_READ;
    } else {
        png_init_io(png, f);
        png_set_IHDR(png, info, width, height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
        png_write_info(png, info);
        for (y = 0; y < height; y++) png_write_row(png, (png_const_bytep)(rgb + (size_t)y * width * 3u));
        png_write_end(png, NULL);
    }
    png_destroy_write_struct(&png, &info);
    if (fclose(f) != 0 && rc == FBNN_IO_OK)
        rc = fbnn_io_set_err(err, err_size, FBNN_IO_ERR_READ, "write error on '%s'", path);
    return rc;
}

int fbnn_canvas_write_png(const fbnn_canvas *c, const char *path, char *err, size_t err_size)
{
    if (!c || !c->rgb) return fbnn_io_set_err(err, err_size, FBNN_IO_ERR_ARG, "PNG write: empty canvas");
    return fbnn_png_write_rgb(path, c->width, c->height, c->rgb, err, err_size);
}
