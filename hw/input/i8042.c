/*
 * i8042.c: the PC/AT keyboard controller and the two PS/2 devices behind
 * it. The guest writes controller commands to port 0x64 and data (or
 * device commands) to port 0x60, and reads the status register at 0x64
 * and the one-byte output buffer at 0x60. Behind the controller sit a
 * PS/2 keyboard (scan code set 2, translated to set 1 when the command
 * byte asks for it) and a PS/2 mouse; each device has its own queue, and
 * the controller moves one byte at a time into its output buffer,
 * raising IRQ 1 or IRQ 12. The output port drives the A20 gate and the
 * CPU reset line (0xD1, and the 0xF0-0xFF pulse commands).
 *
 * References: IBM PC/AT Technical Reference, "Keyboard controller"
 * (status register, command byte, commands 20h-FFh); IBM PS/2 Keyboard
 * and Auxiliary Device Controller reference (commands A7h-A9h, D2h-D4h,
 * aux device protocol); the scan code set 1/2 tables of the IBM
 * keyboard technical reference.
 */
#include "vireo/common.h"
#include "vireo/error.h"
#include "vireo/log.h"
#include "system/runstate.h"
#include "hw/i8042.h"

/* Status register (port 0x64 read). */
#define STAT_OBF     0x01
#define STAT_SYS     0x04
#define STAT_CMD     0x08    /* last write went to port 0x64 */
#define STAT_UNLOCK  0x10    /* keyboard not inhibited by the key lock */
#define STAT_AUXB    0x20    /* output buffer holds mouse data */

/* Command byte (controller RAM byte 0). */
#define CB_KBD_INT   0x01
#define CB_AUX_INT   0x02
#define CB_SYS       0x04
#define CB_KBD_DIS   0x10
#define CB_AUX_DIS   0x20
#define CB_XLATE     0x40
#define CB_DEFAULT   (CB_XLATE | CB_SYS | CB_KBD_INT)

/* Output port. */
#define OUT_RESET    0x01    /* 0 asserts the CPU reset line */
#define OUT_A20      0x02
#define OUT_KBD_OBF  0x10
#define OUT_AUX_OBF  0x20
#define OUT_DEFAULT  0xcf

#define QUEUE_SIZE   64
#define SRC_AUX      0x100   /* ctrl-queue entry destined for the aux channel */

typedef struct ByteQueue {
    uint16_t data[QUEUE_SIZE];
    unsigned head, count;
} ByteQueue;

typedef struct PS2Keyboard {
    ByteQueue q;
    bool scanning;
    int scan_set;            /* 1, 2 or 3 */
    uint8_t leds;
    uint8_t typematic;
    uint8_t pending;         /* command waiting for its argument, or 0 */
    uint8_t last_sent;
} PS2Keyboard;

typedef struct PS2Mouse {
    ByteQueue q;
    bool enabled, remote, wrap, scaling21;
    uint8_t rate, resolution;
    uint8_t pending;
    uint8_t buttons;
    int dx, dy;              /* accumulated in remote mode */
    uint8_t last_sent;
} PS2Mouse;

struct I8042 {
    Bus *io;
    BusRegion *region_data, *region_cmd;
    IrqLine *kbd_irq, *aux_irq;
    void (*set_a20)(void *opaque, bool enabled);
    void *opaque;

    uint8_t ram[32];         /* ram[0] is the command byte */
    uint8_t outport;
    uint8_t status;          /* STAT_CMD and STAT_SYS as last set */
    uint8_t pending_cmd;     /* controller command waiting for a data byte */
    ByteQueue ctrl_q;        /* the controller's own replies (and D2/D3) */
    uint8_t obuf;
    bool obuf_full, obuf_aux;
    bool xlate_break;        /* translation saw 0xF0 */

    PS2Keyboard kbd;
    PS2Mouse mouse;
};

/*
 * Set 2 -> set 1 for the controller's translation and for a keyboard in
 * set 1: pairs (set 2 code, set 1 code) from the IBM scan code tables.
 */
