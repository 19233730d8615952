/*
 * i8042.h: the PC/AT keyboard controller (an Intel 8042 running the
 * IBM keyboard-controller firmware) with a PS/2 keyboard on its first
 * port and a PS/2 mouse on its auxiliary port (hw/input/i8042.c). Data
 * port 0x60, command/status port 0x64; keyboard on ISA IRQ 1, mouse on
 * IRQ 12. Its output port also drives the A20 gate and the CPU reset
 * line. The UI feeds key and mouse events through the input API below.
 */
#ifndef HW_I8042_H
#define HW_I8042_H

#include "vireo/common.h"
#include "hw/bus.h"
#include "hw/irq.h"

typedef struct I8042 I8042;

/* Mouse buttons for i8042_put_mouse, in PS/2 packet order. */
#define I8042_BUTTON_LEFT   0x01
#define I8042_BUTTON_RIGHT  0x02
#define I8042_BUTTON_MIDDLE 0x04

/*
 * Creates the controller on io (ports 0x60 and 0x64) with the keyboard
 * interrupt on kbd_irq and the mouse interrupt on aux_irq (either may be
 * NULL). set_a20(opaque, enabled), which may be NULL, is called when the
 * guest changes the A20 bit of the output port; the board ORs it with
 * port 0x92's gate. Returns the device, or NULL with errp set.
 */
I8042 *i8042_new(Bus *io, IrqLine *kbd_irq, IrqLine *aux_irq,
                 void (*set_a20)(void *opaque, bool enabled), void *opaque,
                 GError **errp);

/*
 * Power-on state: command byte 0x45 (translation, system flag, keyboard
 * interrupt), output port with A20 enabled (set_a20 is not called),
 * both devices reset, buffers empty, IRQs low.
 */
void i8042_reset(I8042 *kbc);

/* Removes the ports and frees the device (NULL ignored). */
void i8042_free(I8042 *kbc);

/*
 * A key event from the UI, as a scan code set 2 make code (0x01..0xFF,
 * without the 0xE0 prefix; extended says the key has one). The keyboard
 * sends it in its current scan code set (the controller may translate
 * set 2 to set 1 for the guest). Dropped while the keyboard is disabled.
 */
void i8042_put_keycode(I8042 *kbc, int set2_code, bool down, bool extended);

/*
 * Mouse motion from the UI in PS/2 terms (dx right, dy up, counts) with
 * the buttons now held (I8042_BUTTON_*). Reported as stream packets when
 * the guest enabled the mouse; accumulated in remote mode.
 */
void i8042_put_mouse(I8042 *kbc, int dx, int dy, int buttons);

/* The keyboard LED state the guest set with 0xED (bit 0 scroll, 1 num, 2 caps). */
uint8_t i8042_kbd_leds(I8042 *kbc);

/* The A20 bit of the controller's output port. */
bool i8042_a20_enabled(I8042 *kbc);

#endif
