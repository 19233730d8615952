/*
 * reset92.S: a machine reset through port 0x92 (the PS/2 "system control
 * port A": bit 0 is the fast reset, bit 1 the A20 gate). The first boot
 * leaves a marker in a spare CMOS RAM byte, which a reset keeps, and
 * resets; the second boot finds the marker, clears it and ends. Run it
 * without -no-reboot (with it the reset ends the emulator instead).
 */
#include "guest.h"

#define CMOS_SPARE 0x7e         /* not used by the RTC or the firmware */
#define MARK 0xa5

    .text
    .globl main
main:
    mov $CMOS_SPARE, %al
    out %al, $CMOS_INDEX
    in $CMOS_DATA, %al
    cmp $MARK, %al
    je second_boot

    mov $CMOS_SPARE, %al
    out %al, $CMOS_INDEX
    mov $MARK, %al
    out %al, $CMOS_DATA
    PRINT "reset92: first boot, resetting through port 0x92\n"
    PRINT "--- guest reset ---\n"
    in $PORT_92, %al
    and $~0x01, %al
    out %al, $PORT_92
    or $0x01, %al               /* a 0 -> 1 edge of bit 0 resets */
    out %al, $PORT_92
    mov $0x80000000, %ecx       /* about a second on hardware: time to reset */
1:  dec %ecx
    jnz 1b
    FAIL "still running after the port 0x92 reset"

second_boot:
    mov $CMOS_SPARE, %al
    out %al, $CMOS_INDEX
    mov $0, %al
    out %al, $CMOS_DATA
    PRINT "reset92: second boot, the CMOS marker survived the reset\n"
    PRINT "reset92: ok\n"
    xor %eax, %eax
    ret
