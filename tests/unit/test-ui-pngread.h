/*
 * test-ui-pngread.h: a strict reader for the PNG files vireo writes
 * (ui/png.c), for the unit tests only: it checks the signature, every
 * chunk CRC, the zlib header and Adler-32, accepts only stored deflate
 * blocks, filter type 0, 8-bit palette or RGB, and decodes to a surface.
 */
#ifndef TEST_UI_PNGREAD_H
#define TEST_UI_PNGREAD_H

#include "vireo/common.h"
#include "ui/console.h"
#include "ui/png.h"

static uint32_t pngr_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

/* Inflates a zlib stream of stored blocks: the data, or NULL. */
static GByteArray *pngr_inflate_stored(const uint8_t *z, size_t len)
{
    size_t pos = 2;
    GByteArray *out;
    bool final = false;

    if (len < 6 || (z[0] & 0x0f) != 8 || ((z[0] << 8) | z[1]) % 31 != 0) {
        return NULL;
    }
    out = g_byte_array_new();
    while (!final) {
        if (pos + 5 > len || (z[pos] & 0x06) != 0) {   /* BTYPE must be 00 */
            g_byte_array_free(out, true);
            return NULL;
        }
        final = z[pos] & 1;
        unsigned n = z[pos + 1] | z[pos + 2] << 8;
        unsigned nn = z[pos + 3] | z[pos + 4] << 8;
        pos += 5;
        if ((n ^ 0xffff) != nn || pos + n > len) {
            g_byte_array_free(out, true);
            return NULL;
        }
        g_byte_array_append(out, z + pos, n);
        pos += n;
    }
    if (pos + 4 != len || pngr_be32(z + pos) != ui_adler32(1, out->data, out->len)) {
        g_byte_array_free(out, true);
        return NULL;
    }
    return out;
}

/* Decodes a PNG file image: a new surface, or NULL if anything is off. */
static DisplaySurface *pngr_decode(const uint8_t *d, size_t len)
{
    static const uint8_t sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
    uint32_t w = 0, h = 0, plte[256];
    int type = -1;
    unsigned ncolors = 0;
    GByteArray *idat = g_byte_array_new(), *raw = NULL;
    DisplaySurface *surf = NULL;
    size_t pos = 8;
    bool iend = false;

    if (len < 8 || memcmp(d, sig, 8) != 0) {
        goto out;
    }
    while (!iend && pos + 12 <= len) {
        uint32_t n = pngr_be32(d + pos);
        const uint8_t *type_p = d + pos + 4, *data = d + pos + 8;
        if (n > len - pos - 12 ||
            pngr_be32(data + n) != ui_crc32(0, type_p, n + 4)) {
            goto out;
        }
        if (!memcmp(type_p, "IHDR", 4) && n == 13) {
            w = pngr_be32(data);
            h = pngr_be32(data + 4);
            if (data[8] != 8 || (data[9] != 2 && data[9] != 3) || data[10] || data[11] || data[12]) {
                goto out;
            }
            type = data[9];
        } else if (!memcmp(type_p, "PLTE", 4) && n % 3 == 0 && n <= 768) {
            ncolors = n / 3;
            for (unsigned i = 0; i < ncolors; i++) {
                plte[i] = data[3 * i] << 16 | data[3 * i + 1] << 8 | data[3 * i + 2];
            }
        } else if (!memcmp(type_p, "IDAT", 4)) {
            g_byte_array_append(idat, data, n);
        } else if (!memcmp(type_p, "IEND", 4)) {
            iend = true;
        }
        pos += n + 12;
    }
    if (!iend || pos != len || type < 0 || w == 0 || h == 0 || w > 8192 || h > 8192) {
        goto out;
    }
    raw = pngr_inflate_stored(idat->data, idat->len);
    unsigned bpp = type == 3 ? 1 : 3;
    if (!raw || raw->len != (1 + w * bpp) * h) {
        goto out;
    }
    surf = display_surface_new(w, h);
    for (uint32_t y = 0; y < h; y++) {
        const uint8_t *row = raw->data + y * (1 + w * bpp);
        if (row[0] != 0) {
            display_surface_free(surf);
            surf = NULL;
            goto out;
        }
        for (uint32_t x = 0; x < w; x++) {
            const uint8_t *px = row + 1 + x * bpp;
            if (type == 3) {
                if (px[0] >= ncolors) {
                    display_surface_free(surf);
                    surf = NULL;
                    goto out;
                }
                surface_row(surf, y)[x] = plte[px[0]];
            } else {
                surface_row(surf, y)[x] = px[0] << 16 | px[1] << 8 | px[2];
            }
        }
    }
out:
    if (raw) {
        g_byte_array_free(raw, true);
    }
    g_byte_array_free(idat, true);
    return surf;
}

#endif
