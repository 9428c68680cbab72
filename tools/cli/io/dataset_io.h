/**
 * @file dataset_io.h
 * @brief Readers for labelled evaluation sets: CIFAR-10 binary batches and
 *        IDX files (MNIST, Fashion-MNIST), plain or gzip-compressed.
 *
 * Used by `fbnn eval`; not part of libfracbnn itself. Every function
 * returns FBNN_IO_OK (0) or an fbnn_io_status code and writes a one-line
 * message into `err` (which may be NULL).
 *
 * Two ways to read CIFAR-10:
 * - streaming: fbnn_cifar_open() / fbnn_cifar_count() / fbnn_cifar_read() /
 *   fbnn_cifar_close(), one 3073-byte record at a time (random access);
 * - all at once into an fbnn_dataset (fbnn_dataset_load_cifar10()).
 * IDX sets are loaded all at once (fbnn_dataset_load_idx()), or as separate
 * image / label arrays (fbnn_idx_load_images(), fbnn_idx_load_labels()).
 *
 * @code
 *   fbnn_dataset ds; char err[256];
 *   if (fbnn_dataset_load_idx("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
 *                             &ds, err, sizeof err) != 0) { puts(err); return 1; }
 *   for (uint32_t i = 0; i < ds.count; i++)
 *       fbnn_run(ctx, fbnn_dataset_image(&ds, i), fbnn_dataset_image_bytes(&ds)), ...;
 *   fbnn_dataset_free(&ds);
 * @endcode
 */
#ifndef FBNN_DATASET_IO_H
#define FBNN_DATASET_IO_H

#include <stddef.h>
#include <stdint.h>

#include "io_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- CIFAR-10 binary batches ---------------------------------------------- */

/** One CIFAR-10 record: 1 label byte (0..9), then 32x32 R plane, G plane, B plane. */
#define FBNN_CIFAR_IMAGE_BYTES 3072u
#define FBNN_CIFAR_RECORD_BYTES 3073u

typedef struct fbnn_cifar fbnn_cifar; /**< open CIFAR-10 batch file */

/**
 * Open a CIFAR-10 binary batch (e.g. data_batch_1.bin, test_batch.bin).
 * The file size must be a non-zero multiple of 3073 bytes
 * (FBNN_IO_ERR_FORMAT otherwise, e.g. for a CIFAR-100 file with 2 label
 * bytes per record); the first record is read to check that the file can be read.
 */
int fbnn_cifar_open(const char *path, fbnn_cifar **out, char *err, size_t err_size);

/** Number of records (0 for NULL). */
size_t fbnn_cifar_count(const fbnn_cifar *reader);

/**
 * Read record `index`: its label (checked to be 0..9, FBNN_IO_ERR_FORMAT
 * otherwise) and 3072 planar pixels [3][32][32], ready for fbnn_run().
 * `label` or `pixels` may be NULL if not wanted.
 */
int fbnn_cifar_read(fbnn_cifar *reader, size_t index, uint8_t *label,
                    uint8_t pixels[FBNN_CIFAR_IMAGE_BYTES], char *err, size_t err_size);

/** Close the reader (NULL is allowed). */
void fbnn_cifar_close(fbnn_cifar *reader);

/* ---- IDX (MNIST-style) files ---------------------------------------------- */

#define FBNN_IDX_IMAGES_MAGIC 0x00000803u /**< u8, 3 dims: N, H, W (big-endian u32) */
#define FBNN_IDX_LABELS_MAGIC 0x00000801u /**< u8, 1 dim: N */
/** Largest accepted image height or width in an IDX file. */
#define FBNN_IDX_MAX_DIM 4096u

/**
 * Load an IDX image file (gzip-compressed or plain, detected transparently):
 * checks the magic 0x00000803, N >= 1, 1 <= H, W <= FBNN_IDX_MAX_DIM, and
 * that the data is exactly N*H*W bytes (FBNN_IO_ERR_TRUNCATED if shorter,
 * FBNN_IO_ERR_SIZE if longer). Memory grows with the data actually read, so
 * a corrupt header cannot make it allocate gigabytes up front.
 * @param pixels  receives N images of [1][H][W] u8, back to back (free())
 */
int fbnn_idx_load_images(const char *path, uint32_t *count, uint32_t *height, uint32_t *width,
                         uint8_t **pixels, char *err, size_t err_size);

/** Load an IDX label file (magic 0x00000801), same checks. `labels` is free()d by the caller. */
int fbnn_idx_load_labels(const char *path, uint32_t *count, uint8_t **labels, char *err,
                         size_t err_size);

/* ---- in-memory labelled set ----------------------------------------------- */

/** A labelled set in memory: image i is channels*height*width planar u8 bytes. */
typedef struct fbnn_dataset {
    uint32_t count;    /**< number of images */
    uint32_t channels; /**< 1 (IDX) or 3 (CIFAR-10) */
    uint32_t height;
    uint32_t width;
    uint8_t *pixels;   /**< count * channels*height*width bytes */
    uint8_t *labels;   /**< count bytes, or NULL if the set has no labels */
} fbnn_dataset;

/** Bytes of one image of `ds` (channels*height*width). */
static inline size_t fbnn_dataset_image_bytes(const fbnn_dataset *ds)
{
    return (size_t)ds->channels * ds->height * ds->width;
}

/** Pointer to image `i` of `ds` (no bounds check). */
static inline const uint8_t *fbnn_dataset_image(const fbnn_dataset *ds, uint32_t i)
{
    return ds->pixels + (size_t)i * fbnn_dataset_image_bytes(ds);
}

/** Load a whole CIFAR-10 batch (channels 3, 32x32, labels 0..9). */
int fbnn_dataset_load_cifar10(const char *path, fbnn_dataset *ds, char *err, size_t err_size);

/**
 * Load an IDX image file and, if `labels_path` is not NULL, its label file;
 * the counts must be equal (FBNN_IO_ERR_MISMATCH otherwise).
 */
int fbnn_dataset_load_idx(const char *images_path, const char *labels_path, fbnn_dataset *ds,
                          char *err, size_t err_size);

/** Free a dataset and zero it (NULL is allowed). */
void fbnn_dataset_free(fbnn_dataset *ds);

#ifdef __cplusplus
}
#endif

#endif /* FBNN_DATASET_IO_H */
