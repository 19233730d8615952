/*
 * rtc-pic.S: the MC146818 RTC's periodic interrupt on IRQ8, through the
 * slave i8259 cascaded on the master's IRQ2. Register A selects 1024 Hz,
 * register B bit 6 (PIE) enables it, and each interrupt is acknowledged by
 * reading register C (MC146818A datasheet). Then the date is read in BCD
 * (register B bit 2 clear) once the update-in-progress bit is clear, every
 * field is checked for a valid range, and the date is read again in binary
 * mode and compared. The date itself is not printed: it is not
 * deterministic.
 */
#include "guest.h"

#define IRQ_RTC 8

    .text
    .globl main
main:
    PRINT "rtc-pic: start\n"
    call pic_init
    mov $PIC_BASE + IRQ_RTC, %eax
    mov $on_rtc, %edx
    call set_handler
    mov $0x26, %ah              /* 32.768 kHz time base, rate 6: 1024 Hz */
    mov $0x0a, %al
    call cmos_write
    mov $0x0c, %al              /* clear stale flags */
    call cmos_read
    mov $0x0b, %al
    call cmos_read
    or $0x40, %al               /* PIE */
    and $~0x04, %al             /* BCD */
    mov %al, %ah
    mov $0x0b, %al
    call cmos_write
    mov $IRQ_RTC, %eax
    call pic_unmask
    mov $ticks, %ebx
    mov $32, %ecx
    call wait_at_least
    cli
    mov $0x0b, %al
    call cmos_read
    and $~0x40, %al
    mov %al, %ah
    mov $0x0b, %al
    call cmos_write
    PRINT "rtc-pic: 32 periodic interrupts on IRQ8\n"

    mov $date_bcd, %edi
    call read_date
    call check_bcd
    PRINT "rtc-pic: BCD date fields valid\n"
    mov $0x0b, %al
    call cmos_read
    or $0x04, %al               /* DM: binary */
    mov %al, %ah
    mov $0x0b, %al
    call cmos_write
    mov $date_bin, %edi
    call read_date
    mov $0x0b, %al
    call cmos_read
    and $~0x04, %al
    mov %al, %ah
    mov $0x0b, %al
    call cmos_write
    call compare_dates
    PRINT "rtc-pic: binary date matches the BCD date\n"
    PRINT "rtc-pic: ok\n"
    xor %eax, %eax
    ret

on_rtc:
    push %eax
    mov $0x0c, %al              /* reading C acknowledges the interrupt */
    call cmos_read
    test $0x40, %al             /* PF */
    jz 1f
    incl ticks
1:  mov $IRQ_RTC, %eax
    call pic_eoi
    pop %eax
    ret

/* cmos_read: %al = CMOS[%al] (NMI stays enabled: bit 7 of the index clear). */
cmos_read:
    out %al, $CMOS_INDEX
    in $CMOS_DATA, %al
    ret

/* cmos_write: CMOS[%al] = %ah. */
cmos_write:
    out %al, $CMOS_INDEX
    mov %ah, %al
    out %al, $CMOS_DATA
    ret

/*
 * read_date: waits for register A's UIP bit to be clear, then stores day,
 * month, year and century at %edi[0..3]. The seconds are not read, so a
 * second boundary between the two reads does not matter; a midnight would.
 */
read_date:
    pushal
1:  mov $0x0a, %al
    call cmos_read
    test $0x80, %al
    jnz 1b
    mov $0x07, %al
    call cmos_read
    mov %al, 0(%edi)
    mov $0x08, %al
    call cmos_read
    mov %al, 1(%edi)
    mov $0x09, %al
    call cmos_read
    mov %al, 2(%edi)
    mov $0x32, %al
    call cmos_read
    mov %al, 3(%edi)
    popal
    ret

/* bcd_ok: CF clear when %al is a BCD byte in [%bl, %bh] (both BCD). */
bcd_ok:
    push %eax
    mov %al, %ah
    and $0x0f, %ah
    cmp $9, %ah
    ja 1f
    mov %al, %ah
    shr $4, %ah
    cmp $9, %ah
    ja 1f
    cmp %bl, %al
    jb 1f
    cmp %bh, %al
    ja 1f
    pop %eax
    clc
    ret
1:  pop %eax
    stc
    ret

check_bcd:
    mov date_bcd + 0, %al
    mov $0x3101, %bx            /* day 01..31 */
    call bcd_ok
    jc 1f
    mov date_bcd + 1, %al
    mov $0x1201, %bx            /* month 01..12 */
    call bcd_ok
    jc 1f
    mov date_bcd + 2, %al
    mov $0x9900, %bx            /* year 00..99 */
    call bcd_ok
    jc 1f
    mov date_bcd + 3, %al
    mov $0x2119, %bx            /* century 19..21 */
    call bcd_ok
    jc 1f
    ret
1:  PRINT "FAIL: bad BCD date "
    HEX date_bcd, 8
    PRINT "\n"
    mov $1, %eax
    jmp guest_exit

/* compare_dates: each binary field must equal its BCD twin. */
compare_dates:
    xor %ecx, %ecx
1:  movzbl date_bcd(%ecx), %eax
    mov %eax, %edx
    shr $4, %eax
    imul $10, %eax
    and $0x0f, %edx
    add %edx, %eax
    cmpb %al, date_bin(%ecx)
    jne 2f
    inc %ecx
    cmp $4, %ecx
    jne 1b
    ret
2:  PRINT "FAIL: binary date "
    HEX date_bin, 8
    PRINT " differs from BCD date "
    HEX date_bcd, 8
    PRINT "\n"
    mov $1, %eax
    jmp guest_exit

    .bss
ticks:
    .space 4
date_bcd:
    .space 4
date_bin:
    .space 4
