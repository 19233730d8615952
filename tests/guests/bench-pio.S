/*
 * bench-pio.S: writes port 0x80 (the POST diagnostic port, which nothing
 * listens to) 1,000,000 times and ends; tests/bench-kvm.sh times it to
 * measure the cost of a port-I/O exit. It prints only the start marker.
 */
#include "guest.h"

    .text
    .globl main
main:
    mov $1000000, %ecx
    xor %eax, %eax
1:  out %al, $0x80
    dec %ecx
    jnz 1b
    xor %eax, %eax
    ret