static const uint8_t set2_set1_pairs[][2] = {
    { 0x76, 0x01 }, { 0x16, 0x02 }, { 0x1e, 0x03 }, { 0x26, 0x04 }, { 0x25, 0x05 },
    { 0x2e, 0x06 }, { 0x36, 0x07 }, { 0x3d, 0x08 }, { 0x3e, 0x09 }, { 0x46, 0x0a },
    { 0x45, 0x0b }, { 0x4e, 0x0c }, { 0x55, 0x0d }, { 0x66, 0x0e }, { 0x0d, 0x0f },
    { 0x15, 0x10 }, { 0x1d, 0x11 }, { 0x24, 0x12 }, { 0x2d, 0x13 }, { 0x2c, 0x14 },
    { 0x35, 0x15 }, { 0x3c, 0x16 }, { 0x43, 0x17 }, { 0x44, 0x18 }, { 0x4d, 0x19 },
    { 0x54, 0x1a }, { 0x5b, 0x1b }, { 0x5a, 0x1c }, { 0x14, 0x1d }, { 0x1c, 0x1e },
    { 0x1b, 0x1f }, { 0x23, 0x20 }, { 0x2b, 0x21 }, { 0x34, 0x22 }, { 0x33, 0x23 },
    { 0x3b, 0x24 }, { 0x42, 0x25 }, { 0x4b, 0x26 }, { 0x4c, 0x27 }, { 0x52, 0x28 },
    { 0x0e, 0x29 }, { 0x12, 0x2a }, { 0x5d, 0x2b }, { 0x1a, 0x2c }, { 0x22, 0x2d },
    { 0x21, 0x2e }, { 0x2a, 0x2f }, { 0x32, 0x30 }, { 0x31, 0x31 }, { 0x3a, 0x32 },
    { 0x41, 0x33 }, { 0x49, 0x34 }, { 0x4a, 0x35 }, { 0x59, 0x36 }, { 0x7c, 0x37 },
    { 0x11, 0x38 }, { 0x29, 0x39 }, { 0x58, 0x3a }, { 0x05, 0x3b }, { 0x06, 0x3c },
    { 0x04, 0x3d }, { 0x0c, 0x3e }, { 0x03, 0x3f }, { 0x0b, 0x40 }, { 0x83, 0x41 },
    { 0x0a, 0x42 }, { 0x01, 0x43 }, { 0x09, 0x44 }, { 0x77, 0x45 }, { 0x7e, 0x46 },
    { 0x6c, 0x47 }, { 0x75, 0x48 }, { 0x7d, 0x49 }, { 0x7b, 0x4a }, { 0x6b, 0x4b },
    { 0x73, 0x4c }, { 0x74, 0x4d }, { 0x79, 0x4e }, { 0x69, 0x4f }, { 0x72, 0x50 },
    { 0x7a, 0x51 }, { 0x70, 0x52 }, { 0x71, 0x53 }, { 0x84, 0x54 }, { 0x61, 0x56 },
    { 0x78, 0x57 }, { 0x07, 0x58 }, { 0x0f, 0x59 }, { 0x08, 0x64 }, { 0x10, 0x65 },
    { 0x18, 0x66 }, { 0x20, 0x67 }, { 0x28, 0x68 }, { 0x30, 0x69 }, { 0x38, 0x6a },
    { 0x40, 0x6b }, { 0x48, 0x6c }, { 0x50, 0x6d }, { 0x57, 0x6e }, { 0x13, 0x70 },
    { 0x51, 0x73 }, { 0x64, 0x79 }, { 0x67, 0x7b }, { 0x6a, 0x7d }, { 0x5f, 0x76 },
    { 0x1f, 0x5b }, { 0x27, 0x5c }, { 0x2f, 0x5d }, { 0x37, 0x5e }, { 0x3f, 0x5f },
    { 0x5e, 0x63 }, { 0x02, 0x41 }, { 0x00, 0xff },
};

static uint8_t set2_to_set1[256];

