/*
 * keymap.c: host input to the board: the input handler, and host keys to
 * PS/2 scan code set 2. Host keys are USB HID
 * usages (HID Usage Tables, page 0x07 "Keyboard/Keypad"), which SDL
 * scancodes equal, so this table needs no SDL and is unit-tested alone.
 * Set-2 codes are from the IBM PS/2 keyboard technical reference
 * (make code; break is F0 before it; E0 before both for extended keys).
 */
#include "vireo/common.h"
#include "ui/display.h"

#define E 0x100    /* extended: E0 prefix */

static const uint16_t hid_to_set2[256] = {
    [0x04] = 0x1c, [0x05] = 0x32, [0x06] = 0x21, [0x07] = 0x23,  /* A-D */
    [0x08] = 0x24, [0x09] = 0x2b, [0x0a] = 0x34, [0x0b] = 0x33,  /* E-H */
    [0x0c] = 0x43, [0x0d] = 0x3b, [0x0e] = 0x42, [0x0f] = 0x4b,  /* I-L */
    [0x10] = 0x3a, [0x11] = 0x31, [0x12] = 0x44, [0x13] = 0x4d,  /* M-P */
    [0x14] = 0x15, [0x15] = 0x2d, [0x16] = 0x1b, [0x17] = 0x2c,  /* Q-T */
    [0x18] = 0x3c, [0x19] = 0x2a, [0x1a] = 0x1d, [0x1b] = 0x22,  /* U-X */
    [0x1c] = 0x35, [0x1d] = 0x1a,                                /* Y Z */
    [0x1e] = 0x16, [0x1f] = 0x1e, [0x20] = 0x26, [0x21] = 0x25,  /* 1-4 */
    [0x22] = 0x2e, [0x23] = 0x36, [0x24] = 0x3d, [0x25] = 0x3e,  /* 5-8 */
    [0x26] = 0x46, [0x27] = 0x45,                                /* 9 0 */
    [0x28] = 0x5a, [0x29] = 0x76, [0x2a] = 0x66, [0x2b] = 0x0d,  /* Enter Esc BS Tab */
    [0x2c] = 0x29, [0x2d] = 0x4e, [0x2e] = 0x55, [0x2f] = 0x54,  /* Space - = [ */
    [0x30] = 0x5b, [0x31] = 0x5d, [0x32] = 0x5d, [0x33] = 0x4c,  /* ] \ #(non-US) ; */
    [0x34] = 0x52, [0x35] = 0x0e, [0x36] = 0x41, [0x37] = 0x49,  /* ' ` , . */
    [0x38] = 0x4a, [0x39] = 0x58,                                /* / CapsLock */
    [0x3a] = 0x05, [0x3b] = 0x06, [0x3c] = 0x04, [0x3d] = 0x0c,  /* F1-F4 */
    [0x3e] = 0x03, [0x3f] = 0x0b, [0x40] = 0x83, [0x41] = 0x0a,  /* F5-F8 */
    [0x42] = 0x01, [0x43] = 0x09, [0x44] = 0x78, [0x45] = 0x07,  /* F9-F12 */
    [0x47] = 0x7e,                                               /* ScrollLock */
    [0x49] = E | 0x70, [0x4a] = E | 0x6c, [0x4b] = E | 0x7d,     /* Ins Home PgUp */
    [0x4c] = E | 0x71, [0x4d] = E | 0x69, [0x4e] = E | 0x7a,     /* Del End PgDn */
    [0x4f] = E | 0x74, [0x50] = E | 0x6b, [0x51] = E | 0x72,     /* Right Left Down */
    [0x52] = E | 0x75,                                           /* Up */
    [0x53] = 0x77, [0x54] = E | 0x4a, [0x55] = 0x7c, [0x56] = 0x7b, /* NumLock KP/ KP* KP- */
    [0x57] = 0x79, [0x58] = E | 0x5a,                            /* KP+ KPEnter */
    [0x59] = 0x69, [0x5a] = 0x72, [0x5b] = 0x7a, [0x5c] = 0x6b,  /* KP1-KP4 */
    [0x5d] = 0x73, [0x5e] = 0x74, [0x5f] = 0x6c, [0x60] = 0x75,  /* KP5-KP8 */
    [0x61] = 0x7d, [0x62] = 0x70, [0x63] = 0x71,                 /* KP9 KP0 KP. */
    [0x64] = 0x61, [0x65] = E | 0x2f,                            /* non-US \ , Menu */
    [0x67] = 0x0f,                                               /* KP= */
    [0x87] = 0x51, [0x88] = 0x13, [0x89] = 0x6a,                 /* Ro Katakana Yen */
    [0x8a] = 0x64, [0x8b] = 0x67,                                /* Henkan Muhenkan */
    [0xe0] = 0x14, [0xe1] = 0x12, [0xe2] = 0x11, [0xe3] = E | 0x1f, /* LCtrl LShift LAlt LGUI */
    [0xe4] = E | 0x14, [0xe5] = 0x59, [0xe6] = E | 0x11, [0xe7] = E | 0x27, /* right ones */
};

