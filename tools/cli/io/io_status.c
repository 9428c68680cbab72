#include "io_status.h"

#include <stdarg.h>
#include <stdio.h>

#include "io_err.h"

int fbnn_io_set_err(char *err, size_t err_size, int code, const char *fmt, ...)
{
    if (err && err_size > 0) {
        va_list ap;
        char *p;
        va_start(ap, fmt);
        vsnprintf(err, err_size, fmt, ap);
        va_end(ap);
        /* keep the message on one line */
        for (p = err; *p; p++)
            if (*p == '\n' || *p == '\r')
                *p = ' ';
    }
    return code;
}

const char *fbnn_io_status_str(int status)
{
    switch (status) {
    case FBNN_IO_OK: return "success";
    case FBNN_IO_ERR_ARG: return "invalid argument";
    case FBNN_IO_ERR_OPEN: return "cannot open file";
    case FBNN_IO_ERR_READ: return "read error";
    case FBNN_IO_ERR_FORMAT: return "unknown or invalid file format";
    case FBNN_IO_ERR_TRUNCATED: return "file is truncated";
    case FBNN_IO_ERR_CORRUPT: return "corrupt data";
    case FBNN_IO_ERR_SIZE: return "invalid dimensions";
    case FBNN_IO_ERR_NOMEM: return "out of memory";
    case FBNN_IO_ERR_MISMATCH: return "image and label files do not match";
    case FBNN_IO_ERR_LIMIT: return "exceeds the caller's memory limit";
    default: return "unknown status";
    }
}
