/*
 * hello.S: the smallest guest: prints one line and exits. check-guests.sh
 * uses it as the probe that tells whether an accelerator runs guests at
 * all, and bench-kvm.sh times its launch-to-exit.
 */
#include "guest.h"

    .text
    .globl main
main:
    PRINT "hello: guest running\n"
    xor %eax, %eax
    ret
