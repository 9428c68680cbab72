/**
 * @file io_status.h
 * @brief Status codes shared by the CLI image and dataset readers
 *        (image_io.h, dataset_io.h).
 *
 * Every reader returns 0 (FBNN_IO_OK) on success or one of the codes below,
 * and writes a one-line English message (no trailing newline) into the
 * caller's `err` buffer, which may be NULL or of size 0 if not wanted.
 */
#ifndef FBNN_IO_STATUS_H
#define FBNN_IO_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum fbnn_io_status {
    FBNN_IO_OK = 0,
    FBNN_IO_ERR_ARG,       /**< NULL pointer or argument out of range */
    FBNN_IO_ERR_OPEN,      /**< the file could not be opened */
    FBNN_IO_ERR_READ,      /**< read error (I/O error, directory, ...) */
    FBNN_IO_ERR_FORMAT,    /**< empty file, unknown format or bad magic number */
    FBNN_IO_ERR_TRUNCATED, /**< the file ends before the data it declares */
    FBNN_IO_ERR_CORRUPT,   /**< the decoder rejected the data (bad CRC, bad stream, ...) */
    FBNN_IO_ERR_SIZE,      /**< zero or too large dimensions, or sizes that do not fit */
    FBNN_IO_ERR_NOMEM,     /**< allocation failed */
    FBNN_IO_ERR_MISMATCH,  /**< image and label files do not belong together */
    FBNN_IO_ERR_LIMIT      /**< valid, but needs more memory than the caller's limit allows */
} fbnn_io_status;

/** Static English name of a status; never NULL. */
const char *fbnn_io_status_str(int status);

#ifdef __cplusplus
}
#endif

#endif /* FBNN_IO_STATUS_H */
