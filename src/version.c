/**
 * @file version.c
 * @brief fbnn_version(): the version compiled into the library.
 */
#include "fracbnn/fracbnn.h"

const char *fbnn_version(void)
{
    return FBNN_VERSION_STRING;
}
