/* Internal to the CLI I/O module: the one error-message writer. */
#ifndef FBNN_IO_ERR_H
#define FBNN_IO_ERR_H

#include <stddef.h>

/** Format a one-line message into err (if err and err_size > 0; newlines
 *  become spaces) and return `code`. */
int fbnn_io_set_err(char *err, size_t err_size, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

#endif