#define HID_PRINTSCREEN 0x46
#define HID_PAUSE       0x48

int ui_hid_to_set2(unsigned usage, bool *extended)
{
    uint16_t v = usage < ARRAY_SIZE(hid_to_set2) ? hid_to_set2[usage] : 0;

    *extended = v & E;
    if (usage == HID_PAUSE) {
        *extended = false;
        return UI_SET2_PAUSE;
    }
    if (usage == HID_PRINTSCREEN) {
        *extended = true;
        return 0x7c;
    }
    return v & 0xff;
}

bool ui_key_event(const UiInputOps *ops, void *opaque, unsigned usage, bool down)
{
    bool ext;
    int code = ui_hid_to_set2(usage, &ext);

    if (!code) {
        return false;
    }
    if (!ops || !ops->key) {
        return true;
    }
    if (code == UI_SET2_PAUSE) {
        /* E1 14 77 E1 F0 14 F0 77 on press, nothing on release; a
         * keyboard in set 1 or a translating controller turns the same
         * calls into E1 1D 45 E1 9D C5. */
        static const struct { uint8_t code; bool down; } seq[6] = {
            { 0xe1, true }, { 0x14, true }, { 0x77, true },
            { 0xe1, true }, { 0x14, false }, { 0x77, false },
        };
        for (int i = 0; down && i < 6; i++) {
            ops->key(opaque, seq[i].code, seq[i].down, false);
        }
    } else if (usage == HID_PRINTSCREEN) {
        /* make: E0 12 E0 7C; break: E0 F0 7C E0 F0 12 */
        if (down) {
            ops->key(opaque, 0x12, true, true);
            ops->key(opaque, 0x7c, true, true);
        } else {
            ops->key(opaque, 0x7c, false, true);
            ops->key(opaque, 0x12, false, true);
        }
    } else {
        ops->key(opaque, code, down, ext);
    }
    return true;
}

int ui_set2_bytes(int code, bool down, bool extended, uint8_t out[8])
{
    static const uint8_t pause[8] = { 0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14, 0xf0, 0x77 };
    int n = 0;

    if (code == UI_SET2_PAUSE) {
        if (!down) {
            return 0;
        }
        memcpy(out, pause, 8);
        return 8;
    }
    if (extended) {
        out[n++] = 0xe0;
    }
    if (!down) {
        out[n++] = 0xf0;
    }
    out[n++] = code & 0xff;
    return n;
}

static const UiInputOps *input_ops;
static void *input_opaque;

void ui_input_set_handler(const UiInputOps *ops, void *opaque)
{
    input_ops = ops;
    input_opaque = opaque;
}

void ui_input_key(unsigned usage, bool down)
{
    ui_key_event(input_ops, input_opaque, usage, down);
}

void ui_input_mouse(int dx, int dy, int buttons)
{
    if (input_ops && input_ops->mouse) {
        input_ops->mouse(input_opaque, dx, dy, buttons);
    }
}
