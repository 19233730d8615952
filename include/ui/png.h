/*
 * png.h: a minimal PNG writer for screendumps (ui/png.c). No compression
 * library: the image data goes into stored (uncompressed) deflate blocks,
 * with our own CRC-32 and Adler-32, which every PNG reader accepts.
 * Surfaces with at most 256 colours are written as palette images, others
 * as 8-bit RGB.
 */
#ifndef UI_PNG_H
#define UI_PNG_H

#include "vireo/common.h"
#include "ui/console.h"

/* CRC-32 (ISO 3309, as PNG chunks use it) of len bytes, continuing crc. */
uint32_t ui_crc32(uint32_t crc, const void *buf, size_t len);

/* Adler-32 (RFC 1950) of len bytes, continuing adler (start with 1). */
uint32_t ui_adler32(uint32_t adler, const void *buf, size_t len);

/* Encodes surf as a PNG file image in memory. Never fails. */
GByteArray *ui_png_encode(const DisplaySurface *surf);

/* Writes surf as a PNG file at path: 0, or -1 with errp naming the file. */
int ui_screendump(DisplaySurface *surf, const char *path, GError **errp) VIREO_WUR;

#endif
