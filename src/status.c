/* Status strings and error formatting. */
#include <stdarg.h>
#include <stdio.h>

#include "model_internal.h"

const char *fbnn_status_str(fbnn_status status)
{
    switch (status) {
    case FBNN_OK: return "success";
    case FBNN_ERR_ARG: return "invalid argument";
    case FBNN_ERR_NOMEM: return "out of memory";
    case FBNN_ERR_IO: return "cannot read file";
    case FBNN_ERR_TRUNCATED: return "model file truncated";
    case FBNN_ERR_MAGIC: return "not a .fbnn model (bad magic)";
    case FBNN_ERR_VERSION: return "unsupported .fbnn format version";
    case FBNN_ERR_CHECKSUM: return "model checksum mismatch (corrupt file)";
    case FBNN_ERR_HEADER: return "invalid model header or table layout";
    case FBNN_ERR_TENSOR: return "invalid tensor in model";
    case FBNN_ERR_VALUE: return "invalid activation value in model";
    case FBNN_ERR_OP: return "invalid op in model";
    case FBNN_ERR_SHAPE: return "shape mismatch in model graph";
    case FBNN_ERR_GRAPH: return "invalid model graph";
    case FBNN_ERR_META: return "invalid model metadata or labels";
    case FBNN_ERR_ALIGNMENT: return "model buffer is not 4-byte aligned";
    case FBNN_ERR_UNSUPPORTED: return "unsupported on this platform";
    case FBNN_ERR_BUFFER_SIZE: return "buffer has the wrong size";
    case FBNN_ERR_INPUT: return "input does not match the model";
    case FBNN_ERR_LIMIT: return "exceeds the caller's memory limit";
    }
    return "unknown status";
}

fbnn_status fbnn_fail(fbnn_error *err, fbnn_status status, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        err->status = status;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return status;
}

uint32_t fbnn_crc32(const uint8_t *data, size_t n)
{
    /* Bitwise-by-nibble CRC: a 16-entry table keeps it small for ROM targets
     * while being fast enough to check a model at load time. */
    static const uint32_t tab[16] = {
        0x00000000u, 0x1DB71064u, 0x3B6E20C8u, 0x26D930ACu, 0x76DC4190u, 0x6B6B51F4u,
        0x4DB26158u, 0x5005713Cu, 0xEDB88320u, 0xF00F9344u, 0xD6D6A3E8u, 0xCB61B38Cu,
        0x9B64C2B0u, 0x86D3D2D4u, 0xA00AE278u, 0xBDBDF21Cu};
    uint32_t crc = 0xFFFFFFFFu;
    size_t i;
    for (i = 0; i < n; i++) {
        crc ^= data[i];
        crc = (crc >> 4) ^ tab[crc & 15u];
        crc = (crc >> 4) ^ tab[crc & 15u];
    }
    return crc ^ 0xFFFFFFFFu;
}