static void build_translation(void)
{
    static bool built;

    if (built) {
        return;
    }
    for (int i = 0; i < 256; i++) {
        set2_to_set1[i] = i;        /* replies (FA, AA, EE, FE, E0, E1) pass */
    }
    for (unsigned i = 0; i < ARRAY_SIZE(set2_set1_pairs); i++) {
        set2_to_set1[set2_set1_pairs[i][0]] = set2_set1_pairs[i][1];
    }
    built = true;
}

static void q_clear(ByteQueue *q)
{
    q->head = q->count = 0;
}

static unsigned q_free(ByteQueue *q)
{
    return QUEUE_SIZE - q->count;
}

static bool q_push(ByteQueue *q, uint16_t v)
{
    if (q->count == QUEUE_SIZE) {
        return false;
    }
    q->data[(q->head + q->count) % QUEUE_SIZE] = v;
    q->count++;
    return true;
}

static uint16_t q_pop(ByteQueue *q)
{
    uint16_t v = q->data[q->head];
    q->head = (q->head + 1) % QUEUE_SIZE;
    q->count--;
    return v;
}

static uint8_t cmd_byte(I8042 *kbc)
{
    return kbc->ram[0];
}

static void update_irq(I8042 *kbc)
{
    bool kbd = kbc->obuf_full && !kbc->obuf_aux && (cmd_byte(kbc) & CB_KBD_INT);
    bool aux = kbc->obuf_full && kbc->obuf_aux && (cmd_byte(kbc) & CB_AUX_INT);

    irq_set(kbc->kbd_irq, kbd);
    irq_set(kbc->aux_irq, aux);
}

/* One keyboard byte through the controller's translation (bit 6). */
static bool translate(I8042 *kbc, uint8_t in, uint8_t *out)
{
    if (!(cmd_byte(kbc) & CB_XLATE)) {
        *out = in;
        return true;
    }
    if (in == 0xf0) {
        kbc->xlate_break = true;
        return false;
    }
    *out = set2_to_set1[in] | (kbc->xlate_break ? 0x80 : 0);
    kbc->xlate_break = false;
    return true;
}

/* Fills an empty output buffer: controller replies, keyboard, then mouse. */
static void refill(I8042 *kbc)
{
    while (!kbc->obuf_full) {
        if (kbc->ctrl_q.count) {
            uint16_t v = q_pop(&kbc->ctrl_q);
            kbc->obuf = v & 0xff;
            kbc->obuf_aux = v & SRC_AUX;
            kbc->obuf_full = true;
        } else if (kbc->kbd.q.count && !(cmd_byte(kbc) & CB_KBD_DIS)) {
            uint8_t b;
            if (translate(kbc, q_pop(&kbc->kbd.q), &b)) {
                kbc->obuf = b;
                kbc->obuf_aux = false;
                kbc->obuf_full = true;
            }
        } else if (kbc->mouse.q.count && !(cmd_byte(kbc) & CB_AUX_DIS)) {
            kbc->obuf = q_pop(&kbc->mouse.q);
            kbc->obuf_aux = true;
            kbc->obuf_full = true;
        } else {
            break;
        }
    }
    update_irq(kbc);
}

static void ctrl_reply(I8042 *kbc, uint8_t v, bool aux)
{
    if (!q_push(&kbc->ctrl_q, v | (aux ? SRC_AUX : 0))) {
        log_mask(LOG_GUEST_ERRORS, "i8042: controller reply 0x%02x dropped (queue full)\n", v);
    }
    refill(kbc);
}

static void kbd_send(I8042 *kbc, uint8_t v)
{
    if (!q_push(&kbc->kbd.q, v)) {
        log_mask(LOG_GUEST_ERRORS, "i8042: keyboard byte 0x%02x dropped (queue full)\n", v);
    }
    kbc->kbd.last_sent = v;
    refill(kbc);
}

