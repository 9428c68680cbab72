/**
 * @file png_write.h
 * @brief A tiny RGB canvas with rectangles and a built-in 5x7 bitmap font,
 *        written to PNG with libpng. For the CLI's pictures (confusion
 *        matrix, per-layer time chart); not part of libfracbnn itself.
 *
 * @code
 *   fbnn_canvas c; char err[256];
 *   if (fbnn_canvas_init(&c, 200, 100, FBNN_RGB_WHITE) != 0) return 1;
 *   fbnn_canvas_fill_rect(&c, 10, 10, 50, 20, fbnn_rgb_make(200, 0, 0));
 *   fbnn_canvas_text(&c, 10, 40, "LAYER 3: 12.5 MS", 2, FBNN_RGB_BLACK);
 *   if (fbnn_canvas_write_png(&c, "chart.png", err, sizeof err) != 0) puts(err);
 *   fbnn_canvas_free(&c);
 * @endcode
 *
 * Coordinates are pixels, (0,0) top left; everything is clipped to the
 * canvas, so callers never need bounds checks. The font covers digits,
 * A-Z, space and . , : ; % - + = / ( ) [ ] _ ' ? ! # < > * ; lower case is
 * drawn as upper case and any other byte as a hollow box. A glyph is 5x7
 * pixels in a 6x8 cell (FBNN_FONT_ADVANCE x FBNN_FONT_HEIGHT), times `scale`.
 */
#ifndef FBNN_PNG_WRITE_H
#define FBNN_PNG_WRITE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Horizontal advance of one character at scale 1 (5 pixels + 1 gap). */
#define FBNN_FONT_ADVANCE 6
/** Line height at scale 1 (7 pixels + 1 gap). */
#define FBNN_FONT_HEIGHT 8

/** An opaque 8-bit RGB colour. */
typedef struct fbnn_rgb {
    uint8_t r, g, b;
} fbnn_rgb;

/** Build a colour (C99 compound literals are fine too). */
static inline fbnn_rgb fbnn_rgb_make(uint8_t r, uint8_t g, uint8_t b)
{
    fbnn_rgb c;
    c.r = r;
    c.g = g;
    c.b = b;
    return c;
}
#define FBNN_RGB_WHITE fbnn_rgb_make(255, 255, 255)
#define FBNN_RGB_BLACK fbnn_rgb_make(0, 0, 0)

/** An RGB image in memory: width*height*3 bytes, row-major, top row first. */
typedef struct fbnn_canvas {
    uint32_t width;
    uint32_t height;
    uint8_t *rgb; /**< malloc'ed by fbnn_canvas_init(), freed by fbnn_canvas_free() */
} fbnn_canvas;

/**
 * Allocate a width x height canvas (1..16384 each) filled with `background`.
 * @return 0 (FBNN_IO_OK), FBNN_IO_ERR_ARG or FBNN_IO_ERR_NOMEM
 */
int fbnn_canvas_init(fbnn_canvas *c, uint32_t width, uint32_t height, fbnn_rgb background);

/** Free the pixels and zero the struct (NULL allowed). */
void fbnn_canvas_free(fbnn_canvas *c);

/** Fill the rectangle [x, x+w) x [y, y+h), clipped to the canvas. */
void fbnn_canvas_fill_rect(fbnn_canvas *c, int x, int y, int w, int h, fbnn_rgb color);

/** Draw a 1-pixel-wide rectangle outline of the same rectangle. */
void fbnn_canvas_frame_rect(fbnn_canvas *c, int x, int y, int w, int h, fbnn_rgb color);

/**
 * Draw `text` with its top-left corner at (x, y), each font pixel a
 * scale x scale square (scale >= 1). '\n' starts a new line. Returns the
 * width in pixels of the longest line drawn.
 */
int fbnn_canvas_text(fbnn_canvas *c, int x, int y, const char *text, int scale, fbnn_rgb color);

/** Width in pixels of the longest line of `text` at `scale` (no trailing gap). */
int fbnn_text_width(const char *text, int scale);

/**
 * Colour ramp for heat maps: t = 0 is white, t = 1 dark blue, linear in
 * between (t is clamped to [0, 1]). Readable text colour on it:
 * fbnn_heat_text_color().
 */
fbnn_rgb fbnn_heat_color(double t);

/** Black on light heat colours, white on dark ones. */
fbnn_rgb fbnn_heat_text_color(double t);

/**
 * Write `c` as an 8-bit RGB PNG (non-interlaced).
 * @return 0, or FBNN_IO_ERR_OPEN / FBNN_IO_ERR_READ (write error) /
 *         FBNN_IO_ERR_ARG / FBNN_IO_ERR_NOMEM with a message in `err`
 */
int fbnn_canvas_write_png(const fbnn_canvas *c, const char *path, char *err, size_t err_size);

/** Same for a raw buffer: width*height*3 bytes of RGB, rows top to bottom. */
int fbnn_png_write_rgb(const char *path, uint32_t width, uint32_t height, const uint8_t *rgb,
                       char *err, size_t err_size);

#ifdef __cplusplus
}
#endif

#endif /* FBNN_PNG_WRITE_H */
