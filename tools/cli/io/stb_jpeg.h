/*
 * stb_jpeg.h - private: the JPEG part of stb_image, compiled into fbnn_io
 * (stb_jpeg.c) with internal linkage, so fbnn_io neither needs libstb.so at
 * run time nor clashes with another copy of stb_image in the program.
 */
#ifndef FBNN_STB_JPEG_H
#define FBNN_STB_JPEG_H

#include <stddef.h>

/** stbi_info_from_memory(); 1 on success. */
int fbnn_stb_jpeg_info(const unsigned char *data, int len, int *w, int *h, int *comp);
/** stbi_load_from_memory(); free the result with free(). */
unsigned char *fbnn_stb_jpeg_load(const unsigned char *data, int len, int *w, int *h, int *comp,
                                  int req_comp);
/** stbi_failure_reason() (short string, may be NULL). */
const char *fbnn_stb_jpeg_failure(void);

#endif
