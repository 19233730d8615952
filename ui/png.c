/*
 * png.c: the screendump writer (see ui/png.h). A PNG is the 8-byte
 * signature and chunks (length, type, data, CRC-32 of type and data):
 * IHDR, PLTE for palette images, one IDAT with a zlib stream (RFC 1950)
 * made of stored deflate blocks (RFC 1951 section 3.2.4), and IEND. Each
 * scan line starts with filter type 0 (PNG specification, section 9).
 */
#include "vireo/common.h"
#include "vireo/error.h"
#include "ui/png.h"

#include <errno.h>

#define STORED_MAX 65535

static uint32_t crc_table[256];

static void crc_init(void)
{
    static gsize done;

    if (g_once_init_enter(&done)) {
        for (uint32_t n = 0; n < 256; n++) {
            uint32_t c = n;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
            }
            crc_table[n] = c;
        }
        g_once_init_leave(&done, 1);
    }
}

uint32_t ui_crc32(uint32_t crc, const void *buf, size_t len)
{
    const uint8_t *p = buf;

    crc_init();
    crc = ~crc;
    while (len--) {
        crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    }
    return ~crc;
}

uint32_t ui_adler32(uint32_t adler, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    uint32_t a = adler & 0xffff, b = adler >> 16;

    while (len > 0) {
        size_t n = MIN(len, 5552);    /* largest run without 32-bit overflow */
        len -= n;
        while (n--) {
            a += *p++;
            b += a;
        }
        a %= 65521;
        b %= 65521;
    }
    return (b << 16) | a;
}

static void put_be32(GByteArray *out, uint32_t v)
{
    uint8_t b[4] = { v >> 24, v >> 16, v >> 8, v };
    g_byte_array_append(out, b, 4);
}

static void put_chunk(GByteArray *out, const char *type, const uint8_t *data, size_t len)
{
    uint32_t crc;

    put_be32(out, len);
    g_byte_array_append(out, (const uint8_t *)type, 4);
    if (len) {
        g_byte_array_append(out, data, len);
    }
    crc = ui_crc32(0, type, 4);
    crc = ui_crc32(crc, data, len);
    put_be32(out, crc);
}

/* The surface's colours if there are at most 256 of them, else NULL. */
static GHashTable *collect_palette(const DisplaySurface *surf, GArray *colors)
{
    GHashTable *map = g_hash_table_new(NULL, NULL);
    uint32_t last = 0;
    bool have_last = false;

    for (int y = 0; y < surf->height; y++) {
        const uint32_t *row = (const uint32_t *)((const uint8_t *)surf->data + (size_t)y * surf->stride);
        for (int x = 0; x < surf->width; x++) {
            uint32_t c = row[x] & 0xffffff;
            if (have_last && c == last) {
                continue;
            }
            last = c;
            have_last = true;
            if (!g_hash_table_contains(map, GUINT_TO_POINTER(c + 1))) {
                if (colors->len == 256) {
                    g_hash_table_destroy(map);
                    return NULL;
                }
                g_hash_table_insert(map, GUINT_TO_POINTER(c + 1), GUINT_TO_POINTER(colors->len));
                g_array_append_val(colors, c);
            }
        }
    }
    return map;
}

/* The filtered image data: each row is filter byte 0 and the pixels. */
static GByteArray *raw_image(const DisplaySurface *surf, GHashTable *map)
{
    unsigned bpp = map ? 1 : 3;
    GByteArray *raw = g_byte_array_sized_new((1 + surf->width * bpp) * surf->height);

    for (int y = 0; y < surf->height; y++) {
        const uint32_t *row = (const uint32_t *)((const uint8_t *)surf->data + (size_t)y * surf->stride);
        uint8_t zero = 0;
        g_byte_array_append(raw, &zero, 1);
        for (int x = 0; x < surf->width; x++) {
            uint32_t c = row[x] & 0xffffff;
            if (map) {
                uint8_t i = GPOINTER_TO_UINT(g_hash_table_lookup(map, GUINT_TO_POINTER(c + 1)));
                g_byte_array_append(raw, &i, 1);
            } else {
                uint8_t px[3] = { c >> 16, c >> 8, c };
                g_byte_array_append(raw, px, 3);
            }
        }
    }
    return raw;
}

/* A zlib stream of stored deflate blocks holding raw. */
static GByteArray *zlib_stored(const GByteArray *raw)
{
    GByteArray *z = g_byte_array_sized_new(raw->len + raw->len / STORED_MAX * 5 + 16);
    const uint8_t hdr[2] = { 0x78, 0x01 };     /* deflate, 32K window, check bits */
    size_t pos = 0;

    g_byte_array_append(z, hdr, 2);
    do {
        size_t n = MIN(raw->len - pos, STORED_MAX);
        bool final = pos + n == raw->len;
        uint8_t bh[5] = { final ? 1 : 0, n & 0xff, n >> 8, ~n & 0xff, (~n >> 8) & 0xff };
        g_byte_array_append(z, bh, 5);
        g_byte_array_append(z, raw->data + pos, n);
        pos += n;
    } while (pos < raw->len);
    put_be32(z, ui_adler32(1, raw->data, raw->len));
    return z;
}

GByteArray *ui_png_encode(const DisplaySurface *surf)
{
    static const uint8_t sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
    GByteArray *out = g_byte_array_new();
    GArray *colors = g_array_new(false, false, sizeof(uint32_t));
    GHashTable *map = collect_palette(surf, colors);
    uint8_t ihdr[13] = { 0 };
    GByteArray *raw, *z;

    g_byte_array_append(out, sig, 8);
    for (int i = 0; i < 4; i++) {
        ihdr[i] = (uint32_t)surf->width >> (24 - 8 * i);
        ihdr[4 + i] = (uint32_t)surf->height >> (24 - 8 * i);
    }
    ihdr[8] = 8;                    /* bit depth */
    ihdr[9] = map ? 3 : 2;          /* palette or RGB */
    put_chunk(out, "IHDR", ihdr, sizeof(ihdr));
    if (map) {
        uint8_t *plte = g_malloc(colors->len * 3);
        for (guint i = 0; i < colors->len; i++) {
            uint32_t c = g_array_index(colors, uint32_t, i);
            plte[3 * i] = c >> 16;
            plte[3 * i + 1] = c >> 8;
            plte[3 * i + 2] = c;
        }
        put_chunk(out, "PLTE", plte, colors->len * 3);
        g_free(plte);
    }
    raw = raw_image(surf, map);
    z = zlib_stored(raw);
    put_chunk(out, "IDAT", z->data, z->len);
    put_chunk(out, "IEND", NULL, 0);
    g_byte_array_free(z, true);
    g_byte_array_free(raw, true);
    if (map) {
        g_hash_table_destroy(map);
    }
    g_array_free(colors, true);
    return out;
}

int ui_screendump(DisplaySurface *surf, const char *path, GError **errp)
{
    GByteArray *png = ui_png_encode(surf);
    GError *err = NULL;
    int ret = 0;

    if (!g_file_set_contents(path, (const char *)png->data, png->len, &err)) {
        error_setg(errp, "screendump: cannot write '%s': %s", path, err->message);
        g_error_free(err);
        ret = -1;
    }
    g_byte_array_free(png, true);
    return ret;
}