static void mouse_send(I8042 *kbc, uint8_t v)
{
    if (!q_push(&kbc->mouse.q, v)) {
        log_mask(LOG_GUEST_ERRORS, "i8042: mouse byte 0x%02x dropped (queue full)\n", v);
    }
    kbc->mouse.last_sent = v;
    refill(kbc);
}

/* --- the PS/2 keyboard ---------------------------------------------- */

static void kbd_defaults(PS2Keyboard *k)
{
    k->scan_set = 2;
    k->typematic = 0x2b;     /* 10.9 cps, 500 ms */
    k->pending = 0;
}

static void kbd_power_on(PS2Keyboard *k)
{
    q_clear(&k->q);
    kbd_defaults(k);
    k->scanning = true;
    k->leds = 0;
}

/* The argument byte of 0xED, 0xF0 or 0xF3. */
static void kbd_argument(I8042 *kbc, uint8_t cmd, uint8_t val)
{
    PS2Keyboard *k = &kbc->kbd;

    switch (cmd) {
    case 0xed:
        if (val & ~7) {
            log_mask(LOG_GUEST_ERRORS, "i8042: keyboard LED byte 0x%02x\n", val);
        }
        k->leds = val & 7;
        kbd_send(kbc, 0xfa);
        break;
    case 0xf3:
        k->typematic = val & 0x7f;
        kbd_send(kbc, 0xfa);
        break;
    case 0xf0:
        kbd_send(kbc, 0xfa);
        if (val == 0) {
            kbd_send(kbc, k->scan_set);
        } else if (val <= 3) {
            if (val == 3) {
                log_mask(LOG_UNIMP, "i8042: scan code set 3 (keys sent as set 2)\n");
            }
            k->scan_set = val;
        } else {
            log_mask(LOG_GUEST_ERRORS, "i8042: scan code set %d\n", val);
        }
        break;
    }
}

/* A byte the guest sent to the keyboard (IBM keyboard command set). */
static void kbd_write(I8042 *kbc, uint8_t val)
{
    PS2Keyboard *k = &kbc->kbd;

    if (k->pending && val < 0xed) {
        uint8_t cmd = k->pending;
        k->pending = 0;
        kbd_argument(kbc, cmd, val);
        return;
    }
    k->pending = 0;
    switch (val) {
    case 0xed:                          /* set LEDs */
    case 0xf0:                          /* get/set scan code set */
    case 0xf3:                          /* typematic rate/delay */
        k->pending = val;
        kbd_send(kbc, 0xfa);
        break;
    case 0xee:                          /* echo */
        kbd_send(kbc, 0xee);
        break;
    case 0xf2:                          /* identify: MF2 keyboard */
        kbd_send(kbc, 0xfa);
        kbd_send(kbc, 0xab);
        kbd_send(kbc, 0x83);
        break;
    case 0xf4:                          /* enable scanning */
        q_clear(&k->q);
        k->scanning = true;
        kbd_send(kbc, 0xfa);
        break;
    case 0xf5:                          /* disable scanning, defaults */
        q_clear(&k->q);
        kbd_defaults(k);
        k->scanning = false;
        kbd_send(kbc, 0xfa);
        break;
    case 0xf6:                          /* defaults */
        q_clear(&k->q);
        kbd_defaults(k);
        kbd_send(kbc, 0xfa);
        break;
    case 0xf7: case 0xf8: case 0xf9: case 0xfa:
    case 0xfb: case 0xfc: case 0xfd:    /* set 3 key types */
        log_mask(LOG_UNIMP, "i8042: keyboard set 3 command 0x%02x\n", val);
        kbd_send(kbc, 0xfa);
        break;
    case 0xfe:                          /* resend */
        kbd_send(kbc, k->last_sent);
        break;
    case 0xff:                          /* reset and self test (BAT) */
        kbd_power_on(k);
        kbd_send(kbc, 0xfa);
        kbd_send(kbc, 0xaa);
        break;
    default:
        log_mask(LOG_GUEST_ERRORS, "i8042: unknown keyboard command 0x%02x\n", val);
        kbd_send(kbc, 0xfe);
        break;
    }
}

