/**
 * @file image_io.h
 * @brief Photo loading (JPEG, PNG) and conversion to a model's U8 [C][H][W] input.
 *
 * Used by the `fbnn` CLI and the examples; not part of libfracbnn itself.
 *
 * @code
 *   fbnn_image img; char err[256];
 *   if (fbnn_image_load("cat.jpg", &img, err, sizeof err) != 0) { puts(err); return 1; }
 *   uint8_t *in = malloc(info.input_channels * info.input_height * info.input_width);
 *   fbnn_image_to_input(&img, info.input_channels, info.input_height, info.input_width,
 *                       info.resize_mode, info.invert, in, err, sizeof err);
 *   fbnn_image_free(&img);
 * @endcode
 *
 * ## Loading
 * The format is detected from the first bytes of the file, never from its
 * name: `FF D8 FF` is JPEG, the 8-byte PNG signature is PNG; anything else
 * is FBNN_IO_ERR_FORMAT.
 *
 * - JPEG (baseline and progressive; grey, YCbCr, CMYK/YCCK) is decoded with
 *   stb_image. Because stb_image silently fills missing data of a truncated
 *   file with grey, the marker structure is checked first: the segments are
 *   walked from SOI (segment lengths are honoured, so an EXIF thumbnail's
 *   own EOI is skipped, and the entropy-coded data after each SOS is scanned
 *   for the next real marker, skipping stuffed `FF 00`, `RSTn` and fill
 *   bytes). The file must reach an EOI marker (`FF D9`), otherwise it is
 *   FBNN_IO_ERR_TRUNCATED. Bytes after EOI (padding, camera trailers) are
 *   ignored. Stray bytes where a marker is expected are skipped the way
 *   libjpeg does. The same walk checks the SOF dimensions and that every
 *   Huffman table (DHT) has at most 256 codes (the stb_image 2.27 shipped by
 *   Debian writes past its tables otherwise).
 * - PNG is decoded with libpng (errors via setjmp/longjmp): all colour types
 *   and bit depths, tRNS, Adam7 interlacing. 16-bit samples are scaled to
 *   8 bits with rounding (png_set_scale_16); palettes are expanded to RGB;
 *   1/2/4-bit grey to 8 bits. An alpha channel (or tRNS transparency) is
 *   composited over a WHITE background: `v = (c*a + 255*(255-a) + 127) / 255`
 *   (transparent areas become white, as on a white page). The file must be
 *   complete up to and including IEND; a CRC error in a critical chunk is
 *   FBNN_IO_ERR_CORRUPT. Gamma, colour profiles and sBIT are ignored: the
 *   stored sample values are used as they are.
 *
 * The result is 8-bit interleaved, row-major, top row first, with
 * `channels` = 1 (grey source) or 3 (RGB, any colour source).
 * Width and height must be 1..FBNN_IMAGE_MAX_DIM; files larger than
 * FBNN_IMAGE_MAX_FILE_BYTES are refused.
 *
 * Thread safety: fbnn_image_load() keeps no state between calls, but the
 * stb_image failure string it reads is a process-wide variable in C99
 * builds; load images from one thread at a time if the messages matter.
 */
#ifndef FBNN_IMAGE_IO_H
#define FBNN_IMAGE_IO_H

#include <stddef.h>
#include <stdint.h>

#include "io_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Largest accepted width or height of a decoded image, and of a model input. */
#define FBNN_IMAGE_MAX_DIM 16384u
/** Largest accepted image file (bytes). */
#define FBNN_IMAGE_MAX_FILE_BYTES (256u * 1024u * 1024u)
/** Default cap on width*height of a decoded image (64 Mi pixels: a 48 MP
 *  photo fits; the decoders then allocate at most 256 MiB of pixels). */
#define FBNN_IMAGE_DEFAULT_MAX_PIXELS (64u * 1024u * 1024u)

/**
 * Caller-set limits for loading (fbnn_image_load_ex()). A field of 0 means
 * the default. They are checked from the file header BEFORE any pixel
 * memory is allocated or any entropy data is decoded: an image over a limit
 * fails with FBNN_IO_ERR_LIMIT.
 */
typedef struct fbnn_image_limits {
    uint64_t max_pixels;     /**< width*height; default FBNN_IMAGE_DEFAULT_MAX_PIXELS */
    size_t max_file_bytes;   /**< file size; default and ceiling FBNN_IMAGE_MAX_FILE_BYTES */
} fbnn_image_limits;

/** A decoded image: 8-bit, interleaved (RGBRGB... or G G ...), rows top to bottom. */
typedef struct fbnn_image {
    uint32_t width;
    uint32_t height;
    uint32_t channels; /**< 1 (grey) or 3 (R, G, B) */
    uint8_t *pixels;   /**< width*height*channels bytes, malloc'ed; free with fbnn_image_free() */
} fbnn_image;

