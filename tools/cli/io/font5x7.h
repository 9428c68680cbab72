/* Internal to png_write.c: the built-in 5x7 bitmap font. */
#ifndef FBNN_FONT5X7_H
#define FBNN_FONT5X7_H

/** 35 characters ('#' = ink, '.' = paper), 7 rows of 5, for byte `ch`
 *  (lower case maps to upper case; unknown bytes get a hollow box). */
const char *fbnn_font5x7_glyph(unsigned char ch);

#endif