void i8042_put_keycode(I8042 *kbc, int set2_code, bool down, bool extended)
{
    PS2Keyboard *k = &kbc->kbd;
    unsigned need = 1 + extended + !down;

    if (set2_code <= 0 || set2_code > 0xff) {
        log_mask(LOG_GUEST_ERRORS, "i8042: key code %d out of range\n", set2_code);
        return;
    }
    if (!k->scanning) {
        return;
    }
    if (q_free(&k->q) < need) {
        log_mask(LOG_GUEST_ERRORS, "i8042: keyboard buffer full, key dropped\n");
        return;
    }
    if (extended) {
        q_push(&k->q, 0xe0);
    }
    if (k->scan_set == 1) {
        q_push(&k->q, set2_to_set1[set2_code] | (down ? 0 : 0x80));
    } else {
        if (!down) {
            q_push(&k->q, 0xf0);
        }
        q_push(&k->q, set2_code);
    }
    refill(kbc);
}

uint8_t i8042_kbd_leds(I8042 *kbc)
{
    return kbc->kbd.leds;
}

/* --- the PS/2 mouse -------------------------------------------------- */

static void mouse_defaults(PS2Mouse *m)
{
    m->rate = 100;
    m->resolution = 2;
    m->scaling21 = false;
    m->enabled = false;
    m->remote = false;
    m->dx = m->dy = 0;
}

static void mouse_power_on(PS2Mouse *m)
{
    q_clear(&m->q);
    mouse_defaults(m);
    m->wrap = false;
    m->pending = 0;
}

/* 2:1 scaling of a stream-mode movement (PS/2 mouse reference). */
static int scale21(int d)
{
    static const int small[6] = { 0, 1, 1, 3, 6, 9 };
    int a = d < 0 ? -d : d;
    int r = a < 6 ? small[a] : 2 * a;
    return d < 0 ? -r : r;
}

/* Queues one 3-byte movement packet with dx, dy clamped to 9 bits. */
static void mouse_packet(I8042 *kbc, int dx, int dy)
{
    PS2Mouse *m = &kbc->mouse;
    uint8_t b0 = 0x08 | (m->buttons & 7);

    if (dx > 255 || dx < -256) {
        b0 |= 0x40;
        dx = dx > 0 ? 255 : -256;
    }
    if (dy > 255 || dy < -256) {
        b0 |= 0x80;
        dy = dy > 0 ? 255 : -256;
    }
    b0 |= (dx < 0 ? 0x10 : 0) | (dy < 0 ? 0x20 : 0);
    if (q_free(&m->q) < 3) {
        log_mask(LOG_GUEST_ERRORS, "i8042: mouse buffer full, packet dropped\n");
        return;
    }
    q_push(&m->q, b0);
    q_push(&m->q, dx & 0xff);
    q_push(&m->q, dy & 0xff);
    m->last_sent = dy & 0xff;
    refill(kbc);
}

static void mouse_status(I8042 *kbc)
{
    PS2Mouse *m = &kbc->mouse;
    uint8_t s = (m->remote ? 0x40 : 0) | (m->enabled ? 0x20 : 0) | (m->scaling21 ? 0x10 : 0) |
                ((m->buttons & I8042_BUTTON_LEFT) ? 0x04 : 0) |
                ((m->buttons & I8042_BUTTON_MIDDLE) ? 0x02 : 0) |
                ((m->buttons & I8042_BUTTON_RIGHT) ? 0x01 : 0);

    mouse_send(kbc, 0xfa);
    mouse_send(kbc, s);
    mouse_send(kbc, m->resolution);
    mouse_send(kbc, m->rate);
}

static void mouse_argument(I8042 *kbc, uint8_t cmd, uint8_t val)
{
    PS2Mouse *m = &kbc->mouse;

    if (cmd == 0xf3) {
        m->rate = val;
    } else if (val <= 3) {
        m->resolution = val;
    } else {
        log_mask(LOG_GUEST_ERRORS, "i8042: mouse resolution %d\n", val);
    }
    mouse_send(kbc, 0xfa);
}

