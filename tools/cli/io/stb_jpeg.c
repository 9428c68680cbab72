/* stb_jpeg.c - stb_image restricted to JPEG from memory (see stb_jpeg.h). */
#include "stb_jpeg.h"

#include <stdlib.h>

#include "image_io.h" /* FBNN_IMAGE_MAX_DIM */

#define STBI_ONLY_JPEG
#define STBI_NO_STDIO
#define STBI_NO_LINEAR
#define STBI_NO_HDR
#define STBI_MAX_DIMENSIONS FBNN_IMAGE_MAX_DIM
/* Zeroed allocations: a corrupt file whose scan uses a Huffman or
   quantisation table it never defined then reads zeros, not uninitialised
   heap (stb_image does not track which tables were defined). */
#define STBI_MALLOC(sz) calloc(1, sz)
#define STBI_REALLOC(p, newsz) realloc(p, newsz)
#define STBI_FREE(p) free(p)
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
/* Third-party code: silence its warnings in this translation unit only
   (unused static functions are reported at the end of the unit, so the
   pragmas are not popped). */
#if defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wunused-but-set-variable"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#pragma GCC diagnostic ignored "-Wmisleading-indentation"
#pragma GCC diagnostic ignored "-Wtype-limits"
#endif
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include "stb_image.h"

int fbnn_stb_jpeg_info(const unsigned char *data, int len, int *w, int *h, int *comp)
{
    return stbi_info_from_memory(data, len, w, h, comp);
}

unsigned char *fbnn_stb_jpeg_load(const unsigned char *data, int len, int *w, int *h, int *comp,
                                  int req_comp)
{
    return stbi_load_from_memory(data, len, w, h, comp, req_comp);
}

const char *fbnn_stb_jpeg_failure(void)
{
    return stbi_failure_reason();
}