/**
 * Load a JPEG or PNG file (format detected by its magic bytes).
 * @param path      file name
 * @param img       receives the image; zeroed on failure (nothing to free)
 * @param err       optional buffer for a one-line message (may be NULL)
 * @param err_size  size of `err`
 * @return FBNN_IO_OK or an fbnn_io_status error code
 */
int fbnn_image_load(const char *path, fbnn_image *img, char *err, size_t err_size);

/**
 * Same as fbnn_image_load() for a file already in memory. `name` is only used
 * in messages (may be NULL).
 */
int fbnn_image_load_memory(const void *data, size_t size, const char *name, fbnn_image *img,
                           char *err, size_t err_size);

/**
 * fbnn_image_load() / fbnn_image_load_memory() with caller-set limits
 * (`limits` may be NULL: the defaults; the plain functions use them).
 * Besides the limits, a file is refused as FBNN_IO_ERR_TRUNCATED before
 * decoding when its compressed data is too short to code the declared size
 * at all (JPEG: 1 bit per 8x8 block of a 4x-subsampled component; PNG:
 * deflate expands at most 1032:1), so a tiny file declaring a huge image
 * costs neither memory nor time.
 */
int fbnn_image_load_ex(const char *path, const fbnn_image_limits *limits, fbnn_image *img,
                       char *err, size_t err_size);

/** In-memory variant of fbnn_image_load_ex(). */
int fbnn_image_load_memory_ex(const void *data, size_t size, const char *name,
                              const fbnn_image_limits *limits, fbnn_image *img, char *err,
                              size_t err_size);

/** Free the pixels and zero the struct (NULL and already freed images are allowed). */
void fbnn_image_free(fbnn_image *img);

/**
 * Convert a decoded image into a model input: 8-bit planar [C][H][W]
 * (for C = 3: all R, then all G, then all B; rows top to bottom).
 *
 * 1. Colour: RGB -> grey (C = 1) per source pixel with the integer BT.601
 *    weights `g = (77*R + 150*G + 29*B + 128) >> 8` (77+150+29 = 256, so
 *    grey stays grey); grey -> RGB (C = 3) replicates the resampled value.
 * 2. Geometry, in continuous coordinates (pixel i covers [i, i+1)):
 *    - resize_mode 0: scale both axes by `s = max(W/w, H/h)`, i.e. for a
 *      square input the shorter side becomes the input size and the longer
 *      one is at least as long; then take the centred HxW window. The crop
 *      offset `((w*s - W)/2, (h*s - H)/2)` is not rounded to whole pixels,
 *      so the crop is exactly centred (an odd surplus blends the two
 *      middle pixels rather than favouring one side).
 *    - resize_mode 1: stretch, `sx = W/w`, `sy = H/h`, no crop.
 *    - resize_mode 2: as mode 0 with `s` multiplied by 8/7: the shorter
 *      side becomes 8/7 of the input size (256 for 224, the standard
 *      ImageNet evaluation "resize 256, centre crop 224"), then the centred
 *      HxW window is taken.
 * 3. Resampling, separably per axis (first rows, then columns):
 *    - where the axis shrinks or keeps its size (scale <= 1): exact area
 *      averaging (box filter): an output pixel is the mean of the source
 *      pixels under its footprint, each weighted by the fraction of it that
 *      is covered, so 4000x3000 -> 32x32 uses every source pixel once with
 *      total weight 1 and does not alias; a 2x downscale is the exact mean
 *      of each 2x2 block; scale 1 at a whole-pixel offset is an exact copy.
 *    - where it grows (scale > 1): bilinear interpolation between the two
 *      nearest source pixel centres (`x_src = (x + 0.5)/s - 0.5`), edges
 *      clamped.
 *    Arithmetic is in double; each output sample is rounded once to the
 *    nearest integer (halves up) and clamped to 0..255.
 * 4. If `invert` is non-zero, every output value becomes 255 - v.
 *
 * @param img          image from fbnn_image_load() (channels 1 or 3)
 * @param C            1 or 3
 * @param H, W         model input size, 1..FBNN_IMAGE_MAX_DIM
 * @param resize_mode  0 (shorter side + centre crop), 1 (stretch) or 2 (shorter
 *                     side to 8/7 of the input size + centre crop)
 * @param invert       0 or 1 (255 - v)
 * @param out_chw      C*H*W bytes, written on success
 * @return FBNN_IO_OK, FBNN_IO_ERR_ARG or FBNN_IO_ERR_NOMEM (scratch memory
 *         of about rows_used * W * channels doubles is allocated and freed)
 */
int fbnn_image_to_input(const fbnn_image *img, uint32_t C, uint32_t H, uint32_t W,
                        uint32_t resize_mode, uint32_t invert, uint8_t *out_chw, char *err,
                        size_t err_size);

#ifdef __cplusplus
}
#endif

#endif /* FBNN_IMAGE_IO_H */