static void mouse_command(I8042 *kbc, uint8_t val)
{
    PS2Mouse *m = &kbc->mouse;

    switch (val) {
    case 0xe6: m->scaling21 = false; mouse_send(kbc, 0xfa); break;
    case 0xe7: m->scaling21 = true; mouse_send(kbc, 0xfa); break;
    case 0xe8:                          /* set resolution */
    case 0xf3:                          /* set sample rate */
        m->pending = val;
        mouse_send(kbc, 0xfa);
        break;
    case 0xe9: mouse_status(kbc); break;
    case 0xea: m->remote = false; m->dx = m->dy = 0; mouse_send(kbc, 0xfa); break;
    case 0xeb:                          /* read data (remote mode) */
        mouse_send(kbc, 0xfa);
        mouse_packet(kbc, m->dx, m->dy);
        m->dx = m->dy = 0;
        break;
    case 0xec: m->wrap = false; mouse_send(kbc, 0xfa); break;
    case 0xee: m->wrap = true; mouse_send(kbc, 0xfa); break;
    case 0xf0: m->remote = true; m->dx = m->dy = 0; mouse_send(kbc, 0xfa); break;
    case 0xf2: mouse_send(kbc, 0xfa); mouse_send(kbc, 0x00); break;
    case 0xf4: m->enabled = true; mouse_send(kbc, 0xfa); break;
    case 0xf5: m->enabled = false; mouse_send(kbc, 0xfa); break;
    case 0xf6: mouse_defaults(m); mouse_send(kbc, 0xfa); break;
    case 0xfe: mouse_send(kbc, m->last_sent); break;
    case 0xff:
        mouse_power_on(m);
        mouse_send(kbc, 0xfa);
        mouse_send(kbc, 0xaa);
        mouse_send(kbc, 0x00);
        break;
    default:
        log_mask(LOG_GUEST_ERRORS, "i8042: unknown mouse command 0x%02x\n", val);
        mouse_send(kbc, 0xfe);
        break;
    }
}

/* A byte the guest sent to the mouse with controller command 0xD4. */
static void mouse_write(I8042 *kbc, uint8_t val)
{
    PS2Mouse *m = &kbc->mouse;

    if (m->wrap && val != 0xec && val != 0xff) {
        mouse_send(kbc, val);           /* wrap mode echoes */
        return;
    }
    if (m->pending) {
        uint8_t cmd = m->pending;
        m->pending = 0;
        if (val < 0xe6 || cmd == 0xf3) {
            mouse_argument(kbc, cmd, val);
            return;
        }
    }
    mouse_command(kbc, val);
}

void i8042_put_mouse(I8042 *kbc, int dx, int dy, int buttons)
{
    PS2Mouse *m = &kbc->mouse;
    bool changed = (buttons & 7) != m->buttons;

    m->buttons = buttons & 7;
    if (m->remote) {
        m->dx = CLAMP(m->dx + dx, -256, 255);
        m->dy = CLAMP(m->dy + dy, -256, 255);
        return;
    }
    if (!m->enabled || (!dx && !dy && !changed)) {
        return;
    }
    if (m->scaling21) {
        dx = scale21(dx);
        dy = scale21(dy);
    }
    mouse_packet(kbc, dx, dy);
}

/* --- the controller -------------------------------------------------- */

static void set_outport(I8042 *kbc, uint8_t val)
{
    uint8_t old = kbc->outport;

    kbc->outport = val;
    if (((old ^ val) & OUT_A20) && kbc->set_a20) {
        kbc->set_a20(kbc->opaque, val & OUT_A20);
    }
    if (!(val & OUT_RESET)) {
        log_mask(LOG_IOPORT, "i8042: CPU reset through the output port\n");
        kbc->outport |= OUT_RESET;      /* the line is released by the reset */
        runstate_request_reset();
    }
}

static uint8_t read_outport(I8042 *kbc)
{
    uint8_t v = kbc->outport & ~(OUT_KBD_OBF | OUT_AUX_OBF);

    if (kbc->obuf_full) {
        v |= kbc->obuf_aux ? OUT_AUX_OBF : OUT_KBD_OBF;
    }
    return v;
}

static void set_cmd_byte(I8042 *kbc, uint8_t val)
{
    if (val & 0x80) {
        log_mask(LOG_GUEST_ERRORS, "i8042: command byte bit 7 set (0x%02x)\n", val);
    }
    if (!(val & CB_XLATE)) {
        kbc->xlate_break = false;   /* a half-translated F0 is forgotten */
    }
    kbc->ram[0] = val & 0x7f;
    kbc->status = (kbc->status & ~STAT_SYS) | (val & CB_SYS ? STAT_SYS : 0);
    refill(kbc);
}

/* The data byte that follows a controller command (60h-7Fh, D1h-D4h). */
static void ctrl_data(I8042 *kbc, uint8_t cmd, uint8_t val)
{
    switch (cmd) {
    case 0xd1:
        set_outport(kbc, val);
        break;
    case 0xd2:
        ctrl_reply(kbc, val, false);
        break;
    case 0xd3:
        ctrl_reply(kbc, val, true);
        break;
    case 0xd4:
        mouse_write(kbc, val);
        break;
    default:                            /* 60h-7Fh: controller RAM */
        if (cmd == 0x60) {
            set_cmd_byte(kbc, val);
        } else {
            kbc->ram[cmd & 0x1f] = val;
        }
        break;
    }
}

static void ctrl_command(I8042 *kbc, uint8_t val)
{
    if (val >= 0x20 && val <= 0x3f) {   /* read controller RAM */
        ctrl_reply(kbc, kbc->ram[val & 0x1f], false);
        return;
    }
    if ((val >= 0x60 && val <= 0x7f) || (val >= 0xd1 && val <= 0xd4)) {
        kbc->pending_cmd = val;
        return;
    }
    if (val >= 0xf0) {                  /* pulse output port bits 0-3 low */
        if (!(val & 0x01)) {
            log_mask(LOG_IOPORT, "i8042: CPU reset pulse (0x%02x)\n", val);
            runstate_request_reset();
        }
        return;
    }
    switch (val) {
    case 0xa4: ctrl_reply(kbc, 0xf1, false); break;     /* no password */
    case 0xa7: set_cmd_byte(kbc, cmd_byte(kbc) | CB_AUX_DIS); break;
    case 0xa8: set_cmd_byte(kbc, cmd_byte(kbc) & ~CB_AUX_DIS); break;
    case 0xa9: ctrl_reply(kbc, 0x00, false); break;     /* aux interface OK */
    case 0xaa:                                          /* self test */
        set_cmd_byte(kbc, cmd_byte(kbc) | CB_SYS);
        ctrl_reply(kbc, 0x55, false);
        break;
    case 0xab: ctrl_reply(kbc, 0x00, false); break;     /* kbd interface OK */
    case 0xad: set_cmd_byte(kbc, cmd_byte(kbc) | CB_KBD_DIS); break;
    case 0xae: set_cmd_byte(kbc, cmd_byte(kbc) & ~CB_KBD_DIS); break;
    case 0xc0: ctrl_reply(kbc, 0x80, false); break;     /* input port: unlocked */
    case 0xd0: ctrl_reply(kbc, read_outport(kbc), false); break;
    case 0xdd: set_outport(kbc, kbc->outport & ~OUT_A20); break;
    case 0xdf: set_outport(kbc, kbc->outport | OUT_A20); break;
    case 0xe0: ctrl_reply(kbc, 0x00, false); break;     /* test inputs */
    default:
        log_mask(LOG_UNIMP, "i8042: controller command 0x%02x not implemented\n", val);
        break;
    }
}

static void write_data(I8042 *kbc, uint8_t val)
{
    kbc->status &= ~STAT_CMD;
    if (kbc->pending_cmd) {
        uint8_t cmd = kbc->pending_cmd;
        kbc->pending_cmd = 0;
        ctrl_data(kbc, cmd, val);
        return;
    }
    /* A byte for the keyboard also re-enables its interface. */
    if (cmd_byte(kbc) & CB_KBD_DIS) {
        kbc->ram[0] &= ~CB_KBD_DIS;
    }
    kbd_write(kbc, val);
}

static uint8_t read_data(I8042 *kbc)
{
    uint8_t v = kbc->obuf;

    if (kbc->obuf_full) {
        kbc->obuf_full = false;
        update_irq(kbc);                /* the line drops before the next byte */
        refill(kbc);
    }
    return v;
}

static uint8_t read_status(I8042 *kbc)
{
    uint8_t v = (kbc->status & (STAT_CMD | STAT_SYS)) | STAT_UNLOCK;

    if (kbc->obuf_full) {
        v |= STAT_OBF | (kbc->obuf_aux ? STAT_AUXB : 0);
    }
    return v;
}

static uint64_t data_io_read(void *opaque, uint64_t offset, unsigned size)
{
    return read_data(opaque) | (size > 1 ? ~(uint64_t)0xff : 0);
}

static void data_io_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    write_data(opaque, value & 0xff);
}

static uint64_t cmd_io_read(void *opaque, uint64_t offset, unsigned size)
{
    return read_status(opaque) | (size > 1 ? ~(uint64_t)0xff : 0);
}

static void cmd_io_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    I8042 *kbc = opaque;

    kbc->status |= STAT_CMD;
    if (kbc->pending_cmd) {
        log_mask(LOG_GUEST_ERRORS, "i8042: command 0x%02x replaces 0x%02x awaiting data\n",
                 (uint8_t)value, kbc->pending_cmd);
        kbc->pending_cmd = 0;
    }
    ctrl_command(kbc, value & 0xff);
}

static const BusOps data_ops = {
    .read = data_io_read,
    .write = data_io_write,
};

static const BusOps cmd_ops = {
    .read = cmd_io_read,
    .write = cmd_io_write,
};

void i8042_reset(I8042 *kbc)
{
    memset(kbc->ram, 0, sizeof(kbc->ram));
    kbc->ram[0] = CB_DEFAULT;
    kbc->status = STAT_SYS;
    kbc->outport = OUT_DEFAULT;
    kbc->pending_cmd = 0;
    kbc->obuf = 0;
    kbc->obuf_full = kbc->obuf_aux = false;
    kbc->xlate_break = false;
    q_clear(&kbc->ctrl_q);
    kbd_power_on(&kbc->kbd);
    mouse_power_on(&kbc->mouse);
    kbc->mouse.buttons = 0;
    update_irq(kbc);
}

I8042 *i8042_new(Bus *io, IrqLine *kbd_irq, IrqLine *aux_irq,
                 void (*set_a20)(void *opaque, bool enabled), void *opaque,
                 GError **errp)
{
    I8042 *kbc = g_new0(I8042, 1);

    build_translation();
    kbc->io = io;
    kbc->kbd_irq = kbd_irq;
    kbc->aux_irq = aux_irq;
    kbc->set_a20 = set_a20;
    kbc->opaque = opaque;
    kbc->region_data = bus_add_io(io, "i8042-data", 0x60, 1, &data_ops, kbc, errp);
    if (kbc->region_data) {
        kbc->region_cmd = bus_add_io(io, "i8042-cmd", 0x64, 1, &cmd_ops, kbc, errp);
    }
    if (!kbc->region_cmd) {
        i8042_free(kbc);
        return NULL;
    }
    i8042_reset(kbc);
    return kbc;
}

void i8042_free(I8042 *kbc)
{
    if (!kbc) {
        return;
    }
    if (kbc->region_data) {
        bus_remove(kbc->io, kbc->region_data);
    }
    if (kbc->region_cmd) {
        bus_remove(kbc->io, kbc->region_cmd);
    }
    g_free(kbc);
}

bool i8042_a20_enabled(I8042 *kbc)
{
    return kbc->outport & OUT_A20;
}
